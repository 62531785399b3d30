//===- JitRunner.h - JIT compile and run a function of qnn IR ---*- C++ -*-===//
//
// Lowers a function with qopt's qnn-to-llvm pipeline, JIT-compiles it for the
// host CPU with MLIR's ExecutionEngine and calls it on .npy-shaped arrays.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_JITRUNNER_H
#define QOPT_RUNNER_JITRUNNER_H

#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace qopt {

/// The type of one argument or result: dtype and shape (dynamic dimensions
/// as mlir::ShapedType::kDynamic).
struct TensorSpec {
  NpyDType dtype;
  llvm::SmallVector<int64_t> shape;
  /// "?x784xf32"-style description for messages.
  std::string str() const;
};

class JitFunction {
public:
  /// Lowers `function` of `module` (which is modified) and JIT-compiles it
  /// at LLVM optimization level `optLevel` for the host CPU. Errors say what
  /// is wrong; lowering diagnostics go to the context's handler.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  compile(mlir::ModuleOp module, llvm::StringRef function, unsigned optLevel);

  ~JitFunction();

  llvm::ArrayRef<TensorSpec> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorSpec> getOutputs() const { return outputs; }
  llvm::StringRef getName() const { return name; }

  /// Checks `args` against the inputs (count, dtype, static dimensions),
  /// calls the function and returns its results. `argNames` name the
  /// arguments in error messages.
  llvm::Expected<std::vector<NpyArray>>
  run(llvm::ArrayRef<NpyArray> args, llvm::ArrayRef<std::string> argNames);

private:
  JitFunction() = default;

  std::string name;
  std::vector<TensorSpec> inputs, outputs;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

} // namespace qopt

#endif // QOPT_RUNNER_JITRUNNER_H
