/*===- QDWConvAVX2.c - Depthwise convolution, AVX2 -------------*- C -*-===*\
|*                                                                          *|
|* QDWConvAVX512.c with eight channels at a time in ymm int32 lanes and     *|
|* two inside pixels at a time (16 ymm registers: nine taps' weights, two   *|
|* sums and the operands).                                                  *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

/* The most taps whose weights are kept in registers; larger kernels run
 * on the portable kernel. */
enum { QOPT_DW_REGISTER_TAPS = 9, QOPT_DW_PIXELS = 2 };

/* Eight input bytes widened to int32; a partial block reads only its
 * `valid` bytes. */
QOPT_AVX2 static inline __m256i qopt_load8_x(const uint8_t *src, int64_t valid,
                                             int isSigned) {
  int64_t bits;
  if (valid >= 8) {
    memcpy(&bits, src, 8);
  } else {
    bits = 0;
    memcpy(&bits, src, (size_t)valid);
  }
  __m128i bytes = _mm_cvtsi64_si128(bits);
  return isSigned ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
}

QOPT_AVX2 static inline __m256i qopt_load8_w(const int8_t *src) {
  int64_t bits;
  memcpy(&bits, src, 8);
  return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(bits));
}

/* Requantizes and stores one pixel's eight lanes. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_store(const qopt_conv_t *p, const int32_t *chan, int64_t t, int64_t c0,
              int64_t valid, __m256i acc, const int32_t *p0, const int32_t *p1,
              __m256 zy, __m256 lo, __m256 hi, uint8_t *out) {
  if (p->mode == QOPT_REQUANT_INTEGER)
    qopt_requantize_integer16x8(acc, acc, p, chan, t, c0, valid, out);
  else
    qopt_store8(out, valid, qopt_requantize8(acc, p0, p1, zy, lo, hi),
                p->ysigned);
}

/* The kernel for an input of signedness `isSigned` with `ntaps` taps (a
 * constant where inlined with one), for the channel-block and row loops
 * of qopt_qdwconv_avx2. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_qdwconv_avx2_body(const qopt_conv_t *pp, const uint8_t *x, const int8_t *w,
                       const int32_t *chan, uint8_t *y, const uint8_t *zeros,
                       int64_t batch, int64_t ntaps, int isSigned) {
  const qopt_conv_t p = *pp;
  int64_t t = p.npad;
  int64_t offsets[QOPT_DW_REGISTER_TAPS];
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j)
      offsets[i * p.kw + j] = (i * p.dh * p.w + j * p.dw) * p.c;
  int64_t owLo, owHi;
  qopt_inside_columns(&p, &owLo, &owHi);
  int64_t step = p.sw * p.c;
  __m256 zy = _mm256_set1_ps((float)p.yzero);
  __m256 lo = _mm256_set1_ps((float)p.ymin);
  __m256 hi = _mm256_set1_ps((float)p.ymax);
  __m256i zx = _mm256_set1_epi32(p.xzero);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      int64_t ih0 = oh * p.sh - p.ph;
      int rowInside = ih0 >= 0 && ih0 + (p.kh - 1) * p.dh < p.h;
      /* The inside pixels of this row, or none: [p.ow, p.ow). */
      int64_t innerLo = rowInside ? owLo : p.ow;
      int64_t innerHi = rowInside ? owHi : p.ow;
      for (int64_t c0 = 0; c0 < p.c; c0 += 8) {
        int64_t valid = QOPT_MIN(8, p.c - c0);
        __m256i zw = _mm256_loadu_si256(
            (const __m256i *)(chan + QOPT_CHAN_WZERO * t + c0));
        __m256i weights[QOPT_DW_REGISTER_TAPS];
        for (int64_t k = 0; k < ntaps; ++k)
          weights[k] = _mm256_sub_epi32(qopt_load8_w(w + k * t + c0), zw);
        /* bias - zx * sum over taps of (w - zw). */
        __m256i sum = _mm256_sub_epi32(
            _mm256_loadu_si256(
                (const __m256i *)(chan + QOPT_CHAN_WSUM * t + c0)),
            _mm256_mullo_epi32(zw, _mm256_set1_epi32((int32_t)ntaps)));
        __m256i init = _mm256_sub_epi32(
            _mm256_loadu_si256(
                (const __m256i *)(chan + QOPT_CHAN_BIAS * t + c0)),
            _mm256_mullo_epi32(zx, sum));
        const int32_t *p0 = chan + QOPT_CHAN_P0 * t + c0;
        const int32_t *p1 = chan + QOPT_CHAN_P1 * t + c0;
        uint8_t *outRow = y + (n * p.oh + oh) * p.ow * p.c + c0;
        /* Border pixels: each tap from the input or the zero-point run. */
        for (int64_t ow = 0; ow < p.ow; ++ow) {
          if (ow == innerLo) {
            ow = innerHi - 1;
            continue;
          }
          __m256i acc = init;
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j) {
              const uint8_t *src = qopt_dw_tap(&p, x, n, oh, ow, i, j, zeros);
              acc = _mm256_add_epi32(
                  acc,
                  _mm256_mullo_epi32(qopt_load8_x(src + c0, valid, isSigned),
                                     weights[i * p.kw + j]));
            }
          qopt_dw_store(&p, chan, t, c0, valid, acc, p0, p1, zy, lo, hi,
                        outRow + ow * p.c);
        }
        /* Inside pixels, QOPT_DW_PIXELS at a time, then one at a time. */
        if (innerLo == innerHi)
          continue;
        const uint8_t *base =
            x + ((n * p.h + ih0) * p.w + innerLo * p.sw - p.pw) * p.c + c0;
        int64_t ow = innerLo;
        for (; ow + QOPT_DW_PIXELS <= innerHi;
             ow += QOPT_DW_PIXELS, base += QOPT_DW_PIXELS * step) {
          __m256i acc[QOPT_DW_PIXELS];
          for (int q = 0; q < QOPT_DW_PIXELS; ++q)
            acc[q] = init;
          for (int64_t k = 0; k < ntaps; ++k)
            for (int q = 0; q < QOPT_DW_PIXELS; ++q)
              acc[q] = _mm256_add_epi32(
                  acc[q],
                  _mm256_mullo_epi32(qopt_load8_x(base + q * step + offsets[k],
                                                  valid, isSigned),
                                     weights[k]));
          for (int q = 0; q < QOPT_DW_PIXELS; ++q)
            qopt_dw_store(&p, chan, t, c0, valid, acc[q], p0, p1, zy, lo, hi,
                          outRow + (ow + q) * p.c);
        }
        for (; ow < innerHi; ++ow, base += step) {
          __m256i acc = init;
          for (int64_t k = 0; k < ntaps; ++k)
            acc = _mm256_add_epi32(
                acc, _mm256_mullo_epi32(
                         qopt_load8_x(base + offsets[k], valid, isSigned),
                         weights[k]));
          qopt_dw_store(&p, chan, t, c0, valid, acc, p0, p1, zy, lo, hi,
                        outRow + ow * p.c);
        }
      }
    }
}

QOPT_AVX2 void qopt_qdwconv_avx2(const int64_t *desc, const uint8_t *x,
                                 const int8_t *w, const int32_t *chan,
                                 uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  int64_t ntaps = p.kh * p.kw;
  if (ntaps > QOPT_DW_REGISTER_TAPS) {
    /* Too many taps to keep: the portable kernel computes the same. */
    qopt_qdwconv_generic(desc, x, w, chan, y, ws, batch);
    return;
  }
  memset(ws, (uint8_t)p.xzero, (size_t)p.c);
  if (ntaps == 9 && p.xsigned)
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, 9, 1);
  else if (ntaps == 9)
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, 9, 0);
  else if (p.xsigned)
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, ntaps, 1);
  else
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, ntaps, 0);
}
