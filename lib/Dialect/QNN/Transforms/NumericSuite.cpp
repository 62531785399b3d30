//===- NumericSuite.cpp - Passes behind tools/qnumeric ----------*- C++ -*-===//
//
// qnn-expose-layers makes a function return every layer's activations and
// weights; qnn-extract-layer keeps one layer as a function of float inputs.
// Together they let the numeric suite compare a float model and its
// quantized form layer by layer.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <optional>

namespace qopt::qnn {
#define GEN_PASS_DEF_QNNEXPOSELAYERS
#define GEN_PASS_DEF_QNNEXTRACTLAYER
#include "qopt/Dialect/QNN/Transforms/Passes.h.inc"
} // namespace qopt::qnn

using namespace mlir;
using namespace qopt::qnn;

namespace {

/// The operations whose result has its own observed scale.
bool isLayer(Operation *op) {
  return isa<ConvOp, LinearOp, AddOp, MulOp, HardswishOp>(op);
}

/// The layer's data inputs (not weights or bias).
SmallVector<Value> layerInputs(Operation *op) {
  if (auto add = dyn_cast<AddOp>(op))
    return {add.getLhs(), add.getRhs()};
  if (auto mul = dyn_cast<MulOp>(op))
    return {mul.getLhs(), mul.getRhs()};
  return {op->getOperand(0)};
}

Value layerWeight(Operation *op) {
  if (auto conv = dyn_cast<ConvOp>(op))
    return conv.getWeight();
  if (auto linear = dyn_cast<LinearOp>(op))
    return linear.getWeight();
  return Value();
}

/// A readable name: the first name in the op's location, else the line of
/// its first source position (a fused location, from qnn-fuse or
/// qnn-fold-batchnorm, holds several), else the location as printed.
std::string layerName(Operation *op) {
  std::string name;
  std::optional<unsigned> line;
  op->getLoc()->walk([&](Location loc) {
    if (auto named = dyn_cast<NameLoc>(loc)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    if (auto file = dyn_cast<FileLineColLoc>(loc); file && !line)
      line = file.getLine();
    return WalkResult::advance();
  });
  if (!name.empty())
    return name;
  std::string text;
  llvm::raw_string_ostream os(text);
  if (line)
    os << "line " << *line;
  else
    os << op->getLoc();
  return text;
}

StringRef layerKind(Operation *op) {
  return TypeSwitch<Operation *, StringRef>(op)
      .Case([](ConvOp) { return "conv"; })
      .Case([](LinearOp) { return "linear"; })
      .Case([](AddOp) { return "add"; })
      .Case([](MulOp) { return "mul"; })
      .Default([](Operation *) { return "hardswish"; });
}

/// `v` as float: itself, or its dequantization.
Value asFloat(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!isQuantized(type))
    return v;
  return DequantizeOp::create(
      b, loc, RankedTensorType::get(type.getShape(), b.getF32Type()), v);
}

struct ExposeLayersPass
    : qopt::qnn::impl::QNNExposeLayersBase<ExposeLayersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock()) {
      func.emitError() << "qnn-expose-layers needs a function body of one "
                          "block";
      return signalPassFailure();
    }
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Attribute> names;
    OpBuilder b(ret);
    func.walk([&](Operation *op) {
      if (!isLayer(op))
        return;
      Location loc = op->getLoc();
      results.push_back(asFloat(b, loc, op->getResult(0)));
      for (Value in : layerInputs(op))
        results.push_back(asFloat(b, loc, in));
      if (Value w = layerWeight(op))
        results.push_back(asFloat(b, loc, w));
      names.push_back(
          b.getStringAttr((layerKind(op) + ":" + layerName(op)).str()));
    });
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    func->setAttr("qnn.layers", b.getArrayAttr(names));
  }
};

struct ExtractLayerPass
    : qopt::qnn::impl::QNNExtractLayerBase<ExtractLayerPass> {
  using QNNExtractLayerBase::QNNExtractLayerBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    if (funcs.size() != 1) {
      module.emitError() << "qnn-extract-layer needs a module with one "
                            "function, got "
                         << funcs.size();
      return signalPassFailure();
    }
    SmallVector<Operation *> layers;
    funcs[0].walk([&](Operation *op) {
      if (isLayer(op))
        layers.push_back(op);
    });
    if (index >= layers.size()) {
      module.emitError() << "layer index " << static_cast<unsigned>(index)
                         << " is out of range: "
                         << "the function has " << layers.size()
                         << " conv / linear / add / mul / hardswish layers";
      return signalPassFailure();
    }
    Operation *layer = layers[index];

    // The producers of the weights and bias (constants and casts).
    llvm::SetVector<Operation *> producers;
    SmallVector<Value> worklist;
    SmallVector<Value> inputs = layerInputs(layer);
    for (Value operand : layer->getOperands())
      if (!llvm::is_contained(inputs, operand))
        worklist.push_back(operand);
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def) {
        layer->emitError() << "a weight or bias of this layer is a function "
                              "argument; it must be a constant";
        return signalPassFailure();
      }
      if (producers.insert(def))
        llvm::append_range(worklist, def->getOperands());
    }

    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    Location loc = layer->getLoc();
    SmallVector<Type> argTypes;
    for (Value in : inputs) {
      auto type = cast<RankedTensorType>(in.getType());
      argTypes.push_back(
          RankedTensorType::get(type.getShape(), b.getF32Type()));
    }
    Type resultType = RankedTensorType::get(
        cast<RankedTensorType>(layer->getResult(0).getType()).getShape(),
        b.getF32Type());
    auto fn = func::FuncOp::create(b, loc, "layer",
                                   b.getFunctionType(argTypes, {resultType}));
    Block *body = fn.addEntryBlock();
    b.setInsertionPointToStart(body);
    IRMapping mapping;
    for (auto [in, arg] : llvm::zip(inputs, body->getArguments())) {
      Value v = arg;
      if (isQuantized(in.getType()))
        v = QuantizeOp::create(b, loc, in.getType(), arg);
      mapping.map(in, v);
    }
    // Producers in their original order (topological within the block).
    SmallVector<Operation *> ordered(producers.begin(), producers.end());
    llvm::sort(ordered, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
    for (Operation *op : ordered)
      b.clone(*op, mapping);
    Operation *copy = b.clone(*layer, mapping);
    func::ReturnOp::create(b, loc, asFloat(b, loc, copy->getResult(0)));
    for (func::FuncOp old : funcs)
      old.erase();
  }
};

} // namespace
