//===- Passes.td - qnn graph transformations ---------------*- tablegen -*-===//
//
// Graph rewrites on qnn IR: BatchNorm folding and activation fusion.
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
  }];
}

#endif // QOPT_DIALECT_QNN_TRANSFORMS_PASSES_TD
