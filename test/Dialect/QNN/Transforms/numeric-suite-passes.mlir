// RUN: qopt %s --qnn-expose-layers | FileCheck %s --check-prefix=EXPOSE
// RUN: qopt %s --qnn-extract-layer=index=1 | FileCheck %s --check-prefix=EXTRACT
// RUN: not qopt %s --qnn-extract-layer=index=3 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: layer index 3 is out of range: the function has 2 conv / linear / add / mul / hardswish layers

!a = !quant.uniform<u8:f32, 0.05:10>
!o = !quant.uniform<u8:f32, 0.1>
!w = !quant.uniform<i8:f32, 0.02>

// Each layer adds its output, input(s) and weight (dequantized) to the
// results; qnn.layers names them from their locations.
// EXPOSE-LABEL: func.func @model
// EXPOSE-SAME: -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// EXPOSE-SAME: attributes {qnn.layers = ["linear:fc", "add:skip"]}
// EXPOSE: %[[L:.*]] = qnn.linear
// EXPOSE: %[[S:.*]] = qnn.add
// EXPOSE-DAG: %[[LF:.*]] = qnn.dequantize %[[L]]
// EXPOSE-DAG: %[[WF:.*]] = qnn.dequantize %{{.*}} : tensor<4x3x!quant.uniform<i8:f32, 2.000000e-02>> -> tensor<4x3xf32>
// EXPOSE: return %{{[0-9]+}}, %[[LF]], %{{[0-9]+}}, %[[WF]], %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}} :

// The add alone, fed float inputs quantized to its input types.
// EXTRACT: func.func @layer(%arg0: tensor<2x4xf32>, %arg1: tensor<2x4xf32>) -> tensor<2x4xf32>
// EXTRACT: %[[A:.*]] = qnn.quantize %arg0 : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<u8:f32, 1.000000e-01>>
// EXTRACT: %[[B:.*]] = qnn.quantize %arg1
// EXTRACT: %[[S:.*]] = qnn.add %[[A]], %[[B]]
// EXTRACT: %[[D:.*]] = qnn.dequantize %[[S]]
// EXTRACT: return %[[D]]
// EXTRACT-NOT: func.func @model
func.func @model(%x: tensor<2x3xf32>, %y: tensor<2x4x!o>) -> tensor<2x4xf32> {
  %wi = arith.constant dense<1> : tensor<4x3xi8>
  %w = quant.scast %wi : tensor<4x3xi8> to tensor<4x3x!w>
  %q = qnn.quantize %x : tensor<2x3xf32> -> tensor<2x3x!a>
  %l = qnn.linear %q, %w : (tensor<2x3x!a>, tensor<4x3x!w>) -> tensor<2x4x!o> loc("fc")
  %s = qnn.add %l, %y : (tensor<2x4x!o>, tensor<2x4x!o>) -> tensor<2x4x!o> loc("skip")
  %d = qnn.dequantize %s : tensor<2x4x!o> -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}
