//===- QNNOps.cpp - qnn operation verifiers ---------------------*- C++ -*-===//
//
// Verifiers of the qnn operations. Each rule names the operand it rejects
// and the rule it breaks, so a user can fix the IR without reading this file.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Support/QuantParams.h"
#include "qopt/Support/Shapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qopt::qnn;

using quant::QuantizedType;
using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;

bool qopt::qnn::isQuantized(Type type) {
  return isa<UniformQuantizedType, UniformQuantizedPerAxisType>(
      getElementTypeOrSelf(type));
}

LogicalResult qopt::qnn::verifyShapeLimits(Operation *op) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return success();
    std::string problem = qopt::checkShapeLimits(tensor.getShape());
    if (problem.empty())
      return success();
    return op->emitOpError()
           << what << " #" << index << " (" << type << "): " << problem;
  };
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

namespace {

/// A value together with the name diagnostics use for it.
struct Named {
  Value value;
  StringRef name;

  RankedTensorType getType() const {
    return cast<RankedTensorType>(value.getType());
  }
};

bool bothStatic(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b);
}

/// Checks the quantized element type of `v`, if it has one: f32 expressed
/// type, 8-bit storage, float32-representable scales, zero points inside the
/// storage range, and a per-axis dimension that exists and has one scale per
/// index.
LogicalResult verifyElementType(Operation *op, Named v) {
  RankedTensorType type = v.getType();
  auto qtype = dyn_cast<QuantizedType>(type.getElementType());
  if (!qtype)
    return success();
  if (!qtype.getExpressedType().isF32())
    return op->emitOpError()
           << v.name << " must be expressed in f32, got " << qtype;
  if (qtype.getStorageTypeIntegralWidth() != 8)
    return op->emitOpError()
           << v.name << " must have 8-bit storage (i8 or u8), got " << qtype;

  auto checkParams = [&](double scale, int64_t zeroPoint) -> LogicalResult {
    if (!qopt::isValidScale(scale))
      return op->emitOpError()
             << v.name << " scale " << scale
             << " is not a positive, finite, normal float32 value";
    if (zeroPoint < qtype.getStorageTypeMin() ||
        zeroPoint > qtype.getStorageTypeMax())
      return op->emitOpError()
             << v.name << " zero point " << zeroPoint
             << " is outside the storage range [" << qtype.getStorageTypeMin()
             << ", " << qtype.getStorageTypeMax() << "]";
    return success();
  };

  if (auto uniform = dyn_cast<UniformQuantizedType>(qtype))
    return checkParams(uniform.getScale(), uniform.getZeroPoint());

  auto perAxis = cast<UniformQuantizedPerAxisType>(qtype);
  for (auto [scale, zeroPoint] :
       llvm::zip_equal(perAxis.getScales(), perAxis.getZeroPoints()))
    if (failed(checkParams(scale, zeroPoint)))
      return failure();
  int64_t axis = perAxis.getQuantizedDimension();
  if (axis < 0 || axis >= type.getRank())
    return op->emitOpError()
           << v.name << " is quantized along dimension " << axis
           << ", which does not exist in a tensor of rank " << type.getRank();
  int64_t dimSize = type.getDimSize(axis);
  int64_t numScales = perAxis.getScales().size();
  if (!ShapedType::isDynamic(dimSize) && dimSize != numScales)
    return op->emitOpError() << v.name << " has " << numScales
                             << " per-axis scales but dimension " << axis
                             << " has size " << dimSize;
  return success();
}

LogicalResult verifyElementTypes(Operation *op, ArrayRef<Named> values) {
  for (const Named &v : values)
    if (failed(verifyElementType(op, v)))
      return failure();
  return success();
}

/// Activations are quantized per tensor, as PyTorch does.
LogicalResult verifyPerTensor(Operation *op, Named v) {
  if (isa<UniformQuantizedPerAxisType>(v.getType().getElementType()))
    return op->emitOpError()
           << v.name
           << " must be quantized per tensor: per-axis quantization applies "
              "only to weights";
  return success();
}

/// The operands of an operator that exists in both domains are either all
/// float or all quantized (per tensor).
LogicalResult verifySameDomain(Operation *op, ArrayRef<Named> values) {
  bool anyQuantized = llvm::any_of(
      values, [](const Named &v) { return isQuantized(v.value.getType()); });
  if (!anyQuantized)
    return success();
  for (const Named &v : values) {
    if (!isQuantized(v.value.getType()))
      return op->emitOpError()
             << "mixes float and quantized operands: " << v.name
             << " is float but other operands are quantized; insert "
                "qnn.quantize or qnn.dequantize";
    if (failed(verifyPerTensor(op, v)))
      return failure();
  }
  return success();
}

/// An optional I64 array attribute with one entry per spatial dimension.
LogicalResult verifySpatialAttr(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, int64_t numSpatial,
                                int64_t minValue) {
  if (static_cast<int64_t>(values.size()) != numSpatial)
    return op->emitOpError()
           << name << " must have " << numSpatial
           << " entries (one per spatial dimension), got " << values.size();
  for (int64_t value : values)
    if (value < minValue || value > qopt::kMaxDimSize)
      return op->emitOpError() << name << " must be "
                               << (minValue > 0 ? "positive" : "non-negative")
                               << " and at most 2^31 - 1, got " << value;
  return success();
}

