//===- Observers.cpp - qconfigs, observer placement, scales -----*- C++ -*-===//
//
// qnn-insert-observers places qnn.observe from a PyTorch qconfig;
// qnn-propagate-scales turns calibrated observers into quantize /
// dequantize pairs with PyTorch 1.13's scales and zero points.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Dialect/QNN/Transforms/QConfig.h"
#include "qopt/Dialect/QNN/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

namespace qopt::qnn {
#define GEN_PASS_DEF_QNNINSERTOBSERVERS
#define GEN_PASS_DEF_QNNPROPAGATESCALES
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qopt::qnn

using namespace mlir;
using namespace qopt::qnn;

//===----------------------------------------------------------------------===//
// qconfig presets
//===----------------------------------------------------------------------===//

static ObserverSpec makeSpec(Observer observer, Dtype dtype, Qscheme qscheme,
                             bool reduceRange = false) {
  ObserverSpec spec;
  spec.observer = observer;
  spec.dtype = dtype;
  spec.qscheme = qscheme;
  spec.reduceRange = reduceRange;
  return spec;
}

std::optional<QConfig> qopt::qnn::getQConfig(StringRef name) {
  ObserverSpec perChannelWeight = makeSpec(
      Observer::PerChannelMinMax, Dtype::QInt8, Qscheme::PerChannelSymmetric);
  ObserverSpec perTensorWeight =
      makeSpec(Observer::MinMax, Dtype::QInt8, Qscheme::PerTensorSymmetric);
  if (name == "x86" || name == "fbgemm")
    return QConfig{makeSpec(Observer::Histogram, Dtype::QUInt8,
                            Qscheme::PerTensorAffine, /*reduceRange=*/true),
                   perChannelWeight};
  ObserverSpec histogram =
      makeSpec(Observer::Histogram, Dtype::QUInt8, Qscheme::PerTensorAffine);
  if (name == "onednn")
    return QConfig{histogram, perChannelWeight};
  if (name == "qnnpack")
    return QConfig{histogram, perTensorWeight};
  if (name == "default") {
    ObserverSpec minmax =
        makeSpec(Observer::MinMax, Dtype::QUInt8, Qscheme::PerTensorAffine);
    minmax.quantRange = std::make_pair(int64_t{0}, int64_t{127});
    return QConfig{minmax, perTensorWeight};
  }
  return std::nullopt;
}

StringRef qopt::qnn::getQConfigNames() {
  return "x86, fbgemm, default, qnnpack, onednn";
}

ObserveOp qopt::qnn::createObserve(OpBuilder &builder, Location loc,
                                   Value value, const ObserverSpec &spec,
                                   int64_t chAxis) {
  auto observe = ObserveOp::create(
      builder, loc, value.getType(), value, /*shares=*/Value(),
      ObserverAttr::get(builder.getContext(), spec.observer),
      DtypeAttr::get(builder.getContext(), spec.dtype),
      QschemeAttr::get(builder.getContext(), spec.qscheme),
      spec.reduceRange ? builder.getUnitAttr() : UnitAttr(), IntegerAttr(),
      IntegerAttr(), IntegerAttr(), FloatAttr(), IntegerAttr(),
      DenseF32ArrayAttr(), DenseF32ArrayAttr(), DenseF32ArrayAttr());
  if (spec.quantRange) {
    observe.setQuantMinAttr(builder.getI64IntegerAttr(spec.quantRange->first));
    observe.setQuantMaxAttr(builder.getI64IntegerAttr(spec.quantRange->second));
  }
  if (spec.qscheme == Qscheme::PerChannelAffine ||
      spec.qscheme == Qscheme::PerChannelSymmetric)
    observe.setChAxisAttr(builder.getI64IntegerAttr(chAxis));
  if (spec.observer == Observer::MovingAverageMinMax)
    observe.setAveragingConstantAttr(
        builder.getF32FloatAttr(spec.averagingConstant));
  return observe;
}

Value qopt::qnn::createQuantizedConstant(OpBuilder &builder, Location loc,
                                         ArrayRef<float> values,
                                         RankedTensorType type,
                                         const qopt::ObserverConfig &config,
                                         ArrayRef<qopt::QuantParams> params) {
  qopt::QuantRange storage = qopt::getStorageRange(config.dtype);
  int64_t inner = 1;
  if (config.isPerChannel())
    for (int64_t i = config.chAxis + 1; i < type.getRank(); ++i)
      inner *= type.getDimSize(i);
  int64_t channels = config.isPerChannel() ? type.getDimSize(config.chAxis) : 1;
  SmallVector<int8_t> data;
  data.reserve(values.size());
  for (auto [i, v] : llvm::enumerate(values)) {
    const qopt::QuantParams &p =
        params[config.isPerChannel()
                   ? (static_cast<int64_t>(i) / inner) % channels
                   : 0];
    data.push_back(static_cast<int8_t>(
        qopt::quantizeValue(v, p.scale, p.zeroPoint, storage)));
  }
  Value storageConst = createInt8Constant(
      builder, loc,
      RankedTensorType::get(type.getShape(), builder.getIntegerType(8)), data,
      "qweight");
  auto qtype = RankedTensorType::get(
      type.getShape(), getQuantizedType(builder.getContext(), config, params));
  return quant::StorageCastOp::create(builder, loc, qtype, storageConst);
}

quant::QuantizedType
qopt::qnn::getQuantizedType(MLIRContext *ctx,
                            const qopt::ObserverConfig &config,
                            ArrayRef<qopt::QuantParams> params) {
  bool isSigned = config.dtype == qopt::QuantDType::QInt8;
  qopt::QuantRange storage = qopt::getStorageRange(config.dtype);
  Type storageType = IntegerType::get(ctx, 8);
  Type expressed = Float32Type::get(ctx);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  if (!config.isPerChannel())
    return quant::UniformQuantizedType::get(
        flags, storageType, expressed, params[0].scale, params[0].zeroPoint,
        storage.min, storage.max);
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (const qopt::QuantParams &p : params) {
    scales.push_back(p.scale);
    zeroPoints.push_back(p.zeroPoint);
  }
  return quant::UniformQuantizedPerAxisType::get(
      flags, storageType, expressed, scales, zeroPoints, config.chAxis,
      storage.min, storage.max);
}

//===----------------------------------------------------------------------===//
// qnn-insert-observers
//===----------------------------------------------------------------------===//

namespace {

/// The values of `func` that are computed inside a quantized region.
llvm::SetVector<Value> quantizedRegion(func::FuncOp func,
                                       SmallVectorImpl<Value> &entries) {
  llvm::SetVector<Value> region;
  func.walk([&](QuantStubOp stub) { entries.push_back(stub.getResult()); });
  if (entries.empty())
    for (BlockArgument arg : func.getArguments())
      if (isa<RankedTensorType>(arg.getType()))
        entries.push_back(arg);
  SmallVector<Value> worklist(entries.begin(), entries.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!region.insert(v))
      continue;
    for (Operation *user : v.getUsers()) {
      if (isa<DequantStubOp, func::ReturnOp>(user))
        continue;
      for (Value r : user->getResults())
        worklist.push_back(r);
    }
  }
  return region;
}

bool isObserved(Value v) {
  return llvm::any_of(v.getUsers(),
                      [](Operation *user) { return isa<ObserveOp>(user); });
}

/// Inserts `qnn.observe` after `value` and routes its other uses through it.
void observeValue(OpBuilder &builder, Value value, const ObserverSpec &spec,
                  int64_t chAxis = 0, int64_t updates = 1) {
  if (isObserved(value))
    return;
  builder.setInsertionPointAfterValue(value);
  ObserveOp observe =
      createObserve(builder, value.getLoc(), value, spec, chAxis);
  if (updates != 1)
    observe.setUpdates(updates);
  value.replaceAllUsesExcept(observe.getResult(), observe);
}

/// Whether PyTorch's eager `fuse_modules` makes `op` a fused nn.Sequential
/// module (ConvReLU1d/2d, LinearReLU), whose observer eager mode updates
/// twice per forward.
bool isEagerFusedModule(Operation *op) {
  if (auto conv = dyn_cast<ConvOp>(op))
    return conv.getActivation() == Activation::Relu;
  if (auto linear = dyn_cast<LinearOp>(op))
    return linear.getActivation() == Activation::Relu;
  return false;
}

/// The frontend's mark of an operation whose PyTorch module prepare_fx
/// has no pattern for, so that its output gets an observer of its own.
constexpr StringLiteral kFxOwnObserver = "qnn.fx_own_observer";

/// The observer FX's prepare finds for `v`: tracing back through first
/// operands until a qnn.observe (prepare_fx's trace-back through
/// unobserved nodes); null at a block argument or constant.
ObserveOp tracedObserver(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto observe = dyn_cast<ObserveOp>(def))
      return observe;
    if (def->getNumOperands() == 0)
      return ObserveOp();
    v = def->getOperand(0);
  }
  return ObserveOp();
}

