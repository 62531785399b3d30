//===- QNNToKernels.cpp - Quantized conv and linear to int8 kernels -*- C++
//-*-===//
//
// Reads a quantized layer's constants, packs them for the chosen kernel
// variant (qopt/Codegen/Packing.h) and replaces the layer by a qcg.ukernel
// call on NHWC storage bytes. The requantization constants come from the
// same helpers convert-qnn-to-linalg uses (TypeParams, QuantParams), so
// both paths compute the same bits.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelABI.h"
#include "qopt/Codegen/Packing.h"
#include "qopt/Codegen/Transforms/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/Constants.h"
#include "qopt/Dialect/QNN/Utils/TypeParams.h"
#include "qopt/Support/QuantParams.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/bit.h"

namespace qopt {
#define GEN_PASS_DEF_QNNTOKERNELS
#include "qopt/Codegen/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

bool isPerTensor(Type type) {
  return isa<quant::UniformQuantizedType>(getElementTypeOrSelf(type));
}

/// Static except possibly dimension 0 (the batch).
bool isStaticButBatch(RankedTensorType type) {
  for (int64_t d = 1; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}

RankedTensorType storageTensorType(RankedTensorType type) {
  auto qtype = cast<quant::QuantizedType>(type.getElementType());
  return RankedTensorType::get(
      type.getShape(),
      IntegerType::get(type.getContext(), qtype.getStorageTypeIntegralWidth()));
}

/// `type` with its dimensions permuted: dimension i is type's permutation[i].
RankedTensorType permuted(RankedTensorType type,
                          ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape;
  for (int64_t d : permutation)
    shape.push_back(type.getDimSize(d));
  return RankedTensorType::get(shape, type.getElementType());
}

/// NC[H]W <-> NHWC permutations for a tensor of rank 3 or 4.
SmallVector<int64_t> toNhwc(int64_t rank) {
  return rank == 4 ? SmallVector<int64_t>{0, 2, 3, 1}
                   : SmallVector<int64_t>{0, 2, 1};
}
SmallVector<int64_t> toNchw(int64_t rank) {
  return rank == 4 ? SmallVector<int64_t>{0, 3, 1, 2}
                   : SmallVector<int64_t>{0, 2, 1};
}

/// The geometry of `op` in a kernel spec (QConvSpec or FConvSpec, which
/// name their fields alike): a 1-D convolution is a 2-D one of height 1.
template <typename Spec> void fillGeometry(Spec &spec, ConvOp op) {
  RankedTensorType inType = op.getInput().getType(), outType = op.getType();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> strides = op.getStridesOrDefault();
  SmallVector<int64_t> padding = op.getPaddingOrDefault();
  SmallVector<int64_t> dilation = op.getDilationOrDefault();
  spec.c = inType.getDimSize(1);
  spec.oc = outType.getDimSize(1);
  spec.groups = op.getGroups();
  spec.w = inType.getDimSize(rank - 1);
  spec.ow = outType.getDimSize(rank - 1);
  spec.kw = weightType.getDimSize(rank - 1);
  spec.sw = strides.back();
  spec.pw = padding.back();
  spec.dw = dilation.back();
  if (rank == 4) {
    spec.h = inType.getDimSize(2);
    spec.oh = outType.getDimSize(2);
    spec.kh = weightType.getDimSize(2);
    spec.sh = strides[0];
    spec.ph = padding[0];
    spec.dh = dilation[0];
  }
}

/// Fills the quantization part of `spec` (zero points, output range,
/// weights, bias and the per-channel constants of rule R or I) for a layer
/// with input, weight and result types `in`, `w`, `out`. Fails when the
/// weight or the bias is not a constant.
LogicalResult fillQuantization(QConvSpec &spec, Value weight, Value bias,
                               Type inType, Type weightType, Type outType,
                               Activation activation, Requantization mode,
                               int64_t channels) {
  TypeParams in = getTypeParams(inType), w = getTypeParams(weightType),
             out = getTypeParams(outType);
  auto storage = weight.getDefiningOp<quant::StorageCastOp>();
  if (!storage)
    return failure();
  FailureOr<SmallVector<int64_t>> values =
      getConstantIntegers(storage.getInput(), w.isSigned);
  if (failed(values))
    return failure();
  spec.weights.assign(values->begin(), values->end());
  spec.weightSigned = w.isSigned;
  spec.inputZero = static_cast<int32_t>(in.zeroPoint());
  spec.inputSigned = in.isSigned;
  spec.outputZero = static_cast<int32_t>(out.zeroPoint());
  spec.outputSigned = out.isSigned;
  auto [lo, hi] = getRequantizedRange(out, activation);
  spec.outputMin = static_cast<int32_t>(lo);
  spec.outputMax = static_cast<int32_t>(hi);
  spec.integerMode = mode == Requantization::Integer;
  spec.oneDnnMode = mode == Requantization::OneDnn;

  spec.bias.assign(channels, 0);
  std::optional<SmallVector<float>> floatBias;
  if (bias) {
    if (cast<RankedTensorType>(bias.getType()).getElementType().isF32()) {
      FailureOr<SmallVector<float>> floats = getConstantFloats(bias);
      if (failed(floats))
        return failure();
      floatBias = std::move(*floats);
    } else {
      FailureOr<SmallVector<int64_t>> ints =
          getConstantIntegers(bias, /*isSigned=*/true);
      if (failed(ints))
        return failure();
      for (int64_t c = 0; c < channels; ++c)
        spec.bias[c] = static_cast<int32_t>((*ints)[c]);
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    spec.weightZeros.push_back(w.zeroPoint(c));
    if (spec.integerMode) {
      FixedPointMultiplier fixed =
          getIntegerRequantization(in.scale(), w.scale(c), out.scale());
      spec.fixedMultiplier.push_back(fixed.multiplier);
      spec.leftShift.push_back(fixed.leftShift);
      spec.rightShift.push_back(fixed.rightShift);
      // Rule I: a float bias joins the accumulator as int32.
      if (floatBias)
        spec.bias[c] = getIntegerBias((*floatBias)[c], in.scale(), w.scale(c));
      continue;
    }
    if (spec.oneDnnMode) {
      OneDnnRequantization r =
          getOneDnnRequantization(in.scale(), w.scale(c), out.scale());
      spec.multiplier.push_back(r.multiplier);
      spec.biasTerm.push_back(floatBias ? (*floatBias)[c] * r.biasScale : 0.0f);
      continue;
    }
    FloatRequantization r =
        getFloatRequantization(in.scale(), w.scale(c), out.scale());
    spec.multiplier.push_back(r.multiplier);
    spec.biasTerm.push_back(floatBias ? (*floatBias)[c] / r.actTimesWScale
                                      : 0.0f);
  }
  return success();
}

/// The kernel call computing `spec` on `input` (a quantized NHWC tensor),
/// as a quantized NHWC tensor of type `resultType`.
Value buildKernelCall(PatternRewriter &rewriter, Location loc, Value input,
                      RankedTensorType resultType, const QConvSpec &spec,
                      KernelISA isa, int64_t rows) {
  bool depthwise = isDepthwise(spec);
  QConvPacked packed =
      depthwise ? packQDWConv(spec) : packQConv(spec, isa, rows);
  StringRef symbol =
      depthwise ? getDepthwiseKernel(isa) : getConvKernel(isa).symbol;
  auto vector = [&](Type element, int64_t size) {
    return RankedTensorType::get({size}, element);
  };
  Type i8 = rewriter.getI8Type();
  Value descriptor = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          vector(rewriter.getI64Type(),
                 static_cast<int64_t>(packed.descriptor.size())),
          ArrayRef<int64_t>(packed.descriptor)));
  Value weights = createInt8Constant(
      rewriter, loc, vector(i8, static_cast<int64_t>(packed.weights.size())),
      packed.weights, "qopt_packed_weights");
  Value channels = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          vector(rewriter.getI32Type(),
                 static_cast<int64_t>(packed.channels.size())),
          ArrayRef<int32_t>(packed.channels)));
  auto inType = cast<RankedTensorType>(input.getType());
  Value x = quant::StorageCastOp::create(rewriter, loc,
                                         storageTensorType(inType), input);
  Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
  RankedTensorType resultStorage = storageTensorType(resultType);
  SmallVector<Value> dynamicSizes;
  if (resultStorage.isDynamicDim(0))
    dynamicSizes.push_back(batch);
  Value result = tensor::EmptyOp::create(
      rewriter, loc, resultStorage.getShape(), i8, dynamicSizes);
  Value workspace = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{packed.workspaceBytes}, i8);
  auto call = qcg::UKernelOp::create(
      rewriter, loc, TypeRange{result.getType(), workspace.getType()}, symbol,
      ValueRange{descriptor, x, weights, channels},
      ValueRange{result, workspace}, ValueRange{batch});
  return quant::StorageCastOp::create(rewriter, loc, resultType,
                                      call.getResult(0));
}

