//===- KernelsTest.cpp - The int8 kernels against a reference ---*- C++ -*-===//
//
// Each ISA variant of the convolution kernel, fed weights packed by the
// compiler's own packQConv, against the portable variant and against a
// direct evaluation of docs/Numerics.md written here, on random problems:
// shapes that fit no tile, groups, strides, padding, dilation, signed and
// unsigned data over their whole ranges, weight zero points, both
// requantization modes. Variants the host CPU lacks are skipped.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelABI.h"
#include "qopt/Codegen/Packing.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace qopt;

namespace {

using KernelFn = void (*)(const int64_t *, const uint8_t *, const int8_t *,
                          const int32_t *, uint8_t *, uint8_t *, int64_t);

struct Variant {
  KernelISA isa;
  KernelFn conv, depthwise;
  bool supported;
};

std::vector<Variant> variants() {
  __builtin_cpu_init();
  return {
      {KernelISA::Generic, qopt_qconv_generic, qopt_qdwconv_generic, true},
      {KernelISA::AVX2, qopt_qconv_avx2, qopt_qdwconv_avx2,
       __builtin_cpu_supports("avx2") != 0},
      // AVX-VNNI has a convolution kernel of its own; its depthwise kernel
      // is AVX2's.
      {KernelISA::AVXVNNI, qopt_qconv_avxvnni, qopt_qdwconv_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni")},
      {KernelISA::AVX512VNNI, qopt_qconv_avx512vnni, qopt_qdwconv_avx512,
       __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni")},
      // AMX has a convolution kernel of its own; its depthwise kernel is
      // AVX-512's.
      {KernelISA::AMX, qopt_qconv_amx, qopt_qdwconv_avx512,
       __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("amx-tile") &&
           __builtin_cpu_supports("amx-int8")},
  };
}

/// Rule R, from the float32 scales' products (docs/Numerics.md); rule O
/// (`oneDnn`) adds the output zero point before rounding instead of after.
int32_t requantizeFloat(int64_t acc, float biasTerm, float multiplier,
                        int32_t zy, int32_t lo, int32_t hi, bool oneDnn) {
  float f = static_cast<float>(static_cast<int32_t>(acc)) + biasTerm;
  float r = oneDnn ? std::nearbyint(f * multiplier + static_cast<float>(zy))
                   : std::nearbyint(f * multiplier) + static_cast<float>(zy);
  return static_cast<int32_t>(std::min<float>(std::max<float>(r, lo), hi));
}

/// Rule I with 64-bit integers, as gemmlowp describes it.
int32_t requantizeInteger(int64_t acc, int32_t m, int32_t left, int32_t right,
                          int32_t zy, int32_t lo, int32_t hi) {
  int64_t x =
      std::clamp<int64_t>(acc * (int64_t{1} << left), INT32_MIN, INT32_MAX);
  int64_t ab = x * m;
  int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  int64_t high = (ab + nudge) / (int64_t{1} << 31);
  int64_t mask = (int64_t{1} << right) - 1;
  int64_t remainder = high & mask;
  int64_t threshold = (mask >> 1) + (high < 0);
  int64_t y = (high >> right) + (remainder > threshold) + zy;
  return static_cast<int32_t>(std::clamp<int64_t>(y, lo, hi));
}

struct Problem {
  QConvSpec spec;
  int64_t batch;
  std::vector<uint8_t> input;
};

Problem randomProblem(std::mt19937 &rng, int index) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Problem p;
  QConvSpec &s = p.spec;
  s.groups = index % 5 == 0 ? pick(2, 4) : 1;
  s.c = s.groups * pick(1, 40);
  s.oc = s.groups * pick(1, 70);
  if (index % 7 == 0) // depthwise
    s.groups = s.oc = s.c;
  // Some kernels have more taps than the vector kernels keep in registers.
  bool large = index % 14 == 0;
  s.kh = large ? 5 : pick(1, 3);
  s.kw = large ? 7 : pick(1, 3);
  s.sh = pick(1, 2);
  s.sw = pick(1, 3);
  s.dh = pick(1, 2);
  s.dw = pick(1, 2);
  s.ph = pick(0, s.kh);
  s.pw = pick(0, s.kw);
  s.h = pick(s.dh * (s.kh - 1) + 1, 9 + s.kh);
  s.w = pick(s.dw * (s.kw - 1) + 1, 11 + s.kw);
  s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
  s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
  p.batch = pick(1, 3);
  s.inputSigned = pick(0, 1);
  s.inputZero =
      static_cast<int32_t>(s.inputSigned ? pick(-128, 127) : pick(0, 255));
  s.outputSigned = pick(0, 1);
  s.outputZero =
      static_cast<int32_t>(s.outputSigned ? pick(-100, 100) : pick(0, 255));
  s.outputMin = s.outputSigned ? -128 : 0;
  s.outputMax = s.outputSigned ? 127 : 255;
  if (pick(0, 2) == 0)
    s.outputMin = s.outputZero; // relu
  if (pick(0, 4) == 0)          // a clamp below the storage maximum (relu6)
    s.outputMax = std::max<int32_t>(
        s.outputMin, s.outputMax - static_cast<int32_t>(pick(1, 120)));
  s.integerMode = index % 3 == 0;
  s.oneDnnMode = index % 3 == 1;
  s.weightSigned = pick(0, 3) != 0;
  // One problem in four has reduce_range-like data, every byte the kernels
  // multiply below 128 (i8 data is flipped by +128), and weights within
  // +-spread, so that most or all channels pass QOPT_CHAN_PAIR's bound.
  bool narrow = index % 4 == 1;
  if (narrow)
    s.inputZero =
        static_cast<int32_t>(s.inputSigned ? pick(-128, -1) : pick(0, 127));
  int64_t spread = narrow ? pick(20, 72) : 128;
  int64_t cg = s.c / s.groups;
  for (int64_t i = 0; i < s.oc * cg * s.kh * s.kw; ++i)
    s.weights.push_back(pick(-spread, spread - 1) + (s.weightSigned ? 0 : 128));
  bool zeros = pick(0, 2) == 0;
  for (int64_t c = 0; c < s.oc; ++c) {
    int64_t center = s.weightSigned ? 0 : 128;
    s.weightZeros.push_back(zeros ? center + pick(-9, 9) : center);
    s.bias.push_back(static_cast<int32_t>(pick(-2000, 2000)));
    s.biasTerm.push_back(static_cast<float>(pick(-5000, 5000)) / 7.0f);
    // Multipliers around 1/2^12, some exactly 0.5^k (ties), a few of 2^k
    // taking values past 2^24 (where the float additions round) and
    // 2^31 (past int32) of both signs.
    int64_t kind = pick(0, 15);
    s.multiplier.push_back(
        kind == 0  ? std::ldexp(1.0f, static_cast<int>(pick(4, 30)))
        : kind < 5 ? std::ldexp(1.0f, -static_cast<int>(pick(1, 14)))
                   : 1.0f / static_cast<float>(pick(500, 60000)));
    s.fixedMultiplier.push_back(
        static_cast<int32_t>((int64_t{1} << 30) + pick(0, (1 << 30) - 1)));
    s.leftShift.push_back(static_cast<int32_t>(pick(0, 1)));
    s.rightShift.push_back(static_cast<int32_t>(pick(5, 16)));
  }
  for (int64_t i = 0; i < p.batch * s.h * s.w * s.c; ++i)
    p.input.push_back(static_cast<uint8_t>(!narrow         ? pick(0, 255)
                                           : s.inputSigned ? pick(128, 255)
                                                           : pick(0, 127)));
  // Half of those have a few inputs outside that range (clamped and added
  // back by the AVX2 kernel, or more than it keeps: the split path).
  if (narrow && index % 8 == 1)
    for (int64_t i = pick(1, 12); i > 0; --i)
      p.input[pick(0, static_cast<int64_t>(p.input.size()) - 1)] ^= 0x80;
  return p;
}

/// docs/Numerics.md, straight from the definition (NHWC, OIHW weights).
std::vector<uint8_t> reference(const Problem &p) {
  const QConvSpec &s = p.spec;
  int64_t cg = s.c / s.groups, ng = s.oc / s.groups;
  std::vector<uint8_t> out(p.batch * s.oh * s.ow * s.oc);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t y = 0; y < s.oh; ++y)
      for (int64_t x = 0; x < s.ow; ++x)
        for (int64_t o = 0; o < s.oc; ++o) {
          int64_t g = o / ng, acc = s.bias[o];
          for (int64_t i = 0; i < s.kh; ++i)
            for (int64_t j = 0; j < s.kw; ++j)
              for (int64_t c = 0; c < cg; ++c) {
                int64_t ih = y * s.sh - s.ph + i * s.dh;
                int64_t iw = x * s.sw - s.pw + j * s.dw;
                int64_t v = s.inputZero;
                if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) {
                  uint8_t b =
                      p.input[((n * s.h + ih) * s.w + iw) * s.c + g * cg + c];
                  v = s.inputSigned ? static_cast<int8_t>(b) : b;
                }
                int64_t w = s.weights[((o * cg + c) * s.kh + i) * s.kw + j];
                acc += (v - s.inputZero) * (w - s.weightZeros[o]);
              }
          int32_t q =
              s.integerMode
                  ? requantizeInteger(acc, s.fixedMultiplier[o], s.leftShift[o],
                                      s.rightShift[o], s.outputZero,
                                      s.outputMin, s.outputMax)
                  : requantizeFloat(acc, s.biasTerm[o], s.multiplier[o],
                                    s.outputZero, s.outputMin, s.outputMax,
                                    s.oneDnnMode);
          out[((n * s.oh + y) * s.ow + x) * s.oc + o] = static_cast<uint8_t>(q);
        }
  return out;
}

