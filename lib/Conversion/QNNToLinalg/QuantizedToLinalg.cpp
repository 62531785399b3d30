//===- QuantizedToLinalg.cpp - Lower quantized qnn to integer linalg -*- C++
//-*-=//
//
// The quantized half of convert-qnn-to-linalg: `!quant.uniform` tensors
// become tensors of their 8-bit storage type, products accumulate in int32,
// and every rounding follows docs/Numerics.md (rules Q, D and R) so that the
// results equal PyTorch's x86 backend bit for bit.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Support/QuantParams.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace qopt::qnn;
using namespace qopt::lowering;
using quant::QuantizedType;
using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;

namespace {

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

/// The parameters of a quantized tensor type as the contract uses them:
/// float32 scales, integer zero points, the storage range.
struct Params {
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  /// The quantized dimension, or -1 per tensor.
  int64_t axis = -1;
  bool isSigned = true;
  qopt::QuantRange storage{0, 0};

  float scale(int64_t i = 0) const { return scales[axis < 0 ? 0 : i]; }
  int64_t zeroPoint(int64_t i = 0) const {
    return zeroPoints[axis < 0 ? 0 : i];
  }
};

Params getParams(Type type) {
  auto qtype = cast<QuantizedType>(getElementTypeOrSelf(type));
  Params p;
  p.isSigned = qtype.isSigned();
  p.storage = {qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
  if (auto uniform = dyn_cast<UniformQuantizedType>(qtype)) {
    p.scales.push_back(static_cast<float>(uniform.getScale()));
    p.zeroPoints.push_back(uniform.getZeroPoint());
    return p;
  }
  auto perAxis = cast<UniformQuantizedPerAxisType>(qtype);
  for (double s : perAxis.getScales())
    p.scales.push_back(static_cast<float>(s));
  llvm::append_range(p.zeroPoints, perAxis.getZeroPoints());
  p.axis = perAxis.getQuantizedDimension();
  return p;
}

/// The storage tensor type of a quantized tensor type: signless integers of
/// the storage width (u8 data is read with unsigned extensions).
RankedTensorType storageType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  auto qtype = cast<QuantizedType>(tensor.getElementType());
  return RankedTensorType::get(
      tensor.getShape(),
      IntegerType::get(type.getContext(), qtype.getStorageTypeIntegralWidth()));
}

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(value));
}

Value floatVector(OpBuilder &b, Location loc, ArrayRef<float> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

Value i32Vector(OpBuilder &b, Location loc, ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// Storage integer (8 bits) to i32, by the type's signedness.
Value extendScalar(OpBuilder &b, Location loc, Value v, bool isSigned) {
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, b.getI32Type(), v);
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), v);
}

/// The storage tensor `v` widened to i32.
Value widen(OpBuilder &b, Location loc, Value v, bool isSigned) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  return buildElementwise(b, loc, makeEmptyLike(b, loc, v, b.getI32Type()), {v},
                          {b.getMultiDimIdentityMap(rank)},
                          [&](OpBuilder &nb, Location nloc, ValueRange args) {
                            return extendScalar(nb, nloc, args[0], isSigned);
                          });
}

/// Rule Q on one f32 value, given its float32 reciprocal scale and zero
/// point: clamp(roundeven(x * inv) + zp, lo, hi) in float, NaN to the zero
/// point, then to the storage integer `storage`.
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value invScale,
                     Value zeroPoint, float lo, float hi, Type storage) {
  Value rounded = math::RoundEvenOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, invScale));
  Value shifted = arith::AddFOp::create(b, loc, rounded, zeroPoint);
  Value clamped = arith::MinimumFOp::create(
      b, loc,
      arith::MaximumFOp::create(b, loc, shifted, f32Constant(b, loc, lo)),
      f32Constant(b, loc, hi));
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                      shifted, shifted);
  Value value = arith::SelectOp::create(b, loc, isNan, zeroPoint, clamped);
  Value wide = arith::FPToSIOp::create(b, loc, b.getI32Type(), value);
  return arith::TruncIOp::create(b, loc, storage, wide);
}

/// A per-element float32 parameter of an elementwise generic: a constant
/// made in the body (per tensor) or one of the generic's inputs (per axis).
struct PerElement {
  std::optional<unsigned> argIndex;
  float uniform;

  Value get(OpBuilder &b, Location loc, ValueRange args) const {
    if (argIndex)
      return args[*argIndex];
    return f32Constant(b, loc, uniform);
  }
};