SmallVector<int64_t> orDefault(std::optional<ArrayRef<int64_t>> attr,
                               int64_t numSpatial, int64_t fill) {
  if (attr)
    return SmallVector<int64_t>(*attr);
  return SmallVector<int64_t>(numSpatial, fill);
}

/// `attr`, or `fallback` when it is absent (pool strides default to the
/// kernel size, as in PyTorch).
SmallVector<int64_t> orDefault(std::optional<ArrayRef<int64_t>> attr,
                               ArrayRef<int64_t> fallback) {
  return SmallVector<int64_t>(attr ? *attr : fallback);
}

/// Geometry shared by convolution and pooling windows.
struct Window {
  ArrayRef<int64_t> kernel;
  ArrayRef<int64_t> strides;
  ArrayRef<int64_t> padding;
  ArrayRef<int64_t> dilation;
  bool ceilMode = false;
};

/// Checks the spatial dimensions of `result` against those of `input` for a
/// window sliding over dimensions 2 and up.
LogicalResult verifyWindowShape(Operation *op, RankedTensorType input,
                                RankedTensorType result, const Window &w) {
  for (size_t i = 0; i < w.kernel.size(); ++i) {
    int64_t dim = i + 2;
    int64_t in = input.getDimSize(dim);
    int64_t kernel = w.kernel[i];
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
      continue;
    std::optional<int64_t> out = qopt::windowOutputSize(
        in, kernel, w.strides[i], w.padding[i], w.dilation[i], w.ceilMode);
    if (!out)
      return op->emitOpError()
             << "spatial dimension " << i << ": the dilated kernel ("
             << w.dilation[i] * (kernel - 1) + 1
             << ") is larger than the padded input (" << in + 2 * w.padding[i]
             << ")";
    int64_t actual = result.getDimSize(dim);
    if (!ShapedType::isDynamic(actual) && actual != *out)
      return op->emitOpError()
             << "result spatial dimension " << i << " is " << actual
             << ", but input size " << in << ", kernel " << kernel
             << ", stride " << w.strides[i] << ", padding " << w.padding[i]
             << ", dilation " << w.dilation[i]
             << (w.ceilMode ? " and ceil_mode" : "") << " give " << *out;
  }
  return success();
}

/// Input and result of a windowed op have the same rank, 3 or 4, and the
/// same batch size.
LogicalResult verifyWindowRanks(Operation *op, Named input, Named result) {
  int64_t rank = input.getType().getRank();
  if (rank != 3 && rank != 4)
    return op->emitOpError()
           << input.name
           << " must have rank 3 (N x C x W) or 4 (N x C x H x W), got rank "
           << rank;
  if (result.getType().getRank() != rank)
    return op->emitOpError()
           << result.name << " must have rank " << rank << " like the "
           << input.name << ", got rank " << result.getType().getRank();
  int64_t n = input.getType().getDimSize(0);
  int64_t rn = result.getType().getDimSize(0);
  if (bothStatic(n, rn) && n != rn)
    return op->emitOpError()
           << result.name << " batch size " << rn << " differs from the "
           << input.name << " batch size " << n;
  return success();
}

/// A bias of a conv or linear layer: rank 1, `channels` elements, f32 (any
/// domain) or i32 (static quantization only: it is in units of input scale *
/// weight scale, which a dynamic layer learns only at run time).
LogicalResult verifyBias(Operation *op, Value bias, int64_t channels,
                         bool staticQuantized) {
  if (!bias)
    return success();
  auto type = cast<RankedTensorType>(bias.getType());
  Type elementType = type.getElementType();
  if (!elementType.isF32() && !elementType.isSignlessInteger(32))
    return op->emitOpError()
           << "bias must be a tensor of f32 or i32, got " << type;
  if (type.getRank() != 1)
    return op->emitOpError() << "bias must have rank 1, got " << type;
  if (elementType.isSignlessInteger(32) && !staticQuantized)
    return op->emitOpError()
           << "i32 bias (in units of input scale * weight scale) requires "
              "a quantized input, weight and result";
  if (bothStatic(type.getDimSize(0), channels) &&
      type.getDimSize(0) != channels)
    return op->emitOpError()
           << "bias has " << type.getDimSize(0)
           << " elements but the weight has " << channels << " output channels";
  return success();
}

/// Weights may be quantized per axis only along the output-channel
/// dimension 0.
LogicalResult verifyWeightAxis(Operation *op, Named weight) {
  auto perAxis =
      dyn_cast<UniformQuantizedPerAxisType>(weight.getType().getElementType());
  if (perAxis && perAxis.getQuantizedDimension() != 0)
    return op->emitOpError()
           << weight.name << " is quantized along dimension "
           << perAxis.getQuantizedDimension()
           << ", but per-axis weight quantization must be along the "
              "output-channel dimension 0";
  return success();
}

/// The domains a conv or linear layer can be lowered in.
enum class WeightedDomain { Float, Static, Dynamic };

