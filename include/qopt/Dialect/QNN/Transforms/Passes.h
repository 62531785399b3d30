//===- Passes.h - qnn graph transformations ---------------------*- C++ -*-===//
//
// Declarations of the qnn passes and their pattern sets.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H
#define QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace qopt::qnn {

#define GEN_PASS_DECL
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"

/// Patterns folding batch_norm into a preceding conv or linear.
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

/// Patterns fusing relu (and with `relu6`, relu6) into a preceding conv,
/// linear or add.
void populateFusePatterns(mlir::RewritePatternSet &patterns, bool relu6 = true);

#define GEN_PASS_REGISTRATION
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"

} // namespace qopt::qnn

#endif // QOPT_DIALECT_QNN_TRANSFORMS_PASSES_H