/// Why a quantized layer cannot run on a kernel, or nullopt when it can.
std::optional<StringRef> checkLayer(Operation *op, RankedTensorType inType,
                                    RankedTensorType weightType,
                                    RankedTensorType outType) {
  if (!isQuantized(inType) || !isQuantized(outType) || !isQuantized(weightType))
    return StringRef("not a statically quantized layer");
  if (!isPerTensor(inType) || !isPerTensor(outType))
    return StringRef("per-axis quantized input or result");
  if (!isStaticButBatch(inType) || !isStaticButBatch(outType) ||
      !weightType.hasStaticShape())
    return StringRef("a dynamic dimension other than the batch");
  if (qopt::checkAccumulatorBound(op))
    return StringRef("the int32 accumulator could overflow "
                     "(convert-qnn-to-linalg reports it)");
  return std::nullopt;
}

struct ConvToKernel : OpRewritePattern<ConvOp> {
  ConvToKernel(MLIRContext *ctx, KernelISA isa, Requantization mode)
      : OpRewritePattern(ctx), isa(isa), mode(mode) {}
  KernelISA isa;
  Requantization mode;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType inType = op.getInput().getType(), outType = op.getType();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    if (std::optional<StringRef> why =
            checkLayer(op, inType, weightType, outType))
      return rewriter.notifyMatchFailure(op, *why);
    int64_t rank = inType.getRank();
    QConvSpec spec;
    fillGeometry(spec, op);
    if (failed(fillQuantization(spec, op.getWeight(), op.getBias(), inType,
                                weightType, outType, op.getActivation(), mode,
                                spec.oc)))
      return rewriter.notifyMatchFailure(op, "weight or bias not a constant");

