// RUN: qopt %s --split-input-file --qnn-propagate-layout | FileCheck %s

!q = !quant.uniform<u8:f32, 0.1:3>
!r = !quant.uniform<u8:f32, 0.2:0>

// Between two kernels: the transpose after the first moves down through
// relu, clamp and requantize, and meets the one before the second: both go.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[Y:.*]]: tensor<1x4x4x8x!quant.uniform<u8:f32, 1.000000e-01:3>>)
// CHECK: %[[A:.*]] = qnn.relu %[[Y]] : tensor<1x4x4x8x!quant.uniform<u8:f32, 1.000000e-01:3>>
// CHECK: %[[B:.*]] = qnn.clamp %[[A]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x4x4x8x
// CHECK: %[[C:.*]] = qnn.requantize %[[B]] : tensor<1x4x4x8x!quant.uniform<u8:f32, 1.000000e-01:3>> -> tensor<1x4x4x8x!quant.uniform<u8:f32, 2.000000e-01>>
// CHECK-NOT: qnn.transpose
// CHECK: return %[[C]]
func.func @chain(%y: tensor<1x4x4x8x!q>) -> tensor<1x4x4x8x!r> {
  %t = qnn.transpose %y {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %a = qnn.relu %t : tensor<1x8x4x4x!q>
  %b = qnn.clamp %a {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x4x4x!q>
  %c = qnn.requantize %b : tensor<1x8x4x4x!q> -> tensor<1x8x4x4x!r>
  %u = qnn.transpose %c {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x8x4x4x!r> -> tensor<1x4x4x8x!r>
  return %u : tensor<1x4x4x8x!r>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>

// An add whose operands are both transposed alike runs in their layout; a
// transpose with other users stays for them (here the function result).
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x4x8x{{.*}}>, %[[B:.*]]: tensor<1x4x4x8x{{.*}}>)
// CHECK: %[[TB:.*]] = qnn.transpose %[[B]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: %[[S:.*]] = qnn.add %[[A]], %[[B]] {activation = #qnn.activation<relu>} : (tensor<1x4x4x8x{{.*}}>, tensor<1x4x4x8x{{.*}}>) -> tensor<1x4x4x8x
// CHECK: %[[T:.*]] = qnn.transpose %[[S]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[T]], %[[TB]]
func.func @residual(%a: tensor<1x4x4x8x!q>, %b: tensor<1x4x4x8x!q>) -> (tensor<1x8x4x4x!q>, tensor<1x8x4x4x!q>) {
  %ta = qnn.transpose %a {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %tb = qnn.transpose %b {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %s = qnn.add %ta, %tb {activation = #qnn.activation<relu>} : (tensor<1x8x4x4x!q>, tensor<1x8x4x4x!q>) -> tensor<1x8x4x4x!q>
  return %s, %tb : tensor<1x8x4x4x!q>, tensor<1x8x4x4x!q>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>
!pa = !quant.uniform<u8:f32:1, {0.1, 0.2}>

// Stays: an add of one transposed and one plain operand, operands
// transposed unlike, and a per-axis quantized result (its axis would move).
// CHECK-LABEL: func.func @stays
// CHECK: qnn.transpose
// CHECK: qnn.add
// CHECK: qnn.transpose
// CHECK: qnn.add
// CHECK: qnn.transpose
// CHECK: qnn.quantize
func.func @stays(%a: tensor<2x2x2xf32>, %b: tensor<2x2x2xf32>, %f: tensor<2x2xf32>) -> (tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x!pa>) {
  %t = qnn.transpose %a {permutation = array<i64: 0, 2, 1>} : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  %x = qnn.add %t, %b : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %u = qnn.transpose %b {permutation = array<i64: 1, 0, 2>} : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  %y = qnn.add %t, %u : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %ft = qnn.transpose %f {permutation = array<i64: 1, 0>} : tensor<2x2xf32> -> tensor<2x2xf32>
  %q = qnn.quantize %ft : tensor<2x2xf32> -> tensor<2x2x!pa>
  return %x, %y, %q : tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x!pa>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>
!r = !quant.uniform<u8:f32, 0.2:0>

// A cat of inputs transposed alike (NHWC kernels' results back to NCHW)
// joins them in NHWC, along the channels (dimension 3 there), and one
// transpose follows.
// CHECK-LABEL: func.func @cat
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x4x8x{{.*}}>, %[[B:.*]]: tensor<1x4x4x2x{{.*}}>)
// CHECK: %[[C:.*]] = qnn.cat %[[A]], %[[B]] {dim = 3 : i64} : (tensor<1x4x4x8x!quant.uniform<u8:f32, 1.000000e-01:3>>, tensor<1x4x4x2x!quant.uniform<u8:f32, 2.000000e-01>>) -> tensor<1x4x4x10x!quant.uniform<u8:f32, 1.000000e-01:3>>
// CHECK: %[[T:.*]] = qnn.transpose %[[C]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[T]]
func.func @cat(%a: tensor<1x4x4x8x!q>, %b: tensor<1x4x4x2x!r>) -> tensor<1x10x4x4x!q> {
  %ta = qnn.transpose %a {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %tb = qnn.transpose %b {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x2x!r> -> tensor<1x2x4x4x!r>
  %c = qnn.cat %ta, %tb {dim = 1 : i64} : (tensor<1x8x4x4x!q>, tensor<1x2x4x4x!r>) -> tensor<1x10x4x4x!q>
  return %c : tensor<1x10x4x4x!q>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>

// A channel slice of an NHWC kernel's result takes the channels in NHWC.
// CHECK-LABEL: func.func @slice
// CHECK: %[[S:.*]] = qnn.slice %arg0 {dim = 3 : i64, start = 4 : i64} : tensor<1x4x4x8x{{.*}}> -> tensor<1x4x4x4x
// CHECK: qnn.transpose %[[S]] {permutation = array<i64: 0, 3, 1, 2>}
func.func @slice(%a: tensor<1x4x4x8x!q>) -> tensor<1x4x4x4x!q> {
  %t = qnn.transpose %a {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %s = qnn.slice %t {dim = 1 : i64, start = 4 : i64} : tensor<1x8x4x4x!q> -> tensor<1x4x4x4x!q>
  return %s : tensor<1x4x4x4x!q>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:3>
!h = !quant.uniform<u8:f32, 0.05:0>
!g = !quant.uniform<u8:f32, 0.00390625>

// hardswish, hardsigmoid and a broadcasting mul run in their operands'
// layout; the mul's size-1 dimensions move with the permutation.
// CHECK-LABEL: func.func @squeeze_excite
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x8x{{.*}}>, %[[P:.*]]: tensor<1x1x1x8x{{.*}}>)
// CHECK: %[[H:.*]] = qnn.hardswish %[[X]] : tensor<1x4x4x8x{{.*}}> -> tensor<1x4x4x8x
// CHECK: %[[G:.*]] = qnn.hardsigmoid %[[P]] : tensor<1x1x1x8x{{.*}}> -> tensor<1x1x1x8x
// CHECK: %[[M:.*]] = qnn.mul %[[G]], %[[H]] : (tensor<1x1x1x8x{{.*}}>, tensor<1x4x4x8x{{.*}}>) -> tensor<1x4x4x8x
// CHECK: %[[T:.*]] = qnn.transpose %[[M]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[T]]
func.func @squeeze_excite(%x: tensor<1x4x4x8x!q>, %p: tensor<1x1x1x8x!q>) -> tensor<1x8x4x4x!h> {
  %tx = qnn.transpose %x {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x8x!q> -> tensor<1x8x4x4x!q>
  %tp = qnn.transpose %p {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x8x!q> -> tensor<1x8x1x1x!q>
  %h = qnn.hardswish %tx : tensor<1x8x4x4x!q> -> tensor<1x8x4x4x!h>
  %g = qnn.hardsigmoid %tp : tensor<1x8x1x1x!q> -> tensor<1x8x1x1x!g>
  %m = qnn.mul %g, %h : (tensor<1x8x1x1x!g>, tensor<1x8x4x4x!h>) -> tensor<1x8x4x4x!h>
  return %m : tensor<1x8x4x4x!h>
}
