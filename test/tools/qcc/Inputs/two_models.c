/* Runs two compiled models, cnn_f32 and cnn_i8, in one program on a batch
 * of 28x28 images from a raw float32 file and writes each one's logits. */
#include "cnn_f32.h"
#include "cnn_i8.h"

#include <stdio.h>
#include <stdlib.h>

static int write_floats(const char *path, const float *data, size_t n) {
  FILE *f = fopen(path, "wb");
  return f && fwrite(data, sizeof(float), n, f) == n && fclose(f) == 0;
}

int main(int argc, char **argv) {
  if (argc != 5)
    return 2;
  long batch = strtol(argv[1], NULL, 10);
  size_t n_in = (size_t)batch * 28 * 28, n_out = (size_t)batch * 10;
  float *x = malloc(n_in * sizeof(float));
  float *a = malloc(n_out * sizeof(float)), *b = malloc(n_out * sizeof(float));
  FILE *in = fopen(argv[2], "rb");
  if (!x || !a || !b || !in || fread(x, sizeof(float), n_in, in) != n_in)
    return 1;
  fclose(in);
  printf("cnn_f32: @%s, cnn_i8: @%s\n", cnn_f32_info()->function,
         cnn_i8_info()->function);
  if (cnn_f32_run(batch, x, a) != QOPT_OK || cnn_i8_run(batch, x, b) != QOPT_OK)
    return 1;
  if (!write_floats(argv[3], a, n_out) || !write_floats(argv[4], b, n_out))
    return 1;
  return 0;
}
