// RUN: qopt %s --convert-qnn-to-linalg | FileCheck %s
// Dynamic linear: min/max of the input, rule C in scalar ops (reduce_range:
// qmax 127), quantize to u8, int32 product, float epilogue.

!wq = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// CHECK-LABEL: func.func @dynamic
// sum(w) per channel, folded at compile time.
// CHECK-DAG: arith.constant dense<[3, -1]> : tensor<2xi32>
// CHECK-DAG: arith.constant 1.270000e+02 : f64
// CHECK-DAG: arith.constant 6.0999998822808266E-5 : f64
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: math.roundeven {{.*}} : f64
// CHECK: linalg.generic
// CHECK: math.roundeven {{.*}} : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// Per channel, once: zx * sum(w) and sx * sw.
// CHECK: %[[ZS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: arith.muli {{.*}} : i32
// CHECK: %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: arith.mulf {{.*}} : f32
// Per output (FBGEMM's order): float(acc - zx * sum(w)) * (sx * sw) + bias.
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[ZS]], %[[S]], %{{.*}} :
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: i32, %[[Z:.*]]: i32, %[[SC:.*]]: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[A:.*]] = arith.subi %[[ACC]], %[[Z]] : i32
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[A]] : i32 to f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[F]], %[[SC]] : f32
// CHECK-NEXT: %[[YB:.*]] = arith.addf %[[Y]], %[[BIAS]] : f32
// CHECK-NEXT: arith.maximumf %[[YB]], %{{.*}} : f32
// CHECK: return {{.*}} : tensor<?x2xf32>
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %wi = arith.constant dense<[[1, 2, 0], [-1, 0, 0]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!wq>
  %b = arith.constant dense<[1.0, -0.5]> : tensor<2xf32>
  %y = qnn.linear %x, %w, %b {activation = #qnn.activation<relu>, reduce_range} : (tensor<?x3xf32>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
