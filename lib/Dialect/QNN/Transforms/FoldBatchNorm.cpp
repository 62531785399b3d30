//===- FoldBatchNorm.cpp - Fold batch_norm into conv / linear ---*- C++ -*-===//
//
// Implements qnn-fold-batchnorm with PyTorch's float32 operation order.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace qopt::qnn {
#define GEN_PASS_DEF_QNNFOLDBATCHNORM
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qopt::qnn

using namespace mlir;
using namespace qopt::qnn;

namespace {

/// The per-channel BatchNorm parameters, read from constants.
struct BatchNormParams {
  SmallVector<float> gamma, beta, mean, variance;
  float epsilon;
};

/// Rewrites conv/linear -> batch_norm into one conv/linear with folded
/// constant weight and bias.
struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (!producer || !isa<ConvOp, LinearOp>(producer))
      return rewriter.notifyMatchFailure(
          bn, "input is not produced by qnn.conv or qnn.linear");
    if (!producer->hasOneUse())
      return rewriter.notifyMatchFailure(
          bn, "the conv/linear result has other users");
    auto linear = dyn_cast<LinearOp>(producer);
    auto conv = dyn_cast<ConvOp>(producer);
    Value weight = conv ? conv.getWeight() : linear.getWeight();
    Value bias = conv ? conv.getBias() : linear.getBias();
    Activation activation =
        conv ? conv.getActivation() : linear.getActivation();
    if (activation != Activation::None)
      return rewriter.notifyMatchFailure(
          bn, "the producer applies an activation before batch_norm");
    if (isQuantized(weight.getType()) || isQuantized(bn.getType()))
      return rewriter.notifyMatchFailure(bn, "quantized producer");
    // BatchNorm normalizes dimension 1: for linear that is the feature
    // dimension only when the result has rank 2.
    if (linear && linear.getType().getRank() != 2)
      return rewriter.notifyMatchFailure(
          bn, "linear result rank is not 2: dimension 1 is not its features");

    FailureOr<SmallVector<float>> w = getConstantFloats(weight);
    if (failed(w))
      return rewriter.notifyMatchFailure(bn, "weight is not a constant");
    auto weightType = cast<RankedTensorType>(weight.getType());
    int64_t channels = weightType.getDimSize(0);
    SmallVector<float> b(channels, 0.0f);
    if (bias) {
      FailureOr<SmallVector<float>> constantBias = getConstantFloats(bias);
      if (failed(constantBias) ||
          static_cast<int64_t>(constantBias->size()) != channels)
        return rewriter.notifyMatchFailure(bn, "bias is not a constant");
      b = std::move(*constantBias);
    }
    BatchNormParams params;
    params.epsilon = bn.getEpsilon().convertToFloat();
    for (auto [value, out] : {std::pair{bn.getWeight(), &params.gamma},
                              std::pair{bn.getBias(), &params.beta},
                              std::pair{bn.getMean(), &params.mean},
                              std::pair{bn.getVariance(), &params.variance}}) {
      FailureOr<SmallVector<float>> data = getConstantFloats(value);
      if (failed(data) || static_cast<int64_t>(data->size()) != channels)
        return rewriter.notifyMatchFailure(
            bn, "batch_norm parameters are not constants");
      *out = std::move(*data);
    }

    // PyTorch torch/nn/utils/fusion.py, operation for operation in float32.
    int64_t perChannel = static_cast<int64_t>(w->size()) / channels;
    SmallVector<float> newWeight(w->size()), newBias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      float rsqrt = 1.0f / std::sqrt(params.variance[c] + params.epsilon);
      float gamma = params.gamma[c];
      // Both fusions scale the weight by gamma * rsqrt ...
      float scale = gamma * rsqrt;
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[c * perChannel + i] = (*w)[c * perChannel + i] * scale;
      // ... but associate the bias differently.
      float centered = b[c] - params.mean[c];
      newBias[c] = conv ? (centered * rsqrt) * gamma + params.beta[c]
                        : centered * scale + params.beta[c];
    }

    rewriter.setInsertionPoint(producer);
    Location loc = producer->getLoc();
    Value foldedWeight =
        createFloatConstant(rewriter, loc, weightType, newWeight, "weight");
    Value foldedBias = createFloatConstant(
        rewriter, loc, RankedTensorType::get({channels}, rewriter.getF32Type()),
        newBias, "bias");
    rewriter.modifyOpInPlace(producer, [&] {
      producer->setOperand(1, foldedWeight);
      if (bias)
        producer->setOperand(2, foldedBias);
      else if (conv)
        conv.getBiasMutable().assign(foldedBias);
      else
        linear.getBiasMutable().assign(foldedBias);
      producer->setLoc(rewriter.getFusedLoc({producer->getLoc(), bn.getLoc()}));
    });
    rewriter.replaceOp(bn, producer->getResults());
    return success();
  }
};

struct QNNFoldBatchNormPass
    : qopt::qnn::impl::QNNFoldBatchNormBase<QNNFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qopt::qnn::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormPattern>(patterns.getContext());
}
