/* Calls the quantized layer of quantized.mlir on a fixed input and prints
 * its results. */
#include "layer.h"

#include <stdio.h>

int main(void) {
  float x[8] = {0.5f, -1.25f, 3.0f, 0.01f, -2.5f, 1.75f, 0.0f, -0.3f};
  uint8_t q[6];
  float f[6];
  if (layer_run(2, x, q, f) != 0)
    return 1;
  for (int i = 0; i < 6; ++i)
    printf("%d %.9g\n", q[i], f[i]);
  return 0;
}