/// PyTorch 1.13's prepare_fx (x86 backend config) calls one observer
/// instance at several places. In its graph order, as prepare_fx goes:
/// - an operation it marks OUTPUT_SHARE_OBSERVER_WITH_INPUT (pooling, relu,
///   relu6 / hardtanh / clamp, flatten, reshape / view, transpose / permute,
///   mean) gets an output observer that calls its input's observer
///   instance;
/// - a cat makes the observers of its other inputs and of its result call
///   its first input's instance (maybe_make_input_output_share_observers;
///   when an input has no observer the cat's result is left unobserved);
/// - an operation marked `qnn.fx_own_observer` (the frontend's nn.Flatten,
///   which prepare_fx leaves float) gets an observer of its own: its user's
///   input observer.
/// Each instance becomes one root qnn.observe, the first in program order,
/// that the others `share`.
void shareObserversAsFx(func::FuncOp func, const llvm::SetVector<Value> &region,
                        OpBuilder &builder) {
  llvm::DenseMap<Operation *, Operation *> instance;
  auto instanceOf = [&](ObserveOp op) -> Operation * {
    auto it = instance.find(op);
    return it == instance.end() ? op.getOperation() : it->second;
  };
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  SmallVector<ObserveOp> unobserved;
  for (Operation *op : ops) {
    if (op->getNumResults() != 1 || !region.contains(op->getResult(0)) ||
        isQuantized(op->getResult(0).getType()))
      continue;
    Value result = op->getResult(0);
    if (isa<MaxPoolOp, AvgPoolOp, AdaptiveAvgPoolOp, ReluOp, ClampOp, FlattenOp,
            ReshapeOp, TransposeOp>(op)) {
      ObserveOp source = tracedObserver(op->getOperand(0));
      if (!source || isObserved(result) ||
          matchPattern(source.getInput(), m_Constant()))
        continue;
      // An observer with `source`'s settings on the result.
      builder.setInsertionPointAfter(op);
      auto observe = cast<ObserveOp>(builder.clone(*source));
      observe.getInputMutable().assign(result);
      observe.getResult().setType(cast<RankedTensorType>(result.getType()));
      observe->setLoc(op->getLoc());
      result.replaceAllUsesExcept(observe.getResult(), observe);
      // A PyTorch module prepare_fx has no pattern for (the frontend marks
      // nn.Flatten) is observed afresh by its user; the others call their
      // input's observer instance.
      if (!op->hasAttr(kFxOwnObserver))
        instance[observe] = instanceOf(source);
      continue;
    }
    auto cat = dyn_cast<CatOp>(op);
    if (!cat || !isObserved(result))
      continue;
    ObserveOp output;
    for (Operation *user : result.getUsers())
      if (auto observe = dyn_cast<ObserveOp>(user))
        output = observe;
    ObserveOp first = tracedObserver(cat->getOperand(0));
    bool shared = static_cast<bool>(first);
    for (Value input : cat->getOperands().drop_front()) {
      if (!shared)
        break;
      ObserveOp observer = tracedObserver(input);
      if (!observer) {
        shared = false;
        break;
      }
      instance[observer] = instanceOf(first);
    }
    if (!shared) {
      output.getResult().replaceAllUsesWith(result);
      unobserved.push_back(output); // erased after the walk
      continue;
    }
    instance[output] = instanceOf(first);
  }
  for (ObserveOp output : unobserved)
    output.erase();

  // One root per instance: the first of its observers in program order.
  llvm::MapVector<Operation *, SmallVector<ObserveOp>> groups;
  for (Operation &op : func.getBody().front())
    if (auto observe = dyn_cast<ObserveOp>(&op);
        observe && !matchPattern(observe.getInput(), m_Constant()))
      groups[instanceOf(observe)].push_back(observe);
  for (auto &group : groups) {
    ObserveOp root = group.second.front();
    root.getSharesMutable().clear();
    for (ObserveOp member : ArrayRef(group.second).drop_front()) {
      for (NamedAttribute attr : root->getAttrs())
        member->setAttr(attr.getName(), attr.getValue());
      member.getSharesMutable().assign(root.getResult());
    }
  }
}

