//===- Dimensions.cpp - Which dimensions must agree at run time -----------===//
//
// A function with dynamic dimensions is compiled once and called with any
// sizes; its ops assume what their verifiers could not check, that an add's
// operands have the same shape, that a linear layer's input has as many
// features as its weight, or that a reshape's element count divides into
// its result's static dimensions. Nothing in the compiled code checks it,
// so a call that breaks it reads out of bounds. This analysis finds, before
// the call, how the ops relate the dimensions of the inputs and results to
// each other and to static sizes.
//
// Every (value, dimension) pair starts in a class of its own, and each op
// unites the pairs it relates: most ops make two dimensions equal; a
// reshape with one dynamic dimension on each side makes its result's
// dynamic dimension the input's times a ratio (?x784 to ?x16x49: 1,
// ?x4 to ?x2: 2). A union-find with a ratio on each edge records both:
// every pair is its class's value times a fraction. A class whose value is
// fixed by a static dimension makes its input dimensions static in the
// interface; for the others, a call is refused when the inputs give a
// class two values, or a value that makes some dimension fractional.
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/JitRunner.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <numeric>
#include <optional>

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace {

std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " at " << op->getLoc();
  return text;
}

/// A positive fraction num / den in lowest terms; nullopt when a product
/// leaves int64.
struct Ratio {
  int64_t num = 1, den = 1;

  static std::optional<Ratio> make(__int128 num, __int128 den) {
    __int128 a = num, b = den;
    while (b) {
      __int128 t = a % b;
      a = b;
      b = t;
    }
    num /= a;
    den /= a;
    if (num > INT64_MAX || den > INT64_MAX)
      return std::nullopt;
    return Ratio{static_cast<int64_t>(num), static_cast<int64_t>(den)};
  }
  std::optional<Ratio> operator*(Ratio other) const {
    return make(static_cast<__int128>(num) * other.num,
                static_cast<__int128>(den) * other.den);
  }
  std::optional<Ratio> operator/(Ratio other) const {
    return make(static_cast<__int128>(num) * other.den,
                static_cast<__int128>(den) * other.num);
  }
  bool isOne() const { return num == 1 && den == 1; }
};

/// Union-find over (value, dimension) pairs of ranked tensors: each pair is
/// its parent's value times its ratio, each root is its class's value. The
/// first relation that cannot hold (two sizes for one class, a fractional
/// static size, int64 overflow) is kept as the analysis's error.
class DimensionClasses {
public:
  /// The root of dimension `dim` of `value` and its ratio to the root, or
  /// -1 if the pair is not a dimension of a ranked tensor.
  std::pair<int64_t, Ratio> find(Value value, int64_t dim) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || dim < 0 || dim >= type.getRank())
      return {-1, Ratio()};
    auto [it, inserted] = ids.try_emplace({value, dim}, parent.size());
    if (inserted) {
      parent.push_back(it->second);
      ratio.push_back(Ratio());
      size.push_back(type.getDimSize(dim));
      reason.push_back(nullptr);
    }
    return root(it->second);
  }

  /// Dimension `da` of `a` is dimension `db` of `b` times `k`, by `op`.
  void unite(Value a, int64_t da, Value b, int64_t db, Operation *op,
             Ratio k = Ratio()) {
    auto [ra, ka] = find(a, da);
    auto [rb, kb] = find(b, db);
    if (ra < 0 || rb < 0)
      return;
    // value(ra) = value(a) / ka = value(b) * k / ka = value(rb) * link.
    std::optional<Ratio> link = kb * k;
    if (link)
      link = *link / ka;
    if (!link)
      return fail(op, "relates dimensions by a ratio too large to check");
    if (ra == rb) {
      if (!link->isOne())
        fail(op, "relates dimensions that no sizes can satisfy");
      return;
    }
    parent[ra] = rb;
    ratio[ra] = *link;
    if (!reason[rb])
      reason[rb] = reason[ra] ? reason[ra] : op;
    if (!ShapedType::isDynamic(size[ra]))
      fix(rb, Ratio{size[ra], 1} / *link, op);
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

  /// Dimension `d` of `v` is `value` (a fraction when the op allows no
  /// whole size), by `op`.
  void fix(Value v, int64_t d, std::optional<Ratio> value, Operation *op) {
    auto [r, k] = find(v, d);
    if (r < 0)
      return;
    if (!reason[r])
      reason[r] = op;
    if (value)
      value = *value / k;
    fix(r, value, op);
  }

  int64_t getSize(int64_t root) const { return size[root]; }
  Operation *getReason(int64_t root) const { return reason[root]; }
  int64_t getNumPairs() const { return parent.size(); }
  std::pair<int64_t, Ratio> rootOf(int64_t x) { return root(x); }

  void fail(Operation *op, const llvm::Twine &message) {
    if (error.empty())
      error = (op ? describe(op) : std::string("an op")) + " " + message.str();
  }

  /// `op` relates dimension `d` of `v` to others by a ratio other than 1.
  void noteRatio(Operation *op, Value v, int64_t d) {
    ratioOps.push_back({op, {v, d}});
  }
  llvm::ArrayRef<std::pair<Operation *, std::pair<Value, int64_t>>>
  getRatioOps() const {
    return ratioOps;
  }
  const std::string &getError() const { return error; }

private:
  /// The class `r` (a root) has value `value`.
  void fix(int64_t r, std::optional<Ratio> value, Operation *op) {
    if (!value || value->den != 1)
      return fail(op, "gives a dimension a size that is not a whole number");
    if (ShapedType::isDynamic(size[r]))
      size[r] = value->num;
    else if (size[r] != value->num)
      fail(op, "needs a dimension to be both " + llvm::Twine(size[r]) +
                   " and " + llvm::Twine(value->num));
  }

  std::pair<int64_t, Ratio> root(int64_t x) {
    if (parent[x] == x)
      return {x, Ratio()};
    auto [r, k] = root(parent[x]);
    // Path compression: x points at the root directly.
    if (std::optional<Ratio> direct = ratio[x] * k) {
      parent[x] = r;
      ratio[x] = *direct;
      return {r, *direct};
    }
    fail(reason[r] ? reason[r] : nullptr, "overflows");
    return {r, k};
  }

  llvm::DenseMap<std::pair<Value, int64_t>, int64_t> ids;
  std::vector<int64_t> parent, size;
  std::vector<Ratio> ratio;
  std::vector<Operation *> reason;
  std::vector<std::pair<Operation *, std::pair<Value, int64_t>>> ratioOps;
  std::string error;
};

