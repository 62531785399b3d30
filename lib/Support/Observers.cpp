//===- Observers.cpp - PyTorch 1.13's observers, bit for bit ----*- C++ -*-===//
//
// Each step mirrors one tensor operation of torch/ao/quantization/
// observer.py (Debian's python3-torch 1.13) in the precision PyTorch uses:
// float32 for tensor arithmetic, float64 where Python floats or a double
// cumsum are involved. The comments name the PyTorch expression.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Observers.h"
#include "qopt/Support/TorchSum.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace qopt;

QuantRange ObserverConfig::range() const {
  if (customRange)
    return *customRange;
  return getObserverRange(dtype, reduceRange);
}

std::optional<std::string> ObserverConfig::validate() const {
  if (kind == ObserverKind::PerChannelMinMax) {
    if (!isPerChannel())
      return std::string("a per-channel observer needs a per-channel qscheme");
    if (chAxis < 0)
      return std::string("the channel axis must not be negative");
  } else if (isPerChannel()) {
    return std::string("a per-channel qscheme needs the per_channel_minmax "
                       "observer");
  }
  // MinMaxObserver.__init__ (and so the moving average) refuses this.
  if ((kind == ObserverKind::MinMax ||
       kind == ObserverKind::MovingAverageMinMax) &&
      qscheme == QScheme::PerTensorSymmetric && reduceRange &&
      dtype == QuantDType::QUInt8)
    return std::string("reduce_range is not supported with symmetric quint8 "
                       "quantization (PyTorch's MinMaxObserver refuses it)");
  if (kind == ObserverKind::MovingAverageMinMax &&
      !(averagingConstant > 0.0f && averagingConstant <= 1.0f))
    return std::string("the averaging constant must be in (0, 1]");
  if (kind == ObserverKind::Histogram && (bins < 1 || upsampleRate < 1))
    return std::string("bins and upsample rate must be positive");
  if (customRange) {
    QuantRange storage = getStorageRange(dtype);
    if (customRange->min > 0 || customRange->max < 0 ||
        customRange->min >= customRange->max ||
        customRange->min < storage.min || customRange->max > storage.max)
      return std::string("quant_min and quant_max must satisfy "
                         "storage min <= quant_min <= 0 <= quant_max <= "
                         "storage max with quant_min < quant_max");
  }
  return std::nullopt;
}

float qopt::torchSum(llvm::ArrayRef<float> values) {
  return torchCascadeSum(values, 0.0f, [](float a, float b) { return a + b; });
}

//===----------------------------------------------------------------------===//
// Observation
//===----------------------------------------------------------------------===//

