/*===- VectorAVX2.h - AVX2 pieces shared by the kernels --------*- C -*-===*\
|*                                                                          *|
|* Rule R on 16 int32 lanes stored as bytes, and storing 8 lanes as bytes;  *|
|* included by the AVX2 kernels only.                                       *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELS_VECTORAVX2_H
#define QOPT_CODEGEN_KERNELS_VECTORAVX2_H

#include "KernelCommon.h"

#include <immintrin.h>

#define QOPT_AVX2 __attribute__((target("avx2")))

/* Stores the first `valid` (0..16) of the 16 bytes, for a block that
 * ends before its vector does. */
QOPT_AVX2 static inline void qopt_store_first(uint8_t *out, int64_t valid,
                                              __m128i bytes) {
  uint8_t lanes[16];
  _mm_storeu_si128((__m128i *)lanes, bytes);
  memcpy(out, lanes, (size_t)valid);
}

/* A block's 16 accumulators' start, bias - zx * sum(w), from its channel
 * rows at `bias` and `wsum`. */
QOPT_AVX2 static inline void qopt_acc_init16x8(const int32_t *bias,
                                               const int32_t *wsum, __m256i zx,
                                               __m256i init[2]) {
  for (int h = 0; h < 2; ++h)
    init[h] = _mm256_sub_epi32(
        _mm256_loadu_si256((const __m256i *)(bias + 8 * h)),
        _mm256_mullo_epi32(
            zx, _mm256_loadu_si256((const __m256i *)(wsum + 8 * h))));
}

/* acc -= rowSum * zw[c] on 16 lanes: the weight zero points' term. */
QOPT_AVX2 static inline void qopt_sub_wzero16x8(__m256i acc[2], int32_t rowSum,
                                                const int32_t *zw) {
  __m256i s = _mm256_set1_epi32(rowSum);
  for (int h = 0; h < 2; ++h)
    acc[h] = _mm256_sub_epi32(
        acc[h], _mm256_mullo_epi32(
                    s, _mm256_loadu_si256((const __m256i *)(zw + 8 * h))));
}

/* Rule R's (or O's) constants in vector lanes, kernel-wide. */
typedef struct {
  __m256 zero;    /* zy, added before rounding (rule O only) */
  __m256 high;    /* hi (rule O) or hi - zy (rule R), before rounding */
  __m256i zero16; /* zy in 16 int16 lanes, added after rounding (rule R) */
  __m128i low;    /* lo in 16 bytes */
  int before;     /* rule O */
  int isSigned;   /* int8 output */
} qopt_epilogue8_t;

QOPT_AVX2 static inline qopt_epilogue8_t qopt_epilogue8(const qopt_conv_t *p) {
  int before = p->mode == QOPT_REQUANT_ONEDNN;
  qopt_epilogue8_t e = {
      _mm256_set1_ps((float)p->yzero),
      _mm256_set1_ps((float)(before ? p->ymax : p->ymax - p->yzero)),
      _mm256_set1_epi16((int16_t)p->yzero),
      _mm_set1_epi8((char)p->ymin),
      before,
      p->ysigned};
  return e;
}

/* Rule R (or O) on the 16 lanes acc0, acc1, whose first `valid` (0..16)
 * are stored as bytes: y = clamp(roundeven(f) + zy, lo, hi) (rule O:
 * clamp(roundeven(f + zy), lo, hi)) with f = (float(acc) + p0) * p1, in
 * float as the scalar contract has it. The same values, fewer operations:
 * - f is first limited to hi (rule R: hi - zy), an integer: roundeven is
 *   monotone and keeps integers, so every f above it gives hi, as before.
 * - vcvtps2dq rounds to nearest even and converts in one instruction. It
 *   rounds by MXCSR, whose default mode the contract's float additions and
 *   multiplications (and qopt_round_even) assume too. Below -2^31 it gives
 *   INT32_MIN, which the saturating narrowing turns into the storage
 *   minimum, as clamping the float would.
 * - Rule R adds zy to the int16 lanes with saturation: where the float
 *   sum of the contract is inexact (beyond 2^24) or the int16 lanes
 *   saturate, the value is far below lo either way.
 * - The saturating packs narrow to the storage range, and lo (no lower)
 *   is applied to the bytes.
 * The contract's addition of +0.0 is left out: it can only turn -0.0 into
 * +0.0, which the conversion treats alike. */
QOPT_AVX2 static inline void
qopt_requantize16x8(uint8_t *out, int64_t valid, __m256i acc0, __m256i acc1,
                    const int32_t *p0, const int32_t *p1, qopt_epilogue8_t e) {
  __m256i q[2];
  __m256i acc[2] = {acc0, acc1};
  for (int h = 0; h < 2; ++h) {
    __m256 f = _mm256_add_ps(_mm256_cvtepi32_ps(acc[h]),
                             _mm256_loadu_ps((const float *)p0 + 8 * h));
    f = _mm256_mul_ps(f, _mm256_loadu_ps((const float *)p1 + 8 * h));
    if (e.before)
      f = _mm256_add_ps(f, e.zero);
    q[h] = _mm256_cvtps_epi32(_mm256_min_ps(f, e.high));
  }
  __m256i words = _mm256_packs_epi32(q[0], q[1]);
  if (!e.before)
    words = _mm256_adds_epi16(words, e.zero16);
  words = _mm256_permute4x64_epi64(words, _MM_SHUFFLE(3, 1, 2, 0));
  __m128i low = _mm256_castsi256_si128(words);
  __m128i high = _mm256_extracti128_si256(words, 1);
  __m128i bytes = e.isSigned ? _mm_max_epi8(_mm_packs_epi16(low, high), e.low)
                             : _mm_max_epu8(_mm_packus_epi16(low, high), e.low);
  if (valid >= 16)
    _mm_storeu_si128((__m128i *)out, bytes);
  else
    qopt_store_first(out, valid, bytes);
}

/* Stores the first `valid` (0..8) lanes of `q` (inside the storage range)
 * as bytes. */
QOPT_AVX2 static inline void qopt_store8(uint8_t *out, int64_t valid, __m256i q,
                                         int isSigned) {
  __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q),
                                  _mm256_extracti128_si256(q, 1));
  __m128i bytes =
      isSigned ? _mm_packs_epi16(words, words) : _mm_packus_epi16(words, words);
  if (valid >= 8)
    _mm_storel_epi64((__m128i *)out, bytes);
  else
    qopt_store_first(out, valid, bytes);
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
