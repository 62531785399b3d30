// Input for errors.test: the quantize below lacks its type.

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qnn.quantize %x
  return %x : tensor<4xf32>
}