namespace {

const float kInf = std::numeric_limits<float>::infinity();

void minMax(llvm::ArrayRef<float> data, float &lo, float &hi) {
  lo = kInf;
  hi = -kInf;
  for (float v : data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
}

/// torch.histc(x, bins, min=lo, max=hi) on the CPU (LINEAR_INTERPOLATION):
/// equal bounds fall back to the data's range, then to +-1; elements
/// outside [lo, hi] and NaN are skipped; the last bin includes its right
/// edge.
/// Whether float32 bins over [lo, hi] can be computed: (hi - lo) * bins,
/// the largest intermediate of torch.histc's bin index, is finite.
bool histogramRangeFits(float lo, float hi, int64_t bins) {
  return std::isfinite((hi - lo) * static_cast<float>(bins));
}

llvm::Error histogramRangeError(float lo, float hi) {
  return llvm::createStringError(
      "histogram observer: the observed range [%g, %g] is wider than float32 "
      "bins can measure ((max - min) * bins overflows)",
      lo, hi);
}

llvm::Expected<std::vector<float>> histc(llvm::ArrayRef<float> x, int64_t bins,
                                         double lo, double hi) {
  if (lo == hi && !x.empty()) {
    float dataLo, dataHi;
    minMax(x, dataLo, dataHi);
    lo = dataLo;
    hi = dataHi;
  }
  if (lo == hi) {
    lo -= 1;
    hi += 1;
  }
  // linspace(lo, hi, bins + 1) in float32: its ends are exactly lo and hi.
  const float left = static_cast<float>(lo), right = static_cast<float>(hi);
  if (!histogramRangeFits(left, right, bins))
    return histogramRangeError(left, right);
  // From about 2^24 on, the +-1 widening above is lost in float32 and every
  // bin index would be 0 / 0 (torch.histc has no answer there either).
  if (!(left < right))
    return llvm::createStringError(
        "histogram observer: every observed value is %g, too large in "
        "magnitude for torch.histc to widen the range to bins",
        left);
  std::vector<float> hist(bins, 0.0f);
  for (float e : x) {
    if (!(e >= left && e <= right))
      continue;
    int64_t pos = static_cast<int64_t>((e - left) * static_cast<float>(bins) /
                                       (right - left));
    if (pos == bins)
      --pos;
    hist[pos] += 1.0f;
  }
  return hist;
}

/// Python's int() of a float32 value: truncation toward zero.
double pyInt(float v) { return std::trunc(static_cast<double>(v)); }

/// The most bins the histogram observer's combination step may use (its
/// downsampling buffer); PyTorch allocates as many floats.
constexpr int64_t kMaxHistogramBuffer = int64_t(1) << 26;

llvm::Error observeHistogram(const ObserverConfig &config, ObserverState &state,
                             llvm::ArrayRef<float> x) {
  const int64_t bins = config.bins;
  // PyTorch fails on these too: torch.histc rejects a range that is not
  // finite, and int() of an infinite bound raises.
  for (float v : x)
    if (!std::isfinite(v))
      return llvm::createStringError(
          "histogram observer: observed value %g is not finite", v);
  bool uninitialized = state.min.empty();
  bool sameValues = !uninitialized && state.min[0] == state.max[0];
  if (uninitialized || sameValues) {
    float lo, hi;
    minMax(x, lo, hi);
    if (!x.empty() && !histogramRangeFits(lo, hi, bins))
      return histogramRangeError(lo, hi);
    llvm::Expected<std::vector<float>> hist =
        histc(x, bins, pyInt(lo), pyInt(hi));
    if (!hist)
      return hist.takeError();
    state.min = {lo};
    state.max = {hi};
    state.histogram = std::move(*hist);
    return llvm::Error::success();
  }
  const float minVal = state.min[0], maxVal = state.max[0];
  float newMin, newMax;
  minMax(x, newMin, newMax);
  float combinedMin = std::min(newMin, minVal);
  float combinedMax = std::max(newMax, maxVal);
  if (!histogramRangeFits(combinedMin, combinedMax, bins))
    return histogramRangeError(combinedMin, combinedMax);
  // _adjust_min_max, float32 tensor arithmetic.
  const float histBinWidth =
      (maxVal - minVal) / static_cast<float>(bins * config.upsampleRate);
  const float span = static_cast<float>(bins) * histBinWidth;
  const float ratio = (combinedMax - combinedMin) / span;
  if (!std::isfinite(ratio))
    return llvm::createStringError("histogram observer: the observed range "
                                   "[%g, %g] cannot be combined",
                                   combinedMin, combinedMax);
  if (ratio * static_cast<float>(bins) >
      static_cast<float>(kMaxHistogramBuffer))
    return llvm::createStringError(
        "histogram observer: combining the range [%g, %g] with [%g, %g] "
        "needs more than 2^26 bins (the new range is %g times the old)",
        minVal, maxVal, newMin, newMax, ratio);
  const int64_t downsampleRate = static_cast<int64_t>(std::ceil(ratio));
  const float e =
      static_cast<float>(downsampleRate) * span - (combinedMax - combinedMin);
  combinedMax = combinedMax + e;
  const int64_t startIdx = static_cast<int64_t>(
      std::nearbyint((minVal - combinedMin) / histBinWidth));
  llvm::Expected<std::vector<float>> combinedOrError =
      histc(x, bins, pyInt(combinedMin), pyInt(combinedMax));
  if (!combinedOrError)
    return combinedOrError.takeError();
  std::vector<float> &combined = *combinedOrError;
  if (combinedMin == minVal && combinedMax == maxVal) {
    for (int64_t i = 0; i < bins; ++i)
      combined[i] += state.histogram[i];
  } else {
    // _combine_histograms: the old histogram upsampled into the combined
    // range, integrated in float64 and downsampled.
    const int64_t up = config.upsampleRate;
    const int64_t length = bins * downsampleRate;
    if (startIdx < 0 || startIdx + bins * up > length)
      return llvm::createStringError(
          "histogram observer: the previous histogram does not fit the "
          "combined range (PyTorch 1.13 fails here too)");
    std::vector<float> withRange(length, 0.0f);
    for (int64_t i = 0; i < bins * up; ++i)
      withRange[startIdx + i] = state.histogram[i / up];
    std::vector<double> integral(bins);
    double running = 0.0;
    for (int64_t i = 0, b = 0; i < length; ++i) {
      running += withRange[i];
      if (i % downsampleRate == downsampleRate - 1)
        integral[b++] = running;
    }
    for (int64_t b = 0; b < bins; ++b) {
      // shifted_integral_histogram is a float32 tensor.
      double shifted =
          b == 0 ? 0.0
                 : static_cast<double>(static_cast<float>(integral[b - 1]));
      double interpolated = (integral[b] - shifted) / static_cast<double>(up);
      combined[b] = combined[b] + static_cast<float>(interpolated);
    }
  }
  state.histogram = std::move(combined);
  state.min = {combinedMin};
  state.max = {combinedMax};
  return llvm::Error::success();
}

} // namespace

llvm::Error qopt::observe(const ObserverConfig &config, ObserverState &state,
                          llvm::ArrayRef<float> data,
                          llvm::ArrayRef<int64_t> shape) {
  if (data.empty())
    return llvm::Error::success();
  switch (config.kind) {
  case ObserverKind::MinMax:
  case ObserverKind::MovingAverageMinMax: {
    float lo, hi;
    minMax(data, lo, hi);
    if (state.min.empty()) {
      state.min = {lo};
      state.max = {hi};
    } else if (config.kind == ObserverKind::MinMax) {
      state.min[0] = std::min(lo, state.min[0]);
      state.max[0] = std::max(hi, state.max[0]);
    } else {
      const float c = config.averagingConstant;
      state.min[0] = state.min[0] + c * (lo - state.min[0]);
      state.max[0] = state.max[0] + c * (hi - state.max[0]);
    }
    return llvm::Error::success();
  }
  case ObserverKind::PerChannelMinMax: {
    const int64_t rank = static_cast<int64_t>(shape.size());
    if (config.chAxis >= rank)
      return llvm::createStringError(
          "per-channel observer: channel axis %lld is out of range for a "
          "rank-%lld tensor",
          static_cast<long long>(config.chAxis), static_cast<long long>(rank));
    const int64_t channels = shape[config.chAxis];
    int64_t inner = 1;
    for (int64_t i = config.chAxis + 1; i < rank; ++i)
      inner *= shape[i];
    std::vector<float> lo(channels, kInf), hi(channels, -kInf);
    for (size_t i = 0; i < data.size(); ++i) {
      int64_t c = (static_cast<int64_t>(i) / inner) % channels;
      lo[c] = std::min(lo[c], data[i]);
      hi[c] = std::max(hi[c], data[i]);
    }
    if (state.min.empty()) {
      state.min = std::move(lo);
      state.max = std::move(hi);
      return llvm::Error::success();
    }
    if (static_cast<int64_t>(state.min.size()) != channels)
      return llvm::createStringError(
          "per-channel observer: %lld channels after %lld before",
          static_cast<long long>(channels),
          static_cast<long long>(state.min.size()));
    for (int64_t c = 0; c < channels; ++c) {
      state.min[c] = std::min(lo[c], state.min[c]);
      state.max[c] = std::max(hi[c], state.max[c]);
    }
    return llvm::Error::success();
  }
  case ObserverKind::Histogram:
    return observeHistogram(config, state, data);
  }
  llvm_unreachable("unknown observer kind");
}

//===----------------------------------------------------------------------===//
// The histogram's L2 search (_non_linear_param_search)
//===----------------------------------------------------------------------===//

namespace {

/// torch.div(a, b, rounding_mode='floor') for float32 (c10 div_floor).
float divFloor(float a, float b) {
  const float mod = std::fmod(a, b);
  float div = (a - mod) / b;
  if (mod != 0.0f && (b < 0.0f) != (mod < 0.0f))
    div -= 1.0f;
  if (div == 0.0f)
    return std::copysign(0.0f, a / b);
  float floorDiv = std::floor(div);
  if (div - floorDiv > 0.5f)
    floorDiv += 1.0f;
  return floorDiv;
}

/// HistogramObserver._get_norm: density * (end^3 - begin^3) / 3.
float norm(float begin, float end, float density) {
  return density * ((end * end * end - begin * begin * begin) / 3.0f);
}

/// _compute_quantization_error(next_start_bin, next_end_bin).
double quantizationError(const std::vector<float> &hist, float minVal,
                         float maxVal, int64_t dstBins, int64_t startBin,
                         int64_t endBin) {
  const int64_t bins = static_cast<int64_t>(hist.size());
  // Python floats (double) from .item() values.
  const double binWidth =
      (static_cast<double>(maxVal) - static_cast<double>(minVal)) / bins;
  const double dstBinWidth =
      binWidth * static_cast<double>(endBin - startBin + 1) / dstBins;
  if (dstBinWidth == 0.0)
    return 0.0;
  // Tensor arithmetic with Python scalars runs in float32.
  const float binWidthF = static_cast<float>(binWidth);
  const float dstWidthF = static_cast<float>(dstBinWidth);
  const float halfDst = static_cast<float>(dstBinWidth / 2);
  const float negHalfDst = static_cast<float>(-dstBinWidth / 2);
  const float maxDstBin = static_cast<float>(dstBins - 1);
  std::vector<float> terms(bins);
  for (int64_t i = 0; i < bins; ++i) {
    const float srcBegin = static_cast<float>(i - startBin) * binWidthF;
    const float srcEnd = srcBegin + binWidthF;
    const float dstOfBegin =
        std::clamp(divFloor(srcBegin, dstWidthF), 0.0f, maxDstBin);
    const float dstOfBeginCenter = (dstOfBegin + 0.5f) * dstWidthF;
    const float dstOfEnd =
        std::clamp(divFloor(srcEnd, dstWidthF), 0.0f, maxDstBin);
    const float density = hist[i] / binWidthF;
    float total = 0.0f;
    total += norm(srcBegin - dstOfBeginCenter, halfDst, density);
    total +=
        (dstOfEnd - dstOfBegin - 1.0f) * norm(negHalfDst, halfDst, density);
    const float dstOfEndCenter = dstOfEnd * dstWidthF + halfDst;
    total += norm(negHalfDst, srcEnd - dstOfEndCenter, density);
    terms[i] = total;
  }
  return static_cast<double>(torchSum(terms));
}

std::pair<float, float> nonLinearParamSearch(const ObserverConfig &config,
                                             const ObserverState &state) {
  const std::vector<float> &hist = state.histogram;
  const int64_t bins = static_cast<int64_t>(hist.size());
  const int64_t dstBins = int64_t{1} << 8;
  const float minVal = state.min[0], maxVal = state.max[0];
  const float binWidth = (maxVal - minVal) / static_cast<float>(bins);
  const double total = static_cast<double>(torchSum(hist));
  // torch.cumsum of float32 accumulates in double.
  std::vector<float> cSum(bins);
  double running = 0.0;
  for (int64_t i = 0; i < bins; ++i) {
    running += hist[i];
    cSum[i] = static_cast<float>(running);
  }
  const double stepsize = 1e-5;
  double alpha = 0.0, beta = 1.0;
  int64_t startBin = 0, endBin = bins - 1;
  double normMin = std::numeric_limits<double>::infinity();
  while (alpha < beta) {
    const double nextAlpha = alpha + stepsize;
    const double nextBeta = beta - stepsize;
    // Comparing a float32 tensor element with a Python float: the scalar
    // is rounded to float32.
    const float alphaBound = static_cast<float>(nextAlpha * total);
    const float betaBound = static_cast<float>(nextBeta * total);
    int64_t l = startBin, r = endBin;
    while (l < endBin && cSum[l] < alphaBound)
      ++l;
    while (r > startBin && cSum[r] > betaBound)
      --r;
    int64_t nextStart = startBin, nextEnd = endBin;
    if ((l - startBin) > (endBin - r)) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart == startBin && nextEnd == endBin)
      continue;
    const double error =
        quantizationError(hist, minVal, maxVal, dstBins, nextStart, nextEnd);
    if (error > normMin)
      break;
    normMin = error;
    startBin = nextStart;
    endBin = nextEnd;
  }
  return {minVal + binWidth * static_cast<float>(startBin),
          minVal + binWidth * static_cast<float>(endBin + 1)};
}

} // namespace

