//===- FloatKernelsTest.cpp - Rule F kernels against a reference -*- C++
//-*-===//
//
// The float convolution and linear kernels, fed by the compiler's packing,
// against a direct evaluation of rule F (docs/Numerics.md) written here, bit
// for bit: both summation orders, groups, strides, padding, dilation, fused
// relu and relu6 (whose -0.0 becomes +0.0, as arith.maximumf), and batches
// that change the order at run time. Variants the host CPU lacks are
// skipped.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelABI.h"
#include "qopt/Codegen/Packing.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>

using namespace qopt;

namespace {

using ConvFn = void (*)(const int64_t *, const float *, const float *,
                        const float *, float *, uint8_t *, int64_t);
using LinearFn = void (*)(const int64_t *, const float *, const float *,
                          const float *, float *, int64_t);

struct Variant {
  const char *name;
  ConvFn conv;
  LinearFn linear;
  bool supported;
};

std::vector<Variant> variants() {
  __builtin_cpu_init();
  return {
      {"generic", qopt_fconv_generic, qopt_flinear_generic, true},
      {"avx2", qopt_fconv_avx2, qopt_flinear_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
      {"avx512", qopt_fconv_avx512, qopt_flinear_avx512,
       __builtin_cpu_supports("avx512f") != 0},
  };
}

/// arith.maximumf(v, 0) then minimumf(v, 6), scalar.
float activate(float v, int64_t activation) {
  if (activation == QOPT_ACTIVATION_NONE)
    return v;
  v = (v > 0.0f || std::isnan(v)) ? v : 0.0f;
  if (activation == QOPT_ACTIVATION_RELU6)
    v = (v < 6.0f || std::isnan(v)) ? v : 6.0f;
  return v;
}

/// Rule F for one output of an NCHW convolution. Each product and sum is
/// its own statement: nothing here can be contracted into an FMA.
float referenceOutput(const FConvSpec &s, const std::vector<float> &x,
                      int64_t n, int64_t o, int64_t oy, int64_t ox,
                      bool oneDnn) {
  int64_t cg = s.c / s.groups, ng = s.oc / s.groups, g = o / ng;
  auto input = [&](int64_t c, int64_t i, int64_t j) {
    int64_t iy = oy * s.sh - s.ph + i * s.dh, ix = ox * s.sw - s.pw + j * s.dw;
    if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w)
      return 0.0f;
    return x[((n * s.c + g * cg + c) * s.h + iy) * s.w + ix];
  };
  auto weight = [&](int64_t c, int64_t i, int64_t j) {
    return s.weights[((o * cg + c) * s.kh + i) * s.kw + j];
  };
  float acc = s.bias[o];
  if (oneDnn) {
    // With a chunk (oneDNN's 1x1 kernel), each chunk of channels is summed
    // from zero and added to the sum of those before it.
    int64_t block = std::min<int64_t>(cg, 8), k = 0;
    int64_t chunk = s.chunk * s.kh * s.kw;
    float sum = 0.0f;
    bool partial = false;
    for (int64_t cb = 0; cb * block < cg; ++cb)
      for (int64_t i = 0; i < s.kh; ++i)
        for (int64_t j = 0; j < s.kw; ++j)
          for (int64_t ci = 0; ci < block; ++ci, ++k) {
            if (chunk > 0 && k > 0 && k % chunk == 0) {
              sum = partial ? sum + acc : acc;
              partial = true;
              acc = 0.0f;
            }
            int64_t c = cb * block + ci;
            float xv = c < cg ? input(c, i, j) : 0.0f;
            float wv = c < cg ? weight(c, i, j) : 0.0f;
            acc = std::fmaf(xv, wv, acc);
          }
    if (partial)
      acc = sum + acc;
  } else {
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t i = 0; i < s.kh; ++i)
        for (int64_t j = 0; j < s.kw; ++j) {
          float product = input(c, i, j) * weight(c, i, j);
          acc = acc + product;
        }
  }
  return activate(acc, s.activation);
}

/// Runs `s` on every kernel variant the host supports and returns how many
/// equal the reference in `oneDnn`'s order bit for bit; records a failure
/// (with `what`) for each that does not.
int checkAllVariants(const FConvSpec &s, const std::vector<float> &x,
                     int64_t batch, bool oneDnn, const std::string &what) {
  std::vector<float> expected;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < s.oc; ++o)
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox)
          expected.push_back(referenceOutput(s, x, n, o, oy, ox, oneDnn));
  FPacked packed = packFConv(s);
  int checked = 0;
  for (const Variant &v : variants()) {
    if (!v.supported)
      continue;
    std::vector<uint8_t> workspace(packed.workspaceBytes);
    std::vector<float> actual(expected.size(), 1234.5f);
    v.conv(packed.descriptor.data(), x.data(), packed.weights.data(),
           packed.bias.data(), actual.data(), workspace.data(), batch);
    EXPECT_EQ(std::memcmp(actual.data(), expected.data(),
                          expected.size() * sizeof(float)),
              0)
        << what << ", kernels " << v.name << ", " << (oneDnn ? "oneDNN" : "own")
        << " order";
    ++checked;
  }
  return checked;
}

