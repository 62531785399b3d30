//===- KernelLibrary.h - qopt's kernels as linkable bitcode -----*- C++ -*-===//
//
// The kernels of lib/Codegen/Kernels are compiled to LLVM bitcode when qopt
// is built and embedded in the library. A compiled model links the ones it
// calls, so its object file needs nothing beyond libc.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_KERNELLIBRARY_H
#define QOPT_CODEGEN_KERNELLIBRARY_H

#include "qopt/Codegen/KernelISA.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace llvm {
class Module;
class TargetMachine;
class Triple;
} // namespace llvm

namespace qopt {

/// Links into `module` the definitions of the kernels it declares, as
/// internal functions, and compiles them for CPU `cpu` (their feature
/// requirements kept). A module without kernel calls is left as it is.
/// `exportAllocator` keeps the buffer allocator's entry points
/// (`_mlir_memref_to_llvm_alloc` / `_free`) and `qopt_release_buffers`
/// visible, for a JIT that frees the buffers a call returns through them
/// and empties the allocator's cache before it unloads the model.
llvm::Error linkKernelLibrary(llvm::Module &module, llvm::StringRef cpu,
                              bool exportAllocator = false);

/// An error naming `cpu` unless LLVM knows it as a CPU of `triple` (LLVM
/// itself only warns and compiles for a generic CPU).
llvm::Error checkTargetCpu(llvm::StringRef cpu, const llvm::Triple &triple);

/// The fastest kernel variant `machine`'s CPU and features allow.
KernelISA selectKernelISA(const llvm::TargetMachine &machine);

/// The variant a tool's --kernels option names for `machine`: "auto" picks
/// the fastest; a variant the CPU cannot run is an error.
llvm::Expected<KernelISA> resolveKernelISA(llvm::StringRef requested,
                                           const llvm::TargetMachine &machine);

} // namespace qopt

#endif // QOPT_CODEGEN_KERNELLIBRARY_H
