//===- Passes.td - qopt conversion passes ------------------*- tablegen -*-===//
//
// Conversions out of the qnn dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CONVERSION_PASSES_TD
#define QOPT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQNNToLinalg : Pass<"convert-qnn-to-linalg"> {
  let summary = "Lower float qnn operations to linalg on tensors";
  let description = [{
    Rewrites every float qnn operation into linalg, tensor, arith and math
    operations on tensors:

    - conv: the bias initializes the accumulator, and the products are added
      in the order PyTorch 1.13 adds them (docs/Numerics.md, rule F), chosen
      from the shapes as PyTorch's dispatch chooses (an `scf.if` on the
      batch size when it is dynamic): oneDNN's order, one `linalg.generic`
      over (batch, group, channel, spatial..., channel block, kernel...,
      channel in block) whose step is `math.fma`, input channels zero-padded
      to blocks of 8; or, for a single small image with groups = 1,
      PyTorch's own order, `linalg.conv_1d_ncw_fcw` /
      `linalg.conv_2d_nchw_fchw` on a zero-padded input;
    - linear: a `linalg.generic` contraction over `K` from zero, then the
      bias added (the order of PyTorch's addmm over the reference BLAS, so
      float results equal Debian's PyTorch bit for bit);
    - max and average pooling: `linalg.pooling_ncw_*` / `linalg.pooling_nchw_*`
      on a padded input (-inf for max, 0 for average), average pooling then
      divides by PyTorch's per-window divisor (static spatial sizes only);
      adaptive average pooling: a `linalg.generic` contraction with the
      per-dimension averaging matrices, except to size 1 (global pooling,
      rows of up to 4096 elements), which is PyTorch's `torch.mean`: each
      row's cascade sum written out element by element, then divided;
    - relu, clamp, fused activations, batch_norm and add: elementwise
      `linalg.generic`;
    - reshape: `tensor.reshape`; flatten: `tensor.collapse_shape`; the
      quant_stub / dequant_stub markers: their operand.

    Quantized operations (quantize, dequantize, requantize, static conv and
    linear, relu, clamp, add, max, average and adaptive average pooling,
    reshape, flatten) lower to linalg on
    their storage integers with int32 accumulation, with the arithmetic of
    docs/Numerics.md: the zero-point term `zx * sum(w)` is folded into the
    accumulator's initial value at compile time for constant weights, and
    the requantization epilogue is FBGEMM's float path (bias / (sx * sw),
    multiplier (sx * sw) / sy, round half to even, zero point, clamp; relu
    and relu6 clamp at the zero point and Q(6)). Function signatures change
    to the storage types. The poolings follow PyTorch's quantized kernels.
    Dynamic linear (float input and result, quantized weight) computes its
    input's scale and zero point at run time (rule C) and returns float.

    With `requantization=integer` the conv and linear epilogue is
    integer-only instead (docs/Numerics.md, rule I): a float bias becomes
    the int32 `roundeven(bias / (sx * sw[c]))` at compile time and the
    multiplier an int32 fixed-point `m * 2^-31` with a shift, applied with
    gemmlowp's rounding doubling high multiply and rounding right shift.

    With `requantization=onednn` it is the float epilogue of PyTorch's
    onednn engine (docs/Numerics.md, rule O): `bias * ((1 / sx) * (1 /
    sw[c]))` joins the accumulator, the multiplier is `(1 / sy) / ((1 / sx)
    * (1 / sw[c]))`, and the zero point is added before rounding. Dynamic
    linear then follows onednn too: `1 / sx` from rule C's unrounded scale,
    the input's zero point added before rounding, and the same epilogue
    with `1 / sy = 1`.
  }];
  let options = [
    Option<"requantization", "requantization", "std::string",
           /*default=*/"\"float\"",
           "Requantization of quantized conv and linear: 'float' (rule R, "
           "FBGEMM's arithmetic), 'onednn' (rule O, PyTorch's onednn "
           "engine) or 'integer' (rule I, int32 multiplier and shift)">,
    Option<"torchThreads", "torch-threads", "int64_t", /*default=*/"0",
           "PyTorch's intra-op thread count, which decides the order of some "
           "float 1x1 convolutions (docs/Numerics.md, rule F); 0: PyTorch's "
           "default on this host (OMP_NUM_THREADS, else half the hardware "
           "threads)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def MemRefCopyToLinalg : Pass<"qopt-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    memref.copy between buffers that are not both contiguous lowers to a
    call of `memrefCopy` from MLIR's C runner utilities, which compiled qopt
    models would then need at run time. As linalg.copy it becomes plain loops
    with the rest of the linalg code.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // QOPT_CONVERSION_PASSES_TD
