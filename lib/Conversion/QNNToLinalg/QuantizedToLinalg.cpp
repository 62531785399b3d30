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
#include "qopt/Dialect/QNN/Utils/Constants.h"
#include "qopt/Dialect/QNN/Utils/TypeParams.h"
#include "qopt/Support/QuantParams.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace qopt::qnn;
using namespace qopt::lowering;
using qopt::Requantization;
using quant::QuantizedType;
using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;

namespace {

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

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
/// point, then to the storage integer `storage`. With
/// `zeroPointBeforeRounding`, oneDNN's reorder instead:
/// clamp(roundeven(x * inv + zp), lo, hi), each float operation rounded.
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value invScale,
                     Value zeroPoint, float lo, float hi, Type storage,
                     bool zeroPointBeforeRounding = false) {
  Value product = arith::MulFOp::create(b, loc, x, invScale);
  Value shifted =
      zeroPointBeforeRounding
          ? Value(math::RoundEvenOp::create(
                b, loc, arith::AddFOp::create(b, loc, product, zeroPoint)))
          : Value(arith::AddFOp::create(
                b, loc, math::RoundEvenOp::create(b, loc, product), zeroPoint));
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

/// Rule Q of `x` to the per-tensor type `out` with the constant reciprocal
/// scale `invScale`, clamped to the storage range (`storage` its integer).
Value quantizeScalar(OpBuilder &b, Location loc, Value x, float invScale,
                     const TypeParams &out, Type storage) {
  return quantizeScalar(
      b, loc, x, f32Constant(b, loc, invScale),
      f32Constant(b, loc, static_cast<float>(out.zeroPoint())),
      static_cast<float>(out.storage.min), static_cast<float>(out.storage.max),
      storage);
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
  PerElement addFloats(OpBuilder &b, Location loc, const TypeParams &p,
                       ArrayRef<float> params) {
    if (p.axis < 0)
      return {std::nullopt, params[0]};
    values.push_back(floatVector(b, loc, params));
    maps.push_back(dimMap(b, rank, p.axis));
    return {static_cast<unsigned>(values.size()) - 1, 0.0f};
  }
};

SmallVector<float> reciprocals(const TypeParams &p) {
  SmallVector<float> inv;
  for (float s : p.scales)
    inv.push_back(1.0f / s);
  return inv;
}

SmallVector<float> zeroPointsAsFloat(const TypeParams &p) {
  SmallVector<float> zps;
  for (int64_t z : p.zeroPoints)
    zps.push_back(static_cast<float>(z));
  return zps;
}

/// x (f32 tensor) quantized to storage with `p` (rule Q).
Value quantizeTensor(OpBuilder &b, Location loc, Value x, const TypeParams &p,
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

/// PyTorch's vectorized dequantization (Vectorized<qint>::dequantize): one
/// fused multiply-add, fma(float(q), s, s * -zp), the product s * -zp
/// rounded to float32 first. Rule D rounds twice and can differ in the last
/// bit.
Value dequantizeFmaScalar(OpBuilder &b, Location loc, Value q,
                          const TypeParams &p) {
  Value asFloat = arith::SIToFPOp::create(b, loc, b.getF32Type(),
                                          extendScalar(b, loc, q, p.isSigned));
  float premul = p.scale() * -static_cast<float>(p.zeroPoint());
  return math::FmaOp::create(b, loc, asFloat, f32Constant(b, loc, p.scale()),
                             f32Constant(b, loc, premul));
}

//===----------------------------------------------------------------------===//
// Conversion patterns
//===----------------------------------------------------------------------===//

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       quantizeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                                      getTypeParams(op.getType()),
                                      storageType(op.getType())));
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    TypeParams p = getTypeParams(op.getInput().getType());
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

/// The storage tensor `storage` of type `inType` requantized to `outType`
/// (same shape): rule D with the input type, then rule Q with the result
/// type, element by element.
Value buildRequantize(OpBuilder &b, Location loc, Value storage, Type inType,
                      Type outType) {
  TypeParams in = getTypeParams(inType);
  TypeParams out = getTypeParams(outType);
  Type resultElement = storageType(outType).getElementType();
  ElementwiseInputs inputs(b, storage);
  PerElement inScale = inputs.addFloats(b, loc, in, in.scales);
  PerElement inZp = inputs.addFloats(b, loc, in, zeroPointsAsFloat(in));
  PerElement outInv = inputs.addFloats(b, loc, out, reciprocals(out));
  PerElement outZp = inputs.addFloats(b, loc, out, zeroPointsAsFloat(out));
  float lo = static_cast<float>(out.storage.min),
        hi = static_cast<float>(out.storage.max);
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, storage, resultElement), inputs.values,
      inputs.maps, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = dequantizeScalar(nb, nloc, args[0], in.isSigned,
                                   inZp.get(nb, nloc, args),
                                   inScale.get(nb, nloc, args));
        return quantizeScalar(nb, nloc, x, outInv.get(nb, nloc, args),
                              outZp.get(nb, nloc, args), lo, hi, resultElement);
      });
}

struct RequantizeLowering : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildRequantize(rewriter, op.getLoc(), adaptor.getInput(),
                            op.getInput().getType(), op.getType()));
    return success();
  }
};

/// Quantized cat (PyTorch's quantized::cat): an input whose type differs
/// from the result's is requantized to it, then the storage tensors are
/// joined.
struct QuantizedCatLowering : OpConversionPattern<CatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    Type resultElement = op.getType().getElementType();
    SmallVector<Value> parts;
    for (auto [input, storage] :
         llvm::zip(op.getInputs(), adaptor.getInputs())) {
      auto type = cast<RankedTensorType>(input.getType());
      if (type.getElementType() == resultElement)
        parts.push_back(storage);
      else
        parts.push_back(buildRequantize(rewriter, loc, storage, type,
                                        type.clone(resultElement)));
    }
    rewriter.replaceOp(op, buildConcat(rewriter, loc, parts,
                                       storageType(op.getType()), op.getDim()));
    return success();
  }
};

