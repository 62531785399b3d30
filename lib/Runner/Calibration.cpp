//===- Calibration.cpp - Running observers over calibration data -*- C++ -*-=//

#include "qopt/Runner/Calibration.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"
#include "qopt/Support/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace llvm;

qopt::BatchSource::~BatchSource() = default;

namespace {

Error failure(const Twine &path, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), path + ": " + message);
}

/// The whole content of `path`, gunzipped when it starts with gzip's magic.
Expected<std::vector<unsigned char>> readMaybeGzip(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return failure(path, "cannot read: " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b)
    return std::vector<unsigned char>(bytes.begin(), bytes.end());
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    return failure(path, "cannot start gzip decompression");
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::vector<unsigned char> out;
  unsigned char chunk[1 << 16];
  int status;
  do {
    stream.next_out = chunk;
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      return failure(path, "corrupt gzip data");
    }
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - stream.avail_out));
    // An IDX file holds at most 2^32 values (Support/Shapes.h) after a
    // header of at most 1,024 bytes.
    if (out.size() > static_cast<size_t>(qopt::kMaxElements) + 1024) {
      inflateEnd(&stream);
      return failure(path, "decompresses to more than 2^32 bytes, more "
                           "than an IDX file qopt reads can hold");
    }
  } while (status != Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

/// Samples as float32 rows of `itemSize` elements, from one or more files.
class SampleSource : public qopt::BatchSource {
public:
  /// `first` holds the first file's samples when the caller has read them
  /// already (a single file is read once, not once to count and once to
  /// use); empty otherwise.
  SampleSource(std::vector<std::string> files, bool idx,
               const qopt::TensorSpec &input, int64_t itemSize,
               int64_t batchSize, int64_t total, std::vector<float> first)
      : files(std::move(files)), idx(idx), input(input), itemSize(itemSize),
        batchSize(batchSize), total(total), current(std::move(first)) {
    if (!current.empty()) {
      rowsInFile = static_cast<int64_t>(current.size()) / itemSize;
      fileIndex = 1;
    }
  }

  int64_t getNumBatches() const override {
    return (total + batchSize - 1) / batchSize;
  }
  int64_t getNumSamples() const override { return total; }

  Expected<std::optional<qopt::NpyArray>> next() override {
    if (produced >= total)
      return std::optional<qopt::NpyArray>();
    int64_t count = std::min(batchSize, total - produced);
    qopt::NpyArray batch;
    batch.dtype = qopt::NpyDType::F32;
    batch.shape.assign(input.shape.begin(), input.shape.end());
    batch.shape[0] = count;
    batch.data.resize(count * itemSize * sizeof(float));
    float *out = reinterpret_cast<float *>(batch.data.data());
    for (int64_t i = 0; i < count; ++i) {
      while (rowInFile >= rowsInFile) {
        if (Error err = loadNextFile())
          return std::move(err);
      }
      std::memcpy(out + i * itemSize, current.data() + rowInFile * itemSize,
                  itemSize * sizeof(float));
      ++rowInFile;
    }
    produced += count;
    return std::optional<qopt::NpyArray>(std::move(batch));
  }

  /// Counts the samples of a file (and checks their shape); with `keep`,
  /// also returns them there.
  static Expected<int64_t> countSamples(StringRef path, bool idx,
                                        int64_t itemSize,
                                        std::vector<float> *keep) {
    std::vector<float> unused;
    return load(path, idx, itemSize, keep ? *keep : unused,
                /*countOnly=*/keep == nullptr);
  }

private:
  Error loadNextFile() {
    if (fileIndex >= files.size())
      return createStringError("calibration data ended early");
    Expected<int64_t> rows =
        load(files[fileIndex], idx, itemSize, current, /*countOnly=*/false);
    if (!rows)
      return rows.takeError();
    ++fileIndex;
    rowsInFile = *rows;
    rowInFile = 0;
    return Error::success();
  }

  static Expected<int64_t> load(StringRef path, bool idx, int64_t itemSize,
                                std::vector<float> &values, bool countOnly) {
    if (idx) {
      Expected<std::vector<unsigned char>> bytes = readMaybeGzip(path);
      if (!bytes)
        return bytes.takeError();
      const std::vector<unsigned char> &b = *bytes;
      if (b.size() < 8 || b[0] != 0 || b[1] != 0 || b[2] != 0x08)
        return failure(path, "not an IDX file of unsigned bytes (magic "
                             "0x0008xxxx expected)");
      int dims = b[3];
      if (dims < 1 || b.size() < 4 + 4 * static_cast<size_t>(dims))
        return failure(path, "truncated IDX header");
      auto readBE = [&](size_t at) {
        return (int64_t{b[at]} << 24) | (int64_t{b[at + 1]} << 16) |
               (int64_t{b[at + 2]} << 8) | int64_t{b[at + 3]};
      };
      SmallVector<int64_t> shape;
      for (int d = 0; d < dims; ++d)
        shape.push_back(readBE(4 + 4 * d));
      // qopt's rule for tensors (Support/Shapes.h): the products below
      // cannot overflow.
      std::string problem = qopt::checkShapeLimits(shape);
      if (!problem.empty())
        return failure(path, "unsupported IDX shape: " + problem);
      int64_t count = shape[0];
      int64_t perItem = 1;
      for (int d = 1; d < dims; ++d)
        perItem *= shape[d];
      size_t offset = 4 + 4 * static_cast<size_t>(dims);
      if (perItem != itemSize)
        return failure(path, "holds items of " + Twine(perItem) +
                                 " values but the model input takes " +
                                 Twine(itemSize));
      if (b.size() - offset < static_cast<size_t>(count * perItem))
        return failure(path, "truncated: " + Twine(count) +
                                 " items announced, data for fewer");
      if (!countOnly) {
        values.resize(count * perItem);
        for (int64_t i = 0; i < count * perItem; ++i)
          values[i] = static_cast<float>(b[offset + i]) / 255.0f;
      }
      return count;
    }
    Expected<qopt::NpyArray> array = qopt::readNpy(path);
    if (!array)
      return array.takeError();
    if (array->dtype != qopt::NpyDType::F32)
      return failure(path, "calibration samples must be float32, got " +
                               qopt::getNpyDescr(array->dtype));
    if (array->shape.empty())
      return failure(path, "a scalar is not a batch of samples");
    int64_t count = array->shape[0];
    int64_t perItem = count ? array->getNumElements() / count : 0;
    if (count && perItem != itemSize)
      return failure(path, "holds samples of " + Twine(perItem) +
                               " values but the model input takes " +
                               Twine(itemSize));
    if (!countOnly) {
      values.resize(array->getNumElements());
      std::memcpy(values.data(), array->data.data(),
                  values.size() * sizeof(float));
    }
    return count;
  }

  std::vector<std::string> files;
  bool idx;
  qopt::TensorSpec input;
  int64_t itemSize, batchSize, total;
  int64_t produced = 0;
  size_t fileIndex = 0;
  std::vector<float> current;
  int64_t rowsInFile = 0, rowInFile = 0;
};

bool looksLikeIdx(StringRef path) {
  StringRef name = sys::path::filename(path);
  return name.contains("idx") || name.contains("ubyte");
}

} // namespace

