//===- qopt.cpp - The qopt optimizer driver ---------------------*- C++ -*-===//
//
// An mlir-opt style driver for the qnn dialect and qopt's passes. It reads
// its input itself, to refuse the IR that crashes MLIR 22's parser
// (qopt/Support/SourceCheck.h) before handing the buffer to MlirOptMain.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitQopt.h"
#include "qopt/Support/SourceCheck.h"
#include "qopt/Support/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  qopt::registerQoptPasses();
  qopt::registerVersionPrinter("qopt");
  mlir::DialectRegistry registry;
  qopt::registerQoptDialects(registry);
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "qopt: quantization compiler for PyTorch-style models\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  // Listings read no input: MlirOptMain prints them.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << "qopt: error: " << error << "\n";
    return EXIT_FAILURE;
  }
  if (llvm::Error err = qopt::checkSourceForParserCrashes(
          input->getBuffer(), input->getBufferIdentifier())) {
    llvm::errs() << "qopt: error: " << llvm::toString(std::move(err)) << "\n";
    return EXIT_FAILURE;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "qopt: error: " << error << "\n";
    return EXIT_FAILURE;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return EXIT_FAILURE;
  output->keep();
  return EXIT_SUCCESS;
}
