// RUN: qopt %s --split-input-file --convert-qnn-to-linalg="requantization=integer" --verify-diagnostics
// RUN: not qopt %s --convert-qnn-to-linalg="requantization=fixed" 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: unknown requantization 'fixed': expected 'float', 'onednn' or 'integer'

!act = !quant.uniform<u8:f32, 0.5:3>
!out = !quant.uniform<u8:f32, 0.25:10>
!wq = !quant.uniform<i8:f32, 0.5>

// The float bias must be known at compile time to become int32.
func.func @bias_not_constant(%x: tensor<4x3x!act>, %b: tensor<2xf32>) -> tensor<4x2x!out> {
  %wi = arith.constant dense<1> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!wq>
  // expected-error @+1 {{'qnn.linear' op cannot be lowered to linalg: integer requantization needs a constant float bias (it becomes int32 at compile time)}}
  %y = qnn.linear %x, %w, %b : (tensor<4x3x!act>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<4x2x!out>
  return %y : tensor<4x2x!out>
}
