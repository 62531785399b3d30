// RUN: qopt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --qnn-to-kernels=isa=avx2 | FileCheck %s
// RUN: qopt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --qnn-to-kernels=isa=avx512vnni | FileCheck %s --check-prefix=VNNI
// RUN: qopt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --qnn-to-kernels=isa=avxvnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: qopt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --qnn-to-kernels=isa=amx | FileCheck %s --check-prefix=AMX

!act = !quant.uniform<u8:f32, 0.5:3>
!out = !quant.uniform<u8:f32, 0.25:10>
!w = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// A 2-D conv becomes NCHW -> NHWC, the kernel call on storage bytes, and
// NHWC -> NCHW. The weights are packed at compile time: reduction index
// k = (kh, kw, c), runs of four k per channel (KG = 4) in blocks of 16
// channels for AVX2 and VNNI alike (VNNI's blocks of 32 would pad 2 channels
// by 30); the channel rows hold the int32 bias (none),
// the weight sums, the zero points, bias / (sx * sw) and (sx * sw) / sy as
// float bits (4.0, -16.0; 1.0, 0.5), and each channel's largest sum of
// same-signed weights in a group of four (k = 0, 1, 4, 5: 1 + 5 + 3 + 7;
// k = 2, 3, 6, 7: 2 + 6 + 4 + 8 = 20). The descriptor: H W C OH OW OC KH KW
// SH SW PH PW DH DW groups, zx, x signed, zy, min (10: relu), max, y
// signed, mode, w zero, K, KPAD, NPAD, KG, NR, MC.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3x!quant.uniform<u8:f32, 5.000000e-01:3>>)
// CHECK-DAG: %[[N:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[CHAN:.*]] = arith.constant dense<[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 36, -36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1082130432, -1048576000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1065353216, 1056964608, {{(0, )+}}20, 20, {{(0, )+}}0]> : tensor<112xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[1, 5, 2, 6, -1, -5, -2, -6, {{(0, )+}}3, 7, 4, 8, -3, -7, -4, -8, {{(0, )+}}0]> : tensor<128xi8>
// CHECK-DAG: %[[DESC:.*]] = arith.constant dense<[3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3, 0, 10, 10, 255, 0, 0, 0, 8, 8, 16, 4, 16, 8]> : tensor<29xi64>
// CHECK: %[[T:.*]] = qnn.transpose %[[X]] {permutation = array<i64: 0, 2, 3, 1>} : {{.*}} -> tensor<1x3x3x2x!quant.uniform<u8:f32, 5.000000e-01:3>>
// CHECK: %[[S:.*]] = quant.scast %[[T]] : {{.*}} to tensor<1x3x3x2xi8>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x2x2xi8>
// CHECK: %[[WS:.*]] = tensor.empty() : tensor<610xi8>
// CHECK: %[[K:.*]]:2 = qcg.ukernel "qopt_qconv_avx2" ins(%[[DESC]], %[[S]], %[[W]], %[[CHAN]] : tensor<29xi64>, tensor<1x3x3x2xi8>, tensor<128xi8>, tensor<112xi32>) outs(%[[E]], %[[WS]] : tensor<1x2x2x2xi8>, tensor<610xi8>) scalars(%[[N]] : index)
// CHECK: %[[Q:.*]] = quant.scast %[[K]]#0 : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<u8:f32, 2.500000e-01:10>>
// CHECK: %[[Y:.*]] = qnn.transpose %[[Q]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[Y]]
// VNNI-LABEL: func.func @conv
// VNNI-DAG: arith.constant dense<[1, 5, 2, 6, -1, -5, -2, -6, {{(0, )+}}3, 7, 4, 8, -3, -7, -4, -8, {{(0, )+}}0]> : tensor<128xi8>
// VNNI-DAG: arith.constant dense<[3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3, 0, 10, 10, 255, 0, 0, 0, 8, 8, 16, 4, 16, 8]> : tensor<29xi64>
// VNNI: qcg.ukernel "qopt_qconv_avx512vnni"
// AVX-VNNI has a convolution kernel of its own on AVX2's layout.
// AVXVNNI-LABEL: func.func @conv
// AVXVNNI-DAG: arith.constant dense<[1, 5, 2, 6, -1, -5, -2, -6, {{(0, )+}}3, 7, 4, 8, -3, -7, -4, -8, {{(0, )+}}0]> : tensor<128xi8>
// AVXVNNI-DAG: arith.constant dense<[3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3, 0, 10, 10, 255, 0, 0, 0, 8, 8, 16, 4, 16, 8]> : tensor<29xi64>
// AVXVNNI: qcg.ukernel "qopt_qconv_avxvnni"
// AMX tiles read AVX2's layout too; rows are packed 16 at a time (MC, the
// descriptor's last entry), and the workspace holds that many.
// AMX-LABEL: func.func @conv
// AMX-DAG: arith.constant dense<[1, 5, 2, 6, -1, -5, -2, -6, {{(0, )+}}3, 7, 4, 8, -3, -7, -4, -8, {{(0, )+}}0]> : tensor<128xi8>
// AMX-DAG: arith.constant dense<[3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3, 0, 10, 10, 255, 0, 0, 0, 8, 8, 16, 4, 16, 16]> : tensor<29xi64>
// AMX: qcg.ukernel "qopt_qconv_amx" {{.*}} outs({{.*}} : tensor<1x2x2x2xi8>, tensor<1218xi8>)
func.func @conv(%x: tensor<1x2x3x3x!act>) -> tensor<1x2x2x2x!out> {
  %wi = arith.constant dense<[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[-1, -2], [-3, -4]], [[-5, -6], [-7, -8]]]]> : tensor<2x2x2x2xi8>
  %w = quant.scast %wi : tensor<2x2x2x2xi8> to tensor<2x2x2x2x!w>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %y = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>, strides = array<i64: 2, 2>, activation = #qnn.activation<relu>} : (tensor<1x2x3x3x!act>, tensor<2x2x2x2x!w>, tensor<2xf32>) -> tensor<1x2x2x2x!out>
  return %y : tensor<1x2x2x2x!out>
}

