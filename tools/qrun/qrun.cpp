//===- qrun.cpp - JIT-run a function of a qnn model -------------*- C++ -*-===//
//
// qrun MODEL.mlir [--function NAME] -i IN.npy... [-o OUT.npy...] [--repeat N]
// qrun MODEL.mlir --calibrate DATA... [--qconfig NAME] [--quantize]
//      --write-model OUT.mlir
//
// Lowers the function with the qnn-to-llvm pipeline, JIT-compiles it for the
// host CPU at -O3, runs it on the .npy inputs and writes the results as .npy.
// The calibration mode runs the float model over sample data instead and
// writes the model back with its observers' statistics (and, with
// --quantize, as a quantized model).
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/Calibration.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Runner/ModelFile.h"
#include "qopt/Support/Files.h"

#include "llvm/Support/Process.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace llvm;

static cl::OptionCategory qrunCategory("qrun options");

static cl::opt<std::string> modelFile(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(qrunCategory));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: the only one)"),
                 cl::value_desc("name"), cl::cat(qrunCategory));
static cl::alias functionAlias("f", cl::aliasopt(functionName),
                               cl::desc("Alias for --function"));
static cl::list<std::string>
    inputFiles("input", cl::desc("Input .npy file, one per argument in order"),
               cl::value_desc("file.npy"), cl::cat(qrunCategory));
static cl::alias inputAlias("i", cl::aliasopt(inputFiles),
                            cl::desc("Alias for --input"));
static cl::list<std::string>
    outputFiles("output",
                cl::desc("Output .npy file, one per result in order (without "
                         "any, results are summarised on stdout)"),
                cl::value_desc("file.npy"), cl::cat(qrunCategory));
static cl::alias outputAlias("o", cl::aliasopt(outputFiles),
                             cl::desc("Alias for --output"));
static cl::opt<unsigned>
    repeat("repeat", cl::desc("Run N more times and print the median latency"),
           cl::init(0), cl::value_desc("N"), cl::cat(qrunCategory));
static cl::opt<qopt::Requantization> requantization(
    "requantization",
    cl::desc("Arithmetic of quantized conv and linear, and of dynamic linear"),
    qopt::getRequantizationValues(), cl::init(qopt::Requantization::Float),
    cl::cat(qrunCategory));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("JIT-compile for this CPU, as qcc --mcpu does "
                       "(default: the host CPU and its features); the host "
                       "must have every feature it has"),
              cl::init("native"), cl::value_desc("cpu"), cl::cat(qrunCategory));
static cl::opt<std::string> kernels("kernels",
                                    cl::desc(qopt::kKernelsOptionHelp),
                                    cl::init("auto"), cl::value_desc("variant"),
                                    cl::cat(qrunCategory));
static cl::opt<unsigned> optLevel("O", cl::desc(qopt::kOptLevelOptionHelp),
                                  cl::init(qopt::kDefaultOptLevel), cl::Prefix,
                                  cl::cat(qrunCategory));

static cl::OptionCategory calibrationCategory("qrun calibration options");

static cl::list<std::string> calibrationData(
    "calibrate",
    cl::desc("Calibrate the model's observers on this data: a .npy file of "
             "float32 samples, a directory of .npy files, or an IDX image "
             "file such as Fashion-MNIST's train-images-idx3-ubyte.gz "
             "(pixels / 255); one per model input, in order"),
    cl::value_desc("path"), cl::cat(calibrationCategory));
static cl::opt<std::string> qconfigName(
    "qconfig",
    cl::desc("Before calibrating, fold BatchNorm, fuse activations and insert "
             "observers of this PyTorch qconfig (x86, fbgemm, default, "
             "qnnpack, onednn)"),
    cl::value_desc("name"), cl::cat(calibrationCategory));
static cl::opt<std::string> torchWorkflow(
    "workflow",
    cl::desc("With --qconfig: the PyTorch workflow whose calibration to "
             "reproduce, eager (default; fused conv/linear + relu observers "
             "update twice per batch, as in PyTorch 1.13) or fx"),
    cl::value_desc("eager|fx"), cl::init("eager"),
    cl::cat(calibrationCategory));
static cl::opt<bool> quantizeAfter(
    "quantize",
    cl::desc("After calibrating, compute the scales and quantize the model "
             "(qnn-propagate-scales, qnn-quantize)"),
    cl::cat(calibrationCategory));
static cl::opt<bool>
    explainScales("explain",
                  cl::desc("With --quantize: report how each scale was chosen"),
                  cl::cat(calibrationCategory));
static cl::opt<int64_t> batchSize(
    "batch-size",
    cl::desc("Calibration batch size when the input's batch dimension is "
             "dynamic (default 32)"),
    cl::init(32), cl::cat(calibrationCategory));
static cl::opt<int64_t> sampleLimit("limit",
                                    cl::desc("Calibrate on at most N samples"),
                                    cl::init(0), cl::value_desc("N"),
                                    cl::cat(calibrationCategory));
static cl::opt<std::string>
    writeModel("write-model",
               cl::desc("Where the calibrated (or quantized) model goes"),
               cl::value_desc("file.mlir"), cl::cat(calibrationCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "qrun") << message << "\n";
  return 1;
}

