//===- LinalgBuilders.cpp - Building blocks of the qnn lowerings -*- C++ -*-=//
//
// Shared by the float and the quantized lowering.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using utils::IteratorType;

namespace qopt::lowering {

Value makeFilledLike(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value like, TypedAttr value) {
  Value empty = makeEmpty(b, loc, resultType, [&](int64_t i) -> Value {
    return tensor::DimOp::create(b, loc, like, i);
  });
  return fill(b, loc, empty, value);
}

Value add(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value mul(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MulFOp::create(b, loc, lhs, rhs);
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value f32Constant(OpBuilder &b, Location loc, float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value applyActivationScalar(OpBuilder &b, Location loc, Value v,
                            qopt::qnn::Activation activation) {
  if (activation == qopt::qnn::Activation::None)
    return v;
  v = arith::MaximumFOp::create(b, loc, v, f32Constant(b, loc, 0.0f));
  if (activation == qopt::qnn::Activation::Relu6)
    v = arith::MinimumFOp::create(b, loc, v, f32Constant(b, loc, 6.0f));
  return v;
}

Value hardActivationScalar(OpBuilder &b, Location loc, Value x, bool swish) {
  Value shifted = arith::AddFOp::create(b, loc, x, f32Constant(b, loc, 3.0f));
  Value clamped = arith::MinimumFOp::create(
      b, loc,
      arith::MaximumFOp::create(b, loc, shifted, f32Constant(b, loc, 0.0f)),
      f32Constant(b, loc, 6.0f));
  Value numerator =
      swish ? arith::MulFOp::create(b, loc, x, clamped).getResult() : clamped;
  return arith::DivFOp::create(b, loc, numerator, f32Constant(b, loc, 6.0f));
}

AffineMap broadcastMap(OpBuilder &b, RankedTensorType operand,
                       RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < result.getRank(); ++i)
    exprs.push_back(operand.getDimSize(i) == 1 && result.getDimSize(i) != 1
                        ? b.getAffineConstantExpr(0)
                        : b.getAffineDimExpr(i));
  return AffineMap::get(result.getRank(), 0, exprs, b.getContext());
}

Value makeEmptyBroadcast(OpBuilder &b, Location loc, ValueRange operands,
                         RankedTensorType result, Type elementType) {
  return makeEmpty(
      b, loc, RankedTensorType::get(result.getShape(), elementType),
      [&](int64_t i) -> Value {
        // The verifier guarantees an operand that is not 1 there.
        for (Value v : operands)
          if (cast<RankedTensorType>(v.getType()).getDimSize(i) != 1)
            return tensor::DimOp::create(b, loc, v, i);
        llvm_unreachable("a dynamic result dimension with no source");
      });
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value makeEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                function_ref<Value(int64_t)> dynamicDim) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(type.isDynamicDim(i) ? OpFoldResult(dynamicDim(i))
                                         : b.getIndexAttr(type.getDimSize(i)));
  return tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
}

Value makeEmptyLike(OpBuilder &b, Location loc, Value like, Type elementType) {
  auto likeType = cast<RankedTensorType>(like.getType());
  auto type = RankedTensorType::get(likeType.getShape(),
                                    elementType ? elementType
                                                : likeType.getElementType());
  return makeEmpty(b, loc, type, [&](int64_t i) {
    return tensor::DimOp::create(b, loc, like, i).getResult();
  });
}

Value fill(OpBuilder &b, Location loc, Value init, TypedAttr value) {
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value fill(OpBuilder &b, Location loc, Value init, float value) {
  return fill(b, loc, init, b.getF32FloatAttr(value));
}

Value buildElementwise(
    OpBuilder &b, Location loc, Value init, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<IteratorType> iterators(type.getRank(), IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       body(nb, nloc, args.drop_back()));
             })
      .getResult(0);
}

AffineMap dimMap(OpBuilder &b, int64_t rank, int64_t dim) {
  return AffineMap::get(rank, 0, b.getAffineDimExpr(dim));
}

Value divideByConstant(OpBuilder &b, Location loc, Value value,
                       ArrayRef<int64_t> divisorShape, ArrayRef<float> divisors,
                       ArrayRef<int64_t> dims) {
  auto divisorType = RankedTensorType::get(divisorShape, b.getF32Type());
  Value divisorTensor = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(divisorType, divisors));
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t dim : dims)
    exprs.push_back(b.getAffineDimExpr(dim));
  return buildElementwise(
      b, loc, makeEmptyLike(b, loc, value), {value, divisorTensor},
      {b.getMultiDimIdentityMap(rank),
       AffineMap::get(rank, 0, exprs, b.getContext())},
      [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::DivFOp::create(nb, nloc, args[0], args[1]);
      });
}

Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, TypedAttr value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!type.isDynamicDim(i))
      shape[i] += low[i] + high[i];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  auto pad = tensor::PadOp::create(b, loc, paddedType, input, low, high,
                                   ValueRange{}, ValueRange{});
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Type> indexTypes(type.getRank(), b.getIndexType());
  SmallVector<Location> locs(type.getRank(), loc);
  b.createBlock(&pad.getRegion(), {}, indexTypes, locs);
  tensor::YieldOp::create(b, loc, arith::ConstantOp::create(b, loc, value));
  return pad;
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, TypedAttr value) {
  SmallVector<int64_t> lowAll{0, 0}, highAll{0, 0};
  lowAll.append(low.begin(), low.end());
  highAll.append(high.begin(), high.end());
  return padTensor(b, loc, input, lowAll, highAll, value);
}

