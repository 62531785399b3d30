//===- qopt.cpp - The qopt optimizer driver ---------------------*- C++ -*-===//
//
// An mlir-opt style driver for the qnn dialect and qopt's passes.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitQopt.h"
#include "qopt/Support/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  qopt::registerQoptPasses();
  qopt::registerVersionPrinter("qopt");
  mlir::DialectRegistry registry;
  qopt::registerQoptDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qopt: quantization compiler for PyTorch-style models\n",
      registry));
}
