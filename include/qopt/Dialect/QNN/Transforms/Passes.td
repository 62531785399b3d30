//===- Passes.td - qnn graph transformations ---------------*- tablegen -*-===//
//
// Graph rewrites on qnn IR: BatchNorm folding, activation fusion,
// observers and quantization.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD
#define QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QNNFoldBatchNorm : Pass<"qnn-fold-batchnorm"> {
  let summary = "Fold inference batch_norm into the conv or linear before it";
  let description = [{
    A `qnn.batch_norm` whose input is the only use of a float `qnn.conv`
    (1-D or 2-D, any groups, with or without bias) or a rank-2 `qnn.linear`
    without a fused activation becomes that conv or linear with new constant
    weight and bias, per output channel `c`:

    ```
    r  = 1 / sqrt(var[c] + epsilon)
    w' = w[c] * (gamma[c] * r)                   conv
    b' = ((b[c] - mean[c]) * r) * gamma[c] + beta[c]
    s  = gamma[c] * r;  w' = w[c] * s;  b' = (b[c] - mean[c]) * s + beta[c]   linear
    ```

    in float32, in the order of PyTorch's `fuse_conv_bn_weights` and
    `fuse_linear_bn_weights`, so the folded weights equal PyTorch's bit for
    bit. Weights and BatchNorm parameters must be constants (dense or
    dense_resource); folded tensors of 1024 elements or more are stored as
    dense_resource blobs. A batch_norm that cannot be folded stays as it is
    and remains a correct standalone op.

    Example:

    ```mlir
    %c = qnn.conv %x, %w, %b : ... -> tensor<1x8x26x26xf32>
    %n = qnn.batch_norm %c, %g, %beta, %m, %v : ...
    // becomes
    %n = qnn.conv %x, %w_folded, %b_folded : ... -> tensor<1x8x26x26xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QNNFuse : Pass<"qnn-fuse"> {
  let summary = "Fuse relu and relu6 into the conv, linear or add before them";
  let description = [{
    `qnn.relu` of a `qnn.conv`, `qnn.linear` or `qnn.add` without a fused
    activation becomes that op with `activation = relu`; `qnn.clamp` with
    bounds exactly 0 and 6 becomes `activation = relu6`. The rewrite happens
    only when the pre-activation value has no other user. It is exact in both
    domains: a quantized relu keeps its input's scale, and clamping the
    requantized result at the zero point (or at Q(6)) is what the separate
    op computes. The pass also applies the qnn canonicalizations.

    Before calibration (`qrun --qconfig`) the pass runs with `relu6=false`:
    PyTorch's eager `fuse_modules` fuses conv and linear with ReLU but not
    with ReLU6, and FX's x86 backend gives ReLU6 its input's observer, so
    PyTorch observes the conv's output before the clamp and the quantized
    ReLU6 keeps that scale. Fused, qopt would observe the clamped values
    and choose another scale.
  }];
  let options = [
    Option<"fuseRelu6", "relu6", "bool", /*default=*/"true",
           "Also fuse qnn.clamp with bounds 0 and 6 (relu6)">
  ];
}

def QNNInsertObservers : Pass<"qnn-insert-observers", "::mlir::func::FuncOp"> {
  let summary = "Place qnn.observe operations from a qconfig";
  let description = [{
    Marks the values a statically quantized model needs scales for, as
    PyTorch's `prepare` attaches observers: the output of every
    `qnn.quant_stub`, the output of every conv, linear, add (after its
    fused activation: run `qnn-fuse` first), mul, cat (FloatFunctional's
    observers) and hardswish (nn.Hardswish's), and the constant weight of
    every conv and linear. Operations that keep their input's scale (relu,
    clamp, pooling, reshape, flatten, transpose, slice) get none, nor does
    hardsigmoid (its quantized result type is fixed, as in PyTorch). Only the quantized region is
    observed: the values computed from a `qnn.quant_stub` up to a
    `qnn.dequant_stub`; a function without stubs is one region from its
    arguments to its results. A `qnn.batch_norm` inside the region is an
    error (fold it first), as is an operation with no quantized form. Values
    already observed are left alone.

    `qconfig` names PyTorch 1.13's presets (docs/Calibration.md):

    | qconfig | activations | weights |
    |---|---|---|
    | `x86`, `fbgemm` | histogram, quint8, per tensor affine, reduce_range | per_channel_minmax, qint8, per channel symmetric |
    | `default` | minmax, quint8, per tensor affine, range 0..127 | minmax, qint8, per tensor symmetric |
    | `qnnpack` | histogram, quint8, per tensor affine | minmax, qint8, per tensor symmetric |
    | `onednn` | histogram, quint8, per tensor affine | per_channel_minmax, qint8, per channel symmetric |

    The other options override one setting of the preset.

    `workflow` names the PyTorch workflow whose calibration to reproduce.
    With `eager` (the default: QuantStub / DeQuantStub, `fuse_modules`,
    `prepare`) the observer of a conv or linear with a fused relu gets
    `updates = 2`, because eager mode runs a fused module's observer twice
    per forward (see qnn.observe). With `fx` (`prepare_fx` with the x86
    backend config) every observer is updated once per call, but one
    observer instance is called at several places, each a `qnn.observe`
    that `shares` the first: the output of pooling, relu, clamp (relu6,
    hardtanh), flatten, reshape and transpose calls its input's observer;
    a cat makes its other inputs' observers and its own call its first
    input's (and leaves its result unobserved when an input has none); an
    operation marked `qnn.fx_own_observer` (the frontend's nn.Flatten, which
    prepare_fx leaves float) gets an observer of its own.
  }];
  let options = [
    Option<"qconfig", "qconfig", "std::string", /*default=*/"\"x86\"",
           "PyTorch qconfig preset: x86, fbgemm, default, qnnpack, onednn">,
    Option<"activationObserver", "activation-observer", "std::string",
           /*default=*/"\"\"",
           "Override the activation observer: minmax, moving_average_minmax, "
           "histogram">,
    Option<"weightObserver", "weight-observer", "std::string",
           /*default=*/"\"\"",
           "Override the weight observer: minmax (per tensor symmetric) or "
           "per_channel_minmax (per channel symmetric)">,
    Option<"reduceRange", "reduce-range", "std::string", /*default=*/"\"\"",
           "Override the activations' reduce_range: true or false">,
    Option<"averagingConstant", "averaging-constant", "float",
           /*default=*/"0.01f",
           "Averaging constant of moving_average_minmax activations">,
    Option<"workflow", "workflow", "std::string", /*default=*/"\"eager\"",
           "PyTorch workflow whose calibration to reproduce: eager or fx">,
  ];
  let dependentDialects = ["::qopt::qnn::QNNDialect"];
}

def QNNPropagateScales : Pass<"qnn-propagate-scales"> {
  let summary = "Turn calibrated observers into quantize / dequantize pairs";
  let description = [{
    Computes, from each `qnn.observe`'s statistics, the scale and zero point
    PyTorch 1.13's observer would (the histogram observer's L2 search, then
    `_calculate_qparams` in float32) and replaces the observation point by
    `qnn.quantize` to that type followed by `qnn.dequantize`. An observed
    constant (a weight) is quantized at compile time instead: an i8 / u8
    `arith.constant`, `quant.scast` to the quantized type and
    `qnn.dequantize`. An observer on a constant without statistics observes
    the constant itself; any other observer without statistics is an error
    (calibrate first).

    With `explain`, every chosen scale is reported as a remark naming the
    observer, its settings, the observed and chosen ranges and the rule.
    Operations that keep the scale (relu, clamp, pooling, reshape, flatten)
    need nothing: `qnn-quantize` carries the scale through them.
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Report each chosen scale and zero point as a remark">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
    "::qopt::qnn::QNNDialect",
  ];
}

def QNNQuantize : Pass<"qnn-quantize"> {
  let summary = "Rewrite quantize / dequantize pairs into quantized operations";
  let description = [{
    After `qnn-propagate-scales`, every observed float value is wrapped in
    `qnn.quantize` + `qnn.dequantize`. This pass moves the operations between
    such pairs into the quantized domain:

    - conv / linear whose input and weight are dequantized and whose result
      is quantized become quantized conv / linear (float bias, fused
      activation kept);
    - add of two dequantized values with a quantized result becomes a
      quantized add (it requantizes both inputs);
    - cat, mul and hardswish of dequantized values of the storage type of
      their quantized result become quantized (a cat requantizes inputs of
      another scale);
    - hardsigmoid of a dequantized value becomes a quantized hardsigmoid
      with PyTorch's fixed result type (scale 1/256, zero point 0 for u8,
      -128 for i8) and a dequantize: it needs no observer;
    - relu, clamp, max / average / adaptive average pooling, reshape,
      flatten, transpose and slice of a dequantized value run on the
      quantized value with its scale and zero point; an adaptive average
      pooling whose input comes from a 2-D conv (channels-last in PyTorch)
      gets `centered`, PyTorch's NHWC rounding; one marked `float_mean`
      (PyTorch's mean, computed in float) stays float;
    - `quantize(dequantize(q))` to another type becomes `qnn.requantize`
      (where two scales meet), to the same type `q`.

    What is left are `qnn.quantize` where float values enter the quantized
    region and `qnn.dequantize` where they leave it; operations outside stay
    float.
  }];
  let dependentDialects = ["::qopt::qnn::QNNDialect"];
}

def QNNQuantizeDynamic : Pass<"qnn-quantize-dynamic"> {
  let summary = "Dynamic quantization of linear layers (PyTorch quantize_dynamic)";
  let description = [{
    Every float `qnn.linear` with a constant weight gets an int8 weight,
    quantized at compile time with PyTorch's dynamic weight observer
    (minmax, qint8, per tensor symmetric; per channel symmetric with
    `per-channel`), and becomes a dynamically quantized linear: its input's
    scale and zero point are chosen at run time from each batch's range
    (rule C of docs/Numerics.md), its output stays float. With
    `qconfig=x86` (also `fbgemm`, `onednn`) the input range is halved
    (`reduce_range`), as PyTorch's x86 backend does; `qnnpack` keeps the full
    range.
  }];
  let options = [
    Option<"qconfig", "qconfig", "std::string", /*default=*/"\"x86\"",
           "x86, fbgemm, onednn (reduce_range) or qnnpack">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"false",
           "Per-channel weight scales (per_channel_dynamic_qconfig)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
  ];
}

def QNNExposeLayers : Pass<"qnn-expose-layers", "::mlir::func::FuncOp"> {
  let summary = "Return every layer's input, output and weight (numeric suite)";
  let description = [{
    For each conv, linear and add of the function, in order, appends to the
    function's results the layer's output, its input(s) and (conv, linear)
    its weight, each as float (`qnn.dequantize` of quantized values). The
    function's `qnn.layers` attribute lists the layers as
    `"<kind>:<name>"` strings (the name from the op's location) in that
    order, so a tool can match the layers of a float model and of its
    quantized form and compare them (tools/qnumeric).
  }];
  let dependentDialects = ["::qopt::qnn::QNNDialect"];
}

def QNNExtractLayer : Pass<"qnn-extract-layer", "::mlir::ModuleOp"> {
  let summary = "Keep one layer as a function of float inputs (numeric suite)";
  let description = [{
    Replaces the module's functions by `@layer`: the `index`-th conv, linear
    or add of the (single) function, fed float inputs that it quantizes to
    the layer's input types, with its weights and bias, returning its output
    dequantized. Running it on a float model's activations measures the
    layer's own quantization error (the numeric suite's shadow comparison).
  }];
  let options = [
    Option<"index", "index", "unsigned", /*default=*/"0",
           "Which conv / linear / add, counting from 0 in program order">,
  ];
  let dependentDialects = ["::qopt::qnn::QNNDialect"];
}

#endif // QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD
