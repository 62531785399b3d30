// The MLP after PyTorch's quantize_dynamic: int8 weights (per tensor,
// symmetric), float activations. Each linear picks its input's scale and
// zero point from the batch at run time.
!w1 = !quant.uniform<i8:f32, 0.0079>
!w2 = !quant.uniform<i8:f32, 0.0157>
!w3 = !quant.uniform<i8:f32, 0.0236>

func.func @mlp_dynamic(%image: tensor<?x784xf32>) -> tensor<?x10xf32> {
  %w1i = arith.constant dense<1> : tensor<100x784xi8>
  %w1 = quant.scast %w1i : tensor<100x784xi8> to tensor<100x784x!w1>
  %b1 = arith.constant dense<0.0> : tensor<100xf32>
  %w2i = arith.constant dense<1> : tensor<100x100xi8>
  %w2 = quant.scast %w2i : tensor<100x100xi8> to tensor<100x100x!w2>
  %b2 = arith.constant dense<0.0> : tensor<100xf32>
  %w3i = arith.constant dense<1> : tensor<10x100xi8>
  %w3 = quant.scast %w3i : tensor<10x100xi8> to tensor<10x100x!w3>
  %b3 = arith.constant dense<0.0> : tensor<10xf32>
  %h1 = qnn.linear %image, %w1, %b1 {activation = #qnn.activation<relu>} : (tensor<?x784xf32>, tensor<100x784x!w1>, tensor<100xf32>) -> tensor<?x100xf32>
  %h2 = qnn.linear %h1, %w2, %b2 {activation = #qnn.activation<relu>} : (tensor<?x100xf32>, tensor<100x100x!w2>, tensor<100xf32>) -> tensor<?x100xf32>
  %y = qnn.linear %h2, %w3, %b3 : (tensor<?x100xf32>, tensor<10x100x!w3>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