FailureOr<WeightedDomain> verifyWeightedDomain(Operation *op, Named input,
                                               Named weight, Named result,
                                               bool allowDynamic) {
  bool in = isQuantized(input.value.getType());
  bool w = isQuantized(weight.value.getType());
  bool out = isQuantized(result.value.getType());
  if (!in && !w && !out)
    return WeightedDomain::Float;
  if (in && w && out) {
    if (failed(verifyPerTensor(op, input)) ||
        failed(verifyPerTensor(op, result)) ||
        failed(verifyWeightAxis(op, weight)))
      return failure();
    return WeightedDomain::Static;
  }
  if (!in && w && !out && allowDynamic) {
    if (failed(verifyWeightAxis(op, weight)))
      return failure();
    return WeightedDomain::Dynamic;
  }
  auto domain = [](bool q) { return q ? "quantized" : "float"; };
  InFlightDiagnostic diag = op->emitOpError();
  diag << "mixes float and quantized operands (" << input.name << ": "
       << domain(in) << ", " << weight.name << ": " << domain(w) << ", "
       << result.name << ": " << domain(out)
       << "): expected all float or all quantized";
  if (allowDynamic)
    diag << ", or a float input and result with a quantized weight (dynamic "
            "quantization)";
  return diag;
}

/// Operators that keep the scale and zero point (relu, clamp, max pool,
/// avg pool, reshape, flatten) may not change the element type.
LogicalResult verifySameElementType(Operation *op, Named input, Named result) {
  Type in = input.getType().getElementType();
  Type out = result.getType().getElementType();
  if (in == out)
    return success();
  return op->emitOpError()
         << result.name << " element type " << out << " must equal the "
         << input.name << " element type " << in
         << ": this operator keeps the scale and zero point (use "
            "qnn.requantize to change them)";
}

} // namespace

//===----------------------------------------------------------------------===//
// Quantize, dequantize, requantize
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  return verifyElementType(*this, {getResult(), "result"});
}

LogicalResult DequantizeOp::verify() {
  return verifyElementType(*this, {getInput(), "input"});
}

LogicalResult RequantizeOp::verify() {
  return verifyElementTypes(*this,
                            {{getInput(), "input"}, {getResult(), "result"}});
}

//===----------------------------------------------------------------------===//
// Conv and linear
//===----------------------------------------------------------------------===//

SmallVector<int64_t> ConvOp::getStridesOrDefault() {
  return orDefault(getStrides(), getNumSpatialDims(), 1);
}
SmallVector<int64_t> ConvOp::getPaddingOrDefault() {
  return orDefault(getPadding(), getNumSpatialDims(), 0);
}
SmallVector<int64_t> ConvOp::getDilationOrDefault() {
  return orDefault(getDilation(), getNumSpatialDims(), 1);
}

LogicalResult ConvOp::verify() {
  Named input{getInput(), "input"}, weight{getWeight(), "weight"},
      result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, weight, result})))
    return failure();
  FailureOr<WeightedDomain> domain = verifyWeightedDomain(
      *this, input, weight, result, /*allowDynamic=*/false);
  if (failed(domain))
    return failure();

  if (failed(verifyWindowRanks(*this, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), wType = weight.getType(),
                   outType = result.getType();
  int64_t rank = inType.getRank();
  int64_t numSpatial = rank - 2;
  if (wType.getRank() != rank)
    return emitOpError() << "weight must have rank " << rank
                         << " (O x C/groups x kernel...), got rank "
                         << wType.getRank();

  if (getStrides() &&
      failed(verifySpatialAttr(*this, "strides", *getStrides(), numSpatial, 1)))
    return failure();
  if (getPadding() &&
      failed(verifySpatialAttr(*this, "padding", *getPadding(), numSpatial, 0)))
    return failure();
  if (getDilation() && failed(verifySpatialAttr(*this, "dilation",
                                                *getDilation(), numSpatial, 1)))
    return failure();

  int64_t groups = getGroups();
  if (groups < 1 || groups > qopt::kMaxDimSize)
    return emitOpError() << "groups must be positive and at most 2^31 - 1, got "
                         << groups;
  for (int64_t i = 2; i < rank; ++i)
    if (wType.isDynamicDim(i))
      return emitOpError() << "weight kernel size (dimensions 2 and up) must "
                              "be static, got "
                           << wType;
  int64_t channels = inType.getDimSize(1);
  int64_t outChannels = wType.getDimSize(0);
  int64_t groupChannels = wType.getDimSize(1);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return emitOpError() << "input channels (" << channels
                         << ") must be divisible by groups (" << groups << ")";
  if (!ShapedType::isDynamic(outChannels) && outChannels % groups != 0)
    return emitOpError() << "weight output channels (" << outChannels
                         << ") must be divisible by groups (" << groups << ")";
  if (bothStatic(channels, groupChannels) && channels != groupChannels * groups)
    return emitOpError() << "weight expects " << groupChannels
                         << " input channels per group x " << groups
                         << " groups = " << groupChannels * groups
                         << " input channels, but the input has " << channels;
  int64_t resultChannels = outType.getDimSize(1);
  if (bothStatic(resultChannels, outChannels) && resultChannels != outChannels)
    return emitOpError() << "result has " << resultChannels
                         << " channels but the weight has " << outChannels
                         << " output channels";
  if (failed(verifyBias(*this, getBias(), outChannels,
                        *domain == WeightedDomain::Static)))
    return failure();

  SmallVector<int64_t> strides = getStridesOrDefault();
  SmallVector<int64_t> padding = getPaddingOrDefault();
  SmallVector<int64_t> dilation = getDilationOrDefault();
  Window window{wType.getShape().drop_front(2), strides, padding, dilation};
  return verifyWindowShape(*this, inType, outType, window);
}

LogicalResult LinearOp::verify() {
  Named input{getInput(), "input"}, weight{getWeight(), "weight"},
      result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, weight, result})))
    return failure();
  FailureOr<WeightedDomain> domain =
      verifyWeightedDomain(*this, input, weight, result, /*allowDynamic=*/true);
  if (failed(domain))
    return failure();
  if (*domain == WeightedDomain::Dynamic &&
      !cast<QuantizedType>(weight.getType().getElementType()).isSigned())
    return emitOpError() << "weight of a dynamically quantized linear must "
                            "have signed (i8) storage, as PyTorch's qint8";
  if (getReduceRange() && *domain != WeightedDomain::Dynamic)
    return emitOpError() << "reduce_range applies only to a dynamically "
                            "quantized linear (float input and result, "
                            "quantized weight)";

  RankedTensorType inType = input.getType(), wType = weight.getType(),
                   outType = result.getType();
  if (inType.getRank() < 1)
    return emitOpError() << "input must have rank at least 1 (... x K)";
  if (wType.getRank() != 2)
    return emitOpError() << "weight must have rank 2 (O x K), got rank "
                         << wType.getRank();
  if (outType.getRank() != inType.getRank())
    return emitOpError() << "result must have rank " << inType.getRank()
                         << " like the input, got rank " << outType.getRank();
  int64_t k = inType.getShape().back();
  int64_t wk = wType.getDimSize(1);
  if (bothStatic(k, wk) && k != wk)
    return emitOpError() << "input has " << k
                         << " features (last dimension) but the weight expects "
                         << wk;
  int64_t outFeatures = wType.getDimSize(0);
  for (int64_t i = 0, e = inType.getRank() - 1; i < e; ++i) {
    int64_t a = inType.getDimSize(i), b = outType.getDimSize(i);
    if (bothStatic(a, b) && a != b)
      return emitOpError() << "result dimension " << i << " is " << b
                           << " but the input's is " << a;
  }
  int64_t resultFeatures = outType.getShape().back();
  if (bothStatic(resultFeatures, outFeatures) && resultFeatures != outFeatures)
    return emitOpError() << "result has " << resultFeatures
                         << " features but the weight has " << outFeatures
                         << " output features";
  return verifyBias(*this, getBias(), outFeatures,
                    *domain == WeightedDomain::Static);
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::verify() {
  Named input{getInput(), "input"};
  if (failed(verifyElementType(*this, input)))
    return failure();
  return verifyPerTensor(*this, input);
}

