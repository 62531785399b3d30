// RUN: qopt %s --split-input-file --qnn-insert-observers | FileCheck %s --check-prefix=X86
// RUN: qopt %s --split-input-file --qnn-insert-observers="qconfig=default" | FileCheck %s --check-prefix=DEFAULT
// RUN: qopt %s --split-input-file --qnn-insert-observers="qconfig=qnnpack activation-observer=moving_average_minmax averaging-constant=0.25 reduce-range=true" | FileCheck %s --check-prefix=OVERRIDE
// RUN: qopt %s --split-input-file --qnn-insert-observers="workflow=fx" | FileCheck %s --check-prefix=FX

// Observed: the quant_stub output, conv / linear outputs (after the fused
// relu) and their constant weights. Not observed: max_pool and flatten
// (they keep the scale) and what comes after the dequant_stub.
// X86-LABEL: func.func @cnn
// X86: %[[W:.*]] = qnn.observe %{{.*}} {ch_axis = 0 : i64, dtype = #qnn.dtype<qint8>, observer = #qnn.observer<per_channel_minmax>, qscheme = #qnn.qscheme<per_channel_symmetric>} : tensor<4x1x3x3xf32>
// X86: %[[S:.*]] = qnn.quant_stub
// X86: %[[IN:.*]] = qnn.observe %[[S]] {dtype = #qnn.dtype<quint8>, observer = #qnn.observer<histogram>, qscheme = #qnn.qscheme<per_tensor_affine>, reduce_range}
// X86: %[[C:.*]] = qnn.conv %[[IN]], %[[W]]
// The conv with a fused relu is an eager fused module (ConvReLU2d): its
// observer is updated twice per batch. The linear without relu is not.
// X86: %[[CO:.*]] = qnn.observe %[[C]] {{.*}}histogram{{.*}}, updates = 2 : i64}
// X86: qnn.max_pool %[[CO]]
// X86-NOT: qnn.observe {{.*}}tensor<1x4x3x3xf32>
// X86: %[[L:.*]] = qnn.linear
// X86: %[[LO:.*]] = qnn.observe %[[L]]
// X86-NOT: updates
// X86: %[[D:.*]] = qnn.dequant_stub %[[LO]]
// X86: qnn.relu %[[D]]
// X86-NOT: = qnn.observe
// X86: return

// DEFAULT-LABEL: func.func @cnn
// DEFAULT: qnn.observe {{.*}} {dtype = #qnn.dtype<qint8>, observer = #qnn.observer<minmax>, qscheme = #qnn.qscheme<per_tensor_symmetric>} : tensor<4x1x3x3xf32>
// DEFAULT: qnn.observe {{.*}} {dtype = #qnn.dtype<quint8>, observer = #qnn.observer<minmax>, qscheme = #qnn.qscheme<per_tensor_affine>, quant_max = 127 : i64, quant_min = 0 : i64} : tensor<1x1x8x8xf32>

