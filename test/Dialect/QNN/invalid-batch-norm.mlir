// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.batch_norm rules beyond those in invalid.mlir.

func.func @zero_epsilon(%x: tensor<1x2xf32>, %p: tensor<2xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op epsilon must be positive and finite, got 0}}
  %y = qnn.batch_norm %x, %p, %p, %p, %p {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @param_rank(%x: tensor<1x2xf32>, %p: tensor<2xf32>, %g: tensor<1x2xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op weight must be a rank-1 tensor of f32, got 'tensor<1x2xf32>'}}
  %y = qnn.batch_norm %x, %g, %p, %p, %p : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @param_type(%x: tensor<1x2xf32>, %p: tensor<2xf32>, %m: tensor<2xf16>) {
  // expected-error @+1 {{'qnn.batch_norm' op mean must be a rank-1 tensor of f32, got 'tensor<2xf16>'}}
  %y = qnn.batch_norm %x, %p, %p, %m, %p : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>) -> tensor<1x2xf32>
  return
}

// -----

func.func @bias_count(%x: tensor<1x2x5xf32>, %p: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op bias has 3 elements but the input has 2 channels}}
  %y = qnn.batch_norm %x, %p, %b, %p, %p : (tensor<1x2x5xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<2xf32>, %p: tensor<2xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op input must have rank 2, 3 or 4 (N x C x ...), got rank 1}}
  %y = qnn.batch_norm %x, %p, %p, %p, %p : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @result_type(%x: tensor<1x2xf32>, %p: tensor<2xf32>) {
  // expected-error @+1 {{'qnn.batch_norm' op failed to verify that all of {input, result} have same type}}
  %y = qnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return
}
