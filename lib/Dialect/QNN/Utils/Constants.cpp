//===- Constants.cpp - Reading and building constant tensors ----*- C++ -*-===//
//
// Constant f32 tensors as arith.constant of dense or dense_resource data.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

FailureOr<SmallVector<float>> qopt::qnn::getConstantFloats(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return failure();
  Attribute attr = constant.getValue();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    if (!dense.getElementType().isF32())
      return failure();
    return SmallVector<float>(dense.getValues<float>());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    // A blob that was never loaded (elided from the file) has no data.
    if (!data || static_cast<int64_t>(data->size()) !=
                     resource.getType().getNumElements())
      return failure();
    return SmallVector<float>(*data);
  }
  return failure();
}

Value qopt::qnn::createFloatConstant(OpBuilder &builder, Location loc,
                                     RankedTensorType type,
                                     ArrayRef<float> data, StringRef blobName) {
  if (type.getNumElements() >= kResourceBlobThreshold)
    return arith::ConstantOp::create(
        builder, loc,
        cast<TypedAttr>(Attribute(DenseF32ResourceElementsAttr::get(
            type, blobName,
            HeapAsmResourceBlob::allocateAndCopyInferAlign(data)))));
  return arith::ConstantOp::create(builder, loc,
                                   DenseElementsAttr::get(type, data));
}
