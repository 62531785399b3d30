// RUN: qopt %s --split-input-file --qnn-insert-observers="workflow=fx" | FileCheck %s
// RUN: qopt %s --split-input-file --qnn-insert-observers="workflow=eager" | FileCheck %s --check-prefix=EAGER

// prepare_fx (x86 backend config) gives relu6 / hardtanh, pooling and
// flatten an output observer that calls their input's observer instance:
// each is a qnn.observe that `shares` the conv's, in program order. The
// relu after the dequant_stub is outside the quantized region. Eager mode
// observes none of them.
// CHECK-LABEL: func.func @chain
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[ROOT:.*]] = qnn.observe %[[C]] {
// CHECK: %[[R6:.*]] = qnn.clamp %[[ROOT]]
// CHECK: %[[O1:.*]] = qnn.observe %[[R6]] shares %[[ROOT]] : tensor<1x4x6x6xf32> {dtype = #qnn.dtype<quint8>, observer = #qnn.observer<histogram>, qscheme = #qnn.qscheme<per_tensor_affine>, reduce_range} : tensor<1x4x6x6xf32>
// CHECK: %[[P:.*]] = qnn.max_pool %[[O1]]
// CHECK: %[[O2:.*]] = qnn.observe %[[P]] shares %[[ROOT]] : tensor<1x4x6x6xf32> {{.*}} : tensor<1x4x3x3xf32>
// CHECK: %[[F:.*]] = qnn.flatten %[[O2]]
// CHECK: %[[O3:.*]] = qnn.observe %[[F]] shares %[[ROOT]] : tensor<1x4x6x6xf32> {{.*}} : tensor<1x36xf32>
// CHECK: %[[L:.*]] = qnn.linear %[[O3]]
// CHECK: qnn.observe %[[L]] {
// CHECK: qnn.dequant_stub
// CHECK-NOT: qnn.observe
// CHECK: return
// EAGER-LABEL: func.func @chain
// EAGER-NOT: shares
// EAGER: return
func.func @chain(%x: tensor<1x1x8x8xf32>) -> tensor<1x10xf32> {
  %w = arith.constant dense<0.25> : tensor<4x1x3x3xf32>
  %w2 = arith.constant dense<-0.05> : tensor<10x36xf32>
  %s = qnn.quant_stub %x : tensor<1x1x8x8xf32>
  %c = qnn.conv %s, %w : (tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  %r6 = qnn.clamp %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x6x6xf32>
  %p = qnn.max_pool %r6 {kernel_size = array<i64: 2, 2>} : tensor<1x4x6x6xf32> -> tensor<1x4x3x3xf32>
  %f = qnn.flatten %p : tensor<1x4x3x3xf32> -> tensor<1x36xf32>
  %l = qnn.linear %f, %w2 : (tensor<1x36xf32>, tensor<10x36xf32>) -> tensor<1x10xf32>
  %d = qnn.dequant_stub %l : tensor<1x10xf32>
  %r = qnn.relu %d : tensor<1x10xf32>
  return %r : tensor<1x10xf32>
}

// -----

// A cat makes its other inputs' observers and its result's call its first
// input's instance: one root (the first conv's observer), the rest share
// it; the pooling after the cat shares it too. A nested cat's result
// observer moves to the outer cat's group, its inputs stay in their own.
// CHECK-LABEL: func.func @cat
// CHECK: %[[A:.*]] = qnn.conv
// CHECK: %[[ROOT:.*]] = qnn.observe %[[A]] {
// CHECK: %[[B:.*]] = qnn.conv
// CHECK: %[[OB:.*]] = qnn.observe %[[B]] shares %[[ROOT]]
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[INNER:.*]] = qnn.observe %[[C]] {
// CHECK: %[[D:.*]] = qnn.conv
// CHECK: %[[OD:.*]] = qnn.observe %[[D]] shares %[[INNER]]
// CHECK: %[[CD:.*]] = qnn.cat %[[INNER]], %[[OD]]
// CHECK: %[[OCD:.*]] = qnn.observe %[[CD]] shares %[[ROOT]]
// CHECK: %[[ALL:.*]] = qnn.cat %[[ROOT]], %[[OB]], %[[OCD]]
// CHECK: %[[OALL:.*]] = qnn.observe %[[ALL]] shares %[[ROOT]]
// CHECK: %[[P:.*]] = qnn.max_pool %[[OALL]]
// CHECK: qnn.observe %[[P]] shares %[[ROOT]]
func.func @cat(%x: tensor<1x2x4x4xf32>) -> tensor<1x8x2x2xf32> {
  %wa = arith.constant dense<0.25> : tensor<2x2x1x1xf32>
  %wb = arith.constant dense<0.5> : tensor<2x2x1x1xf32>
  %wc = arith.constant dense<0.75> : tensor<2x2x1x1xf32>
  %wd = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %s = qnn.quant_stub %x : tensor<1x2x4x4xf32>
  %a = qnn.conv %s, %wa : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %b = qnn.conv %s, %wb : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %c = qnn.conv %s, %wc : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %d = qnn.conv %s, %wd : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %cd = qnn.cat %c, %d {dim = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %all = qnn.cat %a, %b, %cd {dim = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32>
  %p = qnn.max_pool %all {kernel_size = array<i64: 2, 2>} : tensor<1x8x4x4xf32> -> tensor<1x8x2x2xf32>
  %o = qnn.dequant_stub %p : tensor<1x8x2x2xf32>
  return %o : tensor<1x8x2x2xf32>
}

// -----

// When an input of a cat has no observer to trace back to (here a
// constant), prepare_fx leaves the cat's result unobserved.
// CHECK-LABEL: func.func @cat_unobserved
// CHECK: %[[CAT:.*]] = qnn.cat
// CHECK-NEXT: qnn.dequant_stub %[[CAT]]
// EAGER-LABEL: func.func @cat_unobserved
// EAGER: %[[CAT:.*]] = qnn.cat
// EAGER-NEXT: qnn.observe %[[CAT]]
func.func @cat_unobserved(%x: tensor<1x2xf32>) -> tensor<1x4xf32> {
  %k = arith.constant dense<1.0> : tensor<1x2xf32>
  %s = qnn.quant_stub %x : tensor<1x2xf32>
  %c = qnn.cat %s, %k {dim = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  %o = qnn.dequant_stub %c : tensor<1x4xf32>
  return %o : tensor<1x4xf32>
}

// -----

// The frontend marks nn.Flatten `qnn.fx_own_observer`: prepare_fx has no
// pattern for that module and observes its output afresh (the linear's
// input observer), where torch.flatten would share the pooling's.
// CHECK-LABEL: func.func @own_observer
// CHECK: %[[P:.*]] = qnn.max_pool
// CHECK: %[[OP:.*]] = qnn.observe %[[P]] shares
// CHECK: %[[F:.*]] = qnn.flatten %[[OP]]
// CHECK: qnn.observe %[[F]] {
func.func @own_observer(%x: tensor<1x4x2x2xf32>) -> tensor<1x4xf32> {
  %s = qnn.quant_stub %x : tensor<1x4x2x2xf32>
  %p = qnn.max_pool %s {kernel_size = array<i64: 2, 2>} : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
  %f = qnn.flatten %p {start_dim = 1 : i64, end_dim = -1 : i64, qnn.fx_own_observer} : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
  %o = qnn.dequant_stub %f : tensor<1x4xf32>
  return %o : tensor<1x4xf32>
}
