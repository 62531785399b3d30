// RUN: qopt %s --split-input-file --convert-qnn-to-linalg | FileCheck %s

// PyTorch's float convolution adds in one of two orders (docs/Numerics.md,
// rule F): oneDNN's for a batch above 1, then its own im2col + BLAS order.
// With a dynamic batch the choice is made at run time.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x1x8x8xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x4x4x4xf32>
// The bias initializes the accumulator.
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<?x4x4x4xf32>)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[X]]
// CHECK: %[[E2:.*]] = arith.muli %[[BATCH]], %c8
// CHECK: %[[E3:.*]] = arith.muli %[[E2]], %c8
// CHECK: %[[MANY:.*]] = arith.cmpi sgt, %[[BATCH]], %c1
// CHECK: %[[LARGE:.*]] = arith.cmpi sgt, %[[E3]], %c20480
// CHECK: %[[ONEDNN:.*]] = arith.ori %[[MANY]], %[[LARGE]]
// CHECK: %[[CONV:.*]] = scf.if %[[ONEDNN]] -> (tensor<?x4x4x4xf32>) {
// CHECK: linalg.generic
// CHECK: math.fma
// CHECK: } else {
// CHECK: %[[REF:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[PAD]], %[[W]] : tensor<?x1x10x10xf32>, tensor<4x1x3x3xf32>) outs(%[[INIT]] : tensor<?x4x4x4xf32>)
// CHECK: scf.yield %[[REF]]
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[CONV]] : tensor<?x4x4x4xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: return %[[RELU]]
func.func @conv2d(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %y = qnn.conv %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// -----

// A static batch of 2 takes oneDNN's order at compile time: with fewer than
// 8 input channels they form one block, (cb, kw, ci) is (1, 3, 3).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d4, d6, d3 + d5 * 2)>
// CHECK-DAG: #[[$WT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d4, d6, d5)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv1d_no_bias
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK-NOT: scf.if
// CHECK: %[[ACC:.*]] = tensor.expand_shape %[[ZERO]] {{\[\[}}0], [1, 2], [3]] output_shape [2, 1, 5, 12]
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$WT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<2x1x1x3x16xf32>, tensor<1x5x1x3x3xf32>) outs(%[[ACC]] : tensor<2x1x5x12xf32>)
// CHECK-NEXT: ^bb0(%[[XV:.*]]: f32, %[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[FMA:.*]] = math.fma %[[XV]], %[[WV]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[FMA]]
// relu6 clamps at both ends.
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @conv1d_no_bias(%x: tensor<2x3x16xf32>, %w: tensor<5x3x3xf32>) -> tensor<2x5x12xf32> {
  %y = qnn.conv %x, %w {dilation = array<i64: 2>, activation = #qnn.activation<relu6>} : (tensor<2x3x16xf32>, tensor<5x3x3xf32>) -> tensor<2x5x12xf32>
  return %y : tensor<2x5x12xf32>
}

// -----

// One image of few elements with a kernel of at most 3 in some dimension:
// PyTorch's own order (c, kh, kw), which linalg's named conv follows.
// CHECK-LABEL: func.func @conv2d_single_small
// CHECK-NOT: scf.if
// CHECK-NOT: math.fma
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv2d_single_small(%x: tensor<1x16x14x14xf32>, %w: tensor<4x16x3x5xf32>) -> tensor<1x4x12x10xf32> {
  %y = qnn.conv %x, %w : (tensor<1x16x14x14xf32>, tensor<4x16x3x5xf32>) -> tensor<1x4x12x10xf32>
  return %y : tensor<1x4x12x10xf32>
}

// -----

// One image, but a kernel larger than 3 in both dimensions: oneDNN. Twelve
// input channels are zero-padded to two blocks of 8.
// CHECK-LABEL: func.func @conv2d_single_large_kernel
// CHECK-NOT: scf.if
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0, 0] high[0, 0, 4, 0, 0]
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 1, 2, 8, 9, 9] : tensor<1x1x16x9x9xf32> into tensor<1x1x2x8x9x9xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0, 0] high[0, 0, 4, 0, 0]
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 4, 2, 8, 4, 4] : tensor<1x4x16x4x4xf32> into tensor<1x4x2x8x4x4xf32>
// CHECK: math.fma
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv2d_single_large_kernel(%x: tensor<1x12x9x9xf32>, %w: tensor<4x12x4x4xf32>) -> tensor<1x4x6x6xf32> {
  %y = qnn.conv %x, %w : (tensor<1x12x9x9xf32>, tensor<4x12x4x4xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// One image of more than 20480 elements: oneDNN.
// CHECK-LABEL: func.func @conv1d_single_large_input
// CHECK-NOT: scf.if
// CHECK: math.fma
func.func @conv1d_single_large_input(%x: tensor<1x8x2561xf32>, %w: tensor<4x8x3xf32>) -> tensor<1x4x2559xf32> {
  %y = qnn.conv %x, %w : (tensor<1x8x2561xf32>, tensor<4x8x3xf32>) -> tensor<1x4x2559xf32>
  return %y : tensor<1x4x2559xf32>
}

// -----

// A weight with a dynamic channel count takes it from the input; with
// neither known, PyTorch's own order (it needs no channel blocks).
// CHECK-LABEL: func.func @conv1d_dynamic_weight_channels
// CHECK: tensor.cast %{{.*}} : tensor<4x?x3xf32> to tensor<4x3x3xf32>
// CHECK: math.fma
// CHECK-LABEL: func.func @conv1d_dynamic_channels
// CHECK-NOT: math.fma
// CHECK: linalg.conv_1d_ncw_fcw
func.func @conv1d_dynamic_weight_channels(%x: tensor<2x3x8xf32>, %w: tensor<4x?x3xf32>) -> tensor<2x4x6xf32> {
  %y = qnn.conv %x, %w : (tensor<2x3x8xf32>, tensor<4x?x3xf32>) -> tensor<2x4x6xf32>
  return %y : tensor<2x4x6xf32>
}
func.func @conv1d_dynamic_channels(%x: tensor<2x?x8xf32>, %w: tensor<4x?x3xf32>) -> tensor<2x4x6xf32> {
  %y = qnn.conv %x, %w : (tensor<2x?x8xf32>, tensor<4x?x3xf32>) -> tensor<2x4x6xf32>
  return %y : tensor<2x4x6xf32>
}

// -----

// Grouped convolution (always oneDNN): channels split into (group, channel
// in group), the group's 2 input channels one block, one generic over
// (n, g, oc, ow, cb, kw, ci), then collapsed back.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d4, d6, d3 * 2 + d5)>
// CHECK-DAG: #[[$WT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d4, d6, d5)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @grouped_conv1d
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] output_shape [1, 2, 2, 9] : tensor<1x4x9xf32> into tensor<1x2x2x9xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 2, 3] : tensor<6x2x3xf32> into tensor<2x3x2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$WT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: math.fma
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<1x2x3x4xf32> into tensor<1x6x4xf32>
func.func @grouped_conv1d(%x: tensor<1x4x9xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x4xf32> {
  %y = qnn.conv %x, %w {groups = 2 : i64, strides = array<i64: 2>} : (tensor<1x4x9xf32>, tensor<6x2x3xf32>) -> tensor<1x6x4xf32>
  return %y : tensor<1x6x4xf32>
}

// -----

// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// The sum starts from zero and the bias is added after it (the order of
// PyTorch's addmm over the reference BLAS).
// CHECK-LABEL: func.func @linear_rank3
// CHECK: %[[M:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x5x8xf32> into tensor<10x8xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10x3xf32>)
// CHECK: %[[PROD:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$W]], #[[$Y]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[M]], %{{.*}} : tensor<10x8xf32>, tensor<3x8xf32>) outs(%[[ZERO]] : tensor<10x3xf32>)
// CHECK: %[[BIASED:.*]] = linalg.generic {{.*}} ins(%[[PROD]], %arg2 : tensor<10x3xf32>, tensor<3xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[BIASED]] {{\[\[}}0, 1], [2]] output_shape [2, 5, 3] : tensor<10x3xf32> into tensor<2x5x3xf32>
func.func @linear_rank3(%x: tensor<2x5x8xf32>, %w: tensor<3x8xf32>, %b: tensor<3xf32>) -> tensor<2x5x3xf32> {
  %y = qnn.linear %x, %w, %b : (tensor<2x5x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// ceil_mode pads the right edge so that the last window fits: 6 wide with
// padding 1 is 8, the 4th window of 3 at stride 2 needs 9. Max pooling pads
// with -inf.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: linalg.fill ins(%{{.*}} : f32)
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x1x9x9xf32>, tensor<3x3xf32>)
func.func @max_pool_ceil(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32> {
  %y = qnn.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// Average pooling divides each window sum by PyTorch's divisor: with
// count_include_pad = false, only the input elements the window covers
// (here 2, 3, 2 along the dimension: windows [-1, 2), [1, 4), [3, 6)).
// CHECK-LABEL: func.func @avg_pool_divisors
// CHECK: %[[DIV:.*]] = arith.constant dense<[2.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: %[[SUM:.*]] = linalg.pooling_ncw_sum
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[DIV]] : tensor<1x2x3xf32>, tensor<3xf32>)
// CHECK: arith.divf
func.func @avg_pool_divisors(%x: tensor<1x2x5xf32>) -> tensor<1x2x3xf32> {
  %y = qnn.avg_pool %x {kernel_size = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1>, count_include_pad = false} : tensor<1x2x5xf32> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

// Adaptive pooling from 5 to 3: windows [0, 2), [1, 4), [3, 5).
// CHECK-LABEL: func.func @adaptive
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00]]> : tensor<3x5xf32>
// CHECK-DAG: arith.constant dense<[2.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: linalg.generic
func.func @adaptive(%x: tensor<1x2x5xf32>) -> tensor<1x2x3xf32> {
  %y = qnn.adaptive_avg_pool %x : tensor<1x2x5xf32> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

// Global average pooling is PyTorch's torch.mean: ATen's cascade sum of each
// row (for 3 elements: from zero, one by one, then its three empty partial
// sums and a final zero), then a division by the row's length.
// CHECK-LABEL: func.func @global_avg_pool
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2x1xf32>)
// CHECK: %[[N:.*]] = linalg.index 0
// CHECK: %[[C:.*]] = linalg.index 1
// CHECK: %[[X0:.*]] = tensor.extract %{{.*}}[%[[N]], %[[C]], %c0]
// CHECK: %[[X1:.*]] = tensor.extract %{{.*}}[%[[N]], %[[C]], %c1]
// CHECK: %[[X2:.*]] = tensor.extract %{{.*}}[%[[N]], %[[C]], %c2]
// CHECK: %[[S0:.*]] = arith.addf %[[X0]], %[[ZERO:.*]] : f32
// CHECK: %[[S1:.*]] = arith.addf %[[S0]], %[[X1]]
// CHECK: %[[S2:.*]] = arith.addf %[[S1]], %[[X2]]
// CHECK-COUNT-4: arith.addf %{{.*}}, %[[ZERO]]
// CHECK: arith.divf %{{.*}}, %[[THREE:.*]] : f32
func.func @global_avg_pool(%x: tensor<?x2x3xf32>) -> tensor<?x2x1xf32> {
  %y = qnn.adaptive_avg_pool %x : tensor<?x2x3xf32> -> tensor<?x2x1xf32>
  return %y : tensor<?x2x1xf32>
}

// -----

// Batch norm as PyTorch's kernel computes it: alpha = (1 / sqrt(var + eps))
// * w, beta = fma(-mean, alpha, b), y = fma(x, alpha, beta).
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT: qnn.
// CHECK: ^bb0(%[[X:.*]]: f32, %[[W:.*]]: f32, %[[B:.*]]: f32, %[[M:.*]]: f32, %[[V:.*]]: f32,
// CHECK: %[[SHIFTED:.*]] = arith.addf %[[V]], %{{.*}} : f32
// CHECK: %[[SQRT:.*]] = math.sqrt %[[SHIFTED]]
// CHECK: %[[INV:.*]] = arith.divf %{{.*}}, %[[SQRT]]
// CHECK: %[[ALPHA:.*]] = arith.mulf %[[INV]], %[[W]]
// CHECK: %[[NEG:.*]] = arith.negf %[[M]]
// CHECK: %[[BETA:.*]] = math.fma %[[NEG]], %[[ALPHA]], %[[B]]
// CHECK: math.fma %[[X]], %[[ALPHA]], %[[BETA]]
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @elementwise(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<2x3xf32> {
  %s = qnn.quant_stub %x : tensor<2x3xf32>
  %n = qnn.batch_norm %s, %p, %p, %p, %p : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %a = qnn.add %n, %s {activation = #qnn.activation<relu>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = qnn.clamp %a {min = -1.0 : f32, max = 1.0 : f32} : tensor<2x3xf32>
  %d = qnn.dequant_stub %c : tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @shapes
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<?x4x2x2xf32> into tensor<?x16xf32>
// The dynamic size of a reshape is the element count over the static sizes.
// CHECK: %[[COUNT:.*]] = arith.divui
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %{{.*}}, %[[COUNT]] : tensor<2xindex>
// CHECK: tensor.reshape %{{.*}}(%[[SHAPE]]) : (tensor<?x16xf32>, tensor<2xindex>) -> tensor<8x?xf32>
func.func @shapes(%x: tensor<?x4x2x2xf32>) -> tensor<8x?xf32> {
  %f = qnn.flatten %x : tensor<?x4x2x2xf32> -> tensor<?x16xf32>
  %r = qnn.reshape %f : tensor<?x16xf32> -> tensor<8x?xf32>
  return %r : tensor<8x?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x3xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[E]] : tensor<2x4x3xf32>) permutation = [0, 2, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  %t = qnn.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return %t : tensor<2x4x3xf32>
}

// -----

// A float cat writes each input into its slice of one tensor.empty; the
// dynamic batch size is the first input's.
// CHECK-LABEL: func.func @cat
// CHECK-SAME: (%[[A:.*]]: tensor<?x2x3xf32>, %[[B:.*]]: tensor<?x5x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x2x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x7x3xf32>
// CHECK: %[[S:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0] [%{{.*}}, 2, 3] [1, 1, 1] : tensor<?x2x3xf32> into tensor<?x7x3xf32>
// CHECK: tensor.insert_slice %[[B]] into %[[S]][0, 2, 0] [%{{.*}}, 5, 3] [1, 1, 1] : tensor<?x5x3xf32> into tensor<?x7x3xf32>
func.func @cat(%a: tensor<?x2x3xf32>, %b: tensor<?x5x3xf32>) -> tensor<?x7x3xf32> {
  %y = qnn.cat %a, %b {dim = 1 : i64} : (tensor<?x2x3xf32>, tensor<?x5x3xf32>) -> tensor<?x7x3xf32>
  return %y : tensor<?x7x3xf32>
}

// -----

// A slice is a tensor.extract_slice; a dynamic size is the input's.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x8x3xf32>
// CHECK: tensor.extract_slice %[[X]][0, 4, 0] [%[[N]], 4, 3] [1, 1, 1] : tensor<?x8x3xf32> to tensor<?x4x3xf32>
func.func @slice(%x: tensor<?x8x3xf32>) -> tensor<?x4x3xf32> {
  %y = qnn.slice %x {dim = 1 : i64, start = 4 : i64} : tensor<?x8x3xf32> -> tensor<?x4x3xf32>
  return %y : tensor<?x4x3xf32>
}

// -----

// hardswish and hardsigmoid in PyTorch's order, dividing by 6; mul reads a
// size-1 operand dimension at index 0.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @hard_activations
// CHECK-DAG: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[THREE:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[X]], %[[THREE]] : f32
// CHECK-NEXT: %[[LO:.*]] = arith.maximumf %[[A]], %[[ZERO]] : f32
// CHECK-NEXT: %[[HI:.*]] = arith.minimumf %[[LO]], %[[SIX]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[HI]] : f32
// CHECK-NEXT: arith.divf %[[P]], %[[SIX]] : f32
// CHECK: linalg.generic
// CHECK: %[[HI2:.*]] = arith.minimumf
// CHECK-NEXT: arith.divf %[[HI2]], %[[SIX]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[$BCAST]], #[[$ID]], #[[$ID]]]
// CHECK: arith.mulf
func.func @hard_activations(%x: tensor<2x3xf32>, %g: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %h = qnn.hardswish %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %s = qnn.hardsigmoid %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %m = qnn.mul %g, %h : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %s, %m : tensor<2x3xf32>, tensor<2x3xf32>
}
