//===- TransposeToKernels.cpp - Edge transposes on the transpose kernel ---===//
//
// The transposes left at the edges of a run of NHWC kernels become calls of
// qopt_transpose_b1 / _b4 (lib/Codegen/Kernels/Transpose.c): a batch of
// rows x cols matrices, transposed in blocks.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/IR/QCG.h"
#include "qopt/Codegen/Transforms/Passes.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_QNNTRANSPOSETOKERNELS
#include "qopt/Codegen/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

/// The number of dimensions after the batch that move to the end (k when
/// the permutation is [0, k+1, ..., r-1, 1, ..., k]), or 0 if `permutation`
/// is not such a swap.
int64_t swappedBlock(ArrayRef<int64_t> permutation) {
  int64_t rank = permutation.size();
  if (rank < 3 || permutation[0] != 0)
    return 0;
  int64_t k = permutation[1] - 1;
  if (k < 1 || k > rank - 2)
    return 0;
  for (int64_t i = 1; i < rank; ++i) {
    int64_t expected = i < rank - k ? i + k : i - (rank - k) + 1;
    if (permutation[i] != expected)
      return 0;
  }
  return k;
}

/// The element type the kernel moves: the storage type of a quantized type.
Type storageOf(Type element) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(element))
    return IntegerType::get(element.getContext(),
                            quantized.getStorageTypeIntegralWidth());
  return element;
}

struct TransposeToKernel : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getResult().getType());
    int64_t k = swappedBlock(op.getPermutation());
    if (k == 0)
      return rewriter.notifyMatchFailure(op, "not a swap after the batch");
    if (llvm::any_of(inType.getShape().drop_front(), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "a dynamic non-batch dimension");
    Type storage = storageOf(inType.getElementType());
    unsigned width = storage.getIntOrFloatBitWidth();
    if (width != 8 && width != 32)
      return rewriter.notifyMatchFailure(op,
                                         "elements of neither 1 nor 4 bytes");
    int64_t rows = 1, cols = 1;
    for (int64_t d = 1; d < inType.getRank(); ++d)
      (d <= k ? rows : cols) *= inType.getDimSize(d);

    Location loc = op.getLoc();
    auto inStorage = RankedTensorType::get(inType.getShape(), storage);
    auto outStorage = RankedTensorType::get(outType.getShape(), storage);
    Value x = op.getInput();
    if (inStorage != inType)
      x = quant::StorageCastOp::create(rewriter, loc, inStorage, x);
    Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
    SmallVector<Value> dynamicSizes;
    if (outStorage.isDynamicDim(0))
      dynamicSizes.push_back(batch);
    Value empty = tensor::EmptyOp::create(rewriter, loc, outStorage.getShape(),
                                          storage, dynamicSizes);
    Value rowCount = arith::ConstantIndexOp::create(rewriter, loc, rows);
    Value colCount = arith::ConstantIndexOp::create(rewriter, loc, cols);
    auto call = qcg::UKernelOp::create(
        rewriter, loc, TypeRange{outStorage},
        width == 8 ? "qopt_transpose_b1" : "qopt_transpose_b4", ValueRange{x},
        ValueRange{empty}, ValueRange{batch, rowCount, colCount});
    Value y = call.getResult(0);
    if (outStorage != outType)
      y = quant::StorageCastOp::create(rewriter, loc, outType, y);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct QNNTransposeToKernelsPass
    : qopt::impl::QNNTransposeToKernelsBase<QNNTransposeToKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposeToKernel>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
