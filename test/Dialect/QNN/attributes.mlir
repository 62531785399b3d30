// RUN: qopt %s --split-input-file --verify-diagnostics | FileCheck %s
// #qnn.activation is an ordinary attribute: it parses and prints on its own,
// for instance where a frontend records what it fused.

// CHECK-LABEL: func.func @annotated
// CHECK-SAME: qnn.fused = [#qnn.activation<none>, #qnn.activation<relu>, #qnn.activation<relu6>]
func.func @annotated() attributes {qnn.fused = [#qnn.activation<none>, #qnn.activation<relu>, #qnn.activation<relu6>]} {
  return
}

// -----

// expected-error @+2 {{expected ::qopt::qnn::Activation to be one of: none, relu, relu6}}
// expected-error @+1 {{failed to parse QNN_ActivationAttr parameter 'value'}}
func.func @unknown() attributes {qnn.fused = #qnn.activation<tanh>} {
  return
}

// -----

func.func @wrong_kind(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op attribute 'activation' failed to satisfy constraint: activation applied to the result of conv, linear and add}}
  %c = qnn.conv %x, %w {activation = 1 : i32} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  return
}
