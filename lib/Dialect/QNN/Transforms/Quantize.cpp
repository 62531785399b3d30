//===- Quantize.cpp - qnn-quantize and qnn-quantize-dynamic -----*- C++ -*-===//
//
// qnn-quantize moves the float operations between quantize / dequantize
// pairs into the quantized domain; qnn-quantize-dynamic makes float linear
// layers dynamically quantized.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/QConfig.h"
#include "qopt/Dialect/QNN/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt::qnn {
#define GEN_PASS_DEF_QNNQUANTIZE
#define GEN_PASS_DEF_QNNQUANTIZEDYNAMIC
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qopt::qnn

using namespace mlir;
using namespace qopt::qnn;

namespace {

/// The quantized value `v` is the dequantization of, or null.
Value dequantized(Value v) {
  if (auto dq = v.getDefiningOp<DequantizeOp>())
    return dq.getInput();
  return Value();
}

bool isPerTensor(Value v) {
  return isa<quant::UniformQuantizedType>(getElementTypeOrSelf(v.getType()));
}

/// The qnn.quantize that is the only user of `v`, or null.
QuantizeOp soleQuantizeUser(Value v) {
  if (!v.hasOneUse())
    return QuantizeOp();
  return dyn_cast<QuantizeOp>(*v.getUsers().begin());
}

/// Replaces `quantize` (of `op`'s float result) with a copy of `op` on
/// `operands` that produces the quantize's type directly.
void replaceWithQuantized(PatternRewriter &rewriter, Operation *op,
                          QuantizeOp quantize, ValueRange operands) {
  OperationState state(op->getLoc(), op->getName());
  state.addOperands(operands);
  state.addAttributes(op->getAttrs());
  state.addTypes(quantize.getType());
  Operation *quantized = rewriter.create(state);
  rewriter.replaceOp(quantize, quantized->getResults());
  rewriter.eraseOp(op);
}

/// conv / linear of dequantized input and weight, quantized after.
template <typename WeightedOp>
struct QuantizeWeighted : OpRewritePattern<WeightedOp> {
  using OpRewritePattern<WeightedOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(WeightedOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    Value x = dequantized(op.getInput()), w = dequantized(op.getWeight());
    QuantizeOp quantize = soleQuantizeUser(op.getResult());
    if (!x || !w || !quantize || !isPerTensor(x) ||
        !isPerTensor(quantize.getResult()))
      return failure();
    SmallVector<Value> operands{x, w};
    if (Value bias = op.getBias())
      operands.push_back(bias);
    replaceWithQuantized(rewriter, op, quantize, operands);
    return success();
  }
};

/// add of two dequantized values, quantized after.
struct QuantizeAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    Value lhs = dequantized(op.getLhs()), rhs = dequantized(op.getRhs());
    QuantizeOp quantize = soleQuantizeUser(op.getResult());
    if (!lhs || !rhs || !quantize || !isPerTensor(lhs) || !isPerTensor(rhs) ||
        !isPerTensor(quantize.getResult()))
      return failure();
    replaceWithQuantized(rewriter, op, quantize, {lhs, rhs});
    return success();
  }
};

/// cat of dequantized values of one storage type, quantized after with that
/// storage type.
struct QuantizeCat : OpRewritePattern<CatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CatOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    QuantizeOp quantize = soleQuantizeUser(op.getResult());
    if (!quantize || !isPerTensor(quantize.getResult()))
      return failure();
    // The storage integer with its signedness (u8 and i8 share i8).
    auto storage = [](Value v) {
      auto qtype = cast<quant::QuantizedType>(getElementTypeOrSelf(v));
      return std::make_pair(qtype.isSigned(),
                            qtype.getStorageTypeIntegralWidth());
    };
    SmallVector<Value> inputs;
    for (Value input : op.getInputs()) {
      Value q = dequantized(input);
      if (!q || !isPerTensor(q) || storage(q) != storage(quantize.getResult()))
        return failure();
      inputs.push_back(q);
    }
    replaceWithQuantized(rewriter, op, quantize, inputs);
    return success();
  }
};

