//===- Packing.cpp - Compile-time packing for the int8 kernels --*- C++ -*-===//
//
// The layouts are those of include/qopt/Codegen/KernelABI.h; the kernels
// read them and lib/Codegen/Kernels/KernelCommon.h packs the input rows to
// match.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/Packing.h"
#include "qopt/Codegen/KernelABI.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace qopt;

QConvPacked qopt::packQConv(const QConvSpec &s, KernelISA isa, int64_t rows) {
  ConvKernel kernel = getConvKernel(isa);
  int64_t cg = s.c / s.groups, ng = s.oc / s.groups;
  int64_t k = s.kh * s.kw * cg;
  int64_t kpad = static_cast<int64_t>(llvm::alignTo(k, kernel.kg));
  int64_t npad = static_cast<int64_t>(llvm::alignTo(ng, kernel.nr));
  // u8 weights are stored minus 128 (and their zero points with them), so
  // every kernel multiplies by signed bytes.
  int64_t shift = s.weightSigned ? 0 : 128;

  QConvPacked packed;
  packed.weights.assign(s.groups * npad * kpad, 0);
  int64_t total = s.groups * npad;
  packed.channels.assign(QOPT_CHAN_FIELDS * total, 0);
  auto channel = [&](int field, int64_t index) -> int32_t & {
    return packed.channels[field * total + index];
  };
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t n = 0; n < ng; ++n) {
      int64_t oc = g * ng + n, index = g * npad + n;
      int64_t sum = 0;
      for (int64_t i = 0; i < s.kh; ++i)
        for (int64_t j = 0; j < s.kw; ++j)
          for (int64_t c = 0; c < cg; ++c) {
            int64_t v =
                s.weights[((oc * cg + c) * s.kh + i) * s.kw + j] - shift;
            int64_t r = (i * s.kw + j) * cg + c;
            int64_t block = g * (npad / kernel.nr) + n / kernel.nr;
            packed.weights[(block * kpad + r / kernel.kg * kernel.kg) *
                               kernel.nr +
                           n % kernel.nr * kernel.kg + r % kernel.kg] =
                static_cast<int8_t>(v);
            sum += v;
          }
      channel(QOPT_CHAN_BIAS, index) = s.bias[oc];
      channel(QOPT_CHAN_WSUM, index) = static_cast<int32_t>(sum);
      channel(QOPT_CHAN_WZERO, index) =
          static_cast<int32_t>(s.weightZeros[oc] - shift);
      if (s.integerMode) {
        channel(QOPT_CHAN_P0, index) = s.fixedMultiplier[oc];
        channel(QOPT_CHAN_P1, index) = s.leftShift[oc];
        channel(QOPT_CHAN_P2, index) = s.rightShift[oc];
      } else {
        channel(QOPT_CHAN_P0, index) = llvm::bit_cast<int32_t>(s.biasTerm[oc]);
        channel(QOPT_CHAN_P1, index) =
            llvm::bit_cast<int32_t>(s.multiplier[oc]);
      }
    }

  // Rows of the GEMM packed at a time: as many as the budget holds, in
  // whole tiles of 8 rows, but no more than one call has.
  int64_t rowBytes = kpad * kernel.rowElementBytes;
  int64_t mc = std::max<int64_t>(8, kPackedRowBudget / rowBytes / 8 * 8);
  if (rows > 0)
    mc = std::min<int64_t>(mc, llvm::alignTo(rows, 8));

  bool weightZero =
      llvm::any_of(s.weightZeros, [&](int64_t z) { return z - shift != 0; });
  std::vector<int64_t> &d = packed.descriptor;
  d.assign(QOPT_CONV_FIELDS, 0);
  d[QOPT_CONV_H] = s.h;
  d[QOPT_CONV_W] = s.w;
  d[QOPT_CONV_C] = s.c;
  d[QOPT_CONV_OH] = s.oh;
  d[QOPT_CONV_OW] = s.ow;
  d[QOPT_CONV_OC] = s.oc;
  d[QOPT_CONV_KH] = s.kh;
  d[QOPT_CONV_KW] = s.kw;
  d[QOPT_CONV_SH] = s.sh;
  d[QOPT_CONV_SW] = s.sw;
  d[QOPT_CONV_PH] = s.ph;
  d[QOPT_CONV_PW] = s.pw;
  d[QOPT_CONV_DH] = s.dh;
  d[QOPT_CONV_DW] = s.dw;
  d[QOPT_CONV_GROUPS] = s.groups;
  d[QOPT_CONV_X_ZERO] = s.inputZero;
  d[QOPT_CONV_X_SIGNED] = s.inputSigned;
  d[QOPT_CONV_Y_ZERO] = s.outputZero;
  d[QOPT_CONV_Y_MIN] = s.outputMin;
  d[QOPT_CONV_Y_MAX] = s.outputMax;
  d[QOPT_CONV_Y_SIGNED] = s.outputSigned;
  d[QOPT_CONV_MODE] = s.integerMode ? QOPT_REQUANT_INTEGER : QOPT_REQUANT_FLOAT;
  d[QOPT_CONV_W_ZERO] = weightZero;
  d[QOPT_CONV_K] = k;
  d[QOPT_CONV_KPAD] = kpad;
  d[QOPT_CONV_NPAD] = npad;
  d[QOPT_CONV_KG] = kernel.kg;
  d[QOPT_CONV_NR] = kernel.nr;
  d[QOPT_CONV_MC] = mc;
  packed.workspaceBytes =
      qopt_qconv_workspace_bytes(d.data(), kernel.rowElementBytes);
  return packed;
}
