/*===- QConvAVX512VNNI.c - Quantized convolution, AVX512-VNNI --*- C -*-===*\
|*                                                                          *|
|* The implicit GEMM of QConvAVX2.c with vpdpbusd: it multiplies unsigned   *|
|* bytes by signed bytes in groups of four and adds them to int32 lanes     *|
|* with no 16-bit step, so the sums are exact. The left operand is the      *|
|* input bytes themselves (i8 input shifted by 128 to u8); the zero point   *|
|* enters once per output as -zx * sum(w), precomputed per channel, so      *|
|* padding holds zx. Weights come packed in runs of four reduction indices  *|
|* (KG = 4) for blocks of 32 channels (or 16 for layers of few channels,   *|
|* which 32 would pad too much); the tile is 8 rows by 32 (16) channels in *|
|* 16 (8) zmm accumulators.                                                 *|
|*                                                                          *|
|* u8 input with a multiple of 4 channels per group and no weight zero      *|
|* points is read in place: each row of a tile has a pointer per kernel tap *|
|* (to the input pixel, or to a run of zero-point bytes in the padding),    *|
|* so no im2col copy is made. Otherwise rows are packed MC at a time.       *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

enum { MR = 8 };

/* One step of a tile of ROWS rows: acc[i][h] += the 4 bytes at
 * ROW_ADDRESS (row i) times the next 4 x (16 NB) weights of b. */
#define QOPT_VNNI_STEP(ROWS, NB, ROW_ADDRESS)                                  \
  do {                                                                         \
    __m512i bv[NB];                                                            \
    for (int h = 0; h < NB; ++h)                                               \
      bv[h] = _mm512_loadu_si512((const void *)(b + 64 * h));                  \
    b += 64 * NB;                                                              \
    for (int i = 0; i < ROWS; ++i) {                                           \
      int32_t quad;                                                            \
      memcpy(&quad, ROW_ADDRESS, sizeof quad);                                 \
      __m512i ai = _mm512_set1_epi32(quad);                                    \
      for (int h = 0; h < NB; ++h)                                             \
        acc[i][h] = _mm512_dpbusd_epi32(acc[i][h], ai, bv[h]);                 \
    }                                                                          \
  } while (0)

/* The accumulators live in a local array whose address does not escape
 * until the end (then copied to `out`): loads through the row pointers
 * cannot alias it, and it stays in registers. */
#define QOPT_VNNI_TILE_BEGIN(ROWS, NB)                                         \
  __m512i acc[ROWS][NB];                                                       \
  for (int i = 0; i < ROWS; ++i)                                               \
    for (int h = 0; h < NB; ++h)                                               \
      acc[i][h] = init[h];
#define QOPT_VNNI_TILE_END(ROWS, NB)                                           \
  for (int i = 0; i < ROWS; ++i)                                               \
    for (int h = 0; h < NB; ++h)                                               \
      out[i][h] = acc[i][h];

/* Tiles of ROWS rows by 16 NB channels over packed rows (stride lda), and
 * over rows read in place: taps[i * ntaps + t] is row i's address for
 * kernel tap t, each holding `quads` runs of four channels. One-row tiles
 * serve the last rows of a block and single-row GEMMs (a linear layer at
 * batch 1), which the 8-row tiles would multiply eight times over. */
#define QOPT_VNNI_TILES(ROWS, NB)                                              \
  QOPT_AVX512 static inline void tile_packed_##ROWS##_##NB(                    \
      const uint8_t *a, int64_t lda, const int8_t *b, int64_t quads,           \
      const __m512i init[2], __m512i out[MR][2]) {                             \
    QOPT_VNNI_TILE_BEGIN(ROWS, NB)                                             \
    for (int64_t q = 0; q < quads; ++q)                                        \
      QOPT_VNNI_STEP(ROWS, NB, a + i * lda + 4 * q);                           \
    QOPT_VNNI_TILE_END(ROWS, NB)                                               \
  }                                                                            \
  QOPT_AVX512 static inline void tile_indirect_##ROWS##_##NB(                  \
      const uint8_t *const *taps, int64_t ntaps, const int8_t *b,              \
      int64_t quads, const __m512i init[2], __m512i out[MR][2]) {              \
    QOPT_VNNI_TILE_BEGIN(ROWS, NB)                                             \
    for (int64_t t = 0; t < ntaps; ++t) {                                      \
      const uint8_t *row[ROWS];                                                \
      for (int i = 0; i < ROWS; ++i)                                           \
        row[i] = taps[i * ntaps + t];                                          \
      for (int64_t q = 0; q < quads; ++q)                                      \
        QOPT_VNNI_STEP(ROWS, NB, row[i] + 4 * q);                              \
    }                                                                          \
    QOPT_VNNI_TILE_END(ROWS, NB)                                               \
  }