    Location loc = op.getLoc();
    RankedTensorType inNhwc = permuted(inType, toNhwc(rank));
    RankedTensorType outNhwc = permuted(outType, toNhwc(rank));
    Value x = TransposeOp::create(rewriter, loc, inNhwc, op.getInput(),
                                  rewriter.getDenseI64ArrayAttr(toNhwc(rank)));
    int64_t batch = inType.isDynamicDim(0) ? 1 : inType.getDimSize(0);
    Value y = buildKernelCall(rewriter, loc, x, outNhwc, spec, isa,
                              batch * spec.oh * spec.ow);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, outType, y, rewriter.getDenseI64ArrayAttr(toNchw(rank)));
    return success();
  }
};

/// A rank-2 linear layer is a 1x1 convolution of M images of 1x1 pixels.
struct LinearToKernel : OpRewritePattern<LinearOp> {
  LinearToKernel(MLIRContext *ctx, KernelISA isa, Requantization mode)
      : OpRewritePattern(ctx), isa(isa), mode(mode) {}
  KernelISA isa;
  Requantization mode;

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    RankedTensorType outType = op.getType();
    if (std::optional<StringRef> why =
            checkLayer(op, inType, weightType, outType))
      return rewriter.notifyMatchFailure(op, *why);
    if (inType.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "input of rank other than 2");
    QConvSpec spec;
    spec.c = inType.getDimSize(1);
    spec.oc = outType.getDimSize(1);
    if (failed(fillQuantization(spec, op.getWeight(), op.getBias(), inType,
                                weightType, outType, op.getActivation(), mode,
                                spec.oc)))
      return rewriter.notifyMatchFailure(op, "weight or bias not a constant");
    int64_t rows = inType.isDynamicDim(0) ? 1 : inType.getDimSize(0);
    rewriter.replaceOp(op, buildKernelCall(rewriter, op.getLoc(), op.getInput(),
                                           outType, spec, isa, rows));
    return success();
  }
};

