//===- qopt-fuzz-ir.cpp - libFuzzer target for qnn IR ----------*- C++ -*-===//
//
// The input is MLIR text. It is parsed (and so verified) in a context with
// qopt's dialects; a module that verifies goes through each qnn pass alone
// and through the qnn-to-llvm pipeline with and without kernels, each on a
// clone. Diagnostics are dropped: a diagnostic is a correct answer to a bad
// input; a crash, a sanitizer report or a failed assertion is not.
// docs/Robustness.md says how to run it.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelISA.h"
#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/InitQopt.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/SourceCheck.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

using namespace mlir;

namespace {

/// Each pass of include/qopt/Dialect/QNN/Transforms/Passes.td alone (with
/// the options that choose other code paths), the canonicalizer (qnn's
/// folds and canonicalization patterns) and a calibrated model's way to
/// int8 code, as textual pipelines on builtin.module.
const char *const kPipelines[] = {
    "qnn-fold-batchnorm",
    "qnn-fuse",
    "canonicalize",
    "func.func(qnn-insert-observers)",
    "func.func(qnn-insert-observers{qconfig=default workflow=fx})",
    "func.func(qnn-insert-observers{qconfig=qnnpack "
    "activation-observer=moving_average_minmax weight-observer=minmax})",
    "qnn-propagate-scales",
    "qnn-propagate-scales{explain=true}",
    "qnn-quantize",
    "qnn-quantize-dynamic",
    "qnn-quantize-dynamic{qconfig=qnnpack per-channel=true}",
    "func.func(qnn-expose-layers)",
    "qnn-extract-layer",
    "qnn-extract-layer{index=1}",
    "qnn-propagate-scales,qnn-quantize,"
    "qnn-to-llvm{kernels=generic requantization=integer}",
};

/// The qnn-to-llvm variants: linalg loops and each kernel family.
const struct {
  qopt::Requantization mode;
  qopt::KernelISA kernels;
} kLowerings[] = {
    {qopt::Requantization::Float, qopt::KernelISA::None},
    {qopt::Requantization::Integer, qopt::KernelISA::None},
    {qopt::Requantization::Float, qopt::KernelISA::Generic},
    {qopt::Requantization::Float, qopt::KernelISA::AVX2},
    {qopt::Requantization::Integer, qopt::KernelISA::AVX512VNNI},
};

DialectRegistry &getRegistry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    qopt::registerQoptDialects(*r);
    return r;
  }();
  return *registry;
}

/// Runs `pm` on a clone of `module`; the outcome does not matter.
void runOnClone(PassManager &pm, ModuleOp module) {
  OwningOpRef<ModuleOp> clone(module.clone());
  (void)pm.run(*clone);
}

} // namespace

/// Debian's libLLVM.so and libMLIR.so are not instrumented: an LLVM
/// allocator inlined here poisons memory that their copy then hands out
/// without unpoisoning (docs/Robustness.md). Built in, so that a crash
/// reproduces without environment variables.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  qopt::registerQoptPasses();
  // A pipeline that does not parse is a bug of this target, not a finding.
  MLIRContext context(getRegistry());
  for (const char *pipeline : kPipelines) {
    PassManager pm(&context);
    std::string error;
    llvm::raw_string_ostream os(error);
    if (failed(parsePassPipeline(pipeline, pm, os))) {
      llvm::errs() << "qopt-fuzz-ir: bad pipeline '" << pipeline
                   << "': " << error << "\n";
      std::abort();
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: nothing an input interns or breaks outlives
  // it, so every crash reproduces from its file alone.
  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &) { return success(); });

  // What crashes MLIR 22's own parser is refused before parsing, as the
  // tools refuse it (qopt/Support/SourceCheck.h).
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (llvm::Error err = qopt::checkSourceForParserCrashes(text, "input")) {
    llvm::consumeError(std::move(err));
    return 0;
  }
  // The lexer expects a null-terminated buffer; libFuzzer's has no
  // terminator.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz-input.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return 0; // did not parse or did not verify

  for (const char *pipeline : kPipelines) {
    PassManager pm(&context);
    if (failed(parsePassPipeline(pipeline, pm)))
      std::abort(); // checked in LLVMFuzzerInitialize
    runOnClone(pm, *module);
  }
  for (const auto &lowering : kLowerings) {
    PassManager pm(&context);
    qopt::buildQNNToLLVMPipeline(pm, lowering.mode, lowering.kernels);
    runOnClone(pm, *module);
  }
  return 0;
}
