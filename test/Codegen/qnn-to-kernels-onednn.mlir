// RUN: qopt %s --mlir-print-elementsattrs-with-hex-if-larger=-1 --qnn-to-kernels="isa=avx2 requantization=onednn" | FileCheck %s

!act = !quant.uniform<u8:f32, 0.5:3>
!out = !quant.uniform<u8:f32, 0.25:10>
!w = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// Rule O in the kernels: the descriptor's mode (after y signed) is 2, and
// the channel rows hold bias * ((1 / sx) * (1 / sw)) = {1 * 4, -2 * 8} and
// (1 / sy) / ((1 / sx) * (1 / sw)) = {4 / 4, 4 / 8} as float bits (4.0,
// -16.0; 1.0, 0.5: with these power-of-two scales the same values as rule
// R's); the kernels add the zero point before rounding.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: arith.constant dense<[{{(0, )+}}36, -36, {{(0, )+}}1082130432, -1048576000, {{(0, )+}}1065353216, 1056964608, {{(0, )+}}20, 20, {{(0, )+}}0]> : tensor<112xi32>
// CHECK-DAG: arith.constant dense<[3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3, 0, 10, 10, 255, 0, 2, 0, 8, 8, 16, 4, 16, 8]> : tensor<29xi64>
// CHECK: qcg.ukernel "qopt_qconv_avx2"
func.func @conv(%x: tensor<1x2x3x3x!act>) -> tensor<1x2x2x2x!out> {
  %wi = arith.constant dense<[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[-1, -2], [-3, -4]], [[-5, -6], [-7, -8]]]]> : tensor<2x2x2x2xi8>
  %w = quant.scast %wi : tensor<2x2x2x2xi8> to tensor<2x2x2x2x!w>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %y = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>, strides = array<i64: 2, 2>, activation = #qnn.activation<relu>} : (tensor<1x2x3x3x!act>, tensor<2x2x2x2x!w>, tensor<2xf32>) -> tensor<1x2x2x2x!out>
  return %y : tensor<1x2x2x2x!out>
}
