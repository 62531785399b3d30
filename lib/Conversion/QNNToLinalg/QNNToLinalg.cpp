//===- QNNToLinalg.cpp - Lower float qnn to linalg on tensors ---*- C++ -*-===//
//
// Implements convert-qnn-to-linalg for the float forms of the qnn
// operations. The quantized forms lower separately (integer lowering).
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "qopt/Support/TorchSum.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstdlib>
#include <limits>
#include <thread>

namespace qopt {
#define GEN_PASS_DEF_CONVERTQNNTOLINALG
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt::qnn;
using utils::IteratorType;
using namespace qopt::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Applies relu or relu6 to `value`, in a new elementwise generic.
Value applyActivation(OpBuilder &b, Location loc, Value value,
                      Activation activation) {
  if (activation == Activation::None)
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  return buildElementwise(b, loc, makeEmptyLike(b, loc, value), {value},
                          {b.getMultiDimIdentityMap(type.getRank())},
                          [&](OpBuilder &nb, Location nloc, ValueRange args) {
                            return applyActivationScalar(nb, nloc, args[0],
                                                         activation);
                          });
}

/// Initial accumulator of a conv or linear result: the bias broadcast along
/// dimension 1, or zeros.
Value biasedInit(OpBuilder &b, Location loc, Value init, Value bias) {
  if (!bias)
    return fill(b, loc, init, 0.0f);
  auto type = cast<RankedTensorType>(init.getType());
  return buildElementwise(
      b, loc, init, {bias}, {dimMap(b, type.getRank(), 1)},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// Fails on quantized operands: they lower with the integer lowering.
LogicalResult requireFloat(Operation *op, PatternRewriter &rewriter) {
  for (Type type : llvm::concat<Type>(llvm::to_vector(op->getOperandTypes()),
                                      llvm::to_vector(op->getResultTypes())))
    if (isQuantized(type))
      return rewriter.notifyMatchFailure(op, "quantized operation");
  return success();
}

//===----------------------------------------------------------------------===//
// Conv and linear
//===----------------------------------------------------------------------===//

/// Whether PyTorch 1.13 runs this float convolution on oneDNN rather than on
/// its own im2col + BLAS path (qopt::getFloatConvOrder). Returns an i1, a
/// constant when the shapes decide; a dynamic batch size makes it a
/// run-time test.
Value usesOneDnn(OpBuilder &b, Location loc, Value input,
                 RankedTensorType weightType, ConvOp op, int64_t torchThreads) {
  auto inType = cast<RankedTensorType>(input.getType());
  qopt::FloatConvOrder order = qopt::getFloatConvOrder(
      inType, weightType, op.getGroups(), op.getStridesOrDefault(),
      op.getDilationOrDefault(), torchThreads);
  if (order == qopt::FloatConvOrder::Own ||
      order == qopt::FloatConvOrder::OneDnn)
    return arith::ConstantIntOp::create(
        b, loc, order == qopt::FloatConvOrder::OneDnn, 1);
  auto dim = [&](int64_t i) {
    return b.createOrFold<tensor::DimOp>(loc, input, i);
  };
  auto above = [&](Value v, int64_t bound) {
    return b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, v,
                                         indexConstant(b, loc, bound));
  };
  Value batch = dim(0);
  if (order == qopt::FloatConvOrder::ByBatch16)
    return above(batch, 15);
  Value elements = batch;
  for (int64_t i = 1, e = inType.getRank(); i < e; ++i)
    elements = b.createOrFold<arith::MulIOp>(loc, elements, dim(i));
  return b.createOrFold<arith::OrIOp>(loc, above(batch, 1),
                                      above(elements, 20480));
}

struct ConvLowering : OpRewritePattern<ConvOp> {
  ConvLowering(MLIRContext *ctx, int64_t torchThreads)
      : OpRewritePattern(ctx), torchThreads(torchThreads) {}
  /// PyTorch's intra-op thread count (0: its default on this host).
  int64_t torchThreads;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value input = op.getInput(), weight = op.getWeight();
    RankedTensorType resultType = op.getType();
    auto weightType = cast<RankedTensorType>(weight.getType());
    SmallVector<int64_t> strides = op.getStridesOrDefault();
    SmallVector<int64_t> padding = op.getPaddingOrDefault();
    SmallVector<int64_t> dilation = op.getDilationOrDefault();
    int64_t groups = op.getGroups();
    if (groups > 1 && !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "grouped conv needs a static "
                                             "weight shape");
    // oneDNN's order blocks the input channels of a group: their number
    // must be known, from the weight or else from the input.
    int64_t inChannels = op.getInput().getType().getDimSize(1);
    if (weightType.isDynamicDim(1) && !ShapedType::isDynamic(inChannels)) {
      SmallVector<int64_t> shape(weightType.getShape());
      shape[1] = inChannels / groups;
      weightType = RankedTensorType::get(shape, weightType.getElementType());
      weight = tensor::CastOp::create(rewriter, loc, weightType, weight);
    }

    Value padded = padSpatial(rewriter, loc, input, padding, padding,
                              rewriter.getF32FloatAttr(0.0f));
    Value init = makeConvResult(rewriter, loc, resultType, input, weight,
                                strides, padding, dilation);
    init = biasedInit(rewriter, loc, init, op.getBias());
    // PyTorch adds the products in one of two orders depending on the
    // shapes; both start from the bias (docs/Numerics.md, rule F).
    // oneDNN's 1x1 kernel sums the channels in chunks.
    int64_t chunk = weightType.isDynamicDim(1)
                        ? 0
                        : qopt::getOneDnnReduceChunk(
                              weightType.getShape().drop_front(2), padding,
                              groups, weightType.getDimSize(1));
    auto build = [&](OpBuilder &b, bool oneDnn) {
      return oneDnn ? buildOneDnnOrderConv(b, loc, padded, weight, init, groups,
                                           strides, dilation, chunk)
                    : buildConv(b, loc, padded, weight, init, groups, strides,
                                dilation);
    };
    // Without a channel count (only possible for groups = 1) the products
    // are added in PyTorch's own order.
    Value oneDnn =
        weightType.isDynamicDim(1)
            ? arith::ConstantIntOp::create(rewriter, loc, 0, 1).getResult()
            : usesOneDnn(rewriter, loc, input, weightType, op, torchThreads);
    Value result;
    if (std::optional<int64_t> known = getConstantIntValue(oneDnn)) {
      result = build(rewriter, *known != 0);
    } else {
      auto ifOp = scf::IfOp::create(rewriter, loc, TypeRange{init.getType()},
                                    oneDnn, /*withElseRegion=*/true);
      for (bool choice : {true, false}) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(choice ? ifOp.thenBlock()
                                                 : ifOp.elseBlock());
        scf::YieldOp::create(rewriter, loc, build(rewriter, choice));
      }
      result = ifOp.getResult(0);
    }
    rewriter.replaceOp(
        op, applyActivation(rewriter, loc, result, op.getActivation()));
    return success();
  }
};

