/*===- KernelABI.h - The interface of qopt's int8 kernels ------*- C -*-===*\
|*                                                                          *|
|* Shared by the kernels (lib/Codegen/Kernels, C, compiled to bitcode and   *|
|* linked into every compiled model) and the compiler, which packs weights  *|
|* and writes descriptors in the layouts declared here. Plain C: no         *|
|* includes beyond <stdint.h>.                                              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_CODEGEN_KERNELABI_H
#define QOPT_CODEGEN_KERNELABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The fields of a quantized convolution's descriptor, an int64_t array.
 *
 * A convolution runs on NHWC storage bytes: input [batch, H, W, C], output
 * [batch, OH, OW, OC]; a 1-D convolution has H = OH = KH = 1, a linear
 * layer is a 1x1 convolution with H = W = 1. Each group is a GEMM with
 * M = batch * OH * OW, N = OC / groups, K = KH * KW * (C / groups), the
 * reduction index k running over (kh, kw, c) with c innermost.
 *
 * Packed weights (int8, built at compile time): for each group, for each
 * block of NR output channels, for each run of KG reduction indices, NR x KG
 * bytes, channel-major: byte (n, j) is w[k = run * KG + j][n]. K is padded
 * with zero weights to KPAD (a multiple of KG), the channels of a group with
 * zero weights to NPAD (a multiple of NR). Weights of u8 storage are stored
 * minus 128, with their zero points minus 128.
 */
enum {
  QOPT_CONV_H,
  QOPT_CONV_W,
  QOPT_CONV_C,
  QOPT_CONV_OH,
  QOPT_CONV_OW,
  QOPT_CONV_OC,
  QOPT_CONV_KH,
  QOPT_CONV_KW,
  QOPT_CONV_SH, /* strides */
  QOPT_CONV_SW,
  QOPT_CONV_PH, /* padding before (and after) */
  QOPT_CONV_PW,
  QOPT_CONV_DH, /* dilations */
  QOPT_CONV_DW,
  QOPT_CONV_GROUPS,
  QOPT_CONV_X_ZERO,   /* input zero point */
  QOPT_CONV_X_SIGNED, /* 1: input storage i8, 0: u8 */
  QOPT_CONV_Y_ZERO,   /* output zero point */
  QOPT_CONV_Y_MIN,    /* output clamp range (activation included) */
  QOPT_CONV_Y_MAX,
  QOPT_CONV_Y_SIGNED,
  QOPT_CONV_MODE,   /* QOPT_REQUANT_FLOAT, _INTEGER or _ONEDNN */
  QOPT_CONV_W_ZERO, /* 1 when some weight zero point is not 0 */
  QOPT_CONV_K,      /* per group */
  QOPT_CONV_KPAD,
  QOPT_CONV_NPAD, /* per group */
  QOPT_CONV_KG,   /* packed weight layout */
  QOPT_CONV_NR,
  QOPT_CONV_MC, /* rows of the GEMM packed at a time (a multiple of 8) */
  QOPT_CONV_FIELDS
};

enum {
  QOPT_REQUANT_FLOAT = 0,
  QOPT_REQUANT_INTEGER = 1,
  QOPT_REQUANT_ONEDNN = 2
};

/* Per-channel parameters: an int32_t array of QOPT_CHAN_FIELDS rows of
 * T = GROUPS * NPAD entries (channel g * NPAD + n; padded channels hold
 * zeros). Float rows hold the bits of float32 values.
 *   BIAS:   an int32 bias added to the accumulator (0 without one)
 *   WSUM:   sum over k of the stored weight (after the u8 shift)
 *   WZERO:  the weight zero point (after the u8 shift)
 *   P0..P2: float mode (rule R): P0 = bias[c] / (sx * sw[c]) (0 without a
 *           float bias), P1 = (sx * sw[c]) / sy, both float32;
 *           onednn mode (rule O): P0 = bias[c] * ((1 / sx) * (1 / sw[c])),
 *           P1 = (1 / sy) / ((1 / sx) * (1 / sw[c])), and the output zero
 *           point is added before rounding;
 *           integer mode (rule I): P0 = multiplier, P1 = left shift,
 *           P2 = right shift.
 *   GROUP:  the largest sum of the positive weights, or of the negated
 *           negative ones, over the groups of four w[8r + j], w[8r + j + 1],
 *           w[8r + j + 4], w[8r + j + 5] (j = 0 or 2, every r; the stored
 *           weights of the channel in k order, 0 past K). For inputs
 *           0 <= x <= xmax with xmax * GROUP <= 32767, a group's
 *           x0 * w0 + ... + x3 * w3 lies inside int16: the AVX2 kernel may
 *           then add the int16 pair sums of two runs of four before
 *           widening them (QConvAVX2.c).
 */
