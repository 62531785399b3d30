/*===- FConvAVX512.c - Float conv and linear (rule F), AVX-512 -*- C -*-===*\
|*                                                                          *|
|* FConvGeneric.c vectorized across independent outputs, each lane doing    *|
|* one output's scalar sequence: convolutions 4 output channels by 32       *|
|* output pixels at a time over the packed input, linear layers 4 rows by   *|
|* 32 output features over the transposed weights.                          *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "FloatCommon.h"
#include "VectorAVX512.h"

enum { MR = 4 };

/* relu / relu6 as arith.maximumf(v, 0) / minimumf(v, 6): a lane keeps v
 * when v > 0 or v is NaN, else becomes +0; then keeps v when v < 6 or NaN. */
QOPT_AVX512 static inline __m512 qopt_activate16(__m512 v, int64_t activation) {
  if (activation == QOPT_ACTIVATION_NONE)
    return v;
  __m512 zero = _mm512_setzero_ps();
  v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, zero, _CMP_NLE_UQ), zero, v);
  if (activation == QOPT_ACTIVATION_RELU6) {
    __m512 six = _mm512_set1_ps(6.0f);
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, six, _CMP_NGE_UQ), six, v);
  }
  return v;
}

/* out[i][h] = the sums of 4 output channels over 32 packed pixels (stride
 * lda) from their biases; FMA selects oneDNN's step over PyTorch's. The
 * accumulators stay in registers (a local array whose address escapes only
 * at the end). */
#define QOPT_FCONV_TILE(NAME, STEP)                                            \
  QOPT_AVX512 static inline void NAME(                                         \
      const float *a, int64_t lda, const float *w, int64_t k,                  \
      const float *bias, int64_t chunk, __m512 out[MR][2]) {                   \
    __m512 acc[MR][2], sum[MR][2];                                             \
    for (int i = 0; i < MR; ++i)                                               \
      acc[i][0] = acc[i][1] = _mm512_set1_ps(bias[i]);                         \
    /* In chunks of `chunk` (oneDNN's 1x1 kernel): the sum so far plus         \
     * each later chunk's sum from zero. */                                    \
    int64_t step = chunk > 0 ? chunk : k;                                      \
    for (int64_t r0 = 0; r0 < k; r0 += step) {                                 \
      if (r0 > 0)                                                              \
        for (int i = 0; i < MR; ++i)                                           \
          for (int h = 0; h < 2; ++h) {                                        \
            sum[i][h] =                                                        \
                r0 > step ? _mm512_add_ps(sum[i][h], acc[i][h]) : acc[i][h];   \
            acc[i][h] = _mm512_setzero_ps();                                   \
          }                                                                    \
      int64_t r1 = QOPT_MIN(k, r0 + step);                                     \
      for (int64_t r = r0; r < r1; ++r) {                                      \
        __m512 a0 = _mm512_loadu_ps(a + r * lda);                              \
        __m512 a1 = _mm512_loadu_ps(a + r * lda + 16);                         \
        for (int i = 0; i < MR; ++i) {                                         \
          __m512 wi = _mm512_set1_ps(w[i * k + r]);                            \
          acc[i][0] = STEP(a0, wi, acc[i][0]);                                 \
          acc[i][1] = STEP(a1, wi, acc[i][1]);                                 \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < MR; ++i)                                               \
      for (int h = 0; h < 2; ++h)                                              \
        out[i][h] =                                                            \
            step < k ? _mm512_add_ps(sum[i][h], acc[i][h]) : acc[i][h];        \
  }
#define QOPT_STEP_FMA(A, W, ACC) _mm512_fmadd_ps(A, W, ACC)
#define QOPT_STEP_MUL_ADD(A, W, ACC) _mm512_add_ps(ACC, _mm512_mul_ps(A, W))
QOPT_FCONV_TILE(tile_onednn, QOPT_STEP_FMA)
QOPT_FCONV_TILE(tile_own, QOPT_STEP_MUL_ADD)

QOPT_AVX512 void qopt_fconv_avx512(const int64_t *desc, const float *x,
                                   const float *w, const float *bias, float *y,
                                   uint8_t *ws, int64_t batch) {
  qopt_fconv_t p = qopt_fconv_read(desc, batch);
  float *a = (float *)ws;
  const float *weights = w + p.weightsOffset;
  int64_t kTotal = p.k, pixels = p.pixels;
  for (int64_t n = 0; n < batch; ++n) {
    const float *image = x + n * p.c * p.h * p.w;
    float *out = y + n * p.oc * pixels;
    for (int64_t g = 0; g < p.groups; ++g)
      for (int64_t m0 = 0; m0 < pixels; m0 += p.mc) {
        int64_t count = QOPT_MIN(p.mc, pixels - m0);
        int64_t padded = (count + 31) / 32 * 32;
        qopt_fconv_pack(&p, image, g, m0, count, padded, p.onednn, p.mc, a);
        for (int64_t o0 = 0; o0 < p.ng; o0 += MR) {
          const float *wo = weights + (g * p.ngpad + o0) * kTotal;
          const float *bo = bias + g * p.ngpad + o0;
          for (int64_t j0 = 0; j0 < count; j0 += 32) {
            __m512 acc[MR][2];
            if (p.onednn)
              tile_onednn(a + j0, p.mc, wo, kTotal, bo, p.chunk, acc);
            else
              tile_own(a + j0, p.mc, wo, kTotal, bo, 0, acc);
            int64_t valid = count - j0;
            for (int i = 0; i < MR && o0 + i < p.ng; ++i) {
              float *row = out + (g * p.ng + o0 + i) * pixels + m0 + j0;
              _mm512_mask_storeu_ps(row, qopt_mask16(valid),
                                    qopt_activate16(acc[i][0], p.activation));
              _mm512_mask_storeu_ps(row + 16, qopt_mask16(valid - 16),
                                    qopt_activate16(acc[i][1], p.activation));
            }
          }
        }
      }
  }
}

/* out[i][h] = sum over k from +0.0 of acc + x[i][r] * w[r][32-lane block]
 * for `rows` (1 or MR) rows. */
#define QOPT_FLINEAR_TILE(ROWS)                                                \
  QOPT_AVX512 static inline void linear_tile##ROWS(                            \
      const float *x, int64_t k, const float *w, int64_t npad,                 \
      __m512 out[MR][2]) {                                                     \
    __m512 acc[ROWS][2];                                                       \
    for (int i = 0; i < ROWS; ++i)                                             \
      acc[i][0] = acc[i][1] = _mm512_setzero_ps();                             \
    for (int64_t r = 0; r < k; ++r) {                                          \
      __m512 w0 = _mm512_loadu_ps(w + r * npad);                               \
      __m512 w1 = _mm512_loadu_ps(w + r * npad + 16);                          \
      for (int i = 0; i < ROWS; ++i) {                                         \
        __m512 xi = _mm512_set1_ps(x[i * k + r]);                              \
        acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_mul_ps(xi, w0));           \
        acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_mul_ps(xi, w1));           \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < ROWS; ++i) {                                           \
      out[i][0] = acc[i][0];                                                   \
      out[i][1] = acc[i][1];                                                   \
    }                                                                          \
  }
