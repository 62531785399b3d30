/*===- QDWConvAVX512.c - Depthwise convolution, AVX-512 --------*- C -*-===*\
|*                                                                          *|
|* Sixteen channels at a time in int32 lanes: for a row of output pixels,   *|
|* each tap's weights (minus their zero points) stay in registers while     *|
|* each pixel adds x * w tap by tap (vpmulld: the products are exact). The  *|
|* input zero point enters once, as -zx * sum(w - zw) in the initial value, *|
|* so padding taps read a run of zero-point bytes. Rule R on the lanes.     *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

/* The most taps whose weights are kept in registers; larger kernels run
 * on the portable kernel. */
enum { QOPT_DW_REGISTER_TAPS = 25 };

QOPT_AVX512 static inline __m512i qopt_load16_x(const uint8_t *src,
                                                __mmask16 mask, int isSigned) {
  __m128i bytes = _mm_maskz_loadu_epi8(mask, src);
  return isSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
}

/* The sum over the taps of a pixel whose window is inside the input: tap k
 * at base + offsets[k]. Inlined with a constant `ntaps` for the common
 * kernel sizes, so the loop unrolls and the weights stay in registers. */
QOPT_AVX512 static inline __attribute__((always_inline)) __m512i
qopt_dw_interior(__m512i acc, const uint8_t *base, const int64_t *offsets,
                 const __m512i *weights, int64_t ntaps, __mmask16 mask,
                 int isSigned) {
  for (int64_t k = 0; k < ntaps; ++k)
    acc = _mm512_add_epi32(
        acc, _mm512_mullo_epi32(
                 qopt_load16_x(base + offsets[k], mask, isSigned), weights[k]));
  return acc;
}

QOPT_AVX512 void qopt_qdwconv_avx512(const int64_t *desc, const uint8_t *x,
                                     const int8_t *w, const int32_t *chan,
                                     uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  int64_t t = p.npad, ntaps = p.kh * p.kw;
  if (ntaps > QOPT_DW_REGISTER_TAPS) {
    /* Too many taps to keep: the portable kernel computes the same. */
    qopt_qdwconv_generic(desc, x, w, chan, y, ws, batch);
    return;
  }
  memset(ws, (uint8_t)p.xzero, (size_t)p.c);
  int64_t offsets[QOPT_DW_REGISTER_TAPS];
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j)
      offsets[i * p.kw + j] = (i * p.dh * p.w + j * p.dw) * p.c;
  __m512 zy = _mm512_set1_ps((float)p.yzero);
  __m512 lo = _mm512_set1_ps((float)p.ymin);
  __m512 hi = _mm512_set1_ps((float)p.ymax);
  __m512i zx = _mm512_set1_epi32(p.xzero);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      int64_t ih0 = oh * p.sh - p.ph;
      int rowInside = ih0 >= 0 && ih0 + (p.kh - 1) * p.dh < p.h;
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
        for (int64_t ow = 0; ow < p.ow; ++ow) {
          int64_t iw0 = ow * p.sw - p.pw;
          __m512i acc = init;
          if (rowInside && iw0 >= 0 && iw0 + (p.kw - 1) * p.dw < p.w) {
            const uint8_t *base = x + ((n * p.h + ih0) * p.w + iw0) * p.c + c0;
            if (ntaps == 9)
              acc = qopt_dw_interior(acc, base, offsets, weights, 9, mask,
                                     p.xsigned);
            else
              acc = qopt_dw_interior(acc, base, offsets, weights, ntaps, mask,
                                     p.xsigned);
          } else {
            for (int64_t i = 0; i < p.kh; ++i)
              for (int64_t j = 0; j < p.kw; ++j) {
                const uint8_t *src = qopt_dw_tap(&p, x, n, oh, ow, i, j, ws);
                acc = _mm512_add_epi32(
                    acc,
                    _mm512_mullo_epi32(qopt_load16_x(src + c0, mask, p.xsigned),
                                       weights[i * p.kw + j]));
              }
          }
          uint8_t *out = y + ((n * p.oh + oh) * p.ow + ow) * p.c + c0;
          if (p.mode == QOPT_REQUANT_INTEGER)
            qopt_requantize_integer16(acc, &p, chan, t, c0, valid, out);
          else
            qopt_store16(out, mask, qopt_requantize16v(acc, p0, p1, zy, lo, hi),
                         p.ysigned);
        }
      }
    }
}
