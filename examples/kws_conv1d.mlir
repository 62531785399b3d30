// A 1-D convolutional net in the shape of a keyword-spotting model, on the
// 784 pixels of a Fashion-MNIST image read as a signal: Conv1d 1->32 with
// kernel 80 and stride 4, three more Conv1d + BatchNorm1d + ReLU blocks with
// max pooling, global average pooling and Linear to 10 classes.
// Weights are placeholders (splats).
func.func @kws(%signal: tensor<?x1x784xf32>) -> tensor<?x10xf32> {
  %w0 = arith.constant dense<0.01> : tensor<32x1x80xf32>
  %w1 = arith.constant dense<0.02> : tensor<32x32x3xf32>
  %w2 = arith.constant dense<0.02> : tensor<64x32x3xf32>
  %w3 = arith.constant dense<0.02> : tensor<64x64x3xf32>
  %one32 = arith.constant dense<1.0> : tensor<32xf32>
  %zero32 = arith.constant dense<0.0> : tensor<32xf32>
  %one64 = arith.constant dense<1.0> : tensor<64xf32>
  %zero64 = arith.constant dense<0.0> : tensor<64xf32>
  %wl = arith.constant dense<0.05> : tensor<10x64xf32>
  %bl = arith.constant dense<0.0> : tensor<10xf32>

  %x = qnn.quant_stub %signal : tensor<?x1x784xf32>
  %c0 = qnn.conv %x, %w0, %zero32 {strides = array<i64: 4>} : (tensor<?x1x784xf32>, tensor<32x1x80xf32>, tensor<32xf32>) -> tensor<?x32x177xf32>
  %n0 = qnn.batch_norm %c0, %one32, %zero32, %zero32, %one32 : (tensor<?x32x177xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x177xf32>
  %r0 = qnn.relu %n0 : tensor<?x32x177xf32>
  %p0 = qnn.max_pool %r0 {kernel_size = array<i64: 4>} : tensor<?x32x177xf32> -> tensor<?x32x44xf32>
  %c1 = qnn.conv %p0, %w1 : (tensor<?x32x44xf32>, tensor<32x32x3xf32>) -> tensor<?x32x42xf32>
  %n1 = qnn.batch_norm %c1, %one32, %zero32, %zero32, %one32 : (tensor<?x32x42xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x42xf32>
  %r1 = qnn.relu %n1 : tensor<?x32x42xf32>
  %p1 = qnn.max_pool %r1 {kernel_size = array<i64: 4>} : tensor<?x32x42xf32> -> tensor<?x32x10xf32>
  %c2 = qnn.conv %p1, %w2 : (tensor<?x32x10xf32>, tensor<64x32x3xf32>) -> tensor<?x64x8xf32>
  %n2 = qnn.batch_norm %c2, %one64, %zero64, %zero64, %one64 : (tensor<?x64x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x8xf32>
  %r2 = qnn.relu %n2 : tensor<?x64x8xf32>
  %p2 = qnn.max_pool %r2 {kernel_size = array<i64: 2>} : tensor<?x64x8xf32> -> tensor<?x64x4xf32>
  %c3 = qnn.conv %p2, %w3 : (tensor<?x64x4xf32>, tensor<64x64x3xf32>) -> tensor<?x64x2xf32>
  %n3 = qnn.batch_norm %c3, %one64, %zero64, %zero64, %one64 : (tensor<?x64x2xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x2xf32>
  %r3 = qnn.relu %n3 : tensor<?x64x2xf32>
  %g = qnn.adaptive_avg_pool %r3 : tensor<?x64x2xf32> -> tensor<?x64x1xf32>
  %f = qnn.flatten %g : tensor<?x64x1xf32> -> tensor<?x64xf32>
  %logits = qnn.linear %f, %wl, %bl : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %y = qnn.dequant_stub %logits : tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