struct InsertObserversPass
    : qopt::qnn::impl::QNNInsertObserversBase<InsertObserversPass> {
  using QNNInsertObserversBase::QNNInsertObserversBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<QConfig> config = getQConfig(qconfig);
    if (!config) {
      func.emitError() << "unknown qconfig '" << qconfig
                       << "': expected one of " << getQConfigNames();
      return signalPassFailure();
    }
    if (failed(applyOverrides(*config)))
      return signalPassFailure();
    if (workflow != "eager" && workflow != "fx") {
      func.emitError() << "unknown workflow '" << workflow
                       << "': expected eager or fx";
      return signalPassFailure();
    }

    SmallVector<Value> entries;
    llvm::SetVector<Value> region = quantizedRegion(func, entries);
    // Check before changing anything.
    for (Value v : region) {
      Operation *op = v.getDefiningOp();
      if (!op)
        continue;
      if (isa<BatchNormOp>(op)) {
        op->emitError() << "qnn.batch_norm inside the quantized region has no "
                           "quantized form: run qnn-fold-batchnorm first";
        return signalPassFailure();
      }
      if (!isa<QNNDialect>(op->getDialect())) {
        op->emitError() << "'" << op->getName()
                        << "' inside the quantized region has no quantized "
                           "form: end the region before it with "
                           "qnn.dequant_stub";
        return signalPassFailure();
      }
    }

    OpBuilder builder(&getContext());
    for (Value entry : entries)
      if (isa<FloatType>(getElementTypeOrSelf(entry.getType())))
        observeValue(builder, entry, config->activation);
    for (Value v : region) {
      Operation *op = v.getDefiningOp();
      if (!op || !isa<ConvOp, LinearOp, AddOp, CatOp, MulOp, HardswishOp>(op))
        continue;
      if (isQuantized(v.getType()))
        continue;
      observeValue(builder, v, config->activation, /*chAxis=*/0,
                   workflow == "eager" && isEagerFusedModule(op) ? 2 : 1);
      Value weight;
      if (auto conv = dyn_cast<ConvOp>(op))
        weight = conv.getWeight();
      else if (auto linear = dyn_cast<LinearOp>(op))
        weight = linear.getWeight();
      if (weight && !isQuantized(weight.getType())) {
        if (!matchPattern(weight, m_Constant())) {
          op->emitError() << "the weight must be a constant to be quantized";
          return signalPassFailure();
        }
        observeValue(builder, weight, config->weight, /*chAxis=*/0);
      }
    }
    if (workflow == "fx")
      shareObserversAsFx(func, region, builder);
  }

  LogicalResult applyOverrides(QConfig &config) {
    func::FuncOp func = getOperation();
    if (!activationObserver.empty()) {
      std::optional<Observer> kind = symbolizeObserver(activationObserver);
      if (!kind || *kind == Observer::PerChannelMinMax)
        return func.emitError()
               << "unknown activation observer '" << activationObserver
               << "': expected minmax, moving_average_minmax or histogram";
      config.activation.observer = *kind;
    }
    config.activation.averagingConstant = averagingConstant;
    if (!weightObserver.empty()) {
      if (weightObserver == "minmax") {
        config.weight.observer = Observer::MinMax;
        config.weight.qscheme = Qscheme::PerTensorSymmetric;
      } else if (weightObserver == "per_channel_minmax") {
        config.weight.observer = Observer::PerChannelMinMax;
        config.weight.qscheme = Qscheme::PerChannelSymmetric;
      } else {
        return func.emitError() << "unknown weight observer '" << weightObserver
                                << "': expected minmax or per_channel_minmax";
      }
    }
    if (!reduceRange.empty()) {
      if (reduceRange != "true" && reduceRange != "false")
        return func.emitError() << "reduce-range must be true or false, got '"
                                << reduceRange << "'";
      config.activation.reduceRange = reduceRange == "true";
      config.activation.quantRange.reset();
    }
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// qnn-propagate-scales
//===----------------------------------------------------------------------===//

namespace {

StringRef qschemeName(const qopt::ObserverConfig &config) {
  switch (config.qscheme) {
  case qopt::QScheme::PerTensorAffine:
    return "per_tensor_affine";
  case qopt::QScheme::PerTensorSymmetric:
    return "per_tensor_symmetric";
  case qopt::QScheme::PerChannelAffine:
    return "per_channel_affine";
  case qopt::QScheme::PerChannelSymmetric:
    return "per_channel_symmetric";
  }
  return "";
}

/// The remark of --explain: observer, settings, observed and chosen range,
/// rule, result.
void explainChoice(ObserveOp op, const qopt::ObserverConfig &config,
                   const qopt::ObserverState &state,
                   ArrayRef<qopt::QuantParams> params, bool fromConstant) {
  qopt::ChosenRange chosen = qopt::chooseRange(config, state);
  qopt::QuantRange range = config.range();
  InFlightDiagnostic remark = op.emitRemark();
  remark << stringifyObserver(op.getObserver()) << " observer ("
         << stringifyDtype(op.getDtype()) << ", " << qschemeName(config)
         << ", range " << range.min << ".." << range.max
         << (config.customRange   ? " (quant_min/quant_max)"
             : config.reduceRange ? " (reduce_range)"
                                  : "")
         << ")" << (fromConstant ? " on the constant" : "") << ": ";
  if (params.size() == 1) {
    remark << "observed [" << state.min[0] << ", " << state.max[0] << "]";
    if (config.kind == qopt::ObserverKind::Histogram)
      remark << ", L2 search chose [" << chosen.min[0] << ", " << chosen.max[0]
             << "]";
    remark << "; " << (config.isSymmetric() ? "symmetric" : "affine")
           << " rule: scale " << llvm::formatv("{0:e}", params[0].scale)
           << ", zero point " << params[0].zeroPoint;
  } else {
    float lo = params[0].scale, hi = params[0].scale;
    for (const qopt::QuantParams &p : params) {
      lo = std::min(lo, p.scale);
      hi = std::max(hi, p.scale);
    }
    remark << params.size() << " channels along axis " << config.chAxis << "; "
           << (config.isSymmetric() ? "symmetric" : "affine")
           << " rule per channel: scales " << llvm::formatv("{0:e}", lo)
           << " to " << llvm::formatv("{0:e}", hi);
  }
}

struct PropagateScalesPass
    : qopt::qnn::impl::QNNPropagateScalesBase<PropagateScalesPass> {
  using QNNPropagateScalesBase::QNNPropagateScalesBase;

  void runOnOperation() override {
    // Sharing observers first: they read their roots' statistics.
    SmallVector<ObserveOp> observers;
    getOperation()->walk([&](ObserveOp op) {
      if (op.getShares())
        observers.push_back(op);
    });
    getOperation()->walk([&](ObserveOp op) {
      if (!op.getShares())
        observers.push_back(op);
    });
    for (ObserveOp op : observers)
      if (failed(propagate(op)))
        return signalPassFailure();
  }

  LogicalResult propagate(ObserveOp op) {
    // A sharing observer is its root again: the root's statistics.
    ObserveOp root = op.getRoot();
    qopt::ObserverConfig config = root.getConfig();
    qopt::ObserverState state = root.getState();
    auto type = cast<RankedTensorType>(op.getType());
    FailureOr<SmallVector<float>> constant = getConstantFloats(op.getInput());
    bool fromConstant = false;
    if (state.min.empty()) {
      if (failed(constant))
        return op.emitError()
               << "observer has no statistics: calibrate the model first "
                  "(qrun --calibrate)";
      if (!type.hasStaticShape())
        return op.emitError() << "an observed constant needs a static shape";
      if (llvm::Error err =
              qopt::observe(config, state, *constant, type.getShape()))
        return op.emitError() << llvm::toString(std::move(err));
      fromConstant = true;
    }
    llvm::Expected<std::vector<qopt::QuantParams>> params =
        qopt::computeQParams(config, state);
    if (!params)
      return op.emitError() << llvm::toString(params.takeError());
    if (explain && root == op)
      explainChoice(op, config, state, *params, fromConstant);

    OpBuilder builder(op);
    Location loc = op.getLoc();
    Value replacement;
    if (succeeded(constant) && type.hasStaticShape()) {
      // Quantize the constant now (rule Q per element).
      Value cast = createQuantizedConstant(builder, loc, *constant, type,
                                           config, *params);
      replacement = DequantizeOp::create(builder, loc, type, cast);
    } else {
      auto qtype = RankedTensorType::get(
          type.getShape(), getQuantizedType(&getContext(), config, *params));
      Value q = QuantizeOp::create(builder, loc, qtype, op.getInput());
      replacement = DequantizeOp::create(builder, loc, type, q);
    }
    op.getResult().replaceAllUsesWith(replacement);
    op.erase();
    return success();
  }
};

} // namespace
