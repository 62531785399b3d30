// RUN: qopt %s --qcg-lower-ukernels --verify-diagnostics

// A kernel on tensors cannot become a call.
func.func @unbufferized(%y: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'qcg.ukernel' op on tensors cannot become a call: bufferize the module first}}
  %r = qcg.ukernel "qopt_k" outs(%y : tensor<4xi8>) -> tensor<4xi8>
  return %r : tensor<4xi8>
}