Value windowOutputDim(OpBuilder &b, Location loc, Value in, int64_t kernel,
                      int64_t stride, int64_t pad, int64_t dilation) {
  // (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
  Value span = arith::AddIOp::create(
      b, loc, in, indexConstant(b, loc, 2 * pad - dilation * (kernel - 1) - 1));
  Value quotient =
      arith::DivUIOp::create(b, loc, span, indexConstant(b, loc, stride));
  return arith::AddIOp::create(b, loc, quotient, indexConstant(b, loc, 1));
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      VectorType::get({static_cast<int64_t>(values.size())},
                      b.getIntegerType(64)),
      values);
}

Value makeConvResult(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value input, Value weight, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  auto weightType = cast<RankedTensorType>(weight.getType());
  return makeEmpty(b, loc, resultType, [&](int64_t i) -> Value {
    if (i == 0)
      return tensor::DimOp::create(b, loc, input, 0);
    if (i == 1)
      return tensor::DimOp::create(b, loc, weight, 0);
    Value in = tensor::DimOp::create(b, loc, input, i);
    return windowOutputDim(b, loc, in, weightType.getDimSize(i), strides[i - 2],
                           padding[i - 2], dilation[i - 2]);
  });
}

/// `v` with dimension `dim` split into `parts` (outermost first; at most one
/// of them, or `dim` itself, dynamic), and the reassociation that undoes it.
static std::pair<Value, SmallVector<ReassociationIndices>>
splitDim(OpBuilder &b, Location loc, Value v, int64_t dim,
         ArrayRef<int64_t> parts) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    ReassociationIndices dims;
    int64_t size = type.getDimSize(i);
    for (int64_t part : i == dim ? parts : ArrayRef<int64_t>(size)) {
      dims.push_back(static_cast<int64_t>(shape.size()));
      shape.push_back(part);
    }
    reassociation.push_back(dims);
  }
  auto splitType = RankedTensorType::get(shape, type.getElementType());
  return {tensor::ExpandShapeOp::create(b, loc, splitType, v, reassociation),
          reassociation};
}

