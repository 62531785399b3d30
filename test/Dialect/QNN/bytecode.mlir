// RUN: qopt %s --emit-bytecode | qopt | FileCheck %s
// Attributes, properties and quantized types survive a bytecode round trip.

!act = !quant.uniform<u8:f32, 0.0235:3>
!out = !quant.uniform<u8:f32, 0.0473:0>
!wq = !quant.uniform<i8:f32:0, {0.011, 0.012}>

// CHECK-LABEL: func.func @model
// CHECK: %[[Q:.*]] = qnn.quantize %{{.*}} : tensor<1x2x8xf32> -> tensor<1x2x8x!quant.uniform<u8:f32, 2.350000e-02:3>>
// CHECK: %[[W:.*]] = quant.scast %{{.*}} : tensor<2x2x3xi8> to tensor<2x2x3x!quant.uniform<i8:f32:0, {1.100000e-02,1.200000e-02}>>
// CHECK: %[[C:.*]] = qnn.conv %[[Q]], %[[W]], %{{.*}} {activation = #qnn.activation<relu6>, padding = array<i64: 1>, strides = array<i64: 2>} : {{.*}} -> tensor<1x2x4x!quant.uniform<u8:f32, 4.730000e-02>>
// CHECK: %[[P:.*]] = qnn.max_pool %[[C]] {ceil_mode = true, kernel_size = array<i64: 3>}
// CHECK: %[[D:.*]] = qnn.dequantize %[[P]]
// CHECK: qnn.flatten %[[D]] {start_dim = 0 : i64}
func.func @model(%x: tensor<1x2x8xf32>, %b: tensor<2xf32>) -> tensor<4xf32> {
  %q = qnn.quantize %x : tensor<1x2x8xf32> -> tensor<1x2x8x!act>
  %wi = arith.constant dense<[[[1, -2, 3], [4, -5, 6]], [[-7, 8, -9], [10, -11, 12]]]> : tensor<2x2x3xi8>
  %w = quant.scast %wi : tensor<2x2x3xi8> to tensor<2x2x3x!wq>
  %c = qnn.conv %q, %w, %b {strides = array<i64: 2>, padding = array<i64: 1>, activation = #qnn.activation<relu6>} : (tensor<1x2x8x!act>, tensor<2x2x3x!wq>, tensor<2xf32>) -> tensor<1x2x4x!out>
  %p = qnn.max_pool %c {kernel_size = array<i64: 3>, ceil_mode = true} : tensor<1x2x4x!out> -> tensor<1x2x2x!out>
  %d = qnn.dequantize %p : tensor<1x2x2x!out> -> tensor<1x2x2xf32>
  %f = qnn.flatten %d {start_dim = 0 : i64} : tensor<1x2x2xf32> -> tensor<4xf32>
  return %f : tensor<4xf32>
}
