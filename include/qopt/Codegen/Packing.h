//===- Packing.h - Compile-time packing for the int8 kernels ----*- C++ -*-===//
//
// Turns a quantized convolution (or linear layer) with constant weights
// into what its kernel reads at run time: the weights packed into the
// kernel's tiles, the per-channel parameters and the descriptor
// (include/qopt/Codegen/KernelABI.h). Pure C++: the code generation pass
// and the unit tests call it alike.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_PACKING_H
#define QOPT_CODEGEN_PACKING_H

#include "qopt/Codegen/KernelISA.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace qopt {

/// A quantized convolution in the kernels' terms: NHWC geometry (a 1-D
/// convolution has h = oh = kh = 1, a linear layer is 1x1 on 1x1 images),
/// zero points, output range and the per-channel requantization constants.
struct QConvSpec {
  int64_t h = 1, w = 1, c = 1, oh = 1, ow = 1, oc = 1, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, groups = 1;
  int32_t inputZero = 0;
  bool inputSigned = false;
  int32_t outputZero = 0, outputMin = 0, outputMax = 255;
  bool outputSigned = false;
  bool integerMode = false;
  /// Rule O (oneDNN's epilogue): the output zero point is added before
  /// rounding; biasTerm and multiplier hold rule O's constants.
  bool oneDnnMode = false;
  /// Stored weight values, PyTorch's layout O x C/groups x KH x KW.
  std::vector<int64_t> weights;
  bool weightSigned = true;
  /// Per output channel: the weight zero point and an int32 bias (0 when
  /// there is none).
  std::vector<int64_t> weightZeros;
  std::vector<int32_t> bias;
  /// Float mode (rule R), per output channel: bias[c] / (sx * sw[c]) (0
  /// without a float bias) and (sx * sw[c]) / sy.
  std::vector<float> biasTerm, multiplier;
  /// Integer mode (rule I), per output channel.
  std::vector<int32_t> fixedMultiplier, leftShift, rightShift;
};

/// What the object file carries for one convolution.
struct QConvPacked {
  std::vector<int64_t> descriptor;
  std::vector<int8_t> weights;
  std::vector<int32_t> channels;
  int64_t workspaceBytes = 0;
};

/// The bytes of packed input rows a kernel keeps at once (the MC x KPAD
/// block, with each row's sum and tap entries): with the packed weights of
/// one block of channels it stays in a 512 KiB L2 cache.
constexpr int64_t kPackedRowBudget = 192 * 1024;

/// Packs `spec` for `isa` (not None). `rows` is the number of GEMM rows of
/// one call when known (batch x OH x OW), to size the workspace no larger
/// than needed; 0 when unknown.
QConvPacked packQConv(const QConvSpec &spec, KernelISA isa, int64_t rows);

/// QOPT_CHAN_GROUP (KernelABI.h) of one channel's stored weights `w` (k
/// order, after the u8 shift).
int64_t weightGroupSum(llvm::ArrayRef<int64_t> w);

/// True if `spec` is a depthwise convolution (groups == c == oc), which has
/// a kernel of its own.
bool isDepthwise(const QConvSpec &spec);

/// Packs a depthwise `spec` for its kernel (KernelABI.h): the same for
/// every variant.
QConvPacked packQDWConv(const QConvSpec &spec);

/// A float convolution for the rule F kernels (KernelABI.h): NCHW geometry
/// (a 1-D convolution has h = oh = kh = 1), the summation order, the fused
/// activation, OIHW weights and the bias (zeros when there is none).
struct FConvSpec {
  int64_t h = 1, w = 1, c = 1, oh = 1, ow = 1, oc = 1, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, groups = 1;
  int64_t order = 0;      // QOPT_ORDER_*
  int64_t activation = 0; // QOPT_ACTIVATION_*
  /// oneDNN's 1x1 reduction chunk in input channels (0: none;
  /// qopt::getOneDnnReduceChunk).
  int64_t chunk = 0;
  std::vector<float> weights, bias;
};

/// A float convolution's or linear layer's kernel data.
struct FPacked {
  std::vector<int64_t> descriptor;
  std::vector<float> weights, bias;
  int64_t workspaceBytes = 0;
};

/// The bytes of packed input a float convolution keeps at once.
constexpr int64_t kFloatPackBudget = 256 * 1024;

/// Packs `spec`: weights in each order the call may take, the padded bias
/// and a block of output pixels sized for kFloatPackBudget (no larger than
/// `pixels`, one image's output pixels).
FPacked packFConv(const FConvSpec &spec);

/// Packs a float linear layer: weights [n][k] transposed to [k][npad],
/// the bias (empty when there is none) padded to npad.
FPacked packFLinear(int64_t k, int64_t n, llvm::ArrayRef<float> weights,
                    llvm::ArrayRef<float> bias, int64_t activation);

} // namespace qopt

#endif // QOPT_CODEGEN_PACKING_H
