#!/usr/bin/python3
"""Float models for qopt's integration tests, built and run with PyTorch.

    torch_models.py MODEL OUTDIR

writes OUTDIR/model.mlir (the model as qnn IR, weights as dense_resource
blobs), OUTDIR/input.npy and OUTDIR/expected.npy (PyTorch's output on that
input). Weights, BatchNorm statistics and inputs come from fixed seeds.

The IR writer here handles only the layers these tests use and is a test
utility: the user-facing PyTorch frontend is a separate piece.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)


def tensor_type(shape, dtype="f32"):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + dtype + ">"


class Writer:
    """Emits qnn IR op by op while running the same layers in PyTorch."""

    def __init__(self, x):
        self.lines = []
        self.blobs = {}
        self.count = 0
        self.x = x  # the PyTorch value of the current SSA value
        self.value = "%input"
        self.input_type = tensor_type(x.shape)

    def fresh(self):
        self.count += 1
        return "%v" + str(self.count)

    def constant(self, t):
        t = t.detach().contiguous().to(torch.float32)
        name = "blob" + str(len(self.blobs))
        # A dense_resource blob: 4-byte alignment, then the raw data.
        self.blobs[name] = "0x04000000" + t.numpy().tobytes().hex()
        v = self.fresh()
        self.lines.append("%s = arith.constant dense_resource<%s> : %s"
                          % (v, name, tensor_type(t.shape)))
        return v, tensor_type(t.shape)

    def emit(self, y, text):
        """Records `text` (an op producing y) and moves on to y."""
        v = self.fresh()
        self.lines.append(v + " = " + text)
        self.x, self.value = y, v
        return v

    def types(self, *values):
        return ", ".join(values)

    def conv(self, m):
        y = m(self.x)
        w, wt = self.constant(m.weight)
        operands, types = [self.value, w], [tensor_type(self.x.shape), wt]
        if m.bias is not None:
            b, bt = self.constant(m.bias)
            operands.append(b)
            types.append(bt)
        attrs = ["strides = array<i64: %s>" % ", ".join(map(str, m.stride)),
                 "padding = array<i64: %s>" % ", ".join(map(str, m.padding)),
                 "dilation = array<i64: %s>" % ", ".join(map(str, m.dilation)),
                 "groups = %d : i64" % m.groups]
        return self.emit(y, "qnn.conv %s {%s} : (%s) -> %s" % (
            ", ".join(operands), ", ".join(attrs), ", ".join(types),
            tensor_type(y.shape)))

    def linear(self, m):
        y = m(self.x)
        w, wt = self.constant(m.weight)
        b, bt = self.constant(m.bias)
        return self.emit(y, "qnn.linear %s, %s, %s : (%s, %s, %s) -> %s" % (
            self.value, w, b, tensor_type(self.x.shape), wt, bt,
            tensor_type(y.shape)))

    def batch_norm(self, m):
        y = m(self.x)
        params = [self.constant(t) for t in
                  (m.weight, m.bias, m.running_mean, m.running_var)]
        return self.emit(y, "qnn.batch_norm %s, %s {epsilon = %.9e : f32} : "
                         "(%s, %s) -> %s" % (
                             self.value, ", ".join(p[0] for p in params),
                             float(m.eps), tensor_type(self.x.shape),
                             ", ".join(p[1] for p in params),
                             tensor_type(y.shape)))

    def unary(self, y, op, attrs=""):
        return self.emit(y, "qnn.%s %s %s: %s" % (
            op, self.value, attrs, tensor_type(y.shape)))

    def relu(self):
        return self.unary(torch.relu(self.x), "relu")

    def relu6(self):
        return self.unary(nn.functional.relu6(self.x), "clamp",
                          "{min = 0.0 : f32, max = 6.0 : f32} ")

    def pool(self, m):
        y = m(self.x)
        n = self.x.dim() - 2
        as_list = lambda v: list(v) if isinstance(v, (tuple, list)) else [v] * n
        attrs = ["kernel_size = array<i64: %s>" % ", ".join(map(str, as_list(m.kernel_size))),
                 "strides = array<i64: %s>" % ", ".join(map(str, as_list(m.stride))),
                 "padding = array<i64: %s>" % ", ".join(map(str, as_list(m.padding))),
                 "ceil_mode = %s" % ("true" if m.ceil_mode else "false")]
        if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d)):
            op = "max_pool"
            attrs.append("dilation = array<i64: %s>" % ", ".join(map(str, as_list(m.dilation))))
        else:
            op = "avg_pool"
            attrs.append("count_include_pad = %s" % ("true" if m.count_include_pad else "false"))
        return self.emit(y, "qnn.%s %s {%s} : %s -> %s" % (
            op, self.value, ", ".join(attrs), tensor_type(self.x.shape),
            tensor_type(y.shape)))

    def adaptive_avg_pool(self, m):
        y = m(self.x)
        return self.emit(y, "qnn.adaptive_avg_pool %s : %s -> %s" % (
            self.value, tensor_type(self.x.shape), tensor_type(y.shape)))

    def flatten(self):
        y = torch.flatten(self.x, 1)
        return self.emit(y, "qnn.flatten %s : %s -> %s" % (
            self.value, tensor_type(self.x.shape), tensor_type(y.shape)))

    def reshape(self, shape):
        y = self.x.reshape(shape)
        return self.emit(y, "qnn.reshape %s : %s -> %s" % (
            self.value, tensor_type(self.x.shape), tensor_type(y.shape)))

    def add(self, other_value, other_x, relu=False):
        y = self.x + other_x
        if relu:
            y = torch.relu(y)
        t = tensor_type(y.shape)
        return self.emit(y, "qnn.add %s, %s%s : (%s, %s) -> %s" % (
            self.value, other_value,
            " {activation = #qnn.activation<relu>}" if relu else "", t, t, t))

    def module(self):
        out = ["func.func @model(%%input: %s) -> %s {" % (
            self.input_type, tensor_type(self.x.shape))]
        out += ["  " + line for line in self.lines]
        out.append("  return %s : %s" % (self.value, tensor_type(self.x.shape)))
        out.append("}")
        out.append("{-#")
        out.append("  dialect_resources: {")
        out.append("    builtin: {")
        out.append(",\n".join('      %s: "%s"' % kv for kv in self.blobs.items()))
        out.append("    }")
        out.append("  }")
        out.append("#-}")
        return "\n".join(out) + "\n"


def randomize_bn(m):
    """Non-trivial inference statistics, so that folding has work to do."""
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)
    return m


def cnn2d(w):
    """conv2d + batch_norm + relu + pool, a depthwise block, then linear."""
    w.conv(nn.Conv2d(1, 8, 3, padding=1)); w.batch_norm(randomize_bn(nn.BatchNorm2d(8).eval())); w.relu()
    w.pool(nn.MaxPool2d(2))
    w.conv(nn.Conv2d(8, 8, 3, padding=1, groups=8)); w.batch_norm(randomize_bn(nn.BatchNorm2d(8).eval())); w.relu6()
    w.conv(nn.Conv2d(8, 16, 3, stride=2, bias=False)); w.batch_norm(randomize_bn(nn.BatchNorm2d(16).eval())); w.relu()
    w.pool(nn.AvgPool2d(2, ceil_mode=True))
    w.flatten()
    w.linear(nn.Linear(w.x.shape[1], 10))


def cnn1d(w):
    """The keyword-spotting shape: conv1d k80 s4, conv1d blocks, global pool."""
    w.conv(nn.Conv1d(1, 32, 80, stride=4)); w.batch_norm(randomize_bn(nn.BatchNorm1d(32).eval())); w.relu()
    w.pool(nn.MaxPool1d(4))
    w.conv(nn.Conv1d(32, 32, 3)); w.batch_norm(randomize_bn(nn.BatchNorm1d(32).eval())); w.relu()
    w.pool(nn.MaxPool1d(4))
    w.conv(nn.Conv1d(32, 64, 3, groups=2)); w.batch_norm(randomize_bn(nn.BatchNorm1d(64).eval())); w.relu()
    w.pool(nn.MaxPool1d(2, ceil_mode=True))
    w.conv(nn.Conv1d(64, 64, 3, padding=1, dilation=2)); w.relu()
    w.adaptive_avg_pool(nn.AdaptiveAvgPool1d(1))
    w.flatten()
    w.linear(nn.Linear(64, 10))


def mlp(w):
    """Linear + BatchNorm1d + relu, twice, then linear."""
    w.flatten()
    w.linear(nn.Linear(784, 100)); w.batch_norm(randomize_bn(nn.BatchNorm1d(100).eval())); w.relu()
    w.linear(nn.Linear(100, 100)); w.relu()
    w.linear(nn.Linear(100, 10))


def ops(w):
    """The remaining lowerings: a grouped dilated conv, padded and ceil-mode
    pooling, residual add, reshape, adaptive pooling to a non-divisor
    size."""
    w.conv(nn.Conv2d(3, 6, 3, padding=1))
    skip_value, skip_x = w.value, w.x
    w.relu()
    w.conv(nn.Conv2d(6, 6, 3, padding=2, dilation=2, groups=3))
    w.conv(nn.Conv2d(6, 6, 1))
    w.add(skip_value, skip_x, relu=True)
    w.pool(nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False))
    w.pool(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True))
    w.pool(nn.MaxPool2d(2, stride=1, padding=1, ceil_mode=True))
    w.adaptive_avg_pool(nn.AdaptiveAvgPool2d((3, 2)))
    w.reshape((w.x.shape[0], -1))
    w.linear(nn.Linear(w.x.shape[1], 5))


def large(w):
    """About 1.2 million parameters, for benchmarks/compile_time.sh."""
    w.conv(nn.Conv2d(3, 64, 3, padding=1)); w.batch_norm(randomize_bn(nn.BatchNorm2d(64).eval())); w.relu()
    w.conv(nn.Conv2d(64, 128, 3, stride=2, padding=1)); w.batch_norm(randomize_bn(nn.BatchNorm2d(128).eval())); w.relu()
    w.pool(nn.MaxPool2d(2))
    w.conv(nn.Conv2d(128, 256, 3, padding=1)); w.batch_norm(randomize_bn(nn.BatchNorm2d(256).eval())); w.relu()
    w.adaptive_avg_pool(nn.AdaptiveAvgPool2d(1))
    w.flatten()
    w.linear(nn.Linear(256, 1024)); w.batch_norm(randomize_bn(nn.BatchNorm1d(1024).eval())); w.relu()
    w.linear(nn.Linear(1024, 512)); w.relu()
    w.linear(nn.Linear(512, 10))


MODELS = {
    "cnn2d": (cnn2d, (4, 1, 28, 28)),
    "cnn1d": (cnn1d, (4, 1, 784)),
    "mlp": (mlp, (4, 1, 28, 28)),
    "ops": (ops, (2, 3, 13, 11)),
    "large": (large, (1, 3, 32, 32)),
}


def main():
    name, outdir = sys.argv[1], sys.argv[2]
    build, shape = MODELS[name]
    os.makedirs(outdir, exist_ok=True)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    writer = Writer(x)
    with torch.no_grad():
        build(writer)
    with open(os.path.join(outdir, "model.mlir"), "w") as f:
        f.write(writer.module())
    np.save(os.path.join(outdir, "input.npy"), x.numpy())
    np.save(os.path.join(outdir, "expected.npy"), writer.x.numpy())


if __name__ == "__main__":
    main()
