/* Calls a compiled function that returns one value twice (one buffer). */
#include "twice.h"

#include <stdio.h>

int main(void) {
  static float x[65536], a[65536], b[65536];
  for (int i = 0; i < 65536; ++i)
    x[i] = (float)(i - 32768) / 32768.0f;
  if (twice_run(65536, x, a, b) != 0)
    return 1;
  for (int i = 0; i < 65536; ++i) {
    float want = x[i] > 0.0f ? x[i] : 0.0f;
    if (a[i] != want || b[i] != want) {
      printf("result %d differs\n", i);
      return 1;
    }
  }
  printf("both results correct\n");
  return 0;
}
