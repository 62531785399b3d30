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
|* exact. So each packed row is scanned once: a row with a few bytes of    *|
|* 128 or more (reduce_range activations outside their calibrated range)   *|
|* has them clamped to 127 and the rest, (x - 127) * w, added back per     *|
|* byte after the GEMM; a tile with a row of many such bytes splits each   *|
|* byte as x = (x & 127) + 128 * (x >> 7) and multiplies both parts, each  *|
|* within the bound, adding the second with weight 128 in vpmaddwd: twice  *|
|* the work, the same exact sums. Where the tile's largest byte times the  *|
|* block's largest same-signed sum of a group of four weights (GROUP,      *|
|* computed at compile time) stays within 32767, four products fit int16   *|
|* too: the pair sums of two runs of four are added in int16 and widened   *|
|* once. The epilogue (rule R or I) runs on the tile's registers, 8 lanes  *|
|* at a time, with the scalar contract's operations in its order.          *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX2.h"

enum { MR = 4, NR = QOPT_AVX2_NR };

/* out[i][h] = init[h] + sum over k of a[i][k] * b[k][8h .. 8h + 7] for
 * ROWS rows, a[i] unsigned bytes with stride lda and b the packed panel of
 * `quads` runs of four. MODE 0: every byte of a is below 128. MODE 1
 * (split): each byte of a is multiplied in two parts (see the file
 * comment). MODE 2 (paired): every byte of a times the block's GROUP is
 * at most 32767 (KernelABI.h), so the int16 pair sums of runs q and
 * q + 1 add up to four products inside int16: one vpaddw adds them and
 * one vpmaddwd widens both, 3 multiplying instructions per 128 products
 * instead of 4. The accumulators live in a local array whose
 * address does not escape until the end, so they stay in registers: 4
 * rows take 8 of the 16 ymm registers. Tiles of 2 and 1 rows finish a
 * block whose row count 4 does not divide, and serve GEMMs of a few rows
 * (a linear layer at batch 1), which a 4-row tile would multiply four
 * times over. */
#define QOPT_AVX2_QUAD(ACC0, ACC1, QUAD, B0, B1, SPLIT)                        \
  do {                                                                         \
    if (!(SPLIT)) {                                                            \
      __m256i ai = _mm256_set1_epi32((int32_t)(QUAD));                         \
      ACC0 = _mm256_add_epi32(                                                 \
          ACC0, _mm256_madd_epi16(_mm256_maddubs_epi16(ai, B0), ones));        \
      ACC1 = _mm256_add_epi32(                                                 \
          ACC1, _mm256_madd_epi16(_mm256_maddubs_epi16(ai, B1), ones));        \
    } else {                                                                   \
      __m256i lo = _mm256_set1_epi32((int32_t)((QUAD) & 0x7f7f7f7fu));         \
      __m256i hi = _mm256_set1_epi32((int32_t)(((QUAD) >> 7) & 0x01010101u));  \
      ACC0 = _mm256_add_epi32(                                                 \
          ACC0, _mm256_add_epi32(                                              \
                    _mm256_madd_epi16(_mm256_maddubs_epi16(lo, B0), ones),     \
                    _mm256_madd_epi16(_mm256_maddubs_epi16(hi, B0), high)));   \
      ACC1 = _mm256_add_epi32(                                                 \
          ACC1, _mm256_add_epi32(                                              \
                    _mm256_madd_epi16(_mm256_maddubs_epi16(lo, B1), ones),     \
                    _mm256_madd_epi16(_mm256_maddubs_epi16(hi, B1), high)));   \
    }                                                                          \
  } while (0)

