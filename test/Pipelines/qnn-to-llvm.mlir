// RUN: qopt %s --split-input-file --qnn-to-llvm | FileCheck %s
// The pipeline ends in the LLVM dialect with nothing left of qnn, linalg,
// tensors or memrefs, and calls no runtime library (memref.copy has become
// loops): only malloc and free.

// CHECK-NOT: qnn.
// CHECK-NOT: linalg.
// CHECK-NOT: memrefCopy
// CHECK-DAG: llvm.func @malloc
// CHECK-DAG: llvm.func @free
// CHECK: llvm.func @model(
// CHECK-NOT: tensor.
// CHECK-NOT: memref<
func.func @model(%x: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %lw = arith.constant dense<0.25> : tensor<10x64xf32>
  %c = qnn.conv %x, %w {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32>
  %p = qnn.max_pool %c {kernel_size = array<i64: 2, 2>} : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  %f = qnn.flatten %p : tensor<?x4x4x4xf32> -> tensor<?x64xf32>
  %y = qnn.linear %f, %lw : (tensor<?x64xf32>, tensor<10x64xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// A function returning a view of its argument: the caller must own the
// result, so the buffer is cloned, and the clone lowers too.
// CHECK-LABEL: llvm.func @reshape_argument(
// CHECK-NOT: unrealized_conversion_cast
// CHECK-NOT: bufferization.clone
// CHECK: llvm.call @malloc
func.func @reshape_argument(%x: tensor<1x18xf32>) -> tensor<3x6xf32> {
  %s = qnn.reshape %x : tensor<1x18xf32> -> tensor<3x6xf32>
  return %s : tensor<3x6xf32>
}
