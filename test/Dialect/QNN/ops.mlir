// RUN: qopt %s --split-input-file | FileCheck %s
// The printed form parses back to the same IR, through the generic form as
// well (bytecode.mlir covers bytecode).
// RUN: qopt %s --split-input-file | qopt --split-input-file | FileCheck %s
// RUN: qopt %s --split-input-file --mlir-print-op-generic | qopt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[Q:.*]] = qnn.quantize %[[X]] : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<u8:f32, 5.000000e-02:128>>
// CHECK: %[[D:.*]] = qnn.dequantize %[[Q]] : tensor<2x3x!quant.uniform<u8:f32, 5.000000e-02:128>> -> tensor<2x3xf32>
// CHECK: return %[[D]]
func.func @quantize_per_tensor(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = qnn.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<u8:f32, 0.05:128>>
  %d = qnn.dequantize %q : tensor<2x3x!quant.uniform<u8:f32, 0.05:128>> -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @quantize_per_axis
// CHECK: qnn.quantize %{{.*}} : tensor<3x4xf32> -> tensor<3x4x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01}>>
// CHECK: qnn.dequantize %{{.*}} : tensor<3x4x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01}>> -> tensor<3x4xf32>
func.func @quantize_per_axis(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %q = qnn.quantize %x : tensor<3x4xf32> -> tensor<3x4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>
  %d = qnn.dequantize %q : tensor<3x4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>> -> tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @requantize
// CHECK: qnn.requantize %{{.*}} : tensor<4x!quant.uniform<u8:f32, 1.000000e-01:3>> -> tensor<4x!quant.uniform<i8:f32, 2.000000e-01>>
func.func @requantize(%q: tensor<4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.2>> {
  %r = qnn.requantize %q : tensor<4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<4x!quant.uniform<i8:f32, 0.2>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.2>>
}

// -----

// CHECK-LABEL: func.func @stubs
// CHECK-SAME: (%[[X:.*]]: tensor<1x10xf32>)
// CHECK: %[[S:.*]] = qnn.quant_stub %[[X]] : tensor<1x10xf32>
// CHECK: %[[D:.*]] = qnn.dequant_stub %[[S]] : tensor<1x10xf32>
// CHECK: return %[[D]]
func.func @stubs(%x: tensor<1x10xf32>) -> tensor<1x10xf32> {
  %s = qnn.quant_stub %x : tensor<1x10xf32>
  %d = qnn.dequant_stub %s : tensor<1x10xf32>
  return %d : tensor<1x10xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_float
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x28x28xf32>, %[[W:.*]]: tensor<8x1x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: qnn.conv %[[X]], %[[W]], %[[B]] {activation = #qnn.activation<relu>, padding = array<i64: 1, 1>} : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x28x28xf32>
// groups = 1 and activation none are the defaults and are not printed.
// CHECK: qnn.conv %[[X]], %[[W]] : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
// CHECK: qnn.conv %[[X]], %[[W]] {activation = #qnn.activation<relu6>, dilation = array<i64: 2, 2>, padding = array<i64: 1, 2>, strides = array<i64: 2, 3>}
// CHECK-SAME: -> tensor<1x8x13x10xf32>
func.func @conv2d_float(%x: tensor<1x1x28x28xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> (tensor<1x8x28x28xf32>, tensor<1x8x26x26xf32>, tensor<1x8x13x10xf32>) {
  %0 = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x28x28xf32>
  %1 = qnn.conv %x, %w {groups = 1 : i64, activation = #qnn.activation<none>} : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x26x26xf32>
  %2 = qnn.conv %x, %w {strides = array<i64: 2, 3>, padding = array<i64: 1, 2>, dilation = array<i64: 2, 2>, activation = #qnn.activation<relu6>} : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x13x10xf32>
  return %0, %1, %2 : tensor<1x8x28x28xf32>, tensor<1x8x26x26xf32>, tensor<1x8x13x10xf32>
}

// -----

// CHECK-LABEL: func.func @conv1d_float
// CHECK: qnn.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 4>} : (tensor<2x1x784xf32>, tensor<32x1x80xf32>, tensor<32xf32>) -> tensor<2x32x177xf32>
func.func @conv1d_float(%x: tensor<2x1x784xf32>, %w: tensor<32x1x80xf32>, %b: tensor<32xf32>) -> tensor<2x32x177xf32> {
  %0 = qnn.conv %x, %w, %b {strides = array<i64: 4>} : (tensor<2x1x784xf32>, tensor<32x1x80xf32>, tensor<32xf32>) -> tensor<2x32x177xf32>
  return %0 : tensor<2x32x177xf32>
}

// -----

// CHECK-LABEL: func.func @conv_groups_and_dynamic_batch
// CHECK: qnn.conv %{{.*}}, %{{.*}} {groups = 16 : i64, padding = array<i64: 1, 1>} : (tensor<?x16x7x7xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x7x7xf32>
// CHECK: qnn.conv %{{.*}}, %{{.*}} {groups = 4 : i64} : (tensor<?x16x7x7xf32>, tensor<8x4x1x1xf32>) -> tensor<?x8x7x7xf32>
func.func @conv_groups_and_dynamic_batch(%x: tensor<?x16x7x7xf32>, %dw: tensor<16x1x3x3xf32>, %gw: tensor<8x4x1x1xf32>) -> (tensor<?x16x7x7xf32>, tensor<?x8x7x7xf32>) {
  %0 = qnn.conv %x, %dw {groups = 16 : i64, padding = array<i64: 1, 1>} : (tensor<?x16x7x7xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x7x7xf32>
  %1 = qnn.conv %x, %gw {groups = 4 : i64} : (tensor<?x16x7x7xf32>, tensor<8x4x1x1xf32>) -> tensor<?x8x7x7xf32>
  return %0, %1 : tensor<?x16x7x7xf32>, tensor<?x8x7x7xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.0235:3>
!out = !quant.uniform<u8:f32, 0.0473:0>
!wq = !quant.uniform<i8:f32:0, {0.011, 0.012, 0.013, 0.014}>

// CHECK-LABEL: func.func @conv2d_quantized
// CHECK: %[[WI:.*]] = arith.constant dense<{{.*}}> : tensor<4x2x3x3xi8>
// CHECK: %[[W:.*]] = quant.scast %[[WI]] : tensor<4x2x3x3xi8> to tensor<4x2x3x3x!quant.uniform<i8:f32:0, {1.100000e-02,1.200000e-02,1.300000e-02,1.400000e-02}>>
// CHECK: qnn.conv %{{.*}}, %[[W]], %{{.*}} {activation = #qnn.activation<relu>, padding = array<i64: 1, 1>} : (tensor<1x2x8x8x!quant.uniform<u8:f32, 2.350000e-02:3>>, tensor<4x2x3x3x!quant.uniform<i8:f32:0, {1.100000e-02,1.200000e-02,1.300000e-02,1.400000e-02}>>, tensor<4xf32>) -> tensor<1x4x8x8x!quant.uniform<u8:f32, 4.730000e-02>>
// An i32 bias is in units of input scale times weight scale.
// CHECK: qnn.conv %{{.*}}, %[[W]], %{{.*}} {{{.*}}} : (tensor<1x2x8x8x!quant.uniform<u8:f32, 2.350000e-02:3>>, tensor<4x2x3x3x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<4xi32>) -> tensor<1x4x8x8x!quant.uniform<u8:f32, 4.730000e-02>>
func.func @conv2d_quantized(%x: tensor<1x2x8x8x!act>, %b: tensor<4xf32>, %bi: tensor<4xi32>) -> (tensor<1x4x8x8x!out>, tensor<1x4x8x8x!out>) {
  %wi = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %w = quant.scast %wi : tensor<4x2x3x3xi8> to tensor<4x2x3x3x!wq>
  %0 = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>} : (tensor<1x2x8x8x!act>, tensor<4x2x3x3x!wq>, tensor<4xf32>) -> tensor<1x4x8x8x!out>
  %1 = qnn.conv %x, %w, %bi {padding = array<i64: 1, 1>} : (tensor<1x2x8x8x!act>, tensor<4x2x3x3x!wq>, tensor<4xi32>) -> tensor<1x4x8x8x!out>
  return %0, %1 : tensor<1x4x8x8x!out>, tensor<1x4x8x8x!out>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!wq = !quant.uniform<i8:f32, 0.02>

// CHECK-LABEL: func.func @conv1d_quantized_per_tensor_weight
// CHECK: qnn.conv {{.*}} : (tensor<1x3x10x!quant.uniform<u8:f32, 1.000000e-01:128>>, tensor<6x1x3x!quant.uniform<i8:f32, 2.000000e-02>>) -> tensor<1x6x8x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @conv1d_quantized_per_tensor_weight(%x: tensor<1x3x10x!act>, %w: tensor<6x1x3x!wq>) -> tensor<1x6x8x!act> {
  %0 = qnn.conv %x, %w {groups = 3 : i64} : (tensor<1x3x10x!act>, tensor<6x1x3x!wq>) -> tensor<1x6x8x!act>
  return %0 : tensor<1x6x8x!act>
}

// -----

// CHECK-LABEL: func.func @linear_float
// CHECK: qnn.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = #qnn.activation<relu>} : (tensor<?x784xf32>, tensor<100x784xf32>, tensor<100xf32>) -> tensor<?x100xf32>
// CHECK: qnn.linear %{{.*}}, %{{.*}} : (tensor<2x5x784xf32>, tensor<100x784xf32>) -> tensor<2x5x100xf32>
func.func @linear_float(%x: tensor<?x784xf32>, %x3: tensor<2x5x784xf32>, %w: tensor<100x784xf32>, %b: tensor<100xf32>) -> (tensor<?x100xf32>, tensor<2x5x100xf32>) {
  %0 = qnn.linear %x, %w, %b {activation = #qnn.activation<relu>} : (tensor<?x784xf32>, tensor<100x784xf32>, tensor<100xf32>) -> tensor<?x100xf32>
  %1 = qnn.linear %x3, %w : (tensor<2x5x784xf32>, tensor<100x784xf32>) -> tensor<2x5x100xf32>
  return %0, %1 : tensor<?x100xf32>, tensor<2x5x100xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.0235:3>
!out = !quant.uniform<u8:f32, 0.0473:0>
!wq = !quant.uniform<i8:f32:0, {0.5, 0.25}>

// CHECK-LABEL: func.func @linear_static_and_dynamic
// Static: quantized input, weight and result.
// CHECK: qnn.linear {{.*}} : (tensor<1x3x!quant.uniform<u8:f32, 2.350000e-02:3>>, tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>, tensor<2xf32>) -> tensor<1x2x!quant.uniform<u8:f32, 4.730000e-02>>
// Dynamic: float input and result, quantized weight.
// CHECK: qnn.linear {{.*}} : (tensor<1x3xf32>, tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>, tensor<2xf32>) -> tensor<1x2xf32>
// CHECK: qnn.linear {{.*}} {activation = #qnn.activation<relu>, reduce_range} : (tensor<1x3xf32>
func.func @linear_static_and_dynamic(%x: tensor<1x3x!act>, %xf: tensor<1x3xf32>, %w: tensor<2x3x!wq>, %b: tensor<2xf32>) -> (tensor<1x2x!out>, tensor<1x2xf32>, tensor<1x2xf32>) {
  %0 = qnn.linear %x, %w, %b : (tensor<1x3x!act>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<1x2x!out>
  %1 = qnn.linear %xf, %w, %b : (tensor<1x3xf32>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<1x2xf32>
  %2 = qnn.linear %xf, %w, %b {activation = #qnn.activation<relu>, reduce_range} : (tensor<1x3xf32>, tensor<2x3x!wq>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0, %1, %2 : tensor<1x2x!out>, tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @activations
// CHECK: qnn.relu %{{.*}} : tensor<1x8xf32>
// CHECK: qnn.relu %{{.*}} : tensor<1x8x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK: qnn.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x8xf32>
// CHECK: qnn.clamp %{{.*}} {max = 1.000000e+00 : f32, min = -1.000000e+00 : f32} : tensor<1x8x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @activations(%x: tensor<1x8xf32>, %q: tensor<1x8x!act>) -> (tensor<1x8xf32>, tensor<1x8x!act>, tensor<1x8xf32>, tensor<1x8x!act>) {
  %0 = qnn.relu %x : tensor<1x8xf32>
  %1 = qnn.relu %q : tensor<1x8x!act>
  %2 = qnn.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8xf32>
  %3 = qnn.clamp %q {min = -1.0 : f32, max = 1.0 : f32} : tensor<1x8x!act>
  return %0, %1, %2, %3 : tensor<1x8xf32>, tensor<1x8x!act>, tensor<1x8xf32>, tensor<1x8x!act>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK: qnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
// CHECK: qnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<2x8x10xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x10xf32>
// CHECK: qnn.batch_norm {{.*}} : (tensor<2x8xf32>, {{.*}}) -> tensor<2x8xf32>
func.func @batch_norm(%x: tensor<1x8x4x4xf32>, %x1: tensor<2x8x10xf32>, %x0: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> (tensor<1x8x4x4xf32>, tensor<2x8x10xf32>, tensor<2x8xf32>) {
  %0 = qnn.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %1 = qnn.batch_norm %x1, %g, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<2x8x10xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x10xf32>
  %2 = qnn.batch_norm %x0, %g, %b, %m, %v : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0, %1, %2 : tensor<1x8x4x4xf32>, tensor<2x8x10xf32>, tensor<2x8xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @pooling
// CHECK: qnn.max_pool %{{.*}} {kernel_size = array<i64: 2, 2>} : tensor<1x8x28x28xf32> -> tensor<1x8x14x14xf32>
// CHECK: qnn.max_pool %{{.*}} {ceil_mode = true, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x28x28xf32> -> tensor<1x8x15x15xf32>
// CHECK: qnn.max_pool %{{.*}} {dilation = array<i64: 2>, kernel_size = array<i64: 3>, strides = array<i64: 1>} : tensor<1x8x45x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<1x8x41x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK: qnn.avg_pool %{{.*}} {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x28x28xf32> -> tensor<1x8x14x14xf32>
// CHECK: qnn.avg_pool %{{.*}} {kernel_size = array<i64: 2>} : tensor<1x8x45x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<1x8x22x!quant.uniform<u8:f32, 1.000000e-01:128>>
// ceil_mode drops a last window that would start in the right padding
// (PyTorch gives 3, not 4, here).
// CHECK: qnn.max_pool %{{.*}} {ceil_mode = true, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
// CHECK: qnn.adaptive_avg_pool %{{.*}} : tensor<1x8x28x28xf32> -> tensor<1x8x1x1xf32>
// CHECK: qnn.adaptive_avg_pool %{{.*}} : tensor<1x8x45x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<1x8x7x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @pooling(%x: tensor<1x8x28x28xf32>, %q: tensor<1x8x45x!act>, %s: tensor<1x1x5x5xf32>) -> (tensor<1x8x14x14xf32>, tensor<1x8x15x15xf32>, tensor<1x8x41x!act>, tensor<1x8x14x14xf32>, tensor<1x8x22x!act>, tensor<1x1x3x3xf32>, tensor<1x8x1x1xf32>, tensor<1x8x7x!act>) {
  %0 = qnn.max_pool %x {kernel_size = array<i64: 2, 2>} : tensor<1x8x28x28xf32> -> tensor<1x8x14x14xf32>
  %1 = qnn.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : tensor<1x8x28x28xf32> -> tensor<1x8x15x15xf32>
  %2 = qnn.max_pool %q {kernel_size = array<i64: 3>, strides = array<i64: 1>, dilation = array<i64: 2>} : tensor<1x8x45x!act> -> tensor<1x8x41x!act>
  %3 = qnn.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, count_include_pad = false} : tensor<1x8x28x28xf32> -> tensor<1x8x14x14xf32>
  %4 = qnn.avg_pool %q {kernel_size = array<i64: 2>} : tensor<1x8x45x!act> -> tensor<1x8x22x!act>
  %c = qnn.max_pool %s {kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %5 = qnn.adaptive_avg_pool %x : tensor<1x8x28x28xf32> -> tensor<1x8x1x1xf32>
  %6 = qnn.adaptive_avg_pool %q : tensor<1x8x45x!act> -> tensor<1x8x7x!act>
  return %0, %1, %2, %3, %4, %c, %5, %6 : tensor<1x8x14x14xf32>, tensor<1x8x15x15xf32>, tensor<1x8x41x!act>, tensor<1x8x14x14xf32>, tensor<1x8x22x!act>, tensor<1x1x3x3xf32>, tensor<1x8x1x1xf32>, tensor<1x8x7x!act>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:100>
!c = !quant.uniform<u8:f32, 0.3:0>

// CHECK-LABEL: func.func @add
// CHECK: qnn.add %{{.*}}, %{{.*}} : (tensor<1x8x7x7xf32>, tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
// CHECK: qnn.add %{{.*}}, %{{.*}} {activation = #qnn.activation<relu>} : (tensor<1x8x7x7x!quant.uniform<u8:f32, 1.000000e-01:128>>, tensor<1x8x7x7x!quant.uniform<u8:f32, 2.000000e-01:100>>) -> tensor<1x8x7x7x!quant.uniform<u8:f32, 3.000000e-01>>
func.func @add(%x: tensor<1x8x7x7xf32>, %y: tensor<1x8x7x7xf32>, %qa: tensor<1x8x7x7x!a>, %qb: tensor<1x8x7x7x!b>) -> (tensor<1x8x7x7xf32>, tensor<1x8x7x7x!c>) {
  %0 = qnn.add %x, %y : (tensor<1x8x7x7xf32>, tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  %1 = qnn.add %qa, %qb {activation = #qnn.activation<relu>} : (tensor<1x8x7x7x!a>, tensor<1x8x7x7x!b>) -> tensor<1x8x7x7x!c>
  return %0, %1 : tensor<1x8x7x7xf32>, tensor<1x8x7x7x!c>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @shapes
// CHECK: qnn.reshape %{{.*}} : tensor<1x16x5x5xf32> -> tensor<1x400xf32>
// CHECK: qnn.reshape %{{.*}} : tensor<1x16x5x5x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<16x25x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK: qnn.flatten %{{.*}} : tensor<1x16x5x5xf32> -> tensor<1x400xf32>
// CHECK: qnn.flatten %{{.*}} {end_dim = -2 : i64, start_dim = 0 : i64} : tensor<1x16x5x5x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<80x5x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK: qnn.flatten %{{.*}} : tensor<?x64x1xf32> -> tensor<?x64xf32>
func.func @shapes(%x: tensor<1x16x5x5xf32>, %q: tensor<1x16x5x5x!act>, %d: tensor<?x64x1xf32>) -> (tensor<1x400xf32>, tensor<16x25x!act>, tensor<1x400xf32>, tensor<80x5x!act>, tensor<?x64xf32>) {
  %0 = qnn.reshape %x : tensor<1x16x5x5xf32> -> tensor<1x400xf32>
  %1 = qnn.reshape %q : tensor<1x16x5x5x!act> -> tensor<16x25x!act>
  %2 = qnn.flatten %x : tensor<1x16x5x5xf32> -> tensor<1x400xf32>
  %3 = qnn.flatten %q {start_dim = 0 : i64, end_dim = -2 : i64} : tensor<1x16x5x5x!act> -> tensor<80x5x!act>
  %4 = qnn.flatten %d : tensor<?x64x1xf32> -> tensor<?x64xf32>
  return %0, %1, %2, %3, %4 : tensor<1x400xf32>, tensor<16x25x!act>, tensor<1x400xf32>, tensor<80x5x!act>, tensor<?x64xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @transpose
// CHECK: qnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x5x4xf32> -> tensor<1x5x4x16xf32>
// CHECK: qnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<?x16x5x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<?x5x16x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @transpose(%x: tensor<1x16x5x4xf32>, %q: tensor<?x16x5x!act>) -> (tensor<1x5x4x16xf32>, tensor<?x5x16x!act>) {
  %0 = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x5x4xf32> -> tensor<1x5x4x16xf32>
  %1 = qnn.transpose %q {permutation = array<i64: 0, 2, 1>} : tensor<?x16x5x!act> -> tensor<?x5x16x!act>
  return %0, %1 : tensor<1x5x4x16xf32>, tensor<?x5x16x!act>
}

// -----

// A calibrated observation point round-trips with its statistics.
// CHECK-LABEL: func.func @observe
// CHECK: qnn.observe %arg0 {ch_axis = 1 : i64, dtype = #qnn.dtype<qint8>, max = array<f32: 1.000000e+00, 2.000000e+00>, min = array<f32: -1.000000e+00, 0.000000e+00>, observer = #qnn.observer<per_channel_minmax>, qscheme = #qnn.qscheme<per_channel_symmetric>} : tensor<4x2xf32>
// CHECK: qnn.observe %arg0 {averaging_constant = 5.000000e-01 : f32, dtype = #qnn.dtype<quint8>, observer = #qnn.observer<moving_average_minmax>, qscheme = #qnn.qscheme<per_tensor_affine>, quant_max = 127 : i64, quant_min = 0 : i64, reduce_range}
func.func @observe(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %a = qnn.observe %x {observer = #qnn.observer<per_channel_minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_channel_symmetric>, ch_axis = 1, min = array<f32: -1.0, 0.0>, max = array<f32: 1.0, 2.0>} : tensor<4x2xf32>
  %b = qnn.observe %x {observer = #qnn.observer<moving_average_minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, averaging_constant = 0.5 : f32, quant_min = 0, quant_max = 127, reduce_range} : tensor<4x2xf32>
  return %a, %b : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!c = !quant.uniform<u8:f32, 0.3>

// CHECK-LABEL: func.func @cat
// CHECK: qnn.cat %{{.*}}, %{{.*}} {dim = 1 : i64} : (tensor<?x8x7x7xf32>, tensor<?x4x7x7xf32>) -> tensor<?x12x7x7xf32>
// CHECK: qnn.cat %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<2x8x!quant.uniform<u8:f32, 1.000000e-01:128>>, tensor<3x8x!quant.uniform<u8:f32, 3.000000e-01>>) -> tensor<5x8x!quant.uniform<u8:f32, 3.000000e-01>>
func.func @cat(%x: tensor<?x8x7x7xf32>, %y: tensor<?x4x7x7xf32>, %qa: tensor<2x8x!a>, %qc: tensor<3x8x!c>) -> (tensor<?x12x7x7xf32>, tensor<5x8x!c>) {
  %0 = qnn.cat %x, %y {dim = 1 : i64} : (tensor<?x8x7x7xf32>, tensor<?x4x7x7xf32>) -> tensor<?x12x7x7xf32>
  %1 = qnn.cat %qa, %qc {dim = 0 : i64} : (tensor<2x8x!a>, tensor<3x8x!c>) -> tensor<5x8x!c>
  return %0, %1 : tensor<?x12x7x7xf32>, tensor<5x8x!c>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>

// CHECK-LABEL: func.func @slice
// CHECK: qnn.slice %{{.*}} {dim = 1 : i64, start = 4 : i64} : tensor<?x8x5x5xf32> -> tensor<?x4x5x5xf32>
// CHECK: qnn.slice %{{.*}} {dim = 0 : i64, start = 1 : i64} : tensor<3x8x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<2x8x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @slice(%x: tensor<?x8x5x5xf32>, %q: tensor<3x8x!a>) -> (tensor<?x4x5x5xf32>, tensor<2x8x!a>) {
  %0 = qnn.slice %x {dim = 1 : i64, start = 4 : i64} : tensor<?x8x5x5xf32> -> tensor<?x4x5x5xf32>
  %1 = qnn.slice %q {dim = 0 : i64, start = 1 : i64} : tensor<3x8x!a> -> tensor<2x8x!a>
  return %0, %1 : tensor<?x4x5x5xf32>, tensor<2x8x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:128>
!b = !quant.uniform<u8:f32, 0.2:100>
!g = !quant.uniform<u8:f32, 0.00390625>

// CHECK-LABEL: func.func @mobilenet_v3_ops
// CHECK: qnn.hardswish %{{.*}} : tensor<1x8x7x7xf32> -> tensor<1x8x7x7xf32>
// CHECK: qnn.hardsigmoid %{{.*}} : tensor<1x8x1x1xf32> -> tensor<1x8x1x1xf32>
// CHECK: qnn.mul %{{.*}}, %{{.*}} : (tensor<1x8x1x1xf32>, tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
// CHECK: qnn.hardswish %{{.*}} : tensor<?x8x7x7x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<?x8x7x7x!quant.uniform<u8:f32, 2.000000e-01:100>>
// CHECK: qnn.hardsigmoid %{{.*}} : tensor<1x8x1x1x!quant.uniform<u8:f32, 1.000000e-01:128>> -> tensor<1x8x1x1x!quant.uniform<u8:f32, 3.906250e-03>>
// CHECK: qnn.mul %{{.*}}, %{{.*}} : (tensor<1x8x1x1x!quant.uniform<u8:f32, 3.906250e-03>>, tensor<?x8x7x7x!quant.uniform<u8:f32, 2.000000e-01:100>>) -> tensor<?x8x7x7x!quant.uniform<u8:f32, 1.000000e-01:128>>
func.func @mobilenet_v3_ops(%x: tensor<1x8x7x7xf32>, %p: tensor<1x8x1x1xf32>, %q: tensor<?x8x7x7x!a>, %qp: tensor<1x8x1x1x!a>) -> (tensor<1x8x7x7xf32>, tensor<?x8x7x7x!a>) {
  %h = qnn.hardswish %x : tensor<1x8x7x7xf32> -> tensor<1x8x7x7xf32>
  %g = qnn.hardsigmoid %p : tensor<1x8x1x1xf32> -> tensor<1x8x1x1xf32>
  %m = qnn.mul %g, %h : (tensor<1x8x1x1xf32>, tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  %qh = qnn.hardswish %q : tensor<?x8x7x7x!a> -> tensor<?x8x7x7x!b>
  %qg = qnn.hardsigmoid %qp : tensor<1x8x1x1x!a> -> tensor<1x8x1x1x!g>
  %qm = qnn.mul %qg, %qh : (tensor<1x8x1x1x!g>, tensor<?x8x7x7x!b>) -> tensor<?x8x7x7x!a>
  return %m, %qm : tensor<1x8x7x7xf32>, tensor<?x8x7x7x!a>
}

// -----

!a = !quant.uniform<u8:f32, 0.1:3>

// CHECK-LABEL: func.func @adaptive_centered
// CHECK: qnn.adaptive_avg_pool %{{.*}} {centered} : tensor<1x8x7x7x!quant.uniform<u8:f32, 1.000000e-01:3>> -> tensor<1x8x1x1x!quant.uniform<u8:f32, 1.000000e-01:3>>
func.func @adaptive_centered(%q: tensor<1x8x7x7x!a>) -> tensor<1x8x1x1x!a> {
  %y = qnn.adaptive_avg_pool %q {centered} : tensor<1x8x7x7x!a> -> tensor<1x8x1x1x!a>
  return %y : tensor<1x8x1x1x!a>
}
