// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.slice's verifier rules.

func.func @dim_out_of_range(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op dim 2 is not a dimension of the rank-2 input}}
  %y = qnn.slice %a {dim = 2 : i64, start = 0 : i64} : tensor<1x8xf32> -> tensor<1x8xf32>
  return
}

// -----

func.func @past_the_end(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op indices 6 to 9 are outside input dimension 1 (size 8)}}
  %y = qnn.slice %a {dim = 1 : i64, start = 6 : i64} : tensor<1x8xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @negative_start(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op start -1 is negative}}
  %y = qnn.slice %a {dim = 1 : i64, start = -1 : i64} : tensor<1x8xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @other_dim(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op result dimension 0 is 1 but the input's is 2: only dimension 1 is sliced}}
  %y = qnn.slice %a {dim = 1 : i64, start = 0 : i64} : tensor<2x8xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @dynamic_size(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op result dimension 1 must be static: it is the slice's size}}
  %y = qnn.slice %a {dim = 1 : i64, start = 0 : i64} : tensor<2x8xf32> -> tensor<2x?xf32>
  return
}

// -----

func.func @rank(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{'qnn.slice' op result has rank 1 but the input has rank 2}}
  %y = qnn.slice %a {dim = 1 : i64, start = 0 : i64} : tensor<2x8xf32> -> tensor<8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:128>

func.func @scale_changes(%a: tensor<2x8x!a>) {
  // expected-error @+1 {{'qnn.slice' op result element type '!quant.uniform<u8:f32, 2.000000e-01:128>' must equal the input element type '!quant.uniform<u8:f32, 1.000000e-01:128>': this operator keeps the scale and zero point (use qnn.requantize to change them)}}
  %y = qnn.slice %a {dim = 1 : i64, start = 0 : i64} : tensor<2x8x!a> -> tensor<2x4x!b>
  return
}

// -----

!w = !quant.uniform<i8:f32:0, {0.1, 0.2}>

func.func @per_axis(%a: tensor<2x4x!w>) {
  // expected-error @+1 {{'qnn.slice' op input must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.slice %a {dim = 1 : i64, start = 0 : i64} : tensor<2x4x!w> -> tensor<2x2x!w>
  return
}