QOPT_VNNI_TILES(8, 1)
QOPT_VNNI_TILES(8, 2)
QOPT_VNNI_TILES(1, 1)
QOPT_VNNI_TILES(1, 2)

QOPT_AVX512 void qopt_qconv_avx512vnni(const int64_t *desc, const uint8_t *x,
                                       const int8_t *w, const int32_t *chan,
                                       uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  int64_t ntaps = p.kh * p.kw;
  int inPlace = qopt_vnni_in_place(&p);
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t nr = p.nr, blocks = p.npad / nr;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  memset(work.zero, zero, (size_t)p.cg);
  __m512i zx = _mm512_set1_epi32(zero);
  qopt_epilogue16_t epilogue = qopt_epilogue16(&p);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      int64_t padded = (count + MR - 1) / MR * MR;
      qopt_vnni_rows(&p, x, m0, count, padded, g, &work);
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * nr;
        int64_t ch = g * p.npad + nb * nr;
        int64_t valid = QOPT_MIN(nr, p.ng - nb * nr);
        /* acc starts at bias - zx * sum(w). */
        const int32_t *bias = chan + QOPT_CHAN_BIAS * t + ch;
        const int32_t *wsum = chan + QOPT_CHAN_WSUM * t + ch;
        __m512i init[2];
        for (int h = 0; h < nr / 16; ++h)
          init[h] = qopt_acc_init16(bias + 16 * h, wsum + 16 * h, zx);
        const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
        const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
        for (int64_t r0 = 0, rows; r0 < count; r0 += rows) {
          /* Eight rows at a time; one when fewer than four are left. */
          rows = count - r0 >= 4 ? MR : 1;
          __m512i acc[MR][2];
          const uint8_t *const *tileTaps = work.taps + r0 * ntaps;
          const uint8_t *tileRows = work.rows + r0 * p.kpad;
          if (rows == MR && nr == 32 && inPlace)
            tile_indirect_8_2(tileTaps, ntaps, panel, p.cg / 4, init, acc);
          else if (rows == MR && nr == 32)
            tile_packed_8_2(tileRows, p.kpad, panel, p.kpad / 4, init, acc);
          else if (rows == MR && inPlace)
            tile_indirect_8_1(tileTaps, ntaps, panel, p.cg / 4, init, acc);
          else if (rows == MR)
            tile_packed_8_1(tileRows, p.kpad, panel, p.kpad / 4, init, acc);
          else if (nr == 32 && inPlace)
            tile_indirect_1_2(tileTaps, ntaps, panel, p.cg / 4, init, acc);
          else if (nr == 32)
            tile_packed_1_2(tileRows, p.kpad, panel, p.kpad / 4, init, acc);
          else if (inPlace)
            tile_indirect_1_1(tileTaps, ntaps, panel, p.cg / 4, init, acc);
          else
            tile_packed_1_1(tileRows, p.kpad, panel, p.kpad / 4, init, acc);
          for (int i = 0; i < rows && r0 + i < count; ++i) {
            uint8_t *out = y + (m0 + r0 + i) * p.oc + g * p.ng + nb * nr;
            if (p.wzero) {
              __m512i s = _mm512_set1_epi32(work.rowSums[r0 + i]);
              const int32_t *zw = chan + QOPT_CHAN_WZERO * t + ch;
              for (int h = 0; h < nr / 16; ++h)
                acc[i][h] = qopt_sub_wzero16(acc[i][h], s, zw + 16 * h);
            }
            if (p.mode == QOPT_REQUANT_INTEGER) {
              for (int h = 0; h < nr / 16; ++h)
                qopt_requantize_integer16(acc[i][h], &p, chan, t, ch + 16 * h,
                                          QOPT_MIN(valid - 16 * h, 16),
                                          out + 16 * h);
              continue;
            }
            __m512i q0 = qopt_requantize16(acc[i][0], p0, p1, epilogue);
            if (nr == 16) {
              qopt_store16(out, qopt_mask16(valid), q0, p.ysigned);
              continue;
            }
            qopt_store32(
                out, valid, q0,
                qopt_requantize16(acc[i][1], p0 + 16, p1 + 16, epilogue),
                p.ysigned);
          }
        }
      }
    }
  }
}
