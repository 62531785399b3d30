//===- ModelFile.cpp - A parsed model file and its context ------*- C++ -*-===//
//
// Loading shared by qrun and qcc.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/ModelFile.h"

#include "qopt/InitQopt.h"
#include "qopt/Support/SourceCheck.h"
#include "qopt/Support/Version.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

using namespace qopt;

static mlir::DialectRegistry makeRegistry() {
  mlir::DialectRegistry registry;
  registerQoptDialects(registry);
  return registry;
}

ModelFile::ModelFile() : context(makeRegistry()), handler(sourceMgr, &context) {
  // Diagnostics point at the source line; the operation itself (with, say,
  // a 2048-bin histogram) would bury the message.
  context.printOpOnDiagnostic(false);
}

llvm::Expected<std::unique_ptr<ModelFile>>
ModelFile::open(llvm::StringRef path) {
  std::unique_ptr<ModelFile> model(new ModelFile());
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      mlir::openInputFile(path, &error);
  if (!buffer)
    return llvm::createStringError(error);
  if (llvm::Error err = checkSourceForParserCrashes(
          buffer->getBuffer(), buffer->getBufferIdentifier()))
    return std::move(err);
  model->sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  model->module =
      mlir::parseSourceFile<mlir::ModuleOp>(model->sourceMgr, &model->context);
  if (!model->module)
    return llvm::createStringError(""); // The parser has reported it.
  return model;
}

void qopt::registerToolOptions(llvm::StringRef tool) {
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  registerVersionPrinter(tool);
}
