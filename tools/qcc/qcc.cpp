//===- qcc.cpp - Compile a qnn model to an object file and a C header -*- C++
//-*-=//
//
// qcc MODEL.mlir -o MODEL.o [--header MODEL.h] [--function NAME]
//     [--shared] [--mcpu CPU] [-O N]
//
// Lowers the function with the qnn-to-llvm pipeline, optimizes it for the
// target CPU (the host's by default) and writes an object file (or, with
// --shared, a shared library) exporting `_mlir_ciface_<name>`, plus a C
// header whose `qopt_<name>(batch, inputs..., outputs...)` wraps it with a
// plain C ABI: dense row-major buffers in, dense row-major buffers out.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelLibrary.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Runner/ModelFile.h"
#include "qopt/Support/Files.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

static cl::OptionCategory qccCategory("qcc options");

static cl::opt<std::string> modelFile(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(qccCategory));
static cl::opt<std::string>
    outputFile("o", cl::Required,
               cl::desc("Output object file (or shared library with "
                        "--shared)"),
               cl::value_desc("file"), cl::cat(qccCategory));
static cl::opt<std::string>
    headerFile("header",
               cl::desc("C header to write (default: the output with .h)"),
               cl::value_desc("file.h"), cl::cat(qccCategory));
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
static cl::opt<qopt::Requantization>
    requantization("requantization",
                   cl::desc("Requantization of quantized conv and linear"),
                   qopt::getRequantizationValues(),
                   cl::init(qopt::Requantization::Float), cl::cat(qccCategory));