/// `fn` on problem `p` packed as `packed`: its output, initialized to a
/// pattern no kernel writes on purpose.
std::vector<uint8_t> runKernel(KernelFn fn, const QConvPacked &packed,
                               const Problem &p, size_t outputBytes) {
  std::vector<uint8_t> workspace(packed.workspaceBytes);
  std::vector<uint8_t> actual(outputBytes, 0xA5);
  fn(packed.descriptor.data(), p.input.data(), packed.weights.data(),
     packed.channels.data(), actual.data(), workspace.data(), p.batch);
  return actual;
}

TEST(ConvKernels, EveryVariantEqualsTheReference) {
  std::mt19937 rng(1234);
  int checked = 0, depthwise = 0;
  for (int index = 0; index < 150; ++index) {
    Problem p = randomProblem(rng, index);
    std::vector<uint8_t> expected = reference(p);
    for (const Variant &v : variants()) {
      if (!v.supported)
        continue;
      // Once with a workspace sized for one image (several row blocks for
      // larger batches), once with the fewest rows a block may have.
      auto run = [&](KernelFn fn, const QConvPacked &packed) {
        return runKernel(fn, packed, p, expected.size());
      };
      for (int64_t rows : {p.spec.oh * p.spec.ow, int64_t{1}}) {
        ASSERT_EQ(run(v.conv, packQConv(p.spec, v.isa, rows)), expected)
            << "problem " << index << ", kernels "
            << stringifyKernelISA(v.isa).str() << ", rows " << rows;
        ++checked;
      }
      // Where Linux refuses AMX's tile state (and where K is shorter than
      // a tile's 64 bytes), its kernel runs AVX512-VNNI's on the same
      // packed weights and workspace.
      if (v.isa == KernelISA::AMX)
        ASSERT_EQ(run(qopt_qconv_avx512vnni, packQConv(p.spec, v.isa, 1)),
                  expected)
            << "problem " << index << ", AVX512-VNNI on AMX's packing";
      // Depthwise problems also run on the depthwise kernels.
      if (isDepthwise(p.spec)) {
        ASSERT_EQ(run(v.depthwise, packQDWConv(p.spec)), expected)
            << "problem " << index << ", depthwise kernels "
            << stringifyKernelISA(v.isa).str();
        ++depthwise;
      }
    }
  }
  EXPECT_GE(checked, 300);
  EXPECT_GE(depthwise, 20);
}

