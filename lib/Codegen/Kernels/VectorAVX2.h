/*===- VectorAVX2.h - AVX2 pieces shared by the kernels --------*- C -*-===*\
|*                                                                          *|
|* Rule R on 8 int32 lanes, and storing 16 lanes as bytes; included by the  *|
|* AVX2 kernels only.                                                       *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELS_VECTORAVX2_H
#define QOPT_CODEGEN_KERNELS_VECTORAVX2_H

#include "KernelCommon.h"

#include <immintrin.h>

#define QOPT_AVX2 __attribute__((target("avx2")))

/* The output zero point in 8 lanes, added before rounding (rule O) or
 * after it (rule R). */
typedef struct {
  __m256 zero;
  int before;
} qopt_zero8_t;

QOPT_AVX2 static inline qopt_zero8_t qopt_zero8(const qopt_conv_t *p) {
  qopt_zero8_t z = {_mm256_set1_ps((float)p->yzero),
                    p->mode == QOPT_REQUANT_ONEDNN};
  return z;
}

/* Rule R (or O) on 8 lanes: clamp(roundeven((float(acc) + p0) * p1) + zy,
 * lo, hi) (rule O: clamp(roundeven((float(acc) + p0) * p1 + zy), lo, hi)),
 * the scalar contract's operations in its order, then to int32. The
 * contract's other addition, of +0.0, is left out: it can only turn -0.0
 * into +0.0, which clamp and the conversion to int32 treat alike. */
QOPT_AVX2 static inline __m256i qopt_requantize8(__m256i acc, const int32_t *p0,
                                                 const int32_t *p1,
                                                 qopt_zero8_t zy, __m256 lo,
                                                 __m256 hi) {
  __m256 f = _mm256_add_ps(_mm256_cvtepi32_ps(acc),
                           _mm256_loadu_ps((const float *)p0));
  f = _mm256_mul_ps(f, _mm256_loadu_ps((const float *)p1));
  if (zy.before)
    f = _mm256_add_ps(f, zy.zero);
  __m256 r = _mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  if (!zy.before)
    r = _mm256_add_ps(r, zy.zero);
  r = _mm256_min_ps(_mm256_max_ps(r, lo), hi);
  return _mm256_cvttps_epi32(r);
}

/* Stores the first `valid` (0..16) of the 16 lanes q0, q1 (inside the
 * storage range) as bytes; the saturating packs only narrow. */
QOPT_AVX2 static inline void qopt_store16x8(uint8_t *out, int64_t valid,
                                            __m256i q0, __m256i q1,
                                            int isSigned) {
  __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1),
                                           _MM_SHUFFLE(3, 1, 2, 0));
  __m128i low = _mm256_castsi256_si128(words);
  __m128i high = _mm256_extracti128_si256(words, 1);
  __m128i bytes =
      isSigned ? _mm_packs_epi16(low, high) : _mm_packus_epi16(low, high);
  if (valid >= 16) {
    _mm_storeu_si128((__m128i *)out, bytes);
  } else {
    uint8_t lanes[16];
    _mm_storeu_si128((__m128i *)lanes, bytes);
    memcpy(out, lanes, (size_t)valid);
  }
}

/* Stores the first `valid` (0..8) lanes of `q` (inside the storage range)
 * as bytes. */
QOPT_AVX2 static inline void qopt_store8(uint8_t *out, int64_t valid, __m256i q,
                                         int isSigned) {
  __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q),
                                  _mm256_extracti128_si256(q, 1));
  __m128i bytes =
      isSigned ? _mm_packs_epi16(words, words) : _mm_packus_epi16(words, words);
  if (valid >= 8) {
    _mm_storel_epi64((__m128i *)out, bytes);
  } else {
    uint8_t lanes[16];
    _mm_storeu_si128((__m128i *)lanes, bytes);
    memcpy(out, lanes, (size_t)valid);
  }
}

/* Rule I on the `valid` first of the 16 lanes q0, q1, one by one, stored
 * as bytes; the per-channel constants start at channel `ch`. */
QOPT_AVX2 static inline void
qopt_requantize_integer16x8(__m256i acc0, __m256i acc1, const qopt_conv_t *p,
                            const int32_t *chan, int64_t t, int64_t ch,
                            int64_t valid, uint8_t *out) {
  int32_t lanes[16];
  _mm256_storeu_si256((__m256i *)lanes, acc0);
  _mm256_storeu_si256((__m256i *)(lanes + 8), acc1);
  for (int64_t n = 0; n < valid; ++n)
    out[n] = (uint8_t)qopt_requantize_integer(
        lanes[n], chan[QOPT_CHAN_P0 * t + ch + n],
        chan[QOPT_CHAN_P1 * t + ch + n], chan[QOPT_CHAN_P2 * t + ch + n],
        p->yzero, p->ymin, p->ymax);
}

#endif /* QOPT_CODEGEN_KERNELS_VECTORAVX2_H */