/// The inputs of an elementwise generic over a tensor: the tensor itself
/// (identity map), then one vector per per-axis parameter.
struct ElementwiseInputs {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  int64_t rank;

  ElementwiseInputs(OpBuilder &b, Value primary)
      : values{primary},
        rank(cast<RankedTensorType>(primary.getType()).getRank()) {
    maps.push_back(b.getMultiDimIdentityMap(rank));
  }

  /// `params` holds one value per index of `p.axis`, or one for the tensor.
  PerElement addFloats(OpBuilder &b, Location loc, const Params &p,
                       ArrayRef<float> params) {
    if (p.axis < 0)
      return {std::nullopt, params[0]};
    values.push_back(floatVector(b, loc, params));
    maps.push_back(dimMap(b, rank, p.axis));
    return {static_cast<unsigned>(values.size()) - 1, 0.0f};
  }
};

SmallVector<float> reciprocals(const Params &p) {
  SmallVector<float> inv;
  for (float s : p.scales)
    inv.push_back(1.0f / s);
  return inv;
}

SmallVector<float> zeroPointsAsFloat(const Params &p) {
  SmallVector<float> zps;
  for (int64_t z : p.zeroPoints)
    zps.push_back(static_cast<float>(z));
  return zps;
}

/// x (f32 tensor) quantized to storage with `p` (rule Q).
Value quantizeTensor(OpBuilder &b, Location loc, Value x, const Params &p,
                     RankedTensorType resultStorage) {
  ElementwiseInputs inputs(b, x);
  PerElement inv = inputs.addFloats(b, loc, p, reciprocals(p));
  PerElement zp = inputs.addFloats(b, loc, p, zeroPointsAsFloat(p));
  float lo = static_cast<float>(p.storage.min),
        hi = static_cast<float>(p.storage.max);
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, x, resultStorage.getElementType()),
      inputs.values, inputs.maps,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return quantizeScalar(nb, nloc, args[0], inv.get(nb, nloc, args),
                              zp.get(nb, nloc, args), lo, hi,
                              resultStorage.getElementType());
      });
}

/// Rule D on storage values: float(q - zp) * scale. For 8-bit storage and a
/// zero point in the storage range, float(q) - float(zp) is exact, so the
/// subtraction can be done in float.
Value dequantizeScalar(OpBuilder &b, Location loc, Value q, bool isSigned,
                       Value zeroPoint, Value scale) {
  Value asFloat = arith::SIToFPOp::create(b, loc, b.getF32Type(),
                                          extendScalar(b, loc, q, isSigned));
  Value centered = arith::SubFOp::create(b, loc, asFloat, zeroPoint);
  return arith::MulFOp::create(b, loc, centered, scale);
}

//===----------------------------------------------------------------------===//
// Conversion patterns
//===----------------------------------------------------------------------===//

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, quantizeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                           getParams(op.getType()), storageType(op.getType())));
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Params p = getParams(op.getInput().getType());
    ElementwiseInputs inputs(rewriter, adaptor.getInput());
    PerElement scale = inputs.addFloats(rewriter, loc, p, p.scales);
    PerElement zp = inputs.addFloats(rewriter, loc, p, zeroPointsAsFloat(p));
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc,
                makeEmptyLike(rewriter, loc, adaptor.getInput(),
                              rewriter.getF32Type()),
                inputs.values, inputs.maps,
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  return dequantizeScalar(nb, nloc, args[0], p.isSigned,
                                          zp.get(nb, nloc, args),
                                          scale.get(nb, nloc, args));
                }));
    return success();
  }
};

struct RequantizeLowering : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Params in = getParams(op.getInput().getType());
    Params out = getParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    ElementwiseInputs inputs(rewriter, adaptor.getInput());
    PerElement inScale = inputs.addFloats(rewriter, loc, in, in.scales);
    PerElement inZp =
        inputs.addFloats(rewriter, loc, in, zeroPointsAsFloat(in));
    PerElement outInv = inputs.addFloats(rewriter, loc, out, reciprocals(out));
    PerElement outZp =
        inputs.addFloats(rewriter, loc, out, zeroPointsAsFloat(out));
    float lo = static_cast<float>(out.storage.min),
          hi = static_cast<float>(out.storage.max);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc,
                makeEmptyLike(rewriter, loc, adaptor.getInput(),
                              resultStorage.getElementType()),
                inputs.values, inputs.maps,
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  Value x = dequantizeScalar(nb, nloc, args[0], in.isSigned,
                                             inZp.get(nb, nloc, args),
                                             inScale.get(nb, nloc, args));
                  return quantizeScalar(nb, nloc, x, outInv.get(nb, nloc, args),
                                        outZp.get(nb, nloc, args), lo, hi,
                                        resultStorage.getElementType());
                }));
    return success();
  }
};

