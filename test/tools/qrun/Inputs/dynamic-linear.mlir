// Input for qrun tests: an operation without a lowering yet.
func.func @f(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %wi = arith.constant dense<1> : tensor<2x4xi8>
  %w = quant.scast %wi : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.1>>
  %y = qnn.linear %x, %w : (tensor<1x4xf32>, tensor<2x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
