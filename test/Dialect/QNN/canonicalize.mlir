// RUN: qopt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @relu_of_relu
// CHECK: %[[R:.*]] = qnn.relu %arg0
// CHECK-NOT: qnn.relu
// CHECK: return %[[R]]
func.func @relu_of_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.relu %x : tensor<4xf32>
  %b = qnn.relu %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_of_nonnegative_clamp
// CHECK: %[[C:.*]] = qnn.clamp
// CHECK-NOT: qnn.relu
// CHECK: return %[[C]]
func.func @relu_of_nonnegative_clamp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %b = qnn.relu %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// relu after a clamp that admits negatives is not a no-op.
// CHECK-LABEL: func.func @relu_of_signed_clamp
// CHECK: qnn.relu
func.func @relu_of_signed_clamp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.clamp %x {min = -1.0 : f32, max = 1.0 : f32} : tensor<4xf32>
  %b = qnn.relu %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK: %[[R:.*]] = qnn.reshape %arg0 : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NOT: qnn.reshape
// CHECK: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %a = qnn.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %b = qnn.reshape %a : tensor<24xf32> -> tensor<4x6xf32>
  return %b : tensor<4x6xf32>
}

// -----

// Two transposes compose into one; a transpose and its inverse cancel; the
// identity permutation folds away.
// CHECK-LABEL: func.func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x4xf32>)
// CHECK: %[[T:.*]] = qnn.transpose %[[X]] {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x2x3x4xf32> -> tensor<1x4x2x3xf32>
// CHECK-NOT: qnn.transpose
// CHECK: return %[[T]], %[[X]], %[[X]]
func.func @transposes(%x: tensor<1x2x3x4xf32>) -> (tensor<1x4x2x3xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) {
  %a = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
  %b = qnn.transpose %a {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x3x4x2xf32> -> tensor<1x4x2x3xf32>
  %c = qnn.transpose %a {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x3x4x2xf32> -> tensor<1x2x3x4xf32>
  %d = qnn.transpose %x {permutation = array<i64: 0, 1, 2, 3>} : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
  return %b, %c, %d : tensor<1x4x2x3xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @identity_shapes
// CHECK-NOT: qnn.
// CHECK: return %arg0
func.func @identity_shapes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = qnn.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %b = qnn.flatten %a {start_dim = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:128>

// quantize(dequantize(q)) with the same type is q; with another type it is a
// requantization and stays; dequantize(quantize(x)) rounds and stays.
// CHECK-LABEL: func.func @quantize_dequantize
// CHECK-SAME: (%[[Q:.*]]: tensor<4x!quant.uniform<u8:f32, 1.000000e-01:128>>, %[[X:.*]]: tensor<4xf32>)
// CHECK: %[[D:.*]] = qnn.dequantize %[[Q]]
// CHECK: %[[Q2:.*]] = qnn.quantize %[[D]] : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 2.000000e-01:128>>
// CHECK: %[[Q3:.*]] = qnn.quantize %[[X]]
// CHECK: %[[D3:.*]] = qnn.dequantize %[[Q3]]
// CHECK: return %[[Q]], %[[Q2]], %[[D3]]
func.func @quantize_dequantize(%q: tensor<4x!a>, %x: tensor<4xf32>) -> (tensor<4x!a>, tensor<4x!b>, tensor<4xf32>) {
  %d = qnn.dequantize %q : tensor<4x!a> -> tensor<4xf32>
  %same = qnn.quantize %d : tensor<4xf32> -> tensor<4x!a>
  %other = qnn.quantize %d : tensor<4xf32> -> tensor<4x!b>
  %q3 = qnn.quantize %x : tensor<4xf32> -> tensor<4x!a>
  %d3 = qnn.dequantize %q3 : tensor<4x!a> -> tensor<4xf32>
  return %same, %other, %d3 : tensor<4x!a>, tensor<4x!b>, tensor<4xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @requantize_same_type
// CHECK-NOT: qnn.requantize
// CHECK: return %arg0
func.func @requantize_same_type(%q: tensor<4x!a>) -> tensor<4x!a> {
  %r = qnn.requantize %q : tensor<4x!a> -> tensor<4x!a>
  return %r : tensor<4x!a>
}

// -----

// The stubs mark the quantized region and are never folded away.
// CHECK-LABEL: func.func @stubs_stay
// CHECK: qnn.quant_stub
// CHECK: qnn.dequant_stub
func.func @stubs_stay(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = qnn.quant_stub %x : tensor<4xf32>
  %b = qnn.dequant_stub %a : tensor<4xf32>
  return %b : tensor<4xf32>
}
