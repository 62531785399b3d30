//===- Fuse.cpp - Fuse relu / relu6 into their producer ---------*- C++ -*-===//
//
// Implements qnn-fuse.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt::qnn {
#define GEN_PASS_DEF_QNNFUSE
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qopt::qnn

using namespace mlir;
using namespace qopt::qnn;

namespace {

/// Sets `activation` on the conv, linear or add producing `input` and
/// replaces `activationOp` by it.
LogicalResult fuseInto(Operation *activationOp, Value input,
                       Activation activation, PatternRewriter &rewriter) {
  Operation *producer = input.getDefiningOp();
  if (!producer || !isa<ConvOp, LinearOp, AddOp>(producer))
    return rewriter.notifyMatchFailure(
        activationOp, "input is not produced by qnn.conv, qnn.linear or "
                      "qnn.add");
  if (!producer->hasOneUse())
    return rewriter.notifyMatchFailure(
        activationOp, "the pre-activation value has other users");
  auto current =
      producer->getAttrOfType<ActivationAttr>("activation").getValue();
  if (current != Activation::None)
    return rewriter.notifyMatchFailure(
        activationOp, "the producer already has an activation");
  rewriter.modifyOpInPlace(producer, [&] {
    producer->setAttr("activation",
                      ActivationAttr::get(rewriter.getContext(), activation));
    producer->setLoc(
        rewriter.getFusedLoc({producer->getLoc(), activationOp->getLoc()}));
  });
  rewriter.replaceOp(activationOp, producer->getResults());
  return success();
}

struct FuseRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    return fuseInto(relu, relu.getInput(), Activation::Relu, rewriter);
  }
};

struct FuseRelu6 : OpRewritePattern<ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClampOp clamp,
                                PatternRewriter &rewriter) const override {
    if (!clamp.getMin().isZero() || clamp.getMin().isNegative() ||
        clamp.getMax().convertToFloat() != 6.0f)
      return rewriter.notifyMatchFailure(clamp,
                                         "bounds are not exactly 0 and 6");
    return fuseInto(clamp, clamp.getInput(), Activation::Relu6, rewriter);
  }
};

struct QNNFusePass : qopt::qnn::impl::QNNFuseBase<QNNFusePass> {
  using QNNFuseBase::QNNFuseBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFusePatterns(patterns, fuseRelu6);
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      if (name.getDialectNamespace() == QNNDialect::getDialectNamespace())
        name.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qopt::qnn::populateFusePatterns(RewritePatternSet &patterns, bool relu6) {
  patterns.add<FuseRelu>(patterns.getContext());
  if (relu6)
    patterns.add<FuseRelu6>(patterns.getContext());
}
