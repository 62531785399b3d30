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

namespace {

/// u8 weights are stored minus 128 (and their zero points with them), so
/// every kernel multiplies by signed bytes.
int64_t weightShift(const QConvSpec &s) { return s.weightSigned ? 0 : 128; }

/// The descriptor of `s` with a packed layout.
std::vector<int64_t> makeDescriptor(const QConvSpec &s, int64_t k, int64_t kpad,
                                    int64_t npad, int64_t kg, int64_t nr,
                                    int64_t mc) {
  int64_t shift = weightShift(s);
  bool weightZero =
      llvm::any_of(s.weightZeros, [&](int64_t z) { return z - shift != 0; });
  std::vector<int64_t> d(QOPT_CONV_FIELDS, 0);
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
  d[QOPT_CONV_MODE] = s.integerMode  ? QOPT_REQUANT_INTEGER
                      : s.oneDnnMode ? QOPT_REQUANT_ONEDNN
                                     : QOPT_REQUANT_FLOAT;
  d[QOPT_CONV_W_ZERO] = weightZero;
  d[QOPT_CONV_K] = k;
  d[QOPT_CONV_KPAD] = kpad;
  d[QOPT_CONV_NPAD] = npad;
  d[QOPT_CONV_KG] = kg;
  d[QOPT_CONV_NR] = nr;
  d[QOPT_CONV_MC] = mc;
  return d;
}

/// Fills the channel rows (of `total` entries each) at `index` for output
/// channel `oc`, whose stored weights sum to `sum`.
void fillChannel(const QConvSpec &s, int64_t oc, int64_t index, int64_t total,
                 int64_t sum, std::vector<int32_t> &channels) {
  auto channel = [&](int field) -> int32_t & {
    return channels[field * total + index];
  };
  channel(QOPT_CHAN_BIAS) = s.bias[oc];
  channel(QOPT_CHAN_WSUM) = static_cast<int32_t>(sum);
  channel(QOPT_CHAN_WZERO) =
      static_cast<int32_t>(s.weightZeros[oc] - weightShift(s));
  if (s.integerMode) {
    channel(QOPT_CHAN_P0) = s.fixedMultiplier[oc];
    channel(QOPT_CHAN_P1) = s.leftShift[oc];
    channel(QOPT_CHAN_P2) = s.rightShift[oc];
  } else {
    channel(QOPT_CHAN_P0) = llvm::bit_cast<int32_t>(s.biasTerm[oc]);
    channel(QOPT_CHAN_P1) = llvm::bit_cast<int32_t>(s.multiplier[oc]);
  }
}

} // namespace

int64_t qopt::weightGroupSum(llvm::ArrayRef<int64_t> w) {
  auto at = [&](size_t k) { return k < w.size() ? w[k] : 0; };
  int64_t largest = 0;
  for (size_t r = 0; r < w.size(); r += 8)
    for (size_t j : {0, 2}) {
      int64_t positive = 0, negative = 0;
      for (size_t k : {r + j, r + j + 1, r + j + 4, r + j + 5}) {
        int64_t v = at(k);
        (v > 0 ? positive : negative) += v;
      }
      largest = std::max({largest, positive, -negative});
    }
  return largest;
}

