//===- Passes.h - qopt code generation passes -------------------*- C++ -*-===//
//
// Declarations of the code generation passes and their pattern sets.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_TRANSFORMS_PASSES_H
#define QOPT_CODEGEN_TRANSFORMS_PASSES_H

#include "qopt/Codegen/IR/QCG.h"
#include "qopt/Codegen/KernelISA.h"
#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Codegen/Transforms/Passes.h.inc"

/// Patterns replacing quantized conv and linear by kernel calls of `isa`
/// (not None).
void populateQNNToKernelsPatterns(mlir::RewritePatternSet &patterns,
                                  KernelISA isa, Requantization mode,
                                  int64_t torchThreads = 0);

/// Patterns moving qnn.transpose below elementwise operations.
void populatePropagateLayoutPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "qopt/Codegen/Transforms/Passes.h.inc"

} // namespace qopt

#endif // QOPT_CODEGEN_TRANSFORMS_PASSES_H
