//===- QuantParams.h - Scale and zero-point arithmetic ----------*- C++ -*-===//
//
// The scalar arithmetic of the numeric contract (docs/Numerics.md): storage
// ranges, choosing a scale and zero point from an observed range exactly as
// PyTorch 1.13's observers do, and quantizing / dequantizing one value as
// FBGEMM does. Everything is float32 where PyTorch computes in float32.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_QUANTPARAMS_H
#define QOPT_SUPPORT_QUANTPARAMS_H

#include "llvm/Support/Error.h"

#include <cstdint>

namespace qopt {

/// PyTorch's 8-bit quantized dtypes.
enum class QuantDType { QUInt8, QInt8 };

/// An inclusive integer range [min, max].
struct QuantRange {
  int64_t min;
  int64_t max;
  bool operator==(const QuantRange &other) const {
    return min == other.min && max == other.max;
  }
};

/// The range an observer quantizes into when no custom range is set
/// (torch.ao.quantization.utils.calculate_qmin_qmax): quint8 0..255, qint8
/// -128..127; with `reduceRange` one bit less, 0..127 and -64..63.
/// `reduceRange` changes only the chosen scale and zero point: quantized
/// values are still clamped to the full storage range.
QuantRange getObserverRange(QuantDType dtype, bool reduceRange);

/// The full storage range of `dtype`.
QuantRange getStorageRange(QuantDType dtype);

/// A scale and zero point. The scale is a float32 value, as PyTorch's
/// observers produce it.
struct QuantParams {
  float scale;
  int64_t zeroPoint;
};

/// Scale and zero point for an observed [minVal, maxVal], reproducing
/// torch.ao.quantization.observer._ObserverBase._calculate_qparams bit for
/// bit:
///   - the range is widened to contain 0;
///   - symmetric: scale = max(-min, max) / ((qmax - qmin) / 2), zero point 0
///     for qint8, 128 for quint8 (the rounded-down midpoint of the range when
///     `customRange` is set);
///   - affine: scale = (max - min) / (qmax - qmin), zero point
///     clamp(qmin - round_half_even(min / scale), qmin, qmax);
///   - the scale is at least float32 epsilon.
/// An observer that saw nothing (min = +inf, max = -inf) gives scale 1.0 and
/// zero point 0. Any other min > max, a NaN or an infinite bound is an error.
llvm::Expected<QuantParams> chooseQuantParams(float minVal, float maxVal,
                                              QuantDType dtype,
                                              QuantRange range, bool symmetric,
                                              bool customRange = false);

/// Rule Q: clamp(nearbyint(x * (1.0f / scale)) + zeroPoint, min, max), with
/// round half to even and the zero point added after rounding (FBGEMM's
/// Quantize with LEGACY=false, as PyTorch calls it).
int64_t quantizeValue(float x, float scale, int64_t zeroPoint,
                      QuantRange storage);

/// Rule D: float(q - zeroPoint) * scale in float32.
float dequantizeValue(int64_t q, float scale, int64_t zeroPoint);

/// A real multiplier M > 0 as int32 fixed point for rule I:
/// M = multiplier * 2^(leftShift - rightShift - 31), multiplier in
/// [2^30, 2^31). Multipliers below 2^-32 (every int32 product rounds to 0)
/// are multiplier 0; multipliers of 2^31 or more saturate at leftShift 31.
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t leftShift = 0;
  int32_t rightShift = 0;
};

/// gemmlowp/TFLite's QuantizeMultiplier: frexp, then round the mantissa to
/// 31 bits (a mantissa that rounds up to 2^31 halves and bumps the
/// exponent).
FixedPointMultiplier quantizeMultiplier(double realMultiplier);

/// Rule R's per-channel constants, float32 as FBGEMM computes them:
/// act_times_w_scale = sx * sw and multiplier = act_times_w_scale / sy.
struct FloatRequantization {
  float actTimesWScale;
  float multiplier;
};
FloatRequantization getFloatRequantization(float inputScale, float weightScale,
                                           float outputScale);

/// Rule O's per-channel constants, float32 as PyTorch's onednn engine
/// computes them from reciprocal scales: bias_scale = (1 / sx) * (1 / sw)
/// and multiplier = (1 / sy) / bias_scale.
struct OneDnnRequantization {
  float biasScale;
  float multiplier;
};
OneDnnRequantization
getOneDnnRequantization(float inputScale, float weightScale, float outputScale);

/// Rule I's fixed-point multiplier for M = sx * sw / sy, computed in double
/// from the float32 scales.
FixedPointMultiplier getIntegerRequantization(float inputScale,
                                              float weightScale,
                                              float outputScale);

/// A float bias in units of sx * sw for rule I: roundeven(bias / (sx * sw))
/// in float32, saturated to int32 (NaN to 0).
int32_t getIntegerBias(float bias, float inputScale, float weightScale);

/// True if `scale` is a usable float32 quantization scale: finite, positive
/// and a normal float32 number once rounded to float32. The contract computes
/// 1.0f / scale and products with it in float32, which a denormal or
/// out-of-range scale would turn into infinities.
bool isValidScale(double scale);

} // namespace qopt

#endif // QOPT_SUPPORT_QUANTPARAMS_H
