// RUN: qopt %s --split-input-file | FileCheck %s
// RUN: qopt %s --split-input-file | qopt --split-input-file | FileCheck %s
// RUN: qopt %s --split-input-file --mlir-print-op-generic | qopt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @on_tensors
// CHECK: %{{.*}}:2 = qcg.ukernel "qopt_qconv_avx2" ins(%{{.*}}, %{{.*}} : tensor<29xi64>, tensor<1x4x4x3xi8>) outs(%{{.*}}, %{{.*}} : tensor<1x4x4x8xi8>, tensor<64xi8>) scalars(%{{.*}} : index) -> tensor<1x4x4x8xi8>, tensor<64xi8>
func.func @on_tensors(%d: tensor<29xi64>, %x: tensor<1x4x4x3xi8>, %n: index) -> tensor<1x4x4x8xi8> {
  %e = tensor.empty() : tensor<1x4x4x8xi8>
  %w = tensor.empty() : tensor<64xi8>
  %r:2 = qcg.ukernel "qopt_qconv_avx2" ins(%d, %x : tensor<29xi64>, tensor<1x4x4x3xi8>) outs(%e, %w : tensor<1x4x4x8xi8>, tensor<64xi8>) scalars(%n : index) -> tensor<1x4x4x8xi8>, tensor<64xi8>
  return %r#0 : tensor<1x4x4x8xi8>
}

// -----

// CHECK-LABEL: func.func @on_memrefs
// CHECK: qcg.ukernel "k" outs(%{{.*}} : memref<?xf32>){{$}}
func.func @on_memrefs(%y: memref<?xf32>) {
  qcg.ukernel "k" outs(%y : memref<?xf32>)
  return
}