// OVERRIDE-LABEL: func.func @cnn
// OVERRIDE: qnn.observe {{.*}} {dtype = #qnn.dtype<qint8>, observer = #qnn.observer<minmax>, qscheme = #qnn.qscheme<per_tensor_symmetric>}
// OVERRIDE: qnn.observe {{.*}} {averaging_constant = 2.500000e-01 : f32, dtype = #qnn.dtype<quint8>, observer = #qnn.observer<moving_average_minmax>, qscheme = #qnn.qscheme<per_tensor_affine>, reduce_range}
// FX-LABEL: func.func @cnn
// FX-NOT: updates
// FX: return
func.func @cnn(%x: tensor<1x1x8x8xf32>) -> tensor<1x10xf32> {
  %w = arith.constant dense<0.25> : tensor<4x1x3x3xf32>
  %w2 = arith.constant dense<-0.05> : tensor<10x36xf32>
  %s = qnn.quant_stub %x : tensor<1x1x8x8xf32>
  %c = qnn.conv %s, %w {activation = #qnn.activation<relu>} : (tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p = qnn.max_pool %c {kernel_size = array<i64: 2, 2>} : tensor<1x4x6x6xf32> -> tensor<1x4x3x3xf32>
  %f = qnn.flatten %p : tensor<1x4x3x3xf32> -> tensor<1x36xf32>
  %l = qnn.linear %f, %w2 : (tensor<1x36xf32>, tensor<10x36xf32>) -> tensor<1x10xf32>
  %d = qnn.dequant_stub %l : tensor<1x10xf32>
  %r = qnn.relu %d : tensor<1x10xf32>
  return %r : tensor<1x10xf32>
}

// -----

// Without stubs the whole function is the region: its argument is
// observed. An add's output is observed; its inputs already are.
// X86-LABEL: func.func @no_stubs
// X86-DAG: %[[A:.*]] = qnn.observe %arg0
// X86-DAG: %[[B:.*]] = qnn.observe %arg1
// X86: %[[S:.*]] = qnn.add %[[A]], %[[B]]
// X86: qnn.observe %[[S]]
// X86-NOT: = qnn.observe
func.func @no_stubs(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = qnn.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// Eager fused modules are conv or linear with relu; relu6 (no eager fuser)
// and add + relu (FloatFunctional.add_relu, observed once) are not.
// X86-LABEL: func.func @fused_kinds
// X86: qnn.linear {{.*}}activation = #qnn.activation<relu>
// X86-NEXT: qnn.observe {{.*}}updates = 2 : i64
// X86: qnn.conv {{.*}}activation = #qnn.activation<relu6>
// X86-NEXT: qnn.observe
// X86-NOT: updates
// X86: qnn.add
// X86-NEXT: qnn.observe
// X86-NOT: updates
// X86: return
func.func @fused_kinds(%x: tensor<1x4xf32>, %y: tensor<1x1x4x4xf32>) -> (tensor<1x4xf32>, tensor<1x2x2x2xf32>) {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %cw = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %l = qnn.linear %x, %w {activation = #qnn.activation<relu>} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %c = qnn.conv %y, %cw {activation = #qnn.activation<relu6>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %a = qnn.add %c, %c {activation = #qnn.activation<relu>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %l, %a : tensor<1x4xf32>, tensor<1x2x2x2xf32>
}

// -----

// A cat's output is observed (FloatFunctional.cat's observer), once.
// X86-LABEL: func.func @cat
// X86-DAG: %[[A:.*]] = qnn.observe %arg0
// X86-DAG: %[[B:.*]] = qnn.observe %arg1
// X86: %[[C:.*]] = qnn.cat %[[A]], %[[B]]
// X86-NEXT: qnn.observe %[[C]]
// X86-NOT: updates
// X86-NOT: = qnn.observe
func.func @cat(%a: tensor<1x4xf32>, %b: tensor<1x2xf32>) -> tensor<1x6xf32> {
  %c = qnn.cat %a, %b {dim = 1 : i64} : (tensor<1x4xf32>, tensor<1x2xf32>) -> tensor<1x6xf32>
  return %c : tensor<1x6xf32>
}

// -----

// As in PyTorch's eager mode: hardswish (nn.Hardswish) and mul
// (FloatFunctional.mul) are observed; hardsigmoid is not (its quantized
// result type is fixed).
// X86-LABEL: func.func @squeeze_excite
// X86: %[[X:.*]] = qnn.observe %arg0
// X86: %[[H:.*]] = qnn.hardswish %[[X]]
// X86-NEXT: %[[OH:.*]] = qnn.observe %[[H]]
// X86: %[[C:.*]] = qnn.conv
// X86-NEXT: %[[OC:.*]] = qnn.observe %[[C]]
// X86-NEXT: %[[G:.*]] = qnn.hardsigmoid %[[OC]]
// X86-NEXT: %[[M:.*]] = qnn.mul %[[G]], %[[OH]]
// X86-NEXT: qnn.observe %[[M]]
// X86-NOT: = qnn.observe
func.func @squeeze_excite(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4x2x2xf32>
  %h = qnn.hardswish %x : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xf32>
  %c = qnn.conv %h, %w : (tensor<1x4x2x2xf32>, tensor<4x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %g = qnn.hardsigmoid %c : tensor<1x4x1x1xf32> -> tensor<1x4x1x1xf32>
  %m = qnn.mul %g, %h : (tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %m : tensor<1x4x2x2xf32>
}