/// The storage values of a constant weight, read with the weight type's
/// signedness, or nullopt when the weight is not a constant.
std::optional<SmallVector<int64_t>> constantStorage(Value storage,
                                                    bool isSigned) {
  FailureOr<SmallVector<int64_t>> values =
      qopt::qnn::getConstantIntegers(storage, isSigned);
  if (failed(values))
    return std::nullopt;
  return std::move(*values);
}

/// factor * sum(w - zw) per output channel as a 1-D i32 tensor, from the
/// weight storage and its widened, zero-point adjusted form `wi`: folded at
/// compile time for constant weights (the normal case), a reduction
/// otherwise.
Value scaledChannelSums(OpBuilder &b, Location loc, Value weight, Value wi,
                        const TypeParams &w, int64_t factor) {
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t channels = wType.getDimSize(0);
  int64_t rank = wType.getRank();
  if (std::optional<SmallVector<int64_t>> values =
          constantStorage(weight, w.isSigned)) {
    int64_t perChannel = static_cast<int64_t>(values->size()) / channels;
    SmallVector<int32_t> sums;
    for (int64_t c = 0; c < channels; ++c) {
      int64_t sum = 0;
      for (int64_t i = 0; i < perChannel; ++i)
        sum += (*values)[c * perChannel + i] - w.zeroPoint(c);
      sums.push_back(static_cast<int32_t>(factor * sum));
    }
    return i32Vector(b, loc, sums);
  }
  SmallVector<AffineExpr> exprs{b.getAffineDimExpr(0)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel};
  iterators.append(rank - 1, utils::IteratorType::reduction);
  Value zero =
      fill(b, loc,
           makeEmpty(b, loc, RankedTensorType::get({channels}, b.getI32Type()),
                     [&](int64_t) -> Value {
                       return tensor::DimOp::create(b, loc, weight, 0);
                     }),
           b.getI32IntegerAttr(0));
  Value sums =
      linalg::GenericOp::create(
          b, loc, TypeRange{zero.getType()}, ValueRange{wi}, ValueRange{zero},
          {b.getMultiDimIdentityMap(rank),
           AffineMap::get(rank, 0, exprs, b.getContext())},
          iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            linalg::YieldOp::create(
                nb, nloc,
                arith::AddIOp::create(nb, nloc, args[1], args[0]).getResult());
          })
          .getResult(0);
  if (factor == 1)
    return sums;
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, sums), {sums},
      {b.getMultiDimIdentityMap(1)},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::MulIOp::create(nb, nloc, args[0],
                                     i32Constant(nb, nloc, factor));
      });
}

/// The widened weight minus its zero points, in i32.
Value adjustedWeight(OpBuilder &b, Location loc, Value weight,
                     const TypeParams &w) {
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t channels = wType.getDimSize(0);
  int64_t rank = wType.getRank();
  Value wi = widen(b, loc, weight, w.isSigned);
  if (llvm::none_of(w.zeroPoints, [](int64_t z) { return z != 0; }))
    return wi;
  SmallVector<int32_t> zw;
  for (int64_t c = 0; c < channels; ++c)
    zw.push_back(static_cast<int32_t>(w.zeroPoint(c)));
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, wi), {wi, i32Vector(b, loc, zw)},
      {b.getMultiDimIdentityMap(rank), dimMap(b, rank, 0)},
      [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::SubIOp::create(nb, nloc, args[0], args[1]);
      });
}

/// The constant float bias `bias` of a layer as int32 in units of
/// sx * sw[c] (qopt::getIntegerBias), or nullopt when the bias is not a
/// constant.
std::optional<SmallVector<int32_t>>
integerBias(Value bias, const TypeParams &in, const TypeParams &w) {
  DenseFPElementsAttr values;
  if (!matchPattern(bias, m_Constant(&values)))
    return std::nullopt;
  SmallVector<int32_t> result;
  for (auto [c, v] : llvm::enumerate(values.getValues<float>()))
    result.push_back(qopt::getIntegerBias(v, in.scale(), w.scale(c)));
  return result;
}

/// The pieces shared by quantized conv and linear: widened, zero-point
/// adjusted weights, the accumulator's initial value per output channel and
/// the requantization epilogue.
struct WeightedParts {
  TypeParams in, weight, out;
  Requantization mode;
  Value weightI32;
  /// -zx * sum(w - zw) per output channel (+ an i32 bias), a 1-D i32 tensor.
  Value channelInit;

