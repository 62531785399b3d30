// A histogram observer to calibrate.
func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = qnn.observe %x {observer = #qnn.observer<histogram>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
