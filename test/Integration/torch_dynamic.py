#!/usr/bin/python3
"""qopt's dynamic quantization against PyTorch 1.13's quantize_dynamic.

    torch_dynamic.py QRUN WORKDIR

1. Rule C: the numpy reference's choice of scale and zero point (the one
   quant_cases.py checks qopt against bit for bit) equals PyTorch's own
   ChooseQuantizationParams (torch._choose_qparams_per_tensor) on ranges at
   the rule's edges, with and without reduce_range.
2. An MLP 784-100-100-10 with ReLUs, dynamically quantized by PyTorch
   (per-tensor and per-channel weights), is written as qnn IR with the same
   int8 weights and run by qrun; every output must equal PyTorch's bit for
   bit. qnnpack computes rule C, rule Q and the float epilogue as qopt's
   default does; it ignores reduce_range (PyTorch warns), so its model is
   compiled without it. onednn honours reduce_range (x86's default),
   quantizes the input with the zero point added before rounding and has
   its own float epilogue: qrun --requantization=onednn
   (docs/Numerics.md, "Dynamic linear and rule C").
3. The float MLP through `qopt --qnn-quantize-dynamic` (qnnpack; x86 per
   tensor and per channel, run with --requantization=onednn): qopt's own
   int8 weights must reproduce the results of 2. bit for bit.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
from torch.ao.quantization import (default_dynamic_qconfig,
                                   per_channel_dynamic_qconfig,
                                   quantize_dynamic)

sys.path.insert(0, os.path.dirname(__file__))
from quant_cases import choose_qparams, dense, qtype, qtype_axis, tt  # noqa

warnings.filterwarnings("ignore")
torch.manual_seed(0)


def check_rule_c():
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal(50) * s for s in (1e-9, 1e-6, 1e-5, 1e-3, 1, 1e3, 1e7)]
    inputs += [rng.uniform(0, 1e-6, 20), -rng.uniform(0, 1e-6, 20),
               rng.uniform(1, 5, 20), -rng.uniform(1, 5, 20), np.zeros(8),
               np.array([-1e-30, 1e-30]), np.array([3.0, 3.0]),
               np.array([-0.3, 12.7]), np.array([-12.7, 0.3]),
               # The zero points from either end round apart (see
               # quant_cases.py, dynamic_zero_point_tie_*).
               np.array([-1.1811023270524856e-08, 9.881856612992124e-07]),
               np.array([-3.9411764873875654e-07, 6.058823487364862e-07])]
    inputs += [rng.uniform(-a, b, 64) for a, b in rng.uniform(0, 10, (40, 2))]
    count = mismatches = 0
    for x in inputs:
        x = x.astype(np.float32)
        for reduce_range in (True, False):
            scale, zp = torch._choose_qparams_per_tensor(torch.from_numpy(x),
                                                         reduce_range)
            ours = choose_qparams(x.min(), x.max(), 0,
                                  127 if reduce_range else 255)
            count += 1
            if ours != (np.float32(scale), zp):
                mismatches += 1
                print("rule C differs on [%r, %r] reduce_range=%s: torch %r, "
                      "reference %r" % (float(x.min()), float(x.max()),
                                        reduce_range, (scale, zp), ours))
    print("rule C: %d ranges, %d differ from torch" % (count, mismatches))
    return mismatches == 0


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 100)
        self.fc2 = torch.nn.Linear(100, 100)
        self.fc3 = torch.nn.Linear(100, 10)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def layer_ir(i, layer, value, batch, reduce_range, relu):
    """IR lines of one dynamically quantized Linear from PyTorch's weights."""
    w = layer.weight()
    wq = w.int_repr().numpy()
    if w.qscheme() == torch.per_tensor_affine:
        w_t = qtype("i8", w.q_scale(), w.q_zero_point())
    else:
        w_t = qtype_axis("i8", w.q_per_channel_scales().numpy(),
                         w.q_per_channel_zero_points().numpy())
    o, k = wq.shape
    attrs = ["activation = #qnn.activation<%s>" % ("relu" if relu else "none")]
    if reduce_range:
        attrs.append("reduce_range")
    return [
        "  %%w%d_i8 = arith.constant %s" % (i, dense(wq, "i8")),
        "  %%w%d = quant.scast %%w%d_i8 : %s to %s" % (
            i, i, tt([o, k], "i8"), tt([o, k], w_t)),
        "  %%b%d = arith.constant %s" % (i, dense(layer.bias().detach().numpy(), "f32")),
        "  %%y%d = qnn.linear %s, %%w%d, %%b%d {%s} : (%s, %s, %s) -> %s" % (
            i, value, i, i, ", ".join(attrs), tt([batch, k], "f32"),
            tt([o, k], w_t), tt([o], "f32"), tt([batch, o], "f32"))], o


def function_ir(name, layers, batch, reduce_range, last_relu=False):
    lines, value = [], "%x"
    k = layers[0].weight().shape[1]
    for i, layer in enumerate(layers):
        relu = i + 1 < len(layers) or last_relu
        body, o = layer_ir(i, layer, value, batch, reduce_range, relu)
        lines += body
        value = "%%y%d" % i
    return "\n".join(["func.func @%s(%%x: %s) -> %s {" % (
        name, tt([batch, k], "f32"), tt([batch, o], "f32"))] + lines +
        ["  return %s : %s" % (value, tt([batch, o], "f32")), "}"]) + "\n"


