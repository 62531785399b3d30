// RUN: not qopt %s --qnn-to-kernels=isa=sse 2>&1 | FileCheck %s --check-prefix=ISA
// RUN: not qopt %s --qnn-to-kernels=isa=none 2>&1 | FileCheck %s --check-prefix=ISA
// RUN: not qopt %s --qnn-to-kernels=requantization=fixed 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not qopt %s --qnn-to-llvm=kernels=sse 2>&1 | FileCheck %s --check-prefix=ISA

// ISA: error: qnn-to-kernels: unknown kernel variant '{{sse|none}}' (expected generic, avx2, avxvnni, avx512vnni or amx)
// MODE: error: qnn-to-kernels: unknown requantization 'fixed' (expected float, onednn or integer)
func.func @f() {
  return
}
