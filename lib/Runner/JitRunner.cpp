//===- JitRunner.cpp - JIT compile and run a function of qnn IR -*- C++ -*-===//
//
// Calls the `_mlir_ciface_` wrapper of the lowered function with memref
// descriptors built at run time, so any number of arguments of any rank
// can be passed without generated glue.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/JitRunner.h"

#include "qopt/Codegen/KernelLibrary.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/Shapes.h"
#include "llvm/ADT/SetVector.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>
#include <cstring>

using namespace qopt;
using namespace mlir;

namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<NpyDType> toDType(Type type) {
  if (type.isF32())
    return NpyDType::F32;
  if (type.isF64())
    return NpyDType::F64;
  if (type.isInteger(8))
    return type.isUnsignedInteger() ? NpyDType::U8 : NpyDType::I8;
  if (type.isInteger(32))
    return NpyDType::I32;
  if (type.isInteger(64))
    return NpyDType::I64;
  return std::nullopt;
}

llvm::Expected<TensorSpec> toSpec(Type type, const llvm::Twine &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<NpyDType> dtype;
  if (tensor) {
    // Quantized tensors are exchanged as their storage integers.
    Type element = tensor.getElementType();
    if (auto quantized = dyn_cast<quant::QuantizedType>(element))
      element =
          quantized.getStorageTypeIntegralWidth() == 8
              ? IntegerType::get(type.getContext(), 8,
                                 quantized.isSigned() ? IntegerType::Signless
                                                      : IntegerType::Unsigned)
              : Type();
    if (element)
      dtype = toDType(element);
  }
  if (!dtype) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << type;
    return error(what + " has type " + text +
                 ", which qrun cannot exchange: it passes ranked tensors of "
                 "f32, f64, i8, ui8, i32 or i64, and 8-bit quantized tensors "
                 "as their storage integers");
  }
  return TensorSpec{*dtype, SmallVector<int64_t>(tensor.getShape())};
}

/// A memref descriptor as the C interface lays it out: allocated and
/// aligned pointers, offset, sizes, strides, all 8 bytes wide.
constexpr int64_t descriptorWords(int64_t rank) { return 3 + 2 * rank; }

} // namespace

std::string TensorSpec::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (int64_t d : shape)
    os << (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d))
       << "x";
  os << getNpyMlirName(dtype);
  return s;
}

JitFunction::~JitFunction() {
  // The buffers the model's allocator keeps for reuse go back to libc
  // before its code does.
  if (releaseBuffers)
    releaseBuffers();
}

llvm::Expected<FunctionInterface> qopt::lowerFunction(ModuleOp module,
                                                      llvm::StringRef function,
                                                      Requantization mode,
                                                      KernelISA kernels) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  func::FuncOp target;
  if (function.empty()) {
    if (funcs.size() != 1)
      return error("the module has " + llvm::Twine(funcs.size()) +
                   " functions; name one with --function");
    target = funcs.front();
  } else {
    target = module.lookupSymbol<func::FuncOp>(function);
    if (!target) {
      std::string names;
      llvm::raw_string_ostream os(names);
      llvm::interleaveComma(funcs, os,
                            [&](func::FuncOp f) { os << "@" << f.getName(); });
      return error("no function @" + function + " in the module (it has " +
                   (funcs.empty() ? std::string("none") : names) + ")");
    }
  }
  if (target.isExternal())
    return error("@" + target.getName() + " is a declaration without a body");

  FunctionInterface interface;
  interface.name = target.getName().str();
  for (auto [i, type] : llvm::enumerate(target.getArgumentTypes())) {
    auto spec =
        toSpec(type, "argument " + llvm::Twine(i) + " of @" + interface.name);
    if (!spec)
      return spec.takeError();
    interface.inputs.push_back(*spec);
  }
  for (auto [i, type] : llvm::enumerate(target.getResultTypes())) {
    auto spec =
        toSpec(type, "result " + llvm::Twine(i) + " of @" + interface.name);
    if (!spec)
      return spec.takeError();
    interface.outputs.push_back(*spec);
  }

  if (llvm::Error err = analyzeDimensions(target, interface))
    return std::move(err);

  target->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(module.getContext()));
  PassManager pm(module.getContext());
  buildQNNToLLVMPipeline(pm, mode, kernels);
  // MLIR's debugging options (--mlir-print-ir-after-all, --mlir-timing,
  // ...), when the tool registered them; without, nothing changes.
  (void)applyPassManagerCLOptions(pm);
  applyDefaultTimingPassManagerCLOptions(pm);
  if (failed(pm.run(module)))
    return error("lowering @" + interface.name + " to LLVM failed");
  return interface;
}

