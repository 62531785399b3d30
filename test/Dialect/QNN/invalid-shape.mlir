// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.reshape, qnn.flatten and qnn.transpose.

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qnn.reshape' op input has 6 elements but the result has 8}}
  %y = qnn.reshape %x : tensor<2x3xf32> -> tensor<8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @reshape_dequantizes(%x: tensor<2x3x!a>) {
  // expected-error @+1 {{'qnn.reshape' op result element type 'f32' must equal the input element type}}
  %y = qnn.reshape %x : tensor<2x3x!a> -> tensor<6xf32>
  return
}

// -----

!pa = !quant.uniform<i8:f32:0, {0.1, 0.2}>

func.func @reshape_per_axis(%x: tensor<2x3x!pa>) {
  // expected-error @+1 {{'qnn.reshape' op input must be quantized per tensor: reshaping would move the quantized dimension}}
  %y = qnn.reshape %x : tensor<2x3x!pa> -> tensor<2x1x3x!pa>
  return
}

// -----

func.func @flatten_order(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.flatten' op start_dim 2 must not come after end_dim 1}}
  %y = qnn.flatten %x {start_dim = 2 : i64, end_dim = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @flatten_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.flatten' op start_dim 3 and end_dim -1 must name dimensions of the rank-3 input}}
  %y = qnn.flatten %x {start_dim = 3 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return
}

// -----

func.func @flatten_shape(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.flatten' op result dimension 1 is 7 but flattening gives 12}}
  %y = qnn.flatten %x : tensor<2x3x4xf32> -> tensor<2x7xf32>
  return
}

// -----

func.func @flatten_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.flatten' op result must have rank 2, got 1}}
  %y = qnn.flatten %x : tensor<2x3x4xf32> -> tensor<24xf32>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.transpose' op permutation must hold each dimension of 0..2 once}}
  %y = qnn.transpose %x {permutation = array<i64: 0, 2, 2>} : tensor<2x3x4xf32> -> tensor<2x4x4xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.transpose' op permutation has 2 entries but the input has rank 3}}
  %y = qnn.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_shape(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qnn.transpose' op result dimension 1 is 3 but input dimension 2 is 4}}
  %y = qnn.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

!pa = !quant.uniform<i8:f32:0, {0.1, 0.2}>

func.func @transpose_per_axis(%x: tensor<2x2x!pa>) {
  // expected-error @+1 {{'qnn.transpose' op input must be quantized per tensor: transposing would move the quantized dimension}}
  %y = qnn.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x2x!pa> -> tensor<2x2x!pa>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @transpose_dequantizes(%x: tensor<2x3x!a>) {
  // expected-error @+1 {{'qnn.transpose' op result element type 'f32' must equal the input element type}}
  %y = qnn.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3x!a> -> tensor<3x2xf32>
  return
}

// -----

// A static side whose element count the other side's static dimensions do
// not divide: no dynamic size could make the counts equal.
func.func @reshape_static_input(%x: tensor<3xf32>) {
  // expected-error @+1 {{'qnn.reshape' op input has 3 elements, not a multiple of the 2 of the result's static dimensions}}
  %y = qnn.reshape %x : tensor<3xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @reshape_static_result(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'qnn.reshape' op result has 6 elements, not a multiple of the 4 of the input's static dimensions}}
  %y = qnn.reshape %x : tensor<?x4xf32> -> tensor<2x3xf32>
  return
}
