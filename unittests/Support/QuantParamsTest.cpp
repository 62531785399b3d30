//===- QuantParamsTest.cpp - Tests of the scalar quant arithmetic -*- C++ -*-=//
//
// The golden tables were produced by PyTorch 1.13 itself
// (utils/gen_qparams_golden.py); every row must match bit for bit.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/QuantParams.h"

#include "llvm/ADT/bit.h"
#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

using namespace qopt;

namespace {

float fromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

uint32_t toBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

struct QParamsRow {
  uint32_t minBits, maxBits;
  QuantDType dtype;
  bool symmetric, reduceRange;
  uint32_t scaleBits;
  int64_t zeroPoint;
};

const QParamsRow qparamsGolden[] = {
#include "QuantParamsGolden.inc"
};

struct QuantizeRow {
  uint32_t xBits, scaleBits;
  int64_t zeroPoint;
  QuantDType dtype;
  int64_t q;
};

const QuantizeRow quantizeGolden[] = {
#include "QuantizeGolden.inc"
};

TEST(QuantParams, ObserverRanges) {
  EXPECT_EQ(getObserverRange(QuantDType::QUInt8, false), (QuantRange{0, 255}));
  EXPECT_EQ(getObserverRange(QuantDType::QUInt8, true), (QuantRange{0, 127}));
  EXPECT_EQ(getObserverRange(QuantDType::QInt8, false),
            (QuantRange{-128, 127}));
  EXPECT_EQ(getObserverRange(QuantDType::QInt8, true), (QuantRange{-64, 63}));
  // reduce_range narrows the observer's range, never the storage.
  EXPECT_EQ(getStorageRange(QuantDType::QUInt8), (QuantRange{0, 255}));
  EXPECT_EQ(getStorageRange(QuantDType::QInt8), (QuantRange{-128, 127}));
}

TEST(QuantParams, MatchesPyTorchObserversBitForBit) {
  ASSERT_GT(std::size(qparamsGolden), 500u);
  for (const QParamsRow &row : qparamsGolden) {
    float lo = fromBits(row.minBits), hi = fromBits(row.maxBits);
    llvm::Expected<QuantParams> params = chooseQuantParams(
        lo, hi, row.dtype, getObserverRange(row.dtype, row.reduceRange),
        row.symmetric);
    ASSERT_TRUE(static_cast<bool>(params))
        << llvm::toString(params.takeError());
    EXPECT_EQ(toBits(params->scale), row.scaleBits)
        << "range [" << lo << ", " << hi << "] symmetric=" << row.symmetric
        << " reduce_range=" << row.reduceRange << ": got " << params->scale
        << ", PyTorch " << fromBits(row.scaleBits);
    EXPECT_EQ(params->zeroPoint, row.zeroPoint)
        << "range [" << lo << ", " << hi << "] symmetric=" << row.symmetric
        << " reduce_range=" << row.reduceRange;
  }
}

TEST(QuantParams, AffineZeroPointRoundsHalfToEven) {
  // min / scale = -0.5, -1.5, -2.5 exactly: half to even gives 0, 2, 2.
  const float s = 1.0f / 64;
  QuantRange full = getObserverRange(QuantDType::QUInt8, false);
  int64_t expected[] = {0, 2, 2, 4};
  for (int k = 0; k < 4; ++k) {
    llvm::Expected<QuantParams> params =
        chooseQuantParams(-(k + 0.5f) * s, (254.5f - k) * s, QuantDType::QUInt8,
                          full, /*symmetric=*/false);
    ASSERT_TRUE(static_cast<bool>(params));
    EXPECT_EQ(params->scale, s);
    EXPECT_EQ(params->zeroPoint, expected[k]) << "k = " << k;
  }
}

TEST(QuantParams, ScaleIsAtLeastEpsilon) {
  llvm::Expected<QuantParams> params = chooseQuantParams(
      0.0f, 0.0f, QuantDType::QInt8, getObserverRange(QuantDType::QInt8, false),
      /*symmetric=*/true);
  ASSERT_TRUE(static_cast<bool>(params));
  EXPECT_EQ(params->scale, FLT_EPSILON);
  EXPECT_EQ(params->zeroPoint, 0);
}

TEST(QuantParams, CustomRangeSymmetricUsesMidpoint) {
  llvm::Expected<QuantParams> params =
      chooseQuantParams(-1.0f, 1.0f, QuantDType::QUInt8, QuantRange{0, 127},
                        /*symmetric=*/true, /*customRange=*/true);
  ASSERT_TRUE(static_cast<bool>(params));
  EXPECT_EQ(params->zeroPoint, 63);
}

TEST(QuantParams, UnobservedRangeGivesDefaults) {
  const float inf = std::numeric_limits<float>::infinity();
  llvm::Expected<QuantParams> params =
      chooseQuantParams(inf, -inf, QuantDType::QUInt8,
                        getObserverRange(QuantDType::QUInt8, true), false);
  ASSERT_TRUE(static_cast<bool>(params));
  EXPECT_EQ(params->scale, 1.0f);
  EXPECT_EQ(params->zeroPoint, 0);
}

TEST(QuantParams, InvalidRangesAreErrors) {
  QuantRange range = getObserverRange(QuantDType::QUInt8, false);
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  struct {
    float lo, hi;
    const char *message;
  } cases[] = {{2.0f, 1.0f, "greater than observed max"},
               {nan, 1.0f, "NaN"},
               {-inf, 1.0f, "not finite"},
               {0.0f, inf, "not finite"}};
  for (const auto &c : cases) {
    llvm::Expected<QuantParams> params =
        chooseQuantParams(c.lo, c.hi, QuantDType::QUInt8, range, false);
    ASSERT_FALSE(static_cast<bool>(params));
    std::string message = llvm::toString(params.takeError());
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
  llvm::Expected<QuantParams> empty = chooseQuantParams(
      -1.0f, 1.0f, QuantDType::QUInt8, QuantRange{5, 5}, false);
  ASSERT_FALSE(static_cast<bool>(empty));
  llvm::consumeError(empty.takeError());
}

TEST(QuantParams, QuantizeMatchesPyTorchBitForBit) {
  ASSERT_GT(std::size(quantizeGolden), 300u);
  for (const QuantizeRow &row : quantizeGolden) {
    float x = fromBits(row.xBits), scale = fromBits(row.scaleBits);
    EXPECT_EQ(
        quantizeValue(x, scale, row.zeroPoint, getStorageRange(row.dtype)),
        row.q)
        << "x = " << x << " scale = " << scale
        << " zero point = " << row.zeroPoint;
  }
}

TEST(QuantParams, QuantizeMultipliesByReciprocal) {
  // Inputs where x / scale and x * (1.0f / scale) round to different
  // integers; PyTorch (checked on 1.13) gives the reciprocal's answer.
  // FBGEMM's own example: division gives 127.499992, the reciprocal 127.5.
  EXPECT_EQ(quantizeValue(0.273939937f, 0.00214854861f, 0,
                          getStorageRange(QuantDType::QUInt8)),
            128);
  EXPECT_EQ(quantizeValue(14.9998646f, 0.508469999f, 0,
                          getStorageRange(QuantDType::QInt8)),
            29);
  EXPECT_EQ(quantizeValue(-6.4040246f, 0.853869975f, 0,
                          getStorageRange(QuantDType::QInt8)),
            -8);
  // A tie: 2.5 rounds to 2, then the zero point is added.
  EXPECT_EQ(quantizeValue(2.5f, 1.0f, 1, getStorageRange(QuantDType::QUInt8)),
            3);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0f, 0, getStorageRange(QuantDType::QInt8)),
            -2);
}

