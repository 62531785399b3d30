// RUN: qopt %s --qnn-to-llvm=kernels=avx2 | FileCheck %s
// RUN: qopt %s --qnn-to-kernels=isa=avx2 --qnn-propagate-layout --canonicalize | FileCheck %s --check-prefix=LAYOUT

!act = !quant.uniform<u8:f32, 0.05:3>
!mid = !quant.uniform<u8:f32, 0.1:0>
!out = !quant.uniform<u8:f32, 0.2:7>
!w = !quant.uniform<i8:f32, 0.01>

// Two convolutions with a relu between them: one transpose into NHWC before
// the first kernel, one back after the second; the relu runs in NHWC.
// LAYOUT-LABEL: func.func @two_convs
// LAYOUT: qnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 3, 1>}
// LAYOUT-NOT: qnn.transpose
// LAYOUT: qcg.ukernel "qopt_qconv_avx2"
// LAYOUT-NOT: qnn.transpose
// LAYOUT: qnn.relu %{{.*}} : tensor<1x6x6x8x!quant.uniform<u8:f32, 1.000000e-01>>
// LAYOUT-NOT: qnn.transpose
// LAYOUT: qcg.ukernel "qopt_qconv_avx2"
// LAYOUT: qnn.transpose %{{.*}} {permutation = array<i64: 0, 3, 1, 2>}
// LAYOUT-NOT: qnn.transpose
//
// In the LLVM dialect the kernels are calls of the kernel library's C
// functions, which qcc and qrun link in, and buffers come from its
// allocator (MLIR's generic allocation functions).
// CHECK-DAG: llvm.func @qopt_qconv_avx2(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64)
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
// CHECK-LABEL: llvm.func @two_convs
// CHECK-NOT: llvm.call @malloc
// CHECK-COUNT-2: llvm.call @qopt_qconv_avx2(
func.func @two_convs(%x: tensor<1x3x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %q = qnn.quantize %x : tensor<1x3x6x6xf32> -> tensor<1x3x6x6x!act>
  %w1i = arith.constant dense<1> : tensor<8x3x3x3xi8>
  %w1 = quant.scast %w1i : tensor<8x3x3x3xi8> to tensor<8x3x3x3x!w>
  %a = qnn.conv %q, %w1 {padding = array<i64: 1, 1>} : (tensor<1x3x6x6x!act>, tensor<8x3x3x3x!w>) -> tensor<1x8x6x6x!mid>
  %r = qnn.relu %a : tensor<1x8x6x6x!mid>
  %w2i = arith.constant dense<-1> : tensor<4x8x1x1xi8>
  %w2 = quant.scast %w2i : tensor<4x8x1x1xi8> to tensor<4x8x1x1x!w>
  %b = qnn.conv %r, %w2 : (tensor<1x8x6x6x!mid>, tensor<4x8x1x1x!w>) -> tensor<1x4x6x6x!out>
  %d = qnn.dequantize %b : tensor<1x4x6x6x!out> -> tensor<1x4x6x6xf32>
  return %d : tensor<1x4x6x6xf32>
}