/// Whether code generation may use the x86 feature `name` in ordinary
/// code: the vector, arithmetic and bit manipulation extensions (SSE, AVX,
/// AVX-512, AMX, FMA, BMI, APX, ...), not system instructions (rdseed,
/// xsaves, invpcid, ...) that a virtual machine may hide.
static bool isCodegenFeature(llvm::StringRef name) {
  // Families, by prefix (sse4.2, avx512vnni, amx-int8, ...).
  static const char *const prefixes[] = {
      "sse",        "ssse3",  "avx", "fma",  "f16c",   "bmi",  "lzcnt",
      "popcnt",     "movbe",  "adx", "amx",  "gfni",   "vaes", "sha",
      "vpclmulqdq", "pclmul", "aes", "cx16", "evex512"};
  // APX's features, by their exact names: their short names ("cf", "nf")
  // would match unrelated features as prefixes.
  static const char *const names[] = {"egpr", "ndd", "ppx", "push2pop2",
                                      "ccmp", "cf",  "nf",  "zu"};
  return llvm::any_of(prefixes,
                      [&](const char *p) { return name.starts_with(p); }) ||
         llvm::is_contained(names, name);
}

/// An error unless code from `machine`, made for the named CPU `cpu`, runs
/// on the host: the host has every instruction set extension code
/// generation may use that the CPU has (isCodegenFeature).
static llvm::Error checkRunsOnHost(const llvm::TargetMachine &machine,
                                   llvm::StringRef cpu) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  llvm::SmallVector<std::string> missing;
  for (const llvm::SubtargetFeatureKV &feature :
       info->getAllProcessorFeatures()) {
    auto it = host.find(feature.Key);
    if (info->getFeatureBits().test(feature.Value) &&
        isCodegenFeature(feature.Key) && it != host.end() && !it->second)
      missing.push_back(feature.Key);
  }
  if (!missing.empty())
    return error("code for CPU '" + cpu +
                 "' cannot run on this host, which lacks " +
                 llvm::join(missing, ", ") +
                 " (qcc --mcpu compiles for it without running it)");
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<JitFunction>>
JitFunction::compile(ModuleOp module, llvm::StringRef function,
                     unsigned optLevel, Requantization mode,
                     llvm::StringRef kernels, llvm::StringRef cpu) {
  // The host's CPU and all its features (or the named CPU and its own),
  // for the IR optimizer's cost models as well as for code generation.
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> hostBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!hostBuilder)
    return hostBuilder.takeError();
  bool native = cpu.empty() || cpu == "native";
  if (!native) {
    if (llvm::Error err = checkTargetCpu(cpu, hostBuilder->getTargetTriple()))
      return std::move(err);
    hostBuilder->setCPU(cpu.str());
    hostBuilder->getFeatures() = llvm::SubtargetFeatures();
  }
  llvm::CodeGenOptLevel codeGenLevel = optLevel >= 3
                                           ? llvm::CodeGenOptLevel::Aggressive
                                           : llvm::CodeGenOptLevel::Default;
  hostBuilder->setCodeGenOptLevel(codeGenLevel);
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      hostBuilder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  if (!native)
    if (llvm::Error err = checkRunsOnHost(**machine, cpu))
      return std::move(err);
  llvm::Expected<KernelISA> isa = resolveKernelISA(kernels, **machine);
  if (!isa)
    return isa.takeError();

  llvm::Expected<FunctionInterface> interface =
      lowerFunction(module, function, mode, *isa);
  if (!interface)
    return interface.takeError();
  std::unique_ptr<JitFunction> jit(new JitFunction());
  jit->interface = std::move(*interface);

  // options.llvmModuleBuilder and options.transformer are function_refs:
  // the functions must outlive create(), which applies them.
  std::string linkError;
  std::string targetCpu = (*machine)->getTargetCPU().str();
  std::string targetFeatures = (*machine)->getTargetFeatureString().str();
  std::function<std::unique_ptr<llvm::Module>(Operation *, llvm::LLVMContext &)>
      builder =
          [&](Operation *op,
              llvm::LLVMContext &context) -> std::unique_ptr<llvm::Module> {
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(op, context);
    if (!llvmModule)
      return nullptr;
    llvmModule->setTargetTriple((*machine)->getTargetTriple());
    llvmModule->setDataLayout((*machine)->createDataLayout());
    if (llvm::Error err = linkKernelLibrary(*llvmModule, targetCpu,
                                            /*exportAllocator=*/true)) {
      linkError = llvm::toString(std::move(err));
      return nullptr;
    }
    // The ExecutionEngine generates code with a machine for the host; a
    // named CPU's name and features reach code generation through each
    // function's attributes, as clang sets them.
    if (!native)
      for (llvm::Function &f : *llvmModule) {
        if (f.isDeclaration())
          continue;
        if (!f.hasFnAttribute("target-cpu"))
          f.addFnAttr("target-cpu", targetCpu);
        if (!f.hasFnAttribute("target-features"))
          f.addFnAttr("target-features", targetFeatures);
      }
    return llvmModule;
  };
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, machine->get());
  ExecutionEngineOptions options;
  options.llvmModuleBuilder = builder;
  options.transformer = transformer;
  options.jitCodeGenOptLevel = codeGenLevel;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine) {
    std::string message = llvm::toString(engine.takeError());
    return error("JIT compilation failed: " +
                 (linkError.empty() ? message : linkError));
  }
  jit->engine = std::move(*engine);
  llvm::Expected<void (*)(void **)> entry =
      jit->engine->lookupPacked("_mlir_ciface_" + jit->interface.name);
  if (!entry)
    return entry.takeError();
  jit->entry = *entry;
  jit->freeBuffer = std::free;
  if (llvm::Expected<void *> allocatorFree =
          jit->engine->lookup("_mlir_memref_to_llvm_free"))
    jit->freeBuffer = reinterpret_cast<void (*)(void *)>(*allocatorFree);
  else
    llvm::consumeError(allocatorFree.takeError());
  if (llvm::Expected<void *> release =
          jit->engine->lookup("qopt_release_buffers"))
    jit->releaseBuffers = reinterpret_cast<void (*)()>(*release);
  else
    llvm::consumeError(release.takeError());
  return jit;
}