/// Replaces a pooling op on quantized NC[H]W `input` by the pooling kernel
/// `symbol` with `descriptor`, on NHWC storage between transposes.
void replacePool(PatternRewriter &rewriter, Operation *op, Value input,
                 RankedTensorType resultType, StringRef symbol,
                 ArrayRef<int64_t> descriptor) {
  Location loc = op->getLoc();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  Value x =
      TransposeOp::create(rewriter, loc, permuted(inType, toNhwc(rank)), input,
                          rewriter.getDenseI64ArrayAttr(toNhwc(rank)));
  Value storage = quant::StorageCastOp::create(
      rewriter, loc, storageTensorType(cast<RankedTensorType>(x.getType())), x);
  Value batch = tensor::DimOp::create(rewriter, loc, storage, 0);
  RankedTensorType outNhwc = permuted(resultType, toNhwc(rank));
  RankedTensorType outStorage = storageTensorType(outNhwc);
  SmallVector<Value> dynamicSizes;
  if (outStorage.isDynamicDim(0))
    dynamicSizes.push_back(batch);
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, outStorage.getShape(),
                              outStorage.getElementType(), dynamicSizes);
  Value desc = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(descriptor.size())},
                                rewriter.getI64Type()),
          descriptor));
  auto call = qcg::UKernelOp::create(rewriter, loc, TypeRange{outStorage},
                                     symbol, ValueRange{desc, storage},
                                     ValueRange{empty}, ValueRange{batch});
  Value y =
      quant::StorageCastOp::create(rewriter, loc, outNhwc, call.getResult(0));
  rewriter.replaceOpWithNewOp<TransposeOp>(
      op, resultType, y, rewriter.getDenseI64ArrayAttr(toNchw(rank)));
}

/// Why a quantized pooling op cannot run on a kernel, or nullopt.
std::optional<StringRef> checkPool(RankedTensorType inType,
                                   RankedTensorType outType) {
  if (!isQuantized(inType))
    return StringRef("not quantized");
  if (!isPerTensor(inType))
    return StringRef("per-axis quantized");
  if (!isStaticButBatch(inType) || !isStaticButBatch(outType))
    return StringRef("a dynamic dimension other than the batch");
  return std::nullopt;
}