/// A convolution of any spatial rank and any number of groups as one
/// linalg.generic, with the channel dimensions split into (group, channel
/// within group). With `block` = 0 the loops are (n, g, oc, out..., ic,
/// kernel...) and each step is acc + x * w. With `block` > 0 the input
/// channels of a group are zero-padded to a multiple of `block` and split into
/// (cb, ci); the loops are (n, g, oc, out..., cb, kernel..., ci) and each step
/// is fma(x, w, acc): oneDNN's order (see buildOneDnnOrderConv).
static Value buildGenericConv(OpBuilder &b, Location loc, Value padded,
                              Value weight, Value init, int64_t groups,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilation, int64_t block) {
  auto inType = cast<RankedTensorType>(padded.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t numSpatial = inType.getRank() - 2;
  int64_t groupIn = wType.getDimSize(1);
  int64_t groupOut = ShapedType::isDynamic(wType.getDimSize(0))
                         ? ShapedType::kDynamic
                         : wType.getDimSize(0) / groups;

  Value in = splitDim(b, loc, padded, 1, {groups, groupIn}).first;
  Value w = splitDim(b, loc, weight, 0, {groups, groupOut}).first;
  auto [out, outGroups] = splitDim(b, loc, init, 1, {groups, groupOut});
  if (block > 0) {
    // Zero channels add nothing: fma(0, 0, acc) = acc.
    int64_t padTo = llvm::divideCeil(groupIn, block) * block;
    TypedAttr zero = b.getZeroAttr(wType.getElementType());
    auto padChannels = [&](Value v, int64_t dim) {
      int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
      SmallVector<int64_t> low(rank, 0), high(rank, 0);
      high[dim] = padTo - groupIn;
      v = padTensor(b, loc, v, low, high, zero);
      return splitDim(b, loc, v, dim, {padTo / block, block}).first;
    };
    in = padChannels(in, 2);
    w = padChannels(w, 2);
  }

  // Loop dimensions: n, g, oc, out_0..out_{s-1}, then either ic,
  // k_0..k_{s-1} or cb, k_0..k_{s-1}, ci.
  int64_t numLoops = 4 + 2 * numSpatial + (block > 0 ? 1 : 0);
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  AffineExpr n = d(0), g = d(1), oc = d(2), ic = d(3 + numSpatial);
  SmallVector<AffineExpr> inExprs{n, g, ic}, wExprs{g, oc, ic},
      outExprs{n, g, oc};
  if (block > 0) {
    inExprs.push_back(d(numLoops - 1));
    wExprs.push_back(d(numLoops - 1));
  }
  for (int64_t i = 0; i < numSpatial; ++i) {
    AffineExpr o = d(3 + i), k = d(4 + numSpatial + i);
    inExprs.push_back(o * strides[i] + k * dilation[i]);
    wExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<AffineMap> maps{
      AffineMap::get(numLoops, 0, inExprs, b.getContext()),
      AffineMap::get(numLoops, 0, wExprs, b.getContext()),
      AffineMap::get(numLoops, 0, outExprs, b.getContext())};
  SmallVector<IteratorType> iterators(3 + numSpatial, IteratorType::parallel);
  iterators.append(numLoops - 3 - numSpatial, IteratorType::reduction);
  Value conv =
      linalg::GenericOp::create(
          b, loc, TypeRange{out.getType()}, ValueRange{in, w}, ValueRange{out},
          maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value next =
                block > 0
                    ? math::FmaOp::create(nb, nloc, args[0], args[1], args[2])
                    : add(nb, nloc, args[2], mul(nb, nloc, args[0], args[1]));
            linalg::YieldOp::create(nb, nloc, next);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, outType, conv, outGroups);
}

/// Channels [start, start + size) of `v` (dimension 1).
static Value sliceChannels(OpBuilder &b, Location loc, Value v, int64_t start,
                           int64_t size) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> steps(rank, b.getIndexAttr(1));
  offsets[1] = b.getIndexAttr(start);
  sizes[1] = b.getIndexAttr(size);
  return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, steps);
}

Value buildOneDnnOrderConv(OpBuilder &b, Location loc, Value padded,
                           Value weight, Value init, int64_t groups,
                           ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilation, int64_t chunk) {
  int64_t groupIn = cast<RankedTensorType>(weight.getType()).getDimSize(1);
  if (chunk <= 0 || groups != 1 || groupIn <= chunk)
    return buildGenericConv(b, loc, padded, weight, init, groups, strides,
                            dilation, std::min<int64_t>(groupIn, 8));
  Value total;
  for (int64_t start = 0; start < groupIn; start += chunk) {
    int64_t size = std::min(chunk, groupIn - start);
    Value part = buildGenericConv(
        b, loc, sliceChannels(b, loc, padded, start, size),
        sliceChannels(b, loc, weight, start, size),
        start == 0 ? init : fill(b, loc, makeEmptyLike(b, loc, init), 0.0f),
        /*groups=*/1, strides, dilation, std::min<int64_t>(size, 8));
    if (start == 0) {
      total = part;
      continue;
    }
    int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    total = buildElementwise(
        b, loc, makeEmptyLike(b, loc, init), {total, part},
        {identity, identity},
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nloc, args[0], args[1]);
        });
  }
  return total;
}

