// RUN: qopt %s --split-input-file --qnn-fold-batchnorm | FileCheck %s

// Channel 0: gamma 2, var 3 + eps 1 -> rsqrt 0.5, scale 1; bias
// ((3 - 1) * 0.5) * 2 + 0.5 = 2.5. Channel 1: gamma 1, var 15 + 1 -> rsqrt
// 0.25, scale 0.25; bias ((4 - 0) * 0.25) * 1 + 0 = 1.
// CHECK-LABEL: func.func @conv2d_with_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00]]], {{\[\[\[}}5.000000e-01, 5.000000e-01], [5.000000e-01, 5.000000e-01]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.500000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = qnn.conv %[[X]], %[[W]], %[[B]] {padding = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
// CHECK-NOT: qnn.batch_norm
// CHECK: return %[[C]]
func.func @conv2d_with_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x5x5xf32> {
  %w = arith.constant dense<[[[[1.0, 1.0], [1.0, 1.0]]], [[[2.0, 2.0], [2.0, 2.0]]]]> : tensor<2x1x2x2xf32>
  %b = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %c = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  %n = qnn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  return %n : tensor<1x2x5x5xf32>
}

// -----

// Without a bias the folded bias is (0 - mean) * rsqrt * gamma + beta.
// CHECK-LABEL: func.func @conv1d_without_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00]]]> : tensor<1x1x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<-1.500000e+00> : tensor<1xf32>
// CHECK: qnn.conv %{{.*}}, %[[W]], %[[B]] {strides = array<i64: 2>} : (tensor<2x1x9xf32>, tensor<1x1x3xf32>, tensor<1xf32>) -> tensor<2x1x4xf32>
// CHECK-NOT: qnn.batch_norm
func.func @conv1d_without_bias(%x: tensor<2x1x9xf32>) -> tensor<2x1x4xf32> {
  %w = arith.constant dense<[[[1.0, 2.0, 3.0]]]> : tensor<1x1x3xf32>
  %g = arith.constant dense<4.0> : tensor<1xf32>
  %beta = arith.constant dense<0.5> : tensor<1xf32>
  %m = arith.constant dense<1.0> : tensor<1xf32>
  %v = arith.constant dense<3.0> : tensor<1xf32>
  %c = qnn.conv %x, %w {strides = array<i64: 2>} : (tensor<2x1x9xf32>, tensor<1x1x3xf32>) -> tensor<2x1x4xf32>
  %n = qnn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<2x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x1x4xf32>
  return %n : tensor<2x1x4xf32>
}

// -----

// Depthwise: each output channel has its own scale.
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}2.500000e-01]]]> : tensor<2x1x1xf32>
// CHECK: qnn.conv %{{.*}}, %[[W]], %{{.*}} {groups = 2 : i64}
// CHECK-NOT: qnn.batch_norm
func.func @depthwise(%x: tensor<1x2x5xf32>) -> tensor<1x2x5xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1xf32>
  %g = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %c = qnn.conv %x, %w {groups = 2 : i64} : (tensor<1x2x5xf32>, tensor<2x1x1xf32>) -> tensor<1x2x5xf32>
  %n = qnn.batch_norm %c, %g, %z, %z, %v {epsilon = 1.0 : f32} : (tensor<1x2x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
  return %n : tensor<1x2x5xf32>
}

// -----

// Linear + BatchNorm1d: bias (b - mean) * (gamma * rsqrt) + beta
// = (3 - 1) * 1 + 0.5 = 2.5 and (4 - 0) * 0.25 = 1.
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.500000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: qnn.linear %{{.*}}, %[[W]], %[[B]] : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NOT: qnn.batch_norm
func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [4.0, 8.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %y = qnn.linear %x, %w, %b : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %n = qnn.batch_norm %y, %g, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %n : tensor<3x2xf32>
}

// -----

// Large folded weights become dense_resource blobs.
// CHECK-LABEL: func.func @large_weight
// CHECK: %[[W:.*]] = arith.constant dense_resource<weight{{.*}}> : tensor<32x32x3xf32>
// CHECK: qnn.conv %{{.*}}, %[[W]], %{{.*}} :
// CHECK-NOT: qnn.batch_norm
// CHECK: dialect_resources
func.func @large_weight(%x: tensor<1x32x8xf32>) -> tensor<1x32x6xf32> {
  %w = arith.constant dense<0.5> : tensor<32x32x3xf32>
  %one = arith.constant dense<1.0> : tensor<32xf32>
  %zero = arith.constant dense<0.0> : tensor<32xf32>
  %c = qnn.conv %x, %w : (tensor<1x32x8xf32>, tensor<32x32x3xf32>) -> tensor<1x32x6xf32>
  %n = qnn.batch_norm %c, %one, %zero, %zero, %one : (tensor<1x32x6xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<1x32x6xf32>
  return %n : tensor<1x32x6xf32>
}

// -----

// Left alone: the conv result has another user.
// CHECK-LABEL: func.func @conv_has_other_user
// CHECK: %[[C:.*]] = qnn.conv
// CHECK: %[[N:.*]] = qnn.batch_norm %[[C]]
// CHECK: return %[[C]], %[[N]]
func.func @conv_has_other_user(%x: tensor<1x1x4xf32>, %p: tensor<1xf32>) -> (tensor<1x1x4xf32>, tensor<1x1x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1xf32>
  %c = qnn.conv %x, %w : (tensor<1x1x4xf32>, tensor<1x1x1xf32>) -> tensor<1x1x4xf32>
  %n = qnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  return %c, %n : tensor<1x1x4xf32>, tensor<1x1x4xf32>
}

// -----

// Left alone: relu comes before the batch_norm.
// CHECK-LABEL: func.func @activation_before_batch_norm
// CHECK: qnn.conv {{.*}}activation = #qnn.activation<relu>
// CHECK: qnn.batch_norm
func.func @activation_before_batch_norm(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %c = qnn.conv %x, %w {activation = #qnn.activation<relu>} : (tensor<1x1x4xf32>, tensor<1x1x1xf32>) -> tensor<1x1x4xf32>
  %n = qnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  return %n : tensor<1x1x4xf32>
}

// -----

// Left alone: weights that are not constants, a batch_norm with no conv or
// linear before it, and a rank-3 linear (dimension 1 is not its features).
// CHECK-LABEL: func.func @not_foldable
// CHECK-COUNT-3: qnn.batch_norm
func.func @not_foldable(%x: tensor<1x1x4xf32>, %w: tensor<1x1x1xf32>, %l: tensor<2x3x4xf32>, %lw: tensor<3x4xf32>) -> (tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<2x3x3xf32>) {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %p3 = arith.constant dense<1.0> : tensor<3xf32>
  %c = qnn.conv %x, %w : (tensor<1x1x4xf32>, tensor<1x1x1xf32>) -> tensor<1x1x4xf32>
  %n = qnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  %s = qnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  %y = qnn.linear %l, %lw : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x3xf32>
  %m = qnn.batch_norm %y, %p3, %p3, %p3, %p3 : (tensor<2x3x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x3xf32>
  return %n, %s, %m : tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<2x3x3xf32>
}