LogicalResult ClampOp::verify() {
  Named input{getInput(), "input"};
  if (failed(verifyElementType(*this, input)) ||
      failed(verifyPerTensor(*this, input)))
    return failure();
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isnan(lo) || std::isnan(hi))
    return emitOpError() << "min and max must not be NaN";
  if (lo > hi)
    return emitOpError() << "min (" << lo << ") must not exceed max (" << hi
                         << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNorm
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  RankedTensorType inType = getInput().getType();
  if (isQuantized(inType))
    return emitOpError()
           << "input must be float: fold batch_norm into the preceding conv or "
              "linear (qnn-fold-batchnorm) before quantizing";
  int64_t rank = inType.getRank();
  if (rank < 2 || rank > 4)
    return emitOpError() << "input must have rank 2, 3 or 4 (N x C x ...), "
                            "got rank "
                         << rank;
  int64_t channels = inType.getDimSize(1);
  Named params[] = {{getWeight(), "weight"},
                    {getBias(), "bias"},
                    {getMean(), "mean"},
                    {getVariance(), "variance"}};
  for (const Named &param : params) {
    RankedTensorType type = param.getType();
    if (type.getRank() != 1 || !type.getElementType().isF32())
      return emitOpError() << param.name
                           << " must be a rank-1 tensor of f32, got " << type;
    if (bothStatic(type.getDimSize(0), channels) &&
        type.getDimSize(0) != channels)
      return emitOpError() << param.name << " has " << type.getDimSize(0)
                           << " elements but the input has " << channels
                           << " channels";
  }
  float eps = getEpsilon().convertToFloat();
  if (!(eps > 0.0f) || std::isinf(eps))
    return emitOpError() << "epsilon must be positive and finite, got " << eps;
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

