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

/// Whether quantized `a` and `b` have one storage integer with one
/// signedness (u8 and i8 both store in i8).
bool sameStorage(Value a, Value b) {
  auto storage = [](Value v) {
    auto qtype = cast<quant::QuantizedType>(getElementTypeOrSelf(v));
    return std::make_pair(qtype.isSigned(),
                          qtype.getStorageTypeIntegralWidth());
  };
  return storage(a) == storage(b);
}

/// An operation on dequantized per-tensor values of the storage type its
/// sole quantize user produces (cat, mul, hardswish): the operation on the
/// quantized values, producing that type.
template <typename SameStorageOp>
struct QuantizeSameStorage : OpRewritePattern<SameStorageOp> {
  using OpRewritePattern<SameStorageOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(SameStorageOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    QuantizeOp quantize = soleQuantizeUser(op.getResult());
    if (!quantize || !isPerTensor(quantize.getResult()))
      return failure();
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      Value q = dequantized(operand);
      if (!q || !isPerTensor(q) || !sameStorage(q, quantize.getResult()))
        return failure();
      operands.push_back(q);
    }
    replaceWithQuantized(rewriter, op, quantize, operands);
    return success();
  }
};

/// hardsigmoid of a dequantized value: PyTorch's quantized hardsigmoid, whose
/// result type is fixed (scale 1/256, zero point 0 for u8 and -128 for i8),
/// dequantized after. No observer is needed, as in PyTorch's eager mode.
struct QuantizeHardsigmoid : OpRewritePattern<HardsigmoidOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HardsigmoidOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    Value q = dequantized(op.getInput());
    if (!q || !isPerTensor(q))
      return failure();
    auto inType =
        cast<quant::UniformQuantizedType>(getElementTypeOrSelf(q.getType()));
    bool isSigned = inType.isSigned();
    auto outType = quant::UniformQuantizedType::get(
        inType.getFlags(), inType.getStorageType(), inType.getExpressedType(),
        /*scale=*/1.0 / 256, /*zeroPoint=*/isSigned ? -128 : 0,
        /*storageTypeMin=*/isSigned ? -128 : 0,
        /*storageTypeMax=*/isSigned ? 127 : 255);
    auto resultType = cast<RankedTensorType>(op.getType());
    Value quantized = HardsigmoidOp::create(rewriter, op.getLoc(),
                                            resultType.clone(outType), q);
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, resultType, quantized);
    return success();
  }
};

/// Whether PyTorch's eager int8 model holds `v` channels-last: its
/// quantized 2-D convolutions return channels-last tensors, and the
/// operations in between keep their first operand's layout.
bool channelsLastInPyTorch(Value v) {
  while (cast<RankedTensorType>(v.getType()).getRank() == 4) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return false;
    if (isa<ConvOp>(def))
      return true;
    if (!isa<QuantizeOp, DequantizeOp, RequantizeOp, ObserveOp, ReluOp, ClampOp,
             HardswishOp, HardsigmoidOp, MaxPoolOp, AvgPoolOp,
             AdaptiveAvgPoolOp, AddOp, MulOp, CatOp>(def))
      return false;
    v = def->getOperand(0);
  }
  return false;
}

/// An operation that keeps its input's scale, applied to a dequantized
/// value: run it on the quantized value and dequantize after. An adaptive
/// average pooling of what PyTorch holds channels-last rounds as its NHWC
/// kernel (`centered`); one marked `float_mean` (PyTorch's quantized mean,
/// which averages the dequantized values) stays float.
template <typename ScaleKeepingOp>
struct QuantizeScaleKeeping : OpRewritePattern<ScaleKeepingOp> {
  using OpRewritePattern<ScaleKeepingOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleKeepingOp op,
                                PatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()))
      return failure();
    if (auto pool = dyn_cast<AdaptiveAvgPoolOp>(op.getOperation());
        pool && pool.getFloatMean())
      return failure(); // QuantizeFloatMean
    Value q = dequantized(op->getOperand(0));
    if (!q || !isPerTensor(q))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    OperationState state(op.getLoc(), op->getName());
    state.addOperands(q);
    state.addAttributes(op->getAttrs());
    state.addTypes(resultType.clone(getElementTypeOrSelf(q.getType())));
    Operation *quantized = rewriter.create(state);
    if (auto pool = dyn_cast<AdaptiveAvgPoolOp>(quantized))
      pool.setCentered(channelsLastInPyTorch(q));
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, resultType,
                                              quantized->getResult(0));
    return success();
  }
};

/// A `float_mean` pooling of a dequantized value stays float and is
/// quantized to its input's type after, as PyTorch's quantized mean
/// (dequantize, float mean, quantize with the input's scale and zero
/// point); the dequantize after it lets the operations that follow become
/// quantized.
struct QuantizeFloatMean : OpRewritePattern<AdaptiveAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdaptiveAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getFloatMean())
      return failure();
    Value q = dequantized(op.getInput());
    if (!q || !isPerTensor(q))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    RankedTensorType quantizedType =
        resultType.clone(getElementTypeOrSelf(q.getType()));
    QuantizeOp done = soleQuantizeUser(op.getResult());
    if (done && done.getType() == quantizedType)
      return failure();
    rewriter.setInsertionPointAfter(op);
    auto quantize = QuantizeOp::create(rewriter, op.getLoc(), quantizedType,
                                       op.getResult());
    Value result = DequantizeOp::create(rewriter, op.getLoc(), resultType,
                                        quantize.getResult());
    rewriter.replaceAllUsesExcept(op.getResult(), result, quantize);
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
             QuantizeSameStorage<CatOp>, QuantizeSameStorage<MulOp>,
             QuantizeSameStorage<HardswishOp>, QuantizeHardsigmoid,
             QuantizeScaleKeeping<ReluOp>, QuantizeScaleKeeping<ClampOp>,
             QuantizeScaleKeeping<MaxPoolOp>, QuantizeScaleKeeping<AvgPoolOp>,
             QuantizeScaleKeeping<AdaptiveAvgPoolOp>, QuantizeFloatMean,
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
