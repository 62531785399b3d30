//===- KernelLibrary.cpp - qopt's kernels as linkable bitcode ---*- C++ -*-===//

#include "qopt/Codegen/KernelLibrary.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"

using namespace qopt;

namespace {

/// The bitcode of every kernel, linked into one module at build time.
const unsigned char kernelBitcode[] = {
#include "KernelBitcode.inc"
};

/// A function of the library: a kernel, or one of the allocation functions
/// a module lowered with use-generic-functions calls (Allocator.c).
bool isKernel(const llvm::Function &f) {
  return f.getName().starts_with("qopt_") ||
         f.getName().starts_with("_mlir_memref_to_llvm_");
}

} // namespace

llvm::Error qopt::linkKernelLibrary(llvm::Module &module, llvm::StringRef cpu,
                                    bool exportAllocator) {
  if (llvm::none_of(module.functions(), [](const llvm::Function &f) {
        return f.isDeclaration() && isKernel(f);
      }))
    return llvm::Error::success();
  std::unique_ptr<llvm::MemoryBuffer> buffer = llvm::MemoryBuffer::getMemBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(kernelBitcode),
                      sizeof(kernelBitcode)),
      "qopt-kernels.bc", /*RequiresNullTerminator=*/false);
  llvm::Expected<std::unique_ptr<llvm::Module>> kernels =
      llvm::parseBitcodeFile(*buffer, module.getContext());
  if (!kernels)
    return kernels.takeError();
  // The kernels were compiled for the same architecture; adopt the
  // model's triple and data layout, or give the model theirs.
  if (module.getTargetTriple().empty()) {
    module.setTargetTriple((*kernels)->getTargetTriple());
    module.setDataLayout((*kernels)->getDataLayout());
  } else {
    (*kernels)->setTargetTriple(module.getTargetTriple());
    (*kernels)->setDataLayout(module.getDataLayout());
  }
  if (!cpu.empty())
    for (llvm::Function &f : **kernels)
      if (!f.isDeclaration()) {
        f.removeFnAttr("target-cpu");
        f.removeFnAttr("tune-cpu");
        f.addFnAttr("target-cpu", cpu);
      }
  bool failed = llvm::Linker::linkModules(
      module, std::move(*kernels), llvm::Linker::Flags::LinkOnlyNeeded,
      [&](llvm::Module &linked, const llvm::StringSet<> &added) {
        llvm::internalizeModule(linked, [&](const llvm::GlobalValue &gv) {
          // Preserved: what the model defined itself, and the allocator
          // (with the function releasing its cache) when asked.
          return !gv.hasName() || !added.count(gv.getName()) ||
                 (exportAllocator &&
                  (gv.getName().starts_with("_mlir_memref_to_llvm_") ||
                   gv.getName() == "qopt_release_buffers"));
        });
      });
  if (failed)
    return llvm::createStringError("linking qopt's kernel library failed");
  for (const llvm::Function &f : module.functions())
    if (f.isDeclaration() && isKernel(f))
      return llvm::createStringError("the kernel library has no @" +
                                     f.getName());
  return llvm::Error::success();
}

llvm::Error qopt::checkTargetCpu(llvm::StringRef cpu,
                                 const llvm::Triple &triple) {
  std::string targetError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, targetError);
  if (!target)
    return llvm::createStringError("no target for " + triple.str() + ": " +
                                   targetError);
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!subtarget || !subtarget->isCPUStringValid(cpu))
    return llvm::createStringError("unknown target CPU '" + cpu + "' for " +
                                   triple.str() +
                                   " (llc-22 -mcpu=help lists the known ones)");
  return llvm::Error::success();
}

/// Asks `machine`'s CPU for one feature.
static auto hasFeatureOf(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  return [info](llvm::StringRef feature) {
    return info->checkFeatures(("+" + feature).str());
  };
}

KernelISA qopt::selectKernelISA(const llvm::TargetMachine &machine) {
  return selectKernelISA(hasFeatureOf(machine));
}

llvm::Expected<KernelISA>
qopt::resolveKernelISA(llvm::StringRef requested,
                       const llvm::TargetMachine &machine) {
  KernelISA best = selectKernelISA(machine);
  if (requested == "auto")
    return best;
  std::optional<KernelISA> isa = parseKernelISA(requested);
  if (!isa)
    return llvm::createStringError(
        "unknown kernel variant '" + requested +
        "' (expected auto, none, generic, avx2, avxvnni, avx512vnni or amx)");
  if (!canRunKernelISA(*isa, hasFeatureOf(machine)))
    return llvm::createStringError("the target CPU '" + machine.getTargetCPU() +
                                   "' cannot run the " + requested +
                                   " kernels (its fastest are the " +
                                   stringifyKernelISA(best) + " ones)");
  return *isa;
}
