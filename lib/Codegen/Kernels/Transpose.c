/*===- Transpose.c - Layout changes at a model's edges -----------*- C -*-===*\
|*                                                                          *|
|* The kernels run on NHWC and a model's inputs and results are NCHW, so a  *|
|* transpose stays at each edge of a run of kernels (qnn-propagate-layout   *|
|* removes the ones in between). Each is a transpose of every image's      *|
|* rows x cols matrix: C x HW for NCHW to NHWC, HW x C back. Written as     *|
|* loops over 8x8 blocks of elements of one size, which the optimizer turns *|
|* into register shuffles, instead of the element-by-element copy with     *|
|* strided loads or stores that the linalg lowering makes of it.           *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "qopt/Codegen/KernelABI.h"

#include <stdint.h>
#include <string.h>

enum { QOPT_TRANSPOSE_BLOCK = 8 };

/* y[n][c][r] = x[n][r][c] for elements of type T: full 8x8 blocks first,
 * then the edges. */
#define QOPT_TRANSPOSE(NAME, T)                                                \
  void NAME(const T *x, T *y, int64_t batch, int64_t rows, int64_t cols) {     \
    enum { B = QOPT_TRANSPOSE_BLOCK };                                         \
    int64_t fullRows = rows / B * B, fullCols = cols / B * B;                  \
    for (int64_t n = 0; n < batch; ++n) {                                      \
      const T *src = x + n * rows * cols;                                      \
      T *dst = y + n * rows * cols;                                            \
      for (int64_t r0 = 0; r0 < fullRows; r0 += B) {                           \
        for (int64_t c0 = 0; c0 < fullCols; c0 += B) {                         \
          T block[B][B];                                                       \
          for (int i = 0; i < B; ++i)                                          \
            memcpy(block[i], src + (r0 + i) * cols + c0, sizeof block[i]);     \
          for (int j = 0; j < B; ++j)                                          \
            for (int i = 0; i < B; ++i)                                        \
              dst[(c0 + j) * rows + r0 + i] = block[i][j];                     \
        }                                                                      \
        for (int64_t c = fullCols; c < cols; ++c)                              \
          for (int i = 0; i < B; ++i)                                          \
            dst[c * rows + r0 + i] = src[(r0 + i) * cols + c];                 \
      }                                                                        \
      for (int64_t r = fullRows; r < rows; ++r)                                \
        for (int64_t c = 0; c < cols; ++c)                                     \
          dst[c * rows + r] = src[r * cols + c];                               \
    }                                                                          \
  }

QOPT_TRANSPOSE(qopt_transpose_b1, uint8_t)
QOPT_TRANSPOSE(qopt_transpose_b4, uint32_t)