// Rule I over the whole range of its constants, which the problems above
// keep narrow: multipliers of 0 and across [2^30, 2^31), left shifts up
// to 31 (accumulators saturating at both ends of int32), right shifts from
// 0 to 31 (ties of RoundingDivideByPOT at every small shift), on the
// convolution and depthwise kernels of every variant.
TEST(ConvKernels, IntegerEpilogueOverItsWholeRange) {
  std::mt19937 rng(77);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int checked = 0, depthwise = 0;
  for (int index = 0; index < 60; ++index) {
    // Multiples of 3 are integer-mode problems; of 7, depthwise ones.
    Problem p = randomProblem(rng, 3 * index);
    QConvSpec &s = p.spec;
    ASSERT_TRUE(s.integerMode);
    for (int64_t c = 0; c < s.oc; ++c) {
      int64_t kind = pick(0, 7);
      s.fixedMultiplier[c] =
          kind == 0 ? 0
                    : static_cast<int32_t>(pick(int64_t{1} << 30, INT32_MAX));
      s.leftShift[c] =
          static_cast<int32_t>(kind == 1 ? pick(2, 31) : pick(0, 1));
      s.rightShift[c] =
          static_cast<int32_t>(kind < 4 ? pick(0, 3) : pick(0, 31));
    }
    std::vector<uint8_t> expected = reference(p);
    for (const Variant &v : variants()) {
      if (!v.supported)
        continue;
      ASSERT_EQ(
          runKernel(v.conv, packQConv(s, v.isa, p.batch), p, expected.size()),
          expected)
          << "problem " << index << ", kernels "
          << stringifyKernelISA(v.isa).str();
      ++checked;
      if (isDepthwise(s)) {
        ASSERT_EQ(runKernel(v.depthwise, packQDWConv(s), p, expected.size()),
                  expected)
            << "problem " << index << ", depthwise kernels "
            << stringifyKernelISA(v.isa).str();
        ++depthwise;
      }
    }
  }
  EXPECT_GE(checked, 60);
  EXPECT_GE(depthwise, 8);
}

