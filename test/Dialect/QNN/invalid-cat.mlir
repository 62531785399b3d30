// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.cat's verifier rules.

func.func @no_inputs() {
  // expected-error @+1 {{'qnn.cat' op needs at least one input}}
  %y = qnn.cat {dim = 0 : i64} : () -> tensor<1x8xf32>
  return
}

// -----

func.func @dim_out_of_range(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.cat' op dim 2 is not a dimension of the rank-2 result}}
  %y = qnn.cat %a {dim = 2 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @negative_dim(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.cat' op dim -1 is not a dimension of the rank-2 result}}
  %y = qnn.cat %a {dim = -1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @other_dim_differs(%a: tensor<1x8xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'qnn.cat' op input 1 dimension 0 is 2 but the result's is 1: only dimension 1 may differ}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8xf32>, tensor<2x4xf32>) -> tensor<1x12xf32>
  return
}

// -----

func.func @wrong_sum(%a: tensor<1x8xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'qnn.cat' op result dimension 1 is 13 but the inputs' sum to 12}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8xf32>, tensor<1x4xf32>) -> tensor<1x13xf32>
  return
}

// -----

func.func @rank(%a: tensor<1x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.cat' op input 1 has rank 1 but the result has rank 2}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8xf32>, tensor<4xf32>) -> tensor<1x12xf32>
  return
}

// -----

func.func @dynamic_result(%a: tensor<1x8xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'qnn.cat' op result dimension 1 must be static as the inputs' are}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8xf32>, tensor<1x4xf32>) -> tensor<1x?xf32>
  return
}

// -----

func.func @static_result(%a: tensor<?x8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.cat' op result dimension 0 must be dynamic as the inputs' are}}
  %y = qnn.cat %a, %b {dim = 0 : i64} : (tensor<?x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @mixed(%a: tensor<1x8x!a>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'qnn.cat' op mixes float and quantized operands: input 1 is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8x!a>, tensor<1x4xf32>) -> tensor<1x12x!a>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<i8:f32, 0.1>

func.func @storage(%a: tensor<1x8x!a>, %b: tensor<1x4x!b>) {
  // expected-error @+1 {{'qnn.cat' op input 1 is stored as i8 but the result as u8: quantized operands and result share one storage type}}
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x8x!a>, tensor<1x4x!b>) -> tensor<1x12x!a>
  return
}

// -----

!w = !quant.uniform<i8:f32:0, {0.1, 0.2}>

func.func @per_axis(%a: tensor<2x4x!w>) {
  // expected-error @+1 {{'qnn.cat' op}}
  %y = qnn.cat %a {dim = 1 : i64} : (tensor<2x4x!w>) -> tensor<2x4x!w>
  return
}
