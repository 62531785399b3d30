//===- InitQopt.cpp - Registration of qopt's dialects and passes -*- C++ -*-=//
//
// The dialect and pass sets of the qopt tools.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitQopt.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void qopt::registerQoptDialects(mlir::DialectRegistry &registry) {
  registry.insert<qnn::QNNDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::quant::QuantDialect,
                  mlir::tensor::TensorDialect>();
}

void qopt::registerQoptPasses() {
  qnn::registerQNNPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  mlir::registerPrintOpStatsPass();
}
