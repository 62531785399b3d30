// Input for qrun tests: two functions.
func.func @first(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %y = qnn.relu %x : tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

func.func @second(%x: tensor<2xf32>, %y: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %s = qnn.add %x, %y : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %r = qnn.clamp %s {min = -1.0 : f32, max = 1.0 : f32} : tensor<2xf32>
  return %s, %r : tensor<2xf32>, tensor<2xf32>
}
