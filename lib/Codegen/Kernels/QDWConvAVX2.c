/*===- QDWConvAVX2.c - Depthwise convolution, AVX2 -------------*- C -*-===*\
|*                                                                          *|
|* Sixteen channels at a time, the taps in pairs: the input bytes of taps   *|
|* 2j and 2j + 1 are interleaved and widened to int16, the weights (minus   *|
|* their zero points, within +-255) likewise, and one vpmaddwd per eight    *|
|* channels adds both products into int32 lanes. Each product is at most    *|
|* 255 * 255 in magnitude, so every sum is exact. An odd last tap pairs     *|
|* with a weight of 0. Two inside pixels at a time share the weights.       *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

/* The most taps whose weights are kept; larger kernels run on the
 * portable kernel. */
enum { QOPT_DW_TAPS = 9, QOPT_DW_PAIRS = (QOPT_DW_TAPS + 1) / 2 };

/* Channels c .. c + 15 of one pixel, or its first `valid` of them and
 * zeros: a partial block never reads past the pixel's channels. */
QOPT_AVX2 static inline __m128i qopt_dw_load16(const uint8_t *src,
                                               int64_t valid) {
  if (valid >= 16)
    return _mm_loadu_si128((const __m128i *)src);
  uint8_t lanes[16] = {0};
  memcpy(lanes, src, (size_t)valid);
  return _mm_loadu_si128((const __m128i *)lanes);
}

/* acc[h] += the products of taps 2j and 2j + 1 for channels 8h .. 8h + 7,
 * for every pair j: a and b are the two taps' 16 input bytes, w the pair's
 * interleaved int16 weights. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_pair(__m128i a, __m128i b, const __m256i w[2], int isSigned,
             __m256i acc[2]) {
  __m128i lo = _mm_unpacklo_epi8(a, b), hi = _mm_unpackhi_epi8(a, b);
  __m256i xlo = isSigned ? _mm256_cvtepi8_epi16(lo) : _mm256_cvtepu8_epi16(lo);
  __m256i xhi = isSigned ? _mm256_cvtepi8_epi16(hi) : _mm256_cvtepu8_epi16(hi);
  acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(xlo, w[0]));
  acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(xhi, w[1]));
}

/* Requantizes and stores one pixel's 16 lanes. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_store(const qopt_conv_t *p, const int32_t *chan, int64_t t, int64_t c0,
              int64_t valid, const __m256i acc[2], const int32_t *p0,
              const int32_t *p1, qopt_epilogue8_t epilogue, uint8_t *out) {
  if (p->mode == QOPT_REQUANT_INTEGER)
    qopt_requantize_integer16x8(acc[0], acc[1], p, chan, t, c0, valid, out);
  else
    qopt_requantize16x8(out, valid, acc[0], acc[1], p0, p1, epilogue);
}

/* The weights of channels c0 .. c0 + 15 as pairs of taps: w[j][h] holds,
 * for channels 8h .. 8h + 7, (w[2j] - zw, w[2j + 1] - zw) as int16, and 0
 * for the missing partner of an odd last tap. The packed weights and
 * channel rows are padded to 16 channels. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_weights(const int8_t *w, const int32_t *zw, int64_t t, int64_t c0,
                int64_t ntaps, __m256i pairs[QOPT_DW_PAIRS][2]) {
  __m256i zeros[2];
  for (int h = 0; h < 2; ++h) {
    /* (zw, zw) in each int32 lane: |zw| <= 255. */
    __m256i z = _mm256_loadu_si256((const __m256i *)(zw + c0 + 8 * h));
    zeros[h] = _mm256_or_si256(_mm256_and_si256(z, _mm256_set1_epi32(0xffff)),
                               _mm256_slli_epi32(z, 16));
  }
  for (int64_t j = 0; 2 * j < ntaps; ++j) {
    __m128i a = _mm_loadu_si128((const __m128i *)(w + 2 * j * t + c0));
    int odd = 2 * j + 1 == ntaps;
    __m128i b =
        odd ? _mm_setzero_si128()
            : _mm_loadu_si128((const __m128i *)(w + (2 * j + 1) * t + c0));
    __m128i halves[2] = {_mm_unpacklo_epi8(a, b), _mm_unpackhi_epi8(a, b)};
    for (int h = 0; h < 2; ++h) {
      pairs[j][h] = _mm256_sub_epi16(_mm256_cvtepi8_epi16(halves[h]), zeros[h]);
      if (odd) /* no partner: its weight is 0, not -zw */
        pairs[j][h] = _mm256_and_si256(pairs[j][h], _mm256_set1_epi32(0xffff));
    }
  }
}

