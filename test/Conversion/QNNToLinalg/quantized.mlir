// RUN: qopt %s --split-input-file --convert-qnn-to-linalg | FileCheck %s

!act = !quant.uniform<u8:f32, 0.5:3>
!out = !quant.uniform<u8:f32, 0.25:10>
!wq = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// Quantized tensors become their storage integers, the signature included.
// The activation zero-point term -zx * sum(w) is folded into the
// accumulator's initial value: -3 * (1 + 2 + 3) = -18 and -3 * (-4) = 12.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x5xi8>) -> tensor<1x2x3xi8>
// CHECK-DAG: %[[INIT:.*]] = arith.constant dense<[-18, 12]> : tensor<2xi32>
// Widened with a zero extension: the storage is unsigned.
// CHECK-DAG: arith.extui %{{.*}} : i8 to i32
// CHECK: linalg.conv_1d_ncw_fcw {{.*}} -> tensor<1x2x3xi32>
// The epilogue: float(acc) + bias / (sx * sw), times (sx * sw) / sy, round
// half to even, plus zy, clamped at zy (relu) and 255.
// CHECK: arith.sitofp
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: math.roundeven
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.fptosi
// CHECK: arith.trunci {{.*}} : i32 to i8
func.func @conv1d(%x: tensor<1x1x5x!act>) -> tensor<1x2x3x!out> {
  %wi = arith.constant dense<[[[1, 2, 3]], [[-4, 0, 0]]]> : tensor<2x1x3xi8>
  %w = quant.scast %wi : tensor<2x1x3xi8> to tensor<2x1x3x!wq>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %y = qnn.conv %x, %w, %b {activation = #qnn.activation<relu>} : (tensor<1x1x5x!act>, tensor<2x1x3x!wq>, tensor<2xf32>) -> tensor<1x2x3x!out>
  return %y : tensor<1x2x3x!out>
}

// -----

!act = !quant.uniform<i8:f32, 0.5:-2>

// Padding uses the input zero point, so that padded positions contribute
// (zx - zx) * w = 0; signed storage is sign-extended.
// CHECK-LABEL: func.func @padded
// CHECK-DAG: %[[ZX:.*]] = arith.constant -2 : i32
// CHECK-DAG: arith.extsi %{{.*}} : i8 to i32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 1]
// CHECK: tensor.yield %[[ZX]] : i32
func.func @padded(%x: tensor<1x1x4x!act>, %w: tensor<1x1x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x4x!act> {
  %y = qnn.conv %x, %w {padding = array<i64: 1>} : (tensor<1x1x4x!act>, tensor<1x1x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x4x!act>
  return %y : tensor<1x1x4x!act>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @quantize
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xi8>
// Multiply by the float32 reciprocal (10.0), round half to even, then add
// the zero point, clamp, NaN to the zero point.
// CHECK: %[[INV:.*]] = arith.constant 1.000000e+01 : f32
// CHECK: arith.mulf %{{.*}}, %[[INV]]
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.cmpf uno
// CHECK: arith.select
func.func @quantize(%x: tensor<4xf32>) -> tensor<4x!a> {
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!a>
  return %q : tensor<4x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// relu on quantized values is max(q, zp), compared unsigned for u8: the
// zero point 128 is the i8 bit pattern -128. (The min with 255 folds away.)
// CHECK-LABEL: func.func @relu
// CHECK: %[[ZP:.*]] = arith.constant -128 : i8
// CHECK: arith.maxui %{{.*}}, %[[ZP]] : i8
// CHECK-NOT: arith.minui
func.func @relu(%q: tensor<4x!a>) -> tensor<4x!a> {
  %r = qnn.relu %q : tensor<4x!a>
  return %r : tensor<4x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// A quantized transpose moves storage bytes; a dynamic dimension of the
// result comes from the input dimension it is.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xi8>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x3x4xi8>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x3xi8>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x3x4xi8>) outs(%[[E]] : tensor<?x4x3xi8>) permutation = [0, 2, 1]
func.func @transpose(%q: tensor<?x3x4x!a>) -> tensor<?x4x3x!a> {
  %t = qnn.transpose %q {permutation = array<i64: 0, 2, 1>} : tensor<?x3x4x!a> -> tensor<?x4x3x!a>
  return %t : tensor<?x4x3x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:3>

// A quantized cat copies an input of the result's type and requantizes the
// others (rule D with the input's scale and zero point, rule Q with the
// result's) before joining the storage bytes.
// CHECK-LABEL: func.func @cat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xi8>, %[[B:.*]]: tensor<2x4xi8>)
// CHECK-DAG: %[[ZB:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[SB:.*]] = arith.constant 2.000000e-01 : f32
// CHECK-DAG: %[[INV:.*]] = arith.constant 1.000000e+01 : f32
// CHECK-DAG: %[[ZA:.*]] = arith.constant 1.280000e+02 : f32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2x4xi8>)
// CHECK: %[[D:.*]] = arith.subf %{{.*}}, %[[ZB]] : f32
// CHECK: %[[X:.*]] = arith.mulf %[[D]], %[[SB]] : f32
// CHECK: %[[T:.*]] = arith.mulf %[[X]], %[[INV]] : f32
// CHECK: %[[RE:.*]] = math.roundeven %[[T]] : f32
// CHECK: arith.addf %[[RE]], %[[ZA]] : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x7xi8>
// CHECK: %[[S:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %[[R]] into %[[S]][0, 3] [2, 4] [1, 1]
func.func @cat(%qa: tensor<2x3x!a>, %qb: tensor<2x4x!b>) -> tensor<2x7x!a> {
  %y = qnn.cat %qa, %qb {dim = 1 : i64} : (tensor<2x3x!a>, tensor<2x4x!b>) -> tensor<2x7x!a>
  return %y : tensor<2x7x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// A quantized slice takes the storage bytes.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xi8>)
// CHECK: tensor.extract_slice %[[X]][0, 2] [2, 3] [1, 1] : tensor<2x8xi8> to tensor<2x3xi8>
func.func @slice(%q: tensor<2x8x!a>) -> tensor<2x3x!a> {
  %y = qnn.slice %q {dim = 1 : i64, start = 2 : i64} : tensor<2x8x!a> -> tensor<2x3x!a>
  return %y : tensor<2x3x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:3>

// Quantized hardswish as PyTorch's vectorized kernel: dequantize with one
// fused multiply-add, fma(q, 0.1, -128 * 0.1), then the float function,
// then rule Q with 1 / 0.2 = 5.
// CHECK-LABEL: func.func @hardswish
// CHECK-DAG: %[[INV:.*]] = arith.constant 5.000000e+00 : f32
// CHECK-DAG: %[[PRE:.*]] = arith.constant -1.280000e+01 : f32
// CHECK-DAG: %[[S:.*]] = arith.constant 1.000000e-01 : f32
// CHECK: %[[E:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[F:.*]] = arith.sitofp %[[E]] : i32 to f32
// CHECK: %[[X:.*]] = math.fma %[[F]], %[[S]], %[[PRE]] : f32
// CHECK: arith.mulf %[[X]], %{{.*}} : f32
// CHECK: %[[H:.*]] = arith.divf
// CHECK: arith.mulf %[[H]], %[[INV]] : f32
// CHECK: math.roundeven
func.func @hardswish(%q: tensor<?x3x!a>) -> tensor<?x3x!b> {
  %h = qnn.hardswish %q : tensor<?x3x!a> -> tensor<?x3x!b>
  return %h : tensor<?x3x!b>
}

// -----

!g = !quant.uniform<u8:f32, 0.00390625>
!b = !quant.uniform<u8:f32, 0.2:3>
!c = !quant.uniform<u8:f32, 0.5:7>

// Quantized mul: the int32 product of the shifted values (the gate's zero
// point 0 needs no shift) times m = (1/256 * 0.2) * (1 / 0.5) in float32,
// rounded, plus the result zero point.
// CHECK-LABEL: func.func @mul
// CHECK-DAG: %[[M:.*]] = arith.constant 1.562500e-03 : f32
// CHECK-DAG: %[[ZB:.*]] = arith.constant 3 : i32
// CHECK-DAG: %[[ZC:.*]] = arith.constant 7.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: %[[G:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[X:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[XS:.*]] = arith.subi %[[X]], %[[ZB]] : i32
// CHECK: %[[P:.*]] = arith.muli %[[G]], %[[XS]] : i32
// CHECK: %[[PF:.*]] = arith.sitofp %[[P]] : i32 to f32
// CHECK: %[[T:.*]] = arith.mulf %[[PF]], %[[M]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[T]] : f32
// CHECK: arith.addf %[[R]], %[[ZC]] : f32
func.func @mul(%g: tensor<1x3x!g>, %x: tensor<2x3x!b>) -> tensor<2x3x!c> {
  %m = qnn.mul %g, %x : (tensor<1x3x!g>, tensor<2x3x!b>) -> tensor<2x3x!c>
  return %m : tensor<2x3x!c>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:3>

// Adaptive average pooling, `centered` (PyTorch's NHWC kernel): the window
// sum plus -6 * 3 in int32, times 1 / (1 / (1 / 6)), rounded, then the zero
// point added after rounding.
// CHECK-LABEL: func.func @adaptive_centered
// CHECK-DAG: %[[ZP:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[BIAS:.*]] = arith.constant dense<-18> : tensor<1x1xi32>
// CHECK-DAG: %[[R:.*]] = arith.constant dense<0.166666672> : tensor<1x1xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[R]], %[[BIAS]] : tensor<2x4x1x1xi32>, tensor<1x1xf32>, tensor<1x1xi32>)
// CHECK-NEXT: ^bb0(%[[SUM:.*]]: i32, %[[S:.*]]: f32, %[[B:.*]]: i32, %{{.*}}: i8):
// CHECK-NEXT: %[[C:.*]] = arith.addi %[[SUM]], %[[B]] : i32
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[C]] : i32 to f32
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[M]], %{{.*}} : f32
// CHECK-NEXT: %[[RE:.*]] = math.roundeven %[[A]] : f32
// CHECK-NEXT: arith.addf %[[RE]], %[[ZP]] : f32
func.func @adaptive_centered(%q: tensor<2x4x2x3x!a>) -> tensor<2x4x1x1x!a> {
  %y = qnn.adaptive_avg_pool %q {centered} : tensor<2x4x2x3x!a> -> tensor<2x4x1x1x!a>
  return %y : tensor<2x4x1x1x!a>
}
