/*===- QPoolAVX2.c - Quantized pooling, AVX2 -------------------*- C -*-===*\
|*                                                                          *|
|* QPoolAVX512.c with 32 channels at a time for max pooling and 8 for       *|
|* global average pooling; a partial block of channels takes the scalar     *|
|* code of KernelCommon.h channel by channel.                               *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

QOPT_AVX2 void qopt_qmaxpool_avx2(const int64_t *d, const uint8_t *x,
                                  uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t h = d[QOPT_POOL_H], w = d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  int64_t oh = d[QOPT_POOL_OH], ow = d[QOPT_POOL_OW];
  int64_t full = c / 32 * 32;
  __m256i lowest = _mm256_set1_epi8(isSigned ? (char)-128 : 0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        uint8_t *out = y + ((n * oh + i) * ow + j) * c;
        for (int64_t c0 = 0; c0 < full; c0 += 32) {
          __m256i best = lowest;
          for (int64_t ki = 0; ki < d[QOPT_POOL_KH]; ++ki) {
            int64_t ih =
                i * d[QOPT_POOL_SH] - d[QOPT_POOL_PH] + ki * d[QOPT_POOL_DH];
            if (ih < 0 || ih >= h)
              continue;
            for (int64_t kj = 0; kj < d[QOPT_POOL_KW]; ++kj) {
              int64_t iw =
                  j * d[QOPT_POOL_SW] - d[QOPT_POOL_PW] + kj * d[QOPT_POOL_DW];
              if (iw < 0 || iw >= w)
                continue;
              __m256i v = _mm256_loadu_si256(
                  (const __m256i *)(x + ((n * h + ih) * w + iw) * c + c0));
              best = isSigned ? _mm256_max_epi8(best, v)
                              : _mm256_max_epu8(best, v);
            }
          }
          _mm256_storeu_si256((__m256i *)(out + c0), best);
        }
        for (int64_t ch = full; ch < c; ++ch)
          out[ch] = qopt_maxpool_channel(d, x, n, i, j, ch);
      }
}

QOPT_AVX2 void qopt_qglobalavgpool_avx2(const int64_t *d, const uint8_t *x,
                                        uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t pixels = d[QOPT_POOL_H] * d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  float scale = qopt_bits_to_float((int32_t)d[QOPT_POOL_SCALE]);
  __m256 r = _mm256_set1_ps(scale);
  __m256 lo = _mm256_set1_ps(isSigned ? -128.0f : 0.0f);
  __m256 hi = _mm256_set1_ps(isSigned ? 127.0f : 255.0f);
  int64_t full = c / 8 * 8;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c0 = 0; c0 < full; c0 += 8) {
      __m256i sum = _mm256_setzero_si256();
      for (int64_t q = 0; q < pixels; ++q) {
        int64_t bits;
        memcpy(&bits, x + (n * pixels + q) * c + c0, 8);
        __m128i bytes = _mm_cvtsi64_si128(bits);
        sum = _mm256_add_epi32(sum, isSigned ? _mm256_cvtepi8_epi32(bytes)
                                             : _mm256_cvtepu8_epi32(bytes));
      }
      __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sum), r),
                               _mm256_setzero_ps());
      v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
      qopt_store8(y + n * c + c0, 8, _mm256_cvttps_epi32(v), isSigned);
    }
    for (int64_t ch = full; ch < c; ++ch)
      y[n * c + ch] = qopt_globalavgpool_channel(d, x, n, ch);
  }
}
