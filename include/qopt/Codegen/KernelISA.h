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
/// instead of calling kernels. In order of the CPU features they need: each
/// needs those of the ones before it.
enum class KernelISA { None, Generic, AVX2, AVX512VNNI };

/// "none", "generic", "avx2", "avx512vnni".
std::optional<KernelISA> parseKernelISA(llvm::StringRef name);
llvm::StringRef stringifyKernelISA(KernelISA isa);

/// The fastest variant for a CPU, asked feature by feature ("avx2", ...):
/// AVX512-VNNI needs avx512f, avx512bw, avx512dq, avx512vl and avx512vnni;
/// AVX2 needs avx2 and fma (its float kernels use FMA3); everything else
/// gets the portable C variant.
template <typename HasFeature>
KernelISA selectKernelISA(HasFeature hasFeature) {
  if (hasFeature("avx512f") && hasFeature("avx512bw") &&
      hasFeature("avx512dq") && hasFeature("avx512vl") &&
      hasFeature("avx512vnni"))
    return KernelISA::AVX512VNNI;
  if (hasFeature("avx2") && hasFeature("fma"))
    return KernelISA::AVX2;
  return KernelISA::Generic;
}

/// The convolution kernel of a variant (not None): its C entry point, its
/// packed weight layout (runs of `kg` reduction indices, blocks of `nr`
/// channels) and the bytes per element of its packed input rows.
struct ConvKernel {
  llvm::StringRef symbol;
  int64_t kg, nr, rowElementBytes;
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
