/*===- QPoolGeneric.c - Portable quantized pooling -------------*- C -*-===*\
|*                                                                          *|
|* Max and global average pooling on NHWC storage bytes (KernelABI.h); the  *|
|* reference the vector variants are tested against.                        *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "KernelCommon.h"

static inline int32_t qopt_pool_load(const uint8_t *x, int64_t index,
                                     int isSigned) {
  return isSigned ? (int32_t)(int8_t)x[index] : (int32_t)x[index];
}

void qopt_qmaxpool_generic(const int64_t *d, const uint8_t *x, uint8_t *y,
                           int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t h = d[QOPT_POOL_H], w = d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  int64_t oh = d[QOPT_POOL_OH], ow = d[QOPT_POOL_OW];
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < c; ++ch) {
          int32_t best = isSigned ? -128 : 0;
          for (int64_t ki = 0; ki < d[QOPT_POOL_KH]; ++ki)
            for (int64_t kj = 0; kj < d[QOPT_POOL_KW]; ++kj) {
              int64_t ih =
                  i * d[QOPT_POOL_SH] - d[QOPT_POOL_PH] + ki * d[QOPT_POOL_DH];
              int64_t iw =
                  j * d[QOPT_POOL_SW] - d[QOPT_POOL_PW] + kj * d[QOPT_POOL_DW];
              if (ih < 0 || ih >= h || iw < 0 || iw >= w)
                continue;
              int32_t v =
                  qopt_pool_load(x, ((n * h + ih) * w + iw) * c + ch, isSigned);
              best = v > best ? v : best;
            }
          y[((n * oh + i) * ow + j) * c + ch] = (uint8_t)best;
        }
}

void qopt_qglobalavgpool_generic(const int64_t *d, const uint8_t *x, uint8_t *y,
                                 int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t pixels = d[QOPT_POOL_H] * d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  float r = qopt_bits_to_float((int32_t)d[QOPT_POOL_SCALE]);
  float lo = isSigned ? -128.0f : 0.0f, hi = isSigned ? 127.0f : 255.0f;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ch = 0; ch < c; ++ch) {
      int32_t sum = 0;
      for (int64_t q = 0; q < pixels; ++q)
        sum += qopt_pool_load(x, (n * pixels + q) * c + ch, isSigned);
      float v = qopt_round_even((float)sum * r + 0.0f);
      v = v < lo ? lo : v > hi ? hi : v;
      y[n * c + ch] = (uint8_t)(int32_t)v;
    }
}
