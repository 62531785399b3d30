/* The AVX2 int8 multiply-accumulate peak of this core, which run.sh quotes
 * single layers' GMAC/s against.
 *
 *   cc -O2 -mavx2 benchmarks/peak.c -o peak && ./peak
 *
 * The inner loop is register-only: per accumulator one vpmaddubsw (u8 x s8,
 * adjacent pairs summed to int16), one vpmaddwd (int16 x 1, pairs summed to
 * int32) and one vpaddd, on 256-bit registers: 32 multiply-accumulates per
 * triple. Eight independent accumulators (ymm8-ymm15) hide the
 * instructions' latency; two u8 operands (ymm0, ymm1), three s8 operands
 * (ymm2-ymm4) and the int16 ones (ymm5) stay in registers. The loop is
 * written in inline assembly so that the compiler can neither hoist the
 * loop-invariant products nor spill registers. Prints the best of five
 * timed runs, in GMAC/s: "avx2 G".
 *
 * On a CPU with AVX512-VNNI it also prints "avx512vnni G": the same kind of
 * loop of 512-bit vpdpbusd (u8 x s8 in groups of four, added to int32: 64
 * multiply-accumulates per instruction) on twelve accumulators; int8
 * kernels that use VNNI can pass the AVX2 figure. Elsewhere it prints
 * "avx512vnni -". Likewise "avxvnni G" (or "avxvnni -"): AVX-VNNI's VEX
 * vpdpbusd on 256-bit registers, 32 multiply-accumulates an instruction,
 * the peak of qopt's AVX-VNNI kernels. And "amx G" (or "amx -"): AMX-INT8's
 * tdpbusd on four independent 16 x 16 int32 accumulator tiles (tmm0-3)
 * from two u8 tiles and two s8 tiles that stay loaded (16 x 16 x 64
 * multiply-accumulates an instruction), after asking Linux for the tile
 * state; "amx -" also where Linux refuses it.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int sink;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One triple: product of u8 register A and s8 register W into accumulator
 * ACC, through temporary T. */
#define TRIPLE(A, W, T, ACC)                                                   \
  "vpmaddubsw %%ymm" #W ", %%ymm" #A ", %%ymm" #T "\n\t"                       \
  "vpmaddwd %%ymm5, %%ymm" #T ", %%ymm" #T "\n\t"                              \
  "vpaddd %%ymm" #T ", %%ymm" #ACC ", %%ymm" #ACC "\n\t"

/* Runs `iterations` x 8 triples on operands[0..5] (u8, u8, s8, s8, s8,
 * int16 ones); stores the eight accumulators to sums[0..7]. */
static void run(long iterations, const __m256i *operands, __m256i *sums) {
  // clang-format off
  __asm__ volatile(
      "vmovdqu 0(%[op]), %%ymm0\n\t"
      "vmovdqu 32(%[op]), %%ymm1\n\t"
      "vmovdqu 64(%[op]), %%ymm2\n\t"
      "vmovdqu 96(%[op]), %%ymm3\n\t"
      "vmovdqu 128(%[op]), %%ymm4\n\t"
      "vmovdqu 160(%[op]), %%ymm5\n\t"
      "vpxor %%ymm8, %%ymm8, %%ymm8\n\t"
      "vpxor %%ymm9, %%ymm9, %%ymm9\n\t"
      "vpxor %%ymm10, %%ymm10, %%ymm10\n\t"
      "vpxor %%ymm11, %%ymm11, %%ymm11\n\t"
      "vpxor %%ymm12, %%ymm12, %%ymm12\n\t"
      "vpxor %%ymm13, %%ymm13, %%ymm13\n\t"
      "vpxor %%ymm14, %%ymm14, %%ymm14\n\t"
      "vpxor %%ymm15, %%ymm15, %%ymm15\n\t"
      "1:\n\t"
      TRIPLE(0, 2, 6, 8)
      TRIPLE(0, 3, 7, 9)
      TRIPLE(0, 4, 6, 10)
      TRIPLE(1, 2, 7, 11)
      TRIPLE(1, 3, 6, 12)
      TRIPLE(1, 4, 7, 13)
      TRIPLE(0, 3, 6, 14)
      TRIPLE(1, 2, 7, 15)
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vmovdqu %%ymm8, 0(%[sums])\n\t"
      "vmovdqu %%ymm9, 32(%[sums])\n\t"
      "vmovdqu %%ymm10, 64(%[sums])\n\t"
      "vmovdqu %%ymm11, 96(%[sums])\n\t"
      "vmovdqu %%ymm12, 128(%[sums])\n\t"
      "vmovdqu %%ymm13, 160(%[sums])\n\t"
      "vmovdqu %%ymm14, 192(%[sums])\n\t"
      "vmovdqu %%ymm15, 224(%[sums])\n\t"
      "vzeroupper\n\t"
      : [n] "+r"(iterations)
      : [op] "r"(operands), [sums] "r"(sums)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
        "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
        "xmm15");
  // clang-format on
}

