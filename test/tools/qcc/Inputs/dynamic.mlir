// Input for qcc tests: a dynamic dimension that is not the batch.
func.func @f(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %y = qnn.relu %x : tensor<2x?xf32>
  return %y : tensor<2x?xf32>
}