TEST(ConvKernels, PackingLayout) {
  // Two channels, K = 3 (one kernel tap of 3 channels): AVX2 packs runs of
  // four k per channel (padded with 0) in blocks of 16 channels.
  QConvSpec s;
  s.c = 3;
  s.oc = 2;
  s.weights = {1, 2, 3, -4, -5, -6};
  s.weightZeros = {0, 0};
  s.bias = {0, 0};
  s.biasTerm = {0, 0};
  s.multiplier = {1, 1};
  QConvPacked packed = packQConv(s, KernelISA::AVX2, 1);
  ASSERT_EQ(packed.weights.size(), 4u * 16u);
  std::vector<int8_t> first(packed.weights.begin(), packed.weights.begin() + 8);
  EXPECT_EQ(first, (std::vector<int8_t>{1, 2, 3, 0, -4, -5, -6, 0}));
  EXPECT_TRUE(std::all_of(packed.weights.begin() + 8, packed.weights.end(),
                          [](int8_t v) { return v == 0; }));
  EXPECT_EQ(packed.descriptor[QOPT_CONV_KPAD], 4);
  EXPECT_EQ(packed.descriptor[QOPT_CONV_NPAD], 16);
  EXPECT_EQ(packed.descriptor[QOPT_CONV_MC], 8);
  // Weight sums per channel, after the u8 shift for unsigned weights.
  int64_t t = packed.descriptor[QOPT_CONV_NPAD];
  EXPECT_EQ(packed.channels[QOPT_CHAN_WSUM * t + 0], 6);
  EXPECT_EQ(packed.channels[QOPT_CHAN_WSUM * t + 1], -15);
  s.weightSigned = false;
  s.weights = {200, 128, 0, 255, 1, 2};
  s.weightZeros = {128, 130};
  packed = packQConv(s, KernelISA::AVX512VNNI, 1);
  std::vector<int8_t> quad(packed.weights.begin(), packed.weights.begin() + 8);
  EXPECT_EQ(quad, (std::vector<int8_t>{72, 0, -128, 0, 127, -127, -126, 0}));
  // Two channels: VNNI takes blocks of 16, not 32.
  EXPECT_EQ(packed.descriptor[QOPT_CONV_NR], 16);
  EXPECT_EQ(packed.descriptor[QOPT_CONV_NPAD], 16);
  EXPECT_EQ(packed.channels[QOPT_CHAN_WZERO * 16 + 1], 2);
  EXPECT_EQ(packed.descriptor[QOPT_CONV_W_ZERO], 1);
}

