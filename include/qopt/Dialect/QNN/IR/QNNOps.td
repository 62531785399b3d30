//===- QNNOps.td - qnn dialect operations ------------------*- tablegen -*-===//
//
// Operations of the qnn dialect. Numeric semantics refer to the rules of
// docs/Numerics.md: Q (quantize), D (dequantize), R (requantize epilogue).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_IR_QNNOPS_TD
#define QOPT_DIALECT_QNN_IR_QNNOPS_TD

include "qopt/Dialect/QNN/IR/QNNBase.td"

//===----------------------------------------------------------------------===//
// Quantize, dequantize, requantize
//===----------------------------------------------------------------------===//

def QNN_QuantizeOp : QNN_CastOp<"quantize", QNN_FloatTensor, QNN_QuantTensor> {
  let summary = "Convert a float tensor to a quantized tensor";
  let description = [{
    Quantizes each element with the scale and zero point of the result type
    (for a per-axis type, those of the element's index along the quantized
    dimension). Rule Q of docs/Numerics.md, as FBGEMM computes it:

    ```
    q = clamp(nearbyint(x * (1.0f / scale)) + zero_point, storage_min, storage_max)
    ```

    The product uses the float32 reciprocal of the scale (not a division),
    `nearbyint` rounds half to even, and the zero point is added after
    rounding.

    Example:

    ```mlir
    %q = qnn.quantize %x : tensor<1x8xf32> -> tensor<1x8x!quant.uniform<u8:f32, 0.05:128>>
    ```
  }];
  let hasFolder = 1;
}

def QNN_DequantizeOp
    : QNN_CastOp<"dequantize", QNN_QuantTensor, QNN_FloatTensor> {
  let summary = "Convert a quantized tensor to a float tensor";
  let description = [{
    Rule D of docs/Numerics.md: `x = float(q - zero_point) * scale`, in
    float32, with the parameters of the operand type.

    Example:

    ```mlir
    %x = qnn.dequantize %q : tensor<1x8x!quant.uniform<u8:f32, 0.05:128>> -> tensor<1x8xf32>
    ```
  }];
}