enum {
  QOPT_CHAN_BIAS,
  QOPT_CHAN_WSUM,
  QOPT_CHAN_WZERO,
  QOPT_CHAN_P0,
  QOPT_CHAN_P1,
  QOPT_CHAN_P2,
  QOPT_CHAN_GROUP,
  QOPT_CHAN_FIELDS
};

/* The packed layouts the kernels read (KG, NR). */
enum {
  QOPT_GENERIC_KG = 4,
  QOPT_GENERIC_NR = 16,
  QOPT_AVX2_KG = 4,
  QOPT_AVX2_NR = 16,
  QOPT_AVXVNNI_KG = 4, /* the AVX2 layout */
  QOPT_AVXVNNI_NR = 16,
  QOPT_AMX_KG = 4, /* the AVX2 layout: a panel's 16 runs of four are a tile */
  QOPT_AMX_NR = 16,
  QOPT_AMX_MT = 16, /* rows of a tile: MC is a multiple of it */
  QOPT_AVX512VNNI_KG = 4,
  QOPT_AVX512VNNI_NR = 32 /* or 16 where 32 would pad more than 16 channels */
};

/* A row's tap area in a convolution's workspace: max(KH x KW, 8) pointers
 * (the input position of each tap of the row, for kernels that read rows
 * in place; AVX2 keeps 64 bytes of facts about each packed row there). */
static inline int64_t qopt_qconv_tap_bytes(int64_t kh, int64_t kw) {
  return (kh * kw < 8 ? 8 : kh * kw) * 8;
}

/* One row's share of the workspace: its tap area, its int32 sum, its KPAD
 * packed elements (1 byte each for VNNI and AVX2, 2 for the portable
 * kernel). */
static inline int64_t qopt_qconv_row_bytes(int64_t kh, int64_t kw, int64_t kpad,
                                           int64_t elementBytes) {
  return qopt_qconv_tap_bytes(kh, kw) + 4 + kpad * elementBytes;
}

/* The workspace a convolution kernel needs for a descriptor, in bytes, in
 * this order: MC tap areas, MC row sums, MC packed rows, and C / GROUPS
 * bytes holding the input zero point (the padding rows point at). The
 * compiler allocates it. */
static inline int64_t qopt_qconv_workspace_bytes(const int64_t *desc,
                                                 int64_t elementBytes) {
  return desc[QOPT_CONV_MC] *
             qopt_qconv_row_bytes(desc[QOPT_CONV_KH], desc[QOPT_CONV_KW],
                                  desc[QOPT_CONV_KPAD], elementBytes) +
         desc[QOPT_CONV_C] / desc[QOPT_CONV_GROUPS];
}

/* Depthwise convolutions (GROUPS == C == OC) have kernels of their own,
 * vectorized over channels, with the same descriptor: K = KPAD = KH * KW
 * taps, NPAD = C rounded up to 16, KG = 1, NR = 16, MC unused. Weights are
 * packed tap-major, byte (t, c) at t * NPAD + c (zeros beyond C); the
 * channel rows have T = NPAD entries. The workspace holds C bytes of the
 * input zero point. */
static inline int64_t qopt_qdwconv_workspace_bytes(const int64_t *desc) {
  return desc[QOPT_CONV_C];
}

/* y = requantize(conv(x, w)) for every image of the batch. x and y are
 * storage bytes (u8 or i8 as the descriptor says); `ws` is the workspace.
 * Every shape was checked at compile time: the kernels cannot fail. */
void qopt_qconv_generic(const int64_t *desc, const uint8_t *x, const int8_t *w,
                        const int32_t *chan, uint8_t *y, uint8_t *ws,
                        int64_t batch);
void qopt_qconv_avx2(const int64_t *desc, const uint8_t *x, const int8_t *w,
                     const int32_t *chan, uint8_t *y, uint8_t *ws,
                     int64_t batch);
void qopt_qconv_avxvnni(const int64_t *desc, const uint8_t *x, const int8_t *w,
                        const int32_t *chan, uint8_t *y, uint8_t *ws,
                        int64_t batch);
void qopt_qconv_amx(const int64_t *desc, const uint8_t *x, const int8_t *w,
                    const int32_t *chan, uint8_t *y, uint8_t *ws,
                    int64_t batch);
