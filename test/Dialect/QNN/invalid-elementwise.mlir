// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.mul, qnn.hardswish and qnn.hardsigmoid verifier rules.

func.func @mul_rank(%a: tensor<8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.mul' op lhs has rank 1 but the result has rank 2: each dimension must be the result's size or 1}}
  %y = qnn.mul %a, %b : (tensor<8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @mul_size(%a: tensor<1x4x3x3xf32>, %b: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{'qnn.mul' op lhs dimension 2 is 3 but the result's is 5: each dimension must be the result's size or 1}}
  %y = qnn.mul %a, %b : (tensor<1x4x3x3xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @mul_no_source(%a: tensor<1x4x1x1xf32>, %b: tensor<1x4x1x5xf32>) {
  // expected-error @+1 {{'qnn.mul' op result dimension 2 is 5 but both operands have size 1 there}}
  %y = qnn.mul %a, %b : (tensor<1x4x1x1xf32>, tensor<1x4x1x5xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @mul_dynamic_from_ones(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'qnn.mul' op result dimension 0 is dynamic but both operands have size 1 there}}
  %y = qnn.mul %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @mul_mixed(%a: tensor<8x!a>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'qnn.mul' op mixes float and quantized operands: rhs is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.mul %a, %b : (tensor<8x!a>, tensor<8xf32>) -> tensor<8x!a>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!s = !quant.uniform<i8:f32, 0.1:0>

func.func @mul_storage(%a: tensor<8x!a>, %b: tensor<8x!s>) {
  // expected-error @+1 {{'qnn.mul' op rhs is stored as i8 but the result as u8: quantized operands and result share one storage type}}
  %y = qnn.mul %a, %b : (tensor<8x!a>, tensor<8x!s>) -> tensor<8x!a>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!pa = !quant.uniform<u8:f32:0, {0.1:128, 0.2:128}>

func.func @mul_per_axis(%a: tensor<2x!a>, %b: tensor<2x!pa>) {
  // expected-error @+1 {{'qnn.mul' op rhs must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.mul %a, %b : (tensor<2x!a>, tensor<2x!pa>) -> tensor<2x!a>
  return
}

// -----

func.func @hardswish_shape(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.hardswish' op input dimension 1 is 8 but the result's is 4: shapes must match (no broadcasting)}}
  %y = qnn.hardswish %x : tensor<1x8xf32> -> tensor<1x4xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @hardswish_float_result(%x: tensor<8x!a>) {
  // expected-error @+1 {{'qnn.hardswish' op mixes float and quantized operands: result is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.hardswish %x : tensor<8x!a> -> tensor<8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!s = !quant.uniform<i8:f32, 0.00390625:-128>

func.func @hardsigmoid_storage(%x: tensor<8x!a>) {
  // expected-error @+1 {{'qnn.hardsigmoid' op input is stored as u8 but the result as i8: quantized operands and result share one storage type}}
  %y = qnn.hardsigmoid %x : tensor<8x!a> -> tensor<8x!s>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.00390625>

func.func @hardsigmoid_float_input(%x: tensor<8xf32>) {
  // expected-error @+1 {{'qnn.hardsigmoid' op mixes float and quantized operands: input is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.hardsigmoid %x : tensor<8xf32> -> tensor<8x!a>
  return
}
