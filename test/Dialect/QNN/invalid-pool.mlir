// RUN: qopt %s --split-input-file --verify-diagnostics
// Pooling rules beyond those in invalid.mlir.

func.func @kernel_count(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op kernel_size must have 2 entries (one per spatial dimension), got 1}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 2>} : tensor<1x1x8x8xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @zero_kernel(%x: tensor<1x1x8xf32>) {
  // expected-error @+1 {{'qnn.avg_pool' op kernel_size must be positive and at most 2^31 - 1, got 0}}
  %y = qnn.avg_pool %x {kernel_size = array<i64: 0>} : tensor<1x1x8xf32> -> tensor<1x1x8xf32>
  return
}

// -----

func.func @padding_over_half_kernel(%x: tensor<1x1x8xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op padding 2 of spatial dimension 0 must be at most half the kernel size 3}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 3>, padding = array<i64: 2>} : tensor<1x1x8xf32> -> tensor<1x1x4xf32>
  return
}

// -----

func.func @channel_count(%x: tensor<1x2x8xf32>) {
  // expected-error @+1 {{'qnn.avg_pool' op result has 3 channels but the input has 2}}
  %y = qnn.avg_pool %x {kernel_size = array<i64: 2>} : tensor<1x2x8xf32> -> tensor<1x3x4xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:128>

func.func @max_pool_changes_scale(%x: tensor<1x1x8x!a>) {
  // expected-error @+1 {{'qnn.max_pool' op result element type '!quant.uniform<u8:f32, 2.000000e-01:128>' must equal the input element type '!quant.uniform<u8:f32, 1.000000e-01:128>': this operator keeps the scale and zero point (use qnn.requantize to change them)}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 2>} : tensor<1x1x8x!a> -> tensor<1x1x4x!b>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @avg_pool_dequantizes(%x: tensor<1x1x8x!a>) {
  // expected-error @+1 {{'qnn.avg_pool' op result element type 'f32' must equal the input element type}}
  %y = qnn.avg_pool %x {kernel_size = array<i64: 2>} : tensor<1x1x8x!a> -> tensor<1x1x4xf32>
  return
}

// -----

func.func @adaptive_dynamic_output(%x: tensor<1x4x9xf32>) {
  // expected-error @+1 {{'qnn.adaptive_avg_pool' op result spatial dimension 0 must be static: it is the output size}}
  %y = qnn.adaptive_avg_pool %x : tensor<1x4x9xf32> -> tensor<1x4x?xf32>
  return
}

// -----

func.func @adaptive_channels(%x: tensor<1x4x9xf32>) {
  // expected-error @+1 {{'qnn.adaptive_avg_pool' op result has 2 channels but the input has 4}}
  %y = qnn.adaptive_avg_pool %x : tensor<1x4x9xf32> -> tensor<1x2x1xf32>
  return
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>
func.func @adaptive_float_mean_quantized(%x: tensor<1x4x9x!q>) {
  // expected-error @+1 {{'qnn.adaptive_avg_pool' op 'float_mean' marks a float pooling that qnn-quantize keeps in float; a quantized pooling cannot carry it}}
  %y = qnn.adaptive_avg_pool %x {float_mean} : tensor<1x4x9x!q> -> tensor<1x4x1x!q>
  return
}

// -----

func.func @pool_rank(%x: tensor<4x9xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op input must have rank 3 (N x C x W) or 4 (N x C x H x W), got rank 2}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 3>} : tensor<4x9xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @pool_batch(%x: tensor<2x4x9xf32>) {
  // expected-error @+1 {{'qnn.avg_pool' op result batch size 1 differs from the input batch size 2}}
  %y = qnn.avg_pool %x {kernel_size = array<i64: 3>} : tensor<2x4x9xf32> -> tensor<1x4x3xf32>
  return
}

// -----

func.func @missing_kernel(%x: tensor<2x4x9xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op requires attribute 'kernel_size'}}
  %y = qnn.max_pool %x : tensor<2x4x9xf32> -> tensor<2x4x3xf32>
  return
}
