/*===- QConvAVX512VNNI.c - Quantized convolution, AVX512-VNNI --*- C -*-===*\
|*                                                                          *|
|* The implicit GEMM of QConvAVX2.c with vpdpbusd: it multiplies unsigned   *|
|* bytes by signed bytes in groups of four and adds them to int32 lanes     *|
|* with no 16-bit step, so the sums are exact. The left operand is the      *|
|* input bytes themselves (i8 input shifted by 128 to u8); the zero point   *|
|* enters once per output as -zx * sum(w), precomputed per channel, so      *|
|* padding holds zx. Weights come packed in runs of four reduction indices  *|
|* (KG = 4) for blocks of 32 channels; the tile is 8 rows by 32 channels in *|
|* 16 zmm accumulators.                                                     *|
|*                                                                          *|
|* u8 input with a multiple of 4 channels per group and no weight zero      *|
|* points is read in place: each row of a tile has a pointer per kernel tap *|
|* (to the input pixel, or to a run of zero-point bytes in the padding),    *|
|* so no im2col copy is made. Otherwise rows are packed MC at a time.       *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

enum { MR = 8, NR = QOPT_AVX512VNNI_NR };

/* One step of the tile: acc[i][h] += the 4 bytes at ROW_ADDRESS (row i)
 * times the next 4 x 32 weights of b. */
#define QOPT_VNNI_STEP(ROW_ADDRESS)                                            \
  do {                                                                         \
    __m512i b0 = _mm512_loadu_si512((const void *)b);                          \
    __m512i b1 = _mm512_loadu_si512((const void *)(b + 64));                   \
    b += 128;                                                                  \
    for (int i = 0; i < MR; ++i) {                                             \
      int32_t quad;                                                            \
      memcpy(&quad, ROW_ADDRESS, sizeof quad);                                 \
      __m512i ai = _mm512_set1_epi32(quad);                                    \
      acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], ai, b0);                      \
      acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], ai, b1);                      \
    }                                                                          \
  } while (0)

/* The accumulators live in a local array whose address does not escape
 * until the end (then copied to `out`): loads through the row pointers
 * cannot alias it, and it stays in registers. */
#define QOPT_VNNI_TILE_BEGIN                                                   \
  __m512i acc[MR][2];                                                          \
  for (int i = 0; i < MR; ++i) {                                               \
    acc[i][0] = init0;                                                         \
    acc[i][1] = init1;                                                         \
  }
#define QOPT_VNNI_TILE_END                                                     \
  for (int i = 0; i < MR; ++i) {                                               \
    out[i][0] = acc[i][0];                                                     \
    out[i][1] = acc[i][1];                                                     \
  }

/* A tile over packed rows (stride lda). */
QOPT_AVX512 static inline void tile_packed(const uint8_t *a, int64_t lda,
                                           const int8_t *b, int64_t quads,
                                           __m512i init0, __m512i init1,
                                           __m512i out[MR][2]) {
  QOPT_VNNI_TILE_BEGIN
  for (int64_t q = 0; q < quads; ++q)
    QOPT_VNNI_STEP(a + i * lda + 4 * q);
  QOPT_VNNI_TILE_END
}

/* A tile over rows read in place: taps[i * ntaps + t] is row i's address
 * for kernel tap t, each holding `quads` runs of four channels. */
QOPT_AVX512 static inline void
tile_indirect(const uint8_t *const *taps, int64_t ntaps, const int8_t *b,
              int64_t quads, __m512i init0, __m512i init1, __m512i out[MR][2]) {
  QOPT_VNNI_TILE_BEGIN
  for (int64_t t = 0; t < ntaps; ++t) {
    const uint8_t *row[MR];
    for (int i = 0; i < MR; ++i)
      row[i] = taps[i * ntaps + t];
    for (int64_t q = 0; q < quads; ++q)
      QOPT_VNNI_STEP(row[i] + 4 * q);
  }
  QOPT_VNNI_TILE_END
}

/* Points taps[r * ntaps + t] at the input of tap t of GEMM row m0 + r
 * (group g), or at `zero` in the padding; rows from `count` up to the
 * tile's end point at `zero` too. The rows' output pixels are walked in
 * order (no division per row): this runs once per row and tap, as often as
 * the tile's multiply-adds for a 1x1 convolution of few channels. */
