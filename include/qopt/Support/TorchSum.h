//===- TorchSum.h - ATen's cascade sum, over any value type -----*- C++ -*-===//
//
// The order in which torch.sum (and torch.mean) adds a contiguous float32
// row on CPU: aten/src/ATen/native/cpu/SumKernel.cpp's cascade_sum in
// PyTorch 1.13. Written over a value type and an add function so that the
// observers evaluate it on floats and the lowering emits it as IR.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_TORCHSUM_H
#define QOPT_SUPPORT_TORCHSUM_H

#include "llvm/ADT/ArrayRef.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace qopt {
namespace torch_sum_detail {

constexpr int64_t kLanes = 8; // Vectorized<float>::size()
constexpr int64_t kIlp = 4;   // row_sum's ilp_factor

inline int64_t ceilLog2(int64_t x) {
  int64_t bits = 0;
  while ((int64_t{1} << bits) < x)
    ++bits;
  return bits;
}

/// multi_row_sum: `size` rows of `width` entries accumulated through four
/// levels of partial sums, each level flushed every 2^levelPower rows.
template <typename T, typename Add>
std::vector<T> multiRowSum(llvm::ArrayRef<T> rows, int64_t size, int64_t width,
                           T zero, Add &add) {
  constexpr int64_t numLevels = 4;
  const int64_t levelPower = std::max<int64_t>(4, ceilLog2(size) / numLevels);
  const int64_t levelStep = int64_t{1} << levelPower;
  const int64_t levelMask = levelStep - 1;
  std::vector<std::vector<T>> acc(numLevels, std::vector<T>(width, zero));
  auto addRow = [&](int64_t i) {
    for (int64_t k = 0; k < width; ++k)
      acc[0][k] = add(acc[0][k], rows[i * width + k]);
  };
  int64_t i = 0;
  while (i + levelStep <= size) {
    for (int64_t j = 0; j < levelStep; ++j, ++i)
      addRow(i);
    for (int64_t j = 1; j < numLevels; ++j) {
      for (int64_t k = 0; k < width; ++k) {
        acc[j][k] = add(acc[j][k], acc[j - 1][k]);
        acc[j - 1][k] = zero;
      }
      if ((i & (levelMask << (j * levelPower))) != 0)
        break;
    }
  }
  for (; i < size; ++i)
    addRow(i);
  for (int64_t j = 1; j < numLevels; ++j)
    for (int64_t k = 0; k < width; ++k)
      acc[0][k] = add(acc[0][k], acc[j][k]);
  return acc[0];
}

/// row_sum: the row as (-1, 4) partial sums (each entry `width` wide), the
/// leftover entries into the first partial, then the partials folded.
template <typename T, typename Add>
std::vector<T> rowSum(llvm::ArrayRef<T> entries, int64_t count, int64_t width,
                      T zero, Add &add) {
  const int64_t sizeIlp = count / kIlp;
  std::vector<T> partial =
      multiRowSum(entries.take_front(sizeIlp * kIlp * width), sizeIlp,
                  kIlp * width, zero, add);
  // partial holds kIlp entries of `width` lanes each.
  for (int64_t i = sizeIlp * kIlp; i < count; ++i)
    for (int64_t k = 0; k < width; ++k)
      partial[k] = add(partial[k], entries[i * width + k]);
  for (int64_t p = 1; p < kIlp; ++p)
    for (int64_t k = 0; k < width; ++k)
      partial[k] = add(partial[k], partial[p * width + k]);
  partial.resize(width);
  return partial;
}

} // namespace torch_sum_detail

/// torch.sum of a contiguous float32 row, in ATen's order: `add(a, b)` is
/// one float32 addition and `zero` is +0.0.
template <typename T, typename Add>
T torchCascadeSum(llvm::ArrayRef<T> values, T zero, Add add) {
  using namespace torch_sum_detail;
  const int64_t n = static_cast<int64_t>(values.size());
  if (n < kLanes) // scalar_inner_sum
    return add(zero, rowSum(values, n, 1, zero, add)[0]);
  // vectorized_inner_sum: 8-lane vectors through row_sum, then the scalar
  // tail, then the lanes in order.
  const int64_t vectors = n / kLanes;
  std::vector<T> lanes =
      rowSum(values.take_front(vectors * kLanes), vectors, kLanes, zero, add);
  T total = zero;
  for (int64_t k = vectors * kLanes; k < n; ++k)
    total = add(total, values[k]);
  for (const T &lane : lanes)
    total = add(total, lane);
  return add(zero, total);
}

} // namespace qopt

#endif // QOPT_SUPPORT_TORCHSUM_H
