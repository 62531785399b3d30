/* Times a model compiled by qcc into a shared library (a process of
 * benchmarks/run.sh). Compiled once per library, with the header qcc wrote
 * forced in:
 *
 *   cc -O2 -include DIR/libqopt_int8.h benchmarks/qopt_bench.c \
 *      DIR/libqopt_int8.so -Wl,-rpath,DIR -o DIR/bench_int8
 *
 *   bench_int8 time BATCH IN_PER_SAMPLE OUT_PER_SAMPLE INPUT.f32 BUDGET_S MIN
 * MAX [OUT.f32] bench_int8 rss BATCH IN_PER_SAMPLE OUT_PER_SAMPLE INPUT.f32
 *
 * The model's entry point is model_run(batch, const float *in, float *out)
 * (bench.py compiles every model with qcc --name model). `time` runs one
 * warm-up call, then times calls with clock_gettime(CLOCK_MONOTONIC) for
 * BUDGET_S seconds (at least MIN, at most MAX calls), and prints "median_ms
 * count"; float input and output, so an int8 model's quantize and dequantize
 * are inside the timed call. `rss` runs one call and prints the process's peak
 * resident set (getrusage ru_maxrss, KiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static float *read_floats(const char *path, size_t count) {
  float *data = malloc(count * sizeof(float));
  FILE *f = fopen(path, "rb");
  if (!data || !f || fread(data, sizeof(float), count, f) != count) {
    fprintf(stderr, "qopt_bench: cannot read %zu floats from %s\n", count,
            path);
    exit(1);
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 6 ||
      (strcmp(argv[1], "time") != 0 && strcmp(argv[1], "rss") != 0) ||
      (strcmp(argv[1], "time") == 0 && argc < 9)) {
    fprintf(stderr, "usage: see the comment at the top of qopt_bench.c\n");
    return 2;
  }
  long batch = strtol(argv[2], NULL, 10);
  size_t in_count = (size_t)batch * strtoull(argv[3], NULL, 10);
  size_t out_count = (size_t)batch * strtoull(argv[4], NULL, 10);
  float *input = read_floats(argv[5], in_count);
  float *output = malloc(out_count * sizeof(float));
  if (!output || model_run(batch, input, output) != 0) {
    fprintf(stderr, "qopt_bench: the model rejected batch %ld\n", batch);
    return 1;
  }
  if (strcmp(argv[1], "rss") == 0) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%ld\n", usage.ru_maxrss);
    return 0;
  }
  double budget = strtod(argv[6], NULL) * 1e3;
  long min = strtol(argv[7], NULL, 10), max = strtol(argv[8], NULL, 10);
  double *times = malloc((size_t)max * sizeof(double));
  long n = 0;
  double start = now_ms();
  while (n < max) {
    double t0 = now_ms();
    model_run(batch, input, output);
    double t1 = now_ms();
    times[n++] = t1 - t0;
    if (n >= min && t1 - start >= budget)
      break;
  }
  qsort(times, (size_t)n, sizeof(double), compare);
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  printf("%.6f %ld\n", median, n);
  if (argc > 9) {
    FILE *f = fopen(argv[9], "wb");
    if (!f || fwrite(output, sizeof(float), out_count, f) != out_count ||
        fclose(f) != 0) {
      fprintf(stderr, "qopt_bench: cannot write %s\n", argv[9]);
      return 1;
    }
  }
  return 0;
}
