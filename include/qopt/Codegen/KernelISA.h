//===- KernelISA.h - Variants of qopt's int8 kernels ------------*- C++ -*-===//
//
// Which kernel variant code generation uses, and the packed weight layout
// and entry point of each (include/qopt/Codegen/KernelABI.h).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_KERNELISA_H
#define QOPT_CODEGEN_KERNELISA_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace qopt {

/// A variant of the kernel library. `None` lowers through linalg loops
/// instead of calling kernels. AVX-VNNI is AVX2 with the VEX vpdpbusd: its
/// own convolution kernel, AVX2's other kernels. AMX is AVX512-VNNI with
/// AMX-INT8 tiles: its own convolution kernel (which falls back on
/// AVX512-VNNI's), AVX-512's other kernels.
enum class KernelISA { None, Generic, AVX2, AVXVNNI, AVX512VNNI, AMX };

/// "none", "generic", "avx2", "avxvnni", "avx512vnni", "amx".
std::optional<KernelISA> parseKernelISA(llvm::StringRef name);
llvm::StringRef stringifyKernelISA(KernelISA isa);

/// Whether a CPU runs a variant, asked feature by feature ("avx2", ...):
/// AVX2 needs avx2 and fma (its float kernels use FMA3); AVX-VNNI those and
/// avxvnni; AVX512-VNNI avx512f, avx512bw, avx512dq, avx512vl and
/// avx512vnni (and AVX2's, as every CPU with those has); AMX AVX512-VNNI's,
/// amx-tile and amx-int8. The portable C variant and None run
/// anywhere.
template <typename HasFeature>
bool canRunKernelISA(KernelISA isa, HasFeature hasFeature) {
  bool avx2 = hasFeature("avx2") && hasFeature("fma");
  bool avx512 = avx2 && hasFeature("avx512f") && hasFeature("avx512bw") &&
                hasFeature("avx512dq") && hasFeature("avx512vl") &&
                hasFeature("avx512vnni");
  switch (isa) {
  case KernelISA::None:
  case KernelISA::Generic:
    return true;
  case KernelISA::AVX2:
    return avx2;
  case KernelISA::AVXVNNI:
    return avx2 && hasFeature("avxvnni");
  case KernelISA::AVX512VNNI:
    return avx512;
  case KernelISA::AMX:
    return avx512 && hasFeature("amx-tile") && hasFeature("amx-int8");
  }
  return false;
}

/// The fastest variant a CPU runs: AMX, else AVX512-VNNI, else AVX-VNNI,
/// else AVX2, else the portable C variant (a CPU with both VNNI forms takes
/// the 512-bit one).
template <typename HasFeature>
KernelISA selectKernelISA(HasFeature hasFeature) {
  for (KernelISA isa : {KernelISA::AMX, KernelISA::AVX512VNNI,
                        KernelISA::AVXVNNI, KernelISA::AVX2})
    if (canRunKernelISA(isa, hasFeature))
      return isa;
  return KernelISA::Generic;
}

/// The convolution kernel of a variant (not None): its C entry point, its
/// packed weight layout (runs of `kg` reduction indices, blocks of `nr`
/// channels), the bytes per element of its packed input rows and the
/// multiple of rows it packs at a time (MC).
struct ConvKernel {
  llvm::StringRef symbol;
  int64_t kg, nr, rowElementBytes, rowMultiple = 8;
};
ConvKernel getConvKernel(KernelISA isa);

/// The entry point of a variant's depthwise convolution kernel.
llvm::StringRef getDepthwiseKernel(KernelISA isa);

/// The entry points of a variant's float (rule F) kernels.
struct FloatKernels {
  llvm::StringRef conv, linear;
};
FloatKernels getFloatKernels(KernelISA isa);

/// The entry points of a variant's pooling kernels.
struct PoolKernels {
  llvm::StringRef maxPool, globalAvgPool;
};
PoolKernels getPoolKernels(KernelISA isa);

} // namespace qopt

#endif // QOPT_CODEGEN_KERNELISA_H