TEST(ConvKernels, GroupSumOfTheWeights) {
  // Groups of four: k = 0, 1, 4, 5 and 2, 3, 6, 7 of every run of eight;
  // the larger of the positive sum and the negated negative sum.
  EXPECT_EQ(weightGroupSum({127, 127, 0, 0, 4, 0, 0, 0}), 258);
  EXPECT_EQ(weightGroupSum({0, 0, -128, -128, 0, 0, 0, -3}), 259);
  // Opposite signs do not cancel; k = 2 and 4 are in different groups.
  EXPECT_EQ(weightGroupSum({127, 127, 127, 127, -128, -128, -128, -128}), 256);
  EXPECT_EQ(weightGroupSum({127, 127, 0, 0, 127, 127, 0, 0}), 508);
  EXPECT_EQ(weightGroupSum({1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 90}), 90);
  // Past K the weights count as 0: a tail of five.
  EXPECT_EQ(weightGroupSum({127, 127, 0, 0, 5}), 259);
  EXPECT_EQ(weightGroupSum({}), 0);
}

// Every kernel on sums at the int16 bound of the AVX2 kernel's paired
// path: groups of four weights whose positive (or negative) parts add up
// to 258 or 259 (GROUP), times inputs of 127 (127 * 258 = 32766 fits,
// 127 * 259 = 32893 does not) or 126 (126 * 259 = 32634 fits again), and
// the same inputs with a few bytes of 128 or more (clamped to 127 and
// added back) and with many (the split path). A sum that wrapped in int16
// would be 65536 off, 32 steps after requantization. K = 68 (eight pairs
// of runs and one alone), 80 and 88 (a row's last 16 and 8 bytes scanned
// apart from its runs of 32).
TEST(ConvKernels, PairedSumsAtTheInt16Bound) {
  for (int64_t k : {68, 80, 88})
    for (int64_t group : {258, 259})
      for (int64_t top : {127, 126})
        for (int64_t highBytes : {0, 3, 20}) {
          Problem p;
          QConvSpec &s = p.spec;
          s.c = k;
          s.oc = 3;
          p.batch = 3;
          std::vector<int64_t> positive = {127,         127, 100, 100,
                                           group - 254, 0,   58,  0};
          std::vector<int64_t> negative = {-128, -128, -100, -100,
                                           -2,   0,    -58,  0};
          for (int64_t o = 0; o < s.oc; ++o)
            for (int64_t k = 0; k < s.c; ++k)
              s.weights.push_back((o == 1 ? negative : positive)[k % 8]);
          s.weightZeros.assign(s.oc, 0);
          s.bias.assign(s.oc, 0);
          s.biasTerm.assign(s.oc, 0.0f);
          s.multiplier.assign(s.oc, 1.0f / 2048.0f);
          s.outputZero = 128;
          // Image 0: every input `top`; image 1: `top` where the weight is
          // positive, 0 elsewhere; image 2 the same in the row's last bytes
          // only (a row of its own: its largest byte in the tail); then
          // some bytes of 200.
          for (int64_t i = 0; i < s.c; ++i)
            p.input.push_back(static_cast<uint8_t>(top));
          for (int64_t from : {int64_t{0}, (k - 8) / 16 * 16})
            for (int64_t i = 0; i < s.c; ++i)
              p.input.push_back(i >= from && positive[i % 8] > 0
                                    ? static_cast<uint8_t>(top)
                                    : 0);
          for (int64_t i = 0; i < highBytes; ++i)
            p.input[(i * 7) % p.input.size()] = 200;
          std::vector<uint8_t> expected = reference(p);
          for (const Variant &v : variants()) {
            if (!v.supported)
              continue;
            QConvPacked packed = packQConv(s, v.isa, p.batch);
            int64_t t = packed.descriptor[QOPT_CONV_NPAD];
            EXPECT_EQ(packed.channels[QOPT_CHAN_GROUP * t + 0], group);
            EXPECT_EQ(packed.channels[QOPT_CHAN_GROUP * t + 1], 258);
            std::vector<uint8_t> actual =
                runKernel(v.conv, packed, p, expected.size());
            EXPECT_EQ(actual, expected)
                << "kernels " << stringifyKernelISA(v.isa).str() << ", GROUP "
                << group << ", inputs " << top << ", " << highBytes
                << " bytes of 200";
          }
        }
}

