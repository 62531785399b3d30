//===- LinalgBuilders.h - Building blocks of the qnn lowerings --*- C++ -*-===//
//
// Shared by the float and the quantized lowering: tensors, elementwise
// generics, padding, and the convolution and matrix-product structures,
// generic over the element type (f32, or i32 accumulation).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_CONVERSION_QNNTOLINALG_LINALGBUILDERS_H
#define QOPT_LIB_CONVERSION_QNNTOLINALG_LINALGBUILDERS_H

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace qopt::lowering {

using mlir::ArrayRef;
using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::Value;
using mlir::ValueRange;

Value f32Constant(OpBuilder &b, Location loc, float value);
Value indexConstant(OpBuilder &b, Location loc, int64_t value);

/// A fused activation on one f32 value: relu is max(v, 0), relu6 also
/// min(., 6) (NaN-propagating, like FBGEMM's AVX2 float output path).
Value applyActivationScalar(OpBuilder &b, Location loc, Value v,
                            qopt::qnn::Activation activation);

/// PyTorch's hardswish, `x * min(max(x + 3, 0), 6) / 6`, or hardsigmoid,
/// `min(max(x + 3, 0), 6) / 6`, of a float32 scalar, in that order.
Value hardActivationScalar(OpBuilder &b, Location loc, Value x, bool swish);

/// A tensor.empty of `type`; `dynamicDim(i)` gives the size of each dynamic
/// dimension `i`.
Value makeEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                llvm::function_ref<Value(int64_t)> dynamicDim);
/// A tensor.empty shaped like `like`, with `like`'s element type or
/// `elementType`.
Value makeEmptyLike(OpBuilder &b, Location loc, Value like,
                    mlir::Type elementType = {});

/// An empty `resultType` whose dynamic sizes are those of `like`, filled
/// with `value`: the initial accumulator of a pooling.
Value makeFilledLike(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value like, mlir::TypedAttr value);

/// `init` filled with the scalar `value`.
Value fill(OpBuilder &b, Location loc, Value init, mlir::TypedAttr value);
Value fill(OpBuilder &b, Location loc, Value init, float value);

/// The indexing map of an elementwise operand of type `operand` broadcast
/// to `result` (same rank): dimension d, or 0 where the operand has size 1
/// and the result does not.
mlir::AffineMap broadcastMap(OpBuilder &b, RankedTensorType operand,
                             RankedTensorType result);
/// An empty tensor of `result`'s shape and `elementType` whose dynamic sizes
/// come from an operand not broadcast in that dimension.
Value makeEmptyBroadcast(OpBuilder &b, Location loc, ValueRange operands,
                         RankedTensorType result, mlir::Type elementType);

/// A linalg.generic with only parallel loops writing `init`; `inputMaps`
/// index the inputs, the output uses the identity.
Value buildElementwise(
    OpBuilder &b, Location loc, Value init, ValueRange inputs,
    ArrayRef<mlir::AffineMap> inputMaps,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// The map reading dimension `dim` of a rank-`rank` iteration space: a
/// per-channel vector broadcast over the rest.
mlir::AffineMap dimMap(OpBuilder &b, int64_t rank, int64_t dim);

/// `value` divided elementwise by the constant `divisors` (of shape
/// `divisorShape`), whose dimensions are `dims` of `value`.
Value divideByConstant(OpBuilder &b, Location loc, Value value,
                       ArrayRef<int64_t> divisorShape, ArrayRef<float> divisors,
                       ArrayRef<int64_t> dims);

/// Pads every dimension of `input` by `low` and `high` with `value`.
Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, mlir::TypedAttr value);

/// Pads dimensions 2 and up of `input` by `low` and `high` with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, mlir::TypedAttr value);

/// Output size of a convolution window over a dynamic input size.
Value windowOutputDim(OpBuilder &b, Location loc, Value in, int64_t kernel,
                      int64_t stride, int64_t pad, int64_t dilation);

/// An empty conv result of `resultType`, dynamic sizes taken from `input`
/// (batch, spatial via the window formula) and `weight` (channels).
Value makeConvResult(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value input, Value weight, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation);

mlir::DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values);

/// Sum and product of two scalars of the same type (float or integer).
Value add(OpBuilder &b, Location loc, Value lhs, Value rhs);
Value mul(OpBuilder &b, Location loc, Value lhs, Value rhs);

/// The convolution of an already padded input, accumulating into `init`
/// (whose element type the inputs share): linalg's NCW / NCHW named ops for
/// groups = 1, one linalg.generic over (n, g, oc, out..., ic, kernel...)
/// otherwise.
Value buildConv(OpBuilder &b, Location loc, Value padded, Value weight,
                Value init, int64_t groups, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilation);

