// RUN: qopt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --qcg-lower-ukernels | FileCheck %s
// RUN: qopt %s --one-shot-bufferize --qcg-lower-ukernels | FileCheck %s --check-prefix=STRIDED

// An output from tensor.empty becomes an allocation the kernel writes (it
// never reads an output); a dense input buffer is passed as it is.
// CHECK-LABEL: func.func @bufferized
// CHECK-SAME: (%[[X:.*]]: memref<4xi8>) -> memref<4xi8>
// CHECK: %[[ALLOC:.*]] = memref.alloc() {{.*}}: memref<4xi8>
// CHECK-NOT: memref.copy
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: memref.extract_aligned_pointer_as_index %[[ALLOC]]
// CHECK: call @qopt_k
// CHECK: return %[[ALLOC]]
// A buffer of another layout (here a function argument of unknown strides)
// is first copied to a dense one: kernels read dense row-major buffers.
// STRIDED-LABEL: func.func @bufferized
// STRIDED: %[[XB:.*]] = bufferization.to_buffer %{{.*}} : tensor<4xi8> to memref<4xi8, strided<[?], offset: ?>>
// STRIDED: %[[OUT:.*]] = memref.alloc() {{.*}}: memref<4xi8>
// STRIDED: %[[DENSE:.*]] = memref.alloc() {{.*}}: memref<4xi8>
// STRIDED: memref.copy %[[XB]], %[[DENSE]]
// STRIDED: memref.extract_aligned_pointer_as_index %[[DENSE]]
// STRIDED: call @qopt_k
func.func @bufferized(%x: tensor<4xi8>) -> tensor<4xi8> {
  %e = tensor.empty() : tensor<4xi8>
  %r = qcg.ukernel "qopt_k" ins(%x : tensor<4xi8>) outs(%e : tensor<4xi8>) -> tensor<4xi8>
  return %r : tensor<4xi8>
}
