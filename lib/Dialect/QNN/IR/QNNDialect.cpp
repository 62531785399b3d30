//===- QNNDialect.cpp - qnn dialect registration ----------------*- C++ -*-===//
//
// Registers the qnn dialect's operations and attributes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qopt::qnn;

#include "qopt/Dialect/QNN/IR/QNNOpsDialect.cpp.inc"

#include "qopt/Dialect/QNN/IR/QNNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QNN/IR/QNNAttrs.cpp.inc"

void QNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qopt/Dialect/QNN/IR/QNNOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qopt/Dialect/QNN/IR/QNNAttrs.cpp.inc"
      >();
}
