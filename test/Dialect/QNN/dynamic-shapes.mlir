// RUN: qopt %s --split-input-file --verify-diagnostics | FileCheck %s
// Dynamic dimensions (a batch size chosen at run time, typically) are
// accepted wherever the static rules cannot be checked, and static
// dimensions next to them are still checked.

// CHECK-LABEL: func.func @dynamic_batch_and_spatial
// CHECK: qnn.conv {{.*}} -> tensor<?x8x?x?xf32>
// CHECK: qnn.max_pool {{.*}} -> tensor<?x8x?x?xf32>
func.func @dynamic_batch_and_spatial(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32> {
  %c = qnn.conv %x, %w : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32>
  %p = qnn.max_pool %c {kernel_size = array<i64: 2, 2>} : tensor<?x8x?x?xf32> -> tensor<?x8x?x?xf32>
  return %p : tensor<?x8x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_channels
// CHECK: qnn.linear {{.*}} -> tensor<?x?xf32>
// CHECK: qnn.reshape {{.*}} -> tensor<?xf32>
func.func @dynamic_channels(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?xf32> {
  %y = qnn.linear %x, %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = qnn.reshape %y : tensor<?x?xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @static_spatial_still_checked(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op result spatial dimension 1 is 5, but input size 8, kernel 3, stride 1, padding 0, dilation 1 give 6}}
  %c = qnn.conv %x, %w : (tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x6x5xf32>
  return
}

// -----

func.func @static_channels_still_checked(%x: tensor<?x4x8xf32>, %w: tensor<8x3x3xf32>) {
  // expected-error @+1 {{'qnn.conv' op weight expects 3 input channels per group x 1 groups = 3 input channels, but the input has 4}}
  %c = qnn.conv %x, %w : (tensor<?x4x8xf32>, tensor<8x3x3xf32>) -> tensor<?x8x6xf32>
  return
}
