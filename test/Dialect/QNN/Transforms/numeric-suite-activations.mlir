// RUN: qopt %s --qnn-expose-layers | FileCheck %s --check-prefix=EXPOSE
// RUN: qopt %s --qnn-extract-layer=index=1 | FileCheck %s --check-prefix=EXTRACT

!a = !quant.uniform<u8:f32, 0.05:10>
!h = !quant.uniform<u8:f32, 0.04:20>
!g = !quant.uniform<u8:f32, 0.00390625>
!m = !quant.uniform<u8:f32, 0.03>

// hardswish and mul have their own observed scales: they are layers, with
// one and two inputs and no weight. hardsigmoid's type is fixed: not a
// layer.
// EXPOSE-LABEL: func.func @squeeze_excite
// EXPOSE-SAME: -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>)
// EXPOSE-SAME: attributes {qnn.layers = ["hardswish:act", "mul:gate"]}

// The mul alone, fed float inputs quantized to its operands' types.
// EXTRACT: func.func @layer(%arg0: tensor<1x4x1x1xf32>, %arg1: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// EXTRACT: %[[G:.*]] = qnn.quantize %arg0 : tensor<1x4x1x1xf32> -> tensor<1x4x1x1x!quant.uniform<u8:f32, 3.906250e-03>>
// EXTRACT: %[[X:.*]] = qnn.quantize %arg1 : tensor<1x4x2x2xf32> -> tensor<1x4x2x2x!quant.uniform<u8:f32, 4.000000e-02:20>>
// EXTRACT: %[[M:.*]] = qnn.mul %[[G]], %[[X]]
// EXTRACT: %[[D:.*]] = qnn.dequantize %[[M]]
// EXTRACT: return %[[D]]
func.func @squeeze_excite(%x: tensor<1x4x2x2x!a>, %p: tensor<1x4x1x1x!a>) -> tensor<1x4x2x2xf32> {
  %h = qnn.hardswish %x : tensor<1x4x2x2x!a> -> tensor<1x4x2x2x!h> loc("act")
  %g = qnn.hardsigmoid %p : tensor<1x4x1x1x!a> -> tensor<1x4x1x1x!g> loc("sigmoid")
  %m = qnn.mul %g, %h : (tensor<1x4x1x1x!g>, tensor<1x4x2x2x!h>) -> tensor<1x4x2x2x!m> loc("gate")
  %d = qnn.dequantize %m : tensor<1x4x2x2x!m> -> tensor<1x4x2x2xf32>
  return %d : tensor<1x4x2x2xf32>
}