/// The 1-D or 2-D named linalg op (by the number of strides) over `inputs`
/// accumulating into `init`, with its strides and dilations.
template <typename Op1D, typename Op2D>
static Value createWindowed(OpBuilder &b, Location loc, Type resultType,
                            ValueRange inputs, Value init,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations) {
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("strides", i64Vector(b, strides)),
      b.getNamedAttr("dilations", i64Vector(b, dilations))};
  if (strides.size() == 1)
    return Op1D::create(b, loc, resultType, inputs, ValueRange{init}, attrs)
        .getResult(0);
  return Op2D::create(b, loc, resultType, inputs, ValueRange{init}, attrs)
      .getResult(0);
}

Value buildConv(OpBuilder &b, Location loc, Value padded, Value weight,
                Value init, int64_t groups, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilation) {
  if (groups > 1)
    return buildGenericConv(b, loc, padded, weight, init, groups, strides,
                            dilation, /*block=*/0);
  return createWindowed<linalg::Conv1DNcwFcwOp, linalg::Conv2DNchwFchwOp>(
      b, loc, init.getType(), ValueRange{padded, weight}, init, strides,
      dilation);
}

Value buildMatmulTransposedB(OpBuilder &b, Location loc, Value matrix,
                             Value weight, Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m = b.getAffineDimExpr(0), o = b.getAffineDimExpr(1),
             k = b.getAffineDimExpr(2);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {m, k}, ctx),
                              AffineMap::get(3, 0, {o, k}, ctx),
                              AffineMap::get(3, 0, {m, o}, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{matrix, weight},
             ValueRange{init}, maps,
             {IteratorType::parallel, IteratorType::parallel,
              IteratorType::reduction},
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc,
                   add(nb, nloc, args[2], mul(nb, nloc, args[0], args[1])));
             })
      .getResult(0);
}

std::optional<PoolGeometry>
getPoolGeometry(RankedTensorType in, RankedTensorType out,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  PoolGeometry g{SmallVector<int64_t>(kernel),
                 SmallVector<int64_t>(strides),
                 SmallVector<int64_t>(padding),
                 SmallVector<int64_t>(dilation),
                 {}};
  for (size_t i = 0; i < kernel.size(); ++i) {
    int64_t inSize = in.getDimSize(i + 2), outSize = out.getDimSize(i + 2);
    if (ShapedType::isDynamic(inSize) || ShapedType::isDynamic(outSize))
      return std::nullopt;
    int64_t needed =
        (outSize - 1) * strides[i] + dilation[i] * (kernel[i] - 1) + 1;
    g.extra.push_back(std::max<int64_t>(0, needed - (inSize + 2 * padding[i])));
  }
  return g;
}

std::optional<PoolGeometry> getPoolGeometry(qnn::MaxPoolOp op) {
  return getPoolGeometry(op.getInput().getType(), op.getType(),
                         op.getKernelSize(), op.getStridesOrDefault(),
                         op.getPaddingOrDefault(), op.getDilationOrDefault());
}

std::optional<PoolGeometry> getPoolGeometry(qnn::AvgPoolOp op) {
  int64_t numSpatial = op.getInput().getType().getRank() - 2;
  return getPoolGeometry(op.getInput().getType(), op.getType(),
                         op.getKernelSize(), op.getStridesOrDefault(),
                         op.getPaddingOrDefault(),
                         SmallVector<int64_t>(numSpatial, 1));
}

