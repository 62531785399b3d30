/*===- QConvAMX.c - Quantized convolution, AMX-INT8 ------------*- C -*-===*\
|*                                                                          *|
|* The implicit GEMM of QConvAVX2.c on AMX tiles: tdpbusd multiplies a      *|
|* 16 x 64 tile of unsigned bytes by a 16 x 64 tile of signed bytes in      *|
|* groups of four and adds them to a 16 x 16 int32 tile, with no 16-bit    *|
|* step, so the sums are exact for any 8-bit data. The weights are AVX2's  *|
|* packed layout (KG = 4, NR = 16), whose panel is already the tile form    *|
|* tdpbusd reads: 16 runs of four reduction indices are one 1 KB tile, row  *|
|* stride 64. Rows of the left operand are packed MC at a time into the     *|
|* workspace (u8 input as it is, i8 input plus 128; the zero point enters   *|
|* as -zx * sum(w), so padding holds zx), and MC is a multiple of 16. A     *|
|* 1x1 convolution with stride 1 over u8 input whose channels fill runs of  *|
|* four (a linear layer too) reads its rows in place instead, in each block *|
|* of whole tiles: row m is input pixel m, its KPAD bytes at x + m * KPAD.  *|
|*                                                                          *|
|* A step covers up to 32 rows by 32 channels in four accumulator tiles     *|
|* (tmm0-3), two row tiles (tmm4-5) and two weight tiles (tmm6-7), over     *|
|* the whole 64-byte chunks of K. The accumulators are then stored to a     *|
|* 4 KB buffer and each row ends in zmm registers: the K tail of fewer     *|
|* than 64 bytes by 512-bit vpdpbusd on the same panel, the weight zero    *|
|* points, and AVX-512's epilogue (rule R, O or I). Rows past a block's end *|
|* are multiplied (zero bytes) and not stored.                              *|
|*                                                                          *|
|* Linux hands out AMX's tile state only to a process that asks for it     *|
|* (arch_prctl ARCH_REQ_XCOMP_PERM); where it refuses, and where K is      *|
|* shorter than one chunk, the AVX512-VNNI kernel runs instead: its blocks  *|
|* of 16 channels are this layout, and MC is a multiple of its 8 rows.     *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "VectorAVX512.h"

#define QOPT_AMX                                                               \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,"       \
                        "amx-tile,amx-int8")))

/* From libc, the only thing compiled models need at run time. */
long syscall(long number, ...);

/* MT: a tile's rows. MIN_K: below one whole chunk of K, the tiles would
 * multiply nothing. */
enum { MT = QOPT_AMX_MT, NR = QOPT_AMX_NR, MIN_K = 64 };

/* ldtilecfg's 64 bytes: palette 1; tiles 0-7 each 16 rows of 64 bytes. */
typedef struct {
  uint8_t palette, startRow, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} qopt_tile_config_t;

/* Whether this process may use the tile registers: asked once (x86-64
 * Linux: arch_prctl is system call 158, ARCH_REQ_XCOMP_PERM 0x1023,
 * XFEATURE_XTILEDATA 18). Two threads asking at once ask twice, which is
 * harmless. */
static int qopt_amx_state; /* 0 not asked, 1 granted, -1 refused */
static int qopt_amx_granted(void) {
  int state = __atomic_load_n(&qopt_amx_state, __ATOMIC_RELAXED);
  if (state == 0) {
    state = syscall(158, 0x1023, 18) == 0 ? 1 : -1;
    __atomic_store_n(&qopt_amx_state, state, __ATOMIC_RELAXED);
  }
  return state > 0;
}

/* The accumulators of a step of RT row tiles by NT channel blocks: the
 * whole chunks of K, then stored to acc (row tile i, block h at
 * acc + (i * 2 + h) * 256, 16 rows of 16 int32). Tile numbers are
 * immediates, hence a macro. */
#define QOPT_AMX_STEP(RT, NT)                                                  \
  do {                                                                         \
    _tile_zero(0);                                                             \
    if (NT == 2)                                                               \
      _tile_zero(1);                                                           \
    if (RT == 2) {                                                             \
      _tile_zero(2);                                                           \
      if (NT == 2)                                                             \
        _tile_zero(3);                                                         \
    }                                                                          \
    for (int64_t c = 0; c < chunks; ++c) {                                     \
      _tile_loadd(4, a + 64 * c, p.kpad);                                      \
      _tile_loadd(6, b0 + 1024 * c, 64);                                       \
      _tile_dpbusd(0, 4, 6);                                                   \
      if (NT == 2) {                                                           \
        _tile_loadd(7, b1 + 1024 * c, 64);                                     \
        _tile_dpbusd(1, 4, 7);                                                 \
      }                                                                        \
      if (RT == 2) {                                                           \
        _tile_loadd(5, a + MT * p.kpad + 64 * c, p.kpad);                      \
        _tile_dpbusd(2, 5, 6);                                                 \
        if (NT == 2)                                                           \
          _tile_dpbusd(3, 5, 7);                                               \
      }                                                                        \
    }                                                                          \
    _tile_stored(0, acc, 64);                                                  \
    if (NT == 2)                                                               \
      _tile_stored(1, acc + 256, 64);                                          \
    if (RT == 2) {                                                             \
      _tile_stored(2, acc + 512, 64);                                          \
      if (NT == 2)                                                             \
        _tile_stored(3, acc + 768, 64);                                        \
    }                                                                          \
  } while (0)

