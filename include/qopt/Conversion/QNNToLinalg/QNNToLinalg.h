//===- QNNToLinalg.h - Lowering qnn to linalg -------------------*- C++ -*-===//
//
// Patterns that lower float qnn operations to linalg on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
#define QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace qopt {

/// Patterns lowering the float forms of conv, linear and the pooling ops.
void populateQNNToLinalgWeightedAndPoolingPatterns(
    mlir::RewritePatternSet &patterns);

/// Patterns lowering the float elementwise and shape ops and the markers.
void populateQNNToLinalgElementwisePatterns(mlir::RewritePatternSet &patterns);

/// All patterns of convert-qnn-to-linalg.
void populateQNNToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace qopt

#endif // QOPT_CONVERSION_QNNTOLINALG_QNNTOLINALG_H
