/*===- QPoolAVX2.c - Quantized pooling, AVX2 -------------------*- C -*-===*\
|*                                                                          *|
|* Max pooling 32 channels at a time, then 16, then the rest through a     *|
|* 16-byte buffer, over the window's taps inside the input (found once per  *|
|* output pixel); global average pooling 8 channels at a time, a partial    *|
|* block through KernelCommon.h's scalar code channel by channel.           *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

/* The largest of `a` and `b`, 16 bytes of the pooling's storage type. */
QOPT_AVX2 static inline __m128i qopt_max16(__m128i a, __m128i b, int isSigned) {
  return isSigned ? _mm_max_epi8(a, b) : _mm_max_epu8(a, b);
}

QOPT_AVX2 void qopt_qmaxpool_avx2(const int64_t *d, const uint8_t *x,
                                  uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t h = d[QOPT_POOL_H], w = d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  int64_t oh = d[QOPT_POOL_OH], ow = d[QOPT_POOL_OW];
  int64_t kh = d[QOPT_POOL_KH], kw = d[QOPT_POOL_KW];
  int64_t full = c / 32 * 32, half = c - full >= 16 ? full + 16 : full;
  char storageMin = isSigned ? (char)-128 : 0;
  __m256i lowest = _mm256_set1_epi8(storageMin);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        uint8_t *out = y + ((n * oh + i) * ow + j) * c;
        /* The window's taps inside the input (padding never wins). */
        const uint8_t *taps[64];
        int64_t count = 0, skipped = 0;
        for (int64_t ki = 0; ki < kh; ++ki) {
          int64_t ih =
              i * d[QOPT_POOL_SH] - d[QOPT_POOL_PH] + ki * d[QOPT_POOL_DH];
          for (int64_t kj = 0; kj < kw; ++kj) {
            int64_t iw =
                j * d[QOPT_POOL_SW] - d[QOPT_POOL_PW] + kj * d[QOPT_POOL_DW];
            if (ih < 0 || ih >= h || iw < 0 || iw >= w)
              continue;
            if (count < 64)
              taps[count++] = x + ((n * h + ih) * w + iw) * c;
            else
              skipped = 1;
          }
        }
        if (skipped) { /* windows of more than 64 taps: channel by channel */
          for (int64_t ch = 0; ch < c; ++ch)
            out[ch] = qopt_maxpool_channel(d, x, n, i, j, ch);
          continue;
        }
        for (int64_t c0 = 0; c0 < full; c0 += 32) {
          __m256i best = lowest;
          for (int64_t t = 0; t < count; ++t) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(taps[t] + c0));
            best =
                isSigned ? _mm256_max_epi8(best, v) : _mm256_max_epu8(best, v);
          }
          _mm256_storeu_si256((__m256i *)(out + c0), best);
        }
        if (half > full) {
          __m128i best = _mm256_castsi256_si128(lowest);
          for (int64_t t = 0; t < count; ++t)
            best = qopt_max16(
                best, _mm_loadu_si128((const __m128i *)(taps[t] + full)),
                isSigned);
          _mm_storeu_si128((__m128i *)(out + full), best);
        }
        if (half < c) { /* fewer than 16 channels left */
          size_t tail = (size_t)(c - half);
          __m128i best = _mm256_castsi256_si128(lowest);
          uint8_t lanes[16];
          memset(lanes, storageMin, sizeof lanes);
          for (int64_t t = 0; t < count; ++t) {
            memcpy(lanes, taps[t] + half, tail);
            best = qopt_max16(best, _mm_loadu_si128((const __m128i *)lanes),
                              isSigned);
          }
          _mm_storeu_si128((__m128i *)lanes, best);
          memcpy(out + half, lanes, tail);
        }
      }
}

QOPT_AVX2 void qopt_qglobalavgpool_avx2(const int64_t *d, const uint8_t *x,
                                        uint8_t *y, int64_t batch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t pixels = d[QOPT_POOL_H] * d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  float scale = qopt_bits_to_float((int32_t)d[QOPT_POOL_SCALE]);
  __m256 r = _mm256_set1_ps(scale);
  __m256i bias = _mm256_set1_epi32((int32_t)d[QOPT_POOL_BIAS]);
  __m256 after =
      _mm256_set1_ps(qopt_bits_to_float((int32_t)d[QOPT_POOL_AFTER]));
  __m256 lo = _mm256_set1_ps(isSigned ? -128.0f : 0.0f);
  __m256 hi = _mm256_set1_ps(isSigned ? 127.0f : 255.0f);
  int64_t full = c / 8 * 8;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c0 = 0; c0 < full; c0 += 8) {
      __m256i sum = bias;
      for (int64_t q = 0; q < pixels; ++q) {
        int64_t bits;
        memcpy(&bits, x + (n * pixels + q) * c + c0, 8);
        __m128i bytes = _mm_cvtsi64_si128(bits);
        sum = _mm256_add_epi32(sum, isSigned ? _mm256_cvtepi8_epi32(bytes)
                                             : _mm256_cvtepu8_epi32(bytes));
      }
      __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sum), r),
                               _mm256_setzero_ps());
      v = _mm256_add_ps(
          _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
          after);
      v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
      qopt_store8(y + n * c + c0, 8, _mm256_cvttps_epi32(v), isSigned);
    }
    for (int64_t ch = full; ch < c; ++ch)
      y[n * c + ch] = qopt_globalavgpool_channel(d, x, n, ch);
  }
}