QOPT_AMX void qopt_qconv_amx(const int64_t *desc, const uint8_t *x,
                             const int8_t *w, const int32_t *chan, uint8_t *y,
                             uint8_t *ws, int64_t batch) {
  if (desc[QOPT_CONV_KPAD] < MIN_K || !qopt_amx_granted()) {
    qopt_qconv_avx512vnni(desc, x, w, chan, y, ws, batch);
    return;
  }
  qopt_conv_t p = qopt_conv_read(desc);
  qopt_workspace_t work = qopt_workspace(&p, ws, 1);
  int direct = qopt_rows_are_pixels(&p) && p.groups == 1 && !p.xsigned &&
               !p.wzero && p.c == p.kpad;
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR;
  int64_t chunks = p.kpad / 64, tailQuads = p.kpad % 64 / 4;
  int32_t zero = p.xzero + (p.xsigned ? 128 : 0);
  __m512i zx = _mm512_set1_epi32(zero);
  qopt_epilogue16_t epilogue = qopt_epilogue16(&p);
  qopt_tile_config_t config;
  memset(&config, 0, sizeof config);
  config.palette = 1;
  for (int i = 0; i < 8; ++i) {
    config.colsb[i] = 64;
    config.rows[i] = MT;
  }
  _tile_loadconfig(&config);
  int32_t acc[4 * 256] __attribute__((aligned(64)));
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      int64_t padded = (count + MT - 1) / MT * MT;
      /* In place where the block has no partial tile, whose rows past the
       * input's end a tile load would read. */
      const uint8_t *rows = x + m0 * p.kpad;
      if (!direct || count != padded) {
        qopt_pack_rows(&p, x, m0, count, padded, g, &work);
        rows = work.rows;
      }
      for (int64_t nb = 0; nb < blocks; nb += 2) {
        int64_t nt = QOPT_MIN(2, blocks - nb);
        const int8_t *b0 = w + (g * blocks + nb) * p.kpad * NR;
        const int8_t *b1 = b0 + p.kpad * NR;
        /* acc starts at bias - zx * sum(w), per block. */
        int64_t ch0 = g * p.npad + nb * NR;
        __m512i init[2];
        for (int64_t h = 0; h < nt; ++h)
          init[h] =
              qopt_acc_init16(chan + QOPT_CHAN_BIAS * t + ch0 + NR * h,
                              chan + QOPT_CHAN_WSUM * t + ch0 + NR * h, zx);
        for (int64_t r0 = 0; r0 < count; r0 += 2 * MT) {
          int64_t rt = padded - r0 >= 2 * MT ? 2 : 1;
          const uint8_t *a = rows + r0 * p.kpad;
          if (rt == 2 && nt == 2)
            QOPT_AMX_STEP(2, 2);
          else if (rt == 2)
            QOPT_AMX_STEP(2, 1);
          else if (nt == 2)
            QOPT_AMX_STEP(1, 2);
          else
            QOPT_AMX_STEP(1, 1);
          for (int64_t h = 0; h < nt; ++h) {
            const int8_t *panel = b0 + h * p.kpad * NR;
            int64_t ch = ch0 + NR * h;
            int64_t valid = QOPT_MIN(NR, p.ng - (nb + h) * NR);
            __mmask16 mask = qopt_mask16(valid);
            const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
            const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
            const int32_t *zw = chan + QOPT_CHAN_WZERO * t + ch;
            int64_t stored = QOPT_MIN(rt * MT, count - r0);
            for (int64_t i = 0; i < stored; ++i) {
              const int32_t *sums = acc + (i / MT * 2 + h) * 256 + i % MT * 16;
              __m512i v = _mm512_add_epi32(
                  init[h], _mm512_load_si512((const void *)sums));
              const uint8_t *row = a + i * p.kpad + 64 * chunks;
              const int8_t *tail = panel + 1024 * chunks;
              for (int64_t q = 0; q < tailQuads; ++q) {
                int32_t quad;
                memcpy(&quad, row + 4 * q, sizeof quad);
                v = _mm512_dpbusd_epi32(
                    v, _mm512_set1_epi32(quad),
                    _mm512_loadu_si512((const void *)(tail + 64 * q)));
              }
              if (p.wzero)
                v = qopt_sub_wzero16(v, _mm512_set1_epi32(work.rowSums[r0 + i]),
                                     zw);
              uint8_t *out =
                  y + (m0 + r0 + i) * p.oc + g * p.ng + (nb + h) * NR;
              if (p.mode == QOPT_REQUANT_INTEGER)
                qopt_requantize_integer16(v, &p, chan, t, ch, valid, out);
              else
                qopt_store16(out, mask, qopt_requantize16(v, p0, p1, epilogue),
                             p.ysigned);
            }
          }
        }
      }
    }
  }
  _tile_release();
}
