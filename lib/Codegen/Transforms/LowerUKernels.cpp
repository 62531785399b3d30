//===- LowerUKernels.cpp - qcg.ukernel to C calls ---------------*- C++ -*-===//
//
// A kernel call on memrefs becomes a call of the kernel's C function with
// the address of each buffer's first element and each scalar as i64.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace qopt {
#define GEN_PASS_DEF_QCGLOWERUKERNELS
#include "qopt/Codegen/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The address of the first element of `buffer` as an !llvm.ptr.
Value firstElementAddress(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  int64_t elementBytes =
      llvm::divideCeil(type.getElementTypeBitWidth(), int64_t{8});
  Value offsetBytes = arith::MulIOp::create(
      b, loc, metadata.getOffset(),
      arith::ConstantIndexOp::create(b, loc, elementBytes));
  address = arith::AddIOp::create(b, loc, address, offsetBytes);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
}

Value asI64(OpBuilder &b, Location loc, Value scalar) {
  Type i64 = b.getI64Type();
  if (scalar.getType().isIndex())
    return arith::IndexCastOp::create(b, loc, i64, scalar);
  if (scalar.getType().getIntOrFloatBitWidth() < 64)
    return arith::ExtSIOp::create(b, loc, i64, scalar);
  return scalar;
}

struct QCGLowerUKernelsPass
    : qopt::impl::QCGLowerUKernelsBase<QCGLowerUKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<qcg::UKernelOp> kernels;
    module.walk([&](qcg::UKernelOp op) { kernels.push_back(op); });
    for (qcg::UKernelOp op : kernels) {
      if (!op.getResults().empty()) {
        op.emitOpError() << "on tensors cannot become a call: bufferize "
                            "the module first";
        return signalPassFailure();
      }
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> args;
      for (Value buffer : llvm::concat<Value>(op.getInputs(), op.getOutputs()))
        args.push_back(firstElementAddress(b, loc, buffer));
      for (Value scalar : op.getScalars())
        args.push_back(asI64(b, loc, scalar));
      auto type =
          FunctionType::get(&getContext(), ValueRange(args).getTypes(), {});
      auto callee = module.lookupSymbol<func::FuncOp>(op.getName());
      if (!callee) {
        OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
        callee = func::FuncOp::create(top, loc, op.getName(), type);
        callee.setPrivate();
      } else if (callee.getFunctionType() != type || !callee.isExternal()) {
        op.emitOpError() << "calls @" << op.getName()
                         << ", but the module defines that symbol otherwise";
        return signalPassFailure();
      }
      func::CallOp::create(b, loc, callee, args);
      op.erase();
    }
  }
};

} // namespace