/// The static product and the dynamic dimensions of `type`.
std::pair<int64_t, llvm::SmallVector<int64_t>>
splitShape(RankedTensorType type) {
  int64_t product = 1;
  llvm::SmallVector<int64_t> dynamic;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    if (ShapedType::isDynamic(size))
      dynamic.push_back(d);
    else
      product *= size; // at most 2^32 elements (the ShapeLimits trait)
  }
  return {product, dynamic};
}

/// qnn.reshape: the element counts are equal.
void visitReshape(ReshapeOp reshape, DimensionClasses &classes) {
  Operation *op = reshape;
  auto [inCount, inDynamic] = splitShape(reshape.getInput().getType());
  auto [outCount, outDynamic] = splitShape(reshape.getResult().getType());
  if (inDynamic.empty() && outDynamic.empty())
    return; // the verifier compared the counts
  if (outDynamic.size() > 1)
    return; // the lowering refuses it
  if (inDynamic.size() > 1)
    return classes.fail(op, "reshapes several dynamic dimensions, whose "
                            "product cannot be checked before a call; give "
                            "all but one of them a static size");
  Value in = reshape.getInput(), out = reshape.getResult();
  if (inDynamic.empty()) // result dimension = inCount / outCount
    return classes.fix(out, outDynamic[0], Ratio::make(inCount, outCount), op);
  if (outDynamic.empty()) // input dimension = outCount / inCount
    return classes.fix(in, inDynamic[0], Ratio::make(outCount, inCount), op);
  // result dimension * outCount = input dimension * inCount.
  std::optional<Ratio> k = Ratio::make(inCount, outCount);
  classes.unite(out, outDynamic[0], in, inDynamic[0], op, *k);
  if (!k->isOne())
    classes.noteRatio(op, out, outDynamic[0]);
}

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
  if (auto mul = dyn_cast<MulOp>(op)) {
    // An operand dimension of static size 1 is broadcast; any other is the
    // result's.
    for (Value operand : {mul.getLhs(), mul.getRhs()}) {
      auto type = cast<RankedTensorType>(operand.getType());
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.getDimSize(d) != 1)
          classes.unite(operand, d, mul.getResult(), d, op);
    }
    return;
  }
  if (isa<HardswishOp, HardsigmoidOp>(op)) {
    classes.uniteAll(op->getOperand(0), op->getResult(0), op);
    return;
  }
  if (auto cat = dyn_cast<CatOp>(op)) {
    int64_t rank = rankOf(cat.getResult());
    for (Value input : cat.getInputs())
      for (int64_t d = 0; d < rank; ++d)
        if (d != static_cast<int64_t>(cat.getDim()))
          classes.unite(input, d, cat.getResult(), d, op);
    return;
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    for (int64_t d = 0; d < rankOf(slice.getInput()); ++d)
      if (d != static_cast<int64_t>(slice.getDim()))
        classes.unite(slice.getInput(), d, slice.getResult(), d, op);
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
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return visitReshape(reshape, classes);
  // An observer returns its input (the observer it shares has its own).
  if (auto observe = dyn_cast<ObserveOp>(op))
    return classes.uniteAll(observe.getInput(), observe.getResult(), op);
  // Elementwise ops and casts: every operand and result has one shape.
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultType>()) {
    if (op->getNumResults() == 0)
      return;
    for (Value operand : op->getOperands())
      classes.uniteAll(operand, op->getResult(0), op);
  }
}

} // namespace

