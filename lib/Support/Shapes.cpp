//===- Shapes.cpp - What a dimension may be, and checked arithmetic -------===//

#include "qopt/Support/Shapes.h"

#include "llvm/Support/MathExtras.h"

using namespace qopt;

std::optional<int64_t> qopt::checkedMul(int64_t a, int64_t b) {
  int64_t result;
  if (llvm::MulOverflow(a, b, result))
    return std::nullopt;
  return result;
}

std::optional<int64_t> qopt::checkedAdd(int64_t a, int64_t b) {
  int64_t result;
  if (llvm::AddOverflow(a, b, result))
    return std::nullopt;
  return result;
}

std::optional<int64_t> qopt::checkedSub(int64_t a, int64_t b) {
  int64_t result;
  if (llvm::SubOverflow(a, b, result))
    return std::nullopt;
  return result;
}

std::optional<int64_t> qopt::checkedProduct(llvm::ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t d : dims) {
    std::optional<int64_t> next = checkedMul(product, d);
    if (!next)
      return std::nullopt;
    product = *next;
  }
  return product;
}

std::string qopt::checkShapeLimits(llvm::ArrayRef<int64_t> dims) {
  int64_t elements = 1;
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d < 0)
      continue;
    if (d < 1 || d > kMaxDimSize)
      return "dimension " + std::to_string(i) + " is " + std::to_string(d) +
             "; qopt supports dimensions of 1 to 2^31 - 1";
    // Both factors are below 2^32 here: no overflow.
    elements *= d;
    if (elements > kMaxElements)
      return "it has more than 2^32 elements, the most qopt supports in one "
             "tensor";
  }
  return "";
}

std::optional<int64_t> qopt::windowOutputSize(int64_t in, int64_t kernel,
                                              int64_t stride, int64_t pad,
                                              int64_t dilation, bool ceilMode) {
  // span = in + 2 * pad - dilation * (kernel - 1) - 1
  std::optional<int64_t> padded = checkedAdd(in, 0);
  for (int i = 0; i < 2 && padded; ++i)
    padded = checkedAdd(*padded, pad);
  std::optional<int64_t> reach = checkedMul(dilation, kernel - 1);
  if (!padded || !reach || stride < 1)
    return std::nullopt;
  std::optional<int64_t> span = checkedSub(*padded, *reach);
  if (!span || *span < 1)
    return std::nullopt;
  --*span;
  std::optional<int64_t> top = checkedAdd(*span, ceilMode ? stride - 1 : 0);
  if (!top)
    return std::nullopt;
  int64_t out = *top / stride + 1;
  // The last window must start inside the input or the left padding.
  if (ceilMode && (out - 1) * stride >= in + pad)
    --out;
  return out;
}
