//===- JitRunner.h - JIT compile and run a function of qnn IR ---*- C++ -*-===//
//
// Lowers a function with qopt's qnn-to-llvm pipeline, JIT-compiles it for the
// host CPU with MLIR's ExecutionEngine and calls it on .npy-shaped arrays.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_JITRUNNER_H
#define QOPT_RUNNER_JITRUNNER_H

#include "qopt/Codegen/KernelISA.h"
#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace func {
class FuncOp;
} // namespace func
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

/// The C-facing interface of a function: name and argument/result types.
struct FunctionInterface {
  std::string name;
  /// Input dimensions that the function's ops fix to a size are recorded
  /// static here (a dynamic batch that meets a constant of batch 2, say).
  std::vector<TensorSpec> inputs, outputs;
  /// A dimension in terms of a class of dynamic dimensions that the ops
  /// relate: it is the class's value times num / den (num and den
  /// coprime). cls is -1 when the dimension is static or unrelated.
  struct DimRef {
    int64_t cls = -1;
    int64_t num = 1, den = 1;
    bool operator==(const DimRef &other) const {
      return cls == other.cls && num == other.num && den == other.den;
    }
  };
  /// For each input and each result, for each dimension, its class. Every
  /// dimension of a class meets the others in ops that need them equal, or
  /// in a reshape (which relates them by a ratio: ?x784 to ?x16x49 keeps
  /// the batch, ?x4 to ?x2 doubles it).
  std::vector<llvm::SmallVector<DimRef>> inputDims, outputDims;
  struct DimClass {
    /// An op that ties the class, for messages ("qnn.add at ...").
    std::string reason;
    /// The class's value must be a multiple of this for every dimension in
    /// it (inside the function too) to be whole.
    int64_t multiple = 1;
    /// A reshape that relates dimensions of the class by a ratio other than
    /// 1, for messages; empty when there is none.
    std::string ratioReason;
  };
  std::vector<DimClass> classes;

  /// Checks `shapes` (one per input, ranks already checked) against the
  /// static dimensions and the classes; `what(i)` names input i in messages.
  llvm::Error checkShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes,
                          llvm::function_ref<std::string(size_t)> what) const;
};

/// Records in `interface` (inputs and results of `function` already in
/// it) which input and result dimensions the function's qnn ops tie
/// together or to a static size. Fails, naming the op, when no sizes can
/// satisfy the ops or a relation cannot be checked before a call (a
/// reshape of several dynamic dimensions).
llvm::Error analyzeDimensions(mlir::func::FuncOp function,
                              FunctionInterface &interface);

/// Finds `function` in `module` (the only function when empty), records its
/// interface, marks it for a C wrapper (`_mlir_ciface_<name>`) and lowers
/// the module to the LLVM dialect with the qnn-to-llvm pipeline, calling
/// the `kernels` variant of the int8 kernels.
llvm::Expected<FunctionInterface>
lowerFunction(mlir::ModuleOp module, llvm::StringRef function,
              Requantization mode = Requantization::Float,
              KernelISA kernels = KernelISA::None);

/// The values of the tools' --requantization option.
llvm::cl::ValuesClass getRequantizationValues();

/// The description of the tools' --kernels option.
inline constexpr const char *kKernelsOptionHelp =
    "Int8 kernels for quantized conv and linear: auto (the fastest the "
    "target CPU runs), amx, avx512vnni, avxvnni, avx2, generic (portable C) "
    "or "
    "none "
    "(linalg loops)";

/// LLVM's optimization level when none is asked for, in qcc, qrun and
/// calibration alike. -O2: on resnet18 and mobilenet_v2 (AVX2 and
/// AVX512-VNNI kernels, and the float model) it runs as fast as -O3 or
/// up to 3% faster and compiles a quarter faster; what -O3 adds (loop
/// unswitching on non-trivial conditions, a higher inlining threshold)
/// copied code without a measured gain.
inline constexpr unsigned kDefaultOptLevel = 2;
/// The description of the tools' -O option, which names that default.
inline constexpr const char *kOptLevelOptionHelp =
    "LLVM optimization level, 0 to 3 (default 2)";
static_assert(kDefaultOptLevel == 2, "kOptLevelOptionHelp names the default");

class JitFunction {
public:
  /// Lowers `function` of `module` (which is modified) and JIT-compiles it
  /// at LLVM optimization level `optLevel` for the host CPU, its CPU name
  /// and every feature it has, as qcc compiles for it; or, with `cpu`
  /// other than "native", for that CPU and its own features, as qcc --mcpu
  /// does, provided the host has each of them. `kernels` names the int8
  /// kernel variant ("auto": the fastest the target CPU has). Errors say
  /// what is wrong; lowering diagnostics go to the context's handler.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  compile(mlir::ModuleOp module, llvm::StringRef function, unsigned optLevel,
          Requantization mode = Requantization::Float,
          llvm::StringRef kernels = "auto", llvm::StringRef cpu = "native");

  ~JitFunction();

  llvm::ArrayRef<TensorSpec> getInputs() const { return interface.inputs; }
  llvm::ArrayRef<TensorSpec> getOutputs() const { return interface.outputs; }
  llvm::StringRef getName() const { return interface.name; }

  /// Checks `args` against the inputs (count, dtype, static dimensions),
  /// calls the function and returns its results. `argNames` name the
  /// arguments in error messages.
  llvm::Expected<std::vector<NpyArray>>
  run(llvm::ArrayRef<NpyArray> args, llvm::ArrayRef<std::string> argNames);

  /// The same, writing the results into `results` and reusing the storage
  /// its arrays already have (for calls in a loop).
  llvm::Error run(llvm::ArrayRef<NpyArray> args,
                  llvm::ArrayRef<std::string> argNames,
                  std::vector<NpyArray> &results);

  /// A result of a call, as the call left it: the element at `index` is at
  /// data + sum(index[d] * strides[d]) * (element size). Valid only while
  /// the visitor of `invoke` runs.
  struct ResultView {
    NpyDType dtype;
    llvm::SmallVector<int64_t> shape, strides;
    const char *data;
    int64_t getNumElements() const;
    bool isRowMajor() const;
  };

  /// Calls the function on `args` (checked as `run` checks them) and hands
  /// its results to `visit` before they are freed: no copy is made. Not
  /// for concurrent calls on one JitFunction.
  llvm::Error
  invoke(llvm::ArrayRef<NpyArray> args, llvm::ArrayRef<std::string> argNames,
         llvm::function_ref<llvm::Error(llvm::ArrayRef<ResultView>)> visit);

private:
  JitFunction() = default;

  FunctionInterface interface;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// How returned buffers are freed: the model's allocator when it has one
  /// (its cache then serves the next call), else libc's free.
  void (*freeBuffer)(void *) = nullptr;
  /// Returns the buffers the model's allocator keeps to libc, if it has one.
  void (*releaseBuffers)() = nullptr;
  /// The C wrapper's packed entry point, looked up once.
  void (*entry)(void **) = nullptr;
  /// Per-call storage kept from call to call (a JitFunction runs one call
  /// at a time): memref descriptors of the arguments and the results, and
  /// the packed argument list.
  std::vector<int64_t> argumentWords, resultWords;
  std::vector<void *> argumentPtrs, packed;
  std::vector<ResultView> views;
};

} // namespace qopt

#endif // QOPT_RUNNER_JITRUNNER_H