TEST(QuantParams, QuantizeSaturatesHugeValues) {
  // FBGEMM clamps the rounded value in double, so anything beyond the storage
  // range saturates, however large. (PyTorch builds without FBGEMM cast such
  // values to int64 with undefined behaviour; qopt follows FBGEMM.)
  QuantRange u8 = getStorageRange(QuantDType::QUInt8);
  QuantRange i8 = getStorageRange(QuantDType::QInt8);
  EXPECT_EQ(quantizeValue(1e30f, 0.1f, 128, u8), 255);
  EXPECT_EQ(quantizeValue(-1e30f, 0.1f, 128, u8), 0);
  EXPECT_EQ(quantizeValue(3e38f, 1e-6f, 0, i8), 127);
  EXPECT_EQ(quantizeValue(-3e38f, 1e-6f, 0, i8), -128);
  EXPECT_EQ(quantizeValue(std::numeric_limits<float>::infinity(), 1.0f, 3, u8),
            255);
}

TEST(QuantParams, Dequantize) {
  EXPECT_EQ(dequantizeValue(130, 0.5f, 128), 1.0f);
  EXPECT_EQ(dequantizeValue(-128, 0.25f, 0), -32.0f);
}

TEST(QuantParams, ValidScales) {
  EXPECT_TRUE(isValidScale(0.1));
  EXPECT_TRUE(isValidScale(FLT_MIN));
  EXPECT_TRUE(isValidScale(1e30));
  EXPECT_FALSE(isValidScale(0.0));
  EXPECT_FALSE(isValidScale(-0.5));
  EXPECT_FALSE(isValidScale(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(isValidScale(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(isValidScale(1e-40)); // a float32 denormal
  EXPECT_FALSE(isValidScale(1e-50)); // zero in float32
  EXPECT_FALSE(isValidScale(1e39));  // infinite in float32
}

} // namespace

TEST(QuantParams, QuantizeMultiplierIsGemmlowpFixedPoint) {
  // 0.75 = 0.75 * 2^0: mantissa 0.75 * 2^31, no shift.
  FixedPointMultiplier m = quantizeMultiplier(0.75);
  EXPECT_EQ(m.multiplier, 1610612736);
  EXPECT_EQ(m.leftShift, 0);
  EXPECT_EQ(m.rightShift, 0);
  // 3.0 = 0.75 * 2^2: a left shift.
  m = quantizeMultiplier(3.0);
  EXPECT_EQ(m.multiplier, 1610612736);
  EXPECT_EQ(m.leftShift, 2);
  EXPECT_EQ(m.rightShift, 0);
  // 0.1 = 0.8 * 2^-3: round(0.8 * 2^31) = 1717986918.
  m = quantizeMultiplier(0.1);
  EXPECT_EQ(m.multiplier, 1717986918);
  EXPECT_EQ(m.leftShift, 0);
  EXPECT_EQ(m.rightShift, 3);
  // A mantissa that rounds up to 2^31 halves and bumps the exponent.
  m = quantizeMultiplier(std::nextafter(1.0, 0.0));
  EXPECT_EQ(m.multiplier, 1073741824);
  EXPECT_EQ(m.leftShift, 1);
  EXPECT_EQ(m.rightShift, 0);
  // 2^-32 still scales an int32 (2^31 * 2^-32 = 0.5 rounds away from 0);
  // below it every product rounds to 0.
  EXPECT_EQ(quantizeMultiplier(std::ldexp(1.0, -32)).rightShift, 31);
  EXPECT_EQ(quantizeMultiplier(std::ldexp(1.0, -34)).multiplier, 0);
  EXPECT_EQ(quantizeMultiplier(0.0).multiplier, 0);
  // Huge multipliers saturate the left shift at 31.
  EXPECT_EQ(quantizeMultiplier(1e30).leftShift, 31);
}

// Rule O: oneDNN's constants come from reciprocal scales, each step in
// float32, and need not equal rule R's (sx * sw) / sy.
TEST(QuantParams, OneDnnRequantizationUsesReciprocalScales) {
  float sx = 0.0026362359058111906f, sw = 0.008151375688612461f,
        sy = 0.4572502374649048f;
  qopt::OneDnnRequantization o = qopt::getOneDnnRequantization(sx, sw, sy);
  EXPECT_EQ(llvm::bit_cast<uint32_t>(o.biasScale), 1194706828u);
  EXPECT_EQ(llvm::bit_cast<uint32_t>(o.multiplier), 944053660u);
  qopt::FloatRequantization r = qopt::getFloatRequantization(sx, sw, sy);
  EXPECT_EQ(llvm::bit_cast<uint32_t>(r.multiplier), 944053661u);
}