/// Random per-channel constants for every output channel of `s`: weight
/// zero points within +-zeroSpread, biases, and multipliers for both
/// requantization modes (no left shift).
void addRandomChannels(QConvSpec &s, std::mt19937 &rng, int64_t zeroSpread) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int64_t o = 0; o < s.oc; ++o) {
    s.weightZeros.push_back(pick(-zeroSpread, zeroSpread));
    s.bias.push_back(static_cast<int32_t>(pick(-2000, 2000)));
    s.biasTerm.push_back(static_cast<float>(pick(-5000, 5000)) / 7.0f);
    s.multiplier.push_back(1.0f / static_cast<float>(pick(500, 60000)));
    s.fixedMultiplier.push_back(
        static_cast<int32_t>((int64_t{1} << 30) + pick(0, (1 << 30) - 1)));
    s.leftShift.push_back(0);
    s.rightShift.push_back(static_cast<int32_t>(pick(5, 16)));
  }
}

// 1x1 convolutions with stride 1 over unsigned bytes (and linear layers):
// the AVX2 kernel reads a tile's rows in place from the input when all
// its bytes are below 128 and packs them otherwise, so these problems mix
// tiles of both kinds in one block: rows of data below 128, some rows with
// a few bytes of 128 or more (clamped and added back), some with many (the
// split path); row counts that leave tiles of 2 and 1 rows; channel counts
// in and out of runs of four (C = 30 and 102 are always packed), K long
// enough for the paired path; weight zero points, which need row sums.
TEST(ConvKernels, PointwiseRowsReadInPlace) {
  std::mt19937 rng(99);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int index = 0;
  for (int64_t c : {4, 16, 24, 30, 64, 96, 102, 160})
    for (int mix = 0; mix < 4; ++mix, ++index) {
      Problem p;
      QConvSpec &s = p.spec;
      s.c = c;
      s.oc = pick(1, 40);
      s.h = pick(1, 5);
      s.w = pick(1, 7);
      s.oh = s.h;
      s.ow = s.w;
      p.batch = pick(1, 3);
      s.inputZero = static_cast<int32_t>(pick(0, 127));
      s.outputZero = static_cast<int32_t>(pick(0, 255));
      s.integerMode = index % 3 == 0;
      s.oneDnnMode = index % 3 == 1;
      bool zeros = mix == 3;
      int64_t spread = mix == 2 ? 20 : 128;
      for (int64_t i = 0; i < s.oc * s.c; ++i)
        s.weights.push_back(pick(-spread, spread - 1));
      addRandomChannels(s, rng, zeros ? 9 : 0);
      int64_t pixels = p.batch * s.h * s.w;
      for (int64_t i = 0; i < pixels * s.c; ++i)
        p.input.push_back(static_cast<uint8_t>(pick(0, 127)));
      // Rows with no bytes of 128 or more (kind 0), a few (1), many (2):
      // mix 1 mixes the kinds within tiles, the others from tile to tile,
      // mix 0 only in its first 8 rows.
      for (int64_t r = 0; r < pixels; ++r) {
        int64_t kind = mix == 1 ? r % 3 : mix == 0 && r >= 8 ? 0 : r / 4 % 3;
        int64_t n = kind == 1 ? 2 : kind == 2 ? 20 : 0;
        for (int64_t i = 0; i < n; ++i)
          p.input[r * s.c + pick(0, s.c - 1)] =
              static_cast<uint8_t>(pick(128, 255));
      }
      std::vector<uint8_t> expected = reference(p);
      for (const Variant &v : variants()) {
        if (!v.supported)
          continue;
        for (int64_t rows : {pixels, int64_t{5}, int64_t{1}}) {
          QConvPacked packed = packQConv(s, v.isa, rows);
          std::vector<uint8_t> actual =
              runKernel(v.conv, packed, p, expected.size());
          ASSERT_EQ(actual, expected)
              << "C " << c << ", mix " << mix << ", kernels "
              << stringifyKernelISA(v.isa).str() << ", rows " << rows;
        }
      }
    }
}