#define QOPT_AVX2_TILE(ROWS, MODE, SUFFIX)                                     \
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
    int64_t q = 0;                                                             \
    if (MODE == 2) {                                                           \
      for (; q + 2 <= quads; q += 2) {                                         \
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 64 * q));        \
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 64 * q + 32));   \
        __m256i c0 = _mm256_loadu_si256((const __m256i *)(b + 64 * q + 64));   \
        __m256i c1 = _mm256_loadu_si256((const __m256i *)(b + 64 * q + 96));   \
        for (int i = 0; i < ROWS; ++i) {                                       \
          uint32_t quad[2];                                                    \
          memcpy(quad, a + i * lda + 4 * q, sizeof quad);                      \
          __m256i a0 = _mm256_set1_epi32((int32_t)quad[0]);                    \
          __m256i a1 = _mm256_set1_epi32((int32_t)quad[1]);                    \
          acc[i][0] = _mm256_add_epi32(                                        \
              acc[i][0], _mm256_madd_epi16(                                    \
                             _mm256_add_epi16(_mm256_maddubs_epi16(a0, b0),    \
                                              _mm256_maddubs_epi16(a1, c0)),   \
                             ones));                                           \
          acc[i][1] = _mm256_add_epi32(                                        \
              acc[i][1], _mm256_madd_epi16(                                    \
                             _mm256_add_epi16(_mm256_maddubs_epi16(a0, b1),    \
                                              _mm256_maddubs_epi16(a1, c1)),   \
                             ones));                                           \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    for (; q < quads; ++q) {                                                   \
      __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 64 * q));          \
      __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 64 * q + 32));     \
      for (int i = 0; i < ROWS; ++i) {                                         \
        uint32_t quad;                                                         \
        memcpy(&quad, a + i * lda + 4 * q, sizeof quad);                       \
        QOPT_AVX2_QUAD(acc[i][0], acc[i][1], quad, b0, b1, MODE == 1);         \
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
QOPT_AVX2_TILE(4, 2, _paired)
QOPT_AVX2_TILE(2, 2, _paired)
QOPT_AVX2_TILE(1, 2, _paired)

/* What the kernel knows of a packed row, kept in the workspace's tap area
 * (64 bytes a row): its largest byte once clamped; whether it has more
 * bytes of 128 or more than `fixes` holds (then it stays as it is and its
 * tiles take the split path); else those bytes, clamped to 127 in the row,
 * as entries k * 256 + (x - 127) to add back after the GEMM; and, in the
 * first row of a tile, whether the tile reads its rows in place from the
 * input (`direct`, see qopt_qconv_avx2) instead of from the workspace. */
enum { QOPT_MAX_FIXES = 14 };
typedef struct {
  uint8_t largest, dense, count, direct;
  uint32_t fixes[QOPT_MAX_FIXES];
  uint32_t unused2;
} qopt_row_facts_t;
_Static_assert(sizeof(qopt_row_facts_t) == 64, "64 bytes of the tap area");

/* The largest of 32 bytes. */
QOPT_AVX2 static inline uint8_t qopt_hmax_u8(__m256i v) {
  __m128i m =
      _mm_max_epu8(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 8));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 4));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 2));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 1));
  return (uint8_t)_mm_cvtsi128_si32(m);
}

/* The largest of the `n` bytes at `row`; `high` counts those of 128 or
 * more. */
QOPT_AVX2 static inline uint8_t qopt_max_u8(const uint8_t *row, int64_t n,
                                            int64_t *high) {
  __m256i largest = _mm256_setzero_si256();
  int64_t i = 0;
  *high = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(row + i));
    largest = _mm256_max_epu8(largest, v);
    *high += __builtin_popcount((unsigned)_mm256_movemask_epi8(v));
  }
  if (i + 16 <= n) {
    __m128i v = _mm_loadu_si128((const __m128i *)(row + i));
    largest = _mm256_max_epu8(largest, _mm256_zextsi128_si256(v));
    *high += __builtin_popcount((unsigned)_mm_movemask_epi8(v));
    i += 16;
  }
  uint8_t tail = 0;
  if (i < n && n >= 16) {
    /* The last 16 bytes; only the n - i not yet seen counted. */
    __m128i v = _mm_loadu_si128((const __m128i *)(row + n - 16));
    largest = _mm256_max_epu8(largest, _mm256_zextsi128_si256(v));
    *high +=
        __builtin_popcount((unsigned)_mm_movemask_epi8(v) >> (16 - (n - i)));
    i = n;
  }
  for (int64_t k = i; k < n; ++k) {
    tail = row[k] > tail ? row[k] : tail;
    *high += row[k] >> 7;
  }
  uint8_t top = qopt_hmax_u8(largest);
  return top > tail ? top : tail;
}

/* Fills `facts` for the `n` bytes at `row`, clamping a few high bytes. */
QOPT_AVX2 static inline void qopt_scan_row(uint8_t *row, int64_t n,
                                           qopt_row_facts_t *facts) {
  int64_t high;
  facts->largest = qopt_max_u8(row, n, &high);
  facts->dense = high > QOPT_MAX_FIXES || n > (1 << 24);
  facts->count = 0;
  facts->direct = 0;
  if (high == 0 || facts->dense)
    return;
  for (int64_t k = 0; k < n; ++k)
    if (row[k] >= 128) {
      facts->fixes[facts->count++] =
          (uint32_t)k << 8 | (uint32_t)(row[k] - 127);
      row[k] = 127;
    }
  facts->largest = 127;
}

/* acc[h] += e * b[k][8h .. 8h + 7] for each fix (k, e) of a row: e is at
 * most 128 and |w| at most 128, so e * w fits the int16 lane of
 * vpmaddubsw. */