/// A pooling descriptor's geometry: NHWC sizes, a 1-D pool as height 1.
SmallVector<int64_t> poolDescriptor(RankedTensorType in, RankedTensorType out,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> padding,
                                    ArrayRef<int64_t> dilation) {
  SmallVector<int64_t> d(QOPT_POOL_FIELDS, 0);
  int64_t rank = in.getRank();
  bool twoD = rank == 4;
  d[QOPT_POOL_H] = twoD ? in.getDimSize(2) : 1;
  d[QOPT_POOL_W] = in.getDimSize(rank - 1);
  d[QOPT_POOL_C] = in.getDimSize(1);
  d[QOPT_POOL_OH] = twoD ? out.getDimSize(2) : 1;
  d[QOPT_POOL_OW] = out.getDimSize(rank - 1);
  d[QOPT_POOL_KH] = twoD ? kernel[0] : 1;
  d[QOPT_POOL_KW] = kernel.back();
  d[QOPT_POOL_SH] = twoD ? strides[0] : 1;
  d[QOPT_POOL_SW] = strides.back();
  d[QOPT_POOL_PH] = twoD ? padding[0] : 0;
  d[QOPT_POOL_PW] = padding.back();
  d[QOPT_POOL_DH] = twoD ? dilation[0] : 1;
  d[QOPT_POOL_DW] = dilation.back();
  d[QOPT_POOL_SIGNED] = getTypeParams(in).isSigned;
  return d;
}

struct MaxPoolToKernel : OpRewritePattern<MaxPoolOp> {
  MaxPoolToKernel(MLIRContext *ctx, KernelISA isa)
      : OpRewritePattern(ctx), isa(isa) {}
  KernelISA isa;

  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType inType = op.getInput().getType(), outType = op.getType();
    if (std::optional<StringRef> why = checkPool(inType, outType))
      return rewriter.notifyMatchFailure(op, *why);
    SmallVector<int64_t> d = poolDescriptor(
        inType, outType, op.getKernelSize(), op.getStridesOrDefault(),
        op.getPaddingOrDefault(), op.getDilationOrDefault());
    replacePool(rewriter, op, op.getInput(), outType,
                getPoolKernels(isa).maxPool, d);
    return success();
  }
};

/// Adaptive average pooling to size 1, as convert-qnn-to-linalg: PyTorch's
/// NCHW kernel, the sum times r = float(1.0 / 1) / H / W in float32, or with
/// `centered` its NHWC kernel, (sum - n * zp) times 1 / (1 / m), m = (s / s)
/// / n, plus zp after rounding.
struct GlobalAvgPoolToKernel : OpRewritePattern<AdaptiveAvgPoolOp> {
  GlobalAvgPoolToKernel(MLIRContext *ctx, KernelISA isa)
      : OpRewritePattern(ctx), isa(isa) {}
  KernelISA isa;

  LogicalResult matchAndRewrite(AdaptiveAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType inType = op.getInput().getType(), outType = op.getType();
    if (std::optional<StringRef> why = checkPool(inType, outType))
      return rewriter.notifyMatchFailure(op, *why);
    ArrayRef<int64_t> outSpatial = outType.getShape().drop_front(2);
    if (llvm::any_of(outSpatial, [](int64_t s) { return s != 1; }))
      return rewriter.notifyMatchFailure(op, "not a global pooling");
    SmallVector<int64_t> window(inType.getShape().drop_front(2));
    SmallVector<int64_t> ones(window.size(), 1), zeros(window.size(), 0);
    SmallVector<int64_t> d =
        poolDescriptor(inType, outType, window, ones, zeros, ones);
    float r = 1.0f;
    int64_t n = 1;
    for (int64_t size : window) {
      r = r / static_cast<float>(size);
      n *= size;
    }
    if (op.getCentered()) {
      TypeParams p = getTypeParams(inType);
      float m = p.scale() / p.scale() / static_cast<float>(n);
      r = 1.0f / (1.0f / m);
      d[QOPT_POOL_BIAS] = -n * p.zeroPoint();
      d[QOPT_POOL_AFTER] =
          llvm::bit_cast<int32_t>(static_cast<float>(p.zeroPoint()));
    }
    d[QOPT_POOL_SCALE] = llvm::bit_cast<int32_t>(r);
    replacePool(rewriter, op, op.getInput(), outType,
                getPoolKernels(isa).globalAvgPool, d);
    return success();
  }
};

