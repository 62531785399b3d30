//===- Observers.h - PyTorch 1.13's observers, bit for bit ------*- C++ -*-===//
//
// The statistics PyTorch's observers collect during calibration and the
// scale / zero point they derive from them, reproducing
// torch/ao/quantization/observer.py of Debian's python3-torch 1.13 operation
// for operation in float32 (and float64 where PyTorch uses it), so that a
// model calibrated by qopt gets the qparams PyTorch would choose.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_OBSERVERS_H
#define QOPT_SUPPORT_OBSERVERS_H

#include "qopt/Support/QuantParams.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qopt {

enum class ObserverKind {
  MinMax,
  MovingAverageMinMax,
  PerChannelMinMax,
  Histogram
};

enum class QScheme {
  PerTensorAffine,
  PerTensorSymmetric,
  PerChannelAffine,
  PerChannelSymmetric
};

/// An observer's settings (the keyword arguments of PyTorch's constructors).
struct ObserverConfig {
  ObserverKind kind = ObserverKind::MinMax;
  QuantDType dtype = QuantDType::QUInt8;
  QScheme qscheme = QScheme::PerTensorAffine;
  bool reduceRange = false;
  /// quant_min / quant_max when set (PyTorch's custom range).
  std::optional<QuantRange> customRange;
  /// The channel axis of per-channel observers.
  int64_t chAxis = 0;
  /// MovingAverageMinMax's averaging constant.
  float averagingConstant = 0.01f;
  /// HistogramObserver's bins and upsample rate.
  int64_t bins = 2048;
  int64_t upsampleRate = 128;

  bool isPerChannel() const {
    return qscheme == QScheme::PerChannelAffine ||
           qscheme == QScheme::PerChannelSymmetric;
  }
  bool isSymmetric() const {
    return qscheme == QScheme::PerTensorSymmetric ||
           qscheme == QScheme::PerChannelSymmetric;
  }
  /// The range quantized into: the custom range or the dtype's
  /// (reduce_range halves it).
  QuantRange range() const;
  /// Why this combination is not one PyTorch accepts, if it is not.
  std::optional<std::string> validate() const;
};

/// What an observer has collected. Empty min/max: nothing observed yet
/// (PyTorch's +inf / -inf). One element per tensor, one per channel.
struct ObserverState {
  std::vector<float> min, max;
  /// Histogram only: `bins` counts over [min, max].
  std::vector<float> histogram;
};

/// Why `state` is not one an observer of `config` can hold (ranges that are
/// not finite or have min > max; a histogram whose range is wider than
/// float32 can measure, with the wrong number of bins or counts that are not
/// finite), if it is not.
std::optional<std::string> checkState(const ObserverConfig &config,
                                      const ObserverState &state);

/// Feeds one batch `data` of shape `shape` (row-major) to the observer.
llvm::Error observe(const ObserverConfig &config, ObserverState &state,
                    llvm::ArrayRef<float> data, llvm::ArrayRef<int64_t> shape);

/// The range an observer hands to the qparams formula: its min/max, or for
/// the histogram observer the range its L2 search picks
/// (_non_linear_param_search).
struct ChosenRange {
  std::vector<float> min, max;
};
ChosenRange chooseRange(const ObserverConfig &config,
                        const ObserverState &state);

/// Scale and zero point per tensor (one entry) or per channel
/// (_calculate_qparams on the chosen range). An observer that saw nothing
/// gives scale 1 and zero point 0, as PyTorch's does.
llvm::Expected<std::vector<QuantParams>>
computeQParams(const ObserverConfig &config, const ObserverState &state);

/// torch.sum of a contiguous float32 vector on the CPU (ATen's cascade sum
/// with 8-lane vectors and 4-way ILP), bit for bit.
float torchSum(llvm::ArrayRef<float> values);

} // namespace qopt

#endif // QOPT_SUPPORT_OBSERVERS_H