  static WeightedParts build(OpBuilder &b, Location loc, Type inType,
                             Type weightType, Type outType, Value weight,
                             Value bias, Requantization mode) {
    WeightedParts parts{getTypeParams(inType),
                        getTypeParams(weightType),
                        getTypeParams(outType),
                        mode,
                        Value(),
                        Value()};
    const TypeParams &w = parts.weight;
    int64_t zx = parts.in.zeroPoint();
    Value wi = adjustedWeight(b, loc, weight, w);
    parts.weightI32 = wi;
    parts.channelInit = scaledChannelSums(b, loc, weight, wi, w, -zx);
    // Integer-only: a float bias joins the accumulator as int32.
    if (mode == Requantization::Integer && bias &&
        cast<RankedTensorType>(bias.getType()).getElementType().isF32())
      bias = i32Vector(b, loc, *integerBias(bias, parts.in, w));
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

  /// The number of output channels of the accumulator `acc`.
  int64_t outputChannels(Value acc, int64_t channelDim) const {
    if (weight.axis >= 0)
      return static_cast<int64_t>(weight.scales.size());
    return cast<RankedTensorType>(acc.getType()).getDimSize(channelDim);
  }

  std::pair<int64_t, int64_t> outputRange(Activation activation) const {
    return getRequantizedRange(out, activation);
  }

  /// From the int32 accumulator to output storage, by `mode`.
  Value requantize(OpBuilder &b, Location loc, Value acc, Value bias,
                   int64_t channelDim, Activation activation,
                   Type storageElement) const {
    if (mode == Requantization::Integer)
      return requantizeInteger(b, loc, acc, channelDim, activation,
                               storageElement);
    return requantizeFloat(b, loc, acc, bias, channelDim, activation,
                           storageElement);
  }

  /// Rule I: y = zy + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
  /// sat32(acc << left), m), right), clamped; M = (sx * sw[c]) / sy (double)
  /// = m * 2^(left - right - 31).
  Value requantizeInteger(OpBuilder &b, Location loc, Value acc,
                          int64_t channelDim, Activation activation,
                          Type storageElement) const {
    int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
    int64_t channels = outputChannels(acc, channelDim);
    SmallVector<int32_t> multipliers, lefts, rights;
    for (int64_t c = 0; c < channels; ++c) {
      qopt::FixedPointMultiplier fixed = qopt::getIntegerRequantization(
          in.scale(), weight.scale(c), out.scale());
      multipliers.push_back(fixed.multiplier);
      lefts.push_back(fixed.leftShift);
      rights.push_back(fixed.rightShift);
    }
    std::pair<int64_t, int64_t> range = outputRange(activation);
    int64_t lo = range.first, hi = range.second;
    int64_t zy = out.zeroPoint();
    AffineMap channel = dimMap(b, rank, channelDim);
    return buildElementwise(
        b, loc, makeEmptyLike(b, loc, acc, storageElement),
        {acc, i32Vector(b, loc, multipliers), i32Vector(b, loc, lefts),
         i32Vector(b, loc, rights)},
        {b.getMultiDimIdentityMap(rank), channel, channel, channel},
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Type i64 = nb.getI64Type();
          auto c64 = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(v));
          };
          auto ext = [&](Value v) -> Value {
            return arith::ExtSIOp::create(nb, nloc, i64, v);
          };
          auto clampTo = [&](Value v, int64_t l, int64_t h) -> Value {
            return arith::MinSIOp::create(
                nb, nloc, arith::MaxSIOp::create(nb, nloc, v, c64(l)), c64(h));
          };
          // Saturating left shift (multipliers >= 1).
          Value x = clampTo(
              arith::ShLIOp::create(nb, nloc, ext(args[0]), ext(args[2])),
              std::numeric_limits<int32_t>::min(),
              std::numeric_limits<int32_t>::max());
          // SaturatingRoundingDoublingHighMul: (x * m + nudge) / 2^31,
          // truncating; m > 0 so INT32_MIN * INT32_MIN cannot occur.
          Value product = arith::MulIOp::create(nb, nloc, x, ext(args[1]));
          Value nonNegative = arith::CmpIOp::create(
              nb, nloc, arith::CmpIPredicate::sge, product, c64(0));
          Value nudge = arith::SelectOp::create(nb, nloc, nonNegative,
                                                c64(int64_t{1} << 30),
                                                c64(1 - (int64_t{1} << 30)));
          Value high = arith::DivSIOp::create(
              nb, nloc, arith::AddIOp::create(nb, nloc, product, nudge),
              c64(int64_t{1} << 31));
          // RoundingDivideByPOT: arithmetic shift, then round half away
          // from zero on the remainder.
          Value right = ext(args[3]);
          Value mask = arith::SubIOp::create(
              nb, nloc, arith::ShLIOp::create(nb, nloc, c64(1), right), c64(1));
          Value remainder = arith::AndIOp::create(nb, nloc, high, mask);
          Value negative = arith::CmpIOp::create(
              nb, nloc, arith::CmpIPredicate::slt, high, c64(0));
          Value threshold = arith::AddIOp::create(
              nb, nloc, arith::ShRSIOp::create(nb, nloc, mask, c64(1)),
              arith::ExtUIOp::create(nb, nloc, i64, negative));
          Value roundUp = arith::CmpIOp::create(
              nb, nloc, arith::CmpIPredicate::sgt, remainder, threshold);
          Value shifted = arith::AddIOp::create(
              nb, nloc, arith::ShRSIOp::create(nb, nloc, high, right),
              arith::ExtUIOp::create(nb, nloc, i64, roundUp));
          Value y = clampTo(arith::AddIOp::create(nb, nloc, shifted, c64(zy)),
                            lo, hi);
          return arith::TruncIOp::create(nb, nloc, storageElement, y);
        });
  }

  /// Rule R (or, in onednn mode, rule O): from the int32 accumulator to
  /// output storage.
  Value requantizeFloat(OpBuilder &b, Location loc, Value acc, Value bias,
                        int64_t channelDim, Activation activation,
                        Type storageElement) const {
    int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
    int64_t channels = outputChannels(acc, channelDim);
    bool onednn = mode == Requantization::OneDnn;
    // Rule R: act_times_w_scale[c] = sx * sw[c], which divides the bias,
    // and the multiplier act_times_w_scale[c] / sy, in float32 as FBGEMM
    // computes them. Rule O: bias_scale[c] = (1 / sx) * (1 / sw[c]), which
    // multiplies the bias, and the multiplier (1 / sy) / bias_scale[c].
    SmallVector<float> actTimesW, multiplier;
    for (int64_t c = 0; c < channels; ++c) {
      if (onednn) {
        qopt::OneDnnRequantization r = qopt::getOneDnnRequantization(
            in.scale(), weight.scale(c), out.scale());
        actTimesW.push_back(r.biasScale);
        multiplier.push_back(r.multiplier);
        continue;
      }
      qopt::FloatRequantization r = qopt::getFloatRequantization(
          in.scale(), weight.scale(c), out.scale());
      actTimesW.push_back(r.actTimesWScale);
      multiplier.push_back(r.multiplier);
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
    auto [loInt, hiInt] = outputRange(activation);
    float lo = static_cast<float>(loInt), hi = static_cast<float>(hiInt);
    return buildElementwise(
        b, loc, makeEmptyLike(b, loc, acc, storageElement), inputs, maps,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value f = arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), args[0]);
          if (floatBias) {
            Value term =
                onednn
                    ? Value(arith::MulFOp::create(nb, nloc, args[2], args[3]))
                    : Value(arith::DivFOp::create(nb, nloc, args[2], args[3]));
            f = arith::AddFOp::create(nb, nloc, f, term);
          }
          Value scaled = arith::MulFOp::create(nb, nloc, f, args[1]);
          Value zero = f32Constant(nb, nloc, static_cast<float>(zy));
          // Rule R adds the zero point after rounding, rule O before.
          Value shifted;
          if (onednn)
            shifted = math::RoundEvenOp::create(
                nb, nloc, arith::AddFOp::create(nb, nloc, scaled, zero));
          else
            shifted = arith::AddFOp::create(
                nb, nloc, math::RoundEvenOp::create(nb, nloc, scaled), zero);
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
  QuantizedConvLowering(const TypeConverter &converter, MLIRContext *ctx,
                        Requantization mode)
      : OpConversionPattern(converter, ctx), mode(mode) {}
  Requantization mode;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    WeightedParts parts = WeightedParts::build(
        rewriter, loc, op.getInput().getType(), op.getWeight().getType(),
        op.getType(), adaptor.getWeight(), adaptor.getBias(), mode);
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

/// A linear layer's operand seen as an [M, K] matrix: rank-1 inputs gain a
/// leading 1, rank > 2 inputs collapse their leading dimensions. `restore`
/// brings an [M, O] result back to the layer's result shape.
struct MatrixView {
  SmallVector<ReassociationIndices> reassociation;
  int64_t rank;

  Value collapse(OpBuilder &b, Location loc, Value input) {
    auto type = cast<RankedTensorType>(input.getType());
    rank = type.getRank();
    if (rank > 2) {
      ReassociationIndices batch;
      for (int64_t i = 0; i < rank - 1; ++i)
        batch.push_back(i);
      reassociation = {batch, {rank - 1}};
      return tensor::CollapseShapeOp::create(b, loc, input, reassociation);
    }
    if (rank == 1) {
      reassociation = {{0, 1}};
      return tensor::ExpandShapeOp::create(
          b, loc,
          RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
          input, reassociation);
    }
    return input;
  }

  Value restore(OpBuilder &b, Location loc, Value result,
                RankedTensorType resultType) const {
    if (rank > 2)
      return tensor::ExpandShapeOp::create(b, loc, resultType, result,
                                           reassociation);
    if (rank == 1)
      return tensor::CollapseShapeOp::create(b, loc, resultType, result,
                                             reassociation);
    return result;
  }
};

/// An empty [M, O] i32 accumulator for `matrix` [M, K] times the
/// transposed `weight` [O, K].
Value makeMatmulAccumulator(OpBuilder &b, Location loc, Value matrix,
                            Value weight) {
  auto matrixType = cast<RankedTensorType>(matrix.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto accType = RankedTensorType::get(
      {matrixType.getDimSize(0), weightType.getDimSize(0)}, b.getI32Type());
  return makeEmpty(b, loc, accType, [&](int64_t i) -> Value {
    return tensor::DimOp::create(b, loc, i == 0 ? matrix : weight, 0);
  });
}

struct QuantizedLinearLowering : OpConversionPattern<LinearOp> {
  QuantizedLinearLowering(const TypeConverter &converter, MLIRContext *ctx,
                          Requantization mode)
      : OpConversionPattern(converter, ctx), mode(mode) {}
  Requantization mode;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    WeightedParts parts = WeightedParts::build(
        rewriter, loc, op.getInput().getType(), op.getWeight().getType(),
        op.getType(), adaptor.getWeight(), adaptor.getBias(), mode);
    RankedTensorType resultStorage = storageType(op.getType());
    MatrixView view;
    Value matrix =
        widen(rewriter, loc, view.collapse(rewriter, loc, adaptor.getInput()),
              parts.in.isSigned);
    Value empty = makeMatmulAccumulator(rewriter, loc, matrix, parts.weightI32);
    Value acc =
        buildMatmulTransposedB(rewriter, loc, matrix, parts.weightI32,
                               parts.initAccumulator(rewriter, loc, empty, 1));
    Value result =
        parts.requantize(rewriter, loc, acc, adaptor.getBias(), 1,
                         op.getActivation(), resultStorage.getElementType());
    rewriter.replaceOp(op, view.restore(rewriter, loc, result, resultStorage));
    return success();
  }
};

/// The smallest scale rule C keeps (float16's smallest normal, 6.1e-5).
constexpr float kSmallScaleThreshold = 6.1e-5f;

/// Rule C of docs/Numerics.md built as scalar IR: the scale and zero point
/// PyTorch's ChooseQuantizationParams (torch 1.13, ATen
/// native/quantized/cpu/QuantUtils.h) picks for the observed range [minV,
/// maxV] (f32) and the quantized range [qmin, qmax], in the same float and
/// double operations.
struct RuntimeQParams {
  /// The float32 scale and its float32 reciprocal (rule Q), the float32
  /// reciprocal of the unrounded (double) scale, as PyTorch's onednn engine
  /// takes it, and the zero point in f32 and i32.
  Value scale, invScale, invUnroundedScale, zeroPoint, zeroPointI32;

  static RuntimeQParams build(OpBuilder &b, Location loc, Value minV,
                              Value maxV, int64_t qmin, int64_t qmax) {
    Type f64 = b.getF64Type(), f32 = b.getF32Type();
    auto d = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
    };
    auto f = [&](float v) { return f32Constant(b, loc, v); };
    auto select = [&](Value c, Value t, Value e) -> Value {
      return arith::SelectOp::create(b, loc, c, t, e);
    };
    auto cmp = [&](arith::CmpFPredicate p, Value x, Value y) -> Value {
      return arith::CmpFOp::create(b, loc, p, x, y);
    };
    auto ext = [&](Value v) -> Value {
      return arith::ExtFOp::create(b, loc, f64, v);
    };
    auto trunc = [&](Value v) -> Value {
      return arith::TruncFOp::create(b, loc, f32, v);
    };
    using P = arith::CmpFPredicate;
    // The range always contains 0.
    Value lo = arith::MinimumFOp::create(b, loc, minV, f(0.0f));
    Value hi = arith::MaximumFOp::create(b, loc, maxV, f(0.0f));
    double levels = static_cast<double>(qmax - qmin);
    Value scale = arith::DivFOp::create(
        b, loc, arith::SubFOp::create(b, loc, ext(hi), ext(lo)), d(levels));
    // A scale that is 0 in float, or whose float reciprocal is infinite,
    // becomes 0.1.
    Value scaleF = trunc(scale);
    Value reciprocal = arith::DivFOp::create(b, loc, f(1.0f), scaleF);
    Value degenerate = arith::OrIOp::create(
        b, loc, cmp(P::OEQ, scaleF, f(0.0f)),
        cmp(P::OEQ, math::AbsFOp::create(b, loc, reciprocal),
            f(std::numeric_limits<float>::infinity())));
    scale = select(degenerate, d(0.1), scale);
    // Scales below the threshold are raised to it and the range stretched
    // to match (float arithmetic).
    Value small = cmp(P::OLT, scale, d(kSmallScaleThreshold));
    Value amplifier =
        arith::DivFOp::create(b, loc, f(kSmallScaleThreshold), trunc(scale));
    Value loIsZero = cmp(P::OEQ, lo, f(0.0f));
    Value hiIsZero = cmp(P::OEQ, hi, f(0.0f));
    float span = kSmallScaleThreshold * static_cast<float>(qmax - qmin);
    Value smallLo =
        select(loIsZero, lo,
               select(hiIsZero, f(-span),
                      arith::MulFOp::create(b, loc, lo, amplifier)));
    Value smallHi = select(
        loIsZero, f(span),
        select(hiIsZero, hi, arith::MulFOp::create(b, loc, hi, amplifier)));
    lo = select(small, smallLo, lo);
    hi = select(small, smallHi, hi);
    scale = select(small, d(kSmallScaleThreshold), scale);
    // The zero point from whichever end has the smaller error term, nudged
    // to an integer in [qmin, qmax] (NaN goes to qmin).
    Value loOverScale = arith::DivFOp::create(b, loc, ext(lo), scale);
    Value hiOverScale = arith::DivFOp::create(b, loc, ext(hi), scale);
    Value fromLo = arith::SubFOp::create(b, loc, d(qmin), loOverScale);
    Value fromHi = arith::SubFOp::create(b, loc, d(qmax), hiOverScale);
    Value errorLo =
        arith::SubFOp::create(b, loc, d(std::abs(static_cast<double>(qmin))),
                              math::AbsFOp::create(b, loc, loOverScale));
    Value errorHi =
        arith::SubFOp::create(b, loc, d(std::abs(static_cast<double>(qmax))),
                              math::AbsFOp::create(b, loc, hiOverScale));
    Value initial = select(cmp(P::OLT, errorLo, errorHi), fromLo, fromHi);
    Value nudged = arith::MinNumFOp::create(
        b, loc,
        arith::MaxNumFOp::create(
            b, loc, math::RoundEvenOp::create(b, loc, initial), d(qmin)),
        d(qmax));
    RuntimeQParams params;
    params.scale = trunc(scale);
    params.invScale = arith::DivFOp::create(b, loc, f(1.0f), params.scale);
    params.invUnroundedScale =
        trunc(arith::DivFOp::create(b, loc, d(1.0), scale));
    params.zeroPoint = trunc(nudged);
    params.zeroPointI32 =
        arith::FPToSIOp::create(b, loc, b.getI32Type(), nudged);
    return params;
  }
};

