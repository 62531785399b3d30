// RUN: qopt %s --convert-qnn-to-linalg | FileCheck %s
// RUN: qopt %s --qnn-to-kernels=isa=avx2 | FileCheck %s --check-prefix=KERNEL

// oneDNN's 1x1 kernel (a 1x1 convolution without padding, here on oneDNN
// because of its stride) sums 200 input channels in chunks of 128: the
// first from the bias, the second (72 channels) from zero, then the two
// are added (docs/Numerics.md, rule F).
// CHECK-LABEL: func.func @pointwise
// CHECK: %[[A:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [%{{.*}}, 128, 4, 4] [1, 1, 1, 1]
// CHECK: math.fma
// CHECK: %[[B:.*]] = tensor.extract_slice %arg0[0, 128, 0, 0] [%{{.*}}, 72, 4, 4] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32)
// CHECK: math.fma
// CHECK: linalg.generic
// CHECK: arith.addf
// The float kernels' descriptor ends with the chunk, in reduction steps.
// KERNEL-LABEL: func.func @pointwise
// KERNEL: arith.constant dense<[4, 4, 200, 2, 2, 8, 1, 1, 2, 2, 0, 0, 1, 1, 1, 2, 8, 0, 8, 200, 200, 1600, 32, 128]> : tensor<24xi64>
func.func @pointwise(%x: tensor<?x200x4x4xf32>) -> tensor<?x8x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<8x200x1x1xf32>
  %y = qnn.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<?x200x4x4xf32>, tensor<8x200x1x1xf32>) -> tensor<?x8x2x2xf32>
  return %y : tensor<?x8x2x2xf32>
}
