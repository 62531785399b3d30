//===- Compiler.cpp - Compile a qnn model to native code --------*- C++ -*-===//
//
// The C interface is built in LLVM IR after translation: a static
// description of the function's inputs and outputs (qopt_model_info), a
// wrapper that unpacks an array of descriptor pointers into a call of
// MLIR's `_mlir_ciface_` function, and the exported entry points, which
// hand both to qopt_model_run (lib/Codegen/Kernels/ModelEntry.c, linked in
// with the kernels). Every other symbol of the model is then made internal,
// so models link side by side.
//
//===----------------------------------------------------------------------===//

#include "qopt/Compiler/Compiler.h"

#include "qopt/Codegen/KernelLibrary.h"
#include "qopt/Support/Files.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/IPO/Internalize.h"

#include <numeric>

using namespace qopt;
using llvm::Error;
using llvm::StringRef;
using llvm::Twine;

namespace {

/// include/qopt/Compiler/ModelABI.h, embedded at build time.
const unsigned char modelABIHeader[] = {
#include "ModelABIHeader.inc"
};

Error error(const Twine &message) { return llvm::createStringError(message); }

/// The enum qopt_dtype value of `dtype`.
int32_t getABIDType(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return 1;
  case NpyDType::F64:
    return 2;
  case NpyDType::I8:
    return 3;
  case NpyDType::U8:
    return 4;
  case NpyDType::I32:
    return 5;
  case NpyDType::I64:
    return 6;
  }
  llvm_unreachable("unknown dtype");
}

/// Only the batch (dimension 0) may be dynamic in the C interface, and it
/// is one number for every input and result.
Error checkInterface(const FunctionInterface &fn) {
  auto check = [&](const TensorSpec &spec, const Twine &what) -> Error {
    for (size_t d = 1; d < spec.shape.size(); ++d)
      if (mlir::ShapedType::isDynamic(spec.shape[d]))
        return error(what + " of @" + fn.name + " (" + spec.str() +
                     ") has a dynamic dimension other than the batch "
                     "(dimension 0), which the C interface cannot size");
    return Error::success();
  };
  for (auto [i, spec] : llvm::enumerate(fn.inputs))
    if (Error err = check(spec, "input " + Twine(i)))
      return err;
  for (auto [i, spec] : llvm::enumerate(fn.outputs))
    if (Error err = check(spec, "result " + Twine(i)))
      return err;

  // Every dynamic dimension 0 is the batch, so the ops must make them equal
  // (or leave inputs unrelated) and keep every size in between whole for
  // any batch: a reshape from ?x4 to ?x2 doubles it, one from ?x2 to ?x4
  // needs an even batch.
  using DimRef = FunctionInterface::DimRef;
  std::vector<DimRef> batchOf(fn.classes.size());
  auto batch = [&](const TensorSpec &spec, llvm::ArrayRef<DimRef> dims,
                   const Twine &what, bool input) -> Error {
    if (spec.shape.empty() || !mlir::ShapedType::isDynamic(spec.shape[0]))
      return Error::success();
    DimRef ref = dims.empty() ? DimRef() : dims[0];
    std::string prefix =
        (what + " of @" + fn.name + " (" + spec.str() + ")").str();
    DimRef *seen = ref.cls < 0 ? nullptr : &batchOf[ref.cls];
    if (!input && (!seen || seen->cls < 0))
      return error(prefix + " has a batch that its inputs do not determine");
    if (!seen)
      return Error::success();
    const FunctionInterface::DimClass &cls = fn.classes[ref.cls];
    std::string why = cls.ratioReason.empty() ? cls.reason : cls.ratioReason;
    if (seen->cls < 0) {
      // The class's value is batch * den / num: whole, and a multiple of
      // cls.multiple (which den divides), for every batch?
      if (ref.num != 1 || ref.den % cls.multiple != 0)
        return error(prefix + " needs a batch that is a multiple of " +
                     Twine(cls.multiple / ref.den * ref.num) + " (" + why +
                     "), while the C interface takes any batch");
      *seen = ref;
      return Error::success();
    }
    if (seen->num == ref.num && seen->den == ref.den)
      return Error::success();
    // This dimension is batch * (num / den) / (seen.num / seen.den).
    int64_t num = ref.num * seen->den, den = ref.den * seen->num;
    int64_t common = std::gcd(num, den);
    num /= common;
    den /= common;
    std::string times = std::to_string(num);
    if (den != 1)
      times += "/" + std::to_string(den);
    return error(prefix + ": its dimension 0 is " + times +
                 " times the batch (" + why +
                 "), while the C interface gives every dimension 0 the batch");
  };
  for (auto [i, spec] : llvm::enumerate(fn.inputs))
    if (Error err = batch(spec,
                          i < fn.inputDims.size() ? fn.inputDims[i]
                                                  : llvm::ArrayRef<DimRef>(),
                          "input " + Twine(i), /*input=*/true))
      return err;
  for (auto [i, spec] : llvm::enumerate(fn.outputs))
    if (Error err = batch(spec,
                          i < fn.outputDims.size() ? fn.outputDims[i]
                                                   : llvm::ArrayRef<DimRef>(),
                          "result " + Twine(i), /*input=*/false))
      return err;
  return Error::success();
}

