/*===- QPoolGeneric.c - Portable quantized pooling -------------*- C -*-===*\
|*                                                                          *|
|* Max and global average pooling on NHWC storage bytes (KernelABI.h); the  *|
|* reference the vector variants are tested against.                        *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "KernelCommon.h"

void qopt_qmaxpool_generic(const int64_t *d, const uint8_t *x, uint8_t *y,
                           int64_t batch) {
  int64_t oh = d[QOPT_POOL_OH], ow = d[QOPT_POOL_OW], c = d[QOPT_POOL_C];
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < c; ++ch)
          y[((n * oh + i) * ow + j) * c + ch] =
              qopt_maxpool_channel(d, x, n, i, j, ch);
}

void qopt_qglobalavgpool_generic(const int64_t *d, const uint8_t *x, uint8_t *y,
                                 int64_t batch) {
  int64_t c = d[QOPT_POOL_C];
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ch = 0; ch < c; ++ch)
      y[n * c + ch] = qopt_globalavgpool_channel(d, x, n, ch);
}
