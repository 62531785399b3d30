// Input for qrun tests: a float model with two inputs (image-like features
// and side information), calibrated with one data path per input.
func.func @two(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %s = qnn.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %w = arith.constant dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.5, -0.5]]> : tensor<2x4xf32>
  %y = qnn.linear %s, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
