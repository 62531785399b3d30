// RUN: qopt %s --qcg-lower-ukernels | FileCheck %s

// Each buffer is passed as the address of its first element (aligned
// pointer plus offset in bytes), each scalar as i64; the kernel is a
// private declaration of that signature.
// CHECK-LABEL: func.func private @qopt_k(!llvm.ptr, !llvm.ptr, i64)
// CHECK-LABEL: func.func @call
// CHECK-SAME: (%[[X:.*]]: memref<8xi32, strided<[1], offset: 2>>, %[[Y:.*]]: memref<4xf32>, %[[N:.*]]: index)
// CHECK: %[[XA:.*]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: %[[XB:.*]], %[[XO:.*]], %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[X]]
// CHECK: %[[XOB:.*]] = arith.muli %[[XO]], %[[C4:.*]] : index
// CHECK: %[[XS:.*]] = arith.addi %[[XA]], %[[XOB]] : index
// CHECK: %[[XI:.*]] = arith.index_cast %[[XS]] : index to i64
// CHECK: %[[XP:.*]] = llvm.inttoptr %[[XI]] : i64 to !llvm.ptr
// CHECK: %[[YP:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: call @qopt_k(%[[XP]], %[[YP]], %[[NI]]) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-NOT: qcg.ukernel
func.func @call(%x: memref<8xi32, strided<[1], offset: 2>>, %y: memref<4xf32>, %n: index) {
  qcg.ukernel "qopt_k" ins(%x : memref<8xi32, strided<[1], offset: 2>>) outs(%y : memref<4xf32>) scalars(%n : index)
  return
}

