/* Loads a qcc shared library, runs its model a few times at batch 4 and
 * unloads it, then prints how many bytes of the heap the library still
 * holds. The model's allocator keeps freed buffers for reuse (about 230
 * KiB for the CNN); unloading the library must return them. */
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>

enum { BATCH = 4 };
static float input[BATCH * 1 * 28 * 28], output[BATCH * 10];

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: unload LIBRARY SYMBOL\n");
    return 2;
  }
  size_t before = mallinfo2().uordblks;
  void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  int (*run)(int64_t, const void *const *, void *const *) =
      (int (*)(int64_t, const void *const *, void *const *))dlsym(handle,
                                                                  argv[2]);
  if (!run) {
    fprintf(stderr, "no %s\n", argv[2]);
    return 1;
  }
  const void *inputs[] = {input};
  void *outputs[] = {output};
  for (int i = 0; i < 3; ++i)
    if (run(BATCH, inputs, outputs) != 0)
      return 1;
  size_t loaded = mallinfo2().uordblks;
  dlclose(handle);
  size_t after = mallinfo2().uordblks;
  printf("kept while loaded: %s\n",
         loaded - before > 100000 ? "over 100 KB" : "under 100 KB");
  printf("kept after dlclose: %s\n", after > before && after - before > 16384
                                         ? "over 16 KB"
                                         : "under 16 KB");
  return 0;
}
