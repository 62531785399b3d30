// RUN: qopt %s --split-input-file --verify-diagnostics
// One case for each verifier rule of the qnn dialect's contract. The
// per-operator files invalid-*.mlir cover the remaining rules op by op.

//===----------------------------------------------------------------------===//
// Scales must be positive, finite and normal float32 values.
//===----------------------------------------------------------------------===//

// The quant type itself rejects a zero or negative scale while parsing.
// expected-error @+1 {{scale 0.000000e+00 out of expressed type range}}
func.func @zero_scale(%x: tensor<4x!quant.uniform<u8:f32, 0.0>>) {
  return
}

// -----

// expected-error @+1 {{scale -5.000000e-01 out of expressed type range}}
func.func @negative_scale(%x: tensor<4x!quant.uniform<u8:f32, -0.5>>) {
  return
}

// -----

// A float32 denormal parses, but 1.0f / scale is infinite in float32.
func.func @denormal_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result scale 1.000000e-40 is not a positive, finite, normal float32 value}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 1.0e-40:0>>
  return
}

// -----

func.func @denormal_per_axis_scale(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result scale 1.000000e-39 is not a positive, finite, normal float32 value}}
  %q = qnn.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 1.0e-39}>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Zero points must lie in the storage range.
//===----------------------------------------------------------------------===//

func.func @zero_point_above_u8(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result zero point 256 is outside the storage range [0, 255]}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.1:256>>
  return
}

// -----

func.func @zero_point_below_i8(%q: tensor<4x!quant.uniform<i8:f32, 0.1:-129>>) {
  // expected-error @+1 {{'qnn.dequantize' op input zero point -129 is outside the storage range [-128, 127]}}
  %x = qnn.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.1:-129>> -> tensor<4xf32>
  return
}

// -----

func.func @zero_point_outside_narrow_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result zero point 100 is outside the storage range [-64, 63]}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-64:63>:f32, 0.1:100>>
  return
}

// -----

func.func @per_axis_zero_point(%w: tensor<2x3x!quant.uniform<i8:f32:0, {0.1:0, 0.2:200}>>) {
  // expected-error @+1 {{'qnn.dequantize' op input zero point 200 is outside the storage range [-128, 127]}}
  %x = qnn.dequantize %w : tensor<2x3x!quant.uniform<i8:f32:0, {0.1:0, 0.2:200}>> -> tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Per-axis quantization: along the output-channel dimension of a weight, one
// scale per index of that dimension.
//===----------------------------------------------------------------------===//

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32:1, {0.1, 0.2}>

func.func @weight_axis_not_output_channel(%x: tensor<1x2x8x!act>, %w: tensor<4x2x3x!wq>) {
  // expected-error @+1 {{'qnn.conv' op weight is quantized along dimension 1, but per-axis weight quantization must be along the output-channel dimension 0}}
  %y = qnn.conv %x, %w : (tensor<1x2x8x!act>, tensor<4x2x3x!wq>) -> tensor<1x4x6x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>

func.func @linear_weight_axis(%x: tensor<1x3x!act>, %w: tensor<2x3x!wq>) {
  // expected-error @+1 {{'qnn.linear' op weight is quantized along dimension 1, but per-axis weight quantization must be along the output-channel dimension 0}}
  %y = qnn.linear %x, %w : (tensor<1x3x!act>, tensor<2x3x!wq>) -> tensor<1x2x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>

func.func @scale_count_differs_from_channels(%x: tensor<1x2x8x!act>, %w: tensor<4x2x3x!wq>) {
  // expected-error @+1 {{'qnn.conv' op weight has 3 per-axis scales but dimension 0 has size 4}}
  %y = qnn.conv %x, %w : (tensor<1x2x8x!act>, tensor<4x2x3x!wq>) -> tensor<1x4x6x!act>
  return
}

// -----

func.func @axis_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result is quantized along dimension 1, which does not exist in a tensor of rank 1}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!pa = !quant.uniform<u8:f32:1, {0.1:128, 0.2:128}>
!wq = !quant.uniform<i8:f32, 0.1>

func.func @per_axis_activation(%x: tensor<1x2x8x!pa>, %w: tensor<4x2x3x!wq>) {
  // expected-error @+1 {{'qnn.conv' op input must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.conv %x, %w : (tensor<1x2x8x!pa>, tensor<4x2x3x!wq>) -> tensor<1x4x6x!act>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Channel counts: input vs weight vs groups vs bias vs batch_norm parameters.
//===----------------------------------------------------------------------===//

func.func @input_channels_vs_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op weight expects 2 input channels per group x 1 groups = 2 input channels, but the input has 3}}
  %y = qnn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @channels_not_divisible_by_groups(%x: tensor<1x6x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op input channels (6) must be divisible by groups (4)}}
  %y = qnn.conv %x, %w {groups = 4 : i64} : (tensor<1x6x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  return
}