void qopt_qconv_avx512vnni(const int64_t *desc, const uint8_t *x,
                           const int8_t *w, const int32_t *chan, uint8_t *y,
                           uint8_t *ws, int64_t batch);

void qopt_qdwconv_generic(const int64_t *desc, const uint8_t *x,
                          const int8_t *w, const int32_t *chan, uint8_t *y,
                          uint8_t *ws, int64_t batch);
void qopt_qdwconv_avx2(const int64_t *desc, const uint8_t *x, const int8_t *w,
                       const int32_t *chan, uint8_t *y, uint8_t *ws,
                       int64_t batch);
void qopt_qdwconv_avx512(const int64_t *desc, const uint8_t *x, const int8_t *w,
                         const int32_t *chan, uint8_t *y, uint8_t *ws,
                         int64_t batch);

/* Pooling on NHWC storage bytes of one quantized type (the scale is kept):
 * the fields of a pooling descriptor, an int64_t array. */
enum {
  QOPT_POOL_H,
  QOPT_POOL_W,
  QOPT_POOL_C,
  QOPT_POOL_OH,
  QOPT_POOL_OW,
  QOPT_POOL_KH,
  QOPT_POOL_KW,
  QOPT_POOL_SH,
  QOPT_POOL_SW,
  QOPT_POOL_PH,
  QOPT_POOL_PW,
  QOPT_POOL_DH,
  QOPT_POOL_DW,
  QOPT_POOL_SIGNED, /* 1: i8 storage, 0: u8 */
  /* Global average pooling: the float32 bits of the scale r, */
  QOPT_POOL_SCALE,
  /* an int32 added to the sum, and the float32 bits of a value added after
   * rounding. */
  QOPT_POOL_BIAS,
  QOPT_POOL_AFTER,
  QOPT_POOL_FIELDS
};

/* Max pooling: the largest value of each window (padding never wins).
 * Global average pooling (OH = OW = 1, the window the whole image):
 * clamp(roundeven(float(sum of the stored values + bias) * r + 0.0f) +
 * after), PyTorch's quantized adaptive_avg_pool to size 1: its NCHW kernel
 * with r = (1.0f / H) / W and bias = after = 0, its NHWC kernel (qnn's
 * `centered`) with r = 1 / (1 / m), bias = -H * W * zp, after = zp
 * (docs/Numerics.md). */
void qopt_qmaxpool_generic(const int64_t *desc, const uint8_t *x, uint8_t *y,
                           int64_t batch);
void qopt_qmaxpool_avx2(const int64_t *desc, const uint8_t *x, uint8_t *y,
                        int64_t batch);
void qopt_qmaxpool_avx512(const int64_t *desc, const uint8_t *x, uint8_t *y,
                          int64_t batch);
void qopt_qglobalavgpool_generic(const int64_t *desc, const uint8_t *x,
                                 uint8_t *y, int64_t batch);
void qopt_qglobalavgpool_avx2(const int64_t *desc, const uint8_t *x, uint8_t *y,
                              int64_t batch);
void qopt_qglobalavgpool_avx512(const int64_t *desc, const uint8_t *x,
                                uint8_t *y, int64_t batch);

/* Batched matrix transpose, y[n][c][r] = x[n][r][c] for n < batch, r <
 * rows, c < cols, on elements of 1 byte (quantized storage) or 4 (f32,
 * i32): the layout changes NCHW <-> NHWC at the edges of a run of kernels
 * (C x HW <-> HW x C per image). */
void qopt_transpose_b1(const uint8_t *x, uint8_t *y, int64_t batch,
                       int64_t rows, int64_t cols);
void qopt_transpose_b4(const uint32_t *x, uint32_t *y, int64_t batch,
                       int64_t rows, int64_t cols);

/* Float convolution in rule F's summation order (docs/Numerics.md) on NCHW
 * floats: each output starts at its bias (0.0f without one) and adds the
 * products of its window either in oneDNN's order (input channels in blocks
 * of BLOCK, zero-padded; per block the kernel taps, then the channels:
 * acc = fma(x, w, acc)) or in PyTorch's own (channel, kh, kw:
 * acc = acc + x * w, two roundings), then relu / relu6 as arith.maximumf /
 * minimumf. The fields of its descriptor: */
