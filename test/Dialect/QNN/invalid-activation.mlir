// RUN: qopt %s --split-input-file --verify-diagnostics
// relu and clamp keep their operand's type, scale and zero point.

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:128>

func.func @relu_changes_scale(%x: tensor<4x!a>) {
  // expected-error @+1 {{'qnn.relu' op requires the same type for all operands and results}}
  %y = "qnn.relu"(%x) : (tensor<4x!a>) -> tensor<4x!b>
  return
}

// -----

func.func @clamp_min_above_max(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.clamp' op min (6.000000e+00) must not exceed max (0.000000e+00)}}
  %y = qnn.clamp %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @clamp_nan(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.clamp' op min and max must not be NaN}}
  %y = qnn.clamp %x {min = 0x7FC00000 : f32, max = 6.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @clamp_missing_bound(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qnn.clamp' op requires attribute 'max'}}
  %y = qnn.clamp %x {min = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

!pa = !quant.uniform<u8:f32:0, {0.1:128, 0.2:128}>

func.func @relu_per_axis(%x: tensor<2x4x!pa>) {
  // expected-error @+1 {{'qnn.relu' op input must be quantized per tensor: per-axis quantization applies only to weights}}
  %y = qnn.relu %x : tensor<2x4x!pa>
  return
}
