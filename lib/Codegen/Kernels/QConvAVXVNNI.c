/*===- QConvAVXVNNI.c - Quantized convolution, AVX-VNNI --------*- C -*-===*\
|*                                                                          *|
|* The implicit GEMM of QConvAVX512VNNI.c on 256-bit registers, for CPUs    *|
|* with AVX-VNNI (the VEX encoding of vpdpbusd) and no AVX-512: Intel's     *|
|* client cores since Alder Lake, its E-core servers. vpdpbusd multiplies   *|
|* unsigned by signed bytes in groups of four and adds them to int32 lanes  *|
|* with no 16-bit step, so every sum is exact for any 8-bit data and no row *|
|* needs the range scan of the AVX2 kernel. Weights come in the AVX2        *|
|* kernel's layout (KG = 4, NR = 16: two ymm registers a run). The tile is  *|
|* 6 rows by 16 channels in 12 of the 16 ymm registers: a vpdpbusd with a   *|
|* latency of about 5 cycles, issued up to twice a cycle (Intel's P-cores), *|
|* needs about 10 independent sums to keep busy. (A 4-row tile, on a Zen 5  *|
|* limited to these instructions, was 7-10% slower on resnet18,             *|
|* mobilenet_v2 and a 3x3 convolution, and 9% faster on a 1024x1024 linear  *|
|* layer at batch 64.) The epilogue is the AVX2 one (VectorAVX2.h). u8      *|
|* input with a multiple of 4 channels per group and no weight zero points  *|
|* is read in place through a pointer per row and kernel tap; otherwise     *|
|* rows are packed MC at a time.                                            *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

#define QOPT_AVXVNNI __attribute__((target("avx2,avxvnni")))

enum { MR = 6, NR = QOPT_AVXVNNI_NR };

/* One step of a tile of ROWS rows: acc[i][h] += the 4 bytes at
 * ROW_ADDRESS (row i) times the next 4 x 16 weights of b. */
#define QOPT_AVXVNNI_STEP(ROWS, ROW_ADDRESS)                                   \
  do {                                                                         \
    __m256i b0 = _mm256_loadu_si256((const __m256i *)b);                       \
    __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 32));                \
    b += 64;                                                                   \
    for (int i = 0; i < ROWS; ++i) {                                           \
      int32_t quad;                                                            \
      memcpy(&quad, ROW_ADDRESS, sizeof quad);                                 \
      __m256i ai = _mm256_set1_epi32(quad);                                    \
      acc[i][0] = _mm256_dpbusd_avx_epi32(acc[i][0], ai, b0);                  \
      acc[i][1] = _mm256_dpbusd_avx_epi32(acc[i][1], ai, b1);                  \
    }                                                                          \
  } while (0)

/* The accumulators live in a local array whose address does not escape
 * until the end (then copied to `out`), so they stay in registers. */
#define QOPT_AVXVNNI_TILE_BEGIN(ROWS)                                          \
  __m256i acc[ROWS][2];                                                        \
  for (int i = 0; i < ROWS; ++i) {                                             \
    acc[i][0] = init[0];                                                       \
    acc[i][1] = init[1];                                                       \
  }
#define QOPT_AVXVNNI_TILE_END(ROWS)                                            \
  for (int i = 0; i < ROWS; ++i) {                                             \
    out[i][0] = acc[i][0];                                                     \
    out[i][1] = acc[i][1];                                                     \
  }

/* Tiles of ROWS rows over packed rows (stride lda), and over rows read in
 * place: taps[i * ntaps + t] is row i's address for kernel tap t, each
 * holding `quads` runs of four channels. */
#define QOPT_AVXVNNI_TILES(ROWS)                                               \
  QOPT_AVXVNNI static inline void tile_packed_##ROWS(                          \
      const uint8_t *a, int64_t lda, const int8_t *b, int64_t quads,           \
      const __m256i init[2], __m256i out[MR][2]) {                             \
    QOPT_AVXVNNI_TILE_BEGIN(ROWS)                                              \
    for (int64_t q = 0; q < quads; ++q)                                        \
      QOPT_AVXVNNI_STEP(ROWS, a + i * lda + 4 * q);                            \
    QOPT_AVXVNNI_TILE_END(ROWS)                                                \
  }                                                                            \
  QOPT_AVXVNNI static inline void tile_indirect_##ROWS(                        \
      const uint8_t *const *taps, int64_t ntaps, const int8_t *b,              \
      int64_t quads, const __m256i init[2], __m256i out[MR][2]) {              \
    QOPT_AVXVNNI_TILE_BEGIN(ROWS)                                              \
    for (int64_t t = 0; t < ntaps; ++t) {                                      \
      const uint8_t *row[ROWS];                                                \
      for (int i = 0; i < ROWS; ++i)                                           \
        row[i] = taps[i * ntaps + t];                                          \
      for (int64_t q = 0; q < quads; ++q)                                      \
        QOPT_AVXVNNI_STEP(ROWS, row[i] + 4 * q);                               \
    }                                                                          \
    QOPT_AVXVNNI_TILE_END(ROWS)                                                \
  }
