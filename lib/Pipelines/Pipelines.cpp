//===- Pipelines.cpp - qopt's named pass pipelines --------------*- C++ -*-===//
//
// The qnn-to-llvm pipeline.
//
//===----------------------------------------------------------------------===//

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Codegen/Transforms/Passes.h"
#include "qopt/Conversion/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct QNNToLLVMOptions : PassPipelineOptions<QNNToLLVMOptions> {
  Option<std::string> requantization{
      *this, "requantization",
      llvm::cl::desc("Requantization of quantized conv and linear: 'float' "
                     "(PyTorch's x86 arithmetic, FBGEMM's), 'onednn' "
                     "(PyTorch's onednn engine) or 'integer' (int32 "
                     "multiplier and shift)"),
      llvm::cl::init("float")};
  Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc(
          "Int8 kernels for quantized conv and linear: 'none' "
          "(linalg loops, a self-contained module), 'generic', "
          "'avx2', 'avxvnni', 'avx512vnni' or 'amx' (calls into qopt's kernel "
          "library, which qcc and qrun link in)"),
      llvm::cl::init("none")};
};
} // namespace

void qopt::buildQNNToLLVMPipeline(OpPassManager &pm, Requantization mode,
                                  KernelISA kernels) {
  std::string requantization = mode == Requantization::Integer  ? "integer"
                               : mode == Requantization::OneDnn ? "onednn"
                                                                : "float";
  // Stage 0: code generation.
  if (kernels != KernelISA::None) {
    QNNToKernelsOptions options;
    options.isa = stringifyKernelISA(kernels).str();
    options.requantization = requantization;
    pm.addPass(createQNNToKernels(options));
    pm.addPass(createQNNPropagateLayout());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createQNNTransposeToKernels());
  }

  // Stage 1: linalg on tensors.
  ConvertQNNToLinalgOptions lowering;
  lowering.requantization = requantization;
  pm.addPass(createConvertQNNToLinalg(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCSEPass());

  // Stage 2: buffers.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  // Clones (of returned views of arguments, say) become alloc + copy, and
  // every copy becomes linalg.copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createMemRefCopyToLinalg());
  if (kernels != KernelISA::None)
    pm.addPass(createQCGLowerUKernels());

  // Stage 3: loops and LLVM.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createSCFToControlFlowPass());
  // After expand-strided-metadata, which emits affine.apply of its own.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // With kernels, buffers come from the kernel library's allocator, which
  // keeps freed blocks for the next call (lib/Codegen/Kernels/Allocator.c).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = kernels != KernelISA::None;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void qopt::registerQoptPipelines() {
  PassPipelineRegistration<QNNToLLVMOptions>(
      "qnn-to-llvm",
      "Lower qnn on tensors to the LLVM dialect (linalg, bufferization, "
      "loops, LLVM)",
      [](OpPassManager &pm, const QNNToLLVMOptions &options) {
        // An unknown mode or variant reaches the pass that reports it.
        std::optional<Requantization> mode =
            parseRequantization(options.requantization);
        std::optional<KernelISA> kernels = parseKernelISA(options.kernels);
        if (mode && kernels) {
          buildQNNToLLVMPipeline(pm, *mode, *kernels);
          return;
        }
        if (!kernels) {
          QNNToKernelsOptions codegen;
          codegen.isa = options.kernels;
          pm.addPass(createQNNToKernels(codegen));
          return;
        }
        ConvertQNNToLinalgOptions lowering;
        lowering.requantization = options.requantization;
        pm.addPass(createConvertQNNToLinalg(lowering));
      });
}
