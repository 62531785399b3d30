// Input for qrun and qcc tests: reshapes that relate dynamic dimensions.
// @pairs: x's 3n elements as 3n/2 rows of 2, added to y (x needs an even
// number of rows, y a multiple of 3 rows that matches).
func.func @pairs(%x: tensor<?x3xf32>, %y: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %r = qnn.reshape %x : tensor<?x3xf32> -> tensor<?x2xf32>
  %s = qnn.add %r, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %s : tensor<?x2xf32>
}

// Two dynamic dimensions into one: their product is not checked.
func.func @several(%x: tensor<?x?x4xf32>) -> tensor<?x4xf32> {
  %r = qnn.reshape %x : tensor<?x?x4xf32> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// The batch meets a static 2 and a static 3.
func.func @both(%x: tensor<?x4xf32>, %a: tensor<2x4xf32>, %b: tensor<3x4xf32>) -> tensor<?x4xf32> {
  %s = qnn.add %x, %a : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  %t = qnn.add %x, %b : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  return %t : tensor<?x4xf32>
}

// Flattening keeps the batch: a C interface.
func.func @keep(%x: tensor<?x2x3xf32>) -> tensor<?x6xf32> {
  %r = qnn.reshape %x : tensor<?x2x3xf32> -> tensor<?x6xf32>
  return %r : tensor<?x6xf32>
}

// The result has twice the batch's rows.
func.func @double(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %r = qnn.reshape %x : tensor<?x4xf32> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// Half the batch's rows: whole only for an even batch.
func.func @half(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
  %r = qnn.reshape %x : tensor<?x2xf32> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