namespace {

/// Rules shared by max_pool and avg_pool: kernel, strides, padding (at most
/// half the kernel, as PyTorch requires) and dilation per spatial dimension,
/// and the output size they imply.
LogicalResult verifyPool(Operation *op, Named input, Named result,
                         ArrayRef<int64_t> kernel,
                         std::optional<ArrayRef<int64_t>> stridesAttr,
                         std::optional<ArrayRef<int64_t>> paddingAttr,
                         std::optional<ArrayRef<int64_t>> dilationAttr,
                         bool ceilMode) {
  if (failed(verifyElementTypes(op, {input, result})) ||
      failed(verifyPerTensor(op, input)) ||
      failed(verifySameElementType(op, input, result)) ||
      failed(verifyWindowRanks(op, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  int64_t numSpatial = inType.getRank() - 2;
  if (failed(verifySpatialAttr(op, "kernel_size", kernel, numSpatial, 1)))
    return failure();
  if (stridesAttr &&
      failed(verifySpatialAttr(op, "strides", *stridesAttr, numSpatial, 1)))
    return failure();
  if (paddingAttr &&
      failed(verifySpatialAttr(op, "padding", *paddingAttr, numSpatial, 0)))
    return failure();
  if (dilationAttr &&
      failed(verifySpatialAttr(op, "dilation", *dilationAttr, numSpatial, 1)))
    return failure();
  SmallVector<int64_t> strides = orDefault(stridesAttr, kernel);
  SmallVector<int64_t> padding = orDefault(paddingAttr, numSpatial, 0);
  SmallVector<int64_t> dilation = orDefault(dilationAttr, numSpatial, 1);
  for (int64_t i = 0; i < numSpatial; ++i)
    if (padding[i] * 2 > kernel[i])
      return op->emitOpError()
             << "padding " << padding[i] << " of spatial dimension " << i
             << " must be at most half the kernel size " << kernel[i];
  int64_t c = inType.getDimSize(1), rc = outType.getDimSize(1);
  if (bothStatic(c, rc) && c != rc)
    return op->emitOpError()
           << "result has " << rc << " channels but the input has " << c;
  Window window{kernel, strides, padding, dilation, ceilMode};
  return verifyWindowShape(op, inType, outType, window);
}

} // namespace

SmallVector<int64_t> MaxPoolOp::getStridesOrDefault() {
  return orDefault(getStrides(), getKernelSize());
}
SmallVector<int64_t> MaxPoolOp::getPaddingOrDefault() {
  return orDefault(getPadding(), getKernelSize().size(), 0);
}
SmallVector<int64_t> MaxPoolOp::getDilationOrDefault() {
  return orDefault(getDilation(), getKernelSize().size(), 1);
}

LogicalResult MaxPoolOp::verify() {
  return verifyPool(*this, {getInput(), "input"}, {getResult(), "result"},
                    getKernelSize(), getStrides(), getPadding(), getDilation(),
                    getCeilMode());
}

SmallVector<int64_t> AvgPoolOp::getStridesOrDefault() {
  return orDefault(getStrides(), getKernelSize());
}
SmallVector<int64_t> AvgPoolOp::getPaddingOrDefault() {
  return orDefault(getPadding(), getKernelSize().size(), 0);
}

LogicalResult AvgPoolOp::verify() {
  return verifyPool(*this, {getInput(), "input"}, {getResult(), "result"},
                    getKernelSize(), getStrides(), getPadding(),
                    /*dilationAttr=*/std::nullopt, getCeilMode());
}

LogicalResult AdaptiveAvgPoolOp::verify() {
  Named input{getInput(), "input"}, result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, result})) ||
      failed(verifyPerTensor(*this, input)) ||
      failed(verifySameElementType(*this, input, result)) ||
      failed(verifyWindowRanks(*this, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  if (getFloatMean() && isQuantized(inType))
    return emitOpError() << "'float_mean' marks a float pooling that "
                            "qnn-quantize keeps in float; a quantized "
                            "pooling cannot carry it";
  int64_t c = inType.getDimSize(1), rc = outType.getDimSize(1);
  if (bothStatic(c, rc) && c != rc)
    return emitOpError() << "result has " << rc
                         << " channels but the input has " << c;
  for (int64_t dim = 2; dim < outType.getRank(); ++dim)
    if (outType.isDynamicDim(dim))
      return emitOpError() << "result spatial dimension " << dim - 2
                           << " must be static: it is the output size";
  return success();
}

//===----------------------------------------------------------------------===//
// Add
//===----------------------------------------------------------------------===//

namespace {

/// "u8" / "i8": the storage integer of a quantized type with its signedness.
std::string storageName(RankedTensorType type) {
  auto qtype = cast<quant::QuantizedType>(type.getElementType());
  return (qtype.isSigned() ? "i" : "u") +
         std::to_string(qtype.getStorageTypeIntegralWidth());
}

/// Quantized `values` share the storage type of the last one (the result).
LogicalResult verifySameStorage(Operation *op, ArrayRef<Named> values) {
  RankedTensorType outType = values.back().getType();
  if (!isQuantized(outType))
    return success();
  for (const Named &v : values.drop_back())
    if (storageName(v.getType()) != storageName(outType))
      return op->emitOpError()
             << v.name << " is stored as " << storageName(v.getType())
             << " but the result as " << storageName(outType)
             << ": quantized operands and result share one storage type";
  return success();
}

/// An elementwise operand has the result's rank and, in each dimension, the
/// result's size; with `broadcast`, size 1 is allowed too.
LogicalResult verifyElementwiseShape(Operation *op, Named operand, Named result,
                                     bool broadcast) {
  RankedTensorType type = operand.getType(), outType = result.getType();
  StringRef rule = broadcast ? "each dimension must be the result's size or 1"
                             : "shapes must match (no broadcasting)";
  if (type.getRank() != outType.getRank())
    return op->emitOpError()
           << operand.name << " has rank " << type.getRank()
           << " but the result has rank " << outType.getRank() << ": " << rule;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t a = type.getDimSize(i), b = outType.getDimSize(i);
    if (broadcast && a == 1)
      continue;
    if (bothStatic(a, b) && a != b)
      return op->emitOpError()
             << operand.name << " dimension " << i << " is " << a
             << " but the result's is " << b << ": " << rule;
  }
  return success();
}

} // namespace

LogicalResult AddOp::verify() {
  Named lhs{getLhs(), "lhs"}, rhs{getRhs(), "rhs"},
      result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {lhs, rhs, result})) ||
      failed(verifySameDomain(*this, {lhs, rhs, result})))
    return failure();
  for (const Named &operand : {lhs, rhs})
    if (failed(verifyElementwiseShape(*this, operand, result,
                                      /*broadcast=*/false)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Mul, hardswish, hardsigmoid
//===----------------------------------------------------------------------===//

LogicalResult MulOp::verify() {
  Named lhs{getLhs(), "lhs"}, rhs{getRhs(), "rhs"},
      result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {lhs, rhs, result})) ||
      failed(verifySameDomain(*this, {lhs, rhs, result})) ||
      failed(verifySameStorage(*this, {lhs, rhs, result})))
    return failure();
  for (const Named &operand : {lhs, rhs})
    if (failed(verifyElementwiseShape(*this, operand, result,
                                      /*broadcast=*/true)))
      return failure();
  // Each result dimension comes from an operand that is not broadcast there.
  RankedTensorType outType = result.getType();
  for (int64_t i = 0; i < outType.getRank(); ++i) {
    int64_t size = outType.getDimSize(i);
    if (size == 1 || lhs.getType().getDimSize(i) != 1 ||
        rhs.getType().getDimSize(i) != 1)
      continue;
    return emitOpError() << "result dimension " << i << " is "
                         << (ShapedType::isDynamic(size)
                                 ? std::string("dynamic")
                                 : std::to_string(size))
                         << " but both operands have size 1 there";
  }
  return success();
}