/// The minimum and maximum of all elements of the f32 tensor `x` as scalars
/// (+inf and -inf for an empty tensor).
std::pair<Value, Value> tensorMinMax(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  float inf = std::numeric_limits<float>::infinity();
  Value minInit = fill(
      b, loc, tensor::EmptyOp::create(b, loc, scalarType, ValueRange{}), inf);
  Value maxInit = fill(
      b, loc, tensor::EmptyOp::create(b, loc, scalarType, ValueRange{}), -inf);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto reduced = linalg::GenericOp::create(
      b, loc, TypeRange{scalarType, scalarType}, ValueRange{x},
      ValueRange{minInit, maxInit},
      {b.getMultiDimIdentityMap(rank),
       AffineMap::get(rank, 0, {}, b.getContext()),
       AffineMap::get(rank, 0, {}, b.getContext())},
      iterators, [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(
            nb, nloc,
            ValueRange{arith::MinimumFOp::create(nb, nloc, args[1], args[0]),
                       arith::MaximumFOp::create(nb, nloc, args[2], args[0])});
      });
  return {
      tensor::ExtractOp::create(b, loc, reduced.getResult(0), ValueRange{}),
      tensor::ExtractOp::create(b, loc, reduced.getResult(1), ValueRange{})};
}

/// Dynamic quantization (PyTorch quantize_dynamic): the input's u8
/// parameters from this call's range (rule C), the input quantized, an
/// int32 product with the i8 weight, and a float32 result. FBGEMM's float
/// output path (rule Q, then y = float(acc - zx * sum(w - zw)) * (sx *
/// sw[c]) + bias[c], the order of requantizeForFloatAvx2) by default; in
/// onednn mode PyTorch's onednn engine: 1 / sx is the float32 reciprocal
/// of rule C's unrounded double scale, the zero point is added before
/// rounding, and with b[c] = (1 / sx) * (1 / sw[c]),
/// y = (float(acc - zx * sum(w - zw)) + bias[c] * b[c]) * (1 / b[c]).
struct DynamicLinearLowering : OpConversionPattern<LinearOp> {
  DynamicLinearLowering(const TypeConverter &converter, MLIRContext *ctx,
                        Requantization mode)
      : OpConversionPattern(converter, ctx), mode(mode) {}
  Requantization mode;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantized(op.getType()) || !isQuantized(op.getWeight().getType()))
      return failure();
    Location loc = op.getLoc();
    TypeParams w = getTypeParams(op.getWeight().getType());
    Value weight = adaptor.getWeight();
    int64_t channels = cast<RankedTensorType>(weight.getType()).getDimSize(0);
    Value wi = adjustedWeight(rewriter, loc, weight, w);
    Value sums = scaledChannelSums(rewriter, loc, weight, wi, w, 1);

    MatrixView view;
    Value x = view.collapse(rewriter, loc, adaptor.getInput());
    auto [minV, maxV] = tensorMinMax(rewriter, loc, x);
    int64_t qmax = op.getReduceRange() ? 127 : 255;
    RuntimeQParams qp =
        RuntimeQParams::build(rewriter, loc, minV, maxV, 0, qmax);
    int64_t rank = 2;
    bool onednn = mode == Requantization::OneDnn;
    Value invScale = onednn ? qp.invUnroundedScale : qp.invScale;
    Value xq = buildElementwise(
        rewriter, loc, makeEmptyLike(rewriter, loc, x, rewriter.getI32Type()),
        {x}, {rewriter.getMultiDimIdentityMap(rank)},
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value q = quantizeScalar(nb, nloc, args[0], invScale, qp.zeroPoint,
                                   0.0f, 255.0f, nb.getIntegerType(8), onednn);
          return extendScalar(nb, nloc, q, /*isSigned=*/false);
        });
    Value empty = makeMatmulAccumulator(rewriter, loc, xq, wi);
    Value acc = buildMatmulTransposedB(
        rewriter, loc, xq, wi,
        fill(rewriter, loc, empty, rewriter.getI32IntegerAttr(0)));

    // Per channel, computed once for the N channels rather than for each of
    // the M x N outputs: zx * sum(w - zw), sx * sw[c], or in onednn mode
    // b[c] = (1 / sx) * (1 / sw[c]), its reciprocal 1 / b[c] and the bias
    // term bias[c] * b[c].
    SmallVector<float> weightScales;
    for (int64_t c = 0; c < channels; ++c)
      weightScales.push_back(onednn ? 1.0f / w.scale(c) : w.scale(c));
    Value bias = adaptor.getBias();
    auto perChannel =
        [&](ValueRange operands,
            function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
          SmallVector<AffineMap> identity(operands.size(),
                                          rewriter.getMultiDimIdentityMap(1));
          return buildElementwise(rewriter, loc,
                                  makeEmptyLike(rewriter, loc, operands[0]),
                                  operands, identity, body);
        };
    Value zeroPointTerm = perChannel(
        {sums}, [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::MulIOp::create(nb, nloc, qp.zeroPointI32, args[0]);
        });
    Value channelScale =
        perChannel({floatVector(rewriter, loc, weightScales)},
                   [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                     return arith::MulFOp::create(
                         nb, nloc, onednn ? invScale : qp.scale, args[0]);
                   });
    Value outputScale = channelScale;
    Value biasTerm = bias;
    if (onednn) {
      outputScale = perChannel(
          {channelScale},
          [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
            return arith::DivFOp::create(nb, nloc, f32Constant(nb, nloc, 1.0f),
                                         args[0]);
          });
      if (bias)
        biasTerm = perChannel(
            {bias, channelScale},
            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
              return arith::MulFOp::create(nb, nloc, args[0], args[1]);
            });
    }
    SmallVector<Value> inputs{acc, zeroPointTerm, outputScale};
    if (bias)
      inputs.push_back(biasTerm);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    maps.append(inputs.size() - 1, dimMap(rewriter, rank, 1));
    Activation activation = op.getActivation();
    Value result = buildElementwise(
        rewriter, loc, makeEmptyLike(rewriter, loc, acc, rewriter.getF32Type()),
        inputs, maps,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value adjusted = arith::SubIOp::create(nb, nloc, args[0], args[1]);
          Value y =
              arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), adjusted);
          // onednn: (f + bias * b) * (1 / b); otherwise f * (sx * sw) + bias.
          if (onednn && bias)
            y = arith::AddFOp::create(nb, nloc, y, args[3]);
          y = arith::MulFOp::create(nb, nloc, y, args[2]);
          if (!onednn && bias)
            y = arith::AddFOp::create(nb, nloc, y, args[3]);
          return applyActivationScalar(nb, nloc, y, activation);
        });
    rewriter.replaceOp(op, view.restore(rewriter, loc, result,
                                        cast<RankedTensorType>(op.getType())));
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
    TypeParams p = getTypeParams(op.getType());
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
    TypeParams p = getTypeParams(op.getType());
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
    TypeParams p = getTypeParams(op.getType());
    std::optional<PoolGeometry> g = getPoolGeometry(op);
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