QOPT_AVXVNNI_TILES(6)
QOPT_AVXVNNI_TILES(4)
QOPT_AVXVNNI_TILES(2)
QOPT_AVXVNNI_TILES(1)

/* The tile of `rows` (6, 4, 2 or 1) rows at `taps` (in place) or `packed`:
 * 6 while they last, then 4, 2 and 1, so no row is padded and a GEMM of
 * one row (a linear layer at batch 1) is not multiplied six times over. */
QOPT_AVXVNNI static inline __attribute__((always_inline)) void
qopt_avxvnni_tile(int64_t rows, int inPlace, const qopt_conv_t *p,
                  const uint8_t *const *taps, const uint8_t *packed,
                  const int8_t *panel, const __m256i init[2],
                  __m256i acc[MR][2]) {
  int64_t ntaps = p->kh * p->kw, quads = p->cg / 4, kquads = p->kpad / 4;
  if (rows == 6 && inPlace)
    tile_indirect_6(taps, ntaps, panel, quads, init, acc);
  else if (rows == 6)
    tile_packed_6(packed, p->kpad, panel, kquads, init, acc);
  else if (rows == 4 && inPlace)
    tile_indirect_4(taps, ntaps, panel, quads, init, acc);
  else if (rows == 4)
    tile_packed_4(packed, p->kpad, panel, kquads, init, acc);
  else if (rows == 2 && inPlace)
    tile_indirect_2(taps, ntaps, panel, quads, init, acc);
  else if (rows == 2)
    tile_packed_2(packed, p->kpad, panel, kquads, init, acc);
  else if (inPlace)
    tile_indirect_1(taps, ntaps, panel, quads, init, acc);
  else
    tile_packed_1(packed, p->kpad, panel, kquads, init, acc);
}

QOPT_AVXVNNI void qopt_qconv_avxvnni(const int64_t *desc, const uint8_t *x,
                                     const int8_t *w, const int32_t *chan,
                                     uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  int64_t ntaps = p.kh * p.kw;
  int inPlace = qopt_vnni_in_place(&p);
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  memset(work.zero, zero, (size_t)p.cg);
  __m256i zx = _mm256_set1_epi32(zero);
  qopt_epilogue8_t epilogue = qopt_epilogue8(&p);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      qopt_vnni_rows(&p, x, m0, count, count, g, &work);
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        __m256i init[2];
        qopt_acc_init16x8(chan + QOPT_CHAN_BIAS * t + ch,
                          chan + QOPT_CHAN_WSUM * t + ch, zx, init);
        const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
        const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
        for (int64_t r0 = 0, rows; r0 < count; r0 += rows) {
          int64_t left = count - r0;
          rows = left >= 6 ? 6 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
          __m256i acc[MR][2];
          qopt_avxvnni_tile(rows, inPlace, &p, work.taps + r0 * ntaps,
                            work.rows + r0 * p.kpad, panel, init, acc);
          for (int i = 0; i < rows; ++i) {
            uint8_t *out = y + (m0 + r0 + i) * p.oc + g * p.ng + nb * NR;
            if (p.wzero)
              qopt_sub_wzero16x8(acc[i], work.rowSums[r0 + i],
                                 chan + QOPT_CHAN_WZERO * t + ch);
            if (p.mode == QOPT_REQUANT_INTEGER)
              qopt_requantize_integer16x8(acc[i][0], acc[i][1], &p, chan, t, ch,
                                          valid, out);
            else
              qopt_requantize16x8(out, valid, acc[i][0], acc[i][1], p0, p1,
                                  epilogue);
          }
        }
      }
    }
  }
}
