//===- QuantParams.cpp - Scale and zero-point arithmetic --------*- C++ -*-===//
//
// Every operation below mirrors one tensor operation of PyTorch's observer
// code, in the same order and in float32, so that results agree bit for bit.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/QuantParams.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

using namespace qopt;

QuantRange qopt::getStorageRange(QuantDType dtype) {
  return dtype == QuantDType::QUInt8 ? QuantRange{0, 255}
                                     : QuantRange{-128, 127};
}

QuantRange qopt::getObserverRange(QuantDType dtype, bool reduceRange) {
  QuantRange range = getStorageRange(dtype);
  if (reduceRange)
    return dtype == QuantDType::QUInt8 ? QuantRange{0, 127}
                                       : QuantRange{-64, 63};
  return range;
}

llvm::Expected<QuantParams>
qopt::chooseQuantParams(float minVal, float maxVal, QuantDType dtype,
                        QuantRange range, bool symmetric, bool customRange) {
  const float inf = std::numeric_limits<float>::infinity();
  if (minVal == inf && maxVal == -inf)
    return QuantParams{1.0f, 0};
  if (std::isnan(minVal) || std::isnan(maxVal))
    return llvm::createStringError("observed range [%g, %g] contains NaN",
                                   minVal, maxVal);
  if (std::isinf(minVal) || std::isinf(maxVal))
    return llvm::createStringError("observed range [%g, %g] is not finite",
                                   minVal, maxVal);
  if (minVal > maxVal)
    return llvm::createStringError(
        "observed min %g is greater than observed max %g", minVal, maxVal);
  if (range.max <= range.min)
    return llvm::createStringError("quantization range [%lld, %lld] is empty",
                                   static_cast<long long>(range.min),
                                   static_cast<long long>(range.max));

  const float minNeg = std::min(minVal, 0.0f);
  const float maxPos = std::max(maxVal, 0.0f);
  const float eps = FLT_EPSILON;

  if (symmetric) {
    const float absMax = std::max(-minNeg, maxPos);
    // Python computes float(qmax - qmin) / 2 in double; the tensor division
    // then runs in float32 on that value (exact for every 8-bit range).
    const float halfRange =
        static_cast<float>(static_cast<double>(range.max - range.min) / 2);
    const float scale = std::max(absMax / halfRange, eps);
    int64_t zeroPoint = 0;
    if (dtype == QuantDType::QUInt8) {
      // Python's // on the sum: floor division.
      zeroPoint = customRange
                      ? static_cast<int64_t>(std::floor(
                            static_cast<double>(range.min + range.max) / 2))
                      : 128;
    }
    return QuantParams{scale, zeroPoint};
  }

  const float scale = std::max(
      (maxPos - minNeg) / static_cast<float>(range.max - range.min), eps);
  // torch.round rounds half to even; std::nearbyint does under the default
  // rounding mode.
  const int64_t rounded = static_cast<int64_t>(std::nearbyint(minNeg / scale));
  const int64_t zeroPoint =
      std::clamp(range.min - rounded, range.min, range.max);
  return QuantParams{scale, zeroPoint};
}

int64_t qopt::quantizeValue(float x, float scale, int64_t zeroPoint,
                            QuantRange storage) {
  const float invScale = 1.0f / scale;
  // Compare in double: every int64 storage bound and every rounded float
  // below 2^53 is exact there, and huge values saturate instead of wrapping.
  const double rounded =
      static_cast<double>(std::nearbyint(x * invScale)) + zeroPoint;
  if (std::isnan(rounded))
    return zeroPoint;
  return static_cast<int64_t>(std::clamp(rounded,
                                         static_cast<double>(storage.min),
                                         static_cast<double>(storage.max)));
}

float qopt::dequantizeValue(int64_t q, float scale, int64_t zeroPoint) {
  return static_cast<float>(q - zeroPoint) * scale;
}

bool qopt::isValidScale(double scale) {
  if (!std::isfinite(scale) || scale <= 0.0)
    return false;
  const float asFloat = static_cast<float>(scale);
  return std::isfinite(asFloat) && asFloat >= FLT_MIN;
}

qopt::FixedPointMultiplier qopt::quantizeMultiplier(double realMultiplier) {
  FixedPointMultiplier fixed;
  if (!(realMultiplier > 0.0) || !std::isfinite(realMultiplier))
    return fixed;
  int exponent = 0;
  const double mantissa = std::frexp(realMultiplier, &exponent); // [0.5, 1)
  int64_t q = static_cast<int64_t>(std::round(mantissa * (int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++exponent;
  }
  // M = q * 2^(exponent - 31).
  if (exponent < -31) // |acc * M| < 2^31 * 2^-32: always rounds to 0.
    return fixed;
  fixed.multiplier = static_cast<int32_t>(q);
  if (exponent > 0)
    fixed.leftShift = std::min(exponent, 31);
  else
    fixed.rightShift = -exponent;
  return fixed;
}

qopt::FloatRequantization qopt::getFloatRequantization(float inputScale,
                                                       float weightScale,
                                                       float outputScale) {
  float actTimesWScale = inputScale * weightScale;
  return {actTimesWScale, actTimesWScale / outputScale};
}

qopt::OneDnnRequantization qopt::getOneDnnRequantization(float inputScale,
                                                         float weightScale,
                                                         float outputScale) {
  float biasScale = (1.0f / inputScale) * (1.0f / weightScale);
  return {biasScale, (1.0f / outputScale) / biasScale};
}

qopt::FixedPointMultiplier qopt::getIntegerRequantization(float inputScale,
                                                          float weightScale,
                                                          float outputScale) {
  return quantizeMultiplier(static_cast<double>(inputScale) * weightScale /
                            outputScale);
}

int32_t qopt::getIntegerBias(float bias, float inputScale, float weightScale) {
  float scaled = std::nearbyint(bias / (inputScale * weightScale));
  double clamped = std::clamp<double>(std::isnan(scaled) ? 0.0 : scaled,
                                      std::numeric_limits<int32_t>::min(),
                                      std::numeric_limits<int32_t>::max());
  return static_cast<int32_t>(clamped);
}