/// A float constant's values, or failure. qnn.observe is an identity (the
/// observers calibration places on weights), so it is looked through.
FailureOr<SmallVector<float>> floatConstant(Value v) {
  while (auto observe = v.getDefiningOp<ObserveOp>())
    v = observe.getInput();
  return getConstantFloats(v);
}

bool anyQuantized(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isQuantized) ||
         llvm::any_of(op->getResultTypes(), isQuantized);
}

int64_t activationCode(Activation activation) {
  switch (activation) {
  case Activation::None:
    return QOPT_ACTIVATION_NONE;
  case Activation::Relu:
    return QOPT_ACTIVATION_RELU;
  case Activation::Relu6:
    return QOPT_ACTIVATION_RELU6;
  }
  llvm_unreachable("unknown activation");
}

/// A float kernel call: ins(desc, x, weights, bias) outs(result, workspace
/// when `workspaceBytes` > 0) scalars(dimension 0 of x).
Value buildFloatCall(PatternRewriter &rewriter, Location loc, StringRef symbol,
                     Value x, RankedTensorType resultType,
                     const FPacked &packed) {
  auto vector = [&](Type element, int64_t size) {
    return RankedTensorType::get({size}, element);
  };
  Value desc = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(
          vector(rewriter.getI64Type(),
                 static_cast<int64_t>(packed.descriptor.size())),
          ArrayRef<int64_t>(packed.descriptor)));
  auto floats = [&](ArrayRef<float> data, StringRef name) {
    return createFloatConstant(
        rewriter, loc,
        vector(rewriter.getF32Type(), static_cast<int64_t>(data.size())), data,
        name);
  };
  Value weights = floats(packed.weights, "qopt_packed_float_weights");
  Value bias = floats(packed.bias, "qopt_packed_float_bias");
  Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
  SmallVector<Value> dynamicSizes;
  if (resultType.isDynamicDim(0))
    dynamicSizes.push_back(batch);
  SmallVector<Value> outputs{
      tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                              resultType.getElementType(), dynamicSizes)};
  if (packed.workspaceBytes > 0)
    outputs.push_back(tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{packed.workspaceBytes},
        rewriter.getI8Type()));
  auto call = qcg::UKernelOp::create(
      rewriter, loc, ValueRange(outputs).getTypes(), symbol,
      ValueRange{desc, x, weights, bias}, outputs, ValueRange{batch});
  return call.getResult(0);
}

/// A float convolution (1-D or 2-D, any groups) in rule F's order, on NCHW.
struct FloatConvToKernel : OpRewritePattern<ConvOp> {
  FloatConvToKernel(MLIRContext *ctx, KernelISA isa, int64_t torchThreads)
      : OpRewritePattern(ctx), isa(isa), torchThreads(torchThreads) {}
  KernelISA isa;
  /// PyTorch's intra-op thread count (0: its default on this host).
  int64_t torchThreads;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (anyQuantized(op))
      return rewriter.notifyMatchFailure(op, "not a float conv");
    RankedTensorType inType = op.getInput().getType(), outType = op.getType();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    if (!isStaticButBatch(inType) || !isStaticButBatch(outType) ||
        !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "a dynamic dimension other than the batch");
    FConvSpec spec;
    FailureOr<SmallVector<float>> weights = floatConstant(op.getWeight());
    if (failed(weights))
      return rewriter.notifyMatchFailure(op, "weight not a constant");
    spec.weights.assign(weights->begin(), weights->end());
    spec.bias.assign(outType.getDimSize(1), 0.0f);
    if (Value bias = op.getBias()) {
      FailureOr<SmallVector<float>> values = floatConstant(bias);
      if (failed(values))
        return rewriter.notifyMatchFailure(op, "bias not a constant");
      spec.bias.assign(values->begin(), values->end());
    }
    fillGeometry(spec, op);
    switch (getFloatConvOrder(inType, weightType, spec.groups,
                              op.getStridesOrDefault(),
                              op.getDilationOrDefault(), torchThreads)) {
    case FloatConvOrder::Own:
      spec.order = QOPT_ORDER_OWN;
      break;
    case FloatConvOrder::OneDnn:
      spec.order = QOPT_ORDER_ONEDNN;
      break;
    case FloatConvOrder::ByBatch:
      spec.order = QOPT_ORDER_BY_BATCH;
      break;
    case FloatConvOrder::ByBatch16:
      spec.order = QOPT_ORDER_BY_BATCH_16;
      break;
    }
    spec.activation = activationCode(op.getActivation());
    spec.chunk = getOneDnnReduceChunk(weightType.getShape().drop_front(2),
                                      op.getPaddingOrDefault(), spec.groups,
                                      weightType.getDimSize(1));
    rewriter.replaceOp(
        op, buildFloatCall(rewriter, op.getLoc(), getFloatKernels(isa).conv,
                           op.getInput(), outType, packFConv(spec)));
    return success();
  }
};

