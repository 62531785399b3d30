// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.reshape and qnn.flatten.

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