/* `count` inside pixels from the one whose first tap is at `base`, two
 * at a time, then one. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_inside(const qopt_conv_t *p, const int32_t *chan, int64_t t, int64_t c0,
               int64_t valid, const uint8_t *base, const int64_t *offsets,
               int64_t step, int64_t ntaps, int isSigned,
               __m256i weights[QOPT_DW_PAIRS][2], const __m256i init[2],
               const int32_t *p0, const int32_t *p1, qopt_epilogue8_t epilogue,
               uint8_t *out, int64_t count) {
  int64_t i = 0;
  for (; i + 2 <= count; i += 2, base += 2 * step) {
    __m256i acc0[2] = {init[0], init[1]};
    __m256i acc1[2] = {init[0], init[1]};
    for (int64_t k = 0; k < ntaps; k += 2) {
      const uint8_t *a = base + offsets[k], *b = base + offsets[k + 1];
      qopt_dw_pair(qopt_dw_load16(a, valid), qopt_dw_load16(b, valid),
                   weights[k / 2], isSigned, acc0);
      qopt_dw_pair(qopt_dw_load16(a + step, valid),
                   qopt_dw_load16(b + step, valid), weights[k / 2], isSigned,
                   acc1);
    }
    qopt_dw_store(p, chan, t, c0, valid, acc0, p0, p1, epilogue,
                  out + i * p->c);
    qopt_dw_store(p, chan, t, c0, valid, acc1, p0, p1, epilogue,
                  out + (i + 1) * p->c);
  }
  for (; i < count; ++i, base += step) {
    __m256i acc[2] = {init[0], init[1]};
    for (int64_t k = 0; k < ntaps; k += 2)
      qopt_dw_pair(qopt_dw_load16(base + offsets[k], valid),
                   qopt_dw_load16(base + offsets[k + 1], valid), weights[k / 2],
                   isSigned, acc);
    qopt_dw_store(p, chan, t, c0, valid, acc, p0, p1, epilogue, out + i * p->c);
  }
}

/* The border pixels of an output row (those outside [innerLo, innerHi)),
 * whose taps (from qopt_dw_border_taps) may lie in the padding. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_dw_border(const qopt_conv_t *p, const int32_t *chan, int64_t t, int64_t c0,
               int64_t valid, const uint8_t *const *rows, const uint8_t *zeros,
               int64_t ntaps, int isSigned, __m256i weights[QOPT_DW_PAIRS][2],
               const __m256i init[2], const int32_t *p0, const int32_t *p1,
               qopt_epilogue8_t epilogue, uint8_t *outRow, int64_t innerLo,
               int64_t innerHi) {
  for (int64_t ow = 0; ow < p->ow; ++ow) {
    if (ow == innerLo) {
      ow = innerHi - 1;
      continue;
    }
    const uint8_t *src[2 * QOPT_DW_PAIRS];
    qopt_dw_border_taps(p, rows, ow, zeros, c0, src);
    src[ntaps] = src[ntaps - 1];
    __m256i acc[2] = {init[0], init[1]};
    for (int64_t k = 0; k < ntaps; k += 2)
      qopt_dw_pair(qopt_dw_load16(src[k], valid),
                   qopt_dw_load16(src[k + 1], valid), weights[k / 2], isSigned,
                   acc);
    qopt_dw_store(p, chan, t, c0, valid, acc, p0, p1, epilogue,
                  outRow + ow * p->c);
  }
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
  qopt_epilogue8_t epilogue = qopt_epilogue8(&p);
  __m256i zx = _mm256_set1_epi32(p.xzero);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      int64_t ih0 = oh * p.sh - p.ph;
      int rowInside = ih0 >= 0 && ih0 + (p.kh - 1) * p.dh < p.h;
      const uint8_t *rows[QOPT_DW_TAPS];
      qopt_dw_rows(&p, x, n, oh, rows);
      /* The inside pixels of this row, or none: [p.ow, p.ow). */
      int64_t innerLo = rowInside ? owLo : p.ow;
      int64_t innerHi = rowInside ? owHi : p.ow;
      for (int64_t c0 = 0; c0 < p.c; c0 += 16) {
        int64_t valid = QOPT_MIN(16, p.c - c0);
        __m256i weights[QOPT_DW_PAIRS][2];
        qopt_dw_weights(w, chan + QOPT_CHAN_WZERO * t, t, c0, ntaps, weights);
        /* bias - zx * sum over taps of (w - zw). */
        __m256i init[2];
        for (int h = 0; h < 2; ++h) {
          int64_t c = c0 + 8 * h;
          __m256i zw = _mm256_loadu_si256(
              (const __m256i *)(chan + QOPT_CHAN_WZERO * t + c));
          __m256i sum = _mm256_sub_epi32(
              _mm256_loadu_si256(
                  (const __m256i *)(chan + QOPT_CHAN_WSUM * t + c)),
              _mm256_mullo_epi32(zw, _mm256_set1_epi32((int32_t)ntaps)));
          init[h] = _mm256_sub_epi32(
              _mm256_loadu_si256(
                  (const __m256i *)(chan + QOPT_CHAN_BIAS * t + c)),
              _mm256_mullo_epi32(zx, sum));
        }
        const int32_t *p0 = chan + QOPT_CHAN_P0 * t + c0;
        const int32_t *p1 = chan + QOPT_CHAN_P1 * t + c0;
        uint8_t *outRow = y + (n * p.oh + oh) * p.ow * p.c + c0;
        /* Border pixels: each tap from the input or the zero-point run. */
        if (valid == 16)
          qopt_dw_border(&p, chan, t, c0, 16, rows, zeros, ntaps, isSigned,
                         weights, init, p0, p1, epilogue, outRow, innerLo,
                         innerHi);
        else
          qopt_dw_border(&p, chan, t, c0, valid, rows, zeros, ntaps, isSigned,
                         weights, init, p0, p1, epilogue, outRow, innerLo,
                         innerHi);
        /* Inside pixels; whole blocks with a constant width. */
        if (innerLo == innerHi)
          continue;
        const uint8_t *base =
            x + ((n * p.h + ih0) * p.w + innerLo * p.sw - p.pw) * p.c + c0;
        if (valid == 16)
          qopt_dw_inside(&p, chan, t, c0, 16, base, offsets, step, ntaps,
                         isSigned, weights, init, p0, p1, epilogue,
                         outRow + innerLo * p.c, innerHi - innerLo);
        else
          qopt_dw_inside(&p, chan, t, c0, valid, base, offsets, step, ntaps,
                         isSigned, weights, init, p0, p1, epilogue,
                         outRow + innerLo * p.c, innerHi - innerLo);
      }
    }
}

QOPT_AVX2 void qopt_qdwconv_avx2(const int64_t *desc, const uint8_t *x,
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
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, 9, 1);
  else if (ntaps == 9)
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, 9, 0);
  else if (p.xsigned)
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, ntaps, 1);
  else
    qopt_qdwconv_avx2_body(&p, x, w, chan, y, ws, batch, ntaps, 0);
}