/// The storage values of a constant weight, read with the weight type's
/// signedness, or nullopt when the weight is not a constant.
std::optional<SmallVector<int64_t>> constantStorage(Value storage,
                                                    bool isSigned) {
  auto constant = storage.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue());
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(isSigned ? v.getSExtValue()
                              : static_cast<int64_t>(v.getZExtValue()));
  return values;
}

/// The pieces shared by quantized conv and linear: widened, zero-point
/// adjusted weights, the accumulator's initial value per output channel and
/// the requantization epilogue.
struct WeightedParts {
  Params in, weight, out;
  Value weightI32;
  /// -zx * sum(w - zw) per output channel (+ an i32 bias), a 1-D i32 tensor.
  Value channelInit;

  static WeightedParts build(OpBuilder &b, Location loc, Type inType,
                             Type weightType, Type outType, Value weight,
                             Value bias) {
    WeightedParts parts{getParams(inType), getParams(weightType),
                        getParams(outType), Value(), Value()};
    auto wType = cast<RankedTensorType>(weight.getType());
    int64_t channels = wType.getDimSize(0);
    int64_t rank = wType.getRank();
    const Params &w = parts.weight;
    bool weightZeroPoints =
        llvm::any_of(w.zeroPoints, [](int64_t z) { return z != 0; });
    int64_t zx = parts.in.zeroPoint();

    // w - zw in i32.
    Value wi = widen(b, loc, weight, w.isSigned);
    if (weightZeroPoints) {
      SmallVector<int32_t> zw;
      for (int64_t c = 0; c < channels; ++c)
        zw.push_back(static_cast<int32_t>(w.zeroPoint(c)));
      wi = buildElementwise(
          b, loc, makeEmptyLike(b, loc, wi), {wi, i32Vector(b, loc, zw)},
          {b.getMultiDimIdentityMap(rank), dimMap(b, rank, 0)},
          [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
            return arith::SubIOp::create(nb, nloc, args[0], args[1]);
          });
    }
    parts.weightI32 = wi;

    // -zx * sum(w - zw): folded at compile time for constant weights (the
    // normal case), a reduction otherwise.
    if (std::optional<SmallVector<int64_t>> values =
            constantStorage(weight, w.isSigned)) {
      int64_t perChannel = static_cast<int64_t>(values->size()) / channels;
      SmallVector<int32_t> init;
      for (int64_t c = 0; c < channels; ++c) {
        int64_t sum = 0;
        for (int64_t i = 0; i < perChannel; ++i)
          sum += (*values)[c * perChannel + i] - w.zeroPoint(c);
        init.push_back(static_cast<int32_t>(-zx * sum));
      }
      parts.channelInit = i32Vector(b, loc, init);
    } else {
      SmallVector<AffineExpr> exprs{b.getAffineDimExpr(0)};
      SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel};
      iterators.append(rank - 1, utils::IteratorType::reduction);
      Value zero = fill(
          b, loc,
          makeEmpty(b, loc, RankedTensorType::get({channels}, b.getI32Type()),
                    [&](int64_t) -> Value {
                      return tensor::DimOp::create(b, loc, weight, 0);
                    }),
          b.getI32IntegerAttr(0));
      Value sums = linalg::GenericOp::create(
                       b, loc, TypeRange{zero.getType()}, ValueRange{wi},
                       ValueRange{zero},
                       {b.getMultiDimIdentityMap(rank),
                        AffineMap::get(rank, 0, exprs, b.getContext())},
                       iterators,
                       [&](OpBuilder &nb, Location nloc, ValueRange args) {
                         linalg::YieldOp::create(
                             nb, nloc,
                             arith::AddIOp::create(nb, nloc, args[1], args[0])
                                 .getResult());
                       })
                       .getResult(0);
      parts.channelInit = buildElementwise(
          b, loc, makeEmptyLike(b, loc, sums), {sums},
          {b.getMultiDimIdentityMap(1)},
          [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
            return arith::MulIOp::create(nb, nloc, args[0],
                                         i32Constant(nb, nloc, -zx));
          });
    }
    if (bias && cast<RankedTensorType>(bias.getType())
                    .getElementType()
                    .isSignlessInteger(32))
      parts.channelInit = buildElementwise(
          b, loc, makeEmptyLike(b, loc, parts.channelInit),
          {parts.channelInit, bias},
          {b.getMultiDimIdentityMap(1), b.getMultiDimIdentityMap(1)},
          [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
            return arith::AddIOp::create(nb, nloc, args[0], args[1]);
          });
    return parts;
  }

  /// `empty` (i32, channels along `channelDim`) filled with channelInit.
  Value initAccumulator(OpBuilder &b, Location loc, Value empty,
                        int64_t channelDim) const {
    int64_t rank = cast<RankedTensorType>(empty.getType()).getRank();
    return buildElementwise(
        b, loc, empty, {channelInit}, {dimMap(b, rank, channelDim)},
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  }

  /// Rule R: from the int32 accumulator to output storage.
  Value requantize(OpBuilder &b, Location loc, Value acc, Value bias,
                   int64_t channelDim, Activation activation,
                   Type storageElement) const {
    auto accType = cast<RankedTensorType>(acc.getType());
    int64_t rank = accType.getRank();
    int64_t channels =
        static_cast<int64_t>(weight.axis < 0 ? accType.getDimSize(channelDim)
                                             : weight.scales.size());
    // act_times_w_scale[c] = sx * sw[c] and the multiplier
    // act_times_w_scale[c] / sy, in float32 as FBGEMM computes them.
    SmallVector<float> actTimesW, multiplier;
    for (int64_t c = 0; c < channels; ++c) {
      float s = in.scale() * weight.scale(c);
      actTimesW.push_back(s);
      multiplier.push_back(s / out.scale());
    }
    bool floatBias =
        bias && cast<RankedTensorType>(bias.getType()).getElementType().isF32();
    SmallVector<Value> inputs{acc, floatVector(b, loc, multiplier)};
    SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                                dimMap(b, rank, channelDim)};
    if (floatBias) {
      inputs.append({bias, floatVector(b, loc, actTimesW)});
      maps.append({dimMap(b, rank, channelDim), dimMap(b, rank, channelDim)});
    }
    int64_t zy = out.zeroPoint();
    float lo = static_cast<float>(out.storage.min),
          hi = static_cast<float>(out.storage.max);
    if (activation != Activation::None)
      lo = static_cast<float>(zy);
    if (activation == Activation::Relu6)
      hi = static_cast<float>(std::min<int64_t>(
          out.storage.max,
          qopt::quantizeValue(6.0f, out.scale(), zy, out.storage)));
    return buildElementwise(
        b, loc, makeEmptyLike(b, loc, acc, storageElement), inputs, maps,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value f = arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), args[0]);
          if (floatBias)
            f = arith::AddFOp::create(
                nb, nloc, f, arith::DivFOp::create(nb, nloc, args[2], args[3]));
          Value rounded = math::RoundEvenOp::create(
              nb, nloc, arith::MulFOp::create(nb, nloc, f, args[1]));
          Value shifted = arith::AddFOp::create(
              nb, nloc, rounded, f32Constant(nb, nloc, static_cast<float>(zy)));
          Value clamped = arith::MinimumFOp::create(
              nb, nloc,
              arith::MaximumFOp::create(nb, nloc, shifted,
                                        f32Constant(nb, nloc, lo)),
              f32Constant(nb, nloc, hi));
          Value wide =
              arith::FPToSIOp::create(nb, nloc, nb.getI32Type(), clamped);
          return arith::TruncIOp::create(nb, nloc, storageElement, wide);
        });
  }
};