/// How roundPerPosition turns a window's i32 sum into a stored value.
struct PositionRounding {
  /// Per output position p (row-major over the spatial dimensions).
  SmallVector<float> scale;
  /// Added to the sum in int32 per position; empty for none.
  SmallVector<int32_t> bias;
  /// Added in float32 before rounding, and after it.
  float before = 0.0f, after = 0.0f;
};

/// The i32 `acc` to storage, per output position p: clamp(roundeven(
/// float(acc + bias[p]) * scale[p] + before) + after).
Value roundPerPosition(OpBuilder &b, Location loc, Value acc,
                       const PositionRounding &r, const TypeParams &p,
                       Type storageElement) {
  auto type = cast<RankedTensorType>(acc.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> spatial;
  for (int64_t i = 2; i < rank; ++i)
    spatial.push_back(b.getAffineDimExpr(i));
  ArrayRef<int64_t> positions = type.getShape().drop_front(2);
  SmallVector<Value> inputs{
      acc, arith::ConstantOp::create(
               b, loc,
               DenseElementsAttr::get(
                   RankedTensorType::get(positions, b.getF32Type()),
                   ArrayRef<float>(r.scale)))};
  if (!r.bias.empty())
    inputs.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(positions, b.getI32Type()),
                               ArrayRef<int32_t>(r.bias))));
  AffineMap perPosition = AffineMap::get(rank, 0, spatial, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), perPosition};
  if (!r.bias.empty())
    maps.push_back(perPosition);
  float lo = static_cast<float>(p.storage.min),
        hi = static_cast<float>(p.storage.max);
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, acc, storageElement), inputs, maps,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value sum = args[0];
        if (!r.bias.empty())
          sum = arith::AddIOp::create(nb, nloc, sum, args[2]);
        Value f = arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), sum);
        Value scaled = arith::AddFOp::create(
            nb, nloc, arith::MulFOp::create(nb, nloc, f, args[1]),
            f32Constant(nb, nloc, r.before));
        Value rounded = math::RoundEvenOp::create(nb, nloc, scaled);
        if (r.after != 0.0f)
          rounded = arith::AddFOp::create(nb, nloc, rounded,
                                          f32Constant(nb, nloc, r.after));
        Value clamped = arith::MinimumFOp::create(
            nb, nloc,
            arith::MaximumFOp::create(nb, nloc, rounded,
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
    TypeParams p = getTypeParams(op.getType());
    RankedTensorType inType = op.getInput().getType();
    std::optional<PoolGeometry> g = getPoolGeometry(op);
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
    PositionRounding rounding;
    for (int64_t d :
         avgPoolDivisors(inType, op.getType(), *g, op.getCountIncludePad()))
      rounding.scale.push_back(
          static_cast<float>(1.0 / static_cast<double>(d)));
    rounding.before = static_cast<float>(zx);
    rewriter.replaceOp(op, roundPerPosition(rewriter, loc, acc, rounding, p,
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
    TypeParams p = getTypeParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    auto accType =
        RankedTensorType::get(resultStorage.getShape(), rewriter.getI32Type());
    Value sums = buildAdaptiveWindowSums(
        rewriter, loc, widen(rewriter, loc, adaptor.getInput(), p.isSigned),
        accType);
    SmallVector<SmallVector<int64_t>> sizes =
        adaptiveWindowSizes(op.getInput().getType(), op.getType());
    // The window size of each output position, row-major.
    SmallVector<int64_t> counts{1};
    for (const SmallVector<int64_t> &dim : sizes) {
      SmallVector<int64_t> next;
      for (int64_t c : counts)
        for (int64_t k : dim)
          next.push_back(c * k);
      counts = std::move(next);
    }
    PositionRounding rounding;
    if (op.getCentered()) {
      // NHWC: m = (s / s) / n, then 1 / (1 / m), each in float32; the sum
      // less n * zp; the zero point added after rounding.
      float ratio = p.scale() / p.scale();
      for (int64_t n : counts) {
        float m = ratio / static_cast<float>(n);
        rounding.scale.push_back(1.0f / (1.0f / m));
        rounding.bias.push_back(static_cast<int32_t>(-n * p.zeroPoint()));
      }
      rounding.after = static_cast<float>(p.zeroPoint());
    } else {
      // NCHW: kDr = float(1.0 / 1), then divide by each window size in
      // turn, in float32.
      SmallVector<float> factors{1.0f};
      for (const SmallVector<int64_t> &dim : sizes) {
        SmallVector<float> next;
        for (float f : factors)
          for (int64_t k : dim)
            next.push_back(f / static_cast<float>(k));
        factors = std::move(next);
      }
      rounding.scale = std::move(factors);
    }
    rewriter.replaceOp(op, roundPerPosition(rewriter, loc, sums, rounding, p,
                                            resultStorage.getElementType()));
    return success();
  }
};

/// Quantized add (PyTorch's vectorized qadd kernel): each operand
/// dequantized with its own type by one fused multiply-add, the sum taken in
/// float32, relu applied in float, then rule Q with the result type (relu6
/// clamps the real value at 6 before quantizing).
struct QuantizedAddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    TypeParams lhs = getTypeParams(op.getLhs().getType());
    TypeParams rhs = getTypeParams(op.getRhs().getType());
    TypeParams out = getTypeParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    int64_t rank = resultStorage.getRank();
    Activation activation = op.getActivation();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc,
                makeEmptyLike(rewriter, loc, adaptor.getLhs(),
                              resultStorage.getElementType()),
                {adaptor.getLhs(), adaptor.getRhs()}, {identity, identity},
                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  Value sum = arith::AddFOp::create(
                      nb, nloc, dequantizeFmaScalar(nb, nloc, args[0], lhs),
                      dequantizeFmaScalar(nb, nloc, args[1], rhs));
                  sum = applyActivationScalar(nb, nloc, sum, activation);
                  return quantizeScalar(nb, nloc, sum, 1.0f / out.scale(), out,
                                        resultStorage.getElementType());
                }));
    return success();
  }
};

