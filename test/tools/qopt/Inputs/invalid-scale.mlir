// Input for errors.test: a zero point outside the u8 storage range.

func.func @f(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.1:300>> {
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.1:300>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.1:300>>
}