#define DPBUSD(R, A, W, ACC) "vpdpbusd %%" R #W ", %%" R #A ", %%" R #ACC "\n\t"
#define DPBUSD12(PREFIX, R)                                                    \
  PREFIX DPBUSD(R, 0, 2, 4) PREFIX DPBUSD(R, 0, 3, 5)                          \
  PREFIX DPBUSD(R, 1, 2, 6) PREFIX DPBUSD(R, 1, 3, 7)                          \
  PREFIX DPBUSD(R, 0, 2, 8) PREFIX DPBUSD(R, 0, 3, 9)                          \
  PREFIX DPBUSD(R, 1, 2, 10) PREFIX DPBUSD(R, 1, 3, 11)                        \
  PREFIX DPBUSD(R, 0, 2, 12) PREFIX DPBUSD(R, 0, 3, 13)                        \
  PREFIX DPBUSD(R, 1, 2, 14) PREFIX DPBUSD(R, 1, 3, 15)

/* Runs `iterations` x 12 vpdpbusd on operands (u8, u8, s8, s8 as 512-bit
 * vectors); stores the first accumulator to sums. */
static void run_vnni(long iterations, const int8_t *operands, int8_t *sums) {
  // clang-format off
  __asm__ volatile(
      "vmovdqu64 0(%[op]), %%zmm0\n\t"
      "vmovdqu64 64(%[op]), %%zmm1\n\t"
      "vmovdqu64 128(%[op]), %%zmm2\n\t"
      "vmovdqu64 192(%[op]), %%zmm3\n\t"
      "vpxorq %%zmm4, %%zmm4, %%zmm4\n\t"
      "vmovdqa64 %%zmm4, %%zmm5\n\t"
      "vmovdqa64 %%zmm4, %%zmm6\n\t"
      "vmovdqa64 %%zmm4, %%zmm7\n\t"
      "vmovdqa64 %%zmm4, %%zmm8\n\t"
      "vmovdqa64 %%zmm4, %%zmm9\n\t"
      "vmovdqa64 %%zmm4, %%zmm10\n\t"
      "vmovdqa64 %%zmm4, %%zmm11\n\t"
      "vmovdqa64 %%zmm4, %%zmm12\n\t"
      "vmovdqa64 %%zmm4, %%zmm13\n\t"
      "vmovdqa64 %%zmm4, %%zmm14\n\t"
      "vmovdqa64 %%zmm4, %%zmm15\n\t"
      "1:\n\t"
      DPBUSD12("", "zmm")
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vpaddd %%zmm5, %%zmm4, %%zmm4\n\t"
      "vmovdqu64 %%zmm4, 0(%[sums])\n\t"
      "vzeroupper\n\t"
      : [n] "+r"(iterations)
      : [op] "r"(operands), [sums] "r"(sums)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
        "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
        "xmm15");
  // clang-format on
}

/* The same loop with AVX-VNNI's VEX vpdpbusd on 256-bit registers: the
 * operands are the first 32 bytes of each of run_vnni's. */
static void run_avxvnni(long iterations, const int8_t *operands,
                        int8_t *sums) {
  // clang-format off
  __asm__ volatile(
      "vmovdqu 0(%[op]), %%ymm0\n\t"
      "vmovdqu 64(%[op]), %%ymm1\n\t"
      "vmovdqu 128(%[op]), %%ymm2\n\t"
      "vmovdqu 192(%[op]), %%ymm3\n\t"
      "vpxor %%ymm4, %%ymm4, %%ymm4\n\t"
      "vmovdqa %%ymm4, %%ymm5\n\t"
      "vmovdqa %%ymm4, %%ymm6\n\t"
      "vmovdqa %%ymm4, %%ymm7\n\t"
      "vmovdqa %%ymm4, %%ymm8\n\t"
      "vmovdqa %%ymm4, %%ymm9\n\t"
      "vmovdqa %%ymm4, %%ymm10\n\t"
      "vmovdqa %%ymm4, %%ymm11\n\t"
      "vmovdqa %%ymm4, %%ymm12\n\t"
      "vmovdqa %%ymm4, %%ymm13\n\t"
      "vmovdqa %%ymm4, %%ymm14\n\t"
      "vmovdqa %%ymm4, %%ymm15\n\t"
      "1:\n\t"
      DPBUSD12("%{vex%} ", "ymm")
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vpaddd %%ymm5, %%ymm4, %%ymm4\n\t"
      "vmovdqu %%ymm4, 0(%[sums])\n\t"
      "vzeroupper\n\t"
      : [n] "+r"(iterations)
      : [op] "r"(operands), [sums] "r"(sums)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
        "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
        "xmm15");
  // clang-format on
}

