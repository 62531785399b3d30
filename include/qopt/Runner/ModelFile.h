//===- ModelFile.h - A parsed model file and its context --------*- C++ -*-===//
//
// What qrun and qcc share before lowering: a context with qopt's dialects, a
// source manager holding the file, and a diagnostic handler printing
// against it, which must outlive every pass run on the module.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_RUNNER_MODELFILE_H
#define QOPT_RUNNER_MODELFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>

namespace qopt {

/// Registers, for a tool named `tool` built on llvm::cl, MLIR's debugging
/// options (--mlir-print-ir-after-all, --mlir-timing, ...; lowerFunction
/// applies them) and the --version printer.
void registerToolOptions(llvm::StringRef tool);

class ModelFile {
public:
  /// Opens and parses `path`. An unreadable file is an error; a parse error
  /// has already been printed when the returned error's message is empty.
  static llvm::Expected<std::unique_ptr<ModelFile>> open(llvm::StringRef path);

  mlir::ModuleOp getModule() { return *module; }

private:
  ModelFile();

  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace qopt

#endif // QOPT_RUNNER_MODELFILE_H