struct QuantizedConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    WeightedParts parts = WeightedParts::build(
        rewriter, loc, op.getInput().getType(), op.getWeight().getType(),
        op.getType(), adaptor.getWeight(), adaptor.getBias());
    SmallVector<int64_t> strides = op.getStridesOrDefault();
    SmallVector<int64_t> padding = op.getPaddingOrDefault();
    SmallVector<int64_t> dilation = op.getDilationOrDefault();
    // Padding with the input zero point contributes (zx - zx) * w = 0.
    Value input = widen(rewriter, loc, adaptor.getInput(), parts.in.isSigned);
    Value padded = padSpatial(rewriter, loc, input, padding, padding,
                              rewriter.getI32IntegerAttr(parts.in.zeroPoint()));
    RankedTensorType resultStorage = storageType(op.getType());
    auto accType =
        RankedTensorType::get(resultStorage.getShape(), rewriter.getI32Type());
    Value init = parts.initAccumulator(
        rewriter, loc,
        makeConvResult(rewriter, loc, accType, input, parts.weightI32, strides,
                       padding, dilation),
        1);
    Value acc = buildConv(rewriter, loc, padded, parts.weightI32, init,
                          op.getGroups(), strides, dilation);
    rewriter.replaceOp(op,
                       parts.requantize(rewriter, loc, acc, adaptor.getBias(),
                                        1, op.getActivation(),
                                        resultStorage.getElementType()));
    return success();
  }
};

