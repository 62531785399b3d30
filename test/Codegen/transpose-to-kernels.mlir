// RUN: qopt %s --qnn-transpose-to-kernels --split-input-file | FileCheck %s

// NCHW to NHWC on quantized storage, dynamic batch: rows C = 3, cols
// H * W = 20.
!q = !quant.uniform<u8:f32, 0.5:3>
// CHECK-LABEL: func.func @to_nhwc
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C20:.*]] = arith.constant 20 : index
// CHECK: %[[S:.*]] = quant.scast %{{.*}} : tensor<?x3x4x5x!quant.uniform<u8:f32, 5.000000e-01:3>> to tensor<?x3x4x5xi8>
// CHECK: %[[N:.*]] = tensor.dim %[[S]], %[[C0]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x5x3xi8>
// CHECK: %[[Y:.*]] = qcg.ukernel "qopt_transpose_b1" ins(%[[S]] : tensor<?x3x4x5xi8>) outs(%[[E]] : tensor<?x4x5x3xi8>) scalars(%[[N]], %[[C3]], %[[C20]] : index, index, index)
// CHECK: quant.scast %[[Y]] : tensor<?x4x5x3xi8> to tensor<?x4x5x3x!quant.uniform<u8:f32, 5.000000e-01:3>>
// CHECK-NOT: qnn.transpose
func.func @to_nhwc(%x: tensor<?x3x4x5x!q>) -> tensor<?x4x5x3x!q> {
  %y = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<?x3x4x5x!q> -> tensor<?x4x5x3x!q>
  return %y : tensor<?x4x5x3x!q>
}

// -----

// NHWC to NCHW on f32: rows H * W = 20, cols C = 3.
// CHECK-LABEL: func.func @to_nchw
// CHECK-DAG: %[[C20:.*]] = arith.constant 20 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: qcg.ukernel "qopt_transpose_b4" ins(%{{.*}} : tensor<2x4x5x3xf32>) outs(%{{.*}} : tensor<2x3x4x5xf32>) scalars(%{{.*}}, %[[C20]], %[[C3]] : index, index, index)
// CHECK-NOT: qnn.transpose
func.func @to_nchw(%x: tensor<2x4x5x3xf32>) -> tensor<2x3x4x5xf32> {
  %y = qnn.transpose %x {permutation = array<i64: 0, 3, 1, 2>} : tensor<2x4x5x3xf32> -> tensor<2x3x4x5xf32>
  return %y : tensor<2x3x4x5xf32>
}

// -----

// 1-D convolutions' layout change, [0, 2, 1].
// CHECK-LABEL: func.func @rank3
// CHECK: qcg.ukernel "qopt_transpose_b4"
func.func @rank3(%x: tensor<?x8x30xf32>) -> tensor<?x30x8xf32> {
  %y = qnn.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<?x8x30xf32> -> tensor<?x30x8xf32>
  return %y : tensor<?x30x8xf32>
}

// -----

// Left to the linalg lowering: a permutation that moves the batch, one
// that is not a swap of two blocks, a dynamic dimension after the batch.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-3: qnn.transpose
// CHECK-NOT: qcg.ukernel
func.func @kept(%x: tensor<2x3x4x5xf32>, %z: tensor<2x?x4xf32>) -> (tensor<3x2x4x5xf32>, tensor<2x3x5x4xf32>, tensor<2x4x?xf32>) {
  %a = qnn.transpose %x {permutation = array<i64: 1, 0, 2, 3>} : tensor<2x3x4x5xf32> -> tensor<3x2x4x5xf32>
  %b = qnn.transpose %x {permutation = array<i64: 0, 1, 3, 2>} : tensor<2x3x4x5xf32> -> tensor<2x3x5x4xf32>
  %c = qnn.transpose %z {permutation = array<i64: 0, 2, 1>} : tensor<2x?x4xf32> -> tensor<2x4x?xf32>
  return %a, %b, %c : tensor<3x2x4x5xf32>, tensor<2x3x5x4xf32>, tensor<2x4x?xf32>
}
