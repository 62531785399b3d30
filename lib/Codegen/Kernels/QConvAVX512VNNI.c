/*===- QConvAVX512VNNI.c - Quantized convolution, AVX512-VNNI --*- C -*-===*\
|*                                                                          *|
|* The implicit GEMM of QConvAVX2.c with vpdpbusd: it multiplies unsigned   *|
|* bytes by signed bytes in groups of four and adds them to int32 lanes     *|
|* with no 16-bit step, so the sums are exact. Rows of the left operand    *|
|* are the input bytes themselves (i8 input shifted by 128 to u8); the      *|
|* zero point enters once per output as -zx * sum(w), precomputed per      *|
|* channel, so padding holds zx. Weights come packed in runs of four       *|
|* reduction indices (KG = 4) for blocks of 32 channels; the tile is 8     *|
|* rows by 32 channels in 16 zmm accumulators.                             *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "KernelCommon.h"

#include <immintrin.h>

#define QOPT_TARGET                                                            \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))

enum { MR = 8, NR = QOPT_AVX512VNNI_NR };

/* acc[i][h] += sum over k of a[i][k] * b[k][16h .. 16h + 15]. */
QOPT_TARGET static inline void tile(const uint8_t *a, int64_t lda,
                                    const int8_t *b, int64_t quads,
                                    __m512i acc[MR][2]) {
  for (int64_t q = 0; q < quads; ++q) {
    __m512i b0 = _mm512_loadu_si512((const void *)(b + 128 * q));
    __m512i b1 = _mm512_loadu_si512((const void *)(b + 128 * q + 64));
    for (int i = 0; i < MR; ++i) {
      int32_t quad;
      memcpy(&quad, a + i * lda + 4 * q, sizeof quad);
      __m512i ai = _mm512_set1_epi32(quad);
      acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], ai, b0);
      acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], ai, b1);
    }
  }
}

/* Rule R on 16 lanes. */
QOPT_TARGET static inline __m512i requantize16(__m512i acc, const int32_t *p0,
                                               const int32_t *p1, __m512 zy,
                                               __m512 lo, __m512 hi) {
  __m512 f = _mm512_add_ps(_mm512_cvtepi32_ps(acc),
                           _mm512_loadu_ps((const float *)p0));
  f = _mm512_mul_ps(f, _mm512_loadu_ps((const float *)p1));
  __m512 r = _mm512_add_ps(
      _mm512_roundscale_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
      zy);
  r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
  return _mm512_cvttps_epi32(r);
}

QOPT_TARGET void qopt_qconv_avx512vnni(const int64_t *desc, const uint8_t *x,
                                       const int8_t *w, const int32_t *chan,
                                       uint8_t *y, uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  uint8_t *rows = ws;
  int32_t *rowSums = (int32_t *)(ws + p.mc * p.kpad);
  int64_t total = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blocks = p.npad / NR;
  __m512i zx = _mm512_set1_epi32(p.xzero + (p.xsigned ? 128 : 0));
  __m512 zy = _mm512_set1_ps((float)p.yzero);
  __m512 lo = _mm512_set1_ps((float)p.ymin);
  __m512 hi = _mm512_set1_ps((float)p.ymax);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t m0 = 0; m0 < total; m0 += p.mc) {
      int64_t count = QOPT_MIN(p.mc, total - m0);
      for (int64_t r = 0; r < count; ++r)
        rowSums[r] = qopt_pack_row_u8(&p, x, m0 + r, g, rows + r * p.kpad);
      int64_t padded = (count + MR - 1) / MR * MR;
      memset(rows + count * p.kpad, 0, (size_t)((padded - count) * p.kpad));
      for (int64_t nb = 0; nb < blocks; ++nb) {
        const int8_t *panel = w + (g * blocks + nb) * p.kpad * NR;
        int64_t ch = g * p.npad + nb * NR;
        int64_t valid = QOPT_MIN(NR, p.ng - nb * NR);
        __mmask16 mask0 = (__mmask16)(valid >= 16 ? 0xFFFF : (1u << valid) - 1);
        __mmask16 mask1 = (__mmask16)(valid <= 16   ? 0
                                      : valid >= 32 ? 0xFFFF
                                                    : (1u << (valid - 16)) - 1);
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
        for (int64_t r0 = 0; r0 < count; r0 += MR) {
          __m512i acc[MR][2];
          for (int i = 0; i < MR; ++i) {
            acc[i][0] = init0;
            acc[i][1] = init1;
          }
          tile(rows + r0 * p.kpad, p.kpad, panel, p.kpad / 4, acc);
          for (int i = 0; i < MR && r0 + i < count; ++i) {
            int64_t m = m0 + r0 + i;
            uint8_t *out = y + m * p.oc + g * p.ng + nb * NR;
            if (p.wzero) {
              __m512i s = _mm512_set1_epi32(rowSums[r0 + i]);
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
              int32_t lanes[NR];
              _mm512_storeu_si512((void *)lanes, acc[i][0]);
              _mm512_storeu_si512((void *)(lanes + 16), acc[i][1]);
              for (int64_t n = 0; n < valid; ++n) {
                int64_t c = ch + n;
                out[n] = (uint8_t)qopt_requantize_integer(
                    lanes[n], chan[QOPT_CHAN_P0 * t + c],
                    chan[QOPT_CHAN_P1 * t + c], chan[QOPT_CHAN_P2 * t + c],
                    p.yzero, p.ymin, p.ymax);
              }
              continue;
            }
            const int32_t *p0 = chan + QOPT_CHAN_P0 * t + ch;
            const int32_t *p1 = chan + QOPT_CHAN_P1 * t + ch;
            __m512i q0 = requantize16(acc[i][0], p0, p1, zy, lo, hi);
            __m512i q1 = requantize16(acc[i][1], p0 + 16, p1 + 16, zy, lo, hi);
            /* Every value is inside the storage range: the saturating
             * narrowing stores only narrow. */
            if (p.ysigned) {
              _mm512_mask_cvtsepi32_storeu_epi8(out, mask0, q0);
              _mm512_mask_cvtsepi32_storeu_epi8(out + 16, mask1, q1);
            } else {
              _mm512_mask_cvtusepi32_storeu_epi8(out, mask0, q0);
              _mm512_mask_cvtusepi32_storeu_epi8(out + 16, mask1, q1);
            }
          }
        }
      }
    }
  }
}
