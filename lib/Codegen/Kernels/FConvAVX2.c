/*===- FConvAVX2.c - Float conv and linear (rule F), AVX2 + FMA -*- C -*-===*\
|*                                                                          *|
|* FConvAVX512.c on 8-lane registers: convolutions 4 output channels by 16  *|
|* output pixels at a time, linear layers 4 rows by 16 output features.     *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "FloatCommon.h"

#include <immintrin.h>

#define QOPT_AVX2_FMA __attribute__((target("avx2,fma")))

enum { MR = 4 };

/* relu / relu6 as arith.maximumf(v, 0) / minimumf(v, 6) (FConvAVX512.c). */
QOPT_AVX2_FMA static inline __m256 qopt_activate8(__m256 v,
                                                  int64_t activation) {
  if (activation == QOPT_ACTIVATION_NONE)
    return v;
  __m256 zero = _mm256_setzero_ps();
  v = _mm256_blendv_ps(zero, v, _mm256_cmp_ps(v, zero, _CMP_NLE_UQ));
  if (activation == QOPT_ACTIVATION_RELU6) {
    __m256 six = _mm256_set1_ps(6.0f);
    v = _mm256_blendv_ps(six, v, _mm256_cmp_ps(v, six, _CMP_NGE_UQ));
  }
  return v;
}

/* Stores the first `valid` of 8 lanes. */
QOPT_AVX2_FMA static inline void qopt_store8f(float *out, int64_t valid,
                                              __m256 v) {
  if (valid >= 8) {
    _mm256_storeu_ps(out, v);
  } else if (valid > 0) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    memcpy(out, lanes, (size_t)valid * sizeof(float));
  }
}

#define QOPT_FCONV_TILE(NAME, STEP)                                            \
  QOPT_AVX2_FMA static inline void NAME(                                       \
      const float *a, int64_t lda, const float *w, int64_t k,                  \
      const float *bias, int64_t chunk, __m256 out[MR][2]) {                   \
    __m256 acc[MR][2], sum[MR][2];                                             \
    for (int i = 0; i < MR; ++i)                                               \
      acc[i][0] = acc[i][1] = _mm256_set1_ps(bias[i]);                         \
    /* In chunks of `chunk` (oneDNN's 1x1 kernel): the sum so far plus         \
     * each later chunk's sum from zero. */                                    \
    int64_t step = chunk > 0 ? chunk : k;                                      \
    for (int64_t r0 = 0; r0 < k; r0 += step) {                                 \
      if (r0 > 0)                                                              \
        for (int i = 0; i < MR; ++i)                                           \
          for (int h = 0; h < 2; ++h) {                                        \
            sum[i][h] =                                                        \
                r0 > step ? _mm256_add_ps(sum[i][h], acc[i][h]) : acc[i][h];   \
            acc[i][h] = _mm256_setzero_ps();                                   \
          }                                                                    \
      int64_t r1 = QOPT_MIN(k, r0 + step);                                     \
      for (int64_t r = r0; r < r1; ++r) {                                      \
        __m256 a0 = _mm256_loadu_ps(a + r * lda);                              \
        __m256 a1 = _mm256_loadu_ps(a + r * lda + 8);                          \
        for (int i = 0; i < MR; ++i) {                                         \
          __m256 wi = _mm256_set1_ps(w[i * k + r]);                            \
          acc[i][0] = STEP(a0, wi, acc[i][0]);                                 \
          acc[i][1] = STEP(a1, wi, acc[i][1]);                                 \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < MR; ++i)                                               \
      for (int h = 0; h < 2; ++h)                                              \
        out[i][h] =                                                            \
            step < k ? _mm256_add_ps(sum[i][h], acc[i][h]) : acc[i][h];        \
  }
#define QOPT_STEP_FMA(A, W, ACC) _mm256_fmadd_ps(A, W, ACC)
#define QOPT_STEP_MUL_ADD(A, W, ACC) _mm256_add_ps(ACC, _mm256_mul_ps(A, W))
QOPT_FCONV_TILE(tile_onednn, QOPT_STEP_FMA)
QOPT_FCONV_TILE(tile_own, QOPT_STEP_MUL_ADD)

QOPT_AVX2_FMA void qopt_fconv_avx2(const int64_t *desc, const float *x,
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
        int64_t padded = (count + 15) / 16 * 16;
        qopt_fconv_pack(&p, image, g, m0, count, padded, p.onednn, p.mc, a);
        for (int64_t o0 = 0; o0 < p.ng; o0 += MR) {
          const float *wo = weights + (g * p.ngpad + o0) * kTotal;
          const float *bo = bias + g * p.ngpad + o0;
          for (int64_t j0 = 0; j0 < count; j0 += 16) {
            __m256 acc[MR][2];
            if (p.onednn)
              tile_onednn(a + j0, p.mc, wo, kTotal, bo, p.chunk, acc);
            else
              tile_own(a + j0, p.mc, wo, kTotal, bo, 0, acc);
            int64_t valid = count - j0;
            for (int i = 0; i < MR && o0 + i < p.ng; ++i) {
              float *row = out + (g * p.ng + o0 + i) * pixels + m0 + j0;
              qopt_store8f(row, valid, qopt_activate8(acc[i][0], p.activation));
              qopt_store8f(row + 8, valid - 8,
                           qopt_activate8(acc[i][1], p.activation));
            }
          }
        }
      }
  }
}

