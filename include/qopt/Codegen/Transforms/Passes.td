//===- Passes.td - qopt code generation passes --------------*- tablegen -*-===//
//
// The code generation stage: quantized conv and linear to int8 kernels in
// NHWC layout, layout propagation, and the lowering of kernel calls.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_TRANSFORMS_PASSES_TD
#define QOPT_CODEGEN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QNNToKernels : Pass<"qnn-to-kernels"> {
  let summary = "Run conv, linear and pooling on qopt's kernels";
  let description = [{
    Replaces each quantized `qnn.conv` (1-D or 2-D, any groups) and rank-2
    `qnn.linear` whose weights are constants by a `qcg.ukernel` call of the
    convolution kernel of the chosen variant (`isa`), or of its depthwise
    kernel when groups = input channels = output channels: weights packed
    into the kernel's layout here, at compile time, and the per-channel
    requantization constants of rule R (or rule I with
    `requantization=integer`, rule O with `requantization=onednn`) are
    computed with the same operations as
    `convert-qnn-to-linalg` uses, so the results are the same bits. The
    kernel runs on NHWC storage: a convolution's input and result pass
    through `qnn.transpose` (NCHW to NHWC and back), which
    `qnn-propagate-layout` then moves and cancels between layers.

    Quantized `qnn.max_pool` and global `qnn.adaptive_avg_pool` (output
    size 1) run on NHWC pooling kernels the same way, with PyTorch's
    arithmetic (docs/Numerics.md), so the layout stays NHWC through them.

    Float `qnn.conv` and rank-2 `qnn.linear` with constant weights (the
    float model calibration runs) run on float kernels in NCHW that add
    every output's products in rule F's order: oneDNN's (blocks of input
    channels, FMA) or PyTorch's own, chosen from the shapes as PyTorch 1.13
    chooses (at run time when it depends on a dynamic batch); linear layers
    in the reference BLAS's order. Each vector lane performs one output's
    scalar sequence, so the results are the same bits.

    Left for `convert-qnn-to-linalg`: float and dynamic layers, weights that
    are not constants, spatial dimensions that are not static, per-axis
    quantized inputs or results, and layers whose int32 accumulator could
    overflow (that lowering reports them).

    Variants: `amx` (AMX-INT8 tiles, tdpbusd, on AVX2's layout; AVX-512's
    other kernels), `avx512vnni` (vpdpbusd on 512 bits), `avxvnni` (vpdpbusd on
    256 bits, AVX2's layout and its other kernels), `avx2` (vpmaddubsw + vpmaddwd on the
    same packed layout; bytes of 128 or more are clamped and their excess
    added back, or in rows of many such bytes split in two, so that no
    16-bit sum can saturate; where the weights' sums in groups of four,
    computed at compile time, allow it, two runs are added in 16 bits
    before widening), `generic`
    (portable C). Each computes the contract's
    integers exactly; qcc and qrun pick the fastest the target CPU has.

    Example:

    ```mlir
    %y = qnn.conv %x, %w, %b {padding = array<i64: 1, 1>}
        : (tensor<1x3x8x8x!act>, tensor<16x3x3x3x!w>, tensor<16xf32>)
        -> tensor<1x16x8x8x!out>
    // becomes
    %t = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : ...
    %s = quant.scast %t : tensor<1x8x8x3x!act> to tensor<1x8x8x3xi8>
    %r:2 = qcg.ukernel "qopt_qconv_avx2" ins(%desc, %s, %packed, %chan : ...)
        outs(%empty, %scratch : ...) scalars(%n : index) -> ...
    %q = quant.scast %r#0 : tensor<1x8x8x16xi8> to tensor<1x8x8x16x!out>
    %y = qnn.transpose %q {permutation = array<i64: 0, 3, 1, 2>} : ...
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "Kernel variant: generic, avx2, avxvnni, avx512vnni or amx">,
    Option<"requantization", "requantization", "std::string",
           /*default=*/"\"float\"",
           "Requantization: 'float' (rule R), 'onednn' (rule O) or "
           "'integer' (rule I)">,
    Option<"torchThreads", "torch-threads", "int64_t", /*default=*/"0",
           "PyTorch's intra-op thread count for the float convolutions' "
           "order (as convert-qnn-to-linalg); 0: PyTorch's default here">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect", "::qopt::qcg::QCGDialect"
  ];
}

def QNNPropagateLayout : Pass<"qnn-propagate-layout"> {
  let summary = "Move qnn.transpose past elementwise operations";
  let description = [{
    Rewrites `op(qnn.transpose(x))` as `qnn.transpose(op(x))` for the
    elementwise qnn operations (relu, clamp, quantize, dequantize,
    requantize, and add when both operands are transposed alike) and for
    `qnn.cat` of inputs transposed alike and `qnn.slice` (they then work on
    the input dimension the permutation moved to their `dim`), so that the NHWC-to-NCHW
    transpose after one kernel meets the NCHW-to-NHWC transpose before the
    next and the two fold away. Elementwise operations compute the same
    values in any layout; per-axis quantized types are left alone (their
    axis would move).

    Example:

    ```mlir
    %a = qnn.transpose %y {permutation = array<i64: 0, 3, 1, 2>} : ...
    %r = qnn.relu %a : tensor<1x16x8x8x!q>
    %b = qnn.transpose %r {permutation = array<i64: 0, 2, 3, 1>} : ...
    // becomes
    %b = qnn.relu %y : tensor<1x8x8x16x!q>
    ```
  }];
}

def QNNTransposeToKernels : Pass<"qnn-transpose-to-kernels"> {
  let summary = "Run the transposes at the edges of kernel runs on a kernel";
  let description = [{
    Replaces each `qnn.transpose` that swaps two blocks of dimensions after
    the batch (NCHW to NHWC is `[0, 2, 3, 1]`, NHWC to NCHW `[0, 3, 1, 2]`,
    and `[0, 2, 1]` for 1-D) by a call of the transpose kernel
    (`qopt_transpose_b1` for 8-bit quantized storage, `qopt_transpose_b4`
    for f32 and i32): every image's rows x cols matrix transposed in 8x8
    blocks. These are the transposes that `qnn-propagate-layout` leaves at
    the edges of a run of kernels; the linalg lowering would copy them one
    element at a time with strided loads or stores. Dimensions other than
    the batch must be static; other transposes are left to the linalg
    lowering.

    Example:

    ```mlir
    %t = qnn.transpose %x {permutation = array<i64: 0, 2, 3, 1>}
        : tensor<?x3x8x8x!q> -> tensor<?x8x8x3x!q>
    // becomes
    %s = quant.scast %x : tensor<?x3x8x8x!q> to tensor<?x3x8x8xi8>
    %n = tensor.dim %s, %c0 : tensor<?x3x8x8xi8>
    %e = tensor.empty(%n) : tensor<?x8x8x3xi8>
    %y = qcg.ukernel "qopt_transpose_b1" ins(%s : tensor<?x3x8x8xi8>)
        outs(%e : tensor<?x8x8x3xi8>)
        scalars(%n, %c3, %c64 : index, index, index) -> tensor<?x8x8x3xi8>
    %t = quant.scast %y : tensor<?x8x8x3xi8> to tensor<?x8x8x3x!q>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect", "::qopt::qcg::QCGDialect"
  ];
}

def QCGLowerUKernels : Pass<"qcg-lower-ukernels", "::mlir::ModuleOp"> {
  let summary = "Turn qcg.ukernel on memrefs into calls of C functions";
  let description = [{
    Each `qcg.ukernel` on memrefs becomes a `func.call` of a private
    function declaration named after the kernel, with one `!llvm.ptr` per
    memref (the address of its first element) and one `i64` per scalar, the
    signature of the kernel's C function. Runs after bufferization; the
    kernels' definitions are linked in from qopt's kernel library when the
    module is translated to LLVM IR (qcc, qrun).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect"
  ];
}

#endif // QOPT_CODEGEN_TRANSFORMS_PASSES_TD
