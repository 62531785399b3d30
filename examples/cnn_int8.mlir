// The CNN as static quantization leaves it (x86 qconfig): BatchNorm folded
// into the convolutions, ReLU fused, quint8 activations per tensor, qint8
// weights per output channel, float bias. The result type of each conv and
// linear carries its output scale: requantization is implied by the types.
// Scales are illustrative; calibration (qnn-calibrate) computes real ones.
!in = !quant.uniform<u8:f32, 0.0078431:0>
!a1 = !quant.uniform<u8:f32, 0.0213:0>
!a2 = !quant.uniform<u8:f32, 0.0347:0>
!lg = !quant.uniform<u8:f32, 0.1122:61>
!w1 = !quant.uniform<i8:f32:0, {0.0031,0.0029,0.0040,0.0022,0.0035,0.0027,0.0031,0.0030,0.0033,0.0025,0.0036,0.0028,0.0031,0.0034,0.0026,0.0030}>
!w3 = !quant.uniform<i8:f32, 0.0009>

func.func @cnn_int8(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  %w1i = arith.constant dense<3> : tensor<16x1x3x3xi8>
  %w1 = quant.scast %w1i : tensor<16x1x3x3xi8> to tensor<16x1x3x3x!w1>
  %b1 = arith.constant dense<0.01> : tensor<16xf32>
  %w2i = arith.constant dense<-2> : tensor<32x16x3x3xi8>
  %w2 = quant.scast %w2i : tensor<32x16x3x3xi8> to tensor<32x16x3x3x!quant.uniform<i8:f32, 0.0012>>
  %b2 = arith.constant dense<0.02> : tensor<32xf32>
  %w3i = arith.constant dense<1> : tensor<10x1568xi8>
  %w3 = quant.scast %w3i : tensor<10x1568xi8> to tensor<10x1568x!w3>
  %b3 = arith.constant dense<0.0> : tensor<10xf32>

  %x = qnn.quantize %image : tensor<?x1x28x28xf32> -> tensor<?x1x28x28x!in>
  %c1 = qnn.conv %x, %w1, %b1 {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<?x1x28x28x!in>, tensor<16x1x3x3x!w1>, tensor<16xf32>) -> tensor<?x16x28x28x!a1>
  %p1 = qnn.max_pool %c1 {kernel_size = array<i64: 2, 2>} : tensor<?x16x28x28x!a1> -> tensor<?x16x14x14x!a1>
  %c2 = qnn.conv %p1, %w2, %b2 {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<?x16x14x14x!a1>, tensor<32x16x3x3x!quant.uniform<i8:f32, 0.0012>>, tensor<32xf32>) -> tensor<?x32x14x14x!a2>
  %p2 = qnn.max_pool %c2 {kernel_size = array<i64: 2, 2>} : tensor<?x32x14x14x!a2> -> tensor<?x32x7x7x!a2>
  %f = qnn.flatten %p2 : tensor<?x32x7x7x!a2> -> tensor<?x1568x!a2>
  %logits = qnn.linear %f, %w3, %b3 : (tensor<?x1568x!a2>, tensor<10x1568x!w3>, tensor<10xf32>) -> tensor<?x10x!lg>
  %y = qnn.dequantize %logits : tensor<?x10x!lg> -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
