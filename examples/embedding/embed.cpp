//===- embed.cpp - A program that embeds qopt -------------------*- C++ -*-===//
//
//   qopt-embed MODEL.mlir LIBRARY.so
//
// Uses an installed qopt as a library (docs/Embedding.md):
//  1. registers qopt's dialects and parses a qnn model;
//  2. runs a pass pipeline by name on a copy (qnn-to-llvm) and counts the
//     LLVM functions it made;
//  3. compiles the model to a shared library and its C header with
//     qopt::Compilation;
//  4. JIT-runs the model with qopt::JitFunction on a batch of inputs;
//  5. loads the library with dlopen, calls its PREFIX_run_arrays entry point
//     on the same inputs and checks that it returns the JIT's bits.
//
//===----------------------------------------------------------------------===//

#include "qopt/Compiler/Compiler.h"
#include "qopt/Compiler/ModelABI.h"
#include "qopt/InitQopt.h"
#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/Files.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <cstring>
#include <string>

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qopt-embed: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return fail("usage: qopt-embed MODEL.mlir LIBRARY.so");
  std::string library = argv[2];
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  // 1. A context that knows qnn and what its lowering produces.
  mlir::DialectRegistry registry;
  qopt::registerQoptDialects(registry);
  qopt::registerQoptPasses();
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> model =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!model)
    return 1; // the parser has reported the error

  // 2. A pipeline by name, as qopt runs it, on a copy.
  mlir::OwningOpRef<mlir::ModuleOp> lowered = model->clone();
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline("builtin.module(qnn-to-llvm)", pm)))
    return fail("cannot parse the pipeline");
  if (mlir::failed(pm.run(*lowered)))
    return fail("qnn-to-llvm failed");
  auto functions = lowered->getOps<mlir::LLVM::LLVMFuncOp>();
  int64_t count = std::distance(functions.begin(), functions.end());

  // 3. A shared library and its header.
  mlir::OwningOpRef<mlir::ModuleOp> compiled = model->clone();
  qopt::CompileOptions options;
  options.symbolPrefix = "embedded";
  auto compilation = qopt::Compilation::create(options);
  if (!compilation)
    return fail(llvm::toString(compilation.takeError()));
  if (llvm::Error err = (*compilation)->compile(*compiled))
    return fail(llvm::toString(std::move(err)));
  const qopt::FunctionInterface &fn = (*compilation)->getInterface();
  llvm::outs() << "@" << fn.name << ": " << fn.inputs.size() << " inputs, "
               << fn.outputs.size() << " outputs\n";
  llvm::outs() << "pipeline qnn-to-llvm: " << count << " llvm.func\n";
  std::string header = library.substr(0, library.rfind('.')) + ".h";
  if (llvm::Error err =
          (*compilation)->writeFile(qopt::OutputKind::SharedLibrary, library))
    return fail(llvm::toString(std::move(err)));
  if (llvm::Error err = qopt::writeFileAtomically(
          header, (*compilation)->getCHeader(argv[1])))
    return fail(llvm::toString(std::move(err)));
  llvm::outs() << "wrote " << library << " and " << header << "\n";

  // 4. The JIT, on a batch of 3 (a static batch where the model has one).
  std::vector<qopt::NpyArray> inputs;
  for (const qopt::TensorSpec &spec : fn.inputs) {
    qopt::NpyArray array;
    array.dtype = spec.dtype;
    for (int64_t d : spec.shape)
      array.shape.push_back(mlir::ShapedType::isDynamic(d) ? 3 : d);
    array.data.resize(array.getNumElements() *
                      qopt::getNpyElementSize(spec.dtype));
    for (size_t i = 0; i < array.data.size(); ++i)
      array.data[i] = static_cast<char>(i * 37 % 101); // any bits will do
    if (spec.dtype == qopt::NpyDType::F32) // but floats of moderate size
      for (size_t i = 0; i < array.data.size() / 4; ++i) {
        float value = static_cast<float>(i % 17) * 0.25f - 2.0f;
        std::memcpy(array.data.data() + 4 * i, &value, 4);
      }
    inputs.push_back(std::move(array));
  }
  mlir::OwningOpRef<mlir::ModuleOp> jitted = model->clone();
  auto jit = qopt::JitFunction::compile(*jitted, "", /*optLevel=*/3);
  if (!jit)
    return fail(llvm::toString(jit.takeError()));
  std::vector<std::string> names(inputs.size(), "generated input");
  auto expected = (*jit)->run(inputs, names);
  if (!expected)
    return fail(llvm::toString(expected.takeError()));

  // 5. The library, through its C interface.
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(llvm::Twine("dlopen: ") + dlerror());
  using RunArrays = int (*)(int64_t, const void *const *, void *const *);
  auto run = reinterpret_cast<RunArrays>(dlsym(handle, "embedded_run_arrays"));
  if (!run)
    return fail("the library has no embedded_run_arrays");
  std::vector<const void *> in;
  for (const qopt::NpyArray &array : inputs)
    in.push_back(array.data.data());
  std::vector<std::vector<char>> results;
  std::vector<void *> out;
  for (const qopt::NpyArray &array : *expected)
    results.emplace_back(array.data.size());
  for (std::vector<char> &result : results)
    out.push_back(result.data());
  int64_t batch =
      inputs.empty() || inputs[0].shape.empty() ? 1 : inputs[0].shape[0];
  if (int status = run(batch, in.data(), out.data()); status != QOPT_OK)
    return fail("the library returned " + llvm::Twine(status));
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i] != (*expected)[i].data)
      return fail("output " + llvm::Twine(i) + " differs from the JIT's");
  llvm::outs() << "library and JIT agree on " << results.size() << " outputs\n";
  dlclose(handle);
  return 0;
}