llvm::Expected<std::vector<NpyArray>>
JitFunction::run(llvm::ArrayRef<NpyArray> args,
                 llvm::ArrayRef<std::string> argNames) {
  std::vector<NpyArray> values;
  if (llvm::Error err = run(args, argNames, values))
    return std::move(err);
  return values;
}

int64_t JitFunction::ResultView::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool JitFunction::ResultView::isRowMajor() const {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1, stride = 1; d >= 0;
       stride *= shape[d], --d)
    if (shape[d] != 1 && strides[d] != stride)
      return false;
  return true;
}

llvm::Error JitFunction::run(llvm::ArrayRef<NpyArray> args,
                             llvm::ArrayRef<std::string> argNames,
                             std::vector<NpyArray> &values) {
  return invoke(args, argNames, [&](ArrayRef<ResultView> views) {
    values.resize(views.size());
    for (auto [view, value] : llvm::zip_equal(views, values)) {
      value.dtype = view.dtype;
      value.shape.assign(view.shape.begin(), view.shape.end());
      int64_t elementSize = getNpyElementSize(view.dtype);
      value.data.resize(value.getNumElements() * elementSize);
      // Row-major strides (the identity layouts the pipeline returns) are
      // one copy; anything else is copied element by element.
      if (view.isRowMajor()) {
        if (!value.data.empty())
          std::memcpy(value.data.data(), view.data, value.data.size());
        continue;
      }
      int64_t rank = view.shape.size();
      SmallVector<int64_t> index(rank, 0);
      for (int64_t flat = 0, n = value.getNumElements(); flat < n; ++flat) {
        int64_t offset = 0;
        for (int64_t d = 0; d < rank; ++d)
          offset += index[d] * view.strides[d];
        std::memcpy(&value.data[flat * elementSize],
                    view.data + offset * elementSize, elementSize);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < value.shape[d])
            break;
          index[d] = 0;
        }
      }
    }
    return llvm::Error::success();
  });
}

