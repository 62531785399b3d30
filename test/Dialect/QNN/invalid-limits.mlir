// RUN: qopt %s --split-input-file --verify-diagnostics
// qopt's rule for what a dimension may be (include/qopt/Support/Shapes.h):
// 1 to 2^31 - 1, at most 2^32 elements per tensor, checked on every qnn op
// before its own verifier; window attributes and groups are bounded the
// same way. Each case below crashed, hung or ran out of memory before the
// rule (in BatchNorm folding, the int32 overflow proof, scale propagation,
// the lowering) or was reported with overflowed numbers.

func.func @zero_output_channels(%x: tensor<1x3x8x8xf32>) -> tensor<1x0x6x6xf32> {
  %w = arith.constant dense<1.0> : tensor<0x3x3x3xf32>
  // expected-error @+1 {{'qnn.conv' op operand #1 ('tensor<0x3x3x3xf32>'): dimension 0 is 0; qopt supports dimensions of 1 to 2^31 - 1}}
  %y = qnn.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<0x3x3x3xf32>) -> tensor<1x0x6x6xf32>
  return %y : tensor<1x0x6x6xf32>
}

// -----

func.func @zero_features(%x: tensor<2x4xf32>) -> tensor<2x0xf32> {
  %w = arith.constant dense<1.0> : tensor<0x4xf32>
  // expected-error @+1 {{'qnn.linear' op operand #1 ('tensor<0x4xf32>'): dimension 0 is 0}}
  %y = qnn.linear %x, %w : (tensor<2x4xf32>, tensor<0x4xf32>) -> tensor<2x0xf32>
  return %y : tensor<2x0xf32>
}

// -----

func.func @empty_observed_constant() -> tensor<0xf32> {
  %c = arith.constant dense<> : tensor<0xf32>
  // expected-error @+1 {{'qnn.observe' op operand #0 ('tensor<0xf32>'): dimension 0 is 0}}
  %y = qnn.observe %c {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_tensor_symmetric>} : tensor<0xf32>
  return %y : tensor<0xf32>
}

// -----

func.func @flatten_product_overflows(%x: tensor<1099511627776x1099511627776x16xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'qnn.flatten' op operand #0 ('tensor<1099511627776x1099511627776x16xf32>'): dimension 0 is 1099511627776; qopt supports dimensions of 1 to 2^31 - 1}}
  %y = qnn.flatten %x : tensor<1099511627776x1099511627776x16xf32> -> tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

func.func @too_many_elements(%x: tensor<65536x65536x2xf32>) -> tensor<65536x65536x2xf32> {
  // expected-error @+1 {{'qnn.relu' op operand #0 ('tensor<65536x65536x2xf32>'): it has more than 2^32 elements, the most qopt supports in one tensor}}
  %y = qnn.relu %x : tensor<65536x65536x2xf32>
  return %y : tensor<65536x65536x2xf32>
}

// -----

func.func @huge_average_pool(%x: tensor<1x1x1099511627776x4xf32>) -> tensor<1x1x549755813888x2xf32> {
  // expected-error @+1 {{'qnn.avg_pool' op operand #0 ('tensor<1x1x1099511627776x4xf32>'): dimension 2 is 1099511627776}}
  %y = qnn.avg_pool %x {kernel_size = array<i64: 2, 2>} : tensor<1x1x1099511627776x4xf32> -> tensor<1x1x549755813888x2xf32>
  return %y : tensor<1x1x549755813888x2xf32>
}

// -----

func.func @huge_padding(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'qnn.conv' op padding must be non-negative and at most 2^31 - 1, got 4611686018427387904}}
  %y = qnn.conv %x, %w {padding = array<i64: 4611686018427387904, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32>
  return %y : tensor<1x1x?x?xf32>
}

// -----

func.func @huge_dilation(%x: tensor<1x1x8xf32>, %w: tensor<1x1x3xf32>) -> tensor<1x1x?xf32> {
  // expected-error @+1 {{'qnn.conv' op dilation must be positive and at most 2^31 - 1, got 4611686018427387904}}
  %y = qnn.conv %x, %w {dilation = array<i64: 4611686018427387904>} : (tensor<1x1x8xf32>, tensor<1x1x3xf32>) -> tensor<1x1x?xf32>
  return %y : tensor<1x1x?xf32>
}

// -----

func.func @huge_stride(%x: tensor<1x1x8xf32>) -> tensor<1x1x?xf32> {
  // expected-error @+1 {{'qnn.max_pool' op strides must be positive and at most 2^31 - 1, got 9223372036854775807}}
  %y = qnn.max_pool %x {kernel_size = array<i64: 2>, strides = array<i64: 9223372036854775807>} : tensor<1x1x8xf32> -> tensor<1x1x?xf32>
  return %y : tensor<1x1x?xf32>
}

// -----

func.func @huge_groups(%x: tensor<1x4x8xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{'qnn.conv' op groups must be positive and at most 2^31 - 1, got 4611686018427387904}}
  %y = qnn.conv %x, %w {groups = 4611686018427387904 : i64} : (tensor<1x4x8xf32>, tensor<4x1x3xf32>) -> tensor<1x4x6xf32>
  return %y : tensor<1x4x6xf32>
}

// -----

// A dynamic kernel size lowered with the dynamic-size marker as a number
// and returned a tensor with negative dimensions.
func.func @dynamic_kernel(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x?x3xf32>) -> tensor<1x1x?x6xf32> {
  // expected-error @+1 {{'qnn.conv' op weight kernel size (dimensions 2 and up) must be static, got 'tensor<1x1x?x3xf32>'}}
  %y = qnn.conv %x, %w : (tensor<1x1x8x8xf32>, tensor<1x1x?x3xf32>) -> tensor<1x1x?x6xf32>
  return %y : tensor<1x1x?x6xf32>
}