/// The exported entry points' names.
struct EntryNames {
  std::string run, runArrays, info;
  explicit EntryNames(StringRef prefix)
      : run((prefix + "_run").str()), runArrays((prefix + "_run_arrays").str()),
        info((prefix + "_info").str()) {}
};

/// Adds the exported C interface of `fn` to `module` (see the file comment).
Error addCInterface(llvm::Module &module, const FunctionInterface &fn,
                    StringRef prefix) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Function *ciface = module.getFunction("_mlir_ciface_" + fn.name);
  size_t numArgs = fn.inputs.size() + (fn.outputs.empty() ? 0 : 1);
  if (!ciface || ciface->arg_size() != numArgs)
    return error("the lowered module has no C wrapper of @" + fn.name +
                 " with the expected arguments");
  EntryNames names(prefix);
  // The model's own symbols are about to become internal: one that has an
  // entry point's name gives it up.
  for (StringRef name : {names.run, names.runArrays, names.info})
    if (llvm::GlobalValue *existing = module.getNamedValue(name))
      existing->setName(name + ".model");

  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(context);
  auto *tensorType = llvm::StructType::get(context, {i32, i32, ptr});
  auto *modelType =
      llvm::StructType::get(context, {i32, i32, i32, ptr, ptr, ptr});
  auto constant = [&](llvm::Constant *init, const Twine &name) {
    auto *global = new llvm::GlobalVariable(
        module, init->getType(), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, init, prefix + "." + name);
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return global;
  };
  auto table = [&](llvm::ArrayRef<TensorSpec> specs,
                   StringRef what) -> llvm::Constant * {
    if (specs.empty())
      return llvm::ConstantPointerNull::get(ptr);
    std::vector<llvm::Constant *> entries;
    for (auto [i, spec] : llvm::enumerate(specs)) {
      llvm::Constant *shape = llvm::ConstantPointerNull::get(ptr);
      if (!spec.shape.empty()) {
        std::vector<uint64_t> dims;
        for (int64_t d : spec.shape)
          dims.push_back(mlir::ShapedType::isDynamic(d)
                             ? static_cast<uint64_t>(-1)
                             : static_cast<uint64_t>(d));
        shape = constant(llvm::ConstantDataArray::get(context, dims),
                         what + Twine(i) + ".shape");
      }
      entries.push_back(llvm::ConstantStruct::get(
          tensorType, {llvm::ConstantInt::get(i32, getABIDType(spec.dtype)),
                       llvm::ConstantInt::get(i32, spec.shape.size()), shape}));
    }
    return constant(
        llvm::ConstantArray::get(
            llvm::ArrayType::get(tensorType, entries.size()), entries),
        what + "s");
  };
  llvm::Constant *inputs = table(fn.inputs, "input");
  llvm::Constant *outputs = table(fn.outputs, "output");
  llvm::Constant *function =
      constant(llvm::ConstantDataArray::getString(context, fn.name), "name");
  llvm::GlobalVariable *info =
      constant(llvm::ConstantStruct::get(
                   modelType, {llvm::ConstantInt::get(i32, 1),
                               llvm::ConstantInt::get(i32, fn.inputs.size()),
                               llvm::ConstantInt::get(i32, fn.outputs.size()),
                               inputs, outputs, function}),
               "info");

  llvm::IRBuilder<> b(context);
  auto define = [&](llvm::Type *result, llvm::ArrayRef<llvm::Type *> params,
                    llvm::GlobalValue::LinkageTypes linkage,
                    const Twine &name) {
    llvm::Function *f = llvm::Function::Create(
        llvm::FunctionType::get(result, params, /*isVarArg=*/false), linkage,
        name, module);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", f));
    return f;
  };

  // PREFIX_info: the static description.
  define(ptr, {}, llvm::GlobalValue::ExternalLinkage, names.info);
  b.CreateRet(info);

  // The wrapper: void call(void **args) { ciface(args[0], args[1], ...); }
  llvm::Function *call =
      define(b.getVoidTy(), {ptr}, llvm::GlobalValue::InternalLinkage,
             prefix + ".call");
  std::vector<llvm::Value *> callArgs;
  for (size_t i = 0; i < numArgs; ++i)
    callArgs.push_back(b.CreateLoad(
        ptr, b.CreateConstInBoundsGEP1_64(ptr, call->getArg(0), i)));
  b.CreateCall(ciface, callArgs);
  b.CreateRetVoid();

  // PREFIX_run_arrays(batch, inputs, outputs).
  llvm::FunctionCallee runtime = module.getOrInsertFunction(
      "qopt_model_run",
      llvm::FunctionType::get(i32, {ptr, ptr, i64, ptr, ptr}, false));
  llvm::Function *runArrays =
      define(i32, {i64, ptr, ptr}, llvm::GlobalValue::ExternalLinkage,
             names.runArrays);
  b.CreateRet(
      b.CreateCall(runtime, {info, call, runArrays->getArg(0),
                             runArrays->getArg(1), runArrays->getArg(2)}));

  // PREFIX_run(batch, input0, ..., output0, ...): the arrays on the stack.
  std::vector<llvm::Type *> params(1 + fn.inputs.size() + fn.outputs.size(),
                                   ptr);
  params[0] = i64;
  llvm::Function *run =
      define(i32, params, llvm::GlobalValue::ExternalLinkage, names.run);
  auto array = [&](size_t first, size_t count) -> llvm::Value * {
    if (count == 0)
      return llvm::ConstantPointerNull::get(ptr);
    llvm::Value *slots = b.CreateAlloca(ptr, b.getInt64(count));
    for (size_t i = 0; i < count; ++i)
      b.CreateStore(run->getArg(first + i),
                    b.CreateConstInBoundsGEP1_64(ptr, slots, i));
    return slots;
  };
  llvm::Value *inputArray = array(1, fn.inputs.size());
  llvm::Value *outputArray = array(1 + fn.inputs.size(), fn.outputs.size());
  b.CreateRet(
      b.CreateCall(runArrays, {run->getArg(0), inputArray, outputArray}));
  return Error::success();
}

} // namespace

