//===- qcc.cpp - Compile a qnn model to native code and a C header -*- C++ -*-//
//
// qcc MODEL.mlir -o OUT [--emit=mlir|llvm|asm|obj] [--shared]
//     [--header OUT.h] [--name PREFIX] [--function NAME] [--mcpu CPU] [-O N]
//
// A thin driver over qopt::Compilation (include/qopt/Compiler/Compiler.h):
// lowers the function with the qnn-to-llvm pipeline, optimizes it for the
// target CPU (the host's by default) and writes an object file (or, with
// --shared, a shared library) exporting PREFIX_run, PREFIX_run_arrays and
// PREFIX_info, plus the C header declaring them. --emit stops after an
// earlier stage instead. PREFIX defaults to the output file's name.
//
//===----------------------------------------------------------------------===//

#include "qopt/Compiler/Compiler.h"
#include "qopt/Runner/ModelFile.h"
#include "qopt/Support/Files.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory qccCategory("qcc options");

static cl::opt<std::string> modelFile(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(qccCategory));
static cl::opt<std::string>
    outputFile("o", cl::Required,
               cl::desc("Output file: an object file, a shared library with "
                        "--shared, or what --emit names"),
               cl::value_desc("file"), cl::cat(qccCategory));
static cl::opt<std::string> emitKind(
    "emit",
    cl::desc("What to write: mlir (the module lowered to the LLVM dialect), "
             "llvm (optimized LLVM IR with the C interface), asm, or obj "
             "(default; with --shared a shared library)"),
    cl::init("obj"), cl::value_desc("mlir|llvm|asm|obj"), cl::cat(qccCategory));
static cl::opt<std::string>
    headerFile("header",
               cl::desc("C header to write with an object file or shared "
                        "library (default: the output with .h)"),
               cl::value_desc("file.h"), cl::cat(qccCategory));
static cl::opt<std::string> symbolPrefix(
    "name",
    cl::desc("Prefix of the exported symbols PREFIX_run, PREFIX_run_arrays "
             "and PREFIX_info (default: the output file's name up to its "
             "first dot, as a C identifier)"),
    cl::value_desc("prefix"), cl::cat(qccCategory));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to compile (default: the only one)"),
                 cl::value_desc("name"), cl::cat(qccCategory));
static cl::opt<bool>
    shared("shared",
           cl::desc("Link a shared library with the system C compiler"),
           cl::cat(qccCategory));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("Target CPU (default: the host CPU and its features)"),
              cl::init("native"), cl::value_desc("cpu"), cl::cat(qccCategory));
static cl::opt<qopt::Requantization> requantization(
    "requantization",
    cl::desc("Arithmetic of quantized conv and linear, and of dynamic linear"),
    qopt::getRequantizationValues(), cl::init(qopt::Requantization::Float),
    cl::cat(qccCategory));
static cl::opt<std::string> kernels("kernels",
                                    cl::desc(qopt::kKernelsOptionHelp),
                                    cl::init("auto"), cl::value_desc("variant"),
                                    cl::cat(qccCategory));
static cl::opt<unsigned> optLevel("O", cl::desc(qopt::kOptLevelOptionHelp),
                                  cl::init(qopt::kDefaultOptLevel), cl::Prefix,
                                  cl::cat(qccCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "qcc") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  InitializeNativeTargetAsmParser();
  // MLIR's debugging options (--mlir-print-ir-after-all, --mlir-timing,
  // ...) apply to the lowering; --help-hidden lists them.
  qopt::registerToolOptions("qcc");
  cl::HideUnrelatedOptions(qccCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: compile a qnn model to an object file (or shared library) and a "
      "C header\n\nMLIR's debugging options (--mlir-print-ir-after-all, "
      "--mlir-timing, ...) apply to the lowering; --help-hidden lists them.\n");

  std::optional<qopt::OutputKind> kind = qopt::parseOutputKind(emitKind);
  if (!kind || *kind == qopt::OutputKind::SharedLibrary)
    return fail("unknown --emit kind '" + emitKind +
                "' (expected mlir, llvm, asm or obj)");
  if (shared) {
    if (*kind != qopt::OutputKind::Object)
      return fail("--shared links an object file; it cannot be combined "
                  "with --emit=" +
                  emitKind);
    kind = qopt::OutputKind::SharedLibrary;
  }
  bool binary = *kind == qopt::OutputKind::Object ||
                *kind == qopt::OutputKind::SharedLibrary;
  if (!binary && !headerFile.empty())
    return fail("--header goes with an object file or shared library, not "
                "--emit=" +
                emitKind);
  std::string header = headerFile;
  if (binary && header.empty()) {
    SmallString<128> path(outputFile);
    sys::path::replace_extension(path, "h");
    header = std::string(path);
  }

  qopt::CompileOptions options;
  options.function = functionName;
  options.targetCpu = targetCpu;
  options.requantization = requantization;
  options.kernels = kernels;
  options.optLevel = optLevel;
  options.symbolPrefix = symbolPrefix.empty()
                             ? qopt::makeSymbolPrefix(outputFile)
                             : std::string(symbolPrefix);
  Expected<std::unique_ptr<qopt::Compilation>> compilation =
      qopt::Compilation::create(options);
  if (!compilation)
    return fail(toString(compilation.takeError()));

  Expected<std::unique_ptr<qopt::ModelFile>> model =
      qopt::ModelFile::open(modelFile);
  if (!model) {
    std::string message = toString(model.takeError());
    // An empty message: the parser has printed the error already.
    return message.empty() ? 1 : fail(message);
  }
  if (Error err = (*compilation)->lower((*model)->getModule()))
    return fail(toString(std::move(err)));
  if (*kind != qopt::OutputKind::MLIR)
    if (Error err = (*compilation)->translate())
      return fail(toString(std::move(err)));

  if (!binary) {
    if (Error err = (*compilation)->writeFile(*kind, outputFile))
      return fail(toString(std::move(err)));
    return 0;
  }
  // The output and its header together, or neither.
  std::string paths[] = {outputFile, header};
  if (Error err = qopt::writeFilesTogether(
          paths, [&](size_t i, StringRef temp) -> Error {
            if (i == 0)
              return (*compilation)->writeFile(*kind, temp);
            return qopt::writeFileAtomically(
                temp, (*compilation)->getCHeader(modelFile));
          }))
    return fail(toString(std::move(err)));
  return 0;
}