QOPT_FLINEAR_TILE(1)
QOPT_FLINEAR_TILE(4)

QOPT_AVX512 void qopt_flinear_avx512(const int64_t *desc, const float *x,
                                     const float *w, const float *bias,
                                     float *y, int64_t rows) {
  int64_t k = desc[QOPT_FLINEAR_K], n = desc[QOPT_FLINEAR_N];
  int64_t npad = desc[QOPT_FLINEAR_NPAD];
  int hasBias = (int)desc[QOPT_FLINEAR_BIAS];
  int64_t activation = desc[QOPT_FLINEAR_ACTIVATION];
  for (int64_t m0 = 0; m0 < rows; m0 += MR) {
    int64_t count = QOPT_MIN(MR, rows - m0);
    for (int64_t n0 = 0; n0 < n; n0 += 32) {
      __m512 acc[MR][2];
      if (count == MR)
        linear_tile4(x + m0 * k, k, w + n0, npad, acc);
      else
        for (int64_t i = 0; i < count; ++i)
          linear_tile1(x + (m0 + i) * k, k, w + n0, npad, acc + i);
      for (int64_t i = 0; i < count; ++i)
        for (int h = 0; h < 2; ++h) {
          __m512 v = acc[i][h];
          if (hasBias)
            v = _mm512_add_ps(v, _mm512_loadu_ps(bias + n0 + 16 * h));
          _mm512_mask_storeu_ps(y + (m0 + i) * n + n0 + 16 * h,
                                qopt_mask16(n - n0 - 16 * h),
                                qopt_activate16(v, activation));
        }
    }
  }
}