// Depthwise kernels on channel counts around their blocks (16 channels for
// AVX2, 32 in two halves for AVX-512), in both requantization modes, with
// even and odd tap counts (an odd last tap pairs with a weight of 0, which
// a weight zero point must not change) and up to the 25 taps AVX-512
// keeps, signed and unsigned input over its whole range, padding.
TEST(ConvKernels, DepthwiseChannelBlocks) {
  std::mt19937 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  struct Window {
    int64_t kh, kw;
  };
  int index = 0;
  for (int64_t c : {1, 15, 16, 17, 31, 32, 33, 48, 63})
    for (Window window : {Window{3, 3}, Window{1, 2}, Window{5, 5}})
      for (bool integer : {false, true}) {
        Problem p;
        QConvSpec &s = p.spec;
        s.c = s.oc = s.groups = c;
        s.kh = window.kh;
        s.kw = window.kw;
        s.sh = s.sw = 1 + index++ % 2;
        s.ph = s.kh / 2;
        s.pw = s.kw / 2;
        s.h = pick(s.kh, 9);
        s.w = pick(s.kw, 11);
        s.oh = (s.h + 2 * s.ph - s.kh) / s.sh + 1;
        s.ow = (s.w + 2 * s.pw - s.kw) / s.sw + 1;
        p.batch = 2;
        s.integerMode = integer;
        s.inputSigned = pick(0, 1);
        s.inputZero = static_cast<int32_t>(s.inputSigned ? pick(-128, 127)
                                                         : pick(0, 255));
        s.outputZero = static_cast<int32_t>(pick(0, 255));
        for (int64_t i = 0; i < c * s.kh * s.kw; ++i)
          s.weights.push_back(pick(-128, 127));
        addRandomChannels(s, rng, 9);
        for (int64_t i = 0; i < p.batch * s.h * s.w * c; ++i)
          p.input.push_back(static_cast<uint8_t>(pick(0, 255)));
        std::vector<uint8_t> expected = reference(p);
        for (const Variant &v : variants()) {
          if (!v.supported)
            continue;
          std::vector<uint8_t> actual =
              runKernel(v.depthwise, packQDWConv(s), p, expected.size());
          ASSERT_EQ(actual, expected)
              << "C " << c << ", " << s.kh << "x" << s.kw << ", "
              << (integer ? "integer" : "float") << " mode, kernels "
              << stringifyKernelISA(v.isa).str();
        }
      }
}

using PoolFn = void (*)(const int64_t *, const uint8_t *, uint8_t *, int64_t);

struct PoolVariant {
  const char *name;
  PoolFn maxPool, averagePool;
  bool supported;
};

std::vector<PoolVariant> poolVariants() {
  std::vector<PoolVariant> result;
  for (const Variant &v : variants()) {
    if (v.isa == KernelISA::Generic)
      result.push_back({"generic", qopt_qmaxpool_generic,
                        qopt_qglobalavgpool_generic, v.supported});
    else if (v.isa == KernelISA::AVX2)
      result.push_back(
          {"avx2", qopt_qmaxpool_avx2, qopt_qglobalavgpool_avx2, v.supported});
    else if (v.isa == KernelISA::AVXVNNI || v.isa == KernelISA::AMX)
      continue; // AVX2's and AVX-512's pooling kernels
    else
      result.push_back({"avx512", qopt_qmaxpool_avx512,
                        qopt_qglobalavgpool_avx512, v.supported});
  }
  return result;
}

