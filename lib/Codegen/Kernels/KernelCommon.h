/*===- KernelCommon.h - Scalar arithmetic shared by the kernels -*- C -*-===*\
|*                                                                          *|
|* The per-element operations of docs/Numerics.md (rules R and I) and the   *|
|* packing of the GEMM's left operand, written once for every ISA variant.  *|
|* Compiled with -ffp-contract=off: no fused multiply-add may change a     *|
|* rounding.                                                                *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELS_KERNELCOMMON_H
#define QOPT_CODEGEN_KERNELS_KERNELCOMMON_H

#include "qopt/Codegen/KernelABI.h"

#include <stdint.h>
#include <string.h>

#define QOPT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define QOPT_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline float qopt_bits_to_float(int32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Round half to even without libm: below 2^23 in magnitude, adding and
 * subtracting 2^23 rounds to an integer in the default rounding mode
 * (nearest, ties to even); larger values, infinities and NaN are returned
 * as they are. Both operations are exact otherwise. */
static inline float qopt_round_even(float f) {
  float a = f < 0 ? -f : f;
  if (!(a < 8388608.0f))
    return f;
  float r = (a + 8388608.0f) - 8388608.0f;
  return f < 0 ? -r : r;
}

/* Rule R: clamp(roundeven((float(acc) + p0) * p1) + zy, lo, hi), every
 * operation in float32 and in this order; rule O (oneDNN) adds zy before
 * rounding: called with before = zy and after = 0 (rule R: 0 and zy; adding
 * 0 changes no value that rounds). p0 is 0 without a float bias, and
 * float(acc) + 0 is float(acc). */
static inline int32_t qopt_requantize_float(int32_t acc, float p0, float p1,
                                            float before, float after, float lo,
                                            float hi) {
  float f = (float)acc + p0;
  float r = qopt_round_even(f * p1 + before) + after;
  r = r < lo ? lo : r;
  r = r > hi ? hi : r;
  return (int32_t)r;
}

/* Rule I: zy + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
 * sat32(acc << left), m), right), clamped to [lo, hi]. */
static inline int32_t qopt_requantize_integer(int32_t acc, int32_t m,
                                              int32_t left, int32_t right,
                                              int32_t zy, int32_t lo,
                                              int32_t hi) {
  int64_t x = (int64_t)acc * ((int64_t)1 << left);
  x = x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x;
  int64_t product = x * m;
  int64_t nudge = product >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
  /* Division truncating toward zero, as the high half of gemmlowp's
   * doubling multiply. */
  int64_t high = (product + nudge) / ((int64_t)1 << 31);
  int64_t mask = ((int64_t)1 << right) - 1;
  int64_t remainder = high & mask;
  int64_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  int64_t shifted = (high >> right) + (remainder > threshold ? 1 : 0);
  int64_t y = shifted + zy;
  y = y < lo ? lo : y > hi ? hi : y;
  return (int32_t)y;
}

/* The descriptor's values in the shape the kernels use them. */
typedef struct {
  int64_t h, w, c, oh, ow, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups;
  int64_t cg, ng, k, kpad, npad, kg, nr, mc;
  int32_t xzero, yzero, ymin, ymax;
  int xsigned, ysigned, mode, wzero;
} qopt_conv_t;

static inline qopt_conv_t qopt_conv_read(const int64_t *d) {
  qopt_conv_t p;
  p.h = d[QOPT_CONV_H];
  p.w = d[QOPT_CONV_W];
  p.c = d[QOPT_CONV_C];
  p.oh = d[QOPT_CONV_OH];
  p.ow = d[QOPT_CONV_OW];
  p.oc = d[QOPT_CONV_OC];
  p.kh = d[QOPT_CONV_KH];
  p.kw = d[QOPT_CONV_KW];
  p.sh = d[QOPT_CONV_SH];
  p.sw = d[QOPT_CONV_SW];
  p.ph = d[QOPT_CONV_PH];
  p.pw = d[QOPT_CONV_PW];
  p.dh = d[QOPT_CONV_DH];
  p.dw = d[QOPT_CONV_DW];
  p.groups = d[QOPT_CONV_GROUPS];
  p.cg = p.c / p.groups;
  p.ng = p.oc / p.groups;
  p.k = d[QOPT_CONV_K];
  p.kpad = d[QOPT_CONV_KPAD];
  p.npad = d[QOPT_CONV_NPAD];
  p.kg = d[QOPT_CONV_KG];
  p.nr = d[QOPT_CONV_NR];
  p.mc = d[QOPT_CONV_MC];
  p.xzero = (int32_t)d[QOPT_CONV_X_ZERO];
  p.yzero = (int32_t)d[QOPT_CONV_Y_ZERO];
  p.ymin = (int32_t)d[QOPT_CONV_Y_MIN];
  p.ymax = (int32_t)d[QOPT_CONV_Y_MAX];
  p.xsigned = (int)d[QOPT_CONV_X_SIGNED];
  p.ysigned = (int)d[QOPT_CONV_Y_SIGNED];
  p.mode = (int)d[QOPT_CONV_MODE];
  p.wzero = (int)d[QOPT_CONV_W_ZERO];
  return p;
}

