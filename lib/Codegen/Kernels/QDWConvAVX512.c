/*===- QDWConvAVX512.c - Depthwise convolution, AVX-512 --------*- C -*-===*\
|*                                                                          *|
|* Thirty-two channels at a time, the taps in pairs, as QDWConvAVX2.c: the  *|
|* input bytes of taps 2j and 2j + 1 are interleaved and widened to int16,  *|
|* the weights (minus their zero points, within +-255) likewise, and one    *|
|* vpdpwssd per sixteen channels adds both products to the int32 lanes      *|
|* (each product at most 255 * 255 in magnitude: exact). An odd last tap    *|
|* pairs with a weight of 0. The input zero point enters once, as           *|
|* -zx * sum(w - zw) in the initial value, so padding taps read a run of    *|
|* zero-point bytes. Rule R on the lanes.                                   *|
|*                                                                          *|
|* vpunpck interleaves within 128-bit halves, so a block's sums sit in the  *|
|* order channels 0-7, 16-23 (first register), 8-15, 24-31 (second);        *|
|* qopt_dw_order moves them to and from channel order. Inside pixels go two *|
|* at a time through a loop compiled for the input's signedness and, for   *|
|* 3x3 kernels, for nine taps; border pixels read the zero-point run for    *|
|* taps outside the input.                                                  *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

/* The most taps the kernel takes; larger kernels run on the portable
 * kernel. */
enum { QOPT_DW_TAPS = 25, QOPT_DW_PAIRS = (QOPT_DW_TAPS + 1) / 2 };

/* Channels c .. c + 31 of one pixel, or its first `valid` of them and
 * zeros (masked: nothing past them is read). */
QOPT_AVX512 static inline __m256i qopt_dw_load32(const void *src,
                                                 int64_t valid) {
  if (valid >= 32)
    return _mm256_loadu_si256((const __m256i *)src);
  return _mm256_maskz_loadu_epi8((__mmask32)((1u << valid) - 1), src);
}

/* 16 int32 entries of a channel row from channel c, the first `valid`. */
QOPT_AVX512 static inline __m512i qopt_dw_row16(const int32_t *row,
                                                int64_t valid) {
  return _mm512_maskz_loadu_epi32(qopt_mask16(valid), row);
}

/* Channel order <-> the pairs' lane order (the same shuffle both ways):
 * (0-15, 16-31) <-> (0-7 and 16-23, 8-15 and 24-31). */
QOPT_AVX512 static inline void qopt_dw_order(__m512i v[2]) {
  __m512i a = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(1, 0, 1, 0));
  __m512i b = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(3, 2, 3, 2));
  v[0] = a;
  v[1] = b;
}

/* acc += the products of two taps whose 32 input bytes are a and b, with
 * the pair's interleaved int16 weights w. */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_dw_pair(__m256i a, __m256i b, const __m512i w[2], int isSigned,
             __m512i acc[2]) {
  __m256i lo = _mm256_unpacklo_epi8(a, b), hi = _mm256_unpackhi_epi8(a, b);
  __m512i xlo = isSigned ? _mm512_cvtepi8_epi16(lo) : _mm512_cvtepu8_epi16(lo);
  __m512i xhi = isSigned ? _mm512_cvtepi8_epi16(hi) : _mm512_cvtepu8_epi16(hi);
  acc[0] = _mm512_dpwssd_epi32(acc[0], xlo, w[0]);
  acc[1] = _mm512_dpwssd_epi32(acc[1], xhi, w[1]);
}

/* The constants of one block of 32 channels from c0, `valid` of them. */
typedef struct {
  __m512i init[2]; /* bias - zx * sum(w - zw), in the pairs' order */
  __m512 p0[2], p1[2];
  __m512i weights[QOPT_DW_PAIRS][2];
} qopt_dw_block_t;