Expected<std::unique_ptr<qopt::BatchSource>>
qopt::openCalibrationData(StringRef path, const TensorSpec &input,
                          int64_t batchSize, int64_t limit) {
  if (input.dtype != NpyDType::F32 || input.shape.empty())
    return createStringError("calibration needs a float32 model input with a "
                             "batch dimension, got " +
                             input.str());
  int64_t itemSize = 1;
  for (int64_t d : ArrayRef<int64_t>(input.shape).drop_front()) {
    if (ShapedType::isDynamic(d))
      return createStringError("calibration needs the input's dimensions "
                               "after the first to be static, got " +
                               input.str());
    itemSize *= d;
  }
  if (!ShapedType::isDynamic(input.shape[0]))
    batchSize = input.shape[0];
  if (batchSize < 1)
    return createStringError("the batch size must be positive");

  std::vector<std::string> files;
  bool idx = false;
  if (sys::fs::is_directory(path)) {
    std::error_code ec;
    for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      if (sys::path::extension(it->path()) == ".npy")
        files.push_back(it->path());
    if (ec)
      return failure(path, "cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty())
      return failure(path, "no .npy files in this directory");
  } else {
    if (!sys::fs::exists(path))
      return failure(path, "no such file or directory");
    files.push_back(path.str());
    idx = sys::path::extension(path) != ".npy" && looksLikeIdx(path);
    if (sys::path::extension(path) != ".npy" && !idx)
      return failure(path, "unknown calibration data: expected a .npy file, "
                           "a directory of them, or an IDX image file");
  }
  int64_t total = 0;
  std::vector<float> first;
  for (const std::string &file : files) {
    Expected<int64_t> count = SampleSource::countSamples(
        file, idx, itemSize, files.size() == 1 ? &first : nullptr);
    if (!count)
      return count.takeError();
    total += *count;
  }
  if (limit > 0)
    total = std::min(total, limit);
  if (!ShapedType::isDynamic(input.shape[0]))
    total -= total % batchSize; // whole batches only for a static batch
  if (total == 0)
    return failure(path, "no calibration samples (a static batch of " +
                             Twine(batchSize) + " needs at least that many)");
  return std::make_unique<SampleSource>(std::move(files), idx, input, itemSize,
                                        batchSize, total, std::move(first));
}

/// `op`'s location as text, for messages.
static std::string locationOf(Operation *op) {
  std::string s;
  raw_string_ostream os(s);
  os << op->getLoc();
  return s;
}

Error qopt::calibrate(ModuleOp module, StringRef function,
                      ArrayRef<std::string> dataPaths, int64_t batchSize,
                      int64_t limit, const CalibrationProgress &progress,
                      StringRef kernels) {
  // Work on a copy whose function also returns every observed value.
  OwningOpRef<ModuleOp> copy(module.clone());
  SmallVector<func::FuncOp> funcs(copy->getOps<func::FuncOp>());
  func::FuncOp target;
  if (function.empty()) {
    if (funcs.size() != 1)
      return createStringError("the module has " + Twine(funcs.size()) +
                               " functions; name one with --function");
    target = funcs.front();
  } else {
    target = copy->lookupSymbol<func::FuncOp>(function);
    if (!target)
      return createStringError("no function @" + function + " in the module");
  }
  if (target.isExternal() || !target.getBody().hasOneBlock())
    return createStringError("@" + target.getName() +
                             " must have a body of one block to calibrate");
  if (target.getNumArguments() != dataPaths.size())
    return createStringError(
        "@" + target.getName() + " takes " + Twine(target.getNumArguments()) +
        " input(s) but calibration data for " + Twine(dataPaths.size()) +
        " was given: one path per input, in order");
  std::string name = target.getName().str();

  auto isCalibrated = [](qnn::ObserveOp op) {
    return !matchPattern(op.getInput(), m_Constant());
  };
  SmallVector<qnn::ObserveOp> observers;
  target.walk([&](qnn::ObserveOp op) {
    if (isCalibrated(op))
      observers.push_back(op);
  });
  if (observers.empty())
    return createStringError(
        "@" + name +
        " has no qnn.observe on a computed value: insert observers first "
        "(qrun --qconfig=NAME, or qopt --qnn-insert-observers)");
  auto ret = cast<func::ReturnOp>(target.getBody().front().getTerminator());
  unsigned numResults = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  for (qnn::ObserveOp op : observers)
    results.push_back(op.getInput());
  OpBuilder builder(ret);
  func::ReturnOp::create(builder, ret.getLoc(), results);
  ret.erase();
  target.setType(FunctionType::get(module.getContext(),
                                   target.getArgumentTypes(),
                                   ValueRange(results).getTypes()));

  Expected<std::unique_ptr<JitFunction>> jit = JitFunction::compile(
      *copy, name, kDefaultOptLevel, Requantization::Float, kernels);
  if (!jit)
    return jit.takeError();
  // One source per input, drawn in step: batch k of every input is one call.
  std::vector<std::unique_ptr<BatchSource>> sources;
  for (auto [i, path] : llvm::enumerate(dataPaths)) {
    Expected<std::unique_ptr<BatchSource>> data =
        openCalibrationData(path, (*jit)->getInputs()[i], batchSize, limit);
    if (!data)
      return data.takeError();
    if (!sources.empty() &&
        ((*data)->getNumSamples() != sources.front()->getNumSamples() ||
         (*data)->getNumBatches() != sources.front()->getNumBatches()))
      return createStringError(
          path + ": calibration data for input " + Twine(i) + " gives " +
          Twine((*data)->getNumSamples()) + " sample(s) in " +
          Twine((*data)->getNumBatches()) + " batch(es) but " +
          dataPaths.front() + " (input 0) gives " +
          Twine(sources.front()->getNumSamples()) + " in " +
          Twine(sources.front()->getNumBatches()) +
          ": every input needs as many samples, in batches of one size");
    sources.push_back(std::move(*data));
  }

  // The original module's observers, in the same order.
  SmallVector<qnn::ObserveOp> originals;
  module.lookupSymbol<func::FuncOp>(name).walk([&](qnn::ObserveOp op) {
    if (isCalibrated(op))
      originals.push_back(op);
  });
  // One state per root observer; a sharing observer updates its root's
  // (qnn.observe's `shares`), in program order.
  std::vector<ObserverConfig> configs;
  std::vector<ObserverState> states;
  std::vector<size_t> stateOf;
  llvm::DenseMap<Operation *, size_t> rootIndex;
  for (auto [i, op] : llvm::enumerate(originals))
    if (!op.getShares())
      rootIndex[op] = i;
  for (qnn::ObserveOp op : originals) {
    configs.push_back(op.getConfig());
    states.push_back(op.getState()); // continue from recorded statistics
    auto root = rootIndex.find(op.getRoot());
    if (root == rootIndex.end())
      return createStringError("the observer at " + locationOf(op) +
                               " shares one that observes a constant, which "
                               "calibration does not update");
    stateOf.push_back(root->second);
  }

  int64_t total = sources.front()->getNumBatches(), done = 0;
  std::vector<std::string> argNames(dataPaths.begin(), dataPaths.end());
  std::vector<NpyArray> batch;
  while (true) {
    batch.clear();
    for (auto &source : sources) {
      Expected<std::optional<NpyArray>> next = source->next();
      if (!next)
        return next.takeError();
      if (!*next)
        break;
      batch.push_back(std::move(**next));
    }
    if (batch.size() != sources.size())
      break;
    // The observers read the observed values where the call left them: no
    // copy of the (batch-sized) activations is made.
    auto observeAll = [&](ArrayRef<JitFunction::ResultView> outputs) -> Error {
      std::vector<float> dense;
      for (size_t i = 0; i < originals.size(); ++i) {
        const JitFunction::ResultView &observed = outputs[numResults + i];
        int64_t count = observed.getNumElements();
        const float *data = reinterpret_cast<const float *>(observed.data);
        if (!observed.isRowMajor()) {
          dense.assign(count, 0.0f);
          SmallVector<int64_t> index(observed.shape.size(), 0);
          for (int64_t flat = 0; flat < count; ++flat) {
            int64_t offset = 0;
            for (size_t d = 0; d < index.size(); ++d)
              offset += index[d] * observed.strides[d];
            dense[flat] = data[offset];
            for (int64_t d = index.size() - 1; d >= 0; --d) {
              if (++index[d] < observed.shape[d])
                break;
              index[d] = 0;
            }
          }
          data = dense.data();
        }
        ArrayRef<float> values(data, count);
        // PyTorch's eager mode updates some observers twice per batch
        // (qnn.observe's `updates`).
        for (int64_t u = 0, e = originals[i].getUpdates().value_or(1); u < e;
             ++u)
          if (Error err = observe(configs[stateOf[i]], states[stateOf[i]],
                                  values, observed.shape))
            return createStringError("observer at " + locationOf(originals[i]) +
                                     ": " + toString(std::move(err)));
      }
      return Error::success();
    };
    if (Error err =
            (*jit)->invoke(ArrayRef<NpyArray>(batch), argNames, observeAll))
      return err;
    ++done;
    if (progress)
      progress(done, total);
  }
  for (size_t i = 0; i < originals.size(); ++i)
    if (!originals[i].getShares())
      originals[i].setState(states[i]);
  return Error::success();
}

Error qopt::calibrateModel(ModuleOp module, ArrayRef<std::string> dataPaths,
                           const CalibrationOptions &options,
                           const CalibrationProgress &progress) {
  auto run = [&](StringRef what,
                 llvm::function_ref<void(PassManager &)> build) -> Error {
    PassManager pm(module.getContext());
    build(pm);
    (void)applyPassManagerCLOptions(pm);
    applyDefaultTimingPassManagerCLOptions(pm);
    if (failed(pm.run(module)))
      return createStringError(what + " failed");
    return Error::success();
  };
  if (!options.qconfig.empty()) {
    qnn::QNNInsertObserversOptions observers;
    observers.qconfig = options.qconfig;
    observers.workflow = options.workflow;
    if (Error err = run("preparing the model", [&](PassManager &pm) {
          pm.addPass(qnn::createQNNFoldBatchNorm());
          // ReLU6 stays a separate op: PyTorch observes the conv before it.
          qnn::QNNFuseOptions fuse;
          fuse.fuseRelu6 = false;
          pm.addPass(qnn::createQNNFuse(fuse));
          pm.addNestedPass<func::FuncOp>(
              qnn::createQNNInsertObservers(observers));
        }))
      return err;
  }
  if (Error err =
          calibrate(module, options.function, dataPaths, options.batchSize,
                    options.limit, progress, options.kernels))
    return err;
  if (!options.quantize)
    return Error::success();
  qnn::QNNPropagateScalesOptions scales;
  scales.explain = options.explain;
  return run("quantizing the model", [&](PassManager &pm) {
    pm.addPass(qnn::createQNNPropagateScales(scales));
    pm.addPass(qnn::createQNNQuantize());
  });
}