/* Prints "NAME G", the best of five runs of `loop` (`macs`
 * multiply-accumulates an iteration), or "NAME -" on a CPU that does not
 * support it. */
static void print_vnni_peak(const char *name, int supported,
                            void (*loop)(long, const int8_t *, int8_t *),
                            int macs, long iterations) {
  if (!supported) {
    printf("%s -\n", name);
    return;
  }
  int8_t operands[256], sums[64];
  for (int i = 0; i < 256; ++i)
    operands[i] = (int8_t)(i % 7 - 3);
  double best = 0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    double t0 = now_s();
    loop(iterations, operands, sums);
    double seconds = now_s() - t0;
    double gmacs = (double)iterations * macs / seconds / 1e9;
    if (gmacs > best)
      best = gmacs;
  }
  printf("%s %.2f\n", name, best);
  sink = sums[0];
}

/* AMX's loop: four tdpbusd an iteration on tiles loaded once. */
__attribute__((target("amx-tile,amx-int8"))) static void
run_amx(long iterations, const int8_t *operands, int8_t *sums) {
  struct {
    uint8_t palette, start, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
  } config;
  memset(&config, 0, sizeof config);
  config.palette = 1;
  for (int i = 0; i < 8; ++i) {
    config.colsb[i] = 64;
    config.rows[i] = 16;
  }
  static int8_t tile[16 * 64];
  static int32_t out[16 * 16];
  for (int i = 0; i < 16 * 64; ++i)
    tile[i] = operands[i % 256];
  _tile_loadconfig(&config);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_loadd(4, tile, 64);
  _tile_loadd(5, tile, 64);
  _tile_loadd(6, tile, 64);
  _tile_loadd(7, tile, 64);
  for (long i = 0; i < iterations; ++i) {
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    _tile_dpbusd(2, 5, 6);
    _tile_dpbusd(3, 5, 7);
  }
  _tile_stored(0, out, 64);
  _tile_release();
  memcpy(sums, out, 64);
}

/* Whether this CPU has AMX-INT8 and Linux grants this process the tile
 * state (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA). */
static int amx_usable(void) {
  return __builtin_cpu_supports("amx-int8") &&
         syscall(SYS_arch_prctl, 0x1023, 18) == 0;
}

int main(void) {
  __m256i operands[6], sums[8];
  operands[0] = _mm256_set1_epi8(3);
  operands[1] = _mm256_set1_epi8(100);
  operands[2] = _mm256_set1_epi8(-7);
  operands[3] = _mm256_set1_epi8(5);
  operands[4] = _mm256_set1_epi8(1);
  operands[5] = _mm256_set1_epi16(1);
  const long iterations = 10 * 1000 * 1000;
  double best = 0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    double t0 = now_s();
    run(iterations, operands, sums);
    double seconds = now_s() - t0;
    double gmacs = (double)iterations * 8 * 32 / seconds / 1e9;
    if (gmacs > best)
      best = gmacs;
  }
  printf("avx2 %.2f\n", best);
  sink = _mm256_extract_epi32(sums[0], 0); /* keeps the sums alive */

  __builtin_cpu_init();
  /* 12 vpdpbusd an iteration; 4 tdpbusd. */
  print_vnni_peak("avx512vnni", __builtin_cpu_supports("avx512vnni"), run_vnni,
                  12 * 64, iterations);
  print_vnni_peak("avxvnni", __builtin_cpu_supports("avxvnni"), run_avxvnni,
                  12 * 32, iterations);
  print_vnni_peak("amx", amx_usable(), run_amx, 4 * 16 * 16 * 64,
                  iterations / 100);
  return 0;
}