// -----

!act = !quant.uniform<i8:f32, 0.1:-3>
!out = !quant.uniform<i8:f32, 0.2:5>
!w = !quant.uniform<u8:f32, 0.01:130>

// A 1-D conv with a dynamic batch: NCW <-> NWC, height 1; the batch sizes
// the result. u8 weights are stored minus 128 (127, -128, 1: their sum is
// 0), their zero point too (2); an i32 bias goes to the first channel row.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x6x!quant.uniform<i8:f32, 1.000000e-01:-3>>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[CHAN:.*]] = arith.constant dense<[7, {{(0, )+}}2, {{.*}}]> : tensor<112xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[127, -128, 1, 0, {{(0, )+}}0]> : tensor<64xi8>
// CHECK-DAG: arith.constant dense<[1, 6, 1, 1, 6, 1, 1, 3, 1, 1, 0, 1, 1, 1, 1, -3, 1, 5, -128, 127, 1, 0, 1, 3, 4, 16, 4, 16, 8]> : tensor<29xi64>
// CHECK: %[[T:.*]] = qnn.transpose %[[X]] {permutation = array<i64: 0, 2, 1>} : {{.*}} -> tensor<?x6x1x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// CHECK: %[[S:.*]] = quant.scast %[[T]]
// CHECK: %[[B:.*]] = tensor.dim %[[S]], %[[C0]] : tensor<?x6x1xi8>
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<?x6x1xi8>
// CHECK: qcg.ukernel "qopt_qconv_avx2" ins({{.*}}) outs(%[[E]], %{{.*}} : tensor<?x6x1xi8>, tensor<{{[0-9]+}}xi8>) scalars(%[[B]] : index)
// CHECK: qnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<?x6x1x!quant.uniform<i8:f32, 2.000000e-01:5>> -> tensor<?x1x6x!quant.uniform<i8:f32, 2.000000e-01:5>>
func.func @conv1d(%x: tensor<?x1x6x!act>) -> tensor<?x1x6x!out> {
  %wi = arith.constant dense<[[[255, 0, 129]]]> : tensor<1x1x3xi8>
  %w = quant.scast %wi : tensor<1x1x3xi8> to tensor<1x1x3x!w>
  %b = arith.constant dense<[7]> : tensor<1xi32>
  %y = qnn.conv %x, %w, %b {padding = array<i64: 1>} : (tensor<?x1x6x!act>, tensor<1x1x3x!w>, tensor<1xi32>) -> tensor<?x1x6x!out>
  return %y : tensor<?x1x6x!out>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:0>
!out = !quant.uniform<u8:f32, 0.2:0>
!w = !quant.uniform<i8:f32, 0.01>

// A rank-2 linear layer runs on its input as it is: M rows of K bytes.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<4x5x!quant.uniform<u8:f32, 1.000000e-01>>)
// CHECK-NOT: qnn.transpose
// CHECK: %[[S:.*]] = quant.scast %[[X]] : {{.*}} to tensor<4x5xi8>
// CHECK: %[[K:.*]]:2 = qcg.ukernel "qopt_qconv_avx2" ins(%{{.*}}, %[[S]], %{{.*}}, %{{.*}} : tensor<29xi64>, tensor<4x5xi8>, tensor<128xi8>, tensor<112xi32>)
// CHECK: %[[Y:.*]] = quant.scast %[[K]]#0 : tensor<4x3xi8> to tensor<4x3x!quant.uniform<u8:f32, 2.000000e-01>>
// CHECK: return %[[Y]]
func.func @linear(%x: tensor<4x5x!act>) -> tensor<4x3x!out> {
  %wi = arith.constant dense<1> : tensor<3x5xi8>
  %w = quant.scast %wi : tensor<3x5xi8> to tensor<3x5x!w>
  %y = qnn.linear %x, %w : (tensor<4x5x!act>, tensor<3x5x!w>) -> tensor<4x3x!out>
  return %y : tensor<4x3x!out>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:0>
!out = !quant.uniform<u8:f32, 0.2:0>
!w = !quant.uniform<i8:f32, 0.01>

// Left for convert-qnn-to-linalg: float layers, weights that are no
// constant, a dynamic spatial dimension, a rank-3 linear input, an
// accumulator that could overflow.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: qcg.ukernel
// CHECK-COUNT-5: = qnn.
// CHECK-NOT: qcg.ukernel
func.func @left_alone(%f: tensor<1x2x4x4xf32>, %fw: tensor<2x2x1x1xf32>,
                      %x: tensor<1x2x4x4x!act>, %wq: tensor<2x2x1x1x!w>,
                      %d: tensor<1x2x?x4x!act>,
                      %r: tensor<2x3x5x!act>, %big: tensor<1x70000x!act>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4x!out>, tensor<1x2x?x4x!out>,
        tensor<2x3x3x!out>, tensor<1x1x!out>) {
  %wi = arith.constant dense<1> : tensor<2x2x1x1xi8>
  %w = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!w>
  %a = qnn.conv %f, %fw : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %b = qnn.conv %x, %wq : (tensor<1x2x4x4x!act>, tensor<2x2x1x1x!w>) -> tensor<1x2x4x4x!out>
  %c = qnn.conv %d, %w : (tensor<1x2x?x4x!act>, tensor<2x2x1x1x!w>) -> tensor<1x2x?x4x!out>
  %li = arith.constant dense<1> : tensor<3x5xi8>
  %l = quant.scast %li : tensor<3x5xi8> to tensor<3x5x!w>
  %g = qnn.linear %r, %l : (tensor<2x3x5x!act>, tensor<3x5x!w>) -> tensor<2x3x3x!out>
  %hi = arith.constant dense<127> : tensor<1x70000xi8>
  %h = quant.scast %hi : tensor<1x70000xi8> to tensor<1x70000x!w>
  %o = qnn.linear %big, %h : (tensor<1x70000x!act>, tensor<1x70000x!w>) -> tensor<1x1x!out>
  return %a, %b, %c, %g, %o : tensor<1x2x4x4xf32>, tensor<1x2x4x4x!out>, tensor<1x2x?x4x!out>, tensor<2x3x3x!out>, tensor<1x1x!out>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:5>
!out = !quant.uniform<u8:f32, 0.2:0>
!w = !quant.uniform<i8:f32:0, {0.01, 0.02, 0.03}>

// A depthwise conv (groups = C = O) runs on the depthwise kernel: weights
// tap-major, byte (t, c) at t * 16 + c; K = KPAD = 4 taps, NPAD = 16, KG 1,
// NR 16, MC 0; the weight sums per channel (22, 26, 30).
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG: arith.constant dense<[1, 2, 3, {{(0, )+}}4, 5, 6, {{(0, )+}}7, 8, 9, {{(0, )+}}10, 11, 12, {{.*}}]> : tensor<64xi8>
// CHECK-DAG: arith.constant dense<[4, 4, 3, 3, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 3, 5, 0, 0, 0, 255, 0, 0, 0, 4, 4, 16, 1, 16, 0]> : tensor<29xi64>
// CHECK-DAG: arith.constant dense<[{{(0, )+}}22, 26, 30, {{.*}}]> : tensor<112xi32>
// CHECK: qcg.ukernel "qopt_qdwconv_avx2"
// VNNI-LABEL: func.func @depthwise
// VNNI: qcg.ukernel "qopt_qdwconv_avx512"
// AVXVNNI-LABEL: func.func @depthwise
// AVXVNNI: qcg.ukernel "qopt_qdwconv_avx2"
// AMX-LABEL: func.func @depthwise
// AMX: qcg.ukernel "qopt_qdwconv_avx512"
func.func @depthwise(%x: tensor<1x3x4x4x!act>) -> tensor<1x3x3x3x!out> {
  %wi = arith.constant dense<[[[[1, 4], [7, 10]]], [[[2, 5], [8, 11]]], [[[3, 6], [9, 12]]]]> : tensor<3x1x2x2xi8>
  %w = quant.scast %wi : tensor<3x1x2x2xi8> to tensor<3x1x2x2x!w>
  %y = qnn.conv %x, %w {groups = 3 : i64} : (tensor<1x3x4x4x!act>, tensor<3x1x2x2x!w>) -> tensor<1x3x3x3x!out>
  return %y : tensor<1x3x3x3x!out>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:-3>

// Max pooling and global average pooling run on NHWC kernels too. The
// pooling descriptor: H W C OH OW KH KW SH SW PH PW DH DW, signed, and for
// the global average the float bits of r = (1 / 4) / 4 = 0.0625, an int32
// added to the sum and the float bits of a value added after rounding: 0
// and 0.0, or, `centered`, -16 * zp = 48 and the bits of zp = -3.0.
// CHECK-LABEL: func.func @pools
// CHECK-DAG: arith.constant dense<[4, 4, 5, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0]> : tensor<17xi64>
// CHECK-DAG: arith.constant dense<[4, 4, 5, 1, 1, 4, 4, 1, 1, 0, 0, 1, 1, 1, 1031798784, 0, 0]> : tensor<17xi64>
// CHECK-DAG: arith.constant dense<[4, 4, 5, 1, 1, 4, 4, 1, 1, 0, 0, 1, 1, 1, 1031798784, 48, -1069547520]> : tensor<17xi64>
// CHECK: %[[T:.*]] = qnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: qcg.ukernel "qopt_qmaxpool_avx2" ins(%{{.*}}, %{{.*}} : tensor<17xi64>, tensor<2x4x4x5xi8>) outs(%{{.*}} : tensor<2x2x2x5xi8>) scalars(%{{.*}} : index)
// CHECK: qcg.ukernel "qopt_qglobalavgpool_avx2" ins(%{{.*}}, %{{.*}} : tensor<17xi64>, tensor<2x4x4x5xi8>) outs(%{{.*}} : tensor<2x1x1x5xi8>)
// CHECK: qcg.ukernel "qopt_qglobalavgpool_avx2" ins(%{{.*}}, %{{.*}} : tensor<17xi64>, tensor<2x4x4x5xi8>) outs(%{{.*}} : tensor<2x1x1x5xi8>)
// VNNI-LABEL: func.func @pools
// VNNI: qcg.ukernel "qopt_qmaxpool_avx512"
// VNNI: qcg.ukernel "qopt_qglobalavgpool_avx512"
// AVXVNNI-LABEL: func.func @pools
// AVXVNNI: qcg.ukernel "qopt_qmaxpool_avx2"
// AVXVNNI: qcg.ukernel "qopt_qglobalavgpool_avx2"
// AMX-LABEL: func.func @pools
// AMX: qcg.ukernel "qopt_qmaxpool_avx512"
// AMX: qcg.ukernel "qopt_qglobalavgpool_avx512"
func.func @pools(%x: tensor<2x5x4x4x!q>) -> (tensor<2x5x2x2x!q>, tensor<2x5x1x1x!q>, tensor<2x5x1x1x!q>) {
  %m = qnn.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>} : tensor<2x5x4x4x!q> -> tensor<2x5x2x2x!q>
  %g = qnn.adaptive_avg_pool %x : tensor<2x5x4x4x!q> -> tensor<2x5x1x1x!q>
  %c = qnn.adaptive_avg_pool %x {centered} : tensor<2x5x4x4x!q> -> tensor<2x5x1x1x!q>
  return %m, %g, %c : tensor<2x5x2x2x!q>, tensor<2x5x1x1x!q>, tensor<2x5x1x1x!q>
}

// -----

// Float conv and linear run on the rule F kernels, in NCHW: no transposes.
// The order field (index 15) says how the sums run: 0 PyTorch's own order
// (one image of a small input), 1 oneDNN's (a 5x5 kernel), 2 chosen per
// call from the batch (dynamic); index 16 is oneDNN's channel block (the 3
// input channels), 17 the activation (2: relu6), the last oneDNN's 1x1
// reduction chunk (0: none).
// CHECK-LABEL: func.func @float_layers
// CHECK-DAG: arith.constant dense<[6, 6, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 3, 0, {{.*}}]> : tensor<24xi64>
// CHECK-DAG: arith.constant dense<[6, 6, 3, 2, 2, 4, 5, 5, 1, 1, 0, 0, 1, 1, 1, 1, 3, 2, {{.*}}]> : tensor<24xi64>
// CHECK-DAG: arith.constant dense<[6, 6, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 3, 0, {{.*}}]> : tensor<24xi64>
// CHECK-DAG: arith.constant dense<[8, 5, 32, 1, 1]> : tensor<5xi64>
// CHECK-NOT: qnn.transpose
// CHECK-COUNT-3: qcg.ukernel "qopt_fconv_avx2"
// CHECK: qcg.ukernel "qopt_flinear_avx2"
// VNNI-LABEL: func.func @float_layers
// VNNI-COUNT-3: qcg.ukernel "qopt_fconv_avx512"
// VNNI: qcg.ukernel "qopt_flinear_avx512"
// AVXVNNI-LABEL: func.func @float_layers
// AVXVNNI-COUNT-3: qcg.ukernel "qopt_fconv_avx2"
// AVXVNNI: qcg.ukernel "qopt_flinear_avx2"
// AMX-LABEL: func.func @float_layers
// AMX-COUNT-3: qcg.ukernel "qopt_fconv_avx512"
// AMX: qcg.ukernel "qopt_flinear_avx512"
func.func @float_layers(%x: tensor<1x3x6x6xf32>, %d: tensor<?x3x6x6xf32>, %v: tensor<2x8xf32>)
    -> (tensor<1x4x6x6xf32>, tensor<1x4x2x2xf32>, tensor<?x4x6x6xf32>, tensor<2x5xf32>) {
  %w = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %w5 = arith.constant dense<0.25> : tensor<4x3x5x5xf32>
  %b = arith.constant dense<[1.0, -2.0, 0.0, 3.0]> : tensor<4xf32>
  %a = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %c = qnn.conv %x, %w5 {activation = #qnn.activation<relu6>} : (tensor<1x3x6x6xf32>, tensor<4x3x5x5xf32>) -> tensor<1x4x2x2xf32>
  %e = qnn.conv %d, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %lw = arith.constant dense<0.125> : tensor<5x8xf32>
  %lb = arith.constant dense<1.0> : tensor<5xf32>
  %l = qnn.linear %v, %lw, %lb {activation = #qnn.activation<relu>} : (tensor<2x8xf32>, tensor<5x8xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %a, %c, %e, %l : tensor<1x4x6x6xf32>, tensor<1x4x2x2xf32>, tensor<?x4x6x6xf32>, tensor<2x5xf32>
}
