/*===- QConvAVX2.c - Quantized convolution, AVX2 ---------------*- C -*-===*\
|*                                                                          *|
|* An implicit GEMM: rows of the left operand (im2col'd from NHWC, as       *|
|* unsigned bytes: u8 input as it is, i8 input plus 128) are packed MC at a *|
|* time into the workspace; weights come packed at compile time in runs of  *|
|* four reduction indices for blocks of 16 channels (KG = 4, NR = 16), the  *|
|* VNNI layout. The zero point enters once per output as -zx * sum(w), so   *|
|* padding holds zx.                                                        *|
|*                                                                          *|
|* vpmaddubsw multiplies unsigned by signed bytes and adds pairs into int16 *|
|* lanes with saturation; vpmaddwd by ones then adds pairs of those into    *|
|* int32. A pair sum x0 * w0 + x1 * w1 with x <= 127 and -128 <= w <= 127  *|
|* lies in [-32512, 32258], inside int16: no saturation, every int32 sum   *|
|* exact. So a tile whose packed rows hold only bytes below 128 (what      *|
|* reduce_range activations hold unless they leave the calibrated range)   *|
|* takes that path. A tile with a byte of 128 or more splits each byte as  *|
|* x = (x & 127) + 128 * (x >> 7) and multiplies both parts, each within   *|
|* the bound, adding the second with weight 128 in vpmaddwd: twice the     *|
|* work, the same exact sums. The epilogue (rule R or I) runs on the       *|
|* tile's registers, 8 lanes at a time, with the scalar contract's         *|
|* operations in its order.                                                *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

enum { MR = 4, NR = QOPT_AVX2_NR };

/* out[i][h] = init[h] + sum over k of a[i][k] * b[k][8h .. 8h + 7] for
 * ROWS rows, a[i] unsigned bytes with stride lda and b the packed panel of
 * `quads` runs of four. With SPLIT, each byte of a is multiplied in two
 * parts (see the file comment); without, every byte of a must be below
 * 128. The accumulators live in a local array whose address does not
 * escape until the end, so they stay in registers: 4 rows take 8 of the
 * 16 ymm registers, the weights 2, the row bytes 1 or 2, the constants
 * 1 or 2 and the products 2. Tiles of 2 and 1 rows finish a block whose
 * row count 4 does not divide, and serve GEMMs of a few rows (a linear
 * layer at batch 1), which a 4-row tile would multiply four times over. */
#define QOPT_AVX2_TILE(ROWS, SPLIT, SUFFIX)                                    \
  QOPT_AVX2 static inline void tile_##ROWS##SUFFIX(                            \
      const uint8_t *a, int64_t lda, const int8_t *b, int64_t quads,           \
      const __m256i init[2], __m256i out[MR][2]) {                             \
    const __m256i ones = _mm256_set1_epi16(1);                                 \
    const __m256i high = _mm256_set1_epi16(128);                               \
    __m256i acc[ROWS][2];                                                      \
    for (int i = 0; i < ROWS; ++i) {                                           \
      acc[i][0] = init[0];                                                     \
      acc[i][1] = init[1];                                                     \
    }                                                                          \
    for (int64_t q = 0; q < quads; ++q) {                                      \
      __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 64 * q));          \
      __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 64 * q + 32));     \
      for (int i = 0; i < ROWS; ++i) {                                         \
        uint32_t quad;                                                         \
        memcpy(&quad, a + i * lda + 4 * q, sizeof quad);                       \
        if (!SPLIT) {                                                          \
          __m256i ai = _mm256_set1_epi32((int32_t)quad);                       \
          acc[i][0] = _mm256_add_epi32(                                        \
              acc[i][0],                                                       \
              _mm256_madd_epi16(_mm256_maddubs_epi16(ai, b0), ones));          \
          acc[i][1] = _mm256_add_epi32(                                        \
              acc[i][1],                                                       \
              _mm256_madd_epi16(_mm256_maddubs_epi16(ai, b1), ones));          \
        } else {                                                               \
          __m256i lo = _mm256_set1_epi32((int32_t)(quad & 0x7f7f7f7fu));       \
          __m256i hi =                                                         \
              _mm256_set1_epi32((int32_t)((quad >> 7) & 0x01010101u));         \
          acc[i][0] = _mm256_add_epi32(                                        \
              acc[i][0],                                                       \
              _mm256_add_epi32(                                                \
                  _mm256_madd_epi16(_mm256_maddubs_epi16(lo, b0), ones),       \
                  _mm256_madd_epi16(_mm256_maddubs_epi16(hi, b0), high)));     \
          acc[i][1] = _mm256_add_epi32(                                        \
              acc[i][1],                                                       \
              _mm256_add_epi32(                                                \
                  _mm256_madd_epi16(_mm256_maddubs_epi16(lo, b1), ones),       \
                  _mm256_madd_epi16(_mm256_maddubs_epi16(hi, b1), high)));     \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < ROWS; ++i) {                                           \
      out[i][0] = acc[i][0];                                                   \
      out[i][1] = acc[i][1];                                                   \
    }                                                                          \
  }