static inline void qopt_build_taps(const qopt_conv_t *p, const uint8_t *x,
                                   int64_t m0, int64_t count, int64_t padded,
                                   int64_t g, const uint8_t *zero,
                                   const uint8_t **taps) {
  int64_t ntaps = p->kh * p->kw;
  const uint8_t *xg = x + g * p->cg;
  if (ntaps == 1 && p->sh == 1 && p->sw == 1 && p->ph == 0 && p->pw == 0) {
    /* A 1x1 convolution with stride 1: row m is input pixel m. */
    for (int64_t r = 0; r < count; ++r)
      taps[r] = xg + (m0 + r) * p->c;
  } else {
    int64_t ow = m0 % p->ow, rest = m0 / p->ow;
    int64_t oh = rest % p->oh, n = rest / p->oh;
    for (int64_t r = 0; r < count; ++r) {
      const uint8_t **row = taps + r * ntaps;
      const uint8_t *image = xg + n * p->h * p->w * p->c;
      for (int64_t i = 0; i < p->kh; ++i) {
        int64_t ih = oh * p->sh - p->ph + i * p->dh;
        for (int64_t j = 0; j < p->kw; ++j) {
          int64_t iw = ow * p->sw - p->pw + j * p->dw;
          row[i * p->kw + j] = ih < 0 || ih >= p->h || iw < 0 || iw >= p->w
                                   ? zero
                                   : image + (ih * p->w + iw) * p->c;
        }
      }
      if (++ow == p->ow) {
        ow = 0;
        if (++oh == p->oh) {
          oh = 0;
          ++n;
        }
      }
    }
  }
  for (int64_t r = count; r < padded; ++r)
    for (int64_t t = 0; t < ntaps; ++t)
      taps[r * ntaps + t] = zero;
}

QOPT_AVX512 void qopt_qconv_avx512vnni(const int64_t *desc, const uint8_t *x,
                                       const int8_t *w, const int32_t *chan,
                                       uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  int64_t ntaps = p.kh * p.kw;
  int inPlace = !p.xsigned && !p.wzero && p.cg % 4 == 0;
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  memset(work.zero, zero, (size_t)p.cg);
  __m512i zx = _mm512_set1_epi32(zero);
  __m512 zy = _mm512_set1_ps((float)p.yzero);
  __m512 lo = _mm512_set1_ps((float)p.ymin);
  __m512 hi = _mm512_set1_ps((float)p.ymax);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      int64_t padded = (count + MR - 1) / MR * MR;
      if (inPlace) {
        qopt_build_taps(&p, x, m0, count, padded, g, work.zero, work.taps);
      } else {
        for (int64_t r = 0; r < count; ++r)
          work.rowSums[r] =
              qopt_pack_row_u8(&p, x, m0 + r, g, work.rows + r * p.kpad);
        memset(work.rows + count * p.kpad, 0,
               (size_t)((padded - count) * p.kpad));
      }
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        /* acc starts at bias - zx * sum(w). */
        const int32_t *bias = chan + QOPT_CHAN_BIAS * t + ch;
        const int32_t *wsum = chan + QOPT_CHAN_WSUM * t + ch;
        __m512i init0 = _mm512_sub_epi32(
            _mm512_loadu_si512((const void *)bias),
            _mm512_mullo_epi32(zx, _mm512_loadu_si512((const void *)wsum)));
        __m512i init1 = _mm512_sub_epi32(
            _mm512_loadu_si512((const void *)(bias + 16)),
            _mm512_mullo_epi32(zx,
                               _mm512_loadu_si512((const void *)(wsum + 16))));
        const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
        const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
        for (int64_t r0 = 0; r0 < count; r0 += MR) {
          __m512i acc[MR][2];
          if (inPlace)
            tile_indirect(work.taps + r0 * ntaps, ntaps, panel, p.cg / 4, init0,
                          init1, acc);
          else
            tile_packed(work.rows + r0 * p.kpad, p.kpad, panel, p.kpad / 4,
                        init0, init1, acc);
          for (int i = 0; i < MR && r0 + i < count; ++i) {
            uint8_t *out = y + (m0 + r0 + i) * p.oc + g * p.ng + nb * NR;
            if (p.wzero) {
              __m512i s = _mm512_set1_epi32(work.rowSums[r0 + i]);
              const int32_t *zw = chan + QOPT_CHAN_WZERO * t + ch;
              acc[i][0] = _mm512_sub_epi32(
                  acc[i][0],
                  _mm512_mullo_epi32(s, _mm512_loadu_si512((const void *)zw)));
              acc[i][1] = _mm512_sub_epi32(
                  acc[i][1],
                  _mm512_mullo_epi32(
                      s, _mm512_loadu_si512((const void *)(zw + 16))));
            }
            if (p.mode == QOPT_REQUANT_INTEGER) {
              qopt_requantize_integer16(acc[i][0], &p, chan, t, ch,
                                        QOPT_MIN(valid, 16), out);
              qopt_requantize_integer16(acc[i][1], &p, chan, t, ch + 16,
                                        valid - 16, out + 16);
              continue;
            }
            qopt_store32(
                out, valid, qopt_requantize16(acc[i][0], p0, p1, zy, lo, hi),
                qopt_requantize16(acc[i][1], p0 + 16, p1 + 16, zy, lo, hi),
                p.ysigned);
          }
        }
      }
    }
  }
}