/* The parts of a convolution's workspace (qopt_qconv_workspace_bytes). */
typedef struct {
  const uint8_t **taps;
  int32_t *rowSums;
  uint8_t *rows;
  uint8_t *zero;
} qopt_workspace_t;

static inline qopt_workspace_t qopt_workspace(const qopt_conv_t *p, uint8_t *ws,
                                              int64_t elementBytes) {
  qopt_workspace_t w;
  w.taps = (const uint8_t **)ws;
  w.rowSums = (int32_t *)(ws + p->mc * qopt_qconv_tap_bytes(p->kh, p->kw));
  w.rows = (uint8_t *)(w.rowSums + p->mc);
  w.zero = w.rows + p->mc * p->kpad * elementBytes;
  return w;
}

/* The input element at (n, ih, iw, channel) as an integer of its storage
 * type. */
static inline int32_t qopt_load_x(const qopt_conv_t *p, const uint8_t *x,
                                  int64_t index) {
  return p->xsigned ? (int32_t)(int8_t)x[index] : (int32_t)x[index];
}

/* The address of the first input channel of group g at the input position
 * of tap (i, j) of GEMM row m, or NULL when the tap falls in the padding. */
static inline const uint8_t *qopt_tap(const qopt_conv_t *p, const uint8_t *x,
                                      int64_t m, int64_t i, int64_t j,
                                      int64_t g) {
  int64_t ow = m % p->ow, rest = m / p->ow;
  int64_t oh = rest % p->oh, n = rest / p->oh;
  int64_t ih = oh * p->sh - p->ph + i * p->dh;
  int64_t iw = ow * p->sw - p->pw + j * p->dw;
  if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
    return 0;
  return x + ((n * p->h + ih) * p->w + iw) * p->c + g * p->cg;
}

/* Row m of the GEMM's left operand for group g as int16 x - zx (padding
 * and the K tail 0), and its sum. */
static inline int32_t qopt_pack_row_i16(const qopt_conv_t *p, const uint8_t *x,
                                        int64_t m, int64_t g, int16_t *row) {
  int32_t sum = 0;
  int64_t k = 0;
  for (int64_t i = 0; i < p->kh; ++i)
    for (int64_t j = 0; j < p->kw; ++j) {
      const uint8_t *src = qopt_tap(p, x, m, i, j, g);
      if (!src) {
        memset(row + k, 0, (size_t)p->cg * sizeof(int16_t));
      } else if (p->xsigned) {
        for (int64_t c = 0; c < p->cg; ++c) {
          int32_t v = (int32_t)(int8_t)src[c] - p->xzero;
          row[k + c] = (int16_t)v;
          sum += v;
        }
      } else {
        for (int64_t c = 0; c < p->cg; ++c) {
          int32_t v = (int32_t)src[c] - p->xzero;
          row[k + c] = (int16_t)v;
          sum += v;
        }
      }
      k += p->cg;
    }
  for (; k < p->kpad; ++k)
    row[k] = 0;
  return sum;
}

/* Copies n input bytes to row as unsigned bytes (xor flip), returning the
 * sum of row - zero when `sum` is set. */
static inline int32_t qopt_copy_u8(uint8_t *row, const uint8_t *src, int64_t n,
                                   uint8_t flip, int32_t zero, int sum) {
  int32_t total = 0;
  if (!flip && !sum) {
    memcpy(row, src, (size_t)n);
    return 0;
  }
  for (int64_t c = 0; c < n; ++c) {
    row[c] = (uint8_t)(src[c] ^ flip);
    total += (int32_t)row[c] - zero;
  }
  return total;
}

/* The GEMM row of output pixel (n, oh, ow) for group g as unsigned bytes:
 * u8 input as it is, i8 input plus 128 (so zx becomes zx + 128); padding
 * holds that zero point, the K tail 0. Returns the row's sum of x - zx
 * (computed when the weights have zero points, or the input is signed, else 0).
 * A kernel row whose taps all lie inside the input and follow each other in
 * memory (one group, no dilation: kw pixels of c channels) is one copy. */
