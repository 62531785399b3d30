//===- QNNBase.td - qnn dialect, types and attributes ------*- tablegen -*-===//
//
// The qnn dialect: neural-network operators as PyTorch quantizes them,
// polymorphic over float32 tensors and upstream `!quant.uniform` tensors.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNNBASE_TD
#define QOPT_DIALECT_QNN_IR_QNNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def QNN_Dialect : Dialect {
  let name = "qnn";
  let cppNamespace = "::qopt::qnn";
  let summary = "Quantized neural-network operators, PyTorch x86 semantics";
  let description = [{
    The `qnn` dialect models the operators of models quantized the PyTorch
    way: convolution (1-D and 2-D), linear, ReLU, ReLU6, inference BatchNorm,
    pooling, addition, reshape and flatten, the QuantStub/DeQuantStub markers
    that delimit the quantized region, and the quantize / dequantize /
    requantize conversions.

    Every operator is polymorphic over its element type. On `f32` tensors it
    is the float operator. On tensors whose element type is upstream MLIR's
    `!quant.uniform` (per tensor or per axis) it is the quantized operator,
    and the result type carries the output scale and zero point: a
    quantized conv whose result type differs from its input type
    requantizes, with no separate op.

    Quantized values use 8-bit storage (`i8` or `u8`) expressed in `f32`.
    The arithmetic of every quantized operator is the one PyTorch's x86
    backend (FBGEMM) performs; docs/Numerics.md states it exactly. Quantized
    constants (weights) are built with upstream `quant.scast` from an integer
    constant of the storage type.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QNN_QuantElement : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "!quant.uniform (per tensor or per axis)">;

/// A float32 or uniformly quantized tensor: the operand of every operator
/// that exists in both domains.
def QNN_Tensor : RankedTensorOf<[F32, QNN_QuantElement]>;
def QNN_FloatTensor : RankedTensorOf<[F32]>;
def QNN_QuantTensor : RankedTensorOf<[QNN_QuantElement]>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def QNN_Activation : I32EnumAttr<"Activation",
    "activation applied to the result of conv, linear and add", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Relu", 1, "relu">,
      I32EnumAttrCase<"Relu6", 2, "relu6">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::qopt::qnn";
}

def QNN_ActivationAttr : EnumAttr<QNN_Dialect, QNN_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_DefaultActivation
    : DefaultValuedAttr<QNN_ActivationAttr, "::qopt::qnn::Activation::None">;

def QNN_Observer : I32EnumAttr<"Observer",
    "PyTorch observer algorithm of a qnn.observe", [
      I32EnumAttrCase<"MinMax", 0, "minmax">,
      I32EnumAttrCase<"MovingAverageMinMax", 1, "moving_average_minmax">,
      I32EnumAttrCase<"PerChannelMinMax", 2, "per_channel_minmax">,
      I32EnumAttrCase<"Histogram", 3, "histogram">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::qopt::qnn";
}

def QNN_ObserverAttr : EnumAttr<QNN_Dialect, QNN_Observer, "observer"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_Dtype : I32EnumAttr<"Dtype", "PyTorch quantized dtype", [
      I32EnumAttrCase<"QUInt8", 0, "quint8">,
      I32EnumAttrCase<"QInt8", 1, "qint8">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::qopt::qnn";
}

def QNN_DtypeAttr : EnumAttr<QNN_Dialect, QNN_Dtype, "dtype"> {
  let assemblyFormat = "`<` $value `>`";
}

def QNN_Qscheme : I32EnumAttr<"Qscheme", "PyTorch quantization scheme", [
      I32EnumAttrCase<"PerTensorAffine", 0, "per_tensor_affine">,
      I32EnumAttrCase<"PerTensorSymmetric", 1, "per_tensor_symmetric">,
      I32EnumAttrCase<"PerChannelAffine", 2, "per_channel_affine">,
      I32EnumAttrCase<"PerChannelSymmetric", 3, "per_channel_symmetric">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::qopt::qnn";
}

def QNN_QschemeAttr : EnumAttr<QNN_Dialect, QNN_Qscheme, "qscheme"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Op families
//===----------------------------------------------------------------------===//

/// Every operand and result has dimensions of 1 to 2^31 - 1 and at most
/// 2^32 elements (include/qopt/Support/Shapes.h).
def QNN_ShapeLimits : NativeOpTrait<"ShapeLimits"> {
  let cppNamespace = "::qopt::qnn";
}

class QNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<QNN_Dialect, mnemonic, !listconcat([Pure, QNN_ShapeLimits], traits)>;

/// Conversions between float and quantized tensors. Shape is preserved.
class QNN_CastOp<string mnemonic, TypeConstraint inType,
                 TypeConstraint outType>
    : QNN_Op<mnemonic, [SameOperandsAndResultShape]> {
  let arguments = (ins inType:$input);
  let results = (outs outType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

/// Identity markers on float tensors (PyTorch's QuantStub / DeQuantStub).
class QNN_MarkerOp<string mnemonic>
    : QNN_Op<mnemonic, [SameOperandsAndResultType]> {
  let arguments = (ins QNN_FloatTensor:$input);
  let results = (outs QNN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

/// Elementwise operators whose quantized form keeps the input's scale and
/// zero point: the result type equals the operand type.
class QNN_ScaleKeepingOp<string mnemonic, list<Trait> traits = []>
    : QNN_Op<mnemonic, !listconcat([SameOperandsAndResultType], traits)> {
  let results = (outs QNN_Tensor:$result);
  let hasVerifier = 1;
}

/// An elementwise function of one tensor whose quantized result has its
/// own scale and zero point (hardswish, hardsigmoid).
class QNN_PointwiseOp<string mnemonic> : QNN_Op<mnemonic> {
  let arguments = (ins QNN_Tensor:$input);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

/// Convolution and linear: a weighted sum over a reduction with an optional
/// bias and a fused activation.
class QNN_WeightedOp<string mnemonic> : QNN_Op<mnemonic> {
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

/// Max and average pooling over windows of the spatial dimensions.
class QNN_PoolOp<string mnemonic> : QNN_Op<mnemonic> {
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

#endif // QOPT_DIALECT_QNN_IR_QNNBASE_TD
