// RUN: qopt %s --split-input-file --qnn-insert-observers --verify-diagnostics
// RUN: not qopt %s --qnn-insert-observers="qconfig=tpu" 2>&1 | FileCheck %s --check-prefix=QCONFIG
// RUN: not qopt %s --qnn-insert-observers="weight-observer=histogram" 2>&1 | FileCheck %s --check-prefix=WEIGHT
// RUN: not qopt %s --qnn-insert-observers="reduce-range=maybe" 2>&1 | FileCheck %s --check-prefix=RR
// RUN: not qopt %s --qnn-insert-observers="workflow=jit" 2>&1 | FileCheck %s --check-prefix=WORKFLOW
// QCONFIG: error: unknown qconfig 'tpu': expected one of x86, fbgemm, default, qnnpack, onednn
// WEIGHT: error: unknown weight observer 'histogram': expected minmax or per_channel_minmax
// RR: error: reduce-range must be true or false, got 'maybe'
// WORKFLOW: error: unknown workflow 'jit': expected eager or fx

func.func @batch_norm_in_region(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %s = qnn.quant_stub %x : tensor<1x2x4x4xf32>
  // expected-error @+1 {{qnn.batch_norm inside the quantized region has no quantized form: run qnn-fold-batchnorm first}}
  %n = qnn.batch_norm %s, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %d = qnn.dequant_stub %n : tensor<1x2x4x4xf32>
  return %d : tensor<1x2x4x4xf32>
}

// -----

func.func @foreign_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = qnn.quant_stub %x : tensor<4xf32>
  // expected-error @+1 {{'arith.negf' inside the quantized region has no quantized form: end the region before it with qnn.dequant_stub}}
  %n = arith.negf %s : tensor<4xf32>
  %d = qnn.dequant_stub %n : tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

func.func @weight_not_constant(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  %s = qnn.quant_stub %x : tensor<1x4xf32>
  // expected-error @+1 {{the weight must be a constant to be quantized}}
  %l = qnn.linear %s, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %d = qnn.dequant_stub %l : tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
