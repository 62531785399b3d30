/*===- FConvGeneric.c - Portable float conv and linear (rule F) -*- C -*-===*\
|*                                                                          *|
|* The reference float kernels (KernelABI.h): every output's sum in rule    *|
|* F's order, one output at a time.                                         *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "FloatCommon.h"

void qopt_fconv_generic(const int64_t *desc, const float *x, const float *w,
                        const float *bias, float *y, uint8_t *ws,
                        int64_t batch) {
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
        qopt_fconv_pack(&p, image, g, m0, count, count, p.onednn, p.mc, a);
        for (int64_t o = 0; o < p.ng; ++o) {
          const float *wo = weights + (g * p.ngpad + o) * kTotal;
          for (int64_t j = 0; j < count; ++j) {
            float acc = bias[g * p.ngpad + o], sum = 0.0f;
            int partial = 0;
            for (int64_t k = 0; k < kTotal; ++k) {
              if (p.chunk && k > 0 && k % p.chunk == 0) {
                /* oneDNN's 1x1 kernel: the sum so far plus this chunk. */
                sum = partial ? sum + acc : acc;
                partial = 1;
                acc = 0.0f;
              }
              acc = p.onednn ? __builtin_fmaf(a[k * p.mc + j], wo[k], acc)
                             : acc + a[k * p.mc + j] * wo[k];
            }
            if (partial)
              acc = sum + acc;
            out[(g * p.ng + o) * pixels + m0 + j] =
                qopt_activate(acc, p.activation);
          }
        }
      }
  }
}

void qopt_flinear_generic(const int64_t *desc, const float *x, const float *w,
                          const float *bias, float *y, int64_t rows) {
  int64_t k = desc[QOPT_FLINEAR_K], n = desc[QOPT_FLINEAR_N];
  int64_t npad = desc[QOPT_FLINEAR_NPAD];
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t o = 0; o < n; ++o) {
      float acc = 0.0f;
      for (int64_t r = 0; r < k; ++r)
        acc = acc + x[m * k + r] * w[r * npad + o];
      if (desc[QOPT_FLINEAR_BIAS])
        acc = acc + bias[o];
      y[m * n + o] = qopt_activate(acc, desc[QOPT_FLINEAR_ACTIVATION]);
    }
}
