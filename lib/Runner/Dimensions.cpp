//===- Dimensions.cpp - Which input dimensions must agree at run time -----===//
//
// A function with dynamic dimensions is compiled once and called with any
// sizes; its ops assume what their verifiers could not check, that an add's
// operands have the same shape or that a linear layer's input has as many
// features as its weight. Nothing in the compiled code checks it, so a call
// that breaks it reads out of bounds. This analysis finds, before the call,
// which input dimensions each op ties to each other or to a static size:
// every (value, dimension) pair starts in a class of its own, and each op
// unites the pairs its semantics makes equal. Input dimensions whose class
// holds a static size become static in the interface; the others keep a
// class number, and a call whose sizes differ within a class is refused.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/JitRunner.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

/// Union-find over (value, dimension) pairs of ranked tensors.
class DimensionClasses {
public:
  /// The class of dimension `dim` of `value`, or -1 if it has none.
  int64_t find(Value value, int64_t dim) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || dim < 0 || dim >= type.getRank())
      return -1;
    auto [it, inserted] = ids.try_emplace({value, dim}, parent.size());
    if (inserted) {
      parent.push_back(it->second);
      size.push_back(type.getDimSize(dim));
      reason.push_back(nullptr);
    }
    return root(it->second);
  }

  /// Dimension `da` of `a` and `db` of `b` are equal, by `op`.
  void unite(Value a, int64_t da, Value b, int64_t db, Operation *op) {
    int64_t ra = find(a, da), rb = find(b, db);
    if (ra < 0 || rb < 0 || ra == rb)
      return;
    parent[ra] = rb;
    if (ShapedType::isDynamic(size[rb]))
      size[rb] = size[ra];
    if (!reason[rb])
      reason[rb] = reason[ra] ? reason[ra] : op;
  }

  /// All dimensions of `a` and `b` position by position (equal ranks).
  void uniteAll(Value a, Value b, Operation *op) {
    auto ta = dyn_cast<RankedTensorType>(a.getType());
    auto tb = dyn_cast<RankedTensorType>(b.getType());
    if (!ta || !tb || ta.getRank() != tb.getRank())
      return;
    for (int64_t d = 0; d < ta.getRank(); ++d)
      unite(a, d, b, d, op);
  }

  int64_t getSize(int64_t cls) const { return size[cls]; }
  Operation *getReason(int64_t cls) const { return reason[cls]; }

private:
  int64_t root(int64_t x) {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  }

  llvm::DenseMap<std::pair<Value, int64_t>, int64_t> ids;
  std::vector<int64_t> parent, size;
  std::vector<Operation *> reason;
};

/// Unites what `op` makes equal.
void visit(Operation *op, DimensionClasses &classes) {
  auto rankOf = [](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type ? type.getRank() : int64_t(-1);
  };
  if (auto conv = dyn_cast<ConvOp>(op)) {
    classes.unite(conv.getInput(), 0, conv.getResult(), 0, op);
    classes.unite(conv.getWeight(), 0, conv.getResult(), 1, op);
    if (conv.getGroups() == 1)
      classes.unite(conv.getInput(), 1, conv.getWeight(), 1, op);
    if (conv.getBias())
      classes.unite(conv.getBias(), 0, conv.getWeight(), 0, op);
    return;
  }
  if (auto linear = dyn_cast<LinearOp>(op)) {
    int64_t rank = rankOf(linear.getInput());
    for (int64_t d = 0; d + 1 < rank; ++d)
      classes.unite(linear.getInput(), d, linear.getResult(), d, op);
    classes.unite(linear.getInput(), rank - 1, linear.getWeight(), 1, op);
    classes.unite(linear.getWeight(), 0, linear.getResult(), rank - 1, op);
    if (linear.getBias())
      classes.unite(linear.getBias(), 0, linear.getWeight(), 0, op);
    return;
  }
  if (isa<MaxPoolOp, AvgPoolOp, AdaptiveAvgPoolOp>(op)) {
    for (int64_t d = 0; d < 2; ++d)
      classes.unite(op->getOperand(0), d, op->getResult(0), d, op);
    return;
  }
  if (auto add = dyn_cast<AddOp>(op)) {
    classes.uniteAll(add.getLhs(), add.getResult(), op);
    classes.uniteAll(add.getRhs(), add.getResult(), op);
    return;
  }
  if (auto batchNorm = dyn_cast<BatchNormOp>(op)) {
    classes.uniteAll(batchNorm.getInput(), batchNorm.getResult(), op);
    for (Value parameter : op->getOperands().drop_front())
      classes.unite(parameter, 0, batchNorm.getInput(), 1, op);
    return;
  }
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    for (auto [i, from] : llvm::enumerate(transpose.getPermutation()))
      classes.unite(transpose.getInput(), from, transpose.getResult(), i, op);
    return;
  }
  if (auto flatten = dyn_cast<FlattenOp>(op)) {
    int64_t start = flatten.getStartIndex(), end = flatten.getEndIndex();
    for (int64_t d = 0; d < start; ++d)
      classes.unite(flatten.getInput(), d, flatten.getResult(), d, op);
    for (int64_t d = end + 1; d < rankOf(flatten.getInput()); ++d)
      classes.unite(flatten.getInput(), d, flatten.getResult(),
                    d - (end - start), op);
    return;
  }
  // Elementwise ops and casts: every operand and result has one shape.
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      isa<ObserveOp>(op)) {
    if (op->getNumResults() == 0)
      return;
    for (Value operand : op->getOperands())
      classes.uniteAll(operand, op->getResult(0), op);
    return;
  }
  // qnn.reshape ties element counts, not dimensions: not modeled.
}

