//===- KernelISA.cpp - Variants of qopt's int8 kernels ----------*- C++ -*-===//

#include "qopt/Codegen/KernelISA.h"
#include "qopt/Codegen/KernelABI.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

using namespace qopt;

std::optional<KernelISA> qopt::parseKernelISA(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<KernelISA>>(name)
      .Case("none", KernelISA::None)
      .Case("generic", KernelISA::Generic)
      .Case("avx2", KernelISA::AVX2)
      .Case("avxvnni", KernelISA::AVXVNNI)
      .Case("avx512vnni", KernelISA::AVX512VNNI)
      .Case("amx", KernelISA::AMX)
      .Default(std::nullopt);
}

llvm::StringRef qopt::stringifyKernelISA(KernelISA isa) {
  switch (isa) {
  case KernelISA::None:
    return "none";
  case KernelISA::Generic:
    return "generic";
  case KernelISA::AVX2:
    return "avx2";
  case KernelISA::AVXVNNI:
    return "avxvnni";
  case KernelISA::AVX512VNNI:
    return "avx512vnni";
  case KernelISA::AMX:
    return "amx";
  }
  llvm_unreachable("unknown kernel ISA");
}

ConvKernel qopt::getConvKernel(KernelISA isa) {
  switch (isa) {
  case KernelISA::Generic:
    return {"qopt_qconv_generic", QOPT_GENERIC_KG, QOPT_GENERIC_NR, 2};
  case KernelISA::AVX2:
    return {"qopt_qconv_avx2", QOPT_AVX2_KG, QOPT_AVX2_NR, 1};
  case KernelISA::AVXVNNI:
    return {"qopt_qconv_avxvnni", QOPT_AVXVNNI_KG, QOPT_AVXVNNI_NR, 1};
  case KernelISA::AVX512VNNI:
    return {"qopt_qconv_avx512vnni", QOPT_AVX512VNNI_KG, QOPT_AVX512VNNI_NR, 1};
  case KernelISA::AMX:
    return {"qopt_qconv_amx", QOPT_AMX_KG, QOPT_AMX_NR, 1, QOPT_AMX_MT};
  case KernelISA::None:
    break;
  }
  llvm_unreachable("no convolution kernel without a kernel ISA");
}

llvm::StringRef qopt::getDepthwiseKernel(KernelISA isa) {
  switch (isa) {
  case KernelISA::Generic:
    return "qopt_qdwconv_generic";
  case KernelISA::AVX2:
  case KernelISA::AVXVNNI: // AVX2's
    return "qopt_qdwconv_avx2";
  case KernelISA::AVX512VNNI:
  case KernelISA::AMX: // AVX-512's
    return "qopt_qdwconv_avx512";
  case KernelISA::None:
    break;
  }
  llvm_unreachable("no depthwise kernel without a kernel ISA");
}

PoolKernels qopt::getPoolKernels(KernelISA isa) {
  switch (isa) {
  case KernelISA::Generic:
    return {"qopt_qmaxpool_generic", "qopt_qglobalavgpool_generic"};
  case KernelISA::AVX2:
  case KernelISA::AVXVNNI: // AVX2's
    return {"qopt_qmaxpool_avx2", "qopt_qglobalavgpool_avx2"};
  case KernelISA::AVX512VNNI:
  case KernelISA::AMX: // AVX-512's
    return {"qopt_qmaxpool_avx512", "qopt_qglobalavgpool_avx512"};
  case KernelISA::None:
    break;
  }
  llvm_unreachable("no pooling kernels without a kernel ISA");
}

FloatKernels qopt::getFloatKernels(KernelISA isa) {
  switch (isa) {
  case KernelISA::Generic:
    return {"qopt_fconv_generic", "qopt_flinear_generic"};
  case KernelISA::AVX2:
  case KernelISA::AVXVNNI: // AVX2's
    return {"qopt_fconv_avx2", "qopt_flinear_avx2"};
  case KernelISA::AVX512VNNI:
  case KernelISA::AMX: // AVX-512's
    return {"qopt_fconv_avx512", "qopt_flinear_avx512"};
  case KernelISA::None:
    break;
  }
  llvm_unreachable("no float kernels without a kernel ISA");
}
