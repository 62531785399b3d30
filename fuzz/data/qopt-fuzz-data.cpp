//===- qopt-fuzz-data.cpp - libFuzzer target for data files ----*- C++ -*-===//
//
// The input is three bytes of settings followed by a data file. The file is
// written to a temporary directory (the readers take paths) and read the
// way qrun reads it: as a .npy array (qopt::readNpy), or as calibration
// data (qopt::openCalibrationData) from a .npy file, an IDX image file (raw
// or gzip) or a directory of .npy files, every batch drawn. The floats read
// are fed to an observer (qopt/Support/Observers.h), whose qparams are then
// computed and used. No JIT: the target stays fast.
//
//   byte 0  what: 0 readNpy, 1 .npy calibration, 2 IDX calibration,
//           3 a directory of two .npy files: bytes 3-4 are the first
//           one's size (little endian), the rest of the input follows
//   byte 1  bits 0-1: model input (?x1x4x4, 2x1x4x4, ?x16, ?x3 f32),
//           bits 2-4: batch size - 1, bits 5-7: sample limit (0: all)
//   byte 2  observer: bits 0-1 kind, 2 dtype, 3 symmetric, 4 reduce_range,
//           5-6 channel axis, 7 histogram of 2048 bins (else 16)
//
// docs/Robustness.md says how to run it.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/Calibration.h"
#include "qopt/Support/Npy.h"
#include "qopt/Support/Observers.h"
#include "qopt/Support/QuantParams.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace qopt;

namespace {

/// The temporary directory of this process, made once ($TMPDIR; a process
/// that crashes or is stopped leaves it behind, and scripts/fuzz.sh
/// removes its TMPDIR).
llvm::SmallString<128> workDir;

std::string pathIn(llvm::StringRef name) {
  llvm::SmallString<128> path(workDir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

void writeFile(const std::string &path, const uint8_t *data, size_t size) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort(); // the machine's fault, not a finding
  }
}

/// Aborts with `message`: the library broke one of its own promises.
[[noreturn]] void broken(const char *message) {
  llvm::errs() << "qopt-fuzz-data: " << message << "\n";
  std::abort();
}

ObserverConfig makeConfig(uint8_t bits) {
  ObserverConfig config;
  config.kind = static_cast<ObserverKind>(bits & 3);
  config.dtype = (bits & 4) ? QuantDType::QInt8 : QuantDType::QUInt8;
  bool symmetric = bits & 8;
  if (config.kind == ObserverKind::PerChannelMinMax)
    config.qscheme =
        symmetric ? QScheme::PerChannelSymmetric : QScheme::PerChannelAffine;
  else
    config.qscheme =
        symmetric ? QScheme::PerTensorSymmetric : QScheme::PerTensorAffine;
  config.reduceRange = bits & 16;
  config.chAxis = (bits >> 5) & 3;
  if (!(bits & 128)) {
    config.bins = 16;
    config.upsampleRate = 4;
  }
  return config;
}

/// Feeds `values` of `shape` to the observer (when the configuration is
/// one PyTorch accepts), then quantizes a few values with the result.
void feedObserver(const ObserverConfig &config, ObserverState &state,
                  llvm::ArrayRef<float> values, llvm::ArrayRef<int64_t> shape) {
  if (config.validate())
    return;
  if (llvm::Error err = qopt::observe(config, state, values, shape)) {
    llvm::consumeError(std::move(err));
    return;
  }
  llvm::Expected<std::vector<QuantParams>> params =
      computeQParams(config, state);
  if (!params) {
    llvm::consumeError(params.takeError());
    return;
  }
  if (params->empty())
    broken("computeQParams succeeded without qparams");
  QuantRange storage = getStorageRange(config.dtype);
  const QuantParams &first = params->front();
  for (float v : values.take_front(64)) {
    int64_t q = quantizeValue(v, first.scale, first.zeroPoint, storage);
    if (q < storage.min || q > storage.max)
      broken("quantizeValue left the storage range");
    (void)dequantizeValue(q, first.scale, first.zeroPoint);
  }
}

/// The elements of `array` as floats.
std::vector<float> toFloats(const NpyArray &array) {
  int64_t size = getNpyElementSize(array.dtype);
  size_t count = array.data.size() / size;
  std::vector<float> values(count);
  const char *p = array.data.data();
  for (size_t i = 0; i < count; ++i, p += size) {
    switch (array.dtype) {
#define QOPT_CASE(DTYPE, CTYPE)                                                \
  case NpyDType::DTYPE: {                                                      \
    CTYPE v;                                                                   \
    std::memcpy(&v, p, sizeof(v));                                             \
    values[i] = static_cast<float>(v);                                         \
    break;                                                                     \
  }
      QOPT_CASE(F32, float)
      QOPT_CASE(F64, double)
      QOPT_CASE(I8, int8_t)
      QOPT_CASE(U8, uint8_t)
      QOPT_CASE(I32, int32_t)
      QOPT_CASE(I64, int64_t)
#undef QOPT_CASE
    }
  }
  return values;
}

void readArray(const std::string &path, const ObserverConfig &config) {
  llvm::Expected<NpyArray> array = readNpy(path);
  if (!array) {
    llvm::consumeError(array.takeError());
    return;
  }
  int64_t bytes = array->getNumElements() * getNpyElementSize(array->dtype);
  if (bytes != static_cast<int64_t>(array->data.size()))
    broken("readNpy returned data of another size than its shape's");
  ObserverState state;
  feedObserver(config, state, toFloats(*array), array->shape);
}

void calibrate(const std::string &path, uint8_t settings,
               const ObserverConfig &config) {
  const int64_t dyn = mlir::ShapedType::kDynamic;
  const TensorSpec specs[] = {
      {NpyDType::F32, {dyn, 1, 4, 4}},
      {NpyDType::F32, {2, 1, 4, 4}},
      {NpyDType::F32, {dyn, 16}},
      {NpyDType::F32, {dyn, 3}},
  };
  const TensorSpec &spec = specs[settings & 3];
  int64_t batchSize = ((settings >> 2) & 7) + 1;
  int64_t limit = (settings >> 5) & 7;
  llvm::Expected<std::unique_ptr<BatchSource>> source =
      openCalibrationData(path, spec, batchSize, limit);
  if (!source) {
    llvm::consumeError(source.takeError());
    return;
  }
  int64_t announced = (*source)->getNumBatches(), drawn = 0;
  ObserverState state;
  while (true) {
    llvm::Expected<std::optional<NpyArray>> batch = (*source)->next();
    if (!batch) {
      llvm::consumeError(batch.takeError());
      return;
    }
    if (!*batch)
      break;
    const NpyArray &b = **batch;
    if (b.dtype != NpyDType::F32 || b.shape.size() != spec.shape.size() ||
        b.getNumElements() * 4 != static_cast<int64_t>(b.data.size()))
      broken("a batch does not have the model input's type");
    if (++drawn > announced)
      broken("more batches than getNumBatches announced");
    feedObserver(
        config, state,
        llvm::ArrayRef<float>(reinterpret_cast<const float *>(b.data.data()),
                              b.data.size() / 4),
        b.shape);
  }
  if (drawn != announced)
    broken("fewer batches than getNumBatches announced");
}

} // namespace

