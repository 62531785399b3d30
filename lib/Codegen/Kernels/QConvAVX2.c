/*===- QConvAVX2.c - Quantized convolution, AVX2 ---------------*- C -*-===*\
|*                                                                          *|
|* An implicit GEMM: rows of the left operand (x - zx as int16, im2col'd    *|
|* from NHWC) are packed MC at a time into the workspace; weights come      *|
|* packed at compile time in pairs of reduction indices (KG = 2, NR = 16).  *|
|* The 6x16 tile multiplies with vpmaddwd: |x - zx| <= 255 and |w| <= 128,  *|
|* so each pair sum is at most 65280 and every int32 sum is exact; no      *|
|* int16 saturation can happen (vpmaddubsw could saturate). The epilogue    *|
|* (rule R) runs on the tile's registers, 8 lanes at a time, with the       *|
|* scalar contract's operations in its order.                               *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

enum { MR = 6, NR = QOPT_AVX2_NR };

/* out[i][h] = init_h + sum over k of a[i][k] * b[k][8h .. 8h + 7] for ROWS
 * rows. The accumulators live in a local array whose address does not
 * escape until the end, so they stay in registers: 6 rows take 12 of the
 * 16 ymm registers, the weights 2, the broadcast row pair 1 and a product
 * 1. Unrolled, the loop would need more and spill accumulators to the
 * stack on every step (the 6-row tile then ran 25% slower than 4 rows), so
 * it is not unrolled. Tiles of 4, 2 and 1 rows finish a block whose row
 * count 6 does not divide, and serve a GEMM of a few rows (a linear layer
 * at batch 1), which a 6-row tile would multiply six times over. */
#define QOPT_AVX2_TILE(ROWS)                                                   \
  QOPT_AVX2 static inline void tile_##ROWS(                                    \
      const int16_t *a, int64_t lda, const int8_t *b, int64_t pairs,           \
      __m256i init0, __m256i init1, __m256i out[MR][2]) {                      \
    __m256i acc[ROWS][2];                                                      \
    for (int i = 0; i < ROWS; ++i) {                                           \
      acc[i][0] = init0;                                                       \
      acc[i][1] = init1;                                                       \
    }                                                                          \
    _Pragma("clang loop unroll(disable)") for (int64_t kp = 0; kp < pairs;     \
                                               ++kp) {                         \
      __m256i b0 = _mm256_cvtepi8_epi16(                                       \
          _mm_loadu_si128((const __m128i *)(b + 32 * kp)));                    \
      __m256i b1 = _mm256_cvtepi8_epi16(                                       \
          _mm_loadu_si128((const __m128i *)(b + 32 * kp + 16)));               \
      for (int i = 0; i < ROWS; ++i) {                                         \
        int32_t pair;                                                          \
        memcpy(&pair, a + i * lda + 2 * kp, sizeof pair);                      \
        __m256i ai = _mm256_set1_epi32(pair);                                  \
        acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(ai, b0));    \
        acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(ai, b1));    \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < ROWS; ++i) {                                           \
      out[i][0] = acc[i][0];                                                   \
      out[i][1] = acc[i][1];                                                   \
    }                                                                          \
  }
QOPT_AVX2_TILE(6)
QOPT_AVX2_TILE(4)
QOPT_AVX2_TILE(2)
QOPT_AVX2_TILE(1)

QOPT_AVX2 void qopt_qconv_avx2(const int64_t *desc, const uint8_t *x,
                               const int8_t *w, const int32_t *chan, uint8_t *y,
                               uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 2);
  int16_t *rows = (int16_t *)work.rows;
  int32_t *rowSums = work.rowSums;
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR;
  __m256 zy = _mm256_set1_ps((float)p.yzero);
  __m256 lo = _mm256_set1_ps((float)p.ymin);
  __m256 hi = _mm256_set1_ps((float)p.ymax);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      for (int64_t r = 0; r < count; ++r)
        rowSums[r] = qopt_pack_row_i16(&p, x, m0 + r, g, rows + r * p.kpad);
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        const int32_t *bias = chan + QOPT_CHAN_BIAS * t + ch;
        __m256i bias0 = _mm256_loadu_si256((const __m256i *)bias);
        __m256i bias1 = _mm256_loadu_si256((const __m256i *)(bias + 8));
        for (int64_t r0 = 0, tileRows; r0 < count; r0 += tileRows) {
          __m256i acc[MR][2];
          const int16_t *a = rows + r0 * p.kpad;
          int64_t left = count - r0, pairs = p.kpad / 2;
          tileRows = left >= 6 ? 6 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
          if (tileRows == 6)
            tile_6(a, p.kpad, panel, pairs, bias0, bias1, acc);
          else if (tileRows == 4)
            tile_4(a, p.kpad, panel, pairs, bias0, bias1, acc);
          else if (tileRows == 2)
            tile_2(a, p.kpad, panel, pairs, bias0, bias1, acc);
          else
            tile_1(a, p.kpad, panel, pairs, bias0, bias1, acc);
          for (int i = 0; i < tileRows; ++i) {
            int64_t m = m0 + r0 + i;
            uint8_t *out = y + m * p.oc + g * p.ng + nb * NR;
            if (p.wzero) {
              __m256i s = _mm256_set1_epi32(rowSums[r0 + i]);
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