def QNN_RequantizeOp
    : QNN_CastOp<"requantize", QNN_QuantTensor, QNN_QuantTensor> {
  let summary = "Change the scale and zero point of a quantized tensor";
  let description = [{
    Equal, element for element, to `qnn.quantize` of `qnn.dequantize` of
    the operand: the value is dequantized with the operand type (rule D) and
    quantized with the result type (rule Q), both in float32. This is what
    PyTorch computes for `quantize_per_tensor(x.dequantize(), s, z)`.

    Example:

    ```mlir
    %r = qnn.requantize %q : tensor<4x!quant.uniform<u8:f32, 0.1:3>> -> tensor<4x!quant.uniform<i8:f32, 0.2>>
    ```
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantized-region markers
//===----------------------------------------------------------------------===//

def QNN_QuantStubOp : QNN_MarkerOp<"quant_stub"> {
  let summary = "Start of a quantized region (PyTorch QuantStub)";
  let description = [{
    An identity on a float tensor that marks where quantization begins, as
    `torch.ao.quantization.QuantStub` does in an eager model. Quantization
    passes replace it with `qnn.quantize` once the value's scale and zero
    point are known; until then it computes nothing.

    Example:

    ```mlir
    %x = qnn.quant_stub %input : tensor<1x1x28x28xf32>
    ```
  }];
}

def QNN_DequantStubOp : QNN_MarkerOp<"dequant_stub"> {
  let summary = "End of a quantized region (PyTorch DeQuantStub)";
  let description = [{
    An identity on a float tensor that marks where quantization ends, as
    `torch.ao.quantization.DeQuantStub` does. Quantization passes replace it
    with `qnn.dequantize`.

    Example:

    ```mlir
    %y = qnn.dequant_stub %logits : tensor<1x10xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Convolution and linear
//===----------------------------------------------------------------------===//

def QNN_ConvOp : QNN_WeightedOp<"conv"> {
  let summary = "1-D or 2-D convolution (PyTorch Conv1d / Conv2d)";
  let description = [{
    Cross-correlation in PyTorch's layout: the input is `N x C x W` (1-D) or
    `N x C x H x W` (2-D), the weight `O x C/groups x kW` or
    `O x C/groups x kH x kW`, the optional bias `O`, the result
    `N x O x oW` or `N x O x oH x oW` with, per spatial dimension,

    ```
    out = floor((in + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    ```

    `strides`, `padding` (applied at both ends) and `dilation` have one entry
    per spatial dimension and default to 1, 0 and 1. `groups` splits the
    channels; `groups == C == O` is a depthwise convolution. `activation`
    applies relu or relu6 to the result.

    Float form (all operands f32): the float convolution, plus bias, then
    the activation.

    Quantized form (input, weight and result `!quant.uniform`; the weight
    per tensor or per axis along dimension 0): for output channel `c`,
    docs/Numerics.md rule R:

    ```
    acc = sum((xq - zx) * (wq - zw[c]))                     (int32)
    f   = float(acc) + bias[c] / (sx * sw[c])               (f32 bias)
    yq  = clamp(nearbyint(f * ((sx * sw[c]) / sy)) + zy, lo, hi)
    ```

    with `lo = zy` for relu and relu6 (relu6 also lowers `hi` to
    `min(storage_max, Q(6.0))`), else the storage range. An i32 bias is already in units of
    `sx * sw[c]` and is added to `acc` (integer-only mode).

    Example:

    ```mlir
    %y = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>, activation = #qnn.activation<relu>}
        : (tensor<1x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x28x28xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    QNN_Tensor:$weight,
    Optional<AnyRankedTensor>:$bias,
    OptionalAttr<DenseI64ArrayAttr>:$strides,
    OptionalAttr<DenseI64ArrayAttr>:$padding,
    OptionalAttr<DenseI64ArrayAttr>:$dilation,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    QNN_DefaultActivation:$activation
  );
  let extraClassDeclaration = [{
    /// Number of spatial dimensions: 1 or 2.
    int64_t getNumSpatialDims() {
      return getInput().getType().getRank() - 2;
    }
    /// The attributes with their defaults filled in, one entry per spatial
    /// dimension.
    ::llvm::SmallVector<int64_t> getStridesOrDefault();
    ::llvm::SmallVector<int64_t> getPaddingOrDefault();
    ::llvm::SmallVector<int64_t> getDilationOrDefault();
  }];
}

def QNN_LinearOp : QNN_WeightedOp<"linear"> {
  let summary = "Fully connected layer (PyTorch Linear)";
  let description = [{
    `y = x * transpose(w) + b`: the input is `... x K`, the weight `O x K`,
    the optional bias `O`, the result `... x O`.

    Float form: all operands f32.

    Static quantized form: input, weight and result `!quant.uniform`, with
    the arithmetic of `qnn.conv` (rule R of docs/Numerics.md) with `K` as the
    reduction.

    Dynamic quantized form (PyTorch `quantize_dynamic`): float input and
    result with a quantized i8 weight. Each call chooses the input's u8 scale
    and zero point from that call's min and max (rule C of
    docs/Numerics.md, with the range halved to 0..127 when `reduce_range` is
    set, as on x86), quantizes the input (rule Q), accumulates in int32 and
    returns `float(acc) * (sx * sw[c]) + bias[c]` in float32, then applies
    the activation in float. `reduce_range` is only valid in this form.

    Example:

    ```mlir
    %y = qnn.linear %x, %w, %b {activation = #qnn.activation<relu>}
        : (tensor<1x784xf32>, tensor<100x784xf32>, tensor<100xf32>) -> tensor<1x100xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    QNN_Tensor:$weight,
    Optional<AnyRankedTensor>:$bias,
    QNN_DefaultActivation:$activation,
    UnitAttr:$reduce_range
  );
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def QNN_ReluOp : QNN_ScaleKeepingOp<"relu"> {
  let summary = "Rectified linear unit";
  let description = [{
    `max(x, 0)`. On a quantized tensor the scale and zero point are kept and
    the operation is `max(q, zero_point)`, exactly as PyTorch's quantized
    relu.

    Example:

    ```mlir
    %y = qnn.relu %x : tensor<1x100xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasFolder = 1;
}

def QNN_ClampOp : QNN_ScaleKeepingOp<"clamp"> {
  let summary = "Clamp to a real interval (ReLU6, Hardtanh)";
  let description = [{
    `min(max(x, min), max)` with `min` and `max` real values (f32). ReLU6 is
    `min = 0, max = 6`. On a quantized tensor the scale and zero point are
    kept and the bounds are quantized with them (rule Q):
    `clamp(q, Q(min), Q(max))`.

    Example:

    ```mlir
    %y = qnn.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x14x14xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def QNN_HardswishOp : QNN_PointwiseOp<"hardswish"> {
  let summary = "Hard swish (MobileNetV3's activation)";
  let description = [{
    `x * min(max(x + 3, 0), 6) / 6`, in float32 in that order (PyTorch's
    CPU kernel; a division by 6, not a multiplication by 1/6).

    Quantized form (PyTorch's `quantized::hardswish`, what nn.Hardswish
    becomes after convert): the input and the result are quantized per
    tensor with the same storage type and their own scales and zero points.
    Each element is dequantized as PyTorch's vectorized kernel does, with
    one fused multiply-add `fma(q, s, -zp * s)` (`-zp * s` rounded to
    float32 first), the function above is applied in float32, and the
    value is quantized with the result type (rule Q, with the reciprocal
    of the result scale computed in double and rounded to float32).

    Example:

    ```mlir
    %y = qnn.hardswish %x : tensor<1x16x56x56xf32> -> tensor<1x16x56x56xf32>
    ```
  }];
}

def QNN_HardsigmoidOp : QNN_PointwiseOp<"hardsigmoid"> {
  let summary = "Hard sigmoid (MobileNetV3's squeeze-and-excitation gate)";
  let description = [{
    `min(max(x + 3, 0), 6) / 6` in float32, in that order.

    Quantized form (PyTorch's quantized hardsigmoid): as qnn.hardswish,
    dequantizing with one fused multiply-add and quantizing with the
    result type. PyTorch fixes that type, scale 1/256 and zero point 0 for
    u8 (-128 for i8), and qnn-quantize gives the operation that type; the
    operation itself accepts any.

    Example:

    ```mlir
    %y = qnn.hardsigmoid %x : tensor<1x72x1x1xf32> -> tensor<1x72x1x1xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def QNN_BatchNormOp : QNN_Op<"batch_norm", [AllTypesMatch<["input", "result"]>]> {
  let summary = "Inference batch normalization (BatchNorm1d / BatchNorm2d)";
  let description = [{
    For channel `c` (dimension 1 of an `N x C`, `N x C x L` or
    `N x C x H x W` input), in float32:

    ```
    y = (x - mean[c]) / sqrt(var[c] + epsilon) * weight[c] + bias[c]
    ```

    Float only: before quantization it is folded into the producing conv or
    linear (`qnn-fold-batchnorm`), as PyTorch's `fuse_modules` does.

    Example:

    ```mlir
    %y = qnn.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
        -> tensor<1x8x28x28xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    AnyRankedTensor:$weight,
    AnyRankedTensor:$bias,
    AnyRankedTensor:$mean,
    AnyRankedTensor:$variance,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon
  );
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def QNN_MaxPoolOp : QNN_PoolOp<"max_pool"> {
  let summary = "1-D or 2-D max pooling (MaxPool1d / MaxPool2d)";
  let description = [{
    The maximum over each window. `kernel_size` has one entry per spatial
    dimension; `strides` default to `kernel_size`, `padding` to 0 (at most
    half the kernel, padded elements never win), `dilation` to 1. The output
    size per spatial dimension is PyTorch's:

    ```
    out = floor_or_ceil((in + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    ```

    rounding up when `ceil_mode` is set, minus one if the last window would
    start in the right padding. On quantized tensors the result type equals
    the input type: the max of quantized values is exact.

    Example:

    ```mlir
    %y = qnn.max_pool %x {kernel_size = array<i64: 2, 2>}
        : tensor<1x8x28x28xf32> -> tensor<1x8x14x14xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    DenseI64ArrayAttr:$kernel_size,
    OptionalAttr<DenseI64ArrayAttr>:$strides,
    OptionalAttr<DenseI64ArrayAttr>:$padding,
    OptionalAttr<DenseI64ArrayAttr>:$dilation,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode
  );
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t> getStridesOrDefault();
    ::llvm::SmallVector<int64_t> getPaddingOrDefault();
    ::llvm::SmallVector<int64_t> getDilationOrDefault();
  }];
}

def QNN_AvgPoolOp : QNN_PoolOp<"avg_pool"> {
  let summary = "1-D or 2-D average pooling (AvgPool1d / AvgPool2d)";
  let description = [{
    The mean over each window, with PyTorch's window rules (see
    `qnn.max_pool`; no dilation). With `count_include_pad` (the default) the
    divisor is the window size clipped to the padded input, else the number
    of input elements in the window.

    Quantized form (PyTorch's quantized avg_pool, NCHW path): the result
    type equals the input type, and for a window holding `size` input
    elements with divisor `n`

    ```
    acc = sum(q) - size * zx                                (int32)
    yq  = clamp(nearbyint(float(acc) * float(1.0 / n) + zx), storage range)
    ```

    Example:

    ```mlir
    %y = qnn.avg_pool %x {kernel_size = array<i64: 2>} : tensor<1x8x16xf32> -> tensor<1x8x8xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    DenseI64ArrayAttr:$kernel_size,
    OptionalAttr<DenseI64ArrayAttr>:$strides,
    OptionalAttr<DenseI64ArrayAttr>:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
    DefaultValuedAttr<BoolAttr, "true">:$count_include_pad
  );
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t> getStridesOrDefault();
    ::llvm::SmallVector<int64_t> getPaddingOrDefault();
  }];
}

def QNN_AdaptiveAvgPoolOp : QNN_PoolOp<"adaptive_avg_pool"> {
  let summary = "Adaptive average pooling to the result's spatial size";
  let description = [{
    PyTorch's AdaptiveAvgPool1d / AdaptiveAvgPool2d: the result type gives
    the output size; output index `i` of a dimension of input size `in` and
    output size `out` averages input indices
    `[floor(i * in / out), ceil((i + 1) * in / out))`. An output size of 1
    is global average pooling.

    Quantized form (PyTorch's quantized adaptive_avg_pool, NCHW path): the
    result type equals the input type; each output is the window sum of the
    stored values times `r = float(1.0 / kD) / kH / kW` (float32, in that
    order; `kD = 1`, and `kH = 1` for 1-D), rounded half to even:
    `yq = nearbyint(float(sum(q)) * r)`.

    With `centered`, PyTorch's channels-last (NHWC) kernel, which runs on
    the outputs of its quantized convolutions: the window sum of the values
    less the zero point, `acc = sum(q) - n * zp` in int32 (`n` the
    window's size),
    is scaled by `1 / (1 / m)` with `m = (s / s) / n`, each step in
    float32, rounded, and the zero point added after rounding:
    `yq = zp + nearbyint(float(acc) * (1 / (1 / m)))`. The two forms differ
    on rounding ties when the zero point is odd. The PyTorch frontend sets
    `centered` for a channels-last input; qnn-quantize sets it where the
    input comes from a 2-D convolution.

    `float_mean` marks a float pooling that is PyTorch's `mean` over the
    spatial dimensions rather than its adaptive pooling. On the quantized
    tensors of an eager int8 model (channels-last after a convolution),
    PyTorch's quantized mean dequantizes, averages in float and quantizes
    with the input's scale and zero point; qnn-quantize therefore leaves a
    `float_mean` pooling in float between its dequantize and quantize
    instead of making it an integer pooling. It is allowed on float
    tensors only; the PyTorch frontend sets it for `x.mean(dims)`.

    Example:

    ```mlir
    %y = qnn.adaptive_avg_pool %x : tensor<1x64x45xf32> -> tensor<1x64x1xf32>
    %z = qnn.adaptive_avg_pool %q {centered}
        : tensor<1x64x7x7x!quant.uniform<u8:f32, 0.1:3>>
       -> tensor<1x64x1x1x!quant.uniform<u8:f32, 0.1:3>>
    %m = qnn.adaptive_avg_pool %f {float_mean}
        : tensor<1x1024x7x7xf32> -> tensor<1x1024x1x1xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, UnitAttr:$centered,
                       UnitAttr:$float_mean);
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

def QNN_AddOp : QNN_Op<"add"> {
  let summary = "Elementwise addition with an optional fused activation";
  let description = [{
    `lhs + rhs` on tensors of the same shape, then `activation`.

    Quantized form (PyTorch's quantized add): each operand is dequantized
    with its own type by one fused multiply-add, `fma(q, s, -zp * s)`, as
    PyTorch's vectorized kernel does; the sum is taken in float32 and
    quantized with the result type (rule Q); relu clamps at the result zero
    point. The three scales may all differ.

    Example:

    ```mlir
    %y = qnn.add %a, %b {activation = #qnn.activation<relu>}
        : (tensor<1x8x7x7xf32>, tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$lhs, QNN_Tensor:$rhs,
                       QNN_DefaultActivation:$activation);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_MulOp : QNN_Op<"mul"> {
  let summary = "Elementwise multiplication with broadcasting";
  let description = [{
    `lhs * rhs`. The operands have the result's rank; in each dimension an
    operand has the result's size or size 1, which is broadcast (as in the
    squeeze-and-excitation product of a 1x1 gate with a feature map).

    Quantized form (PyTorch's `quantized::mul`, FloatFunctional.mul after
    convert): the product of the zero-point-shifted integers is formed
    exactly in int32 and scaled by one float32 multiplier,
    `m = (s_lhs * s_rhs) * (1 / s_result)` in float32 in that order:
    `clamp(zp_result + nearbyint(float(p) * m))`. The three scales may all
    differ.

    Example:

    ```mlir
    %y = qnn.mul %g, %x
        : (tensor<1x72x1x1xf32>, tensor<1x72x28x28xf32>) -> tensor<1x72x28x28xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$lhs, QNN_Tensor:$rhs);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_CatOp : QNN_Op<"cat"> {
  let summary = "Concatenation along a dimension (torch.cat)";
  let description = [{
    The inputs, in order, joined along dimension `dim`; every other
    dimension is the same in all inputs and the result. Along `dim` the
    result's size is the sum of the inputs' when they are all static, and
    dynamic otherwise (the lowering needs them static).

    Quantized form (PyTorch's `quantized::cat`, what FloatFunctional.cat
    becomes after convert): the inputs and the result are quantized per
    tensor with the same storage type; an input whose scale or zero point
    differs from the result's is requantized to them (`qnn.requantize`:
    rule D, then rule Q), the others are copied.

    Example:

    ```mlir
    %y = qnn.cat %a, %b {dim = 1 : i64}
        : (tensor<1x8x7x7xf32>, tensor<1x4x7x7xf32>) -> tensor<1x12x7x7xf32>
    ```
  }];
  let arguments = (ins Variadic<QNN_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape operations
//===----------------------------------------------------------------------===//

def QNN_ReshapeOp : QNN_Op<"reshape"> {
  let summary = "Reshape to the result type's shape (view / reshape)";
  let description = [{
    The elements in row-major order, unchanged, in the result's shape. The
    element type (and so any scale and zero point) is kept.

    Example:

    ```mlir
    %y = qnn.reshape %x : tensor<1x16x5x5xf32> -> tensor<1x400xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QNN_TransposeOp : QNN_Op<"transpose"> {
  let summary = "Permute the dimensions (torch.permute)";
  let description = [{
    Dimension `i` of the result is dimension `permutation[i]` of the input:
    `result[j_0, ..., j_n] = input[i_0, ..., i_n]` with
    `i_permutation[k] = j_k`. The element type (and so any scale and zero
    point) is kept; a per-axis quantized input is rejected, as for reshape.
    The layout passes use it to move between PyTorch's NCHW and the NHWC
    layout of the int8 kernels.

    Example:

    ```mlir
    %y = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>}
        : tensor<1x8x5x5xf32> -> tensor<1x5x5x8xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QNN_SliceOp : QNN_Op<"slice"> {
  let summary = "A contiguous range of one dimension (torch.chunk, narrow)";
  let description = [{
    Indices `start` to `start + n - 1` of dimension `dim` of the input, `n`
    being the result's size there; every other dimension is kept whole.
    The element type (and so any scale and zero point) is kept; a per-axis
    quantized input is rejected, as for transpose. The frontend writes
    `x.chunk(k, dim)` and `torch.chunk` (ShuffleNetV2's channel split) as
    one slice per chunk.

    Example:

    ```mlir
    %y = qnn.slice %x {dim = 1 : i64, start = 4 : i64}
        : tensor<1x8x5x5xf32> -> tensor<1x4x5x5xf32>
    ```
  }];
  let arguments = (ins QNN_Tensor:$input, I64Attr:$dim, I64Attr:$start);
  let results = (outs QNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def QNN_FlattenOp : QNN_Op<"flatten"> {
  let summary = "Merge a range of dimensions (torch.flatten / nn.Flatten)";
  let description = [{
    Merges dimensions `start_dim` to `end_dim` (inclusive; negative values
    count from the end; defaults 1 and -1, as `nn.Flatten`) into one. The
    element type (and so any scale and zero point) is kept.

    Example:

    ```mlir
    %y = qnn.flatten %x : tensor<1x64x1xf32> -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins
    QNN_Tensor:$input,
    DefaultValuedAttr<I64Attr, "1">:$start_dim,
    DefaultValuedAttr<I64Attr, "-1">:$end_dim
  );
  let results = (outs QNN_Tensor:$result);
  let extraClassDeclaration = [{
    /// start_dim and end_dim as dimension indices (negative values count
    /// from the end). The I64Attr getters return them as uint64_t.
    int64_t getStartIndex() { return normalizeDim(getStartDim()); }
    int64_t getEndIndex() { return normalizeDim(getEndDim()); }
  private:
    int64_t normalizeDim(uint64_t dim) {
      int64_t value = static_cast<int64_t>(dim);
      return value < 0 ? value + getInput().getType().getRank() : value;
    }
  public:
  }];
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

def QNN_ObserveOp : QNN_Op<"observe", [AllTypesMatch<["input", "result"]>]> {
  let summary = "Observation point: a PyTorch observer and its statistics";
  let description = [{
    Returns its float input unchanged and marks it for calibration: the
    attributes are a PyTorch observer (`observer`, `dtype`, `qscheme`,
    `reduce_range`, optional `quant_min` / `quant_max`, `ch_axis` for
    per-channel observers, `averaging_constant` for the moving average) and,
    once calibrated (`qrun --calibrate`), what it collected: `min` and `max`
    (one value per tensor or per channel) and, for the histogram observer,
    its 2048-bin `histogram` over `[min, max]`. `qnn-insert-observers`
    places them from a qconfig, `qnn-propagate-scales` turns them into
    quantize / dequantize pairs with the scale and zero point PyTorch 1.13's
    observer would compute (docs/Calibration.md).

    `updates` (default 1) is how many times each calibration batch updates
    the observer. PyTorch 1.13's eager mode updates the observer of a fused
    module (ConvReLU1d/2d, LinearReLU: the output of a conv or linear with a
    fused relu) twice per forward: the observer is a child of the fused
    nn.Sequential, so it runs once as its last layer and once more as its
    forward hook. `qnn-insert-observers{workflow=eager}` records that as
    `updates = 2`, which changes what histogram and moving-average observers
    compute.

    An observer on a constant (a weight) needs no calibration data:
    `qnn-propagate-scales` observes the constant itself when no statistics
    are recorded.

    With `shares %root` (the result of another, unshared `qnn.observe`) it
    is the same observer again, as PyTorch's FX workflow calls one observer
    instance at several places (an operation that keeps its input's scale
    shares its input's observer; the inputs and the result of a cat share
    the first input's): each calibration batch updates the root's
    statistics with this value too, in program order, and
    `qnn-propagate-scales` quantizes it with the root's scale and zero
    point. A sharing observer has the root's settings and no statistics of
    its own. `qnn-insert-observers{workflow=fx}` places them.

    Example:

    ```mlir
    %y = qnn.observe %x {observer = #qnn.observer<histogram>,
                         dtype = #qnn.dtype<quint8>,
                         qscheme = #qnn.qscheme<per_tensor_affine>,
                         reduce_range} : tensor<1x100xf32>
    %p = qnn.max_pool %y {kernel_size = array<i64: 2>}
        : tensor<1x100xf32> -> tensor<1x50xf32>
    %z = qnn.observe %p shares %y : tensor<1x100xf32>
                         {observer = #qnn.observer<histogram>,
                          dtype = #qnn.dtype<quint8>,
                          qscheme = #qnn.qscheme<per_tensor_affine>,
                          reduce_range} : tensor<1x50xf32>
    ```
  }];
  let arguments = (ins
    QNN_FloatTensor:$input,
    Optional<QNN_FloatTensor>:$shares,
    QNN_ObserverAttr:$observer,
    QNN_DtypeAttr:$dtype,
    QNN_QschemeAttr:$qscheme,
    UnitAttr:$reduce_range,
    OptionalAttr<I64Attr>:$quant_min,
    OptionalAttr<I64Attr>:$quant_max,
    OptionalAttr<I64Attr>:$ch_axis,
    OptionalAttr<F32Attr>:$averaging_constant,
    OptionalAttr<I64Attr>:$updates,
    OptionalAttr<DenseF32ArrayAttr>:$min,
    OptionalAttr<DenseF32ArrayAttr>:$max,
    OptionalAttr<DenseF32ArrayAttr>:$histogram
  );
  let results = (outs QNN_FloatTensor:$result);
  let assemblyFormat =
      "$input (`shares` $shares^ `:` type($shares))? attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The observer whose statistics this one updates: itself, or the one
    /// it `shares`.
    ObserveOp getRoot();
    /// The observer's settings in the form lib/Support/Observers.h uses.
    ::qopt::ObserverConfig getConfig();
    /// The recorded statistics (empty when not calibrated).
    ::qopt::ObserverState getState();
    /// Records `state` in the attributes.
    void setState(const ::qopt::ObserverState &state);
  }];
}

#endif // QOPT_DIALECT_QNN_IR_QNNOPS_TD
