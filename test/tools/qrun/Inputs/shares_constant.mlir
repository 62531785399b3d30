// Input for qrun tests: an observer that shares one observing a constant.
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %k = arith.constant dense<1.0> : tensor<2x2xf32>
  %a = qnn.observe %k {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2x2xf32>
  %b = qnn.observe %x shares %a : tensor<2x2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<?x2xf32>
  return %b : tensor<?x2xf32>
}