/// `input` padded for the pooling window of `g`: its padding on both sides,
/// and the extra columns ceil_mode needs on the high side.
static Value padForPool(OpBuilder &b, Location loc, Value input,
                        const PoolGeometry &g, TypedAttr value) {
  SmallVector<int64_t> high;
  for (size_t i = 0; i < g.padding.size(); ++i)
    high.push_back(g.padding[i] + g.extra[i]);
  return padSpatial(b, loc, input, g.padding, high, value);
}

Value buildMaxPool(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, const PoolGeometry &g,
                   TypedAttr lowest) {
  Value padded = padForPool(b, loc, input, g, lowest);
  Value init = makeFilledLike(b, loc, resultType, input, lowest);
  Value window =
      tensor::EmptyOp::create(b, loc, g.kernel, resultType.getElementType());
  return createWindowed<linalg::PoolingNcwMaxOp, linalg::PoolingNchwMaxOp>(
      b, loc, resultType, ValueRange{padded, window}, init, g.strides,
      g.dilation);
}

Value buildSumPool(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, const PoolGeometry &g,
                   TypedAttr padValue) {
  Value padded = padForPool(b, loc, input, g, padValue);
  Type element = resultType.getElementType();
  Value init = makeFilledLike(b, loc, resultType, input,
                              cast<TypedAttr>(b.getZeroAttr(element)));
  Value window = tensor::EmptyOp::create(b, loc, g.kernel, element);
  return createWindowed<linalg::PoolingNcwSumOp, linalg::PoolingNchwSumOp>(
      b, loc, resultType, ValueRange{padded, window}, init, g.strides,
      g.dilation);
}

SmallVector<int64_t> avgPoolDivisors(RankedTensorType in, RankedTensorType out,
                                     const PoolGeometry &g,
                                     bool countIncludePad) {
  int64_t numSpatial = in.getRank() - 2;
  ArrayRef<int64_t> outSpatial = out.getShape().drop_front(2);
  int64_t total = 1;
  for (int64_t s : outSpatial)
    total *= s;
  SmallVector<int64_t> divisors;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, divisor = 1;
    for (int64_t i = numSpatial - 1; i >= 0; --i) {
      int64_t o = rest % outSpatial[i];
      rest /= outSpatial[i];
      int64_t inSize = in.getDimSize(i + 2);
      int64_t start = o * g.strides[i] - g.padding[i];
      int64_t end = std::min(start + g.kernel[i], inSize + g.padding[i]);
      int64_t withPadding = end - start;
      start = std::max<int64_t>(start, 0);
      end = std::min(end, inSize);
      divisor *= countIncludePad ? withPadding : end - start;
    }
    divisors.push_back(divisor);
  }
  return divisors;
}

SmallVector<SmallVector<int64_t>> adaptiveWindowSizes(RankedTensorType in,
                                                      RankedTensorType out) {
  SmallVector<SmallVector<int64_t>> sizes;
  for (int64_t i = 2; i < in.getRank(); ++i) {
    int64_t inSize = in.getDimSize(i), outSize = out.getDimSize(i);
    SmallVector<int64_t> dim;
    for (int64_t o = 0; o < outSize; ++o)
      dim.push_back(((o + 1) * inSize + outSize - 1) / outSize -
                    (o * inSize) / outSize);
    sizes.push_back(dim);
  }
  return sizes;
}

