/*===- QDWConvAVX512.c - Depthwise convolution, AVX-512 --------*- C -*-===*\
|*                                                                          *|
|* Sixteen channels at a time in int32 lanes: for a row of output pixels,   *|
|* each tap's weights (minus their zero points) stay in registers while     *|
|* each pixel adds x * w tap by tap (vpmulld: the products are exact). The  *|
|* input zero point enters once, as -zx * sum(w - zw) in the initial value, *|
|* so padding taps read a run of zero-point bytes. Rule R on the lanes.     *|
|*                                                                          *|
|* Pixels whose window lies inside the input go four at a time (four        *|
|* independent sums and epilogues in flight) through a loop compiled for    *|
|* the input's signedness and, for 3x3 kernels, for nine taps, so it has    *|
|* no branch and keeps the weights in registers; the border pixels read     *|
|* the zero-point run for taps outside the input.                           *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

/* The most taps whose weights are kept in registers; larger kernels run
 * on the portable kernel. */
enum { QOPT_DW_REGISTER_TAPS = 25, QOPT_DW_PIXELS = 4 };

QOPT_AVX512 static inline __m512i qopt_load16_x(const uint8_t *src,
                                                __mmask16 mask, int isSigned) {
  __m128i bytes = _mm_maskz_loadu_epi8(mask, src);
  return isSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
}

/* Requantizes and stores one pixel's sixteen lanes. */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_dw_store(const qopt_conv_t *p, const int32_t *chan, int64_t t, int64_t c0,
              int64_t valid, __mmask16 mask, __m512i acc, __m512 p0, __m512 p1,
              __m512 zy, __m512 lo, __m512 hi, uint8_t *out) {
  if (p->mode == QOPT_REQUANT_INTEGER)
    qopt_requantize_integer16(acc, p, chan, t, c0, valid, out);
  else
    qopt_store16(out, mask, qopt_requantize16v(acc, p0, p1, zy, lo, hi),
                 p->ysigned);
}

/* The kernel for an input of signedness `isSigned` with `ntaps` taps (a
 * constant where inlined with one), for the channel-block and row loops
 * of qopt_qdwconv_avx512. */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_qdwconv_avx512_body(const qopt_conv_t *pp, const uint8_t *x,
                         const int8_t *w, const int32_t *chan, uint8_t *y,
                         const uint8_t *zeros, int64_t batch, int64_t ntaps,
                         int isSigned) {
  const qopt_conv_t p = *pp;
  int64_t t = p.npad;
  int64_t offsets[QOPT_DW_REGISTER_TAPS];
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j)
      offsets[i * p.kw + j] = (i * p.dh * p.w + j * p.dw) * p.c;
  int64_t owLo, owHi;
  qopt_inside_columns(&p, &owLo, &owHi);
  int64_t step = p.sw * p.c;
  __m512 zy = _mm512_set1_ps((float)p.yzero);
  __m512 lo = _mm512_set1_ps((float)p.ymin);
  __m512 hi = _mm512_set1_ps((float)p.ymax);
  __m512i zx = _mm512_set1_epi32(p.xzero);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      int64_t ih0 = oh * p.sh - p.ph;
      int rowInside = ih0 >= 0 && ih0 + (p.kh - 1) * p.dh < p.h;
      /* The inside pixels of this row, or none: [p.ow, p.ow). */
      int64_t innerLo = rowInside ? owLo : p.ow;
      int64_t innerHi = rowInside ? owHi : p.ow;
      for (int64_t c0 = 0; c0 < p.c; c0 += 16) {
        int64_t valid = QOPT_MIN(16, p.c - c0);
        __mmask16 mask = qopt_mask16(valid);
        __m512i zw =
            _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_WZERO * t + c0));
        __m512i weights[QOPT_DW_REGISTER_TAPS];
        for (int64_t k = 0; k < ntaps; ++k)
          weights[k] = _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_loadu_si128(
                                            (const __m128i *)(w + k * t + c0))),
                                        zw);
        /* bias - zx * sum over taps of (w - zw). */
        __m512i sum = _mm512_sub_epi32(
            _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_WSUM * t + c0)),
            _mm512_mullo_epi32(zw, _mm512_set1_epi32((int32_t)ntaps)));
        __m512i init = _mm512_sub_epi32(
            _mm512_loadu_si512((const void *)(chan + QOPT_CHAN_BIAS * t + c0)),
            _mm512_mullo_epi32(zx, sum));
        __m512 p0 =
            _mm512_loadu_ps((const float *)(chan + QOPT_CHAN_P0 * t + c0));
        __m512 p1 =
            _mm512_loadu_ps((const float *)(chan + QOPT_CHAN_P1 * t + c0));
        uint8_t *outRow = y + (n * p.oh + oh) * p.ow * p.c + c0;
        /* Border pixels: each tap from the input or the zero-point run. */
        for (int64_t ow = 0; ow < p.ow; ++ow) {
          if (ow == innerLo) {
            ow = innerHi - 1;
            continue;
          }
          __m512i acc = init;
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j) {
              const uint8_t *src = qopt_dw_tap(&p, x, n, oh, ow, i, j, zeros);
              acc = _mm512_add_epi32(
                  acc,
                  _mm512_mullo_epi32(qopt_load16_x(src + c0, mask, isSigned),
                                     weights[i * p.kw + j]));
            }
          qopt_dw_store(&p, chan, t, c0, valid, mask, acc, p0, p1, zy, lo, hi,
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
          __m512i acc[QOPT_DW_PIXELS];
          for (int q = 0; q < QOPT_DW_PIXELS; ++q)
            acc[q] = init;
          for (int64_t k = 0; k < ntaps; ++k)
            for (int q = 0; q < QOPT_DW_PIXELS; ++q)
              acc[q] = _mm512_add_epi32(
                  acc[q],
                  _mm512_mullo_epi32(qopt_load16_x(base + q * step + offsets[k],
                                                   mask, isSigned),
                                     weights[k]));
          for (int q = 0; q < QOPT_DW_PIXELS; ++q)
            qopt_dw_store(&p, chan, t, c0, valid, mask, acc[q], p0, p1, zy, lo,
                          hi, outRow + (ow + q) * p.c);
        }
        for (; ow < innerHi; ++ow, base += step) {
          __m512i acc = init;
          for (int64_t k = 0; k < ntaps; ++k)
            acc = _mm512_add_epi32(
                acc, _mm512_mullo_epi32(
                         qopt_load16_x(base + offsets[k], mask, isSigned),
                         weights[k]));
          qopt_dw_store(&p, chan, t, c0, valid, mask, acc, p0, p1, zy, lo, hi,
                        outRow + ow * p.c);
        }
      }
    }
}

QOPT_AVX512 void qopt_qdwconv_avx512(const int64_t *desc, const uint8_t *x,
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
    qopt_qdwconv_avx512_body(&p, x, w, chan, y, ws, batch, 9, 1);
  else if (ntaps == 9)
    qopt_qdwconv_avx512_body(&p, x, w, chan, y, ws, batch, 9, 0);
  else if (p.xsigned)
    qopt_qdwconv_avx512_body(&p, x, w, chan, y, ws, batch, ntaps, 1);
  else
    qopt_qdwconv_avx512_body(&p, x, w, chan, y, ws, batch, ntaps, 0);
}