/// Quantized mul (PyTorch's quantized::mul): the exact int32 product of
/// the zero-point-shifted operands, scaled by m = (s_lhs * s_rhs) *
/// (1 / s_result) in float32, rounded half to even, plus the result zero
/// point, clamped to the storage range. Size-1 dimensions broadcast.
struct QuantizedMulLowering : OpConversionPattern<MulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    TypeParams lhs = getTypeParams(op.getLhs().getType());
    TypeParams rhs = getTypeParams(op.getRhs().getType());
    TypeParams out = getTypeParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    float multiplier = (lhs.scale() * rhs.scale()) * (1.0f / out.scale());
    SmallVector<Value> operands{adaptor.getLhs(), adaptor.getRhs()};
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc,
            makeEmptyBroadcast(rewriter, loc, operands, op.getType(),
                               resultStorage.getElementType()),
            operands,
            {broadcastMap(rewriter, op.getLhs().getType(), op.getType()),
             broadcastMap(rewriter, op.getRhs().getType(), op.getType())},
            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
              auto centered = [&](Value q, const TypeParams &p) -> Value {
                return arith::SubIOp::create(
                    nb, nloc, extendScalar(nb, nloc, q, p.isSigned),
                    arith::ConstantOp::create(
                        nb, nloc, nb.getI32IntegerAttr(p.zeroPoint())));
              };
              Value product = arith::MulIOp::create(
                  nb, nloc, centered(args[0], lhs), centered(args[1], rhs));
              return quantizeScalar(
                  nb, nloc,
                  arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), product),
                  multiplier, out, resultStorage.getElementType());
            }));
    return success();
  }
};

