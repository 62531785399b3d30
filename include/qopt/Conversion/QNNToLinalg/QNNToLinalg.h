//===- QNNToLinalg.h - Lowering qnn to linalg -------------------*- C++ -*-===//
//
// Patterns that lower float qnn operations to linalg on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
#define QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qopt {

/// How quantized conv and linear requantize their int32 accumulator.
enum class Requantization {
  /// FBGEMM's float epilogue: bit for bit PyTorch's x86 backend.
  Float,
  /// An int32 fixed-point multiplier and shift (gemmlowp rounding) with an
  /// int32 bias.
  Integer,
  /// oneDNN's float epilogue (rule O), as PyTorch's onednn engine computes
  /// it: constants from reciprocal scales, the output zero point added
  /// before rounding.
  OneDnn,
};

/// Parses "float", "integer" or "onednn".
std::optional<Requantization> parseRequantization(llvm::StringRef name);

/// Maps tensors of `!quant.uniform` to tensors of their storage integers
/// (signless, of the storage width); every other type to itself.
class QuantStorageTypeConverter : public mlir::TypeConverter {
public:
  QuantStorageTypeConverter();
};

/// Dialect-conversion patterns lowering quantized qnn operations to linalg on
/// storage integers with int32 accumulation (docs/Numerics.md, rules Q, D,
/// R), plus the function-signature, return, call and quant.scast
/// conversions they need.
void populateQuantizedQNNToLinalgPatterns(QuantStorageTypeConverter &converter,
                                          mlir::RewritePatternSet &patterns,
                                          Requantization mode);

/// For a quantized conv or linear: why its int32 accumulator could overflow,
/// or nullopt when it provably cannot. The bound is, per output channel,
/// max|x - zx| * sum|w - zw| (+ |bias| for an i32 bias), with the actual
/// weight values when they are constants and the storage range otherwise.
/// (Intermediate sums wrap; only the final value must fit.)
std::optional<std::string> checkAccumulatorBound(mlir::Operation *op);

/// The order in which PyTorch 1.13 adds a float convolution's products
/// (docs/Numerics.md, rule F; ATen's ConvParams::use_mkldnn). With one
/// PyTorch thread, a 1x1 convolution with unit strides and dilation takes
/// oneDNN only for a batch of at least 16. Otherwise: oneDNN's order when
/// groups > 1 or a 2-D kernel is larger than 3 in both dimensions, else
/// when the batch exceeds 1 or the input has more than 20,480 elements,
/// else its own. `ByBatch` (oneDNN for a batch above 1) and `ByBatch16`
/// (for a batch of at least 16) when that depends on a dynamic batch (one
/// image of more than 20,480 elements decides for any batch).
/// `torchThreads` is PyTorch's intra-op thread count, 0 for its default on
/// this host (getTorchDefaultThreads).
enum class FloatConvOrder { Own, OneDnn, ByBatch, ByBatch16 };
FloatConvOrder getFloatConvOrder(mlir::RankedTensorType inputType,
                                 mlir::RankedTensorType weightType,
                                 int64_t groups,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilation,
                                 int64_t torchThreads);

/// oneDNN's jit 1x1 convolution (a 1x1 kernel without padding) sums the
/// input channels in chunks of 128: the first chunk from the bias, each
/// later one from zero and then added to the sum so far. The chunk for a
/// convolution of `groups` groups with `groupChannels` input channels each,
/// or 0 when the sum is not split (qopt splits only for groups = 1).
int64_t getOneDnnReduceChunk(llvm::ArrayRef<int64_t> kernel,
                             llvm::ArrayRef<int64_t> padding, int64_t groups,
                             int64_t groupChannels);

/// PyTorch 1.13's default intra-op thread count on this host: the
/// OMP_NUM_THREADS or MKL_NUM_THREADS environment variable (the latter
/// winning) if set to a positive number, else half the hardware threads on
/// x86-64 (c10's TaskThreadPoolBase::defaultNumThreads), at least 1.
int64_t getTorchDefaultThreads();

/// Applies those patterns to `root`: afterwards no quantized type is left.
llvm::LogicalResult lowerQuantizedQNN(mlir::Operation *root,
                                      Requantization mode);

/// Patterns lowering the float forms of conv, linear and the pooling ops;
/// `torchThreads` as for getFloatConvOrder.
void populateQNNToLinalgWeightedAndPoolingPatterns(
    mlir::RewritePatternSet &patterns, int64_t torchThreads = 0);

/// Patterns lowering the float elementwise and shape ops and the markers.
void populateQNNToLinalgElementwisePatterns(mlir::RewritePatternSet &patterns);

/// All patterns of convert-qnn-to-linalg.
void populateQNNToLinalgConversionPatterns(mlir::RewritePatternSet &patterns,
                                           int64_t torchThreads = 0);

} // namespace qopt

#endif // QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