enum {
  QOPT_FCONV_H,
  QOPT_FCONV_W,
  QOPT_FCONV_C,
  QOPT_FCONV_OH,
  QOPT_FCONV_OW,
  QOPT_FCONV_OC,
  QOPT_FCONV_KH,
  QOPT_FCONV_KW,
  QOPT_FCONV_SH,
  QOPT_FCONV_SW,
  QOPT_FCONV_PH,
  QOPT_FCONV_PW,
  QOPT_FCONV_DH,
  QOPT_FCONV_DW,
  QOPT_FCONV_GROUPS,
  QOPT_FCONV_ORDER,      /* QOPT_ORDER_* */
  QOPT_FCONV_BLOCK,      /* oneDNN's block of input channels */
  QOPT_FCONV_ACTIVATION, /* QOPT_ACTIVATION_* */
  QOPT_FCONV_NGPAD, /* output channels per group, padded to a multiple of 4 */
  QOPT_FCONV_K_OWN, /* C / GROUPS * KH * KW */
  QOPT_FCONV_K_ONEDNN,       /* C / GROUPS rounded up to BLOCK, * KH * KW */
  QOPT_FCONV_ONEDNN_WEIGHTS, /* offset of the oneDNN-order weights (floats) */
  QOPT_FCONV_MC, /* output pixels packed at a time (a multiple of 32) */
  /* oneDNN's 1x1 kernel: the oneDNN-order reduction in chunks of this many
   * k (0: one sum); the first chunk's sum starts at the bias, each later one
   * at zero and is then added to the sum so far. */
  QOPT_FCONV_CHUNK,
  QOPT_FCONV_FIELDS
};

/* PyTorch 1.13's choice (ConvParams::use_mkldnn): oneDNN always, its own
 * im2col path always, oneDNN when the batch exceeds 1 or the input has more
 * than 20,480 elements (decided per call), or oneDNN when the batch is at
 * least 16 (a 1x1 convolution under single-threaded PyTorch). */
enum {
  QOPT_ORDER_OWN = 0,
  QOPT_ORDER_ONEDNN = 1,
  QOPT_ORDER_BY_BATCH = 2,
  QOPT_ORDER_BY_BATCH_16 = 3
};
enum {
  QOPT_ACTIVATION_NONE = 0,
  QOPT_ACTIVATION_RELU = 1,
  QOPT_ACTIVATION_RELU6 = 2
};

/* Weights: for each order the call may take, [GROUPS][NGPAD][K] floats,
 * the reduction index in that order (PyTorch's own order is the OIHW
 * layout itself); the own-order weights first, the oneDNN-order ones at
 * QOPT_FCONV_ONEDNN_WEIGHTS. Bias: GROUPS * NGPAD floats. The workspace
 * holds MC x max(K) floats of packed input. */
static inline int64_t qopt_fconv_workspace_bytes(const int64_t *desc) {
  int64_t k = desc[QOPT_FCONV_K_OWN] > desc[QOPT_FCONV_K_ONEDNN]
                  ? desc[QOPT_FCONV_K_OWN]
                  : desc[QOPT_FCONV_K_ONEDNN];
  return desc[QOPT_FCONV_MC] * k * 4;
}

void qopt_fconv_generic(const int64_t *desc, const float *x, const float *w,
                        const float *bias, float *y, uint8_t *ws,
                        int64_t batch);
void qopt_fconv_avx2(const int64_t *desc, const float *x, const float *w,
                     const float *bias, float *y, uint8_t *ws, int64_t batch);
void qopt_fconv_avx512(const int64_t *desc, const float *x, const float *w,
                       const float *bias, float *y, uint8_t *ws, int64_t batch);

/* Float linear layer in rule F's order for Debian's PyTorch (the reference
 * BLAS): y[m][n] = (sum over k, from 0.0f, of acc + x[m][k] * w[n][k]),
 * then + bias[n] when there is a bias, then the activation. Weights are
 * packed [K][NPAD] (transposed, NPAD = N rounded up to 32). */
enum {
  QOPT_FLINEAR_K,
  QOPT_FLINEAR_N,
  QOPT_FLINEAR_NPAD,
  QOPT_FLINEAR_BIAS, /* 1 with a bias */
  QOPT_FLINEAR_ACTIVATION,
  QOPT_FLINEAR_FIELDS
};

void qopt_flinear_generic(const int64_t *desc, const float *x, const float *w,
                          const float *bias, float *y, int64_t rows);
void qopt_flinear_avx2(const int64_t *desc, const float *x, const float *w,
                       const float *bias, float *y, int64_t rows);
void qopt_flinear_avx512(const int64_t *desc, const float *x, const float *w,
                         const float *bias, float *y, int64_t rows);

#ifdef __cplusplus
}
#endif

#endif /* QOPT_CODEGEN_KERNELABI_H */