def float_mlp_ir(model, batch):
    """The float MLP as qnn IR, weights as dense_resource blobs."""
    lines, blobs, value = [], {}, "%x"
    layers = [model.fc1, model.fc2, model.fc3]
    for i, layer in enumerate(layers):
        for name, t in (("w%d" % i, layer.weight), ("b%d" % i, layer.bias)):
            a = t.detach().numpy().astype(np.float32)
            blobs[name] = "0x04000000" + a.tobytes().hex()
            lines.append("  %%%s = arith.constant dense_resource<%s> : %s" % (
                name, name, tt(list(a.shape), "f32")))
        o, k = layer.weight.shape
        act = "relu" if i + 1 < len(layers) else "none"
        lines.append("  %%y%d = qnn.linear %s, %%w%d, %%b%d {activation = #qnn.activation<%s>} : (%s, %s, %s) -> %s" % (
            i, value, i, i, act, tt([batch, k], "f32"), tt([o, k], "f32"),
            tt([o], "f32"), tt([batch, o], "f32")))
        value = "%%y%d" % i
    return "\n".join(
        ["func.func @mlp(%%x: %s) -> %s {" % (tt([batch, 784], "f32"), tt([batch, 10], "f32"))]
        + lines + ["  return %s : %s" % (value, tt([batch, 10], "f32")), "}",
                   "{-#", "  dialect_resources: {", "    builtin: {",
                   ",\n".join('      %s: "%s"' % kv for kv in blobs.items()),
                   "    }", "  }", "#-}"]) + "\n"


def run(qrun, base, ir, x, engine):
    """qrun on `ir` with the requantization of PyTorch's `engine`."""
    with open(base + ".mlir", "w") as f:
        f.write(ir)
    np.save(base + ".in.npy", x)
    flags = ["--requantization=onednn"] if engine == "onednn" else []
    subprocess.run([qrun, base + ".mlir", "-i", base + ".in.npy", "-o",
                    base + ".out.npy"] + flags, check=True)
    return np.load(base + ".out.npy")


def report(name, actual, expected):
    diff = actual - expected
    rel = np.abs(diff).max() / np.abs(expected).max()
    print("%-40s %5d outputs, %6.2f%% bit-equal, relative difference %.2e "
          "(max), %.2e (norm)" % (
              name, expected.size, 100.0 * (actual == expected).mean(), rel,
              np.linalg.norm(diff) / np.linalg.norm(expected)))
    return rel


def main():
    qrun, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    ok = check_rule_c()
    model = MLP().eval()
    x = torch.rand(64, 784) * 2 - 0.5
    for engine, reduce_range in (("onednn", True), ("qnnpack", False)):
        torch.backends.quantized.engine = engine
        for label, qconfig in (("per_tensor", default_dynamic_qconfig),
                               ("per_channel", per_channel_dynamic_qconfig)):
            if engine == "qnnpack" and label == "per_channel":
                continue  # qnnpack's dynamic linear is per tensor only
            quantized = quantize_dynamic(model, {torch.nn.Linear: qconfig},
                                         dtype=torch.qint8)
            name = "mlp_dynamic_%s_%s" % (engine, label)
            layers = [quantized.fc1, quantized.fc2, quantized.fc3]
            actual = run(qrun, os.path.join(workdir, name),
                         function_ir("mlp", layers, 64, reduce_range),
                         x.numpy(), engine)
            rel = report(name, actual, quantized(x).detach().numpy())
            ok = ok and rel == 0
    # The float model through qopt's own qnn-quantize-dynamic: its int8
    # weights are PyTorch's, so each engine's result is again bit for bit.
    qopt = os.path.join(os.path.dirname(qrun), "qopt")
    float_path = os.path.join(workdir, "mlp_float.mlir")
    with open(float_path, "w") as f:
        f.write(float_mlp_ir(model, 64))
    for engine, qconfig, per_channel in (("qnnpack", "qnnpack", False),
                                         ("onednn", "x86", False),
                                         ("onednn", "x86", True)):
        torch.backends.quantized.engine = engine
        name = "mlp_qnn_quantize_dynamic_%s%s" % (
            qconfig, "_per_channel" if per_channel else "")
        out = os.path.join(workdir, name + ".mlir")
        subprocess.run([qopt, float_path, "--qnn-quantize-dynamic=qconfig=%s per-channel=%s"
                        % (qconfig, "true" if per_channel else "false"), "-o", out],
                       check=True)
        with open(out) as f:
            ir = f.read()
        actual = run(qrun, os.path.join(workdir, name), ir, x.numpy(),
                     engine)
        quantized = quantize_dynamic(
            model, {torch.nn.Linear: per_channel_dynamic_qconfig if per_channel
                    else default_dynamic_qconfig}, dtype=torch.qint8)
        rel = report(name, actual, quantized(x).detach().numpy())
        ok = ok and rel == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
