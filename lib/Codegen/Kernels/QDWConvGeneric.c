/*===- QDWConvGeneric.c - Portable depthwise convolution -------*- C -*-===*\
|*                                                                          *|
|* The reference depthwise kernel (KernelABI.h): each output channel sums  *|
|* (x - zx) * (w - zw) over the taps of its own input channel.              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "KernelCommon.h"

void qopt_qdwconv_generic(const int64_t *desc, const uint8_t *x,
                          const int8_t *w, const int32_t *chan, uint8_t *y,
                          uint8_t *ws, int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  int64_t t = p.npad;
  memset(ws, (uint8_t)p.xzero, (size_t)p.c);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oh = 0; oh < p.oh; ++oh)
      for (int64_t ow = 0; ow < p.ow; ++ow)
        for (int64_t c = 0; c < p.c; ++c) {
          int32_t zw = chan[QOPT_CHAN_WZERO * t + c];
          /* Wrapping int32 sums, like the hardware's: the final value fits
           * (the compiler proved it). */
          uint32_t acc = (uint32_t)chan[QOPT_CHAN_BIAS * t + c];
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j) {
              const uint8_t *src = qopt_dw_tap(&p, x, n, oh, ow, i, j, ws);
              int32_t v = qopt_load_x(&p, src, c) - p.xzero;
              acc += (uint32_t)(v * ((int32_t)w[(i * p.kw + j) * t + c] - zw));
            }
          y[((n * p.oh + oh) * p.ow + ow) * p.c + c] =
              (uint8_t)qopt_requantize_channel(&p, chan, t, c, (int32_t)acc);
        }
}