static cl::opt<std::string> kernels("kernels",
                                    cl::desc(qopt::kKernelsOptionHelp),
                                    cl::init("auto"), cl::value_desc("variant"),
                                    cl::cat(qccCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::init(3), cl::Prefix,
                                  cl::cat(qccCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "qcc") << message << "\n";
  return 1;
}

namespace {

/// Only the batch (dimension 0) may be dynamic in the C ABI.
Error checkAbi(const qopt::FunctionInterface &fn) {
  auto check = [&](const qopt::TensorSpec &spec, const Twine &what) -> Error {
    for (size_t d = 0; d < spec.shape.size(); ++d)
      if (d > 0 && mlir::ShapedType::isDynamic(spec.shape[d]))
        return createStringError(
            what + " of @" + fn.name + " (" + spec.str() +
            ") has a dynamic dimension other than the batch (dimension 0), "
            "which the C interface cannot size");
    return Error::success();
  };
  for (auto [i, spec] : enumerate(fn.inputs))
    if (Error err = check(spec, "input " + Twine(i)))
      return err;
  for (auto [i, spec] : enumerate(fn.outputs))
    if (Error err = check(spec, "result " + Twine(i)))
      return err;
  return Error::success();
}

/// The C expression of dimension `d` of `spec`: the literal, or `batch`.
std::string dimExpr(const qopt::TensorSpec &spec, size_t d) {
  return mlir::ShapedType::isDynamic(spec.shape[d])
             ? std::string("batch")
             : std::to_string(spec.shape[d]);
}

std::string describe(const qopt::TensorSpec &spec) {
  std::string s = std::string(qopt::getNpyCType(spec.dtype)) + " [";
  for (size_t d = 0; d < spec.shape.size(); ++d)
    s += (d ? ", " : "") + dimExpr(spec, d);
  return s + "]";
}

/// The header: descriptor structs, the wrapper's prototype and the inline
/// plain-C entry point.
std::string makeHeader(const qopt::FunctionInterface &fn, StringRef model) {
  std::string text;
  raw_string_ostream os(text);
  std::string entry = "qopt_" + fn.name;
  std::string guard = "QOPT_MODEL_" + StringRef(fn.name).upper() + "_H";
  os << "/* Generated by qcc from " << sys::path::filename(model) << ": @"
     << fn.name << ". Do not edit.\n *\n * int " << entry << "(int64_t batch";
  for (auto [i, spec] : enumerate(fn.inputs))
    os << ", const " << qopt::getNpyCType(spec.dtype) << " *input" << i;
  for (auto [i, spec] : enumerate(fn.outputs))
    os << ", " << qopt::getNpyCType(spec.dtype) << " *output" << i;
  os << ");\n";
  for (auto [i, spec] : enumerate(fn.inputs))
    os << " *   input" << i << ":  " << describe(spec) << "\n";
  for (auto [i, spec] : enumerate(fn.outputs))
    os << " *   output" << i << ": " << describe(spec) << "\n";
  os << " *\n * Buffers are dense and row-major; quantized tensors are their "
        "8-bit storage.\n * Returns 0, or -1 when `batch` does not fit the "
        "model. Link with the object\n * file or shared library qcc wrote "
        "alongside this header.\n */\n";
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  auto descriptor = [&](const qopt::TensorSpec &spec) {
    std::string t = qopt::getNpyCType(spec.dtype).str();
    size_t rank = spec.shape.size();
    return "struct { " + t + " *allocated; " + t +
           " *aligned; int64_t offset; int64_t sizes[" +
           std::to_string(std::max<size_t>(rank, 1)) + "]; int64_t strides[" +
           std::to_string(std::max<size_t>(rank, 1)) + "]; }";
  };
  for (auto [i, spec] : enumerate(fn.inputs))
    os << "typedef " << descriptor(spec) << " " << entry << "_input" << i
       << "_t;\n";
  os << "typedef struct {\n";
  for (auto [i, spec] : enumerate(fn.outputs))
    os << "  " << descriptor(spec) << " output" << i << ";\n";
  if (fn.outputs.empty())
    os << "  char unused;\n";
  os << "} " << entry << "_results_t;\n\n";

  // The C wrapper MLIR generates: results first (when there are any).
  os << "void _mlir_ciface_" << fn.name << "(";
  bool first = true;
  if (!fn.outputs.empty()) {
    os << entry << "_results_t *results";
    first = false;
  }
  for (size_t i = 0; i < fn.inputs.size(); ++i) {
    os << (first ? "" : ", ") << entry << "_input" << i << "_t *input" << i;
    first = false;
  }
  os << ");\n\n";

  os << "static inline int " << entry << "(int64_t batch";
  for (auto [i, spec] : enumerate(fn.inputs))
    os << ", const " << qopt::getNpyCType(spec.dtype) << " *input" << i;
  for (auto [i, spec] : enumerate(fn.outputs))
    os << ", " << qopt::getNpyCType(spec.dtype) << " *output" << i;
  os << ") {\n  if (batch < 1)\n    return -1;\n";
  auto checkBatch = [&](const qopt::TensorSpec &spec) {
    if (!spec.shape.empty() && !mlir::ShapedType::isDynamic(spec.shape[0]))
      os << "  if (batch != " << spec.shape[0] << ")\n    return -1;\n";
  };
  for (const qopt::TensorSpec &spec : fn.inputs)
    checkBatch(spec);
  for (const qopt::TensorSpec &spec : fn.outputs)
    checkBatch(spec);
  for (auto [i, spec] : enumerate(fn.inputs)) {
    std::string v = "in" + std::to_string(i);
    os << "  " << entry << "_input" << i << "_t " << v << ";\n";
    os << "  " << v << ".allocated = " << v << ".aligned = ("
       << qopt::getNpyCType(spec.dtype) << " *)input" << i << ";\n  " << v
       << ".offset = 0;\n";
    std::string stride = "1";
    for (size_t d = spec.shape.size(); d-- > 0;) {
      os << "  " << v << ".sizes[" << d << "] = " << dimExpr(spec, d) << ";\n";
      os << "  " << v << ".strides[" << d << "] = " << stride << ";\n";
      stride = stride + " * " + dimExpr(spec, d);
    }
  }
  os << "  " << entry << "_results_t results;\n";
  os << "  _mlir_ciface_" << fn.name << "(";
  first = true;
  if (!fn.outputs.empty()) {
    os << "&results";
    first = false;
  }
  for (size_t i = 0; i < fn.inputs.size(); ++i) {
    os << (first ? "" : ", ") << "&in" << i;
    first = false;
  }
  os << ");\n";
  // Results have identity layouts: one copy each. Then the buffers are
  // freed: not those of constants (0xdeadbeef) or returned inputs, and a
  // buffer returned twice once.
  for (auto [i, spec] : enumerate(fn.outputs)) {
    std::string r = "results.output" + std::to_string(i);
    os << "  {\n    int64_t n = 1;\n    for (int d = 0; d < "
       << spec.shape.size() << "; ++d)\n      n *= " << r
       << ".sizes[d];\n    memcpy(output" << i << ", " << r << ".aligned + "
       << r << ".offset, (size_t)n * sizeof(" << qopt::getNpyCType(spec.dtype)
       << "));\n  }\n";
  }
  for (size_t i = 0; i < fn.outputs.size(); ++i) {
    std::string r = "results.output" + std::to_string(i);
    os << "  if ((void *)" << r
       << ".allocated != (void *)(uintptr_t)0xdeadbeef";
    for (size_t j = 0; j < fn.inputs.size(); ++j)
      os << " &&\n      (const void *)" << r
         << ".allocated != (const void *)input" << j;
    for (size_t j = 0; j < i; ++j)
      os << " &&\n      " << r << ".allocated != results.output" << j
         << ".allocated";
    os << ")\n    free(" << r << ".allocated);\n";
  }
  os << "  return 0;\n}\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
     << " */\n";
  return text;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  cl::HideUnrelatedOptions(qccCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: compile a qnn model to an object file (or shared library) and a "
      "C header\n");
  std::string header = headerFile;
  if (header.empty()) {
    SmallString<128> path(outputFile);
    sys::path::replace_extension(path, "h");
    header = std::string(path);
  }

  Expected<std::unique_ptr<qopt::ModelFile>> model =
      qopt::ModelFile::open(modelFile);
  if (!model) {
    std::string message = toString(model.takeError());
    // An empty message: the parser has printed the error already.
    return message.empty() ? 1 : fail(message);
  }
  mlir::ModuleOp module = (*model)->getModule();

  // The target machine: the host CPU and its features unless --mcpu names
  // another CPU.
  std::string triple = sys::getDefaultTargetTriple();
  std::string targetError;
  const Target *target =
      TargetRegistry::lookupTarget(Triple(triple), targetError);
  if (!target)
    return fail("no target for " + triple + ": " + targetError);
  std::string cpu = targetCpu == "native" ? sys::getHostCPUName().str()
                                          : std::string(targetCpu);
  std::string features;
  if (targetCpu == "native")
    for (const auto &feature : sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      Triple(triple), cpu, features, TargetOptions(), Reloc::PIC_, std::nullopt,
      optLevel >= 3 ? CodeGenOptLevel::Aggressive : CodeGenOptLevel::Default));
  if (!machine)
    return fail("cannot create a target machine for CPU '" + cpu + "'");
  Expected<qopt::KernelISA> isa = qopt::resolveKernelISA(kernels, *machine);
  if (!isa)
    return fail(toString(isa.takeError()));

  Expected<qopt::FunctionInterface> fn =
      qopt::lowerFunction(module, functionName, requantization, *isa);
  if (!fn)
    return fail(toString(fn.takeError()));
  if (Error err = checkAbi(*fn))
    return fail(toString(std::move(err)));

  LLVMContext llvmContext;
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmContext, modelFile);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple(Triple(triple));
  llvmModule->setDataLayout(machine->createDataLayout());
  if (Error err = qopt::linkKernelLibrary(*llvmModule, cpu))
    return fail(toString(std::move(err)));
  if (Error err = mlir::makeOptimizingTransformer(
          optLevel, /*sizeLevel=*/0, machine.get())(llvmModule.get()))
    return fail("optimization failed: " + toString(std::move(err)));

  // The object file, written to a temporary first.
  SmallString<128> object(outputFile);
  object += shared ? ".o.tmp-%%%%%%" : ".tmp-%%%%%%";
  int fd;
  SmallString<128> objectPath;
  if (std::error_code ec = sys::fs::createUniqueFile(object, fd, objectPath))
    return fail("cannot create " + outputFile + ": " + ec.message());
  {
    raw_fd_ostream out(fd, /*shouldClose=*/true);
    legacy::PassManager pm;
    if (machine->addPassesToEmitFile(pm, out, nullptr,
                                     CodeGenFileType::ObjectFile)) {
      sys::fs::remove(objectPath);
      return fail("the target cannot emit object files");
    }
    pm.run(*llvmModule);
    out.close();
    if (out.has_error()) {
      out.clear_error();
      sys::fs::remove(objectPath);
      return fail("cannot write " + outputFile);
    }
  }
  if (shared) {
    ErrorOr<std::string> cc = sys::findProgramByName("clang-22");
    if (!cc)
      cc = sys::findProgramByName("cc");
    if (!cc) {
      sys::fs::remove(objectPath);
      return fail("--shared needs a C compiler (clang-22 or cc) on PATH");
    }
    SmallString<128> library(outputFile);
    library += ".tmp";
    std::string objectArg(objectPath), libraryArg(library);
    // lld lays the library out more compactly than GNU ld's separate-code
    // default (a 37 KB model: 53 KB instead of 61), with the same separate
    // read-only, executable and RELRO segments.
    SmallVector<StringRef> args{*cc, "-shared"};
    if (sys::findProgramByName("ld.lld"))
      args.push_back("-fuse-ld=lld");
    args.append({"-o", libraryArg, objectArg});
    std::string linkError;
    int status =
        sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &linkError);
    sys::fs::remove(objectPath);
    if (status != 0) {
      sys::fs::remove(library);
      return fail("linking the shared library failed" +
                  (linkError.empty() ? "" : ": " + linkError));
    }
    objectPath = library;
  }
  // The header first: if it cannot be written, the object is not kept
  // either, so a failed run leaves nothing behind.
  if (Error err =
          qopt::writeFileAtomically(header, makeHeader(*fn, modelFile))) {
    sys::fs::remove(objectPath);
    return fail(toString(std::move(err)));
  }
  if (std::error_code ec = sys::fs::rename(objectPath, outputFile)) {
    sys::fs::remove(objectPath);
    sys::fs::remove(header);
    return fail("cannot write " + outputFile + ": " + ec.message());
  }
  return 0;
}