static LogicalResult verifyPointwise(Operation *op) {
  Named input{op->getOperand(0), "input"}, result{op->getResult(0), "result"};
  if (failed(verifyElementTypes(op, {input, result})) ||
      failed(verifySameDomain(op, {input, result})) ||
      failed(verifySameStorage(op, {input, result})))
    return failure();
  return verifyElementwiseShape(op, input, result, /*broadcast=*/false);
}

LogicalResult HardswishOp::verify() { return verifyPointwise(*this); }

LogicalResult HardsigmoidOp::verify() { return verifyPointwise(*this); }

//===----------------------------------------------------------------------===//
// Cat
//===----------------------------------------------------------------------===//

LogicalResult CatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  SmallVector<std::string> names;
  for (size_t i = 0; i < getInputs().size(); ++i)
    names.push_back("input " + std::to_string(i));
  SmallVector<Named> values;
  for (auto [input, name] : llvm::zip(getInputs(), names))
    values.push_back({input, name});
  Named result{getResult(), "result"};
  values.push_back(result);
  if (failed(verifyElementTypes(*this, values)) ||
      failed(verifySameDomain(*this, values)))
    return failure();
  RankedTensorType outType = result.getType();
  int64_t rank = outType.getRank(), dim = getDim();
  if (dim < 0 || dim >= rank)
    return emitOpError() << "dim " << dim << " is not a dimension of the "
                         << "rank-" << rank << " result";
  if (failed(verifySameStorage(*this, values)))
    return failure();
  int64_t total = 0;
  bool totalKnown = true;
  for (const Named &input : ArrayRef<Named>(values).drop_back()) {
    RankedTensorType type = input.getType();
    if (type.getRank() != rank)
      return emitOpError() << input.name << " has rank " << type.getRank()
                           << " but the result has rank " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t a = type.getDimSize(d), b = outType.getDimSize(d);
      if (d != dim && bothStatic(a, b) && a != b)
        return emitOpError() << input.name << " dimension " << d << " is " << a
                             << " but the result's is " << b
                             << ": only dimension " << dim << " may differ";
    }
    if (type.isDynamicDim(dim))
      totalKnown = false;
    else
      total += type.getDimSize(dim);
  }
  if (totalKnown && !outType.isDynamicDim(dim) &&
      outType.getDimSize(dim) != total)
    return emitOpError() << "result dimension " << dim << " is "
                         << outType.getDimSize(dim) << " but the inputs' sum "
                         << "to " << total;
  if (totalKnown != !outType.isDynamicDim(dim))
    return emitOpError() << "result dimension " << dim << " must be "
                         << (totalKnown ? "static" : "dynamic")
                         << " as the inputs' are";
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape and flatten
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::verify() {
  Named input{getInput(), "input"}, result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, result})) ||
      failed(verifySameElementType(*this, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  if (isa<UniformQuantizedPerAxisType>(inType.getElementType()))
    return emitOpError() << "input must be quantized per tensor: transposing "
                            "would move the quantized dimension";
  ArrayRef<int64_t> permutation = getPermutation();
  int64_t rank = inType.getRank();
  if (static_cast<int64_t>(permutation.size()) != rank)
    return emitOpError() << "permutation has " << permutation.size()
                         << " entries but the input has rank " << rank;
  SmallVector<bool> seen(rank, false);
  for (int64_t d : permutation) {
    if (d < 0 || d >= rank || seen[d])
      return emitOpError() << "permutation must hold each dimension of 0.."
                           << rank - 1 << " once";
    seen[d] = true;
  }
  if (outType.getRank() != rank)
    return emitOpError() << "result has rank " << outType.getRank()
                         << " but the input has rank " << rank;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t in = inType.getDimSize(permutation[i]), out = outType.getDimSize(i);
    if (!ShapedType::isDynamic(in) && !ShapedType::isDynamic(out) && in != out)
      return emitOpError() << "result dimension " << i << " is " << out
                           << " but input dimension " << permutation[i]
                           << " is " << in;
  }
  return success();
}

