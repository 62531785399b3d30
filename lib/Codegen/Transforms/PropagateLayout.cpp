//===- PropagateLayout.cpp - Move transposes past elementwise ops -*- C++
//-*-===//
//
// The kernels run on NHWC; every kernel call sits between two transposes.
// Moving the transpose after a kernel down through the elementwise
// operations that follow lets it meet the transpose before the next kernel,
// and qnn.transpose's folder cancels the pair.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/Transforms/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_QNNPROPAGATELAYOUT
#include "qopt/Codegen/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

/// `type` as it is before a transpose by `permutation`: dimension
/// permutation[i] of the result is dimension i of `type`.
RankedTensorType unpermuted(RankedTensorType type,
                            ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape(type.getRank());
  for (auto [i, d] : llvm::enumerate(permutation))
    shape[d] = type.getDimSize(i);
  return RankedTensorType::get(shape, type.getElementType());
}

bool isPerAxis(Type type) {
  return isa<quant::UniformQuantizedPerAxisType>(getElementTypeOrSelf(type));
}

/// op(transpose(x), ...) -> transpose(op(x, ...)) for an elementwise op
/// whose every tensor operand is a transpose by the same permutation, and
/// for a cat or slice, which then works on the dimension that was permuted
/// to its own.
struct SinkTranspose : RewritePattern {
  SinkTranspose(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<ReluOp, ClampOp, QuantizeOp, DequantizeOp, RequantizeOp, AddOp,
             MulOp, HardswishOp, HardsigmoidOp, CatOp, SliceOp>(op))
      return failure();
    SmallVector<Value> inputs;
    std::optional<ArrayRef<int64_t>> permutation;
    for (Value operand : op->getOperands()) {
      auto transpose = operand.getDefiningOp<TransposeOp>();
      if (!transpose)
        return rewriter.notifyMatchFailure(op, "an operand is no transpose");
      if (permutation && *permutation != transpose.getPermutation())
        return rewriter.notifyMatchFailure(op, "operands permuted unlike");
      permutation = transpose.getPermutation();
      inputs.push_back(transpose.getInput());
    }
    if (llvm::any_of(op->getOperandTypes(), isPerAxis) ||
        isPerAxis(op->getResult(0).getType()))
      return rewriter.notifyMatchFailure(op, "per-axis quantized type");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Operation *inner = rewriter.clone(*op);
    inner->setOperands(inputs);
    inner->getResult(0).setType(unpermuted(resultType, *permutation));
    if (auto cat = dyn_cast<CatOp>(inner))
      cat.setDim((*permutation)[cat.getDim()]);
    if (auto slice = dyn_cast<SliceOp>(inner))
      slice.setDim((*permutation)[slice.getDim()]);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, resultType, inner->getResult(0),
        rewriter.getDenseI64ArrayAttr(*permutation));
    return success();
  }
};

struct QNNPropagateLayoutPass
    : qopt::impl::QNNPropagateLayoutBase<QNNPropagateLayoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populatePropagateLayoutPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qopt::populatePropagateLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<SinkTranspose>(patterns.getContext());
}
