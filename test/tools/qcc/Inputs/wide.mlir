// Input for qcc tests: a quantized linear whose K (128) fills two 64-byte
// chunks, so that AMX's tile loop is not folded away.
!a = !quant.uniform<u8:f32, 0.05:128>
!w = !quant.uniform<i8:f32, 0.01>
func.func @layer(%x: tensor<2x128xf32>) -> tensor<2x3xf32> {
  %q = qnn.quantize %x : tensor<2x128xf32> -> tensor<2x128x!a>
  %wi = arith.constant dense<3> : tensor<3x128xi8>
  %w = quant.scast %wi : tensor<3x128xi8> to tensor<3x128x!w>
  %y = qnn.linear %q, %w : (tensor<2x128x!a>, tensor<3x128x!w>) -> tensor<2x3x!a>
  %d = qnn.dequantize %y : tensor<2x3x!a> -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}