struct QuantizedLinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    WeightedParts parts = WeightedParts::build(
        rewriter, loc, op.getInput().getType(), op.getWeight().getType(),
        op.getType(), adaptor.getWeight(), adaptor.getBias());
    RankedTensorType resultStorage = storageType(op.getType());
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    // Bring the input to [M, K] (storage), widen it.
    SmallVector<ReassociationIndices> toMatrix;
    if (rank > 2) {
      ReassociationIndices batch;
      for (int64_t i = 0; i < rank - 1; ++i)
        batch.push_back(i);
      toMatrix = {batch, {rank - 1}};
      input = tensor::CollapseShapeOp::create(rewriter, loc, input, toMatrix);
    } else if (rank == 1) {
      toMatrix = {{0, 1}};
      input = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, inType.getDimSize(0)},
                                inType.getElementType()),
          input, toMatrix);
    }
    Value matrix = widen(rewriter, loc, input, parts.in.isSigned);
    auto matrixType = cast<RankedTensorType>(matrix.getType());
    auto accType = RankedTensorType::get(
        {matrixType.getDimSize(0), resultStorage.getShape().back()},
        rewriter.getI32Type());
    Value empty = makeEmpty(rewriter, loc, accType, [&](int64_t i) -> Value {
      return tensor::DimOp::create(rewriter, loc,
                                   i == 0 ? matrix : parts.weightI32, 0);
    });
    Value acc =
        buildMatmulTransposedB(rewriter, loc, matrix, parts.weightI32,
                               parts.initAccumulator(rewriter, loc, empty, 1));
    Value result =
        parts.requantize(rewriter, loc, acc, adaptor.getBias(), 1,
                         op.getActivation(), resultStorage.getElementType());
    if (rank > 2)
      result = tensor::ExpandShapeOp::create(rewriter, loc, resultStorage,
                                             result, toMatrix);
    else if (rank == 1)
      result = tensor::CollapseShapeOp::create(rewriter, loc, resultStorage,
                                               result, toMatrix);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// clamp(q, lo, hi) on storage values, compared with the type's signedness.
Value clampStorage(OpBuilder &b, Location loc, Value storage, bool isSigned,
                   int64_t lo, int64_t hi) {
  int64_t rank = cast<RankedTensorType>(storage.getType()).getRank();
  Type element = cast<RankedTensorType>(storage.getType()).getElementType();
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, storage), {storage},
      {b.getMultiDimIdentityMap(rank)},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        auto constant = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, nloc,
                                           nb.getIntegerAttr(element, v));
        };
        if (isSigned)
          return arith::MinSIOp::create(
              nb, nloc, arith::MaxSIOp::create(nb, nloc, args[0], constant(lo)),
              constant(hi));
        return arith::MinUIOp::create(
            nb, nloc, arith::MaxUIOp::create(nb, nloc, args[0], constant(lo)),
            constant(hi));
      });
}

struct QuantizedReluLowering : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Params p = getParams(op.getType());
    rewriter.replaceOp(op,
                       clampStorage(rewriter, op.getLoc(), adaptor.getInput(),
                                    p.isSigned, p.zeroPoint(), p.storage.max));
    return success();
  }
};

struct QuantizedClampLowering : OpConversionPattern<ClampOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ClampOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Params p = getParams(op.getType());
    // The real bounds quantized with the tensor's own parameters (rule Q).
    int64_t lo = qopt::quantizeValue(op.getMin().convertToFloat(), p.scale(),
                                     p.zeroPoint(), p.storage);
    int64_t hi = qopt::quantizeValue(op.getMax().convertToFloat(), p.scale(),
                                     p.zeroPoint(), p.storage);
    rewriter.replaceOp(op,
                       clampStorage(rewriter, op.getLoc(), adaptor.getInput(),
                                    p.isSigned, lo, hi));
    return success();
  }
};

