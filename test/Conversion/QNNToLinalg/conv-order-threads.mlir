// RUN: qopt %s --split-input-file --convert-qnn-to-linalg=torch-threads=1 | FileCheck %s --check-prefix=ONE
// RUN: qopt %s --split-input-file --convert-qnn-to-linalg=torch-threads=2 | FileCheck %s --check-prefix=TWO
// RUN: qopt %s --split-input-file --qnn-to-kernels="isa=generic torch-threads=1" | FileCheck %s --check-prefix=KONE

// PyTorch's choice of a float convolution's order depends on its thread
// count (docs/Numerics.md, rule F): with one thread, a 1x1 convolution with
// unit strides and dilation runs on oneDNN only for a batch of at least 16;
// with more, for a batch above 1 (or a large input).
// ONE-LABEL: func.func @pointwise
// ONE: %[[C15:.*]] = arith.constant 15 : index
// ONE-NOT: arith.ori
// ONE: %[[BIG:.*]] = arith.cmpi sgt, %{{.*}}, %[[C15]] : index
// ONE-NEXT: scf.if %[[BIG]]
// TWO-LABEL: func.func @pointwise
// TWO-DAG: %[[C1:.*]] = arith.constant 1 : index
// TWO-DAG: %[[C20480:.*]] = arith.constant 20480 : index
// TWO: arith.cmpi sgt, %{{.*}}, %[[C1]] : index
// TWO: arith.cmpi sgt, %{{.*}}, %[[C20480]] : index
// TWO: arith.ori
// The float kernels decide per call: order 3 (oneDNN from a batch of 16),
// the descriptor's 15th field.
// KONE-LABEL: func.func @pointwise
// KONE: arith.constant dense<[4, 4, 8, 4, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, 3,
func.func @pointwise(%x: tensor<?x8x4x4xf32>) -> tensor<?x4x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x8x1x1xf32>
  %y = qnn.conv %x, %w : (tensor<?x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// -----

// A stride of 2 does not count as the 1x1 case: batch above 1, as before.
// ONE-LABEL: func.func @strided
// ONE: arith.ori
// TWO-LABEL: func.func @strided
// TWO: arith.ori
// KONE-LABEL: func.func @strided
// KONE: arith.constant dense<[4, 4, 8, 2, 2, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1, 2,
func.func @strided(%x: tensor<?x8x4x4xf32>) -> tensor<?x4x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<4x8x1x1xf32>
  %y = qnn.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<?x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x2x2xf32>
  return %y : tensor<?x4x2x2xf32>
}