std::optional<OutputKind> qopt::parseOutputKind(StringRef name) {
  return llvm::StringSwitch<std::optional<OutputKind>>(name)
      .Case("mlir", OutputKind::MLIR)
      .Case("llvm", OutputKind::LLVMIR)
      .Case("asm", OutputKind::Assembly)
      .Case("obj", OutputKind::Object)
      .Case("shared", OutputKind::SharedLibrary)
      .Default(std::nullopt);
}

std::string qopt::makeSymbolPrefix(StringRef path) {
  StringRef name = llvm::sys::path::filename(path);
  name = name.substr(0, name.find('.'));
  std::string prefix;
  for (char c : name)
    prefix += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (prefix.empty() || llvm::isDigit(prefix[0]) || prefix[0] == '_' ||
      StringRef(prefix).starts_with("qopt"))
    prefix = "model_" + prefix;
  return prefix;
}

Error qopt::checkSymbolPrefix(StringRef prefix) {
  if (prefix.empty() || llvm::isDigit(prefix[0]) ||
      !llvm::all_of(prefix,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return error("symbol prefix '" + prefix +
                 "' is not a C identifier (letters, digits and '_', not "
                 "starting with a digit)");
  if (prefix.starts_with("_") || prefix.starts_with("qopt"))
    return error("symbol prefix '" + prefix +
                 "' is reserved: names starting with '_' or 'qopt' belong "
                 "to qopt's runtime and to C");
  return Error::success();
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
qopt::createTargetMachine(StringRef cpu, unsigned optLevel) {
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string targetError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(llvm::Triple(triple), targetError);
  if (!target)
    return error("no target for " + triple + ": " + targetError);
  bool native = cpu == "native";
  std::string name = native ? llvm::sys::getHostCPUName().str() : cpu.str();
  // A user who named a CPU wants that one or an error.
  if (Error err = checkTargetCpu(name, llvm::Triple(triple)))
    return err;
  std::string features;
  if (native)
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  // Destructors (the allocator's, which returns its kept buffers) go in
  // .fini_array, which the dynamic loader runs at dlclose and exit, as
  // clang places them; the default, .dtors, is never run.
  llvm::TargetOptions targetOptions;
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      llvm::Triple(triple), name, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt,
      optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : optLevel == 0 ? llvm::CodeGenOptLevel::None
                      : llvm::CodeGenOptLevel::Default));
  if (!machine)
    return error("cannot create a target machine for CPU '" + name + "'");
  return machine;
}

Compilation::~Compilation() = default;

llvm::Expected<std::unique_ptr<Compilation>>
Compilation::create(const CompileOptions &options) {
  if (options.optLevel > 3)
    return error("optimization level " + Twine(options.optLevel) +
                 " is not one of 0, 1, 2 and 3");
  if (!options.symbolPrefix.empty())
    if (Error err = checkSymbolPrefix(options.symbolPrefix))
      return err;
  std::unique_ptr<Compilation> compilation(new Compilation());
  compilation->options = options;
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(options.targetCpu, options.optLevel);
  if (!machine)
    return machine.takeError();
  compilation->machine = std::move(*machine);
  llvm::Expected<KernelISA> isa =
      resolveKernelISA(options.kernels, *compilation->machine);
  if (!isa)
    return isa.takeError();
  compilation->kernels = *isa;
  return compilation;
}

Error Compilation::lower(mlir::ModuleOp module) {
  llvm::Expected<FunctionInterface> fn =
      lowerFunction(module, options.function, options.requantization, kernels);
  if (!fn)
    return fn.takeError();
  if (Error err = checkInterface(*fn))
    return err;
  interface = std::move(*fn);
  this->module = module;
  prefix = options.symbolPrefix.empty() ? makeSymbolPrefix(interface.name)
                                        : options.symbolPrefix;
  return Error::success();
}

Error Compilation::translate() {
  if (!module)
    return error("translate() before lower()");
  llvmContext = std::make_unique<llvm::LLVMContext>();
  llvmModule = mlir::translateModuleToLLVMIR(module, *llvmContext,
                                             "qopt-" + interface.name);
  if (!llvmModule)
    return error("translating @" + interface.name + " to LLVM IR failed");
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (Error err = addCInterface(*llvmModule, interface, prefix))
    return err;
  if (Error err = linkKernelLibrary(*llvmModule, machine->getTargetCPU()))
    return err;
  EntryNames names(prefix);
  llvm::StringSet<> exported{names.run, names.runArrays, names.info};
  llvm::internalizeModule(*llvmModule, [&](const llvm::GlobalValue &gv) {
    return gv.hasName() && exported.contains(gv.getName());
  });
  if (Error err = mlir::makeOptimizingTransformer(
          options.optLevel, /*sizeLevel=*/0, machine.get())(llvmModule.get()))
    return error("optimizing @" + interface.name +
                 " failed: " + llvm::toString(std::move(err)));
  return Error::success();
}

Error Compilation::compile(mlir::ModuleOp module) {
  if (Error err = lower(module))
    return err;
  return translate();
}

Error Compilation::emit(OutputKind kind, llvm::raw_pwrite_stream &os) {
  if (kind == OutputKind::MLIR) {
    if (!module)
      return error("nothing to emit: the model is not lowered yet");
    module.print(os);
    return Error::success();
  }
  if (kind == OutputKind::SharedLibrary)
    return error("a shared library is written with writeFile");
  if (!llvmModule)
    return error("nothing to emit: the model is not translated yet");
  if (kind == OutputKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return Error::success();
  }
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr,
                                   kind == OutputKind::Assembly
                                       ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile))
    return error("the target cannot emit this kind of file");
  pm.run(*llvmModule);
  return Error::success();
}

