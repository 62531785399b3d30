/*===- QConvGeneric.c - Portable quantized convolution ---------*- C -*-===*\
|*                                                                          *|
|* The reference kernel: plain C over the NHWC input and the packed         *|
|* weights in whatever layout (KG, NR) the descriptor names. It is the      *|
|* fallback for targets without a vector kernel and the variant every ISA   *|
|* kernel is tested against.                                                *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "KernelCommon.h"

void qopt_qconv_generic(const int64_t *desc, const uint8_t *x, const int8_t *w,
                        const int32_t *chan, uint8_t *y, uint8_t *ws,
                        int64_t batch) {
  qopt_conv_t p = qopt_conv_read(desc);
  int16_t *row = (int16_t *)qopt_workspace(&p, ws, 2).rows;
  int64_t rows = batch * p.oh * p.ow;
  int64_t t = p.groups * p.npad;
  int64_t blockBytes = p.kpad * p.nr;
  for (int64_t g = 0; g < p.groups; ++g) {
    const int8_t *wg = w + g * (p.npad / p.nr) * blockBytes;
    for (int64_t m = 0; m < rows; ++m) {
      int32_t rowSum = qopt_pack_row_i16(&p, x, m, g, row);
      for (int64_t n = 0; n < p.ng; ++n) {
        const int8_t *wn = wg + (n / p.nr) * blockBytes + (n % p.nr) * p.kg;
        /* Unsigned arithmetic: the int32 sum wraps like the hardware's,
         * and the final value fits (the compiler proved it). */
        uint32_t acc = (uint32_t)chan[QOPT_CHAN_BIAS * t + g * p.npad + n];
        for (int64_t k = 0; k < p.k; ++k)
          acc += (uint32_t)((int32_t)row[k] *
                            (int32_t)wn[(k / p.kg) * p.nr * p.kg + k % p.kg]);
        int32_t v = qopt_finish(&p, chan, g, n, (int32_t)acc, rowSum);
        qopt_store_y(y, m * p.oc + g * p.ng + n, v);
      }
    }
  }
}
