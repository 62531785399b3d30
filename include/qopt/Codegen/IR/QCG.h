//===- QCG.h - qopt code generation dialect ---------------------*- C++ -*-===//
//
// The qcg dialect and its operation, and the registration of its
// bufferization model.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_IR_QCG_H
#define QOPT_CODEGEN_IR_QCG_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qopt/Codegen/IR/QCGOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "qopt/Codegen/IR/QCGOps.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt::qcg {

/// Registers qcg.ukernel's BufferizableOpInterface model.
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);

} // namespace qopt::qcg

#endif // QOPT_CODEGEN_IR_QCG_H
