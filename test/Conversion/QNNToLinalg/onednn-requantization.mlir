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

// -----

// Dynamic linear in onednn mode: 1 / sx from rule C's unrounded f64 scale,
// the input zero point added before rounding, and with b = (1 / sx) *
// (1 / sw[c]) (1 / sw = {2, 4}), y = (float(acc) + bias * b) * (1 / b).
!wq = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// CHECK-LABEL: func.func @dynamic
// CHECK-DAG: %[[INVW:.*]] = arith.constant dense<[2.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[ONE64:.*]] = arith.constant 1.000000e+00 : f64
// CHECK: %[[INV64:.*]] = arith.divf %[[ONE64]], %{{.*}} : f64
// CHECK: %[[INVX:.*]] = arith.truncf %[[INV64]] : f64 to f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: i32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[INVX]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[P]], %{{.*}} : f32
// CHECK-NEXT: math.roundeven %[[S]] : f32
// Per channel, once: b = (1 / sx) * (1 / sw), 1 / b, and bias * b.
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[INVW]] : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[IW:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[INVX]], %[[IW]] : f32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[BC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %{{.*}}, %[[BC]] : f32
// CHECK: %[[BB:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[B]] : tensor<2xf32>, tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[BIAS:.*]]: f32, %[[BC2:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[BIAS]], %[[BC2]] : f32
// Per output: (float(acc - zx * sum(w)) + bias * b) * (1 / b).
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[R]], %[[BB]] :
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: i32, %[[ZS:.*]]: i32, %[[RC:.*]]: f32, %[[BBC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[A:.*]] = arith.subi %[[ACC]], %[[ZS]] : i32
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[A]] : i32 to f32
// CHECK-NEXT: %[[G:.*]] = arith.addf %[[F]], %[[BBC]] : f32
// CHECK-NEXT: arith.mulf %[[G]], %[[RC]] : f32
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %wi = arith.constant dense<[[1, 2, 0], [-1, 0, 0]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!wq>
  %b = arith.constant dense<[1.0, -0.5]> : tensor<2xf32>
  %y = qnn.linear %x, %w, %b {activation = #qnn.activation<relu>, reduce_range} : (tensor<?x3xf32>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