Error Compilation::writeFile(OutputKind kind, StringRef path) {
  auto writeTo = [&](StringRef file, OutputKind what) -> Error {
    std::error_code ec;
    llvm::raw_fd_ostream out(file, ec,
                             what == OutputKind::Object
                                 ? llvm::sys::fs::OF_None
                                 : llvm::sys::fs::OF_Text);
    if (ec)
      return error("cannot create " + path + ": " + ec.message());
    if (Error err = emit(what, out))
      return err;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      return error("cannot write " + path);
    }
    return Error::success();
  };
  if (kind != OutputKind::SharedLibrary)
    return writeThroughTemporary(
        path, [&](StringRef temp) { return writeTo(temp, kind); });

  // A shared library: the object file, linked by the system's C compiler.
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("clang-22");
  if (!cc)
    cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return error("a shared library needs a C compiler (clang-22 or cc) on "
                 "PATH");
  llvm::SmallString<128> object;
  llvm::sys::fs::createUniquePath(path + ".o.tmp-%%%%%%", object, false);
  if (Error err = writeTo(object, OutputKind::Object)) {
    llvm::sys::fs::remove(object);
    return err;
  }
  Error result = writeThroughTemporary(path, [&](StringRef library) -> Error {
    // lld lays the library out more compactly than GNU ld's separate-code
    // default (a 37 KB model: 53 KB instead of 61), with the same separate
    // read-only, executable and RELRO segments.
    llvm::SmallVector<StringRef> args{*cc, "-shared"};
    if (llvm::sys::findProgramByName("ld.lld"))
      args.push_back("-fuse-ld=lld");
    args.append({"-o", library, object});
    std::string linkError;
    int status = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0,
                                           &linkError);
    if (status != 0)
      return error("linking the shared library " + path + " failed" +
                   (linkError.empty() ? "" : ": " + linkError));
    return Error::success();
  });
  llvm::sys::fs::remove(object);
  return result;
}