static inline int32_t qopt_pack_pixel_u8(const qopt_conv_t *p, const uint8_t *x,
                                         int64_t n, int64_t oh, int64_t ow,
                                         int64_t g, uint8_t *row) {
  uint8_t flip = p->xsigned ? 0x80 : 0;
  int32_t zero = p->xzero + (p->xsigned ? 128 : 0);
  int sum = flip || p->wzero;
  int32_t total = 0;
  int64_t iw0 = ow * p->sw - p->pw;
  int contiguous = p->groups == 1 && (p->dw == 1 || p->kw == 1) && iw0 >= 0 &&
                   iw0 + (p->kw - 1) * p->dw < p->w;
  int64_t k = 0;
  for (int64_t i = 0; i < p->kh; ++i) {
    int64_t ih = oh * p->sh - p->ph + i * p->dh;
    if (ih < 0 || ih >= p->h) {
      memset(row + k, zero, (size_t)(p->kw * p->cg));
      k += p->kw * p->cg;
      continue;
    }
    const uint8_t *line = x + (n * p->h + ih) * p->w * p->c + g * p->cg;
    if (contiguous) {
      total += qopt_copy_u8(row + k, line + iw0 * p->c, p->kw * p->c, flip,
                            zero, sum);
      k += p->kw * p->c;
      continue;
    }
    for (int64_t j = 0; j < p->kw; ++j) {
      int64_t iw = iw0 + j * p->dw;
      if (iw < 0 || iw >= p->w)
        memset(row + k, zero, (size_t)p->cg);
      else
        total +=
            qopt_copy_u8(row + k, line + iw * p->c, p->cg, flip, zero, sum);
      k += p->cg;
    }
  }
  memset(row + k, 0, (size_t)(p->kpad - k));
  return total;
}

/* An output pixel (n, oh, ow), walked in GEMM row order without a
 * division per row. */
typedef struct {
  int64_t n, oh, ow;
} qopt_pixel_t;

static inline qopt_pixel_t qopt_pixel_of_row(const qopt_conv_t *p, int64_t m) {
  qopt_pixel_t at;
  at.ow = m % p->ow;
  at.oh = m / p->ow % p->oh;
  at.n = m / p->ow / p->oh;
  return at;
}

static inline void qopt_next_pixel(const qopt_conv_t *p, qopt_pixel_t *at) {
  if (++at->ow < p->ow)
    return;
  at->ow = 0;
  if (++at->oh < p->oh)
    return;
  at->oh = 0;
  ++at->n;
}

/* Whether GEMM row m reads input pixel m (its channels of the group): a
 * 1x1 convolution with stride 1 and no padding. */
static inline int qopt_rows_are_pixels(const qopt_conv_t *p) {
  return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->ph == 0 &&
         p->pw == 0 && p->oh == p->h && p->ow == p->w;
}

/* For the kernels that read rows in place (the VNNI ones): points
 * taps[r * ntaps + t] at the input of tap t of GEMM row m0 + r
 * (group g), or at `zero` in the padding; rows from `count` up to the
 * tile's end point at `zero` too. The rows' output pixels are walked in
 * order (no division per row): this runs once per row and tap, as often as
 * the tile's multiply-adds for a 1x1 convolution of few channels. */
static inline void qopt_build_taps(const qopt_conv_t *p, const uint8_t *x,
                                   int64_t m0, int64_t count, int64_t padded,
                                   int64_t g, const uint8_t *zero,
                                   const uint8_t **taps) {
  int64_t ntaps = p->kh * p->kw;
  const uint8_t *xg = x + g * p->cg;
  if (qopt_rows_are_pixels(p)) {
    for (int64_t r = 0; r < count; ++r)
      taps[r] = xg + (m0 + r) * p->c;
  } else {
    qopt_pixel_t at = qopt_pixel_of_row(p, m0);
    for (int64_t r = 0; r < count; ++r, qopt_next_pixel(p, &at)) {
      const uint8_t **row = taps + r * ntaps;
      const uint8_t *image = xg + at.n * p->h * p->w * p->c;
      for (int64_t i = 0; i < p->kh; ++i) {
        int64_t ih = at.oh * p->sh - p->ph + i * p->dh;
        for (int64_t j = 0; j < p->kw; ++j) {
          int64_t iw = at.ow * p->sw - p->pw + j * p->dw;
          row[i * p->kw + j] = ih < 0 || ih >= p->h || iw < 0 || iw >= p->w
                                   ? zero
                                   : image + (ih * p->w + iw) * p->c;
        }
      }
    }
  }
  for (int64_t r = count; r < padded; ++r)
    for (int64_t t = 0; t < ntaps; ++t)
      taps[r * ntaps + t] = zero;
}