llvm::Error qopt::analyzeDimensions(func::FuncOp function,
                                    FunctionInterface &interface) {
  DimensionClasses classes;
  function.walk([&](Operation *op) { visit(op, classes); });
  if (!classes.getError().empty())
    return llvm::createStringError("@" + interface.name + ": " +
                                   classes.getError());
  interface.inputDims.clear();
  interface.outputDims.clear();
  interface.classes.clear();

  // Interface classes, numbered in order of first use.
  llvm::DenseMap<int64_t, int64_t> numbering;
  auto record = [&](Value value, TensorSpec &spec,
                    llvm::SmallVector<FunctionInterface::DimRef> &dims) {
    for (int64_t d = 0; d < static_cast<int64_t>(spec.shape.size()); ++d) {
      FunctionInterface::DimRef &ref = dims.emplace_back();
      if (!ShapedType::isDynamic(spec.shape[d]))
        continue;
      auto [root, k] = classes.find(value, d);
      if (root < 0)
        continue;
      if (!ShapedType::isDynamic(classes.getSize(root))) {
        // A whole number: fix() and the check below refused fractions.
        spec.shape[d] = classes.getSize(root) * k.num / k.den;
        continue;
      }
      auto [it, inserted] =
          numbering.try_emplace(root, interface.classes.size());
      if (inserted) {
        Operation *reason = classes.getReason(root);
        interface.classes.push_back({reason ? describe(reason) : "", 1, {}});
      }
      ref = {it->second, k.num, k.den};
    }
  };
  for (auto [i, arg] : llvm::enumerate(function.getArguments()))
    record(arg, interface.inputs[i], interface.inputDims.emplace_back());
  Operation *terminator = function.getBody().back().getTerminator();
  for (auto [i, result] : llvm::enumerate(terminator->getOperands()))
    if (i < interface.outputs.size())
      record(result, interface.outputs[i], interface.outputDims.emplace_back());

  // What each class's value must be a multiple of: every pair of the class,
  // at value * num / den, is whole only if den divides the value. A class
  // of static size must already be whole everywhere.
  for (int64_t x = 0; x < classes.getNumPairs(); ++x) {
    auto [root, k] = classes.rootOf(x);
    if (k.den == 1)
      continue;
    if (!ShapedType::isDynamic(classes.getSize(root))) {
      if (classes.getSize(root) % k.den != 0)
        return llvm::createStringError(
            "@" + interface.name + ": " + describe(classes.getReason(root)) +
            " gives a dimension a size that is not a whole number");
      continue;
    }
    auto it = numbering.find(root);
    if (it == numbering.end())
      continue; // no input or result in the class
    FunctionInterface::DimClass &cls = interface.classes[it->second];
    cls.multiple = std::lcm(cls.multiple, k.den);
  }
  for (auto [op, pair] : classes.getRatioOps()) {
    auto it = numbering.find(classes.find(pair.first, pair.second).first);
    if (it != numbering.end() &&
        interface.classes[it->second].ratioReason.empty())
      interface.classes[it->second].ratioReason = describe(op);
  }
  return llvm::Error::success();
}

llvm::Error FunctionInterface::checkShapes(
    llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes,
    llvm::function_ref<std::string(size_t)> what) const {
  // Each class's value, from the first input dimension seen in it.
  struct Seen {
    int64_t value = -1, input = -1, dim = -1;
  };
  std::vector<Seen> seen(classes.size());
  auto dimension = [&](size_t i, int64_t d) {
    return what(i) + " dimension " + std::to_string(d);
  };
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
      DimRef ref = i < inputDims.size() && d < inputDims[i].size()
                       ? inputDims[i][d]
                       : DimRef();
      if (ref.cls < 0)
        continue;
      const DimClass &cls = classes[ref.cls];
      // size = value * num / den, where the value is a multiple of
      // cls.multiple (which den divides): size is a multiple of step.
      __int128 step = static_cast<__int128>(cls.multiple / ref.den) * ref.num;
      if (size % step != 0)
        return llvm::createStringError(
            dimension(i, d) + " is " + std::to_string(size) + ", but @" + name +
            " needs a multiple of " +
            std::to_string(static_cast<int64_t>(step)) + " there (" +
            (cls.ratioReason.empty() ? cls.reason : cls.ratioReason) +
            " relates it to other dimensions by a ratio)");
      int64_t value =
          static_cast<int64_t>(static_cast<__int128>(size) * ref.den / ref.num);
      Seen &first = seen[ref.cls];
      if (first.input < 0) {
        first = {value, static_cast<int64_t>(i), static_cast<int64_t>(d)};
        continue;
      }
      if (first.value == value)
        continue;
      int64_t other = shapes[first.input][first.dim];
      const DimRef &firstRef = inputDims[first.input][first.dim];
      std::string needs = ref == firstRef
                              ? "; @" + name + " needs them equal"
                              : "; @" + name + " needs " + dimension(i, d) +
                                    " to be " +
                                    std::to_string(static_cast<int64_t>(
                                        static_cast<__int128>(first.value) *
                                        ref.num / ref.den)) +
                                    " then";
      return llvm::createStringError(
          dimension(i, d) + " is " + std::to_string(size) + " but " +
          dimension(first.input, first.dim) + " is " + std::to_string(other) +
          needs + " (they meet in " + cls.reason + ")");
    }
  }
  return llvm::Error::success();
}
