// RUN: qopt %s --split-input-file --qnn-quantize | FileCheck %s

!a = !quant.uniform<u8:f32, 0.05:10>
!c = !quant.uniform<u8:f32, 0.1:0>
!o = !quant.uniform<u8:f32, 0.2:30>
!w = !quant.uniform<i8:f32:0, {0.01, 0.02}>

// conv and linear between quantize / dequantize pairs become quantized
// operations; max_pool and flatten keep the conv's scale; only the border
// quantize and the final dequantize remain.
// CHECK-LABEL: func.func @cnn
// CHECK: %[[Q:.*]] = qnn.quantize %arg0 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x!quant.uniform<u8:f32, 5.000000e-02:10>>
// CHECK: %[[C:.*]] = qnn.conv %[[Q]], %{{.*}}, %{{.*}} {activation = #qnn.activation<relu>} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 1.000000e-01>>
// CHECK: %[[P:.*]] = qnn.max_pool %[[C]] {{.*}} -> tensor<1x2x1x1x!quant.uniform<u8:f32, 1.000000e-01>>
// CHECK: %[[F:.*]] = qnn.flatten %[[P]] : {{.*}} -> tensor<1x2x!quant.uniform<u8:f32, 1.000000e-01>>
// CHECK: %[[L:.*]] = qnn.linear %[[F]], %{{.*}} : {{.*}} -> tensor<1x2x!quant.uniform<u8:f32, 2.000000e-01:30>>
// CHECK: %[[D:.*]] = qnn.dequantize %[[L]]
// CHECK-NOT: qnn.quantize
// CHECK: return %[[D]]
func.func @cnn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2xf32> {
  %wi = arith.constant dense<1> : tensor<2x1x3x3xi8>
  %wq = quant.scast %wi : tensor<2x1x3x3xi8> to tensor<2x1x3x3x!w>
  %w = qnn.dequantize %wq : tensor<2x1x3x3x!w> -> tensor<2x1x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<2xf32>
  %li = arith.constant dense<2> : tensor<2x2xi8>
  %lq = quant.scast %li : tensor<2x2xi8> to tensor<2x2x!w>
  %lw = qnn.dequantize %lq : tensor<2x2x!w> -> tensor<2x2xf32>
  %q = qnn.quantize %x : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x!a>
  %d = qnn.dequantize %q : tensor<1x1x4x4x!a> -> tensor<1x1x4x4xf32>
  %c = qnn.conv %d, %w, %b {activation = #qnn.activation<relu>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %cq = qnn.quantize %c : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!c>
  %cd = qnn.dequantize %cq : tensor<1x2x2x2x!c> -> tensor<1x2x2x2xf32>
  %p = qnn.max_pool %cd {kernel_size = array<i64: 2, 2>} : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  %f = qnn.flatten %p : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
  %l = qnn.linear %f, %lw : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %lq2 = qnn.quantize %l : tensor<1x2xf32> -> tensor<1x2x!o>
  %ld = qnn.dequantize %lq2 : tensor<1x2x!o> -> tensor<1x2xf32>
  return %ld : tensor<1x2xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.05:10>
!b = !quant.uniform<u8:f32, 0.03:0>
!s = !quant.uniform<u8:f32, 0.1:5>

// add of two dequantized values with a quantized result: a quantized add.
// A value quantized again with another type: an explicit requantize.
// CHECK-LABEL: func.func @add_and_requantize
// CHECK: %[[A:.*]] = qnn.quantize %arg0
// CHECK: %[[B:.*]] = qnn.quantize %arg1
// CHECK: %[[S:.*]] = qnn.add %[[A]], %[[B]] : ({{.*}}) -> tensor<4x!quant.uniform<u8:f32, 1.000000e-01:5>>
// CHECK: %[[R:.*]] = qnn.requantize %[[A]] : tensor<4x!quant.uniform<u8:f32, 5.000000e-02:10>> -> tensor<4x!quant.uniform<u8:f32, 3.000000e-02>>
func.func @add_and_requantize(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %qa = qnn.quantize %x : tensor<4xf32> -> tensor<4x!a>
  %da = qnn.dequantize %qa : tensor<4x!a> -> tensor<4xf32>
  %qb = qnn.quantize %y : tensor<4xf32> -> tensor<4x!b>
  %db = qnn.dequantize %qb : tensor<4x!b> -> tensor<4xf32>
  %s = qnn.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %qs = qnn.quantize %s : tensor<4xf32> -> tensor<4x!s>
  %ds = qnn.dequantize %qs : tensor<4x!s> -> tensor<4xf32>
  %r = qnn.quantize %da : tensor<4xf32> -> tensor<4x!b>
  %dr = qnn.dequantize %r : tensor<4x!b> -> tensor<4xf32>
  return %ds, %dr : tensor<4xf32>, tensor<4xf32>
}

// -----

// A float op without quantize / dequantize around it stays float.
// CHECK-LABEL: func.func @outside
// CHECK: qnn.relu %arg0 : tensor<4xf32>
func.func @outside(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = qnn.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.05:10>
!b = !quant.uniform<u8:f32, 0.1:5>
!i = !quant.uniform<i8:f32, 0.1>

// cat of dequantized u8 values with a quantized u8 result: a quantized cat
// on the quantized inputs. With an i8 input (another storage type) the cat
// stays float.
// CHECK-LABEL: func.func @cat
// CHECK: %[[A:.*]] = qnn.quantize %arg0
// CHECK: %[[B:.*]] = qnn.quantize %arg1
// CHECK: %[[C:.*]] = qnn.cat %[[A]], %[[B]] {dim = 0 : i64} : (tensor<4x!quant.uniform<u8:f32, 5.000000e-02:10>>, tensor<2x!quant.uniform<u8:f32, 1.000000e-01:5>>) -> tensor<6x!quant.uniform<u8:f32, 1.000000e-01:5>>
// CHECK: qnn.dequantize %[[C]]
// CHECK: %[[F:.*]] = qnn.cat %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<4xf32>, tensor<2xf32>) -> tensor<6xf32>
// CHECK: qnn.quantize %[[F]]
func.func @cat(%x: tensor<4xf32>, %y: tensor<2xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %qa = qnn.quantize %x : tensor<4xf32> -> tensor<4x!a>
  %da = qnn.dequantize %qa : tensor<4x!a> -> tensor<4xf32>
  %qb = qnn.quantize %y : tensor<2xf32> -> tensor<2x!b>
  %db = qnn.dequantize %qb : tensor<2x!b> -> tensor<2xf32>
  %c = qnn.cat %da, %db {dim = 0 : i64} : (tensor<4xf32>, tensor<2xf32>) -> tensor<6xf32>
  %qc = qnn.quantize %c : tensor<6xf32> -> tensor<6x!b>
  %dc = qnn.dequantize %qc : tensor<6x!b> -> tensor<6xf32>
  %qi = qnn.quantize %y : tensor<2xf32> -> tensor<2x!i>
  %di = qnn.dequantize %qi : tensor<2x!i> -> tensor<2xf32>
  %f = qnn.cat %da, %di {dim = 0 : i64} : (tensor<4xf32>, tensor<2xf32>) -> tensor<6xf32>
  %qf = qnn.quantize %f : tensor<6xf32> -> tensor<6x!b>
  %df = qnn.dequantize %qf : tensor<6x!b> -> tensor<6xf32>
  return %dc, %df : tensor<6xf32>, tensor<6xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.05:10>

// transpose and slice of a dequantized value run on the quantized value
// (ShuffleNetV2's channel shuffle and split).
// CHECK-LABEL: func.func @shuffle
// CHECK: %[[Q:.*]] = qnn.quantize %arg0
// CHECK: %[[T:.*]] = qnn.transpose %[[Q]] {permutation = array<i64: 1, 0>} : tensor<2x4x!quant.uniform<u8:f32, 5.000000e-02:10>> -> tensor<4x2x!quant.uniform<u8:f32, 5.000000e-02:10>>
// CHECK: %[[S:.*]] = qnn.slice %[[T]] {dim = 0 : i64, start = 2 : i64} : tensor<4x2x!quant.uniform<u8:f32, 5.000000e-02:10>> -> tensor<2x2x!quant.uniform<u8:f32, 5.000000e-02:10>>
// CHECK: qnn.dequantize %[[S]]
func.func @shuffle(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %q = qnn.quantize %x : tensor<2x4xf32> -> tensor<2x4x!a>
  %d = qnn.dequantize %q : tensor<2x4x!a> -> tensor<2x4xf32>
  %t = qnn.transpose %d {permutation = array<i64: 1, 0>} : tensor<2x4xf32> -> tensor<4x2xf32>
  %s = qnn.slice %t {dim = 0 : i64, start = 2 : i64} : tensor<4x2xf32> -> tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.05:10>
!h = !quant.uniform<u8:f32, 0.04:20>
!c = !quant.uniform<u8:f32, 0.1:3>
!m = !quant.uniform<u8:f32, 0.03:0>

// A squeeze-and-excitation block: hardswish and mul between quantize /
// dequantize pairs become quantized; hardsigmoid, which has no observer,
// gets PyTorch's fixed result type (scale 1/256, zero point 0 for u8) and a
// dequantize, which the mul's pattern then consumes.
// CHECK-LABEL: func.func @squeeze_excite
// CHECK: %[[Q:.*]] = qnn.quantize %arg0
// CHECK: %[[H:.*]] = qnn.hardswish %[[Q]] : tensor<1x4x2x2x!quant.uniform<u8:f32, 5.000000e-02:10>> -> tensor<1x4x2x2x!quant.uniform<u8:f32, 4.000000e-02:20>>
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[G:.*]] = qnn.hardsigmoid %[[C]] : tensor<1x4x1x1x!quant.uniform<u8:f32, 1.000000e-01:3>> -> tensor<1x4x1x1x!quant.uniform<u8:f32, 3.906250e-03>>
// CHECK: %[[M:.*]] = qnn.mul %[[G]], %[[H]] : ({{.*}}) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 3.000000e-02>>
// CHECK: %[[D:.*]] = qnn.dequantize %[[M]]
// CHECK: return %[[D]]
func.func @squeeze_excite(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %wq = quant.scast %w : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!quant.uniform<i8:f32, 0.01>>
  %wd = qnn.dequantize %wq : tensor<4x4x1x1x!quant.uniform<i8:f32, 0.01>> -> tensor<4x4x1x1xf32>
  %qx = qnn.quantize %x : tensor<1x4x2x2xf32> -> tensor<1x4x2x2x!a>
  %dx = qnn.dequantize %qx : tensor<1x4x2x2x!a> -> tensor<1x4x2x2xf32>
  %h = qnn.hardswish %dx : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xf32>
  %qh = qnn.quantize %h : tensor<1x4x2x2xf32> -> tensor<1x4x2x2x!h>
  %dh = qnn.dequantize %qh : tensor<1x4x2x2x!h> -> tensor<1x4x2x2xf32>
  %p = qnn.adaptive_avg_pool %dh : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
  %c = qnn.conv %p, %wd : (tensor<1x4x1x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %qc = qnn.quantize %c : tensor<1x4x1x1xf32> -> tensor<1x4x1x1x!c>
  %dc = qnn.dequantize %qc : tensor<1x4x1x1x!c> -> tensor<1x4x1x1xf32>
  %g = qnn.hardsigmoid %dc : tensor<1x4x1x1xf32> -> tensor<1x4x1x1xf32>
  %mul = qnn.mul %g, %dh : (tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %qm = qnn.quantize %mul : tensor<1x4x2x2xf32> -> tensor<1x4x2x2x!m>
  %dm = qnn.dequantize %qm : tensor<1x4x2x2x!m> -> tensor<1x4x2x2xf32>
  return %dm : tensor<1x4x2x2xf32>
}

// -----

!a = !quant.uniform<i8:f32, 0.05:10>
!u = !quant.uniform<u8:f32, 0.05:10>

// For i8 the fixed hardsigmoid type has zero point -128. A mul whose
// operands are stored unlike its result stays float (PyTorch's mul takes
// one dtype).
// CHECK-LABEL: func.func @signed_and_mixed
// CHECK: qnn.hardsigmoid %{{.*}} -> tensor<4x!quant.uniform<i8:f32, 3.906250e-03:-128>>
// CHECK: qnn.mul %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @signed_and_mixed(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4x!u>) {
  %q = qnn.quantize %x : tensor<4xf32> -> tensor<4x!a>
  %d = qnn.dequantize %q : tensor<4x!a> -> tensor<4xf32>
  %g = qnn.hardsigmoid %d : tensor<4xf32> -> tensor<4xf32>
  %m = qnn.mul %d, %d : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %qm = qnn.quantize %m : tensor<4xf32> -> tensor<4x!u>
  return %g, %qm : tensor<4xf32>, tensor<4x!u>
}

// -----

!a = !quant.uniform<u8:f32, 0.05:11>
!c = !quant.uniform<u8:f32, 0.1:3>
!w = !quant.uniform<i8:f32, 0.01>

// PyTorch's quantized convolutions return channels-last tensors, on which
// adaptive average pooling runs the NHWC kernel: a pool of a conv's output
// (here through relu) becomes `centered`; a pool of the quantized model
// input (contiguous in PyTorch) does not.
// CHECK-LABEL: func.func @pool_layouts
// CHECK: qnn.adaptive_avg_pool %{{[0-9]+}} : tensor<1x4x3x3x!quant.uniform<u8:f32, 5.000000e-02:11>>
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[R:.*]] = qnn.relu %[[C]]
// CHECK: qnn.adaptive_avg_pool %[[R]] {centered}
func.func @pool_layouts(%x: tensor<1x4x3x3xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>) {
  %wi = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %wq = quant.scast %wi : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!w>
  %wd = qnn.dequantize %wq : tensor<4x4x1x1x!w> -> tensor<4x4x1x1xf32>
  %qx = qnn.quantize %x : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!a>
  %dx = qnn.dequantize %qx : tensor<1x4x3x3x!a> -> tensor<1x4x3x3xf32>
  %p = qnn.adaptive_avg_pool %dx : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  %c = qnn.conv %dx, %wd : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %qc = qnn.quantize %c : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!c>
  %dc = qnn.dequantize %qc : tensor<1x4x3x3x!c> -> tensor<1x4x3x3xf32>
  %r = qnn.relu %dc : tensor<1x4x3x3xf32>
  %g = qnn.adaptive_avg_pool %r : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  return %p, %g : tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>
}

// -----

!c = !quant.uniform<u8:f32, 0.1:3>
!o = !quant.uniform<u8:f32, 0.2:30>
!w = !quant.uniform<i8:f32, 0.01>

// A `float_mean` pooling (PyTorch's mean, which has no integer kernel for a
// convolution's channels-last output) stays float between the dequantize
// of the conv's output and a quantize to the same type: no integer
// pooling appears. qnn-propagate-scales puts no quantize after it (a
// pooling keeps its input's scale); qnn-quantize adds it, and the linear
// after it becomes quantized.
// CHECK-LABEL: func.func @float_mean
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[D:.*]] = qnn.dequantize %[[C]]
// CHECK: %[[M:.*]] = qnn.adaptive_avg_pool %[[D]] {float_mean} : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
// CHECK: %[[Q:.*]] = qnn.quantize %[[M]] : tensor<1x4x1x1xf32> -> tensor<1x4x1x1x!quant.uniform<u8:f32, 1.000000e-01:3>>
// CHECK: %[[F:.*]] = qnn.reshape %[[Q]] : {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 1.000000e-01:3>>
// CHECK: qnn.linear %[[F]]
// CHECK-SAME: -> tensor<1x2x!quant.uniform<u8:f32, 2.000000e-01:30>>
// CHECK-NOT: qnn.adaptive_avg_pool
func.func @float_mean(%x: tensor<1x4x3x3xf32>) -> tensor<1x2xf32> {
  %wi = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %wq = quant.scast %wi : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!w>
  %wd = qnn.dequantize %wq : tensor<4x4x1x1x!w> -> tensor<4x4x1x1xf32>
  %fi = arith.constant dense<1> : tensor<2x4xi8>
  %fq = quant.scast %fi : tensor<2x4xi8> to tensor<2x4x!w>
  %fd = qnn.dequantize %fq : tensor<2x4x!w> -> tensor<2x4xf32>
  %qx = qnn.quantize %x : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!c>
  %dx = qnn.dequantize %qx : tensor<1x4x3x3x!c> -> tensor<1x4x3x3xf32>
  %c = qnn.conv %dx, %wd : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %qc = qnn.quantize %c : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!c>
  %dc = qnn.dequantize %qc : tensor<1x4x3x3x!c> -> tensor<1x4x3x3xf32>
  %m = qnn.adaptive_avg_pool %dc {float_mean} : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  %r = qnn.reshape %m : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
  %y = qnn.linear %r, %fd : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %qy = qnn.quantize %y : tensor<1x2xf32> -> tensor<1x2x!o>
  %dy = qnn.dequantize %qy : tensor<1x2x!o> -> tensor<1x2xf32>
  return %dy : tensor<1x2xf32>
}

// -----

!c = !quant.uniform<u8:f32, 0.1:3>
!w = !quant.uniform<i8:f32, 0.01>

// A `float_mean` pooling already followed by the quantize to its input's
// type is left as it is.
// CHECK-LABEL: func.func @float_mean_quantized
// CHECK: %[[M:.*]] = qnn.adaptive_avg_pool %{{.*}} {float_mean} : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT: qnn.quantize %[[M]] : tensor<1x4x1x1xf32> -> tensor<1x4x1x1x!quant.uniform<u8:f32, 1.000000e-01:3>>
// CHECK-NOT: qnn.quantize
func.func @float_mean_quantized(%x: tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32> {
  %wi = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %wq = quant.scast %wi : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!w>
  %wd = qnn.dequantize %wq : tensor<4x4x1x1x!w> -> tensor<4x4x1x1xf32>
  %qx = qnn.quantize %x : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!c>
  %dx = qnn.dequantize %qx : tensor<1x4x3x3x!c> -> tensor<1x4x3x3xf32>
  %c = qnn.conv %dx, %wd : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  %qc = qnn.quantize %c : tensor<1x4x3x3xf32> -> tensor<1x4x3x3x!c>
  %dc = qnn.dequantize %qc : tensor<1x4x3x3x!c> -> tensor<1x4x3x3xf32>
  %m = qnn.adaptive_avg_pool %dc {float_mean} : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  %qm = qnn.quantize %m : tensor<1x4x1x1xf32> -> tensor<1x4x1x1x!c>
  %dm = qnn.dequantize %qm : tensor<1x4x1x1x!c> -> tensor<1x4x1x1xf32>
  return %dm : tensor<1x4x1x1xf32>
}
