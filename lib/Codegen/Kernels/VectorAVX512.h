/*===- VectorAVX512.h - AVX-512 pieces shared by the kernels ---*- C -*-===*\
|*                                                                          *|
|* Rule R on 16 int32 lanes, and storing them as bytes; included by the     *|
|* AVX-512 kernels only.                                                    *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELS_VECTORAVX512_H
#define QOPT_CODEGEN_KERNELS_VECTORAVX512_H

#include "KernelCommon.h"

#include <immintrin.h>

#define QOPT_AVX512                                                            \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))

/* The lanes selected by a count of valid lanes (0..16). */
QOPT_AVX512 static inline __mmask16 qopt_mask16(int64_t valid) {
  return (__mmask16)(valid >= 16 ? 0xFFFF : valid <= 0 ? 0 : (1u << valid) - 1);
}

/* Rule R's (or O's) constants in 16 lanes, kernel-wide. */
/* bias[c] - zx * wsum[c] on 16 lanes: where a convolution's accumulator
 * starts (the input zero point's term, precomputed per channel). */
QOPT_AVX512 static inline __m512i
qopt_acc_init16(const int32_t *bias, const int32_t *wsum, __m512i zx) {
  return _mm512_sub_epi32(
      _mm512_loadu_si512((const void *)bias),
      _mm512_mullo_epi32(zx, _mm512_loadu_si512((const void *)wsum)));
}

/* acc - rowSum * zw[c] on 16 lanes, rowSum broadcast: the weight zero
 * points' term. */
QOPT_AVX512 static inline __m512i qopt_sub_wzero16(__m512i acc, __m512i rowSum,
                                                   const int32_t *zw) {
  return _mm512_sub_epi32(
      acc, _mm512_mullo_epi32(rowSum, _mm512_loadu_si512((const void *)zw)));
}

typedef struct {
  __m512 zero;      /* zy, added before rounding (rule O only) */
  __m512 low, high; /* lo, hi (rule O) or lo - zy, hi - zy (rule R) */
  __m512i zeroInt;  /* zy, added after rounding (rule R only) */
  int before;       /* rule O */
} qopt_epilogue16_t;

QOPT_AVX512 static inline qopt_epilogue16_t
qopt_epilogue16(const qopt_conv_t *p) {
  int before = p->mode == QOPT_REQUANT_ONEDNN;
  int32_t shift = before ? 0 : p->yzero;
  qopt_epilogue16_t e = {_mm512_set1_ps((float)p->yzero),
                         _mm512_set1_ps((float)(p->ymin - shift)),
                         _mm512_set1_ps((float)(p->ymax - shift)),
                         _mm512_set1_epi32(p->yzero), before};
  return e;
}

/* Rule R (or O) on 16 lanes: y = clamp(roundeven(f) + zy, lo, hi) (rule O:
 * clamp(roundeven(f + zy), lo, hi)) with f = (float(acc) + p0) * p1, in
 * float as the scalar contract has it, to int32. The same values, fewer
 * operations: f is clamped before rounding, to lo and hi, or in rule R to
 * lo - zy and hi - zy (integers: roundeven is monotone and keeps them, so
 * every f beyond one gives that bound); then one instruction rounds to
 * nearest even and converts, and rule R adds zy to the int32, exact within
 * those bounds. The contract's addition of +0.0 is left out: it can only
 * turn -0.0 into +0.0, which the conversion treats alike. */
QOPT_AVX512 static inline __m512i
qopt_requantize16v(__m512i acc, __m512 p0, __m512 p1, qopt_epilogue16_t e) {
  __m512 f = _mm512_mul_ps(_mm512_add_ps(_mm512_cvtepi32_ps(acc), p0), p1);
  if (e.before)
    f = _mm512_add_ps(f, e.zero);
  f = _mm512_min_ps(_mm512_max_ps(f, e.low), e.high);
  __m512i q = _mm512_cvt_roundps_epi32(f, _MM_FROUND_TO_NEAREST_INT |
                                              _MM_FROUND_NO_EXC);
  return e.before ? q : _mm512_add_epi32(q, e.zeroInt);
}

/* The same with p0 and p1 loaded from the channel rows. */
QOPT_AVX512 static inline __m512i qopt_requantize16(__m512i acc,
                                                    const int32_t *p0,
                                                    const int32_t *p1,
                                                    qopt_epilogue16_t e) {
  return qopt_requantize16v(acc, _mm512_loadu_ps((const float *)p0),
                            _mm512_loadu_ps((const float *)p1), e);
}

/* 16 int32 lanes inside the storage range as 16 bytes: the saturating
 * narrowing only narrows. (In registers: the memory form of vpmov*db is
 * slow.) */
QOPT_AVX512 static inline __m128i qopt_narrow16(__m512i q, int isSigned) {
  return isSigned ? _mm512_cvtsepi32_epi8(q) : _mm512_cvtusepi32_epi8(q);
}

/* Stores the lanes of `q` (inside the storage range) selected by `mask` as
 * bytes. */