std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " at " << op->getLoc();
  return text;
}

} // namespace

void qopt::analyzeDimensions(func::FuncOp function,
                             FunctionInterface &interface) {
  DimensionClasses classes;
  function.walk([&](Operation *op) { visit(op, classes); });
  interface.dimClasses.clear();
  interface.classReasons.clear();
  llvm::DenseMap<int64_t, int64_t> numbering;
  for (auto [i, arg] : llvm::enumerate(function.getArguments())) {
    TensorSpec &spec = interface.inputs[i];
    llvm::SmallVector<int64_t> &dims = interface.dimClasses.emplace_back();
    for (int64_t d = 0; d < static_cast<int64_t>(spec.shape.size()); ++d) {
      dims.push_back(-1);
      if (!ShapedType::isDynamic(spec.shape[d]))
        continue;
      int64_t cls = classes.find(arg, d);
      if (cls < 0)
        continue;
      if (!ShapedType::isDynamic(classes.getSize(cls))) {
        spec.shape[d] = classes.getSize(cls);
        continue;
      }
      auto [it, inserted] =
          numbering.try_emplace(cls, interface.classReasons.size());
      if (inserted) {
        Operation *reason = classes.getReason(cls);
        interface.classReasons.push_back(reason ? describe(reason) : "");
      }
      dims.back() = it->second;
    }
  }
}

llvm::Error FunctionInterface::checkShapes(
    llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes,
    llvm::function_ref<std::string(size_t)> what) const {
  // The first input dimension seen in each class: (input, dimension).
  std::vector<std::pair<int64_t, int64_t>> first(classReasons.size(), {-1, -1});
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    const TensorSpec &spec = inputs[i];
    for (auto [d, size] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(spec.shape[d]) && spec.shape[d] != size) {
        std::string text;
        llvm::raw_string_ostream os(text);
        llvm::interleave(shape, os, "x");
        return llvm::createStringError(what(i) + " has shape " + text + ", @" +
                                       name + " expects " + spec.str());
      }
      int64_t cls = i < dimClasses.size() && d < dimClasses[i].size()
                        ? dimClasses[i][d]
                        : -1;
      if (cls < 0)
        continue;
      auto [j, e] = first[cls];
      if (j < 0) {
        first[cls] = {static_cast<int64_t>(i), static_cast<int64_t>(d)};
        continue;
      }
      if (shapes[j][e] != size)
        return llvm::createStringError(
            what(i) + " dimension " + std::to_string(d) + " is " +
            std::to_string(size) + " but " + what(j) + " dimension " +
            std::to_string(e) + " is " + std::to_string(shapes[j][e]) + "; @" +
            name + " needs them equal (they meet in " + classReasons[cls] +
            ")");
    }
  }
  return llvm::Error::success();
}