TEST(FloatKernels, ConvolutionsInBothOrders) {
  std::mt19937 rng(99);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  std::normal_distribution<float> normal;
  int checked = 0;
  for (int index = 0; index < 60; ++index) {
    FConvSpec s;
    s.groups = index % 4 == 0 ? pick(2, 3) : 1;
    s.c = s.groups * pick(1, 20);
    s.oc = s.groups * pick(1, 13);
    s.kh = pick(1, 5);
    s.kw = pick(1, 5);
    s.sh = pick(1, 2);
    s.sw = pick(1, 3);
    s.dh = pick(1, 2);
    s.dw = pick(1, 2);
    s.ph = pick(0, s.kh / 2);
    s.pw = pick(0, s.kw / 2);
    s.h = pick(s.dh * (s.kh - 1) + 1, 12);
    s.w = pick(s.dw * (s.kw - 1) + 1, 40);
    s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
    s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
    s.order = index % 3; // own, oneDNN, by batch
    s.activation = pick(0, 2);
    for (int64_t i = 0; i < s.oc * (s.c / s.groups) * s.kh * s.kw; ++i)
      s.weights.push_back(normal(rng));
    for (int64_t o = 0; o < s.oc; ++o)
      // Some -0.0 biases: with all-zero inputs relu must give +0.0.
      s.bias.push_back(o % 5 == 0 ? -0.0f : normal(rng));
    int64_t batch = pick(1, 3);
    std::vector<float> x(batch * s.c * s.h * s.w);
    for (float &v : x)
      v = pick(0, 9) == 0 ? -0.0f : normal(rng) * 3.0f;
    bool oneDnn = s.order == QOPT_ORDER_ONEDNN ||
                  (s.order == QOPT_ORDER_BY_BATCH &&
                   (batch > 1 || batch * s.c * s.h * s.w > 20480));
    checked += checkAllVariants(s, x, batch, oneDnn,
                                "problem " + std::to_string(index));
  }
  EXPECT_GE(checked, 60);
}

// oneDNN's 1x1 kernel sums more than 128 channels in chunks of 128
// (docs/Numerics.md, rule F); channel counts that leave a partial last
// chunk and a partial last block, in both orders and by batch.
TEST(FloatKernels, OneByOneInChunks) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  int checked = 0;
  for (int64_t c : {129, 200, 300, 512}) {
    for (int64_t order :
         {QOPT_ORDER_ONEDNN, QOPT_ORDER_OWN, QOPT_ORDER_BY_BATCH_16}) {
      FConvSpec s;
      s.c = c;
      s.oc = 6;
      s.h = 5;
      s.w = 7;
      s.sh = s.sw = c == 300 ? 2 : 1;
      s.oh = (s.h - 1) / s.sh + 1;
      s.ow = (s.w - 1) / s.sw + 1;
      s.order = order;
      s.chunk = 128;
      for (int64_t i = 0; i < s.oc * s.c; ++i)
        s.weights.push_back(normal(rng));
      for (int64_t o = 0; o < s.oc; ++o)
        s.bias.push_back(normal(rng));
      int64_t batch = order == QOPT_ORDER_BY_BATCH_16 ? 16 : 2;
      std::vector<float> x(batch * s.c * s.h * s.w);
      for (float &v : x)
        v = normal(rng) * 3.0f;
      bool oneDnn = order != QOPT_ORDER_OWN;
      checked += checkAllVariants(s, x, batch, oneDnn,
                                  std::to_string(c) + " channels, order " +
                                      std::to_string(order));
    }
  }
  EXPECT_GE(checked, 12);
}

TEST(FloatKernels, LinearInBlasOrder) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  int checked = 0;
  for (int index = 0; index < 30; ++index) {
    int64_t m = 1 + index % 9, k = 1 + (index * 37) % 300,
            n = 1 + (index * 11) % 70;
    std::vector<float> x(m * k), w(n * k), bias;
    for (float &v : x)
      v = normal(rng);
    for (float &v : w)
      v = normal(rng);
    if (index % 2)
      for (int64_t o = 0; o < n; ++o)
        bias.push_back(normal(rng));
    int64_t activation = index % 3;
    std::vector<float> expected;
    for (int64_t r = 0; r < m; ++r)
      for (int64_t o = 0; o < n; ++o) {
        float acc = 0.0f;
        for (int64_t i = 0; i < k; ++i) {
          float product = x[r * k + i] * w[o * k + i];
          acc = acc + product;
        }
        if (!bias.empty())
          acc = acc + bias[o];
        expected.push_back(activate(acc, activation));
      }
    FPacked packed = packFLinear(k, n, w, bias, activation);
    for (const Variant &v : variants()) {
      if (!v.supported)
        continue;
      std::vector<float> actual(expected.size(), 1234.5f);
      v.linear(packed.descriptor.data(), x.data(), packed.weights.data(),
               packed.bias.data(), actual.data(), m);
      ASSERT_EQ(std::memcmp(actual.data(), expected.data(),
                            expected.size() * sizeof(float)),
                0)
          << "problem " << index << ", kernels " << v.name;
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
}

} // namespace
