//===- Passes.h - qopt conversion passes ------------------------*- C++ -*-===//
//
// Declarations of the passes that lower qnn.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_PASSES_H
#define QOPT_CONVERSION_PASSES_H

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Conversion/Passes.h.inc"

} // namespace qopt

#endif // QOPT_CONVERSION_PASSES_H