/* Fills `b`: weights[j][h] holds (w[2j] - zw, w[2j + 1] - zw) as int16 per
 * channel in the pairs' order, 0 for the missing partner of an odd last
 * tap. */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_dw_block(const qopt_conv_t *p, const int8_t *w, const int32_t *chan,
              int64_t c0, int64_t valid, int64_t ntaps, qopt_dw_block_t *b) {
  int64_t t = p->npad;
  __m512i zx = _mm512_set1_epi32(p->xzero);
  __m512i zw[2];
  for (int h = 0; h < 2; ++h) {
    int64_t c = c0 + 16 * h, n = valid - 16 * h;
    zw[h] = qopt_dw_row16(chan + QOPT_CHAN_WZERO * t + c, n);
    __m512i sum = _mm512_sub_epi32(
        qopt_dw_row16(chan + QOPT_CHAN_WSUM * t + c, n),
        _mm512_mullo_epi32(zw[h], _mm512_set1_epi32((int32_t)ntaps)));
    b->init[h] =
        _mm512_sub_epi32(qopt_dw_row16(chan + QOPT_CHAN_BIAS * t + c, n),
                         _mm512_mullo_epi32(zx, sum));
    b->p0[h] =
        _mm512_castsi512_ps(qopt_dw_row16(chan + QOPT_CHAN_P0 * t + c, n));
    b->p1[h] =
        _mm512_castsi512_ps(qopt_dw_row16(chan + QOPT_CHAN_P1 * t + c, n));
  }
  qopt_dw_order(b->init);
  qopt_dw_order(zw);
  for (int h = 0; h < 2; ++h) /* (zw, zw) in each int32 lane */
    zw[h] = _mm512_or_si512(_mm512_and_si512(zw[h], _mm512_set1_epi32(0xffff)),
                            _mm512_slli_epi32(zw[h], 16));
  for (int64_t j = 0; 2 * j < ntaps; ++j) {
    int odd = 2 * j + 1 == ntaps;
    __m256i lo = qopt_dw_load32(w + 2 * j * t + c0, valid);
    __m256i hi = odd ? _mm256_setzero_si256()
                     : qopt_dw_load32(w + (2 * j + 1) * t + c0, valid);
    __m256i halves[2] = {_mm256_unpacklo_epi8(lo, hi),
                         _mm256_unpackhi_epi8(lo, hi)};
    for (int h = 0; h < 2; ++h) {
      b->weights[j][h] =
          _mm512_sub_epi16(_mm512_cvtepi8_epi16(halves[h]), zw[h]);
      if (odd) /* no partner: its weight is 0, not -zw */
        b->weights[j][h] =
            _mm512_and_si512(b->weights[j][h], _mm512_set1_epi32(0xffff));
    }
  }
}

/* Requantizes and stores one pixel's sums (in the pairs' order). */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_dw_store(const qopt_conv_t *p, const int32_t *chan, int64_t c0,
              int64_t valid, const qopt_dw_block_t *b, __m512i acc[2],
              qopt_epilogue16_t epilogue, uint8_t *out) {
  qopt_dw_order(acc);
  if (p->mode == QOPT_REQUANT_INTEGER) {
    qopt_requantize_integer16(acc[0], p, chan, p->npad, c0, QOPT_MIN(valid, 16),
                              out);
    if (valid > 16)
      qopt_requantize_integer16(acc[1], p, chan, p->npad, c0 + 16, valid - 16,
                                out + 16);
    return;
  }
  qopt_store32(
      out, valid, qopt_requantize16v(acc[0], b->p0[0], b->p1[0], epilogue),
      qopt_requantize16v(acc[1], b->p0[1], b->p1[1], epilogue), p->ysigned);
}

/* `count` inside pixels from the one whose first tap is at `base`, two
 * at a time, then one. */
