// RUN: qopt %s --split-input-file --cse | FileCheck %s --check-prefix=CSE
// RUN: qopt %s --split-input-file --canonicalize | FileCheck %s --check-prefix=DCE
// qnn operations have no side effects: identical ones are merged and unused
// ones are erased by the generic upstream passes.

// CSE-LABEL: func.func @duplicate_convs
// CSE: %[[C:.*]] = qnn.conv
// CSE-NOT: qnn.conv
// CSE: qnn.add %[[C]], %[[C]]
// DCE-LABEL: func.func @duplicate_convs
func.func @duplicate_convs(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> tensor<1x2x6xf32> {
  %a = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %b = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %s = qnn.add %a, %b : (tensor<1x2x6xf32>, tensor<1x2x6xf32>) -> tensor<1x2x6xf32>
  return %s : tensor<1x2x6xf32>
}

// -----

// Different attributes are different computations.
// CSE-LABEL: func.func @different_activation
// CSE-COUNT-2: qnn.conv
// DCE-LABEL: func.func @different_activation
func.func @different_activation(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> (tensor<1x2x6xf32>, tensor<1x2x6xf32>) {
  %a = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %b = qnn.conv %x, %w {activation = #qnn.activation<relu>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return %a, %b : tensor<1x2x6xf32>, tensor<1x2x6xf32>
}

// -----

// CSE-LABEL: func.func @dead
// DCE-LABEL: func.func @dead
// DCE-NOT: qnn.
// DCE: return %arg0
func.func @dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.1:128>>
  %r = qnn.relu %q : tensor<4x!quant.uniform<u8:f32, 0.1:128>>
  %s = qnn.quant_stub %x : tensor<4xf32>
  return %x : tensor<4xf32>
}
