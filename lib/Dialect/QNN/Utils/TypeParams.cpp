//===- TypeParams.cpp - The contract's view of a quantized type -*- C++ -*-===//

#include "qopt/Dialect/QNN/Utils/TypeParams.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>

using namespace mlir;

qopt::qnn::TypeParams qopt::qnn::getTypeParams(Type type) {
  auto qtype = cast<quant::QuantizedType>(getElementTypeOrSelf(type));
  TypeParams p;
  p.isSigned = qtype.isSigned();
  p.storage = {qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    p.scales.push_back(static_cast<float>(uniform.getScale()));
    p.zeroPoints.push_back(uniform.getZeroPoint());
    return p;
  }
  auto perAxis = cast<quant::UniformQuantizedPerAxisType>(qtype);
  for (double s : perAxis.getScales())
    p.scales.push_back(static_cast<float>(s));
  llvm::append_range(p.zeroPoints, perAxis.getZeroPoints());
  p.axis = perAxis.getQuantizedDimension();
  return p;
}

std::pair<int64_t, int64_t>
qopt::qnn::getRequantizedRange(const TypeParams &out, Activation activation) {
  int64_t zy = out.zeroPoint();
  int64_t lo = out.storage.min, hi = out.storage.max;
  if (activation != Activation::None)
    lo = zy;
  if (activation == Activation::Relu6)
    hi = std::min<int64_t>(out.storage.max,
                           quantizeValue(6.0f, out.scale(), zy, out.storage));
  return {lo, hi};
}
