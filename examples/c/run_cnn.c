/* Runs the CNN of examples/cnn.mlir, compiled ahead of time by qcc, on a
 * batch of 28x28 float32 images read from a raw file, and writes the logits
 * as raw float32.
 *
 *   qcc examples/cnn.mlir -o cnn.o            (writes cnn.o and cnn.h)
 *   cc -I. examples/c/run_cnn.c cnn.o -o run_cnn
 *   ./run_cnn BATCH images.f32 logits.f32
 */
#include "cnn.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s BATCH images.f32 logits.f32\n", argv[0]);
    return 2;
  }
  long batch = strtol(argv[1], NULL, 10);
  if (batch < 1) {
    fprintf(stderr, "run_cnn: BATCH must be a positive integer\n");
    return 2;
  }
  size_t in_count = (size_t)batch * 28 * 28, out_count = (size_t)batch * 10;
  float *images = malloc(in_count * sizeof(float));
  float *logits = malloc(out_count * sizeof(float));
  FILE *in = fopen(argv[2], "rb");
  if (!images || !logits || !in ||
      fread(images, sizeof(float), in_count, in) != in_count) {
    fprintf(stderr, "run_cnn: cannot read %zu floats from %s\n", in_count,
            argv[2]);
    return 1;
  }
  fclose(in);
  if (cnn_run(batch, images, logits) != 0) {
    fprintf(stderr, "run_cnn: the model rejected batch %ld\n", batch);
    return 1;
  }
  FILE *out = fopen(argv[3], "wb");
  if (!out || fwrite(logits, sizeof(float), out_count, out) != out_count ||
      fclose(out) != 0) {
    fprintf(stderr, "run_cnn: cannot write %s\n", argv[3]);
    return 1;
  }
  printf("image 0 logits:");
  for (int i = 0; i < 10; ++i)
    printf(" %.4f", logits[i]);
  printf("\n");
  free(images);
  free(logits);
  return 0;
}
