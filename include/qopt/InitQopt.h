//===- InitQopt.h - Registration of qopt's dialects and passes --*- C++ -*-===//
//
// One place that knows which dialects and passes the qopt tools use, so that
// qopt, and later qrun and qcc, register the same set.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITQOPT_H
#define QOPT_INITQOPT_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt {

/// Adds qnn and the upstream dialects qopt's pipelines consume or produce.
void registerQoptDialects(mlir::DialectRegistry &registry);

/// Registers qopt's passes and the generic upstream passes a user runs
/// between them (canonicalize, cse, ...), for command-line use.
void registerQoptPasses();

} // namespace qopt

#endif // QOPT_INITQOPT_H
