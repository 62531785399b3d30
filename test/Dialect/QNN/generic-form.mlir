// RUN: qopt %s --split-input-file --verify-diagnostics | FileCheck %s
// The generic form: properties may omit the attributes that have defaults,
// prints back in the custom form, and is verified like the custom form.

// CHECK-LABEL: func.func @defaults_from_generic
// CHECK: qnn.conv %{{.*}}, %{{.*}} : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
// CHECK: qnn.flatten %{{.*}} : tensor<1x2x6xf32> -> tensor<1x12xf32>
// CHECK: qnn.batch_norm {{.*}} : (tensor<1x12xf32>
func.func @defaults_from_generic(%x: tensor<1x1x8xf32>, %w: tensor<2x1x3xf32>, %p: tensor<12xf32>) -> tensor<1x12xf32> {
  %c = "qnn.conv"(%x, %w) : (tensor<1x1x8xf32>, tensor<2x1x3xf32>) -> tensor<1x2x6xf32>
  %f = "qnn.flatten"(%c) : (tensor<1x2x6xf32>) -> tensor<1x12xf32>
  %n = "qnn.batch_norm"(%f, %p, %p, %p, %p) : (tensor<1x12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>) -> tensor<1x12xf32>
  return %n : tensor<1x12xf32>
}

// -----

// CHECK-LABEL: func.func @explicit_properties
// CHECK: qnn.conv %{{.*}}, %{{.*}} {activation = #qnn.activation<relu6>, groups = 2 : i64, strides = array<i64: 2>}
func.func @explicit_properties(%x: tensor<1x2x9xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x4xf32> {
  %c = "qnn.conv"(%x, %w) <{strides = array<i64: 2>, groups = 2 : i64, activation = #qnn.activation<relu6>}> : (tensor<1x2x9xf32>, tensor<4x1x3xf32>) -> tensor<1x4x4xf32>
  return %c : tensor<1x4x4xf32>
}

// -----

func.func @generic_is_verified(%x: tensor<1x2x9xf32>, %w: tensor<4x1x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op input channels (2) must be divisible by groups (4)}}
  %c = "qnn.conv"(%x, %w) <{groups = 4 : i64}> : (tensor<1x2x9xf32>, tensor<4x1x3xf32>) -> tensor<1x4x7xf32>
  return
}

// -----

func.func @operand_count(%x: tensor<1x2x9xf32>) {
  // expected-error @+1 {{'qnn.conv' op expected 2 or more operands, but found 1}}
  %c = "qnn.conv"(%x) : (tensor<1x2x9xf32>) -> tensor<1x4x7xf32>
  return
}
