// RUN: qopt %s --split-input-file --qnn-fuse | FileCheck %s
// RUN: qopt %s --split-input-file --qnn-fuse="relu6=false" | FileCheck %s --check-prefix=NORELU6

// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[C:.*]] = qnn.conv %{{.*}}, %{{.*}} {activation = #qnn.activation<relu>}
// CHECK-NOT: qnn.relu
// CHECK: return %[[C]]
func.func @conv_relu(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> tensor<1x2x6xf32> {
  %c = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %r = qnn.relu %c : tensor<1x2x6xf32>
  return %r : tensor<1x2x6xf32>
}

// -----

// Without relu6 fusion (qrun --qconfig: PyTorch observes a conv or linear
// before its ReLU6) the clamp stays; relu still fuses.
// NORELU6-LABEL: func.func @linear_relu6_and_add_relu
// NORELU6: %[[L:.*]] = qnn.linear %{{.*}}, %{{.*}} : (
// NORELU6: %[[C:.*]] = qnn.clamp %[[L]]
// NORELU6: qnn.add %[[C]], %[[C]] {activation = #qnn.activation<relu>}
// CHECK-LABEL: func.func @linear_relu6_and_add_relu
// CHECK: %[[L:.*]] = qnn.linear %{{.*}}, %{{.*}} {activation = #qnn.activation<relu6>}
// CHECK: %[[A:.*]] = qnn.add %[[L]], %[[L]] {activation = #qnn.activation<relu>}
// CHECK-NOT: qnn.clamp
// CHECK-NOT: qnn.relu
// CHECK: return %[[A]]
func.func @linear_relu6_and_add_relu(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %l = qnn.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %c = qnn.clamp %l {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %a = qnn.add %c, %c : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = qnn.relu %a : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

!act = !quant.uniform<u8:f32, 0.1:128>
!out = !quant.uniform<u8:f32, 0.2:10>
!wq = !quant.uniform<i8:f32:0, {0.1, 0.2}>

// Exact in the quantized domain as well: relu keeps the result's scale.
// CHECK-LABEL: func.func @quantized_conv_relu
// CHECK: qnn.conv {{.*}}{activation = #qnn.activation<relu>} : {{.*}} -> tensor<1x2x6x!quant.uniform<u8:f32, 2.000000e-01:10>>
// CHECK-NOT: qnn.relu
func.func @quantized_conv_relu(%x: tensor<1x1x8x!act>, %w: tensor<2x1x3x!wq>) -> tensor<1x2x6x!out> {
  %c = qnn.conv %x, %w : (tensor<1x1x8x!act>, tensor<2x1x3x!wq>) -> tensor<1x2x6x!out>
  %r = qnn.relu %c : tensor<1x2x6x!out>
  return %r : tensor<1x2x6x!out>
}

// -----

// Left alone: the pre-activation value has another user.
// CHECK-LABEL: func.func @other_user
// CHECK: %[[C:.*]] = qnn.conv %{{.*}}, %{{.*}} :
// CHECK: %[[R:.*]] = qnn.relu %[[C]]
// CHECK: return %[[C]], %[[R]]
func.func @other_user(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> (tensor<1x2x6xf32>, tensor<1x2x6xf32>) {
  %c = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %r = qnn.relu %c : tensor<1x2x6xf32>
  return %c, %r : tensor<1x2x6xf32>, tensor<1x2x6xf32>
}

// -----

// Left alone: a clamp that is not relu6, and relu after an op that cannot
// fuse it.
// CHECK-LABEL: func.func @not_fusable
// CHECK: qnn.clamp %{{.*}} {max = 5.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: qnn.max_pool
// CHECK: qnn.relu
func.func @not_fusable(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> (tensor<1x2x6xf32>, tensor<1x1x4xf32>) {
  %c = qnn.conv %x, %w : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %k = qnn.clamp %c {min = 0.0 : f32, max = 5.0 : f32} : tensor<1x2x6xf32>
  %p = qnn.max_pool %x {kernel_size = array<i64: 2>} : tensor<1x1x8xf32> -> tensor<1x1x4xf32>
  %r = qnn.relu %p : tensor<1x1x4xf32>
  return %k, %r : tensor<1x2x6xf32>, tensor<1x1x4xf32>
}

// -----

// A relu after an already fused relu6 is a no-op and disappears (fold).
// CHECK-LABEL: func.func @relu_after_fused
// CHECK: %[[C:.*]] = qnn.conv {{.*}}activation = #qnn.activation<relu6>
// CHECK-NOT: qnn.relu
// CHECK: return %[[C]]
func.func @relu_after_fused(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>) -> tensor<1x2x6xf32> {
  %c = qnn.conv %x, %w {activation = #qnn.activation<relu6>} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %r = qnn.relu %c : tensor<1x2x6xf32>
  return %r : tensor<1x2x6xf32>
}