/// Debian's libLLVM.so and libMLIR.so are not instrumented: an LLVM
/// allocator inlined here poisons memory that their copy then hands out
/// without unpoisoning (docs/Robustness.md). Built in, so that a crash
/// reproduces without environment variables.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("qopt-fuzz-data", workDir)) {
    llvm::errs() << "qopt-fuzz-data: no temporary directory: " << ec.message()
                 << "\n";
    std::abort();
  }
  llvm::sys::fs::create_directory(pathIn("batches"));
  std::atexit([] {
    for (const char *name : {"input.npy", "train-images-idx3-ubyte",
                             "batches/a.npy", "batches/b.npy", "batches", ""})
      llvm::sys::fs::remove(pathIn(name));
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  uint8_t what = data[0] & 3, settings = data[1];
  ObserverConfig config = makeConfig(data[2]);
  data += 3;
  size -= 3;
  switch (what) {
  case 0: {
    std::string path = pathIn("input.npy");
    writeFile(path, data, size);
    readArray(path, config);
    break;
  }
  case 1: {
    std::string path = pathIn("input.npy");
    writeFile(path, data, size);
    calibrate(path, settings, config);
    break;
  }
  case 2: {
    // The name says IDX (as Fashion-MNIST's do); gzip is told by its magic.
    std::string path = pathIn("train-images-idx3-ubyte");
    writeFile(path, data, size);
    calibrate(path, settings, config);
    break;
  }
  case 3: {
    if (size < 2)
      return 0;
    size_t first = std::min<size_t>(data[0] | (data[1] << 8), size - 2);
    writeFile(pathIn("batches/a.npy"), data + 2, first);
    writeFile(pathIn("batches/b.npy"), data + 2 + first, size - 2 - first);
    calibrate(pathIn("batches"), settings, config);
    break;
  }
  }
  return 0;
}