struct QuantizedMaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    Params p = getParams(op.getType());
    std::optional<PoolGeometry> g =
        getPoolGeometry(op.getInput().getType(), op.getType(),
                        op.getKernelSize(), op.getStridesOrDefault(),
                        op.getPaddingOrDefault(), op.getDilationOrDefault());
    if (!g)
      return rewriter.notifyMatchFailure(op, "dynamic spatial dimension");
    // Compare in i32, where signed comparison is right for both storages.
    RankedTensorType resultStorage = storageType(op.getType());
    auto wideType =
        RankedTensorType::get(resultStorage.getShape(), rewriter.getI32Type());
    Value pooled = buildMaxPool(
        rewriter, loc, widen(rewriter, loc, adaptor.getInput(), p.isSigned),
        wideType, *g, rewriter.getI32IntegerAttr(p.storage.min));
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc,
                makeEmptyLike(rewriter, loc, pooled,
                              resultStorage.getElementType()),
                {pooled}, {rewriter.getMultiDimIdentityMap(wideType.getRank())},
                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  return arith::TruncIOp::create(
                      nb, nloc, resultStorage.getElementType(), args[0]);
                }));
    return success();
  }
};

/// The i32 `acc` to storage, per output position p (row-major over the
/// spatial dimensions): clamp(roundeven(float(acc) * scale[p] + offset)).
Value roundPerPosition(OpBuilder &b, Location loc, Value acc,
                       ArrayRef<float> scale, float offset, const Params &p,
                       Type storageElement) {
  auto type = cast<RankedTensorType>(acc.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> spatial;
  for (int64_t i = 2; i < rank; ++i)
    spatial.push_back(b.getAffineDimExpr(i));
  auto scaleType =
      RankedTensorType::get(type.getShape().drop_front(2), b.getF32Type());
  Value scales = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scaleType, scale));
  float lo = static_cast<float>(p.storage.min),
        hi = static_cast<float>(p.storage.max);
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, acc, storageElement), {acc, scales},
      {b.getMultiDimIdentityMap(rank),
       AffineMap::get(rank, 0, spatial, b.getContext())},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value f = arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), args[0]);
        Value scaled = arith::AddFOp::create(
            nb, nloc, arith::MulFOp::create(nb, nloc, f, args[1]),
            f32Constant(nb, nloc, offset));
        Value clamped = arith::MinimumFOp::create(
            nb, nloc,
            arith::MaximumFOp::create(
                nb, nloc, math::RoundEvenOp::create(nb, nloc, scaled),
                f32Constant(nb, nloc, lo)),
            f32Constant(nb, nloc, hi));
        return arith::TruncIOp::create(
            nb, nloc, storageElement,
            arith::FPToSIOp::create(nb, nloc, nb.getI32Type(), clamped));
      });
}

/// PyTorch's quantized avg_pool (NCHW path): acc = sum(q) - size * zx over
/// the input elements of the window, then
/// nearbyint(float(acc) * float(1.0 / divisor) + zy), clamped.
struct QuantizedAvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    Params p = getParams(op.getType());
    RankedTensorType inType = op.getInput().getType();
    int64_t numSpatial = inType.getRank() - 2;
    std::optional<PoolGeometry> g = getPoolGeometry(
        inType, op.getType(), op.getKernelSize(), op.getStridesOrDefault(),
        op.getPaddingOrDefault(), SmallVector<int64_t>(numSpatial, 1));
    if (!g)
      return rewriter.notifyMatchFailure(op, "dynamic spatial dimension");
    RankedTensorType resultStorage = storageType(op.getType());
    auto accType =
        RankedTensorType::get(resultStorage.getShape(), rewriter.getI32Type());
    // Padded positions hold zx, so the window sum minus (kernel size) * zx
    // is the sum of (q - zx) over the input elements alone.
    int64_t zx = p.zeroPoint();
    Value sum = buildSumPool(
        rewriter, loc, widen(rewriter, loc, adaptor.getInput(), p.isSigned),
        accType, *g, rewriter.getI32IntegerAttr(zx));
    int64_t windowSize = 1;
    for (int64_t k : g->kernel)
      windowSize *= k;
    Value acc = buildElementwise(
        rewriter, loc, makeEmptyLike(rewriter, loc, sum), {sum},
        {rewriter.getMultiDimIdentityMap(accType.getRank())},
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::SubIOp::create(nb, nloc, args[0],
                                       i32Constant(nb, nloc, windowSize * zx));
        });
    SmallVector<float> multipliers;
    for (int64_t d :
         avgPoolDivisors(inType, op.getType(), *g, op.getCountIncludePad()))
      multipliers.push_back(static_cast<float>(1.0 / static_cast<double>(d)));
    rewriter.replaceOp(op, roundPerPosition(rewriter, loc, acc, multipliers,
                                            static_cast<float>(zx), p,
                                            resultStorage.getElementType()));
    return success();
  }
};

