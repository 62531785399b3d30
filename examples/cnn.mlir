// The Fashion-MNIST CNN in float: two Conv2d + BatchNorm2d + ReLU blocks with
// max pooling, then Linear. Weights are placeholders (splats).
func.func @cnn(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  %w1 = arith.constant dense<0.1> : tensor<16x1x3x3xf32>
  %b1 = arith.constant dense<0.0> : tensor<16xf32>
  %g1 = arith.constant dense<1.0> : tensor<16xf32>
  %be1 = arith.constant dense<0.0> : tensor<16xf32>
  %m1 = arith.constant dense<0.0> : tensor<16xf32>
  %v1 = arith.constant dense<1.0> : tensor<16xf32>
  %w2 = arith.constant dense<0.05> : tensor<32x16x3x3xf32>
  %b2 = arith.constant dense<0.0> : tensor<32xf32>
  %g2 = arith.constant dense<1.0> : tensor<32xf32>
  %be2 = arith.constant dense<0.0> : tensor<32xf32>
  %m2 = arith.constant dense<0.0> : tensor<32xf32>
  %v2 = arith.constant dense<1.0> : tensor<32xf32>
  %w3 = arith.constant dense<0.01> : tensor<10x1568xf32>
  %b3 = arith.constant dense<0.0> : tensor<10xf32>

  %x = qnn.quant_stub %image : tensor<?x1x28x28xf32>
  %c1 = qnn.conv %x, %w1, %b1 {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x28x28xf32>
  %n1 = qnn.batch_norm %c1, %g1, %be1, %m1, %v1 : (tensor<?x16x28x28xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x28x28xf32>
  %r1 = qnn.relu %n1 : tensor<?x16x28x28xf32>
  %p1 = qnn.max_pool %r1 {kernel_size = array<i64: 2, 2>} : tensor<?x16x28x28xf32> -> tensor<?x16x14x14xf32>
  %c2 = qnn.conv %p1, %w2, %b2 {padding = array<i64: 1, 1>} : (tensor<?x16x14x14xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<?x32x14x14xf32>
  %n2 = qnn.batch_norm %c2, %g2, %be2, %m2, %v2 : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x14x14xf32>
  %r2 = qnn.relu %n2 : tensor<?x32x14x14xf32>
  %p2 = qnn.max_pool %r2 {kernel_size = array<i64: 2, 2>} : tensor<?x32x14x14xf32> -> tensor<?x32x7x7xf32>
  %f = qnn.flatten %p2 : tensor<?x32x7x7xf32> -> tensor<?x1568xf32>
  %logits = qnn.linear %f, %w3, %b3 : (tensor<?x1568xf32>, tensor<10x1568xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %y = qnn.dequant_stub %logits : tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