QConvPacked qopt::packQConv(const QConvSpec &s, KernelISA isa, int64_t rows) {
  ConvKernel kernel = getConvKernel(isa);
  int64_t cg = s.c / s.groups, ng = s.oc / s.groups;
  int64_t k = s.kh * s.kw * cg;
  int64_t kpad = static_cast<int64_t>(llvm::alignTo(k, kernel.kg));
  // VNNI blocks of 32 channels, or 16 where 32 would pad a group by more
  // than 16 channels (a layer of 10 outputs would carry 3.2x its weights).
  if (isa == KernelISA::AVX512VNNI && ng % 32 != 0 && ng % 32 < 16)
    kernel.nr = 16;
  int64_t npad = static_cast<int64_t>(llvm::alignTo(ng, kernel.nr));
  int64_t shift = weightShift(s);

  QConvPacked packed;
  packed.weights.assign(s.groups * npad * kpad, 0);
  int64_t total = s.groups * npad;
  packed.channels.assign(QOPT_CHAN_FIELDS * total, 0);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t n = 0; n < ng; ++n) {
      int64_t oc = g * ng + n;
      int64_t block = g * (npad / kernel.nr) + n / kernel.nr;
      int64_t sum = 0;
      std::vector<int64_t> ordered(k);
      for (int64_t i = 0; i < s.kh; ++i)
        for (int64_t j = 0; j < s.kw; ++j)
          for (int64_t c = 0; c < cg; ++c) {
            int64_t v =
                s.weights[((oc * cg + c) * s.kh + i) * s.kw + j] - shift;
            int64_t r = (i * s.kw + j) * cg + c;
            packed.weights[(block * kpad + r / kernel.kg * kernel.kg) *
                               kernel.nr +
                           n % kernel.nr * kernel.kg + r % kernel.kg] =
                static_cast<int8_t>(v);
            ordered[r] = v;
            sum += v;
          }
      fillChannel(s, oc, g * npad + n, total, sum, packed.channels);
      packed.channels[QOPT_CHAN_GROUP * total + g * npad + n] =
          static_cast<int32_t>(weightGroupSum(ordered));
    }

  // Rows of the GEMM packed at a time: as many as the budget holds, in
  // whole tiles (8 rows; AMX's 16), but no more than one call has.
  // A row's whole share of the workspace, whose tap area short rows would
  // otherwise let grow past the budget.
  int64_t rowBytes =
      qopt_qconv_row_bytes(s.kh, s.kw, kpad, kernel.rowElementBytes);
  int64_t tile = kernel.rowMultiple;
  int64_t mc =
      std::max<int64_t>(tile, kPackedRowBudget / rowBytes / tile * tile);
  if (rows > 0)
    mc = std::min<int64_t>(mc, llvm::alignTo(rows, tile));
  packed.descriptor =
      makeDescriptor(s, k, kpad, npad, kernel.kg, kernel.nr, mc);
  packed.workspaceBytes = qopt_qconv_workspace_bytes(packed.descriptor.data(),
                                                     kernel.rowElementBytes);
  return packed;
}

bool qopt::isDepthwise(const QConvSpec &spec) {
  return spec.groups > 1 && spec.groups == spec.c && spec.groups == spec.oc;
}

QConvPacked qopt::packQDWConv(const QConvSpec &s) {
  int64_t taps = s.kh * s.kw;
  int64_t npad = static_cast<int64_t>(llvm::alignTo(s.c, 16));
  int64_t shift = weightShift(s);
  QConvPacked packed;
  packed.weights.assign(taps * npad, 0);
  packed.channels.assign(QOPT_CHAN_FIELDS * npad, 0);
  for (int64_t c = 0; c < s.c; ++c) {
    int64_t sum = 0;
    for (int64_t k = 0; k < taps; ++k) {
      int64_t v = s.weights[c * taps + k] - shift;
      packed.weights[k * npad + c] = static_cast<int8_t>(v);
      sum += v;
    }
    fillChannel(s, c, c, npad, sum, packed.channels);
  }
  packed.descriptor =
      makeDescriptor(s, taps, taps, npad, /*kg=*/1, /*nr=*/16, /*mc=*/0);
  packed.workspaceBytes =
      qopt_qdwconv_workspace_bytes(packed.descriptor.data());
  return packed;
}

