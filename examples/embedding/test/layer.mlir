// The installed qopt lowers a quantized layer, and the embedding program
// compiles it to a shared library with qopt's C++ API, JIT-runs it, calls
// the library, and finds both give the same bits.
// RUN: %qopt %s --qnn-to-llvm | %FileCheck %s --check-prefix=LOWERED
// LOWERED: llvm.func @layer
// RUN: %qopt --version | %FileCheck %s --check-prefix=VERSION
// VERSION: qopt (qopt)
// RUN: rm -rf %t && mkdir -p %t
// RUN: %embed %s %t/liblayer.so | %FileCheck %s
// CHECK: @layer: 1 inputs, 2 outputs
// CHECK-NEXT: pipeline qnn-to-llvm: {{[0-9]+}} llvm.func
// CHECK-NEXT: wrote {{.*}}liblayer.so and {{.*}}liblayer.h
// CHECK-NEXT: library and JIT agree on 2 outputs
!a = !quant.uniform<u8:f32, 0.05:128>
!w = !quant.uniform<i8:f32, 0.01>
func.func @layer(%x: tensor<?x4xf32>) -> (tensor<?x3x!a>, tensor<?x3xf32>) {
  %q = qnn.quantize %x : tensor<?x4xf32> -> tensor<?x4x!a>
  %wi = arith.constant dense<[[3, -7, 1, 0], [5, 5, -5, 2], [-1, 9, 4, -3]]> : tensor<3x4xi8>
  %w = quant.scast %wi : tensor<3x4xi8> to tensor<3x4x!w>
  %y = qnn.linear %q, %w : (tensor<?x4x!a>, tensor<3x4x!w>) -> tensor<?x3x!a>
  %d = qnn.dequantize %y : tensor<?x3x!a> -> tensor<?x3xf32>
  return %y, %d : tensor<?x3x!a>, tensor<?x3xf32>
}
