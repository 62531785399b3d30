// A linear layer whose dynamic input features must be the weight's 4, and
// an add that fixes the dynamic batch to the constant's 2.
func.func @f(%x: tensor<?x?xf32>, %z: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %c = arith.constant dense<0.5> : tensor<2x3xf32>
  %y = qnn.linear %x, %w : (tensor<?x?xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %s = qnn.add %y, %c : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %t = qnn.add %s, %z : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %t : tensor<?x3xf32>
}