LogicalResult SliceOp::verify() {
  Named input{getInput(), "input"}, result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, result})) ||
      failed(verifySameElementType(*this, input, result)) ||
      failed(verifyPerTensor(*this, input)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  int64_t rank = inType.getRank(), dim = getDim(), start = getStart();
  if (outType.getRank() != rank)
    return emitOpError() << "result has rank " << outType.getRank()
                         << " but the input has rank " << rank;
  if (dim < 0 || dim >= rank)
    return emitOpError() << "dim " << dim << " is not a dimension of the "
                         << "rank-" << rank << " input";
  for (int64_t d = 0; d < rank; ++d) {
    int64_t a = inType.getDimSize(d), b = outType.getDimSize(d);
    if (d != dim && bothStatic(a, b) && a != b)
      return emitOpError() << "result dimension " << d << " is " << b
                           << " but the input's is " << a << ": only dimension "
                           << dim << " is sliced";
  }
  if (outType.isDynamicDim(dim))
    return emitOpError() << "result dimension " << dim
                         << " must be static: it is the slice's size";
  int64_t size = outType.getDimSize(dim);
  if (start < 0)
    return emitOpError() << "start " << start << " is negative";
  if (!inType.isDynamicDim(dim) && start + size > inType.getDimSize(dim))
    return emitOpError() << "indices " << start << " to " << start + size - 1
                         << " are outside input dimension " << dim << " (size "
                         << inType.getDimSize(dim) << ")";
  return success();
}