QOPT_AVX2_TILE(4, 0, )
QOPT_AVX2_TILE(2, 0, )
QOPT_AVX2_TILE(1, 0, )
QOPT_AVX2_TILE(4, 1, _split)
QOPT_AVX2_TILE(2, 1, _split)
QOPT_AVX2_TILE(1, 1, _split)

/* 1 if one of the `n` bytes at `row` is 128 or more. */
QOPT_AVX2 static inline int qopt_has_high_byte(const uint8_t *row, int64_t n) {
  __m256i any = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    any = _mm256_or_si256(any, _mm256_loadu_si256((const __m256i *)(row + i)));
  uint8_t tail = 0;
  for (; i < n; ++i)
    tail |= row[i];
  return (_mm256_movemask_epi8(any) | (tail & 0x80)) != 0;
}

QOPT_AVX2 void qopt_qconv_avx2(const int64_t *desc, const uint8_t *x,
                               const int8_t *w, const int32_t *chan, uint8_t *y,
                               uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  /* Whether each packed row has a byte of 128 or more, in the space the
   * in-place kernels keep tap pointers in (8 bytes per row at least). */
  uint8_t *high = (uint8_t *)work.taps;
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR, quads = p.kpad / 4;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  __m256i zx = _mm256_set1_epi32(zero);
  __m256 zy = _mm256_set1_ps((float)p.yzero);
  __m256 lo = _mm256_set1_ps((float)p.ymin);
  __m256 hi = _mm256_set1_ps((float)p.ymax);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      for (int64_t r = 0; r < count; ++r) {
        uint8_t *row = work.rows + r * p.kpad;
        work.rowSums[r] = qopt_pack_row_u8(&p, x, m0 + r, g, row);
        high[r] = (uint8_t)qopt_has_high_byte(row, p.kpad);
      }
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        /* acc starts at bias - zx * sum(w). */
        const int32_t *bias = chan + QOPT_CHAN_BIAS * t + ch;
        const int32_t *wsum = chan + QOPT_CHAN_WSUM * t + ch;
        __m256i init[2];
        for (int h = 0; h < 2; ++h)
          init[h] = _mm256_sub_epi32(
              _mm256_loadu_si256((const __m256i *)(bias + 8 * h)),
              _mm256_mullo_epi32(
                  zx, _mm256_loadu_si256((const __m256i *)(wsum + 8 * h))));
        for (int64_t r0 = 0, tileRows; r0 < count; r0 += tileRows) {
          __m256i acc[MR][2];
          const uint8_t *a = work.rows + r0 * p.kpad;
          int64_t left = count - r0;
          tileRows = left >= 4 ? 4 : left >= 2 ? 2 : 1;
          int split = 0;
          for (int i = 0; i < tileRows; ++i)
            split |= high[r0 + i];
          if (tileRows == 4 && split)
            tile_4_split(a, p.kpad, panel, quads, init, acc);
          else if (tileRows == 4)
            tile_4(a, p.kpad, panel, quads, init, acc);
          else if (tileRows == 2 && split)
            tile_2_split(a, p.kpad, panel, quads, init, acc);
          else if (tileRows == 2)
            tile_2(a, p.kpad, panel, quads, init, acc);
          else if (split)
            tile_1_split(a, p.kpad, panel, quads, init, acc);
          else
            tile_1(a, p.kpad, panel, quads, init, acc);
          for (int i = 0; i < tileRows; ++i) {
            int64_t m = m0 + r0 + i;
            uint8_t *out = y + m * p.oc + g * p.ng + nb * NR;
            if (p.wzero) {
              __m256i s = _mm256_set1_epi32(work.rowSums[r0 + i]);
              const int32_t *zw = chan + QOPT_CHAN_WZERO * t + ch;
              acc[i][0] = _mm256_sub_epi32(
                  acc[i][0], _mm256_mullo_epi32(
                                 s, _mm256_loadu_si256((const __m256i *)zw)));
              acc[i][1] = _mm256_sub_epi32(
                  acc[i][1],
                  _mm256_mullo_epi32(
                      s, _mm256_loadu_si256((const __m256i *)(zw + 8))));
            }
            if (p.mode == QOPT_REQUANT_INTEGER) {
              qopt_requantize_integer16x8(acc[i][0], acc[i][1], &p, chan, t, ch,
                                          valid, out);
              continue;
            }
            const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
            const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
            qopt_store16x8(
                out, valid, qopt_requantize8(acc[i][0], p0, p1, zy, lo, hi),
                qopt_requantize8(acc[i][1], p0 + 8, p1 + 8, zy, lo, hi),
                p.ysigned);
          }
        }
      }
    }
  }
}