QOPT_AVX2 static inline void qopt_apply_fixes(const qopt_row_facts_t *facts,
                                              const int8_t *b, __m256i acc[2]) {
  const __m256i ones = _mm256_set1_epi16(1);
  for (int f = 0; f < facts->count; ++f) {
    uint32_t k = facts->fixes[f] >> 8, e = facts->fixes[f] & 0xff;
    __m256i a = _mm256_set1_epi32((int32_t)(e << (8 * (k % 4))));
    const int8_t *quad = b + 64 * (k / 4);
    acc[0] = _mm256_add_epi32(
        acc[0],
        _mm256_madd_epi16(
            _mm256_maddubs_epi16(a, _mm256_loadu_si256((const __m256i *)quad)),
            ones));
    acc[1] = _mm256_add_epi32(
        acc[1], _mm256_madd_epi16(
                    _mm256_maddubs_epi16(
                        a, _mm256_loadu_si256((const __m256i *)(quad + 32))),
                    ones));
  }
}

/* The rows of the tile at a block's row r0, `left` rows before the
 * block's end: 4, then 2 and 1 to finish. */
static inline int64_t qopt_tile_rows(int64_t left) {
  return left >= 4 ? 4 : left >= 2 ? 2 : 1;
}

/* Row i of a tile, once multiplied: its fixes, the weight zero points and
 * the epilogue, storing its outputs at `out`. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_tile_row(int i, __m256i acc[MR][2], const qopt_conv_t *p,
              const int8_t *panel, const qopt_row_facts_t *facts,
              const int32_t *rowSums, const int32_t *chan, int64_t t,
              int64_t ch, int64_t valid, qopt_epilogue8_t epilogue,
              uint8_t *out) {
  qopt_apply_fixes(&facts[i], panel, acc[i]);
  if (p->wzero)
    qopt_sub_wzero16x8(acc[i], rowSums[i], chan + QOPT_CHAN_WZERO * t + ch);
  if (p->mode == QOPT_REQUANT_INTEGER)
    qopt_requantize_integer16x8(acc[i][0], acc[i][1], p, chan, t, ch, valid,
                                out);
  else
    qopt_requantize16x8(out, valid, acc[i][0], acc[i][1],
                        chan + QOPT_CHAN_P0 * t + ch,
                        chan + QOPT_CHAN_P1 * t + ch, epilogue);
}

/* One tile of `rows` (4, 2 or 1) rows of `a` (lda kpad) and channel block
 * `panel`, whose outputs start at `out`: its multiplications in `mode` (see
 * qopt_qconv_avx2), then each row's end (qopt_tile_row), storing its outputs. A
 * tile of 4 rows, the common one, ends its rows one after another with constant
 * indices, so its accumulators stay in registers (a loop over a variable count
 * kept them on the stack between multiplying and storing); tiles of 2 and 1
 * rows, at a block's end or in a linear layer of a few rows, loop. */
QOPT_AVX2 static inline __attribute__((always_inline)) void
qopt_tile(int rows, int mode, const qopt_conv_t *p, const uint8_t *a,
          const int8_t *panel, int64_t quads, const __m256i init[2],
          const qopt_row_facts_t *facts, const int32_t *rowSums,
          const int32_t *chan, int64_t t, int64_t ch, int64_t valid,
          qopt_epilogue8_t epilogue, uint8_t *out) {
  __m256i acc[MR][2];
  /* Direct calls, which the compiler inlines. */
  if (rows == 4 && mode == 1)
    tile_4_split(a, p->kpad, panel, quads, init, acc);
  else if (rows == 4 && mode == 2)
    tile_4_paired(a, p->kpad, panel, quads, init, acc);
  else if (rows == 4)
    tile_4(a, p->kpad, panel, quads, init, acc);
  else if (rows == 2 && mode == 1)
    tile_2_split(a, p->kpad, panel, quads, init, acc);
  else if (rows == 2 && mode == 2)
    tile_2_paired(a, p->kpad, panel, quads, init, acc);
  else if (rows == 2)
    tile_2(a, p->kpad, panel, quads, init, acc);
  else if (mode == 1)
    tile_1_split(a, p->kpad, panel, quads, init, acc);
  else if (mode == 2)
    tile_1_paired(a, p->kpad, panel, quads, init, acc);
  else
    tile_1(a, p->kpad, panel, quads, init, acc);
  if (rows == 4) {
#pragma clang loop unroll(full)
    for (int i = 0; i < 4; ++i)
      qopt_tile_row(i, acc, p, panel, facts, rowSums, chan, t, ch, valid,
                    epilogue, out + i * p->oc);
  } else {
    for (int i = 0; i < rows; ++i)
      qopt_tile_row(i, acc, p, panel, facts, rowSums, chan, t, ch, valid,
                    epilogue, out + i * p->oc);
  }
}

