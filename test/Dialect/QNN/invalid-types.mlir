// RUN: qopt %s --split-input-file --verify-diagnostics
// Element types: qnn computes on 8-bit storage expressed in f32, and on
// uniform quantization only.

func.func @f16_expressed(%x: tensor<4xf16>) {
  // expected-error @+1 {{'qnn.quantize' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4xf16>'}}
  %q = qnn.quantize %x : tensor<4xf16> -> tensor<4x!quant.uniform<u8:f16, 0.1>>
  return
}

// -----

func.func @expressed_not_f32(%q: tensor<4x!quant.uniform<u8:f16, 0.1>>) {
  // expected-error @+1 {{'qnn.relu' op input must be expressed in f32, got '!quant.uniform<u8:f16, 1.000000e-01>'}}
  %y = qnn.relu %q : tensor<4x!quant.uniform<u8:f16, 0.1>>
  return
}

// -----

func.func @i16_storage(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result must have 8-bit storage (i8 or u8), got '!quant.uniform<i16:f32, 1.000000e-01>'}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.1>>
  return
}

// -----

func.func @not_uniform(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result #0 must be ranked tensor of !quant.uniform (per tensor or per axis) values, but got 'tensor<4x!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>>'}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!quant.calibrated<f32<-1.0:1.0>>>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op requires the same shape for all operands and results}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<5x!quant.uniform<u8:f32, 0.1>>
  return
}

// -----

func.func @quantize_to_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.quantize' op result #0 must be ranked tensor of !quant.uniform (per tensor or per axis) values, but got 'tensor<4xf32>'}}
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @dequantize_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.dequantize' op operand #0 must be ranked tensor of !quant.uniform (per tensor or per axis) values, but got 'tensor<4xf32>'}}
  %q = qnn.dequantize %x : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @requantize_bad_result(%q: tensor<4x!quant.uniform<u8:f32, 0.1>>) {
  // expected-error @+1 {{'qnn.requantize' op result zero point -1 is outside the storage range [0, 255]}}
  %r = qnn.requantize %q : tensor<4x!quant.uniform<u8:f32, 0.1>> -> tensor<4x!quant.uniform<u8:f32, 0.2:-1>>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'qnn.relu' op operand #0 must be ranked tensor of 32-bit float or !quant.uniform (per tensor or per axis) values, but got 'tensor<*xf32>'}}
  %y = "qnn.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @quant_stub_on_quantized(%q: tensor<4x!quant.uniform<u8:f32, 0.1>>) {
  // expected-error @+1 {{'qnn.quant_stub' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4x!quant.uniform<u8:f32, 1.000000e-01>>'}}
  %y = qnn.quant_stub %q : tensor<4x!quant.uniform<u8:f32, 0.1>>
  return
}