struct LinearLowering : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value input = op.getInput(), weight = op.getWeight();
    RankedTensorType inType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    int64_t rank = inType.getRank();

    // Bring the input to [M, K].
    SmallVector<ReassociationIndices> toMatrix;
    Value matrix = input;
    if (rank == 1) {
      auto type = RankedTensorType::get({1, inType.getDimSize(0)},
                                        inType.getElementType());
      matrix = tensor::ExpandShapeOp::create(
          rewriter, loc, type, input, ArrayRef<ReassociationIndices>{{0, 1}});
    } else if (rank > 2) {
      ReassociationIndices batch;
      for (int64_t i = 0; i < rank - 1; ++i)
        batch.push_back(i);
      toMatrix = {batch, {rank - 1}};
      matrix = tensor::CollapseShapeOp::create(rewriter, loc, input, toMatrix);
    }
    auto matrixType = cast<RankedTensorType>(matrix.getType());
    auto outMatrixType = RankedTensorType::get(
        {matrixType.getDimSize(0), resultType.getShape().back()},
        resultType.getElementType());
    Value init =
        makeEmpty(rewriter, loc, outMatrixType, [&](int64_t i) -> Value {
          return tensor::DimOp::create(rewriter, loc, i == 0 ? matrix : weight,
                                       0);
        });
    // sum_k x[m, k] * w[n, k] from zero in k order, then + bias[n]: the
    // order of PyTorch's addmm over the reference BLAS sgemm (transa = 'T':
    // TEMP = TEMP + A(L,I) * B(L,J), then ALPHA * TEMP + BETA * C), which
    // makes the float results equal Debian's PyTorch bit for bit.
    Value product = buildMatmulTransposedB(rewriter, loc, matrix, weight,
                                           fill(rewriter, loc, init, 0.0f));
    if (Value bias = op.getBias())
      product = buildElementwise(
          rewriter, loc, makeEmptyLike(rewriter, loc, product), {product, bias},
          {rewriter.getMultiDimIdentityMap(2), dimMap(rewriter, 2, 1)},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::AddFOp::create(b, l, args[0], args[1]);
          });

    Value result = product;
    if (rank == 1)
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, product,
          ArrayRef<ReassociationIndices>{{0, 1}});
    else if (rank > 2)
      result = tensor::ExpandShapeOp::create(rewriter, loc, resultType, product,
                                             toMatrix);
    rewriter.replaceOp(
        op, applyActivation(rewriter, loc, result, op.getActivation()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct MaxPoolLowering : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    std::optional<PoolGeometry> g = getPoolGeometry(op);
    if (!g)
      return rewriter.notifyMatchFailure(op, "dynamic spatial dimension");
    const float lowest = -std::numeric_limits<float>::infinity();
    rewriter.replaceOp(op, buildMaxPool(rewriter, op.getLoc(), op.getInput(),
                                        op.getType(), *g,
                                        rewriter.getF32FloatAttr(lowest)));
    return success();
  }
};