/// Quantized hardswish / hardsigmoid as PyTorch's vectorized kernels compute
/// them: dequantize with one fused multiply-add, fma(q, s, -zp * s), apply
/// the float function, quantize with the result type, multiplying by the
/// reciprocal of its scale computed in double and rounded to float32.
template <typename OpTy, bool Swish>
struct QuantizedHardActivationLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    Location loc = op.getLoc();
    TypeParams in = getTypeParams(op.getInput().getType());
    TypeParams out = getTypeParams(op.getType());
    RankedTensorType resultStorage = storageType(op.getType());
    float invScale = static_cast<float>(1.0 / static_cast<double>(out.scale()));
    Value input = adaptor.getInput();
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc,
            makeEmptyLike(rewriter, loc, input, resultStorage.getElementType()),
            {input}, {rewriter.getMultiDimIdentityMap(resultStorage.getRank())},
            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
              Value x = dequantizeFmaScalar(nb, nloc, args[0], in);
              return quantizeScalar(
                  nb, nloc, hardActivationScalar(nb, nloc, x, Swish), invScale,
                  out, resultStorage.getElementType());
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

struct QuantizedSliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    rewriter.replaceOp(op, buildSlice(rewriter, op.getLoc(), adaptor.getInput(),
                                      storageType(op.getType()), op.getDim(),
                                      op.getStart()));
    return success();
  }
};

