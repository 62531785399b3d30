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

/* Rule I on the `valid` first lanes of `acc`, one by one, stored as bytes;
 * the per-channel constants start at channel `ch` of the chan rows. */
QOPT_AVX512 static inline void
qopt_requantize_integer16(__m512i acc, const qopt_conv_t *p,
                          const int32_t *chan, int64_t t, int64_t ch,
                          int64_t valid, uint8_t *out) {
  int32_t lanes[16];
  _mm512_storeu_si512((void *)lanes, acc);
  for (int64_t n = 0; n < valid; ++n)
    out[n] = (uint8_t)qopt_requantize_integer(
        lanes[n], chan[QOPT_CHAN_P0 * t + ch + n],
        chan[QOPT_CHAN_P1 * t + ch + n], chan[QOPT_CHAN_P2 * t + ch + n],
        p->yzero, p->ymin, p->ymax);
}

#endif /* QOPT_CODEGEN_KERNELS_VECTORAVX512_H */