QOPT_AVX2 void qopt_qconv_avx2(const int64_t *desc, const uint8_t *x,
                               const int8_t *w, const int32_t *chan, uint8_t *y,
                               uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  qopt_row_facts_t *facts = (qopt_row_facts_t *)work.taps;
  /* A 1x1 convolution with stride 1 and no padding over unsigned bytes,
   * in one group whose channels fill runs of four (a linear layer too):
   * GEMM row m is input pixel m, its kpad bytes at x + m * kpad, so a tile
   * whose bytes are all below 128 is read in place; the others are packed
   * as any. (Without this, packing costs as much as the multiplications
   * where K is 16 or 32.) */
  int direct = qopt_rows_are_pixels(&p) && p.groups == 1 && !p.xsigned &&
               !p.wzero && p.c == p.kpad;
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR, quads = p.kpad / 4;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  __m256i zx = _mm256_set1_epi32(zero);
  qopt_epilogue8_t epilogue = qopt_epilogue8(&p);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      qopt_pixel_t at = qopt_pixel_of_row(&p, m0);
      for (int64_t r0 = 0, tileRows; r0 < count; r0 += tileRows) {
        tileRows = qopt_tile_rows(count - r0);
        int64_t high = 1;
        uint8_t largest = direct ? qopt_max_u8(x + (m0 + r0) * p.kpad,
                                               tileRows * p.kpad, &high)
                                 : 0;
        if (high == 0) {
          for (int64_t i = 0; i < tileRows; ++i) {
            qopt_row_facts_t *f = &facts[r0 + i];
            f->largest = largest;
            f->dense = f->count = f->direct = 0;
            qopt_next_pixel(&p, &at);
          }
          facts[r0].direct = 1;
          continue;
        }
        facts[r0].direct = 0;
        for (int64_t r = r0; r < r0 + tileRows; ++r) {
          work.rowSums[r] = qopt_pack_pixel_u8(&p, x, at.n, at.oh, at.ow, g,
                                               work.rows + r * p.kpad);
          qopt_next_pixel(&p, &at);
        }
      }
      /* Scanned once the block is packed: a row read right after its
       * pieces were stored waits for them to leave the store buffer. */
      for (int64_t r0 = 0, tileRows; r0 < count; r0 += tileRows) {
        tileRows = qopt_tile_rows(count - r0);
        if (facts[r0].direct)
          continue;
        for (int64_t r = r0; r < r0 + tileRows; ++r)
          qopt_scan_row(work.rows + r * p.kpad, p.kpad, &facts[r]);
      }
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        /* The block's largest same-signed group sum of four weights. */
        const int32_t *groups = chan + QOPT_CHAN_GROUP * t + ch;
        int32_t group = 0;
        for (int64_t n = 0; n < valid; ++n)
          group = QOPT_MAX(group, groups[n]);
        __m256i init[2];
        qopt_acc_init16x8(chan + QOPT_CHAN_BIAS * t + ch,
                          chan + QOPT_CHAN_WSUM * t + ch, zx, init);
        for (int64_t r0 = 0, tileRows; r0 < count; r0 += tileRows) {
          const uint8_t *a = facts[r0].direct ? x + (m0 + r0) * p.kpad
                                              : work.rows + r0 * p.kpad;
          tileRows = qopt_tile_rows(count - r0);
          int split = 0, largest = 0;
          for (int i = 0; i < tileRows; ++i) {
            split |= facts[r0 + i].dense;
            largest = QOPT_MAX(largest, facts[r0 + i].largest);
          }
          /* Paired when every group of four products fits int16 and K
           * is long enough to repay the longer loop (from K = 16 or 32
           * instead of 64, mobilenet_v2's AVX2 code measured 1.4% and
           * 0.8% slower). */
          int mode = split                                     ? 1
                     : quads >= 16 && largest * group <= 32767 ? 2
                                                               : 0;
          uint8_t *out = y + (m0 + r0) * p.oc + g * p.ng + nb * NR;
          if (tileRows == 4)
            qopt_tile(4, mode, &p, a, panel, quads, init, &facts[r0],
                      &work.rowSums[r0], chan, t, ch, valid, epilogue, out);
          else
            qopt_tile((int)tileRows, mode, &p, a, panel, quads, init,
                      &facts[r0], &work.rowSums[r0], chan, t, ch, valid,
                      epilogue, out);
        }
      }
    }
  }
}
