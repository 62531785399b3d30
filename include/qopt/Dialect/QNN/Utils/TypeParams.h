//===- TypeParams.h - The contract's view of a quantized type ---*- C++ -*-===//
//
// Scales, zero points and storage range of a `!quant.uniform` tensor type as
// docs/Numerics.md uses them, shared by the linalg lowering and the kernel
// code generation so both read a type the same way.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_UTILS_TYPEPARAMS_H
#define QOPT_DIALECT_QNN_UTILS_TYPEPARAMS_H

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Support/QuantParams.h"

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <utility>

namespace qopt::qnn {

/// The parameters of a quantized tensor type: float32 scales, integer zero
/// points, the storage range.
struct TypeParams {
  llvm::SmallVector<float> scales;
  llvm::SmallVector<int64_t> zeroPoints;
  /// The quantized dimension, or -1 per tensor.
  int64_t axis = -1;
  bool isSigned = true;
  QuantRange storage{0, 0};

  float scale(int64_t i = 0) const { return scales[axis < 0 ? 0 : i]; }
  int64_t zeroPoint(int64_t i = 0) const {
    return zeroPoints[axis < 0 ? 0 : i];
  }
};

/// The parameters of `type`, a quantized tensor type or its element type.
TypeParams getTypeParams(mlir::Type type);

/// The output range [lo, hi] of rule R and rule I for `out` and a fused
/// activation: the storage range, from the zero point up with relu, up to
/// Q(6) as well with relu6.
std::pair<int64_t, int64_t> getRequantizedRange(const TypeParams &out,
                                                Activation activation);

} // namespace qopt::qnn

#endif // QOPT_DIALECT_QNN_UTILS_TYPEPARAMS_H
