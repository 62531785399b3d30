// Input for qrun tests: an operation without a lowering yet.
!a = !quant.uniform<u8:f32, 0.1:128>
func.func @f(%x: tensor<1x1x4xf32>) -> tensor<1x1x4x!a> {
  %q = qnn.quantize %x : tensor<1x1x4xf32> -> tensor<1x1x4x!a>
  %s = qnn.add %q, %q : (tensor<1x1x4x!a>, tensor<1x1x4x!a>) -> tensor<1x1x4x!a>
  return %s : tensor<1x1x4x!a>
}
