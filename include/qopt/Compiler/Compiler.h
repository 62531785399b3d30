//===- Compiler.h - Compile a qnn model to native code ----------*- C++ -*-===//
//
// What qcc does, as a library: lower a function of a qnn module with the
// qnn-to-llvm pipeline, translate it to LLVM IR, give it the exported C
// interface of include/qopt/Compiler/ModelABI.h, link the kernels it calls,
// optimize for a target CPU and write MLIR, LLVM IR, assembly, an object
// file or a shared library, plus the C header of the interface.
//
//   qopt::CompileOptions options;
//   options.symbolPrefix = "cnn";
//   auto compilation = qopt::Compilation::create(options);
//   if (!compilation) ...
//   if (llvm::Error err = (*compilation)->compile(module)) ...
//   if (llvm::Error err = (*compilation)->writeFile(
//           qopt::OutputKind::SharedLibrary, "libcnn.so")) ...
//
// Running a model in-process instead is qopt::JitFunction's
// (Runner/JitRunner.h).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_COMPILER_COMPILER_H
#define QOPT_COMPILER_COMPILER_H

#include "qopt/Runner/JitRunner.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace qopt {

/// What a compilation writes: the module lowered to the LLVM dialect, the
/// optimized LLVM IR, assembly, an object file, or a shared library linked
/// from the object by the system's C compiler.
enum class OutputKind { MLIR, LLVMIR, Assembly, Object, SharedLibrary };

/// "mlir", "llvm", "asm", "obj" or "shared".
std::optional<OutputKind> parseOutputKind(llvm::StringRef name);

struct CompileOptions {
  /// The function to compile; empty: the module's only function.
  std::string function;
  /// An LLVM CPU name, or "native": the host CPU with all its features.
  std::string targetCpu = "native";
  Requantization requantization = Requantization::Float;
  /// The int8 kernel variant (auto, none, generic, avx2, avxvnni,
  /// avx512vnni, amx).
  std::string kernels = "auto";
  /// LLVM's optimization level, 0 to 3.
  unsigned optLevel = kDefaultOptLevel;
  /// The exported symbols are <prefix>_run, <prefix>_run_arrays and
  /// <prefix>_info. Empty: the function's name, made a C identifier.
  std::string symbolPrefix;
};

/// A C identifier naming a model after a file: the file name up to its
/// first dot, with characters other than letters, digits and '_' replaced
/// by '_'; "model_" is put in front when it would start with a digit, '_'
/// or "qopt" (prefixes of qopt's own symbols), or be empty.
std::string makeSymbolPrefix(llvm::StringRef path);

/// Checks that `prefix` can prefix the exported symbols: a C identifier
/// that does not start with '_' or "qopt", which qopt's runtime uses.
llvm::Error checkSymbolPrefix(llvm::StringRef prefix);

/// A target machine for `cpu` ("native": the host's CPU and features),
/// generating position-independent code at `optLevel`. An unknown CPU is
/// an error, not a warning.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel);

class Compilation {
public:
  /// Checks the options and creates the target machine.
  static llvm::Expected<std::unique_ptr<Compilation>>
  create(const CompileOptions &options);
  ~Compilation();

  /// Lowers the function of `module` (which is modified and must outlive
  /// this object) to the LLVM dialect. The function must have a C
  /// interface: only dimension 0 of its inputs and results may be dynamic.
  llvm::Error lower(mlir::ModuleOp module);

  /// After lower(): translates to LLVM IR, adds the C interface, links the
  /// kernels and optimizes.
  llvm::Error translate();

  /// lower() and translate().
  llvm::Error compile(mlir::ModuleOp module);

  /// Writes the `kind` output to `os`: MLIR after lower(), the others
  /// after translate(). Not SharedLibrary (see writeFile).
  llvm::Error emit(OutputKind kind, llvm::raw_pwrite_stream &os);

  /// Writes the `kind` output to `path`, completely or not at all.
  llvm::Error writeFile(OutputKind kind, llvm::StringRef path);

  /// The C header declaring the model's entry points; `source` names the
  /// model file in its comment.
  std::string getCHeader(llvm::StringRef source) const;

  const FunctionInterface &getInterface() const { return interface; }
  llvm::StringRef getSymbolPrefix() const { return prefix; }
  llvm::TargetMachine &getTargetMachine() { return *machine; }
  /// The LLVM module, after translate().
  llvm::Module *getLLVMModule() { return llvmModule.get(); }

private:
  Compilation() = default;

  CompileOptions options;
  KernelISA kernels = KernelISA::None;
  std::string prefix;
  FunctionInterface interface;
  mlir::ModuleOp module;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<llvm::LLVMContext> llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
};

} // namespace qopt

#endif // QOPT_COMPILER_COMPILER_H
