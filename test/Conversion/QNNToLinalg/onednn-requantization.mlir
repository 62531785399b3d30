// RUN: qopt %s --split-input-file --convert-qnn-to-linalg="requantization=onednn" | FileCheck %s
// Rule O of docs/Numerics.md (PyTorch's onednn engine): the constants come
// from reciprocal scales, the bias is multiplied by (1 / sx) * (1 / sw),
// and the output zero point is added before rounding.

!a = !quant.uniform<u8:f32, 0.5:3>
!w = !quant.uniform<i8:f32:0, {0.25, 0.125}>
!o = !quant.uniform<u8:f32, 0.2:5>

// bias_scale = (1 / 0.5) * (1 / {0.25, 0.125}) = {8, 16}; multiplier =
// (1 / 0.2) / {8, 16} = {0.625, 0.3125}.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[ZY:.*]] = arith.constant 5.000000e+00 : f32
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<[8.000000e+00, 1.600000e+01]> : tensor<2xf32>
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[6.250000e-01, 3.125000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[M]], %[[B]], %[[BS]] :
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: i32, %[[MUL:.*]]: f32, %[[BIAS:.*]]: f32, %[[SCALE:.*]]: f32, %{{.*}}: i8):
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[ACC]] : i32 to f32
// CHECK-NEXT: %[[T:.*]] = arith.mulf %[[BIAS]], %[[SCALE]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[F]], %[[T]] : f32
// CHECK-NEXT: %[[V:.*]] = arith.mulf %[[S]], %[[MUL]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.addf %[[V]], %[[ZY]] : f32
// CHECK-NEXT: math.roundeven %[[Z]] : f32
// CHECK-NEXT: arith.maximumf
func.func @conv(%x: tensor<1x1x3x3x!a>) -> tensor<1x2x2x2x!o> {
  %wi = arith.constant dense<1> : tensor<2x1x2x2xi8>
  %w = quant.scast %wi : tensor<2x1x2x2xi8> to tensor<2x1x2x2x!w>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %y = qnn.conv %x, %w, %b : (tensor<1x1x3x3x!a>, tensor<2x1x2x2x!w>, tensor<2xf32>) -> tensor<1x2x2x2x!o>
  return %y : tensor<1x2x2x2x!o>
}