/// An operation that keeps its input's scale, applied to a dequantized
/// value: run it on the quantized value and dequantize after.
template <typename ScaleKeepingOp>
struct QuantizeScaleKeeping : OpRewritePattern<ScaleKeepingOp> {
  using OpRewritePattern<ScaleKeepingOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleKeepingOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    Value q = dequantized(op->getOperand(0));
    if (!q || !isPerTensor(q))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    OperationState state(op.getLoc(), op->getName());
    state.addOperands(q);
    state.addAttributes(op->getAttrs());
    state.addTypes(resultType.clone(getElementTypeOrSelf(q.getType())));
    Operation *quantized = rewriter.create(state);
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, resultType,
                                              quantized->getResult(0));
    return success();
  }
};

/// quantize(dequantize(q)): q itself for the same type, else a requantize.
struct QuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Value q = dequantized(op.getInput());
    if (!q)
      return failure();
    if (q.getType() == op.getType()) {
      rewriter.replaceOp(op, q);
      return success();
    }
    rewriter.replaceOpWithNewOp<RequantizeOp>(op, op.getType(), q);
    return success();
  }
};

struct QuantizePass : qopt::qnn::impl::QNNQuantizeBase<QuantizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<QuantizeWeighted<ConvOp>, QuantizeWeighted<LinearOp>, QuantizeAdd,
             QuantizeCat, QuantizeScaleKeeping<ReluOp>,
             QuantizeScaleKeeping<ClampOp>, QuantizeScaleKeeping<MaxPoolOp>,
             QuantizeScaleKeeping<AvgPoolOp>,
             QuantizeScaleKeeping<AdaptiveAvgPoolOp>,
             QuantizeScaleKeeping<ReshapeOp>, QuantizeScaleKeeping<FlattenOp>,
             QuantizeScaleKeeping<TransposeOp>, QuantizeScaleKeeping<SliceOp>,
             QuantizeOfDequantize>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

struct QuantizeDynamicPass
    : qopt::qnn::impl::QNNQuantizeDynamicBase<QuantizeDynamicPass> {
  using QNNQuantizeDynamicBase::QNNQuantizeDynamicBase;

  void runOnOperation() override {
    bool reduceRange;
    if (qconfig == "x86" || qconfig == "fbgemm" || qconfig == "onednn") {
      reduceRange = true;
    } else if (qconfig == "qnnpack") {
      reduceRange = false;
    } else {
      getOperation()->emitError()
          << "unknown qconfig '" << qconfig
          << "' for dynamic quantization: expected x86, fbgemm, onednn or "
             "qnnpack";
      return signalPassFailure();
    }
    // PyTorch's dynamic weight observers (default_dynamic_qconfig,
    // per_channel_dynamic_qconfig).
    qopt::ObserverConfig config;
    config.dtype = qopt::QuantDType::QInt8;
    if (perChannel) {
      config.kind = qopt::ObserverKind::PerChannelMinMax;
      config.qscheme = qopt::QScheme::PerChannelSymmetric;
    } else {
      config.kind = qopt::ObserverKind::MinMax;
      config.qscheme = qopt::QScheme::PerTensorSymmetric;
    }
    WalkResult result = getOperation()->walk([&](LinearOp op) {
      if (isQuantized(op.getType()) || isQuantized(op.getInput().getType()) ||
          isQuantized(op.getWeight().getType()))
        return WalkResult::advance();
      auto wType = cast<RankedTensorType>(op.getWeight().getType());
      FailureOr<SmallVector<float>> values = getConstantFloats(op.getWeight());
      if (failed(values) || !wType.hasStaticShape())
        return WalkResult::advance(); // not a constant weight: stays float
      qopt::ObserverState state;
      llvm::Expected<std::vector<qopt::QuantParams>> params =
          [&]() -> llvm::Expected<std::vector<qopt::QuantParams>> {
        if (llvm::Error err =
                qopt::observe(config, state, *values, wType.getShape()))
          return std::move(err);
        return qopt::computeQParams(config, state);
      }();
      if (!params) {
        op.emitError() << llvm::toString(params.takeError());
        return WalkResult::interrupt();
      }
      OpBuilder builder(op);
      Value weight = createQuantizedConstant(builder, op.getLoc(), *values,
                                             wType, config, *params);
      op.getWeightMutable().assign(weight);
      op.setReduceRange(reduceRange);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
