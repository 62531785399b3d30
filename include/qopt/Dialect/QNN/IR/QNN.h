//===- QNN.h - qnn dialect declarations -------------------------*- C++ -*-===//
//
// The qnn dialect, its attributes and operations.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNN_H
#define QOPT_DIALECT_QNN_IR_QNN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qopt/Support/Observers.h"

namespace qopt::qnn {

/// Checks every ranked tensor operand and result of `op` against the rule
/// of include/qopt/Support/Shapes.h (dimensions of 1 to 2^31 - 1, at most
/// 2^32 elements).
mlir::LogicalResult verifyShapeLimits(mlir::Operation *op);

/// Every qnn op's shapes follow that rule, checked before its own verifier.
template <typename ConcreteType>
class ShapeLimits : public mlir::OpTrait::TraitBase<ConcreteType, ShapeLimits> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyShapeLimits(op);
  }
};

} // namespace qopt::qnn

#include "qopt/Dialect/QNN/IR/QNNOpsDialect.h.inc"

#include "qopt/Dialect/QNN/IR/QNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QNN/IR/QNNAttrs.h.inc"

#define GET_OP_CLASSES
#include "qopt/Dialect/QNN/IR/QNNOps.h.inc"

namespace qopt::qnn {

/// True if `type` (or its element type) is a uniform quantized type, per
/// tensor or per axis.
bool isQuantized(mlir::Type type);

} // namespace qopt::qnn

#endif // QOPT_DIALECT_QNN_IR_QNN_H