// -----

func.func @output_channels_not_divisible_by_groups(%x: tensor<1x6x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op weight output channels (4) must be divisible by groups (3)}}
  %y = qnn.conv %x, %w {groups = 3 : i64} : (tensor<1x6x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  return
}

// -----

func.func @depthwise_weight_mismatch(%x: tensor<1x8x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op weight expects 2 input channels per group x 8 groups = 16 input channels, but the input has 8}}
  %y = qnn.conv %x, %w {groups = 8 : i64} : (tensor<1x8x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @bias_vs_output_channels(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'qnn.conv' op bias has 5 elements but the weight has 4 output channels}}
  %y = qnn.conv %x, %w, %b : (tensor<1x2x8xf32>, tensor<4x2x3xf32>, tensor<5xf32>) -> tensor<1x4x6xf32>
  return
}

// -----

func.func @result_vs_output_channels(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op result has 5 channels but the weight has 4 output channels}}
  %y = qnn.conv %x, %w : (tensor<1x2x8xf32>, tensor<4x2x3xf32>) -> tensor<1x5x6xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<1x784xf32>, %w: tensor<100x748xf32>) {
  // expected-error @+1 {{'qnn.linear' op input has 784 features (last dimension) but the weight expects 748}}
  %y = qnn.linear %x, %w : (tensor<1x784xf32>, tensor<100x748xf32>) -> tensor<1x100xf32>
  return
}

// -----

func.func @batch_norm_parameters(%x: tensor<1x8x4x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<6xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op variance has 6 elements but the input has 8 channels}}
  %y = qnn.batch_norm %x, %g, %b, %m, %v : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<6xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Shapes must follow from stride, padding and dilation.
//===----------------------------------------------------------------------===//

func.func @conv_output_size(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op result spatial dimension 1 is 9, but input size 28, kernel 3, stride 3, padding 2, dilation 2 give 10}}
  %y = qnn.conv %x, %w {strides = array<i64: 2, 3>, padding = array<i64: 1, 2>, dilation = array<i64: 2, 2>} : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x13x9xf32>
  return
}

// -----

func.func @kernel_larger_than_padded_input(%x: tensor<1x1x4xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op spatial dimension 0: the dilated kernel (7) is larger than the padded input (6)}}
  %y = qnn.conv %x, %w {padding = array<i64: 1>, dilation = array<i64: 3>} : (tensor<1x1x4xf32>, tensor<2x1x3xf32>) -> tensor<1x2x1xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op strides must be positive and at most 2^31 - 1, got 0}}
  %y = qnn.conv %x, %w {strides = array<i64: 0>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @negative_padding(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op padding must be non-negative and at most 2^31 - 1, got -1}}
  %y = qnn.conv %x, %w {padding = array<i64: -1>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x4xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op dilation must be positive and at most 2^31 - 1, got 0}}
  %y = qnn.conv %x, %w {dilation = array<i64: 0>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @stride_count(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op strides must have 2 entries (one per spatial dimension), got 1}}
  %y = qnn.conv %x, %w {strides = array<i64: 2>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x3x3xf32>
  return
}