/// A float convolution that adds in oneDNN's order: the order of its
/// jit:avx2 direct convolution (and of its depthwise kernel), which PyTorch's
/// CPU convolution uses for float inputs outside its small single-image
/// cases. Each output starts at `init` (the bias); then, for each block of 8
/// input channels of its group (all of them when the group has fewer than
/// 8), for each kernel position in row-major order, for each channel of the
/// block: acc = fma(x, w, acc). The weight's dimension 1 must be static.
/// With `chunk` > 0 (oneDNN's 1x1 kernel, groups = 1: see
/// qopt::getOneDnnReduceChunk) the input channels are taken in chunks of
/// `chunk`: the first chunk's sum starts at `init`, each later one at zero,
/// and each is added to the sum of those before it.
Value buildOneDnnOrderConv(OpBuilder &b, Location loc, Value padded,
                           Value weight, Value init, int64_t groups,
                           ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilation, int64_t chunk = 0);

/// init[m, o] += sum_k matrix[m, k] * weight[o, k].
Value buildMatmulTransposedB(OpBuilder &b, Location loc, Value matrix,
                             Value weight, Value init);

/// Window geometry of a pooling op with static spatial sizes, and the extra
/// right padding ceil_mode needs so that the last window fits.
struct PoolGeometry {
  llvm::SmallVector<int64_t> kernel, strides, padding, dilation, extra;
};

/// The geometry of a pooling window from `in` to `out`; nullopt when a
/// spatial size is dynamic.
std::optional<PoolGeometry>
getPoolGeometry(RankedTensorType in, RankedTensorType out,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation);

/// The window geometry of a max or average pooling op (average pooling has
/// no dilation); nullopt when a spatial size is dynamic.
std::optional<PoolGeometry> getPoolGeometry(qnn::MaxPoolOp op);
std::optional<PoolGeometry> getPoolGeometry(qnn::AvgPoolOp op);

/// Max pooling of `input` to `resultType` (same element type): the input is
/// padded with `lowest`, which never wins.
Value buildMaxPool(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, const PoolGeometry &g,
                   mlir::TypedAttr lowest);

/// Window sums of an average pooling of `input` to `resultType` (same
/// element type), the input padded with `padValue` (also to the right as
/// ceil_mode needs).
Value buildSumPool(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, const PoolGeometry &g,
                   mlir::TypedAttr padValue);

/// PyTorch's average-pooling divisor of every output position (row-major
/// over the spatial dimensions): the window clipped to the padded input with
/// `countIncludePad`, else the number of input elements it covers.
llvm::SmallVector<int64_t> avgPoolDivisors(RankedTensorType in,
                                           RankedTensorType out,
                                           const PoolGeometry &g,
                                           bool countIncludePad);

/// Adaptive pooling windows: output index o of a dimension of size `out`
/// over an input of size `in` covers [floor(o * in / out),
/// ceil((o + 1) * in / out)). The window sizes, one list per spatial
/// dimension.
llvm::SmallVector<llvm::SmallVector<int64_t>>
adaptiveWindowSizes(RankedTensorType in, RankedTensorType out);

/// The window sums of adaptive pooling (static spatial sizes), in the
/// element type of `input` and `resultType`: a contraction with 0/1
/// window-membership matrices, one per spatial dimension.
Value buildAdaptiveWindowSums(OpBuilder &b, Location loc, Value input,
                              RankedTensorType resultType);

/// tensor.reshape of `input` to `resultType` (at most one dynamic size: the
/// element count over the static sizes).
Value buildReshape(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType);

/// `input` with its dimensions permuted: result dimension i is input
/// dimension permutation[i] (linalg.transpose).
Value buildTranspose(OpBuilder &b, Location loc, Value input,
                     RankedTensorType resultType,
                     llvm::ArrayRef<int64_t> permutation);

/// tensor.collapse_shape merging dimensions `start` to `end` of `input`.
Value buildFlatten(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType, int64_t start, int64_t end);

/// `inputs` joined along `dim` into a tensor of `resultType`: one
/// tensor.insert_slice each into a tensor.empty. Sizes along `dim` must be
/// static; the result's other dynamic sizes are the first input's.
Value buildConcat(OpBuilder &b, Location loc, ValueRange inputs,
                  RankedTensorType resultType, int64_t dim);

/// Indices `start` on of dimension `dim` of `input`, as many as
/// `resultType` has there (tensor.extract_slice); other dimensions whole.
Value buildSlice(OpBuilder &b, Location loc, Value input,
                 RankedTensorType resultType, int64_t dim, int64_t start);

} // namespace qopt::lowering

#endif // QOPT_LIB_CONVERSION_QNNTOLINALG_LINALGBUILDERS_H