struct AvgPoolLowering : OpRewritePattern<AvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    int64_t numSpatial = inType.getRank() - 2;
    std::optional<PoolGeometry> g = getPoolGeometry(op);
    if (!g)
      return rewriter.notifyMatchFailure(op, "dynamic spatial dimension");
    Value sum = buildSumPool(rewriter, loc, op.getInput(), resultType, *g,
                             rewriter.getF32FloatAttr(0.0f));
    SmallVector<float> divisors;
    for (int64_t d :
         avgPoolDivisors(inType, resultType, *g, op.getCountIncludePad()))
      divisors.push_back(static_cast<float>(d));
    SmallVector<int64_t> spatialDims;
    for (int64_t i = 0; i < numSpatial; ++i)
      spatialDims.push_back(i + 2);
    rewriter.replaceOp(op, divideByConstant(rewriter, loc, sum,
                                            resultType.getShape().drop_front(2),
                                            divisors, spatialDims));
    return success();
  }
};

/// Global average pooling as PyTorch computes it in float: adaptive pooling
/// to size 1 is `input.mean(spatial dims)`, ATen's cascade sum of each
/// (n, c) row, then a float32 division by the row's length. The sum's order
/// is emitted in full, one tensor.extract and addf per element, so it is
/// used up to `kMaxMeanElements` elements per row.
constexpr int64_t kMaxMeanElements = 4096;

Value buildTorchMean(OpBuilder &b, Location loc, Value input,
                     RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> spatial = inType.getShape().drop_front(2);
  int64_t count = ShapedType::getNumElements(spatial);
  SmallVector<int64_t> strides = computeStrides(spatial);
  Value init = makeEmpty(b, loc, resultType, [&](int64_t i) -> Value {
    return tensor::DimOp::create(b, loc, input, i);
  });
  int64_t rank = resultType.getRank();
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{}, ValueRange{init},
             SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               Value n = linalg::IndexOp::create(nb, nloc, 0);
               Value c = linalg::IndexOp::create(nb, nloc, 1);
               SmallVector<Value> row;
               for (int64_t j = 0; j < count; ++j) {
                 SmallVector<Value> indices{n, c};
                 for (int64_t p : delinearize(j, strides))
                   indices.push_back(indexConstant(nb, nloc, p));
                 row.push_back(
                     tensor::ExtractOp::create(nb, nloc, input, indices));
               }
               Value sum = qopt::torchCascadeSum<Value>(
                   row, f32Constant(nb, nloc, 0.0f), [&](Value x, Value y) {
                     return arith::AddFOp::create(nb, nloc, x, y).getResult();
                   });
               Value mean = arith::DivFOp::create(
                   nb, nloc, sum,
                   f32Constant(nb, nloc, static_cast<float>(count)));
               linalg::YieldOp::create(nb, nloc, mean);
             })
      .getResult(0);
}