/// A rank-2 float linear layer in the reference BLAS's order.
struct FloatLinearToKernel : OpRewritePattern<LinearOp> {
  FloatLinearToKernel(MLIRContext *ctx, KernelISA isa)
      : OpRewritePattern(ctx), isa(isa) {}
  KernelISA isa;

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (anyQuantized(op))
      return rewriter.notifyMatchFailure(op, "not a float linear layer");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    RankedTensorType outType = op.getType();
    if (inType.getRank() != 2 || !isStaticButBatch(inType) ||
        !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "not rank 2, or a dynamic dimension other than the batch");
    FailureOr<SmallVector<float>> weights = floatConstant(op.getWeight());
    if (failed(weights))
      return rewriter.notifyMatchFailure(op, "weight not a constant");
    SmallVector<float> bias;
    if (Value b = op.getBias()) {
      FailureOr<SmallVector<float>> values = floatConstant(b);
      if (failed(values))
        return rewriter.notifyMatchFailure(op, "bias not a constant");
      bias = std::move(*values);
    }
    FPacked packed =
        packFLinear(inType.getDimSize(1), outType.getDimSize(1), *weights, bias,
                    activationCode(op.getActivation()));
    rewriter.replaceOp(op, buildFloatCall(rewriter, op.getLoc(),
                                          getFloatKernels(isa).linear,
                                          op.getInput(), outType, packed));
    return success();
  }
};

struct QNNToKernelsPass : qopt::impl::QNNToKernelsBase<QNNToKernelsPass> {
  using QNNToKernelsBase::QNNToKernelsBase;
  void runOnOperation() override {
    std::optional<KernelISA> kernelIsa = parseKernelISA(isa);
    if (!kernelIsa || *kernelIsa == KernelISA::None) {
      getOperation()->emitError()
          << "qnn-to-kernels: unknown kernel variant '" << isa
          << "' (expected generic, avx2, avxvnni, avx512vnni or amx)";
      return signalPassFailure();
    }
    std::optional<Requantization> mode = parseRequantization(requantization);
    if (!mode) {
      getOperation()->emitError()
          << "qnn-to-kernels: unknown requantization '" << requantization
          << "' (expected float, onednn or integer)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateQNNToKernelsPatterns(patterns, *kernelIsa, *mode, torchThreads);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qopt::populateQNNToKernelsPatterns(RewritePatternSet &patterns,
                                        KernelISA isa, Requantization mode,
                                        int64_t torchThreads) {
  patterns.add<ConvToKernel, LinearToKernel>(patterns.getContext(), isa, mode);
  patterns.add<FloatConvToKernel>(patterns.getContext(), isa, torchThreads);
  patterns.add<MaxPoolToKernel, GlobalAvgPoolToKernel, FloatLinearToKernel>(
      patterns.getContext(), isa);
}