/// PyTorch's quantized adaptive_avg_pool (NCHW path): the window sum of the
/// stored values times r, rounded half to even, with
/// r = float(1.0 / kD) / kH / kW in float32 (kD = 1 in 2-D, kD = kH = 1 for
/// the 1-D form, which PyTorch runs as 2-D with height 1).
struct QuantizedAdaptiveAvgPoolLowering
    : OpConversionPattern<AdaptiveAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdaptiveAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    Params p = getParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    auto accType =
        RankedTensorType::get(resultStorage.getShape(), rewriter.getI32Type());
    Value sums = buildAdaptiveWindowSums(
        rewriter, loc, widen(rewriter, loc, adaptor.getInput(), p.isSigned),
        accType);
    SmallVector<SmallVector<int64_t>> sizes =
        adaptiveWindowSizes(op.getInput().getType(), op.getType());
    // Per output position: kDr = float(1.0 / 1), then divide by each
    // window size in turn, in float32.
    SmallVector<float> factors{1.0f};
    for (const SmallVector<int64_t> &dim : sizes) {
      SmallVector<float> next;
      for (float f : factors)
        for (int64_t k : dim)
          next.push_back(f / static_cast<float>(k));
      factors = std::move(next);
    }
    rewriter.replaceOp(op, roundPerPosition(rewriter, loc, sums, factors, 0.0f,
                                            p, resultStorage.getElementType()));
    return success();
  }
};

/// Quantized add: each operand dequantized with its own type (rule D), the
/// sum taken in float32, relu applied in float, then rule Q with the result
/// type (relu6 clamps the real value at 6 before quantizing).
struct QuantizedAddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    Params lhs = getParams(op.getLhs().getType());
    Params rhs = getParams(op.getRhs().getType());
    Params out = getParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    int64_t rank = resultStorage.getRank();
    Activation activation = op.getActivation();
    float lo = static_cast<float>(out.storage.min),
          hi = static_cast<float>(out.storage.max);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc,
            makeEmptyLike(rewriter, loc, adaptor.getLhs(),
                          resultStorage.getElementType()),
            {adaptor.getLhs(), adaptor.getRhs()}, {identity, identity},
            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
              auto dequantize = [&](Value q, const Params &p) {
                return dequantizeScalar(
                    nb, nloc, q, p.isSigned,
                    f32Constant(nb, nloc, static_cast<float>(p.zeroPoint())),
                    f32Constant(nb, nloc, p.scale()));
              };
              Value sum = arith::AddFOp::create(
                  nb, nloc, dequantize(args[0], lhs), dequantize(args[1], rhs));
              if (activation != Activation::None)
                sum = arith::MaximumFOp::create(nb, nloc, sum,
                                                f32Constant(nb, nloc, 0.0f));
              if (activation == Activation::Relu6)
                sum = arith::MinimumFOp::create(nb, nloc, sum,
                                                f32Constant(nb, nloc, 6.0f));
              return quantizeScalar(
                  nb, nloc, sum, f32Constant(nb, nloc, 1.0f / out.scale()),
                  f32Constant(nb, nloc, static_cast<float>(out.zeroPoint())),
                  lo, hi, resultStorage.getElementType());
            }));
    return success();
  }
};

struct QuantizedReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    rewriter.replaceOp(op,
                       buildReshape(rewriter, op.getLoc(), adaptor.getInput(),
                                    storageType(op.getType())));
    return success();
  }
};

struct QuantizedFlattenLowering : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    rewriter.replaceOp(op,
                       buildFlatten(rewriter, op.getLoc(), adaptor.getInput(),
                                    storageType(op.getType()),
                                    op.getStartIndex(), op.getEndIndex()));
    return success();
  }
};

/// quant.scast between storage integers and quantized values disappears:
/// both sides are the same storage tensor after conversion.
struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

