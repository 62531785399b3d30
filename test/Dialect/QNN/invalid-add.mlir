// RUN: qopt %s --split-input-file --verify-diagnostics
// qnn.add rules beyond those in invalid.mlir.

func.func @broadcast(%a: tensor<1x8xf32>, %b: tensor<1x1xf32>) {
  // expected-error @+1 {{'qnn.add' op rhs dimension 1 is 1 but the result's is 8: shapes must match (no broadcasting)}}
  %y = qnn.add %a, %b : (tensor<1x8xf32>, tensor<1x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @rank(%a: tensor<8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{'qnn.add' op lhs has rank 1 but the result has rank 2: shapes must match (no broadcasting)}}
  %y = qnn.add %a, %b : (tensor<8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

func.func @float_result(%a: tensor<8x!a>, %b: tensor<8x!a>) {
  // expected-error @+1 {{'qnn.add' op mixes float and quantized operands: result is float but other operands are quantized; insert qnn.quantize or qnn.dequantize}}
  %y = qnn.add %a, %b : (tensor<8x!a>, tensor<8x!a>) -> tensor<8xf32>
  return
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!pa = !quant.uniform<u8:f32:0, {0.1:128, 0.2:128}>

func.func @per_axis_operand(%a: tensor<2x!a>, %b: tensor<2x!pa>) {
  // expected-error @+1 {{'qnn.add' op rhs must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.add %a, %b : (tensor<2x!a>, tensor<2x!pa>) -> tensor<2x!a>
  return
}