struct AdaptiveAvgPoolLowering : OpRewritePattern<AdaptiveAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AdaptiveAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    int64_t numSpatial = inType.getRank() - 2;
    for (int64_t i = 0; i < numSpatial; ++i)
      if (inType.isDynamicDim(i + 2))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dimension");
    if (llvm::all_of(resultType.getShape().drop_front(2),
                     [](int64_t s) { return s == 1; }) &&
        ShapedType::getNumElements(inType.getShape().drop_front(2)) <=
            kMaxMeanElements) {
      rewriter.replaceOp(
          op, buildTorchMean(rewriter, loc, op.getInput(), resultType));
      return success();
    }
    Value result =
        buildAdaptiveWindowSums(rewriter, loc, op.getInput(), resultType);
    // Divide by the window size, one dimension after the other as PyTorch
    // does (sum / kh / kw).
    for (auto [i, sizes] :
         llvm::enumerate(adaptiveWindowSizes(inType, resultType))) {
      SmallVector<float> size(sizes.begin(), sizes.end());
      result = divideByConstant(rewriter, loc, result,
                                {static_cast<int64_t>(size.size())}, size,
                                {static_cast<int64_t>(i) + 2});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise, shape and marker operations
//===----------------------------------------------------------------------===//

struct ReluLowering : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, applyActivation(rewriter, op.getLoc(), op.getInput(),
                                           Activation::Relu));
    return success();
  }
};

struct ClampLowering : OpRewritePattern<ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClampOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    float lo = op.getMin().convertToFloat(), hi = op.getMax().convertToFloat();
    Value input = op.getInput();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, makeEmptyLike(rewriter, loc, input), {input},
                {rewriter.getMultiDimIdentityMap(op.getType().getRank())},
                [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  Value low = arith::MaximumFOp::create(
                      nb, nloc, args[0], f32Constant(nb, nloc, lo));
                  return arith::MinimumFOp::create(nb, nloc, low,
                                                   f32Constant(nb, nloc, hi));
                }));
    return success();
  }
};

struct BatchNormLowering : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    float eps = op.getEpsilon().convertToFloat();
    AffineMap channel = dimMap(rewriter, rank, 1);
    // PyTorch's inference kernel (batch_norm_cpu_collect_linear_and_
    // constant_terms, then the contiguous and channels-last transforms, whose
    // multiply-adds its x86 builds contract): alpha = (1 / sqrt(var + eps)) *
    // w, beta = fma(-mean, alpha, b), y = fma(x, alpha, beta).
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc, makeEmptyLike(rewriter, loc, op.getInput()),
            {op.getInput(), op.getWeight(), op.getBias(), op.getMean(),
             op.getVariance()},
            {rewriter.getMultiDimIdentityMap(rank), channel, channel, channel,
             channel},
            [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
              Value x = args[0], w = args[1], b = args[2], mean = args[3],
                    var = args[4];
              Value shifted = arith::AddFOp::create(nb, nloc, var,
                                                    f32Constant(nb, nloc, eps));
              Value invstd = arith::DivFOp::create(
                  nb, nloc, f32Constant(nb, nloc, 1.0f),
                  math::SqrtOp::create(nb, nloc, shifted));
              Value alpha = arith::MulFOp::create(nb, nloc, invstd, w);
              Value beta = math::FmaOp::create(
                  nb, nloc, arith::NegFOp::create(nb, nloc, mean), alpha, b);
              return math::FmaOp::create(nb, nloc, x, alpha, beta);
            }));
    return success();
  }
};

struct AddLowering : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    AffineMap identity =
        rewriter.getMultiDimIdentityMap(op.getType().getRank());
    Value sum = buildElementwise(
        rewriter, loc, makeEmptyLike(rewriter, loc, op.getLhs()),
        {op.getLhs(), op.getRhs()}, {identity, identity},
        [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nloc, args[0], args[1]);
        });
    rewriter.replaceOp(op,
                       applyActivation(rewriter, loc, sum, op.getActivation()));
    return success();
  }
};

struct MulLowering : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc,
                makeEmptyBroadcast(rewriter, loc, {op.getLhs(), op.getRhs()},
                                   type, type.getElementType()),
                {op.getLhs(), op.getRhs()},
                {broadcastMap(rewriter, op.getLhs().getType(), type),
                 broadcastMap(rewriter, op.getRhs().getType(), type)},
                [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  return arith::MulFOp::create(nb, nloc, args[0], args[1]);
                }));
    return success();
  }
};

/// hardswish / hardsigmoid on float tensors.
template <typename OpTy, bool Swish>
struct HardActivationLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value input = op.getInput();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, makeEmptyLike(rewriter, loc, input), {input},
                {rewriter.getMultiDimIdentityMap(op.getType().getRank())},
                [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                  return hardActivationScalar(nb, nloc, args[0], Swish);
                }));
    return success();
  }
};