std::optional<std::string> qopt::checkAccumulatorBound(Operation *op) {
  Value weight, bias;
  Type inType;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    weight = conv.getWeight();
    bias = conv.getBias();
    inType = conv.getInput().getType();
  } else if (auto linear = dyn_cast<LinearOp>(op)) {
    weight = linear.getWeight();
    bias = linear.getBias();
    inType = linear.getInput().getType();
  } else {
    return std::nullopt;
  }
  if (!isQuantized(inType) || !isQuantized(weight.getType()))
    return std::nullopt;
  Params in = getParams(inType), w = getParams(weight.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  if (!wType.hasStaticShape())
    return std::nullopt;
  int64_t channels = wType.getDimSize(0);
  int64_t perChannel = wType.getNumElements() / channels;
  // |x - zx| is at most the distance from zx to the far end of the storage.
  int64_t inputSpan = std::max(in.zeroPoint() - in.storage.min,
                               in.storage.max - in.zeroPoint());
  // The weights: their actual values when constant, else the storage range.
  Value storage = weight;
  if (auto cast = weight.getDefiningOp<quant::StorageCastOp>())
    storage = cast.getInput();
  std::optional<SmallVector<int64_t>> values =
      constantStorage(storage, w.isSigned);
  std::optional<SmallVector<int64_t>> biasValues;
  if (bias)
    if (auto constant = bias.getDefiningOp<arith::ConstantOp>())
      if (auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue())) {
        biasValues.emplace();
        for (const APInt &v : dense.getValues<APInt>())
          biasValues->push_back(v.getSExtValue());
      }
  bool intBias = bias && cast<RankedTensorType>(bias.getType())
                             .getElementType()
                             .isSignlessInteger(32);
  int64_t worst = 0, worstChannel = 0;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t weightSum = 0;
    for (int64_t i = 0; i < perChannel; ++i) {
      int64_t v = values ? (*values)[c * perChannel + i] - w.zeroPoint(c)
                         : std::max(w.zeroPoint(c) - w.storage.min,
                                    w.storage.max - w.zeroPoint(c));
      weightSum += std::abs(v);
    }
    int64_t bound = inputSpan * weightSum;
    if (intBias)
      bound += biasValues ? std::abs((*biasValues)[c]) : (int64_t{1} << 31);
    if (bound > worst) {
      worst = bound;
      worstChannel = c;
    }
  }
  if (worst < (int64_t{1} << 31))
    return std::nullopt;
  return "the int32 accumulator can overflow: output channel " +
         std::to_string(worstChannel) +
         " can reach |acc| = " + std::to_string(worst) + " (reduction length " +
         std::to_string(perChannel) +
         ", |x - zx| <= " + std::to_string(inputSpan) + "), beyond 2^31 - 1";
}

qopt::QuantStorageTypeConverter::QuantStorageTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type {
    if (isQuantized(type))
      return storageType(type);
    return type;
  });
  auto cast = [](OpBuilder &b, Type type, ValueRange inputs,
                 Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(cast);
  addTargetMaterialization(cast);
}

void qopt::populateQuantizedQNNToLinalgPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering,
               QuantizedConvLowering, QuantizedLinearLowering,
               QuantizedReluLowering, QuantizedClampLowering,
               QuantizedMaxPoolLowering, QuantizedAvgPoolLowering,
               QuantizedAdaptiveAvgPoolLowering, QuantizedAddLowering,
               QuantizedReshapeLowering, QuantizedFlattenLowering,
               StorageCastLowering>(converter, patterns.getContext());
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  populateCallOpTypeConversionPattern(patterns, converter);
}

LogicalResult qopt::lowerQuantizedQNN(Operation *root) {
  MLIRContext *ctx = root->getContext();
  QuantStorageTypeConverter converter;
  RewritePatternSet patterns(ctx);
  populateQuantizedQNNToLinalgPatterns(converter, patterns);
  ConversionTarget target(*ctx);
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, tensor::TensorDialect>();
  target.addIllegalOp<quant::StorageCastOp>();
  target.addDynamicallyLegalDialect<QNNDialect>([](Operation *op) {
    return llvm::none_of(op->getOperandTypes(), isQuantized) &&
           llvm::none_of(op->getResultTypes(), isQuantized);
  });
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
      [&](Operation *op) { return converter.isLegal(op); });
  return applyPartialConversion(root, target, std::move(patterns));
}
