/*===- FloatCommon.h - Pieces shared by the float kernels ------*- C -*-===*\
|*                                                                          *|
|* The float kernels reproduce rule F's summation order for every output    *|
|* (docs/Numerics.md): the input is packed with the reduction index in the  *|
|* order the sum runs, and each vector lane then performs the scalar        *|
|* sequence of one output. Compiled with -ffp-contract=off.                 *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELS_FLOATCOMMON_H
#define QOPT_CODEGEN_KERNELS_FLOATCOMMON_H

#include "KernelCommon.h"

/* arith.maximumf(v, 0) and arith.minimumf(v, 6): NaN propagates and
 * -0 < +0, so relu(-0.0) is +0.0. */
static inline float qopt_maximum0(float v) {
  return (v > 0.0f || v != v) ? v : 0.0f;
}
static inline float qopt_minimum6(float v) {
  return (v < 6.0f || v != v) ? v : 6.0f;
}

static inline float qopt_activate(float v, int64_t activation) {
  if (activation == QOPT_ACTIVATION_NONE)
    return v;
  v = qopt_maximum0(v);
  return activation == QOPT_ACTIVATION_RELU6 ? qopt_minimum6(v) : v;
}

/* The descriptor's values, and what a call of `batch` images derives from
 * them: the order it adds in (`onednn`), its reduction length `k`, where
 * its weights start and the output pixels per image. */
typedef struct {
  int64_t h, w, c, oh, ow, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups;
  int64_t cg, ng, order, block, activation, ngpad, kOwn, kOnednn, onednnWeights,
      mc;
  int onednn;
  /* The reduction's chunk (QOPT_FCONV_CHUNK) when adding in oneDNN's order,
   * else 0. */
  int64_t chunk;
  int64_t k, weightsOffset, pixels;
} qopt_fconv_t;

static inline int qopt_fconv_onednn(const qopt_fconv_t *p, int64_t batch);

static inline qopt_fconv_t qopt_fconv_read(const int64_t *d, int64_t batch) {
  qopt_fconv_t p;
  p.h = d[QOPT_FCONV_H];
  p.w = d[QOPT_FCONV_W];
  p.c = d[QOPT_FCONV_C];
  p.oh = d[QOPT_FCONV_OH];
  p.ow = d[QOPT_FCONV_OW];
  p.oc = d[QOPT_FCONV_OC];
  p.kh = d[QOPT_FCONV_KH];
  p.kw = d[QOPT_FCONV_KW];
  p.sh = d[QOPT_FCONV_SH];
  p.sw = d[QOPT_FCONV_SW];
  p.ph = d[QOPT_FCONV_PH];
  p.pw = d[QOPT_FCONV_PW];
  p.dh = d[QOPT_FCONV_DH];
  p.dw = d[QOPT_FCONV_DW];
  p.groups = d[QOPT_FCONV_GROUPS];
  p.cg = p.c / p.groups;
  p.ng = p.oc / p.groups;
  p.order = d[QOPT_FCONV_ORDER];
  p.block = d[QOPT_FCONV_BLOCK];
  p.activation = d[QOPT_FCONV_ACTIVATION];
  p.ngpad = d[QOPT_FCONV_NGPAD];
  p.kOwn = d[QOPT_FCONV_K_OWN];
  p.kOnednn = d[QOPT_FCONV_K_ONEDNN];
  p.onednnWeights = d[QOPT_FCONV_ONEDNN_WEIGHTS];
  p.mc = d[QOPT_FCONV_MC];
  p.onednn = qopt_fconv_onednn(&p, batch);
  p.chunk = p.onednn ? d[QOPT_FCONV_CHUNK] : 0;
  p.k = p.onednn ? p.kOnednn : p.kOwn;
  p.weightsOffset = p.onednn ? p.onednnWeights : 0;
  p.pixels = p.oh * p.ow;
  return p;
}

/* Whether this call adds in oneDNN's order (PyTorch 1.13's
 * ConvParams::use_mkldnn for a shape-dependent choice). */
static inline int qopt_fconv_onednn(const qopt_fconv_t *p, int64_t batch) {
  if (p->order == QOPT_ORDER_BY_BATCH_16)
    return batch >= 16;
  if (p->order != QOPT_ORDER_BY_BATCH)
    return p->order == QOPT_ORDER_ONEDNN;
  return batch > 1 || batch * p->c * p->h * p->w > 20480;
}

/* The input channel and kernel tap of reduction index k in either order. */
static inline void qopt_fconv_decode(const qopt_fconv_t *p, int onednn,
                                     int64_t k, int64_t *c, int64_t *i,
                                     int64_t *j) {
  if (onednn) {
    int64_t ci = k % p->block, rest = k / p->block;
    *j = rest % p->kw;
    rest /= p->kw;
    *i = rest % p->kh;
    *c = (rest / p->kh) * p->block + ci;
  } else {
    *j = k % p->kw;
    *i = (k / p->kw) % p->kh;
    *c = k / (p->kw * p->kh);
  }
}

/* Packs output pixels m0 .. m0 + count of group g of one NCHW image:
 * a[k * stride + j] is the input under pixel m0 + j for reduction index k
 * (0 in the padding and for the channels oneDNN's order pads), j up to
 * `padded` (the pixels past count are 0 too). */
static inline void qopt_fconv_pack(const qopt_fconv_t *p, const float *image,
                                   int64_t g, int64_t m0, int64_t count,
                                   int64_t padded, int onednn, int64_t stride,
                                   float *a) {
  int64_t kTotal = onednn ? p->kOnednn : p->kOwn;
  for (int64_t k = 0; k < kTotal; ++k) {
    float *row = a + k * stride;
    int64_t c, i, j;
    qopt_fconv_decode(p, onednn, k, &c, &i, &j);
    if (c >= p->cg) {
      memset(row, 0, (size_t)padded * sizeof(float));
      continue;
    }
    const float *plane = image + (g * p->cg + c) * p->h * p->w;
    int64_t oh = m0 / p->ow, ow = m0 % p->ow;
    for (int64_t done = 0; done < count;) {
      /* One output row's run of pixels. */
      int64_t run = QOPT_MIN(count - done, p->ow - ow);
      int64_t ih = oh * p->sh - p->ph + i * p->dh;
      float *out = row + done;
      if (ih < 0 || ih >= p->h) {
        memset(out, 0, (size_t)run * sizeof(float));
      } else {
        const float *in = plane + ih * p->w;
        int64_t iw0 = ow * p->sw - p->pw + j * p->dw;
        for (int64_t r = 0; r < run; ++r) {
          int64_t iw = iw0 + r * p->sw;
          out[r] = iw >= 0 && iw < p->w ? in[iw] : 0.0f;
        }
      }
      done += run;
      ow = 0;
      ++oh;
    }
    memset(row + count, 0, (size_t)(padded - count) * sizeof(float));
  }
}

#endif /* QOPT_CODEGEN_KERNELS_FLOATCOMMON_H */