llvm::Error JitFunction::invoke(
    llvm::ArrayRef<NpyArray> args, llvm::ArrayRef<std::string> argNames,
    llvm::function_ref<llvm::Error(llvm::ArrayRef<ResultView>)> visit) {
  const std::vector<TensorSpec> &inputs = interface.inputs;
  const std::vector<TensorSpec> &outputs = interface.outputs;
  const std::string &name = interface.name;
  if (args.size() != inputs.size())
    return error("@" + name + " takes " + llvm::Twine(inputs.size()) +
                 " input" + (inputs.size() == 1 ? "" : "s") + ", " +
                 llvm::Twine(args.size()) + " given");
  auto what = [&](size_t i) {
    return "input " + std::to_string(i) +
           (i < argNames.size() ? " (" + argNames[i] + ")" : "");
  };
  SmallVector<ArrayRef<int64_t>> shapes;
  for (auto [i, arg] : llvm::enumerate(args)) {
    const TensorSpec &spec = inputs[i];
    if (arg.dtype != spec.dtype)
      return error(what(i) + " has dtype " + getNpyDescr(arg.dtype) + ", @" +
                   name + " expects " + spec.str());
    if (arg.shape.size() != spec.shape.size())
      return error(what(i) + " has shape " + arg.getShapeString() + ", @" +
                   name + " expects " + spec.str());
    std::string problem = checkShapeLimits(arg.shape);
    if (!problem.empty())
      return error(what(i) + " has shape " + arg.getShapeString() + ": " +
                   problem);
    if (static_cast<int64_t>(arg.data.size()) !=
        arg.getNumElements() * getNpyElementSize(arg.dtype))
      return error(
          what(i) + " holds " + llvm::Twine(arg.data.size()) +
          " bytes, not the " +
          llvm::Twine(arg.getNumElements() * getNpyElementSize(arg.dtype)) +
          " of its shape " + arg.getShapeString());
    shapes.push_back(arg.shape);
  }
  if (llvm::Error err = interface.checkShapes(shapes, what))
    return err;

  // Argument descriptors, pointing at the arrays' data (read only).
  int64_t words = 0;
  for (const NpyArray &arg : args)
    words += descriptorWords(arg.shape.size());
  argumentWords.assign(words, 0);
  argumentPtrs.clear();
  int64_t *desc = argumentWords.data();
  for (const NpyArray &arg : args) {
    int64_t rank = arg.shape.size();
    auto *data = const_cast<char *>(arg.data.data());
    std::memcpy(&desc[0], &data, sizeof(void *));
    std::memcpy(&desc[1], &data, sizeof(void *));
    desc[2] = 0;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      desc[3 + d] = arg.shape[d];
      desc[3 + rank + d] = stride;
      stride *= arg.shape[d];
    }
    argumentPtrs.push_back(desc);
    desc += descriptorWords(rank);
  }
  int64_t outputWords = 0;
  for (const TensorSpec &spec : outputs)
    outputWords += descriptorWords(spec.shape.size());
  resultWords.assign(std::max<int64_t>(outputWords, 1), 0);

  // The packed entry point takes a pointer to each argument of the C
  // wrapper: the result struct pointer first (when there are results), then
  // one pointer to each argument descriptor.
  void *resultPtr = resultWords.data();
  packed.clear();
  if (!outputs.empty())
    packed.push_back(&resultPtr);
  for (void *&ptr : argumentPtrs)
    packed.push_back(&ptr);
  entry(packed.data());

  views.resize(outputs.size());
  llvm::SmallSetVector<char *, 8> owned;
  int64_t at = 0;
  for (auto [spec, view] : llvm::zip_equal(outputs, views)) {
    int64_t rank = spec.shape.size();
    const int64_t *desc = &resultWords[at];
    at += descriptorWords(rank);
    char *allocated, *aligned;
    std::memcpy(&allocated, &desc[0], sizeof(void *));
    std::memcpy(&aligned, &desc[1], sizeof(void *));
    view.dtype = spec.dtype;
    view.shape.assign(desc + 3, desc + 3 + rank);
    view.strides.assign(desc + 3 + rank, desc + 3 + 2 * rank);
    view.data = aligned + desc[2] * getNpyElementSize(spec.dtype);
    // The caller owns returned buffers, each once (a value returned twice
    // is one buffer), freed after the visitor. Buffers of constants
    // (memref.get_global, allocated = 0xdeadbeef) and arguments returned
    // as they are do not belong to it.
    bool isArgument = llvm::any_of(args, [&](const NpyArray &arg) {
      return allocated == arg.data.data();
    });
    if (allocated != reinterpret_cast<char *>(0xdeadbeef) && !isArgument)
      owned.insert(allocated);
  }
  llvm::Error visited = visit(views);
  for (char *buffer : owned)
    freeBuffer(buffer);
  return visited;
}

llvm::cl::ValuesClass qopt::getRequantizationValues() {
  return llvm::cl::values(
      clEnumValN(Requantization::Float, "float",
                 "PyTorch's x86 float arithmetic, bit for bit (default)"),
      clEnumValN(Requantization::Integer, "integer",
                 "int32 multiplier and shift (docs/Numerics.md, rule I)"),
      clEnumValN(Requantization::OneDnn, "onednn",
                 "PyTorch's onednn engine, bit for bit (docs/Numerics.md, "
                 "rule O)"));
}
