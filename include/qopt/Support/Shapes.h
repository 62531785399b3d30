//===- Shapes.h - What a dimension may be, and checked arithmetic -*- C++ -*-=//
//
// One rule for the sizes of every tensor qopt compiles or reads, and the
// overflow-checked arithmetic that shape computations use:
//
//   - a static dimension is at least 1 and at most kMaxDimSize (2^31 - 1);
//   - a tensor holds at most kMaxElements (2^32) elements.
//
// The limits keep every index, size and byte count of a compiled model (and
// of the shape arithmetic of the verifiers and passes) far from int64
// overflow, and they are far above what a network needs (resnet18's largest
// activation has 8e5 elements per image). Zero-sized dimensions are
// rejected: no PyTorch layer qopt models produces one, and allowing them
// would make every per-channel or per-element division a special case.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_SHAPES_H
#define QOPT_SUPPORT_SHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace qopt {

inline constexpr int64_t kMaxDimSize = (int64_t(1) << 31) - 1;
inline constexpr int64_t kMaxElements = int64_t(1) << 32;

/// a * b, a + b and a - b, or nullopt when the result overflows int64.
std::optional<int64_t> checkedMul(int64_t a, int64_t b);
std::optional<int64_t> checkedAdd(int64_t a, int64_t b);
std::optional<int64_t> checkedSub(int64_t a, int64_t b);

/// The product of `dims`, or nullopt when it overflows. Every entry must be
/// a size (no dynamic marker).
std::optional<int64_t> checkedProduct(llvm::ArrayRef<int64_t> dims);

/// Checks `dims` (static sizes; entries below 0 are dynamic and skipped)
/// against the rule above. Returns an empty string when they follow it,
/// else what is wrong ("dimension 2 is 0; ...").
std::string checkShapeLimits(llvm::ArrayRef<int64_t> dims);

/// Output size of one spatial dimension of a window (convolution or
/// pooling; PyTorch's pooling_output_shape): `in` padded by `pad` on both
/// sides, a kernel of `kernel` taps `dilation` apart, moved by `stride`.
/// nullopt when the dilated kernel does not fit in the padded input or the
/// arithmetic overflows (which only sizes far beyond the limits can make).
std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t pad,
                                        int64_t dilation, bool ceilMode);

} // namespace qopt

#endif // QOPT_SUPPORT_SHAPES_H