// -----

func.func @pool_output_size(%x: tensor<1x8x28x28xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op result spatial dimension 0 is 15, but input size 28, kernel 2, stride 2, padding 0, dilation 1 give 14}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 2, 2>} : tensor<1x8x28x28xf32> -> tensor<1x8x15x14xf32>
  return
}

// -----

func.func @pool_ceil_mode_output_size(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qnn.max_pool' op result spatial dimension 0 is 4, but input size 5, kernel 2, stride 2, padding 1, dilation 1 and ceil_mode give 3}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Float and quantized operands may only be mixed where a lowering exists.
//===----------------------------------------------------------------------===//

!act = !quant.uniform<u8:f32, 0.1:128>

func.func @conv_float_input_quantized_rest(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'qnn.conv' op mixes float and quantized operands (input: float, weight: quantized, result: quantized): expected all float or all quantized}}
  %y = qnn.conv %x, %w : (tensor<1x2x8xf32>, tensor<4x2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x6x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

func.func @linear_quantized_input_float_weight(%x: tensor<1x3x!act>, %w: tensor<2x3xf32>) {
  // expected-error @+1 {{'qnn.linear' op mixes float and quantized operands (input: quantized, weight: float, result: quantized): expected all float or all quantized, or a float input and result with a quantized weight (dynamic quantization)}}
  %y = qnn.linear %x, %w : (tensor<1x3x!act>, tensor<2x3xf32>) -> tensor<1x2x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

func.func @add_float_and_quantized(%a: tensor<4xf32>, %b: tensor<4x!act>) {
  // expected-error @+1 {{'qnn.add' op mixes float and quantized operands: lhs is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.add %a, %b : (tensor<4xf32>, tensor<4x!act>) -> tensor<4x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

func.func @quantized_batch_norm(%x: tensor<1x8x!act>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op input must be float: fold batch_norm into the preceding conv or linear (qnn-fold-batchnorm) before quantizing}}
  %y = qnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x8x!act>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x!act>
  return
}

// -----

//===----------------------------------------------------------------------===//
// A bias is f32, or i32 in a quantized layer.
//===----------------------------------------------------------------------===//

func.func @f16_bias(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'qnn.conv' op bias must be a tensor of f32 or i32, got 'tensor<4xf16>'}}
  %y = qnn.conv %x, %w, %b : (tensor<1x2x8xf32>, tensor<4x2x3xf32>, tensor<4xf16>) -> tensor<1x4x6xf32>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32, 0.1>

func.func @i8_bias(%x: tensor<1x3x!act>, %w: tensor<2x3x!wq>, %b: tensor<2xi8>) {
  // expected-error @+1 {{'qnn.linear' op bias must be a tensor of f32 or i32, got 'tensor<2xi8>'}}
  %y = qnn.linear %x, %w, %b : (tensor<1x3x!act>, tensor<2x3x!wq>, tensor<2xi8>) -> tensor<1x2x!act>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32, 0.1>
!bq = !quant.uniform<i32:f32, 0.01>

func.func @quantized_bias_type(%x: tensor<1x3x!act>, %w: tensor<2x3x!wq>, %b: tensor<2x!bq>) {
  // expected-error @+1 {{'qnn.linear' op bias must be a tensor of f32 or i32, got 'tensor<2x!quant.uniform<i32:f32, 1.000000e-02>>'}}
  %y = qnn.linear %x, %w, %b : (tensor<1x3x!act>, tensor<2x3x!wq>, tensor<2x!bq>) -> tensor<1x2x!act>
  return
}

// -----

func.func @i32_bias_on_float_conv(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'qnn.conv' op i32 bias (in units of input scale * weight scale) requires a quantized input, weight and result}}
  %y = qnn.conv %x, %w, %b : (tensor<1x2x8xf32>, tensor<4x2x3xf32>, tensor<4xi32>) -> tensor<1x4x6xf32>
  return
}