ChosenRange qopt::chooseRange(const ObserverConfig &config,
                              const ObserverState &state) {
  if (state.min.empty())
    return {{kInf}, {-kInf}};
  if (config.kind != ObserverKind::Histogram)
    return {state.min, state.max};
  // HistogramObserver.calculate_qparams: a histogram of one value (or none)
  // keeps its range.
  if (state.min[0] == state.max[0] || state.histogram.empty())
    return {state.min, state.max};
  auto [lo, hi] = nonLinearParamSearch(config, state);
  return {{lo}, {hi}};
}

/// A float as diagnostics print it ("2.000000e+00").
static std::string printed(float value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

std::optional<std::string> qopt::checkState(const ObserverConfig &config,
                                            const ObserverState &state) {
  if (state.min.size() != state.max.size())
    return "min and max must have the same number of elements, got " +
           std::to_string(state.min.size()) + " and " +
           std::to_string(state.max.size());
  for (auto [lo, hi] : llvm::zip(state.min, state.max))
    if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi))
      return "observed range [" + printed(lo) + ", " + printed(hi) +
             "] is not a finite range with min <= max";
  if (config.kind != ObserverKind::Histogram) {
    if (!state.histogram.empty())
      return std::string("only the histogram observer records a histogram");
    return std::nullopt;
  }
  if (state.min.empty()) {
    if (!state.histogram.empty())
      return std::string("a histogram needs min and max");
    return std::nullopt;
  }
  if (state.min.size() != 1)
    return std::string("the histogram observer is per tensor");
  if (!histogramRangeFits(state.min[0], state.max[0], config.bins))
    return "the histogram's range [" + printed(state.min[0]) + ", " +
           printed(state.max[0]) +
           "] is wider than float32 bins can measure ((max - min) * bins "
           "overflows)";
  if (static_cast<int64_t>(state.histogram.size()) != config.bins)
    return "the histogram has " + std::to_string(state.histogram.size()) +
           " bins, expected " + std::to_string(config.bins);
  // Counts are float32 and, after PyTorch's interpolation when the range
  // grows, may be a rounding error below zero.
  for (float count : state.histogram)
    if (!std::isfinite(count))
      return std::string("histogram counts must be finite");
  return std::nullopt;
}

llvm::Expected<std::vector<QuantParams>>
qopt::computeQParams(const ObserverConfig &config, const ObserverState &state) {
  if (std::optional<std::string> problem = config.validate())
    return llvm::createStringError(*problem);
  if (std::optional<std::string> problem = checkState(config, state))
    return llvm::createStringError(*problem);
  ChosenRange range = chooseRange(config, state);
  std::vector<QuantParams> result;
  for (size_t i = 0; i < range.min.size(); ++i) {
    llvm::Expected<QuantParams> params = chooseQuantParams(
        range.min[i], range.max[i], config.dtype, config.range(),
        config.isSymmetric(), config.customRange.has_value());
    if (!params)
      return params.takeError();
    result.push_back(*params);
  }
  return result;
}