struct QuantizedTransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isQuantized(op.getType()))
      return failure();
    rewriter.replaceOp(
        op, buildTranspose(rewriter, op.getLoc(), adaptor.getInput(),
                           storageType(op.getType()), op.getPermutation()));
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
  if (!isQuantized(weight.getType()))
    return std::nullopt;
  TypeParams w = getTypeParams(weight.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  if (!wType.hasStaticShape())
    return std::nullopt;
  int64_t channels = wType.getDimSize(0);
  int64_t perChannel = wType.getNumElements() / channels;
  // |x - zx| is at most the distance from zx to the far end of the storage.
  // A dynamic layer's u8 input has its zero point chosen at run time; both
  // sum(x * w) and zx * sum(w) are then bounded by 255 * sum(|w|).
  int64_t inputSpan = 255;
  if (isQuantized(inType)) {
    TypeParams in = getTypeParams(inType);
    inputSpan = std::max(in.zeroPoint() - in.storage.min,
                         in.storage.max - in.zeroPoint());
  }
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

std::optional<Requantization> qopt::parseRequantization(StringRef name) {
  if (name == "float")
    return Requantization::Float;
  if (name == "integer")
    return Requantization::Integer;
  if (name == "onednn")
    return Requantization::OneDnn;
  return std::nullopt;
}

void qopt::populateQuantizedQNNToLinalgPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns,
    Requantization mode) {
  patterns.add<QuantizedConvLowering, QuantizedLinearLowering,
               DynamicLinearLowering>(converter, patterns.getContext(), mode);
  patterns.add<QuantizeLowering, DequantizeLowering, RequantizeLowering,
               QuantizedReluLowering, QuantizedClampLowering,
               QuantizedMaxPoolLowering, QuantizedAvgPoolLowering,
               QuantizedAdaptiveAvgPoolLowering, QuantizedAddLowering,
               QuantizedMulLowering,
               QuantizedHardActivationLowering<HardswishOp, true>,
               QuantizedHardActivationLowering<HardsigmoidOp, false>,
               QuantizedCatLowering, QuantizedSliceLowering,
               QuantizedReshapeLowering, QuantizedFlattenLowering,
               QuantizedTransposeLowering, StorageCastLowering>(
      converter, patterns.getContext());
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  populateCallOpTypeConversionPattern(patterns, converter);
}

LogicalResult qopt::lowerQuantizedQNN(Operation *root, Requantization mode) {
  MLIRContext *ctx = root->getContext();
  QuantStorageTypeConverter converter;
  RewritePatternSet patterns(ctx);
  populateQuantizedQNNToLinalgPatterns(converter, patterns, mode);
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
