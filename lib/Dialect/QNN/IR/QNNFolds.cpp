//===- QNNFolds.cpp - Folders of the qnn operations -------------*- C++ -*-===//
//
// Folds that are exact in both domains.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

using namespace mlir;
using namespace qopt::qnn;

namespace {

/// True if every value `v` takes is already >= 0 (float) or >= its zero
/// point (quantized), so that relu leaves it unchanged.
bool isNonNegative(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<ReluOp>(def))
    return true;
  if (auto attr = def->getAttrOfType<ActivationAttr>("activation"))
    return attr.getValue() != Activation::None;
  if (auto clamp = dyn_cast<ClampOp>(def))
    return clamp.getMin().convertToFloat() >= 0.0f;
  return false;
}

} // namespace

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu(relu(x)), relu of a fused relu/relu6, relu of a clamp at >= 0.
  if (isNonNegative(getInput()))
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) is one reshape of x.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  auto isIdentity = [](ArrayRef<int64_t> permutation) {
    for (auto [i, d] : llvm::enumerate(permutation))
      if (static_cast<int64_t>(i) != d)
        return false;
    return true;
  };
  if (isIdentity(getPermutation()) && getInput().getType() == getType())
    return getInput();
  // transpose(transpose(x, inner), outer) is transpose(x, inner[outer[i]]):
  // the identity returns x, anything else one transpose.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t d : getPermutation())
      composed.push_back(inner.getPermutation()[d]);
    if (isIdentity(composed) && inner.getInput().getType() == getType())
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  // quantize(dequantize(q)) with the same type is q: |q - zp| <= 255, so
  // (q - zp) * s * (1 / s) stays within 2^-22 relative of q - zp and rounds
  // back to it exactly. (dequantize(quantize(x)) is not the identity.)
  if (auto dequantize = getInput().getDefiningOp<DequantizeOp>())
    if (dequantize.getInput().getType() == getType())
      return dequantize.getInput();
  return {};
}

OpFoldResult RequantizeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