QOPT_AVX512 static inline __attribute__((always_inline)) void
qopt_dw_inside(const qopt_conv_t *p, const int32_t *chan, int64_t c0,
               int64_t valid, const qopt_dw_block_t *b, const uint8_t *base,
               const int64_t *offsets, int64_t step, int64_t ntaps,
               int isSigned, qopt_epilogue16_t epilogue, uint8_t *out,
               int64_t count) {
  int64_t i = 0;
  for (; i + 2 <= count; i += 2, base += 2 * step) {
    __m512i acc0[2] = {b->init[0], b->init[1]};
    __m512i acc1[2] = {b->init[0], b->init[1]};
    for (int64_t k = 0; k < ntaps; k += 2) {
      const uint8_t *x0 = base + offsets[k], *x1 = base + offsets[k + 1];
      qopt_dw_pair(qopt_dw_load32(x0, valid), qopt_dw_load32(x1, valid),
                   b->weights[k / 2], isSigned, acc0);
      qopt_dw_pair(qopt_dw_load32(x0 + step, valid),
                   qopt_dw_load32(x1 + step, valid), b->weights[k / 2],
                   isSigned, acc1);
    }
    qopt_dw_store(p, chan, c0, valid, b, acc0, epilogue, out + i * p->c);
    qopt_dw_store(p, chan, c0, valid, b, acc1, epilogue, out + (i + 1) * p->c);
  }
  for (; i < count; ++i, base += step) {
    __m512i acc[2] = {b->init[0], b->init[1]};
    for (int64_t k = 0; k < ntaps; k += 2)
      qopt_dw_pair(qopt_dw_load32(base + offsets[k], valid),
                   qopt_dw_load32(base + offsets[k + 1], valid),
                   b->weights[k / 2], isSigned, acc);
    qopt_dw_store(p, chan, c0, valid, b, acc, epilogue, out + i * p->c);
  }
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
  /* Offsets of the taps from a pixel's first tap, the odd last one
   * repeated as its own partner (its weight is 0). */
  int64_t offsets[2 * QOPT_DW_PAIRS];
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j)
      offsets[i * p.kw + j] = (i * p.dh * p.w + j * p.dw) * p.c;
  offsets[ntaps] = offsets[ntaps - 1];
  int64_t owLo, owHi;
  qopt_inside_columns(&p, &owLo, &owHi);
  int64_t step = p.sw * p.c;
  qopt_epilogue16_t epilogue = qopt_epilogue16(&p);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      int64_t ih0 = oh * p.sh - p.ph;
      int rowInside = ih0 >= 0 && ih0 + (p.kh - 1) * p.dh < p.h;
      const uint8_t *rows[QOPT_DW_TAPS];
      qopt_dw_rows(&p, x, n, oh, rows);
      /* The inside pixels of this row, or none: [p.ow, p.ow). */
      int64_t innerLo = rowInside ? owLo : p.ow;
      int64_t innerHi = rowInside ? owHi : p.ow;
      for (int64_t c0 = 0; c0 < p.c; c0 += 32) {
        int64_t valid = QOPT_MIN(32, p.c - c0);
        qopt_dw_block_t b;
        qopt_dw_block(&p, w, chan, c0, valid, ntaps, &b);
        uint8_t *outRow = y + (n * p.oh + oh) * p.ow * p.c + c0;
        /* Border pixels: each tap from the input or the zero-point run. */
        for (int64_t ow = 0; ow < p.ow; ++ow) {
          if (ow == innerLo) {
            ow = innerHi - 1;
            continue;
          }
          const uint8_t *src[2 * QOPT_DW_PAIRS];
          qopt_dw_border_taps(&p, rows, ow, zeros, c0, src);
          src[ntaps] = src[ntaps - 1];
          __m512i acc[2] = {b.init[0], b.init[1]};
          for (int64_t k = 0; k < ntaps; k += 2)
            qopt_dw_pair(qopt_dw_load32(src[k], valid),
                         qopt_dw_load32(src[k + 1], valid), b.weights[k / 2],
                         isSigned, acc);
          qopt_dw_store(&p, chan, c0, valid, &b, acc, epilogue,
                        outRow + ow * p.c);
        }
        /* Inside pixels; whole blocks with a constant width. */
        if (innerLo == innerHi)
          continue;
        const uint8_t *base =
            x + ((n * p.h + ih0) * p.w + innerLo * p.sw - p.pw) * p.c + c0;
        if (valid == 32)
          qopt_dw_inside(&p, chan, c0, 32, &b, base, offsets, step, ntaps,
                         isSigned, epilogue, outRow + innerLo * p.c,
                         innerHi - innerLo);
        else
          qopt_dw_inside(&p, chan, c0, valid, &b, base, offsets, step, ntaps,
                         isSigned, epilogue, outRow + innerLo * p.c,
                         innerHi - innerLo);
      }
    }
}

QOPT_AVX512 void qopt_qdwconv_avx512(const int64_t *desc, const uint8_t *x,
                                     const int8_t *w, const int32_t *chan,
                                     uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  int64_t ntaps = p.kh * p.kw;
  if (ntaps > QOPT_DW_TAPS) {
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
