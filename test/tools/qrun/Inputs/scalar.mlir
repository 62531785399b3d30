// A reshape to rank 0 (it crashed the lowering).
func.func @f(%x: tensor<1xf32>) -> tensor<f32> {
  %y = qnn.reshape %x : tensor<1xf32> -> tensor<f32>
  return %y : tensor<f32>
}