/// Prints shape and the first values of `array` (f32 only; others by size).
static void summarize(raw_ostream &os, size_t index,
                      const qopt::NpyArray &array) {
  os << "result " << index << ": " << array.getShapeString() << " "
     << qopt::getNpyDescr(array.dtype);
  if (array.dtype == qopt::NpyDType::F32) {
    const float *values = reinterpret_cast<const float *>(array.data.data());
    int64_t n = std::min<int64_t>(array.getNumElements(), 8);
    os << " [";
    for (int64_t i = 0; i < n; ++i)
      os << (i ? ", " : "") << values[i];
    os << (array.getNumElements() > n ? ", ...]" : "]");
  }
  os << "\n";
}

/// The progress bar of a long calibration, on stderr when it is a terminal.
static void showProgress(int64_t done, int64_t total,
                         std::chrono::steady_clock::time_point start) {
  if (!sys::Process::StandardErrIsDisplayed())
    return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  double rate = seconds > 0 ? done / seconds : 0.0;
  int64_t left = rate > 0 ? static_cast<int64_t>((total - done) / rate) : 0;
  constexpr int width = 30;
  int filled = static_cast<int>(width * done / std::max<int64_t>(total, 1));
  errs() << "\rcalibrating [" << std::string(filled, '#')
         << std::string(width - filled, '.') << "] " << done << "/" << total
         << " batches, " << format("%.1f", rate) << " batches/s, "
         << format("%lld:%02lld", static_cast<long long>(left / 60),
                   static_cast<long long>(left % 60))
         << " left ";
  if (done == total)
    errs() << "\n";
}

static int runCalibration(mlir::ModuleOp module) {
  if (writeModel.empty())
    return fail("--calibrate needs --write-model FILE for the result");
  if (!inputFiles.empty() || !outputFiles.empty())
    return fail("--calibrate takes its inputs from the calibration data, not "
                "-i / -o");
  qopt::CalibrationOptions options;
  options.function = functionName;
  options.qconfig = qconfigName;
  options.workflow = torchWorkflow;
  options.batchSize = batchSize;
  options.limit = sampleLimit;
  options.quantize = quantizeAfter;
  options.explain = explainScales;
  options.kernels = kernels;
  auto start = std::chrono::steady_clock::now();
  if (Error err = qopt::calibrateModel(module, calibrationData, options,
                                       [&](int64_t done, int64_t total) {
                                         showProgress(done, total, start);
                                       }))
    return fail(toString(std::move(err)));
  std::string text;
  raw_string_ostream os(text);
  module.print(os);
  if (Error err = qopt::writeFileAtomically(writeModel, text))
    return fail(toString(std::move(err)));
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  qopt::registerToolOptions("qrun");
  cl::HideUnrelatedOptions({&qrunCategory, &calibrationCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "qrun: JIT-run a function of a qnn model on .npy inputs\n\nMLIR's "
      "debugging options (--mlir-print-ir-after-all, --mlir-timing, ...) "
      "apply to the lowering; --help-hidden lists them.\n");

  Expected<std::unique_ptr<qopt::ModelFile>> model =
      qopt::ModelFile::open(modelFile);
  if (!model) {
    std::string message = toString(model.takeError());
    // An empty message: the parser has printed the error already.
    return message.empty() ? 1 : fail(message);
  }
  mlir::ModuleOp module = (*model)->getModule();
  if (!calibrationData.empty())
    return runCalibration(module);
  if (!qconfigName.empty() || quantizeAfter || !writeModel.empty())
    return fail("--qconfig, --quantize and --write-model need --calibrate");

  // Read the inputs before compiling: a bad file fails fast.
  std::vector<qopt::NpyArray> inputs;
  for (const std::string &path : inputFiles) {
    Expected<qopt::NpyArray> array = qopt::readNpy(path);
    if (!array)
      return fail(toString(array.takeError()));
    inputs.push_back(std::move(*array));
  }

  Expected<std::unique_ptr<qopt::JitFunction>> jit = qopt::JitFunction::compile(
      module, functionName, optLevel, requantization, kernels, targetCpu);
  if (!jit)
    return fail(toString(jit.takeError()));
  if (!outputFiles.empty() && outputFiles.size() != (*jit)->getOutputs().size())
    return fail("@" + (*jit)->getName() + " has " +
                Twine((*jit)->getOutputs().size()) + " results, " +
                Twine(outputFiles.size()) + " output files given");

  std::vector<std::string> names(inputFiles.begin(), inputFiles.end());
  Expected<std::vector<qopt::NpyArray>> results = (*jit)->run(inputs, names);
  if (!results)
    return fail(toString(results.takeError()));

  if (repeat > 0) {
    std::vector<double> times;
    std::vector<qopt::NpyArray> again; // reused from call to call
    for (unsigned i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      Error err = (*jit)->run(inputs, names, again);
      auto end = std::chrono::steady_clock::now();
      if (err)
        return fail(toString(std::move(err)));
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(times.begin(), times.end());
    double median =
        times.size() % 2
            ? times[times.size() / 2]
            : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
    outs() << format("median latency: %.4f ms over %u runs\n", median,
                     static_cast<unsigned>(repeat));
  }

  if (outputFiles.empty()) {
    for (auto [i, result] : enumerate(*results))
      summarize(outs(), i, result);
    return 0;
  }
  // All the outputs or none.
  std::vector<std::string> paths(outputFiles.begin(), outputFiles.end());
  if (Error err =
          qopt::writeFilesTogether(paths, [&](size_t i, StringRef temp) {
            return qopt::writeNpy(temp, (*results)[i]);
          }))
    return fail(toString(std::move(err)));
  return 0;
}