QOPT_AVX512 static inline void qopt_store16(uint8_t *out, __mmask16 mask,
                                            __m512i q, int isSigned) {
  _mm_mask_storeu_epi8(out, mask, qopt_narrow16(q, isSigned));
}

/* Stores the first `valid` (0..32) of the 32 lanes q0, q1 as bytes. */
QOPT_AVX512 static inline void qopt_store32(uint8_t *out, int64_t valid,
                                            __m512i q0, __m512i q1,
                                            int isSigned) {
  __m256i bytes = _mm256_inserti128_si256(
      _mm256_castsi128_si256(qopt_narrow16(q0, isSigned)),
      qopt_narrow16(q1, isSigned), 1);
  if (valid >= 32)
    _mm256_storeu_si256((__m256i *)out, bytes);
  else
    _mm256_mask_storeu_epi8(out, (__mmask32)((1u << valid) - 1), bytes);
}

/* Rule I (qopt_requantize_integer) on the `valid` first lanes of `acc`,
 * stored as bytes; the per-channel constants (m in [2^30, 2^31) or 0,
 * shifts 0..31) start at channel `ch` of the chan rows (16 channels,
 * padded ones included). The same integers, lane by lane:
 * - sat32(acc << left): the shift overflows exactly where shifting back
 *   does not give acc; those lanes saturate by acc's sign.
 * - The 64-bit product x * m, even and odd lanes apart (vpmuldq), plus the
 *   nudge, which takes the product's sign (m >= 0, and the sum keeps that
 *   sign), divided by 2^31 truncating: negative sums get 2^31 - 1 added
 *   before the arithmetic shift; the quotient fits int32 (|x * m| < 2^62).
 * - RoundingDivideByPOT in int32: mask = 2^right - 1 fits for right <= 31.
 * - clamp(y + zy, lo, hi) as clamp(y, lo - zy, hi - zy) + zy, which cannot
 *   overflow.
 * The AVX2 kernels keep the scalar form per lane: inlined there, the
 * vector form's constants made LLVM spill an accumulator in the AVX2 GEMM
 * tile loop in every mode (resnet18 1.19x slower in rule O), and out of
 * line it cost mobilenet_v2's rule O code 3%. */
QOPT_AVX512 static inline void
qopt_requantize_integer16(__m512i acc, const qopt_conv_t *p,
                          const int32_t *chan, int64_t t, int64_t ch,
                          int64_t valid, uint8_t *out) {
  const __m512i ones = _mm512_set1_epi32(1), zero = _mm512_setzero_si512();
  __m512i l = _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_P1 * t + ch));
  __m512i r = _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_P2 * t + ch));
  __m512i m = _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_P0 * t + ch));
  __m512i shifted = _mm512_sllv_epi32(acc, l);
  __mmask16 fits = _mm512_cmpeq_epi32_mask(_mm512_srav_epi32(shifted, l), acc);
  __m512i saturated = _mm512_xor_si512(_mm512_srai_epi32(acc, 31),
                                       _mm512_set1_epi32(INT32_MAX));
  __m512i x = _mm512_mask_blend_epi32(fits, saturated, shifted);
  __m512i halves[2];
  for (int odd = 0; odd < 2; ++odd) {
    __m512i product = _mm512_mul_epi32(odd ? _mm512_srli_epi64(x, 32) : x,
                                       odd ? _mm512_srli_epi64(m, 32) : m);
    __mmask8 negative = _mm512_cmplt_epi64_mask(product, zero);
    __m512i sum = _mm512_add_epi64(
        product,
        _mm512_mask_blend_epi64(negative, _mm512_set1_epi64(INT64_C(1) << 30),
                                _mm512_set1_epi64(1 - (INT64_C(1) << 30) +
                                                  ((INT64_C(1) << 31) - 1))));
    halves[odd] = _mm512_srai_epi64(sum, 31);
  }
  __m512i h = _mm512_mask_blend_epi32(0xAAAA, halves[0],
                                      _mm512_slli_epi64(halves[1], 32));
  __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(ones, r), ones);
  __m512i remainder = _mm512_and_si512(h, mask);
  __m512i threshold = _mm512_srli_epi32(mask, 1);
  threshold = _mm512_mask_add_epi32(threshold, _mm512_cmplt_epi32_mask(h, zero),
                                    threshold, ones);
  __m512i y = _mm512_srav_epi32(h, r);
  y = _mm512_mask_add_epi32(y, _mm512_cmpgt_epi32_mask(remainder, threshold), y,
                            ones);
  __m512i zy = _mm512_set1_epi32(p->yzero);
  y = _mm512_min_epi32(
      _mm512_max_epi32(y, _mm512_set1_epi32(p->ymin - p->yzero)),
      _mm512_set1_epi32(p->ymax - p->yzero));
  qopt_store16(out, qopt_mask16(valid), _mm512_add_epi32(y, zy), p->ysigned);
}

#endif /* QOPT_CODEGEN_KERNELS_VECTORAVX512_H */