Value buildAdaptiveWindowSums(OpBuilder &b, Location loc, Value input,
                              RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type element = resultType.getElementType();
  int64_t numSpatial = inType.getRank() - 2;
  SmallVector<Value> inputs{input};
  for (int64_t i = 0; i < numSpatial; ++i) {
    int64_t in = inType.getDimSize(i + 2), out = resultType.getDimSize(i + 2);
    SmallVector<Attribute> member(out * in, b.getZeroAttr(element));
    for (int64_t o = 0; o < out; ++o)
      for (int64_t j = (o * in) / out; j < ((o + 1) * in + out - 1) / out; ++j)
        member[o * in + j] = b.getOneAttr(element);
    auto type = RankedTensorType::get({out, in}, element);
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, member)));
  }
  // Loops: n, c, o_0.., j_0..
  int64_t numLoops = 2 + 2 * numSpatial;
  MLIRContext *ctx = b.getContext();
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> inExprs{d(0), d(1)}, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < numSpatial; ++i) {
    inExprs.push_back(d(2 + numSpatial + i));
    outExprs.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(numLoops, 0, inExprs, ctx)};
  for (int64_t i = 0; i < numSpatial; ++i)
    maps.push_back(
        AffineMap::get(numLoops, 0, {d(2 + i), d(2 + numSpatial + i)}, ctx));
  maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
  SmallVector<IteratorType> iterators(2 + numSpatial, IteratorType::parallel);
  iterators.append(numSpatial, IteratorType::reduction);
  Value init = makeFilledLike(b, loc, resultType, input,
                              cast<TypedAttr>(b.getZeroAttr(element)));
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value term = args[0];
               for (Value member : args.drop_front().drop_back())
                 term = mul(nb, nloc, term, member);
               linalg::YieldOp::create(nb, nloc,
                                       add(nb, nloc, args.back(), term));
             })
      .getResult(0);
}

Value buildReshape(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  Value dynamicSize;
  if (resultType.getNumDynamicDims() == 1) {
    Value count = indexConstant(b, loc, 1);
    for (int64_t i = 0; i < inType.getRank(); ++i)
      count = arith::MulIOp::create(b, loc, count,
                                    tensor::DimOp::create(b, loc, input, i));
    int64_t staticCount = 1;
    for (int64_t s : resultType.getShape())
      if (!ShapedType::isDynamic(s))
        staticCount *= s;
    dynamicSize = arith::DivUIOp::create(b, loc, count,
                                         indexConstant(b, loc, staticCount));
  }
  SmallVector<Value> sizes;
  for (int64_t s : resultType.getShape())
    sizes.push_back(ShapedType::isDynamic(s) ? dynamicSize
                                             : indexConstant(b, loc, s));
  // The shape's type spelled out: a rank-0 result has no sizes to infer
  // it from.
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(sizes.size())},
                                         b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, sizes);
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

Value buildTranspose(OpBuilder &b, Location loc, Value input,
                     RankedTensorType resultType,
                     ArrayRef<int64_t> permutation) {
  Value init = makeEmpty(b, loc, resultType, [&](int64_t i) -> Value {
    return tensor::DimOp::create(b, loc, input, permutation[i]);
  });
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

Value buildFlatten(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, int64_t start, int64_t end) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rank;) {
    ReassociationIndices group{i};
    if (i == start)
      for (int64_t j = start + 1; j <= end; ++j)
        group.push_back(j);
    i = group.back() + 1;
    groups.push_back(group);
  }
  return tensor::CollapseShapeOp::create(b, loc, resultType, input, groups);
}

Value buildConcat(OpBuilder &b, Location loc, ValueRange inputs,
                  RankedTensorType resultType, int64_t dim) {
  Value result = makeEmpty(b, loc, resultType, [&](int64_t d) -> Value {
    return tensor::DimOp::create(b, loc, inputs.front(), d);
  });
  int64_t rank = resultType.getRank(), offset = 0;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        strides(rank, b.getIndexAttr(1)), sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(
          type.isDynamicDim(d)
              ? OpFoldResult(
                    tensor::DimOp::create(b, loc, input, d).getResult())
              : b.getIndexAttr(type.getDimSize(d)));
    offsets[dim] = b.getIndexAttr(offset);
    offset += type.getDimSize(dim);
    result = tensor::InsertSliceOp::create(b, loc, input, result, offsets,
                                           sizes, strides);
  }
  return result;
}

Value buildSlice(OpBuilder &b, Location loc, Value input,
                 RankedTensorType resultType, int64_t dim, int64_t start) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      strides(rank, b.getIndexAttr(1)), sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(
        resultType.isDynamicDim(d)
            ? OpFoldResult(tensor::DimOp::create(b, loc, input, d).getResult())
            : b.getIndexAttr(resultType.getDimSize(d)));
  offsets[dim] = b.getIndexAttr(start);
  return tensor::ExtractSliceOp::create(b, loc, resultType, input, offsets,
                                        sizes, strides);
}

} // namespace qopt::lowering