std::string Compilation::getCHeader(StringRef source) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  EntryNames names(prefix);
  auto signature = [&](llvm::raw_ostream &os) {
    os << "int " << names.run << "(int64_t batch";
    for (auto [i, spec] : llvm::enumerate(interface.inputs))
      os << ", const " << getNpyCType(spec.dtype) << " *input" << i;
    for (auto [i, spec] : llvm::enumerate(interface.outputs))
      os << ", " << getNpyCType(spec.dtype) << " *output" << i;
    os << ")";
  };
  auto describe = [&](const TensorSpec &spec) {
    std::string s = getNpyCType(spec.dtype).str() + " [";
    for (auto [d, size] : llvm::enumerate(spec.shape))
      s += (d ? ", " : "") + (mlir::ShapedType::isDynamic(size)
                                  ? std::string("batch")
                                  : std::to_string(size));
    return s + "]";
  };
  os << "/* Generated by qcc from " << llvm::sys::path::filename(source)
     << ": @" << interface.name << ". Do not edit.\n *\n * ";
  signature(os);
  os << ";\n";
  for (auto [i, spec] : llvm::enumerate(interface.inputs))
    os << " *   input" << i << ":  " << describe(spec) << "\n";
  for (auto [i, spec] : llvm::enumerate(interface.outputs))
    os << " *   output" << i << ": " << describe(spec) << "\n";
  os << " *\n * Returns QOPT_OK (0); QOPT_ERROR_BATCH when `batch` does not "
        "fit the model;\n * QOPT_ERROR_ARGUMENT for a null buffer. "
     << names.runArrays << " takes the buffers as\n * arrays in the same "
     << "order; " << names.info
     << " describes the inputs and outputs.\n * Link with the object file "
        "or shared library qcc wrote alongside this header.\n */\n\n";
  os << StringRef(reinterpret_cast<const char *>(modelABIHeader),
                  sizeof(modelABIHeader));
  std::string guard = "QOPT_MODEL_" + StringRef(prefix).upper() + "_H";
  os << "\n#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  signature(os);
  os << ";\nint " << names.runArrays
     << "(int64_t batch, const void *const *inputs,\n    void *const "
        "*outputs);\nconst qopt_model_info *"
     << names.info << "(void);\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* "
     << guard << " */\n";
  return text;
}
