// The Fashion-MNIST MLP 784-100-100-10 with ReLUs, in float, between the
// QuantStub and DeQuantStub that mark the region PyTorch would quantize.
// Weights are placeholders (splats); the PyTorch frontend embeds real ones.
func.func @mlp(%image: tensor<?x784xf32>) -> tensor<?x10xf32> {
  %w1 = arith.constant dense<0.01> : tensor<100x784xf32>
  %b1 = arith.constant dense<0.0> : tensor<100xf32>
  %w2 = arith.constant dense<0.02> : tensor<100x100xf32>
  %b2 = arith.constant dense<0.0> : tensor<100xf32>
  %w3 = arith.constant dense<0.03> : tensor<10x100xf32>
  %b3 = arith.constant dense<0.0> : tensor<10xf32>
  %x = qnn.quant_stub %image : tensor<?x784xf32>
  %h1 = qnn.linear %x, %w1, %b1 : (tensor<?x784xf32>, tensor<100x784xf32>, tensor<100xf32>) -> tensor<?x100xf32>
  %r1 = qnn.relu %h1 : tensor<?x100xf32>
  %h2 = qnn.linear %r1, %w2, %b2 : (tensor<?x100xf32>, tensor<100x100xf32>, tensor<100xf32>) -> tensor<?x100xf32>
  %r2 = qnn.relu %h2 : tensor<?x100xf32>
  %logits = qnn.linear %r2, %w3, %b3 : (tensor<?x100xf32>, tensor<10x100xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %y = qnn.dequant_stub %logits : tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