LogicalResult ReshapeOp::verify() {
  Named input{getInput(), "input"}, result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, result})) ||
      failed(verifySameElementType(*this, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  if (isa<UniformQuantizedPerAxisType>(inType.getElementType()))
    return emitOpError() << "input must be quantized per tensor: reshaping "
                            "would move the quantized dimension";
  if (inType.hasStaticShape() && outType.hasStaticShape() &&
      inType.getNumElements() != outType.getNumElements())
    return emitOpError() << "input has " << inType.getNumElements()
                         << " elements but the result has "
                         << outType.getNumElements();
  // One side static: its element count must be a whole number of the
  // other side's static part (the ShapeLimits trait bounds both products).
  auto staticCount = [](RankedTensorType type) {
    int64_t count = 1;
    for (int64_t size : type.getShape())
      if (!ShapedType::isDynamic(size))
        count *= size;
    return count;
  };
  if (inType.hasStaticShape() != outType.hasStaticShape()) {
    auto [full, partial] = inType.hasStaticShape() ? std::pair(inType, outType)
                                                   : std::pair(outType, inType);
    int64_t step = staticCount(partial);
    if (full.getNumElements() % step != 0)
      return emitOpError() << (full == inType ? "input" : "result") << " has "
                           << full.getNumElements()
                           << " elements, not a multiple of the " << step
                           << " of the "
                           << (full == inType ? "result" : "input")
                           << "'s static dimensions";
  }
  return success();
}

LogicalResult FlattenOp::verify() {
  Named input{getInput(), "input"}, result{getResult(), "result"};
  if (failed(verifyElementTypes(*this, {input, result})) ||
      failed(verifyPerTensor(*this, input)) ||
      failed(verifySameElementType(*this, input, result)))
    return failure();
  RankedTensorType inType = input.getType(), outType = result.getType();
  int64_t rank = inType.getRank();
  auto start = static_cast<int64_t>(getStartDim());
  auto end = static_cast<int64_t>(getEndDim());
  int64_t normStart = getStartIndex(), normEnd = getEndIndex();
  if (rank == 0 || normStart < 0 || normStart >= rank || normEnd < 0 ||
      normEnd >= rank)
    return emitOpError() << "start_dim " << start << " and end_dim " << end
                         << " must name dimensions of the rank-" << rank
                         << " input";
  if (normStart > normEnd)
    return emitOpError() << "start_dim " << start
                         << " must not come after end_dim " << end;
  SmallVector<int64_t> expected(inType.getShape().take_front(normStart));
  int64_t merged = 1;
  for (int64_t i = normStart; i <= normEnd; ++i) {
    if (inType.isDynamicDim(i)) {
      merged = ShapedType::kDynamic;
      break;
    }
    merged *= inType.getDimSize(i);
  }
  expected.push_back(merged);
  llvm::append_range(expected, inType.getShape().drop_front(normEnd + 1));
  if (outType.getRank() != static_cast<int64_t>(expected.size()))
    return emitOpError() << "result must have rank " << expected.size()
                         << ", got " << outType.getRank();
  for (auto [i, dims] :
       llvm::enumerate(llvm::zip(expected, outType.getShape())))
    if (bothStatic(std::get<0>(dims), std::get<1>(dims)) &&
        std::get<0>(dims) != std::get<1>(dims))
      return emitOpError() << "result dimension " << i << " is "
                           << std::get<1>(dims) << " but flattening gives "
                           << std::get<0>(dims);
  return success();
}

#define GET_OP_CLASSES
#include "qopt/Dialect/QNN/IR/QNNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

qopt::ObserverConfig ObserveOp::getConfig() {
  qopt::ObserverConfig config;
  switch (getObserver()) {
  case Observer::MinMax:
    config.kind = qopt::ObserverKind::MinMax;
    break;
  case Observer::MovingAverageMinMax:
    config.kind = qopt::ObserverKind::MovingAverageMinMax;
    break;
  case Observer::PerChannelMinMax:
    config.kind = qopt::ObserverKind::PerChannelMinMax;
    break;
  case Observer::Histogram:
    config.kind = qopt::ObserverKind::Histogram;
    break;
  }
  config.dtype = getDtype() == Dtype::QUInt8 ? qopt::QuantDType::QUInt8
                                             : qopt::QuantDType::QInt8;
  switch (getQscheme()) {
  case Qscheme::PerTensorAffine:
    config.qscheme = qopt::QScheme::PerTensorAffine;
    break;
  case Qscheme::PerTensorSymmetric:
    config.qscheme = qopt::QScheme::PerTensorSymmetric;
    break;
  case Qscheme::PerChannelAffine:
    config.qscheme = qopt::QScheme::PerChannelAffine;
    break;
  case Qscheme::PerChannelSymmetric:
    config.qscheme = qopt::QScheme::PerChannelSymmetric;
    break;
  }
  config.reduceRange = getReduceRange();
  if (getQuantMin() && getQuantMax())
    config.customRange = qopt::QuantRange{static_cast<int64_t>(*getQuantMin()),
                                          static_cast<int64_t>(*getQuantMax())};
  if (std::optional<uint64_t> axis = getChAxis())
    config.chAxis = static_cast<int64_t>(*axis);
  if (std::optional<llvm::APFloat> c = getAveragingConstant())
    config.averagingConstant = c->convertToFloat();
  return config;
}

qopt::ObserverState ObserveOp::getState() {
  qopt::ObserverState state;
  if (std::optional<ArrayRef<float>> lo = getMin())
    state.min.assign(lo->begin(), lo->end());
  if (std::optional<ArrayRef<float>> hi = getMax())
    state.max.assign(hi->begin(), hi->end());
  if (std::optional<ArrayRef<float>> hist = getHistogram())
    state.histogram.assign(hist->begin(), hist->end());
  return state;
}

void ObserveOp::setState(const qopt::ObserverState &state) {
  Builder b(getContext());
  auto set = [&](StringRef name, const std::vector<float> &values) {
    if (values.empty())
      (*this)->removeAttr(name);
    else
      (*this)->setAttr(name, b.getDenseF32ArrayAttr(values));
  };
  set(getMinAttrName(), state.min);
  set(getMaxAttrName(), state.max);
  set(getHistogramAttrName(), state.histogram);
}

ObserveOp ObserveOp::getRoot() {
  if (Value shares = getShares())
    if (auto root = shares.getDefiningOp<ObserveOp>())
      return root;
  return *this;
}

LogicalResult ObserveOp::verify() {
  qopt::ObserverConfig config = getConfig();
  if (Value shares = getShares()) {
    auto root = shares.getDefiningOp<ObserveOp>();
    if (!root || root.getShares())
      return emitOpError() << "shares the observer of a value that is not the "
                              "result of an unshared qnn.observe";
    if (getObserverAttr() != root.getObserverAttr() ||
        getDtypeAttr() != root.getDtypeAttr() ||
        getQschemeAttr() != root.getQschemeAttr() ||
        getReduceRange() != root.getReduceRange() ||
        getQuantMinAttr() != root.getQuantMinAttr() ||
        getQuantMaxAttr() != root.getQuantMaxAttr() ||
        getAveragingConstantAttr() != root.getAveragingConstantAttr())
      return emitOpError() << "a sharing observer has the settings of the "
                              "observer it shares";
    if (config.isPerChannel())
      return emitOpError() << "only per-tensor observers can be shared";
    if (getUpdates() || getMin() || getMax() || getHistogram())
      return emitOpError() << "a sharing observer has no updates or "
                              "statistics of its own: they are its root's";
  }
  if (getQuantMin().has_value() != getQuantMax().has_value())
    return emitOpError() << "quant_min and quant_max must be given together";
  if (std::optional<int64_t> updates = getUpdates(); updates && *updates < 1)
    return emitOpError() << "updates must be at least 1, got " << *updates;
  if (getChAxis() && !config.isPerChannel())
    return emitOpError() << "ch_axis applies only to per-channel observers";
  if (getAveragingConstant() &&
      config.kind != qopt::ObserverKind::MovingAverageMinMax)
    return emitOpError()
           << "averaging_constant applies only to the moving_average_minmax "
              "observer";
  if (config.kind == qopt::ObserverKind::Histogram && config.isPerChannel())
    return emitOpError() << "the histogram observer is per tensor only";
  if (std::optional<std::string> problem = config.validate())
    return emitOpError() << *problem;
  auto type = cast<RankedTensorType>(getInput().getType());
  if (config.isPerChannel() && config.chAxis >= type.getRank())
    return emitOpError() << "ch_axis " << config.chAxis
                         << " is out of range for a rank-" << type.getRank()
                         << " tensor";

  // Statistics.
  qopt::ObserverState state = getState();
  if (std::optional<std::string> problem = qopt::checkState(config, state))
    return emitOpError() << *problem;
  if (state.min.empty())
    return success();
  if (!config.isPerChannel() && state.min.size() != 1)
    return emitOpError() << "a per-tensor observer records one min and max, "
                            "got "
                         << state.min.size();
  if (config.isPerChannel()) {
    int64_t channels = type.getDimSize(config.chAxis);
    if (!ShapedType::isDynamic(channels) &&
        static_cast<int64_t>(state.min.size()) != channels)
      return emitOpError() << "per-channel statistics have " << state.min.size()
                           << " entries but dimension " << config.chAxis
                           << " has " << channels;
  }
  return success();
}