/* Whether the VNNI kernels read the rows of `p` in place through tap
 * pointers: u8 input, whole runs of four channels per group, no weight
 * zero points (whose row sums a packed row gives). */
static inline int qopt_vnni_in_place(const qopt_conv_t *p) {
  return !p->xsigned && !p->wzero && p->cg % 4 == 0;
}

/* GEMM rows m0 .. m0 + count - 1 of group g packed into the workspace as
 * unsigned bytes, with their sums; rows from `count` up to `padded` are
 * zero bytes. */
static inline void qopt_pack_rows(const qopt_conv_t *p, const uint8_t *x,
                                  int64_t m0, int64_t count, int64_t padded,
                                  int64_t g, const qopt_workspace_t *work) {
  qopt_pixel_t at = qopt_pixel_of_row(p, m0);
  for (int64_t r = 0; r < count; ++r, qopt_next_pixel(p, &at))
    work->rowSums[r] = qopt_pack_pixel_u8(p, x, at.n, at.oh, at.ow, g,
                                          work->rows + r * p->kpad);
  memset(work->rows + count * p->kpad, 0, (size_t)((padded - count) * p->kpad));
}

/* The same rows for the VNNI kernels: in place, their tap pointers
 * (qopt_build_taps; rows from `count` up to `padded` point at the zero
 * point); else packed (qopt_pack_rows). */
static inline void qopt_vnni_rows(const qopt_conv_t *p, const uint8_t *x,
                                  int64_t m0, int64_t count, int64_t padded,
                                  int64_t g, const qopt_workspace_t *work) {
  if (qopt_vnni_in_place(p))
    qopt_build_taps(p, x, m0, count, padded, g, work->zero, work->taps);
  else
    qopt_pack_rows(p, x, m0, count, padded, g, work);
}

/* Stores the requantized value v of output (m, channel) as storage. */
static inline void qopt_store_y(uint8_t *y, int64_t index, int32_t v) {
  y[index] = (uint8_t)v;
}

/* Rule R or I on one accumulator of channel `ch` of channel rows with `t`
 * entries each. */
static inline int32_t qopt_requantize_channel(const qopt_conv_t *p,
                                              const int32_t *chan, int64_t t,
                                              int64_t ch, int32_t acc) {
  if (p->mode == QOPT_REQUANT_INTEGER)
    return qopt_requantize_integer(
        acc, chan[QOPT_CHAN_P0 * t + ch], chan[QOPT_CHAN_P1 * t + ch],
        chan[QOPT_CHAN_P2 * t + ch], p->yzero, p->ymin, p->ymax);
  int before = p->mode == QOPT_REQUANT_ONEDNN;
  float zy = (float)p->yzero;
  return qopt_requantize_float(
      acc, qopt_bits_to_float(chan[QOPT_CHAN_P0 * t + ch]),
      qopt_bits_to_float(chan[QOPT_CHAN_P1 * t + ch]), before ? zy : 0.0f,
      before ? 0.0f : zy, (float)p->ymin, (float)p->ymax);
}

/* The scalar epilogue of one GEMM accumulator of group g, channel n (within
 * the group), row m: weight zero-point correction, then rule R or I. */
static inline int32_t qopt_finish(const qopt_conv_t *p, const int32_t *chan,
                                  int64_t g, int64_t n, int32_t acc,
                                  int32_t rowSum) {
  int64_t t = p->groups * p->npad;
  int64_t ch = g * p->npad + n;
  acc = (int32_t)((uint32_t)acc -
                  (uint32_t)chan[QOPT_CHAN_WZERO * t + ch] * (uint32_t)rowSum);
  return qopt_requantize_channel(p, chan, t, ch, acc);
}

/* The first input channel of the pixel under tap (i, j) of output pixel
 * (n, oh, ow), or `zero` in the padding. */
static inline const uint8_t *qopt_dw_tap(const qopt_conv_t *p, const uint8_t *x,
                                         int64_t n, int64_t oh, int64_t ow,
                                         int64_t i, int64_t j,
                                         const uint8_t *zero) {
  int64_t ih = oh * p->sh - p->ph + i * p->dh;
  int64_t iw = ow * p->sw - p->pw + j * p->dw;
  if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
    return zero;
  return x + ((n * p->h + ih) * p->w + iw) * p->c;
}

/* qopt_dw_tap for the border pixels of output row (n, oh), what depends
 * on the row alone found once: rows[i] is the input row under kernel row i
 * (i < kh), or NULL in the padding. */
