//===- Calibration.h - Running observers over calibration data --*- C++ -*-===//
//
// Calibration runs a float model natively over sample data and records, in
// each qnn.observe of the model, the statistics its PyTorch observer would
// have collected (lib/Support/Observers.h).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_CALIBRATION_H
#define QOPT_RUNNER_CALIBRATION_H

#include "qopt/Runner/JitRunner.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace qopt {

/// Calibration samples in batches shaped for one model input.
class BatchSource {
public:
  virtual ~BatchSource();
  /// The next batch, nullopt at the end.
  virtual llvm::Expected<std::optional<NpyArray>> next() = 0;
  /// The number of batches this source will produce.
  virtual int64_t getNumBatches() const = 0;
  /// The number of samples in those batches.
  virtual int64_t getNumSamples() const = 0;
};

/// Opens calibration data for an input of type `input`:
///   - a .npy file of float32 samples (dimension 0 counts samples);
///   - a directory: its .npy files in name order, one after the other;
///   - an IDX image file (raw or .gz), such as Fashion-MNIST's
///     train-images-idx3-ubyte.gz: u8 pixels become float32 pixel / 255.
/// Each sample must have as many elements as one item of the input (its
/// type without dimension 0) and is reshaped to it. Batches hold
/// `batchSize` samples (the input's static dimension 0 when it has one);
/// `limit` > 0 stops after that many samples.
llvm::Expected<std::unique_ptr<BatchSource>>
openCalibrationData(llvm::StringRef path, const TensorSpec &input,
                    int64_t batchSize, int64_t limit);

/// Progress callback: batches done, batches in total.
using CalibrationProgress = std::function<void(int64_t, int64_t)>;

/// Runs `function` of `module` over calibration data, `dataPaths` holding
/// one path per function input in order (see openCalibrationData; each
/// input's data must hold as many samples as the first's), and records the
/// statistics of every qnn.observe on a non-constant value in the function.
/// Observers on constants are left for qnn-propagate-scales. `module` is
/// changed only if calibration succeeds. `kernels` is the kernel variant the
/// model runs on (JitFunction::compile); every variant gives the same bits.
llvm::Error calibrate(mlir::ModuleOp module, llvm::StringRef function,
                      llvm::ArrayRef<std::string> dataPaths, int64_t batchSize,
                      int64_t limit, const CalibrationProgress &progress,
                      llvm::StringRef kernels = "auto");

/// What `qrun --calibrate` does, step by step.
struct CalibrationOptions {
  /// The function to calibrate; empty: the module's only function.
  std::string function;
  /// When set, a PyTorch qconfig (x86, fbgemm, default, qnnpack, onednn):
  /// BatchNorm is folded, activations fused and this qconfig's observers
  /// inserted first. Empty: the model carries its observers already.
  std::string qconfig;
  /// With `qconfig`: the workflow whose observer placement and updates to
  /// reproduce, "eager" or "fx".
  std::string workflow = "eager";
  /// Samples per batch when the input's batch dimension is dynamic.
  int64_t batchSize = 32;
  /// Calibrate on at most this many samples (0: all).
  int64_t limit = 0;
  /// Then compute the scales and quantize (qnn-propagate-scales,
  /// qnn-quantize), with `explain` reporting each scale's origin.
  bool quantize = false;
  bool explain = false;
  /// The kernel variant the float model runs on while calibrating.
  std::string kernels = "auto";
};

/// Prepares (optionally), calibrates and quantizes (optionally) `module` on
/// the data at `dataPaths`, one per model input (see calibrate). A failing
/// pass has reported its diagnostics to the context's handler.
llvm::Error calibrateModel(mlir::ModuleOp module,
                           llvm::ArrayRef<std::string> dataPaths,
                           const CalibrationOptions &options,
                           const CalibrationProgress &progress = {});

} // namespace qopt

#endif // QOPT_RUNNER_CALIBRATION_H