// Max pooling against a direct evaluation: channel counts around the
// vector widths (the 32-, 16-byte blocks and the tail), windows with and
// without padding, strides, dilations, both storage types over their whole
// range; and global average pooling (r = (1/H)/W, then rule R's rounding).
TEST(PoolKernels, EveryVariantEqualsTheReference) {
  std::mt19937 rng(99);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int checked = 0;
  for (int index = 0; index < 120; ++index) {
    std::vector<int64_t> d(QOPT_POOL_FIELDS, 0);
    int64_t c = index < 40 ? index % 40 + 1 : pick(1, 100);
    int64_t kh = pick(1, 3), kw = pick(1, 3), dh = pick(1, 2), dw = pick(1, 2);
    int64_t ph = pick(0, kh / 2), pw = pick(0, kw / 2);
    int64_t h = pick(dh * (kh - 1) + 1, 9), w = pick(dw * (kw - 1) + 1, 9);
    int64_t sh = pick(1, 2), sw = pick(1, 3), batch = pick(1, 2);
    int isSigned = static_cast<int>(pick(0, 1));
    int64_t oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
    int64_t ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    d[QOPT_POOL_H] = h;
    d[QOPT_POOL_W] = w;
    d[QOPT_POOL_C] = c;
    d[QOPT_POOL_OH] = oh;
    d[QOPT_POOL_OW] = ow;
    d[QOPT_POOL_KH] = kh;
    d[QOPT_POOL_KW] = kw;
    d[QOPT_POOL_SH] = sh;
    d[QOPT_POOL_SW] = sw;
    d[QOPT_POOL_PH] = ph;
    d[QOPT_POOL_PW] = pw;
    d[QOPT_POOL_DH] = dh;
    d[QOPT_POOL_DW] = dw;
    d[QOPT_POOL_SIGNED] = isSigned;
    float r = (1.0f / static_cast<float>(h)) / static_cast<float>(w);
    int32_t bits;
    std::memcpy(&bits, &r, sizeof bits);
    d[QOPT_POOL_SCALE] = bits;
    std::vector<uint8_t> x(batch * h * w * c);
    for (uint8_t &b : x)
      b = static_cast<uint8_t>(pick(0, 255));
    auto value = [&](uint8_t b) {
      return isSigned ? static_cast<int32_t>(static_cast<int8_t>(b))
                      : static_cast<int32_t>(b);
    };
    std::vector<uint8_t> expectedMax(batch * oh * ow * c);
    std::vector<uint8_t> expectedAverage(batch * c);
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t ch = 0; ch < c; ++ch) {
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            int32_t best = INT32_MIN;
            for (int64_t a = 0; a < kh; ++a)
              for (int64_t b = 0; b < kw; ++b) {
                int64_t ih = i * sh - ph + a * dh, iw = j * sw - pw + b * dw;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                  best = std::max(best,
                                  value(x[((n * h + ih) * w + iw) * c + ch]));
              }
            expectedMax[((n * oh + i) * ow + j) * c + ch] =
                static_cast<uint8_t>(best);
          }
        int32_t sum = 0;
        for (int64_t q = 0; q < h * w; ++q)
          sum += value(x[(n * h * w + q) * c + ch]);
        float v = std::nearbyint(static_cast<float>(sum) * r + 0.0f);
        v = std::min(std::max(v, isSigned ? -128.0f : 0.0f),
                     isSigned ? 127.0f : 255.0f);
        expectedAverage[n * c + ch] =
            static_cast<uint8_t>(static_cast<int32_t>(v));
      }
    for (const PoolVariant &v : poolVariants()) {
      if (!v.supported)
        continue;
      std::vector<uint8_t> actual(expectedMax.size(), 0xA5);
      v.maxPool(d.data(), x.data(), actual.data(), batch);
      ASSERT_EQ(actual, expectedMax)
          << "max pooling problem " << index << ", kernels " << v.name;
      actual.assign(expectedAverage.size(), 0xA5);
      v.averagePool(d.data(), x.data(), actual.data(), batch);
      ASSERT_EQ(actual, expectedAverage)
          << "average pooling problem " << index << ", kernels " << v.name;
      ++checked;
    }
  }
  EXPECT_GE(checked, 240);
}

} // namespace

// The transpose kernels against an element-by-element transpose, on
// shapes that are and are not multiples of their 8x8 blocks.
TEST(TransposeKernels, EqualElementByElement) {
  std::mt19937 rng(7);
  for (int64_t batch : {1, 3})
    for (int64_t rows : {1, 5, 8, 13, 64})
      for (int64_t cols : {1, 7, 8, 16, 49}) {
        size_t count = static_cast<size_t>(batch * rows * cols);
        std::vector<uint8_t> bytes(count), bytesOut(count, 0);
        std::vector<uint32_t> words(count), wordsOut(count, 0);
        for (size_t i = 0; i < count; ++i) {
          bytes[i] = static_cast<uint8_t>(rng());
          words[i] = static_cast<uint32_t>(rng());
        }
        qopt_transpose_b1(bytes.data(), bytesOut.data(), batch, rows, cols);
        qopt_transpose_b4(words.data(), wordsOut.data(), batch, rows, cols);
        for (int64_t n = 0; n < batch; ++n)
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < cols; ++c) {
              size_t from = (n * rows + r) * cols + c;
              size_t to = (n * cols + c) * rows + r;
              ASSERT_EQ(bytesOut[to], bytes[from])
                  << batch << "x" << rows << "x" << cols;
              ASSERT_EQ(wordsOut[to], words[from])
                  << batch << "x" << rows << "x" << cols;
            }
      }
}