#define QOPT_FLINEAR_TILE(ROWS)                                                \
  QOPT_AVX2_FMA static inline void linear_tile##ROWS(                          \
      const float *x, int64_t k, const float *w, int64_t npad,                 \
      __m256 out[MR][2]) {                                                     \
    __m256 acc[ROWS][2];                                                       \
    for (int i = 0; i < ROWS; ++i)                                             \
      acc[i][0] = acc[i][1] = _mm256_setzero_ps();                             \
    for (int64_t r = 0; r < k; ++r) {                                          \
      __m256 w0 = _mm256_loadu_ps(w + r * npad);                               \
      __m256 w1 = _mm256_loadu_ps(w + r * npad + 8);                           \
      for (int i = 0; i < ROWS; ++i) {                                         \
        __m256 xi = _mm256_set1_ps(x[i * k + r]);                              \
        acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_mul_ps(xi, w0));           \
        acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_mul_ps(xi, w1));           \
      }                                                                        \
    }                                                                          \
    for (int i = 0; i < ROWS; ++i) {                                           \
      out[i][0] = acc[i][0];                                                   \
      out[i][1] = acc[i][1];                                                   \
    }                                                                          \
  }
QOPT_FLINEAR_TILE(1)
QOPT_FLINEAR_TILE(4)

QOPT_AVX2_FMA void qopt_flinear_avx2(const int64_t *desc, const float *x,
                                     const float *w, const float *bias,
                                     float *y, int64_t rows) {
  int64_t k = desc[QOPT_FLINEAR_K], n = desc[QOPT_FLINEAR_N];
  int64_t npad = desc[QOPT_FLINEAR_NPAD];
  int hasBias = (int)desc[QOPT_FLINEAR_BIAS];
  int64_t activation = desc[QOPT_FLINEAR_ACTIVATION];
  for (int64_t m0 = 0; m0 < rows; m0 += MR) {
    int64_t count = QOPT_MIN(MR, rows - m0);
    for (int64_t n0 = 0; n0 < n; n0 += 16) {
      __m256 acc[MR][2];
      if (count == MR)
        linear_tile4(x + m0 * k, k, w + n0, npad, acc);
      else
        for (int64_t i = 0; i < count; ++i)
          linear_tile1(x + (m0 + i) * k, k, w + n0, npad, acc + i);
      for (int64_t i = 0; i < count; ++i)
        for (int h = 0; h < 2; ++h) {
          __m256 v = acc[i][h];
          if (hasBias)
            v = _mm256_add_ps(v, _mm256_loadu_ps(bias + n0 + 8 * h));
          qopt_store8f(y + (m0 + i) * n + n0 + 8 * h, n - n0 - 8 * h,
                       qopt_activate8(v, activation));
        }
    }
  }
}