FPacked qopt::packFConv(const FConvSpec &s) {
  int64_t cg = s.c / s.groups, ng = s.oc / s.groups;
  int64_t taps = s.kh * s.kw;
  int64_t block = std::min<int64_t>(cg, 8);
  int64_t cpad = static_cast<int64_t>(llvm::alignTo(cg, block));
  int64_t ngpad = static_cast<int64_t>(llvm::alignTo(ng, 4));
  int64_t kOwn = cg * taps, kOnednn = cpad * taps;
  bool own = s.order != QOPT_ORDER_ONEDNN, onednn = s.order != QOPT_ORDER_OWN;
  FPacked packed;
  // PyTorch's own order is the OIHW layout: output channel o's run of
  // (c, kh, kw); oneDNN's runs (channel block, kh, kw, channel in block).
  int64_t ownSize = own ? s.groups * ngpad * kOwn : 0;
  packed.weights.assign(ownSize + (onednn ? s.groups * ngpad * kOnednn : 0),
                        0.0f);
  packed.bias.assign(s.groups * ngpad, 0.0f);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t o = 0; o < ng; ++o) {
      int64_t row = g * ngpad + o;
      packed.bias[row] = s.bias[g * ng + o];
      const float *src = s.weights.data() + (g * ng + o) * kOwn;
      if (own)
        std::copy(src, src + kOwn, packed.weights.begin() + row * kOwn);
      if (!onednn)
        continue;
      float *dst = packed.weights.data() + ownSize + row * kOnednn;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t t = 0; t < taps; ++t)
          dst[((c / block) * taps + t) * block + c % block] = src[c * taps + t];
    }
  int64_t kMax = std::max(own ? kOwn : 0, onednn ? kOnednn : 0);
  int64_t pixels = s.oh * s.ow;
  int64_t mc = std::max<int64_t>(32, kFloatPackBudget / (4 * kMax) / 32 * 32);
  mc = std::min<int64_t>(mc, llvm::alignTo(pixels, 32));
  std::vector<int64_t> &d = packed.descriptor;
  d.assign(QOPT_FCONV_FIELDS, 0);
  d[QOPT_FCONV_H] = s.h;
  d[QOPT_FCONV_W] = s.w;
  d[QOPT_FCONV_C] = s.c;
  d[QOPT_FCONV_OH] = s.oh;
  d[QOPT_FCONV_OW] = s.ow;
  d[QOPT_FCONV_OC] = s.oc;
  d[QOPT_FCONV_KH] = s.kh;
  d[QOPT_FCONV_KW] = s.kw;
  d[QOPT_FCONV_SH] = s.sh;
  d[QOPT_FCONV_SW] = s.sw;
  d[QOPT_FCONV_PH] = s.ph;
  d[QOPT_FCONV_PW] = s.pw;
  d[QOPT_FCONV_DH] = s.dh;
  d[QOPT_FCONV_DW] = s.dw;
  d[QOPT_FCONV_GROUPS] = s.groups;
  d[QOPT_FCONV_ORDER] = s.order;
  d[QOPT_FCONV_BLOCK] = block;
  d[QOPT_FCONV_ACTIVATION] = s.activation;
  d[QOPT_FCONV_NGPAD] = ngpad;
  d[QOPT_FCONV_K_OWN] = own ? kOwn : 0;
  d[QOPT_FCONV_K_ONEDNN] = onednn ? kOnednn : 0;
  d[QOPT_FCONV_ONEDNN_WEIGHTS] = ownSize;
  d[QOPT_FCONV_MC] = mc;
  d[QOPT_FCONV_CHUNK] = s.chunk * taps;
  packed.workspaceBytes = qopt_fconv_workspace_bytes(d.data());
  return packed;
}

FPacked qopt::packFLinear(int64_t k, int64_t n, llvm::ArrayRef<float> weights,
                          llvm::ArrayRef<float> bias, int64_t activation) {
  int64_t npad = static_cast<int64_t>(llvm::alignTo(n, 32));
  FPacked packed;
  packed.weights.assign(k * npad, 0.0f);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t r = 0; r < k; ++r)
      packed.weights[r * npad + o] = weights[o * k + r];
  packed.bias.assign(npad, 0.0f);
  std::copy(bias.begin(), bias.end(), packed.bias.begin());
  packed.descriptor.assign(QOPT_FLINEAR_FIELDS, 0);
  packed.descriptor[QOPT_FLINEAR_K] = k;
  packed.descriptor[QOPT_FLINEAR_N] = n;
  packed.descriptor[QOPT_FLINEAR_NPAD] = npad;
  packed.descriptor[QOPT_FLINEAR_BIAS] = !bias.empty();
  packed.descriptor[QOPT_FLINEAR_ACTIVATION] = activation;
  return packed;
}