struct CatLowering : OpRewritePattern<CatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CatOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, buildConcat(rewriter, op.getLoc(), op.getInputs(),
                                       op.getType(), op.getDim()));
    return success();
  }
};

struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    rewriter.replaceOp(op,
                       buildSlice(rewriter, op.getLoc(), op.getInput(),
                                  op.getType(), op.getDim(), op.getStart()));
    return success();
  }
};

struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    if (op.getType().getNumDynamicDims() > 1)
      return rewriter.notifyMatchFailure(
          op, "more than one dynamic result dimension");
    rewriter.replaceOp(
        op, buildReshape(rewriter, op.getLoc(), op.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, buildTranspose(rewriter, op.getLoc(), op.getInput(),
                                          op.getType(), op.getPermutation()));
    return success();
  }
};

struct FlattenLowering : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireFloat(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, buildFlatten(rewriter, op.getLoc(), op.getInput(),
                                        op.getType(), op.getStartIndex(),
                                        op.getEndIndex()));
    return success();
  }
};

/// The quantized-region markers compute nothing once lowered in float.
template <typename MarkerOp>
struct MarkerLowering : OpRewritePattern<MarkerOp> {
  using OpRewritePattern<MarkerOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MarkerOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// Why `op` cannot be lowered by this pass, if it cannot.
std::optional<std::string> unsupportedReason(Operation *op,
                                             qopt::Requantization mode) {
  bool quantized = llvm::any_of(op->getOperandTypes(), isQuantized) ||
                   llvm::any_of(op->getResultTypes(), isQuantized);
  if (quantized && isa<ConvOp, LinearOp>(op) &&
      cast<RankedTensorType>(op->getOperand(1).getType()).isDynamicDim(0))
    return std::string("a quantized layer needs a static number of output "
                       "channels to lower");
  auto staticSpatial = [](RankedTensorType type) {
    for (int64_t i = 2; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        return false;
    return true;
  };
  if (isa<MaxPoolOp, AvgPoolOp, AdaptiveAvgPoolOp>(op) &&
      (!staticSpatial(cast<RankedTensorType>(op->getOperand(0).getType())) ||
       !staticSpatial(cast<RankedTensorType>(op->getResult(0).getType()))))
    return std::string("pooling needs static spatial dimensions to lower");
  if (auto conv = dyn_cast<ConvOp>(op))
    if (conv.getGroups() > 1 &&
        !cast<RankedTensorType>(conv.getWeight().getType()).hasStaticShape())
      return std::string("a grouped conv needs a static weight shape to lower");
  if (mode == qopt::Requantization::Integer && isa<ConvOp, LinearOp>(op) &&
      isQuantized(op->getResult(0).getType()) && op->getNumOperands() > 2) {
    Value bias = op->getOperand(2);
    if (cast<RankedTensorType>(bias.getType()).getElementType().isF32() &&
        !matchPattern(bias, m_Constant()))
      return std::string("integer requantization needs a constant float "
                         "bias (it becomes int32 at compile time)");
  }
  if (auto cat = dyn_cast<CatOp>(op))
    if (cat.getType().isDynamicDim(cat.getDim()))
      return std::string("a cat along a dynamic dimension cannot be lowered");
  if (auto slice = dyn_cast<SliceOp>(op))
    if (slice.getInput().getType().isDynamicDim(slice.getDim()))
      return std::string("a slice of a dynamic dimension cannot be lowered");
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    if (reshape.getType().getNumDynamicDims() > 1)
      return std::string(
          "a reshape to more than one dynamic dimension cannot be lowered");
  return qopt::checkAccumulatorBound(op);
}

struct ConvertQNNToLinalgPass
    : qopt::impl::ConvertQNNToLinalgBase<ConvertQNNToLinalgPass> {
  using ConvertQNNToLinalgBase::ConvertQNNToLinalgBase;
  void runOnOperation() override {
    Operation *root = getOperation();
    std::optional<qopt::Requantization> mode =
        qopt::parseRequantization(requantization);
    if (!mode) {
      root->emitError() << "unknown requantization '" << requantization
                        << "': expected 'float', 'onednn' or 'integer'";
      return signalPassFailure();
    }
    WalkResult check = root->walk([&](Operation *op) {
      if (op->getDialect() && isa<QNNDialect>(op->getDialect()))
        if (std::optional<std::string> reason = unsupportedReason(op, *mode)) {
          op->emitOpError() << "cannot be lowered to linalg: " << *reason;
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (check.wasInterrupted())
      return signalPassFailure();

    // Quantized operations first: they change types (to storage integers),
    // which a dialect conversion tracks across function boundaries.
    if (failed(qopt::lowerQuantizedQNN(root, *mode)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    qopt::populateQNNToLinalgConversionPatterns(patterns, torchThreads);
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      return signalPassFailure();
    root->walk([&](Operation *op) {
      if (op->getDialect() && isa<QNNDialect>(op->getDialect())) {
        op->emitOpError() << "was not lowered to linalg";
        signalPassFailure();
      }
    });
  }
};

} // namespace

void qopt::populateQNNToLinalgWeightedAndPoolingPatterns(
    RewritePatternSet &patterns, int64_t torchThreads) {
  patterns.add<ConvLowering>(patterns.getContext(), torchThreads);
  patterns.add<LinearLowering, MaxPoolLowering, AvgPoolLowering,
               AdaptiveAvgPoolLowering>(patterns.getContext());
}

void qopt::populateQNNToLinalgElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ReluLowering, ClampLowering, BatchNormLowering, AddLowering,
               MulLowering, HardActivationLowering<HardswishOp, true>,
               HardActivationLowering<HardsigmoidOp, false>, CatLowering,
               SliceLowering, ReshapeLowering, FlattenLowering,
               TransposeLowering, MarkerLowering<QuantStubOp>,
               MarkerLowering<DequantStubOp>, MarkerLowering<ObserveOp>>(
      patterns.getContext());
}

void qopt::populateQNNToLinalgConversionPatterns(RewritePatternSet &patterns,
                                                 int64_t torchThreads) {
  populateQNNToLinalgWeightedAndPoolingPatterns(patterns, torchThreads);
  populateQNNToLinalgElementwisePatterns(patterns);
}

int64_t qopt::getOneDnnReduceChunk(ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> padding, int64_t groups,
                                   int64_t groupChannels) {
  auto is = [](int64_t value) { return [=](int64_t v) { return v == value; }; };
  if (groups != 1 || !llvm::all_of(kernel, is(1)) ||
      !llvm::all_of(padding, is(0)) || groupChannels <= 128)
    return 0;
  return 128;
}

int64_t qopt::getTorchDefaultThreads() {
  int64_t threads = 0;
  for (const char *name : {"OMP_NUM_THREADS", "MKL_NUM_THREADS"})
    if (const char *value = std::getenv(name)) {
      int64_t n = 0;
      if (!StringRef(value).trim().getAsInteger(10, n) && n > 0)
        threads = n;
    }
  if (threads > 0)
    return threads;
  return std::max<int64_t>(1, std::thread::hardware_concurrency() / 2);
}

qopt::FloatConvOrder
qopt::getFloatConvOrder(RankedTensorType inputType, RankedTensorType weightType,
                        int64_t groups, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilation, int64_t torchThreads) {
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  if (torchThreads <= 0)
    torchThreads = getTorchDefaultThreads();
  auto isOne = [](int64_t v) { return v == 1; };
  // Single-threaded PyTorch keeps a 1x1 convolution with unit strides and
  // dilation on its own path unless the batch is at least 16 (which also
  // satisfies the second condition below).
  if (torchThreads == 1 && llvm::all_of(kernel, isOne) &&
      llvm::all_of(strides, isOne) && llvm::all_of(dilation, isOne)) {
    if (inputType.isDynamicDim(0))
      return FloatConvOrder::ByBatch16;
    return inputType.getDimSize(0) >= 16 ? FloatConvOrder::OneDnn
                                         : FloatConvOrder::Own;
  }
  bool large = kernel.size() == 2 && kernel[0] > 3 && kernel[1] > 3;
  if (groups > 1 || large)
    return FloatConvOrder::OneDnn;
  if (!inputType.hasStaticShape()) {
    // One image larger than the bound decides for any batch of at least one.
    int64_t perImage = 1;
    for (int64_t d : inputType.getShape().drop_front())
      perImage = ShapedType::isDynamic(d) ? 0 : perImage * d;
    if (!inputType.isDynamicDim(0) || perImage <= 20480)
      return FloatConvOrder::ByBatch;
    return FloatConvOrder::OneDnn;
  }
  bool oneDnn =
      inputType.getDimSize(0) > 1 || inputType.getNumElements() > 20480;
  return oneDnn ? FloatConvOrder::OneDnn : FloatConvOrder::Own;
}
