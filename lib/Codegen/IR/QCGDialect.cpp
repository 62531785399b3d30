//===- QCGDialect.cpp - qopt code generation dialect ------------*- C++ -*-===//
//
// The qcg dialect, qcg.ukernel's verifier and memory effects, and its
// bufferization: inputs are read, outputs are written in place and never
// read, so an output that comes from tensor.empty bufferizes to a plain
// allocation.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/IR/QCG.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace qopt::qcg;

#include "qopt/Codegen/IR/QCGOpsDialect.cpp.inc"

void QCGDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qopt/Codegen/IR/QCGOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "qopt/Codegen/IR/QCGOps.cpp.inc"

LogicalResult UKernelOp::verify() {
  if (getName().empty())
    return emitOpError() << "needs the name of a kernel";
  if (getOutputs().empty())
    return emitOpError() << "needs at least one output";
  bool onTensors = isa<RankedTensorType>(getOutputs().front().getType());
  for (Value v : llvm::concat<Value>(getInputs(), getOutputs()))
    if (isa<RankedTensorType>(v.getType()) != onTensors)
      return emitOpError() << "operands must be all tensors or all memrefs";
  if (!onTensors) {
    if (!getResults().empty())
      return emitOpError() << "on memrefs has no results";
    return success();
  }
  if (getResults().size() != getOutputs().size())
    return emitOpError() << "on tensors has one result per output: "
                         << getOutputs().size() << " outputs but "
                         << getResults().size() << " results";
  for (auto [i, output, result] : llvm::enumerate(getOutputs(), getResults()))
    if (output.getType() != result.getType())
      return emitOpError() << "result " << i << " has type " << result.getType()
                           << " but output " << i << " has type "
                           << output.getType();
  return success();
}

void UKernelOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : getInputsMutable())
    if (isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  for (OpOperand &operand : getOutputsMutable())
    if (isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
}

namespace {

/// `buffer`, or a dense copy of it when its layout is not the identity (a
/// kernel reads and writes dense row-major buffers). `copyIn` copies the
/// contents over.
FailureOr<Value> denseBuffer(RewriterBase &rewriter, Location loc, Value buffer,
                             const bufferization::BufferizationOptions &options,
                             bool copyIn) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getLayout().isIdentity())
    return buffer;
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(memref::DimOp::create(rewriter, loc, buffer, i));
  auto denseType =
      MemRefType::get(type.getShape(), type.getElementType(),
                      MemRefLayoutAttrInterface(), type.getMemorySpace());
  FailureOr<Value> dense = options.createAlloc(rewriter, loc, denseType, sizes);
  if (failed(dense))
    return failure();
  if (copyIn && failed(options.createMemCpy(rewriter, loc, buffer, *dense)))
    return failure();
  return *dense;
}

struct UKernelBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<
          UKernelBufferization, UKernelOp> {
  /// The kernel overwrites its outputs without reading them.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto kernel = cast<UKernelOp>(op);
    Location loc = op->getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> inputs, outputs, denseOutputs;
    for (Value input : kernel.getInputs()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, input, options, state);
      if (failed(buffer))
        return failure();
      FailureOr<Value> dense =
          denseBuffer(rewriter, loc, *buffer, options, /*copyIn=*/true);
      if (failed(dense))
        return failure();
      inputs.push_back(*dense);
    }
    for (Value output : kernel.getOutputs()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, output, options, state);
      if (failed(buffer))
        return failure();
      FailureOr<Value> dense =
          denseBuffer(rewriter, loc, *buffer, options, /*copyIn=*/false);
      if (failed(dense))
        return failure();
      outputs.push_back(*buffer);
      denseOutputs.push_back(*dense);
    }
    UKernelOp::create(rewriter, loc, TypeRange{}, kernel.getName(), inputs,
                      denseOutputs, kernel.getScalars());
    for (auto [output, dense] : llvm::zip_equal(outputs, denseOutputs))
      if (output != dense &&
          failed(options.createMemCpy(rewriter, loc, dense, output)))
        return failure();
    bufferization::replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

} // namespace

void qopt::qcg::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, QCGDialect *) {
    UKernelOp::attachInterface<UKernelBufferization>(*ctx);
  });
}
