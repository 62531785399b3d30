/*===- QPoolAVX512.c - Quantized pooling, AVX-512 --------------*- C -*-===*\
|*                                                                          *|
|* Max pooling 64 channels at a time (vpmaxub / vpmaxsb); global average    *|
|* pooling 16 channels at a time in int32 lanes, then QPoolGeneric.c's     *|
|* float operations per lane.                                               *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

QOPT_AVX512 static inline __mmask64 qopt_mask64(int64_t valid) {
  return valid >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << valid) - 1);
}

QOPT_AVX512 void qopt_qmaxpool_avx512(const int64_t *d, const uint8_t *x,
                                      uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t h = d[QOPT_POOL_H], w = d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  int64_t oh = d[QOPT_POOL_OH], ow = d[QOPT_POOL_OW];
  /* The storage minimum, which any input beats or equals. */
  __m512i lowest = _mm512_set1_epi8(isSigned ? (char)-128 : 0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        uint8_t *out = y + ((n * oh + i) * ow + j) * c;
        for (int64_t c0 = 0; c0 < c; c0 += 64) {
          __mmask64 mask = qopt_mask64(c - c0);
          __m512i best = lowest;
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
              __m512i v = _mm512_maskz_loadu_epi8(
                  mask, x + ((n * h + ih) * w + iw) * c + c0);
              best = isSigned ? _mm512_max_epi8(best, v)
                              : _mm512_max_epu8(best, v);
            }
          }
          _mm512_mask_storeu_epi8(out + c0, mask, best);
        }
      }
}

QOPT_AVX512 void qopt_qglobalavgpool_avx512(const int64_t *d, const uint8_t *x,
                                            uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t pixels = d[QOPT_POOL_H] * d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  __m512 r = _mm512_set1_ps(qopt_bits_to_float((int32_t)d[QOPT_POOL_SCALE]));
  __m512i bias = _mm512_set1_epi32((int32_t)d[QOPT_POOL_BIAS]);
  __m512 after =
      _mm512_set1_ps(qopt_bits_to_float((int32_t)d[QOPT_POOL_AFTER]));
  __m512 lo = _mm512_set1_ps(isSigned ? -128.0f : 0.0f);
  __m512 hi = _mm512_set1_ps(isSigned ? 127.0f : 255.0f);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c0 = 0; c0 < c; c0 += 16) {
      __mmask16 mask = qopt_mask16(c - c0);
      __m512i sum = bias;
      for (int64_t q = 0; q < pixels; ++q) {
        __m128i bytes =
            _mm_maskz_loadu_epi8(mask, x + (n * pixels + q) * c + c0);
        sum = _mm512_add_epi32(sum, isSigned ? _mm512_cvtepi8_epi32(bytes)
                                             : _mm512_cvtepu8_epi32(bytes));
      }
      __m512 v = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sum), r),
                               _mm512_setzero_ps());
      v = _mm512_add_ps(_mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT |
                                                    _MM_FROUND_NO_EXC),
                        after);
      v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
      qopt_store16(y + n * c + c0, mask, _mm512_cvttps_epi32(v), isSigned);
    }
}
