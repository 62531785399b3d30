/* Calls quantized.mlir's layer through both entry points, prints its
 * description, and checks the error codes of bad calls. */
#include "layer.h"

#include <stdio.h>
#include <string.h>

static void print_tensor(const char *what, int i, const qopt_tensor_info *t) {
  printf("%s %d: dtype %d shape [", what, i, (int)t->dtype);
  for (int d = 0; d < t->rank; ++d)
    printf("%s%lld", d ? ", " : "", (long long)t->shape[d]);
  printf("]\n");
}

int main(void) {
  const qopt_model_info *info = layer_info();
  printf("info: abi %d, function %s, %d inputs, %d outputs\n",
         (int)info->abi_version, info->function, (int)info->num_inputs,
         (int)info->num_outputs);
  for (int i = 0; i < info->num_inputs; ++i)
    print_tensor("input", i, &info->inputs[i]);
  for (int i = 0; i < info->num_outputs; ++i)
    print_tensor("output", i, &info->outputs[i]);

  float x[8] = {0.5f, -1.25f, 3.0f, 0.01f, -2.5f, 1.75f, 0.0f, -0.3f};
  uint8_t q1[6], q2[6];
  float f1[6], f2[6];
  if (layer_run(2, x, q1, f1) != QOPT_OK)
    return 1;
  const void *inputs[1] = {x};
  void *outputs[2] = {q2, f2};
  if (layer_run_arrays(2, inputs, outputs) != QOPT_OK)
    return 1;
  if (memcmp(q1, q2, sizeof q1) == 0 && memcmp(f1, f2, sizeof f1) == 0)
    printf("run and run_arrays agree\n");
  printf("batch 3: %d\n", layer_run(3, x, q1, f1));
  printf("batch 0: %d\n", layer_run(0, x, q1, f1));
  printf("null input: %d\n", layer_run(2, NULL, q1, f1));
  printf("null output: %d\n", layer_run(2, x, q1, NULL));
  printf("null arrays: %d\n", layer_run_arrays(2, inputs, NULL));
  return 0;
}
