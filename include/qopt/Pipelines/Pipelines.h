//===- Pipelines.h - qopt's named pass pipelines ----------------*- C++ -*-===//
//
// The pipelines the tools run, usable from C++ and, once registered, from
// the command line as --qnn-to-llvm.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

#include "qopt/Codegen/KernelISA.h"
#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace qopt {

/// qnn on tensors to the LLVM dialect, in separate stages:
///   0. code generation (with a kernel variant other than None):
///      qnn-to-kernels (quantized conv and linear to int8 kernel calls with
///      weights packed at compile time, NHWC), qnn-propagate-layout,
///      canonicalize;
///   1. convert-qnn-to-linalg, canonicalize, linalg elementwise fusion
///      (linalg on tensors);
///   2. one-shot bufferization across function boundaries (identity
///      layouts), ownership-based buffer deallocation, and memref.copy as
///      linalg.copy (no run-time library needed), then kernel calls as C
///      calls (qcg-lower-ukernels);
///   3. linalg to loops, then scf/cf/arith/math/memref/func to LLVM; with
///      kernels, buffers are allocated through MLIR's generic allocation
///      functions, which the kernel library implements with a cache of
///      freed blocks.
/// Results are returned as freshly allocated memrefs that the caller owns.
/// `mode` picks the requantization of quantized conv and linear; `kernels`
/// the kernel variant, whose definitions the module's LLVM IR must then be
/// linked with (qopt/Codegen/KernelLibrary.h).
void buildQNNToLLVMPipeline(mlir::OpPassManager &pm,
                            Requantization mode = Requantization::Float,
                            KernelISA kernels = KernelISA::None);

/// Registers --qnn-to-llvm with the pass registry.
void registerQoptPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
