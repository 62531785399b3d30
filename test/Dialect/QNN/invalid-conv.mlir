// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.conv rules beyond those in invalid.mlir.

func.func @rank5_input(%x: tensor<1x1x4x4x4xf32>, %w: tensor<2x1x3x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op input must have rank 3 (N x C x W) or 4 (N x C x H x W), got rank 5}}
  %y = qnn.conv %x, %w : (tensor<1x1x4x4x4xf32>, tensor<2x1x3x3x3xf32>) -> tensor<1x2x2x2x2xf32>
  return
}

// -----

func.func @weight_rank(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op weight must have rank 4 (O x C/groups x kernel...), got rank 3}}
  %y = qnn.conv %x, %w : (tensor<1x1x8x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @result_rank(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op result must have rank 3 like the input, got rank 2}}
  %y = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x12xf32>
  return
}

// -----

func.func @batch_size(%x: tensor<2x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op result batch size 3 differs from the input batch size 2}}
  %y = qnn.conv %x, %w : (tensor<2x1x8xf32>, tensor<2x1x3xf32>) -> tensor<3x2x6xf32>
  return
}

// -----

func.func @zero_groups(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op groups must be positive and at most 2^31 - 1, got 0}}
  %y = qnn.conv %x, %w {groups = 0 : i64} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @bias_rank(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>, %b: tensor<1x2xf32>) {
  // expected-error @+1 {{'qnn.conv' op bias must have rank 1, got 'tensor<1x2xf32>'}}
  %y = qnn.conv %x, %w, %b : (tensor<1x1x8xf32>, tensor<2x1x3xf32>, tensor<1x2xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32, 0.1>
!pa = !quant.uniform<u8:f32:1, {0.1:128, 0.2:128}>

func.func @per_axis_result(%x: tensor<1x1x8x!act>, %w: tensor<2x1x3x!wq>) {
  // expected-error @+1 {{'qnn.conv' op result must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.conv %x, %w : (tensor<1x1x8x!act>, tensor<2x1x3x!wq>) -> tensor<1x2x6x!pa>
  return
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32, 0.1>

// Conv has no dynamic quantization in PyTorch's sense: only linear does.
func.func @dynamic_conv(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3x!wq>) {
  // expected-error @+1 {{'qnn.conv' op mixes float and quantized operands (input: float, weight: quantized, result: float): expected all float or all quantized}}
  %y = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3x!wq>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @unknown_activation(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+2 {{failed to parse QNN_ActivationAttr parameter 'value'}}
  // expected-error @+1 {{expected ::qopt::qnn::Activation to be one of: none, relu, relu6}}
  %y = qnn.conv %x, %w {activation = #qnn.activation<gelu>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @integer_input(%x: tensor<1x1x8xi8>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op operand #0 must be ranked tensor of 32-bit float or !quant.uniform (per tensor or per axis) values, but got 'tensor<1x1x8xi8>'}}
  %y = qnn.conv %x, %w : (tensor<1x1x8xi8>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}