static inline void qopt_dw_rows(const qopt_conv_t *p, const uint8_t *x,
                                int64_t n, int64_t oh, const uint8_t **rows) {
  for (int64_t i = 0; i < p->kh; ++i) {
    int64_t ih = oh * p->sh - p->ph + i * p->dh;
    rows[i] = ih >= 0 && ih < p->h ? x + (n * p->h + ih) * p->w * p->c : NULL;
  }
}

/* Channel c0 of every tap of output pixel ow of the row of `rows`, in tap
 * order: the input, or the zero-point run `zero` in the padding. */
static inline void qopt_dw_border_taps(const qopt_conv_t *p,
                                       const uint8_t *const *rows, int64_t ow,
                                       const uint8_t *zero, int64_t c0,
                                       const uint8_t **src) {
  int64_t iw0 = ow * p->sw - p->pw;
  for (int64_t i = 0; i < p->kh; ++i)
    for (int64_t j = 0; j < p->kw; ++j) {
      int64_t iw = iw0 + j * p->dw;
      src[i * p->kw + j] =
          (rows[i] && iw >= 0 && iw < p->w ? rows[i] + iw * p->c : zero) + c0;
    }
}

/* The output columns [*lo, *hi) of a convolution whose windows lie inside
 * the input's width; [ow, ow) when there are none. */
static inline void qopt_inside_columns(const qopt_conv_t *p, int64_t *lo,
                                       int64_t *hi) {
  int64_t first = (p->pw + p->sw - 1) / p->sw;
  /* Column ow is inside while ow * sw - pw + (kw - 1) * dw < w. */
  int64_t span = p->w - (p->kw - 1) * p->dw + p->pw;
  int64_t end = span > 0 ? QOPT_MIN(p->ow, (span - 1) / p->sw + 1) : 0;
  *lo = first < end ? first : p->ow;
  *hi = first < end ? end : p->ow;
}

/* Max pooling of channel ch at output pixel (n, i, j), scalar: the
 * storage minimum, which padding holds and never wins, then the largest
 * input of the window. */
static inline uint8_t qopt_maxpool_channel(const int64_t *d, const uint8_t *x,
                                           int64_t n, int64_t i, int64_t j,
                                           int64_t ch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t h = d[QOPT_POOL_H], w = d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  int32_t best = isSigned ? -128 : 0;
  for (int64_t ki = 0; ki < d[QOPT_POOL_KH]; ++ki)
    for (int64_t kj = 0; kj < d[QOPT_POOL_KW]; ++kj) {
      int64_t ih = i * d[QOPT_POOL_SH] - d[QOPT_POOL_PH] + ki * d[QOPT_POOL_DH];
      int64_t iw = j * d[QOPT_POOL_SW] - d[QOPT_POOL_PW] + kj * d[QOPT_POOL_DW];
      if (ih < 0 || ih >= h || iw < 0 || iw >= w)
        continue;
      uint8_t b = x[((n * h + ih) * w + iw) * c + ch];
      int32_t v = isSigned ? (int32_t)(int8_t)b : (int32_t)b;
      best = v > best ? v : best;
    }
  return (uint8_t)best;
}

/* Global average pooling of channel ch of image n, scalar:
 * clamp(roundeven(float(sum + bias) * r + 0.0f) + after) in float32. */
static inline uint8_t qopt_globalavgpool_channel(const int64_t *d,
                                                 const uint8_t *x, int64_t n,
                                                 int64_t ch) {
  int isSigned = (int)d[QOPT_POOL_SIGNED];
  int64_t pixels = d[QOPT_POOL_H] * d[QOPT_POOL_W], c = d[QOPT_POOL_C];
  float r = qopt_bits_to_float((int32_t)d[QOPT_POOL_SCALE]);
  float after = qopt_bits_to_float((int32_t)d[QOPT_POOL_AFTER]);
  float lo = isSigned ? -128.0f : 0.0f, hi = isSigned ? 127.0f : 255.0f;
  int32_t sum = (int32_t)d[QOPT_POOL_BIAS];
  for (int64_t q = 0; q < pixels; ++q) {
    uint8_t b = x[(n * pixels + q) * c + ch];
    sum += isSigned ? (int32_t)(int8_t)b : (int32_t)b;
  }
  float v = qopt_round_even((float)sum * r + 0.0f) + after;
  v = v < lo ? lo : v > hi ? hi : v;
  return (uint8_t)(int32_t)v;
}

#endif /* QOPT_CODEGEN_KERNELS_KERNELCOMMON_H */
