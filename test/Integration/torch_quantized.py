#!/usr/bin/python3
"""qopt's quantized layers against PyTorch 1.13's quantized kernels.

    torch_quantized.py QRUN WORKDIR

Builds quantized layers with torch.ao.nn.quantized, runs them on Debian's
engines (onednn with per-channel weights, qnnpack with per-tensor weights),
compiles the same layers with qopt (same int8 weights, scales, zero points
and float bias) and reports, per layer and engine, the share of output
elements equal to PyTorch's and the largest difference in quantization
steps. Debian's torch has no FBGEMM, the backend qopt's numerics follow, so
differences of one step are expected where the engines round differently;
the script fails only beyond one step.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.ao.nn.quantized as nnq

sys.path.insert(0, os.path.dirname(__file__))
from quant_cases import add_ir, dense, qtype, qtype_axis, tt  # noqa: E402

warnings.filterwarnings("ignore")
torch.manual_seed(0)


def weight_ir(w):
    """The int8 weight of a quantized module as IR: values and type."""
    wi = w.int_repr().numpy().astype(np.int64)
    if w.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        wt = qtype_axis("i8", w.q_per_channel_scales().tolist(),
                        w.q_per_channel_zero_points().tolist())
    else:
        wt = qtype("i8", w.q_scale(), w.q_zero_point())
    return wi, wt


def module_ir(kind, layer, x_shape, sx, zx, out_shape):
    w = layer.weight()
    wi, wt = weight_ir(w)
    b = layer.bias().detach().numpy().astype(np.float32)
    a_t, o_t = qtype("u8", sx, zx), qtype("u8", layer.scale, layer.zero_point)
    lines = ["func.func @layer(%%x: %s) -> %s {" % (tt(x_shape, "f32"), tt(out_shape, o_t)),
             "  %%q = qnn.quantize %%x : %s -> %s" % (tt(x_shape, "f32"), tt(x_shape, a_t)),
             "  %%wi = arith.constant %s" % dense(wi, "i8"),
             "  %%w = quant.scast %%wi : %s to %s" % (tt(wi.shape, "i8"), tt(wi.shape, wt)),
             "  %%b = arith.constant %s" % dense(b, "f32")]
    types = "%s, %s, %s" % (tt(x_shape, a_t), tt(wi.shape, wt), tt(b.shape, "f32"))
    if kind == "conv":
        attrs = "{strides = array<i64: %s>, padding = array<i64: %s>, groups = %d : i64}" % (
            ", ".join(map(str, layer.stride)), ", ".join(map(str, layer.padding)),
            layer.groups)
        lines.append("  %%y = qnn.conv %%q, %%w, %%b %s : (%s) -> %s" % (attrs, types, tt(out_shape, o_t)))
    else:
        lines.append("  %%y = qnn.linear %%q, %%w, %%b : (%s) -> %s" % (types, tt(out_shape, o_t)))
    lines += ["  return %%y : %s" % tt(out_shape, o_t), "}"]
    return "\n".join(lines) + "\n"


def layers(engine):
    per_channel = engine == "onednn"
    for kind, make, x_shape in (
            ("conv", lambda: torch.nn.Conv2d(3, 16, 3, padding=1), (2, 3, 12, 12)),
            ("conv", lambda: torch.nn.Conv2d(8, 8, 3, stride=2, groups=8), (1, 8, 9, 9)),
            ("linear", lambda: torch.nn.Linear(64, 32), (4, 64))):
        float_layer = make().eval()
        w = float_layer.weight.detach()
        if per_channel:
            scales = w.abs().amax(dim=list(range(1, w.dim()))) / 127
            qw = torch.quantize_per_channel(w, scales, torch.zeros(w.shape[0], dtype=torch.long), 0, torch.qint8)
        else:
            qw = torch.quantize_per_tensor(w, float(w.abs().max() / 127), 0, torch.qint8)
        x = torch.randn(x_shape)
        # Activations as the x86 qconfig quantizes them: reduce_range
        # (0..127), affine. Without it, onednn's u8 x s8 kernels saturate
        # in int16 on CPUs without VNNI, which is why reduce_range exists.
        lo, hi = float(x.min()), float(x.max())
        sx = (hi - lo) / 127
        zx = int(round(-lo / sx))
        y = float_layer(x)
        sy, zy = float((y.max() - y.min()) / 255), int(round(float(-y.min() / ((y.max() - y.min()) / 255))))
        zy = min(max(zy, 0), 255)
        if kind == "conv":
            q = nnq.Conv2d(float_layer.in_channels, float_layer.out_channels,
                           float_layer.kernel_size, stride=float_layer.stride,
                           padding=float_layer.padding, groups=float_layer.groups)
        else:
            q = nnq.Linear(float_layer.in_features, float_layer.out_features)
        q.set_weight_bias(qw, float_layer.bias.detach())
        q.scale, q.zero_point = sy, zy
        name = "%s_%s_%s" % (kind, "x".join(map(str, x_shape)), engine)
        yield name, kind, q, x, sx, zx


def compare(qrun, workdir, name, ir, inputs, expected, flags=()):
    """Runs `ir` under qrun (with `flags`) on the .npy files `inputs`,
    prints how its storage integers compare with PyTorch's `expected`;
    returns the largest difference in steps."""
    base = os.path.join(workdir, name)
    with open(base + ".mlir", "w") as f:
        f.write(ir)
    args = [qrun, base + ".mlir", "-o", base + ".out.npy"] + list(flags)
    for path in inputs:
        args += ["-i", path]
    subprocess.run(args, check=True)
    diff = np.abs(np.load(base + ".out.npy").astype(np.int64) - expected.astype(np.int64))
    print("%-32s %6d outputs, %6.2f%% equal to PyTorch, largest difference %d step(s)"
          % (name, diff.size, 100.0 * (diff == 0).mean(), diff.max()))
    return int(diff.max())


def main():
    qrun, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    worst = 0
    for engine in ("onednn", "qnnpack"):
        torch.backends.quantized.engine = engine
        for name, kind, q, x, sx, zx in layers(engine):
            xq = torch.quantize_per_tensor(x, sx, zx, torch.quint8)
            expected = q(xq).int_repr().numpy()
            np.save(os.path.join(workdir, name + ".in.npy"), x.numpy())
            ir = module_ir(kind, q, list(x.shape), sx, zx, list(expected.shape))
            worst = max(worst, compare(
                qrun, workdir, name, ir,
                [os.path.join(workdir, name + ".in.npy")], expected))
            # Rule O: the onednn engine's own epilogue.
            if engine == "onednn":
                worst = max(worst, compare(
                    qrun, workdir, name + "_rule_o", ir,
                    [os.path.join(workdir, name + ".in.npy")], expected,
                    ["--requantization=onednn"]))
    # Exact ties with an odd output zero point: scales of 0.5 make every odd
    # accumulator a .5; PyTorch's onednn engine adds the zero point before
    # rounding (rule O), rule R after, so they differ on about half the ties.
    torch.backends.quantized.engine = "onednn"
    ties = nnq.Conv2d(4, 6, 3, padding=1)
    w = torch.randint(-3, 4, (6, 4, 3, 3)).float() * 0.5
    ties.set_weight_bias(torch.quantize_per_channel(
        w, torch.full((6,), 0.5), torch.zeros(6, dtype=torch.long), 0, torch.qint8),
        torch.zeros(6))
    ties.scale, ties.zero_point = 0.5, 3
    x = torch.randint(0, 7, (2, 4, 6, 6)).float() * 0.5
    expected = ties(torch.quantize_per_tensor(x, 0.5, 0, torch.quint8)).int_repr().numpy()
    np.save(os.path.join(workdir, "ties.in.npy"), x.numpy())
    ir = module_ir("conv", ties, list(x.shape), 0.5, 0, list(expected.shape))
    for name, flags in (("conv_exact_ties_onednn", []),
                        ("conv_exact_ties_onednn_rule_o", ["--requantization=onednn"])):
        differ = compare(qrun, workdir, name, ir, [os.path.join(workdir, "ties.in.npy")],
                         expected, flags)
        if flags:
            worst = max(worst, differ)
    # Pooling keeps the input's scale and zero point; PyTorch's engines share
    # one CPU kernel for it outside qnnpack.
    torch.backends.quantized.engine = "onednn"
    x = torch.randn(2, 3, 13, 11) * 3
    t = qtype("u8", 0.05, 100)
    xq = torch.quantize_per_tensor(x, 0.05, 100, torch.quint8)
    np.save(os.path.join(workdir, "pool.in.npy"), x.numpy())
    pools = (
        ("avg_pool2d_pad_ceil", "qnn.avg_pool %%q {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : %s -> %s",
         lambda v: torch.nn.functional.avg_pool2d(v, 3, 2, 1, True, True)),
        ("avg_pool2d_exclude_pad", "qnn.avg_pool %%q {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, count_include_pad = false} : %s -> %s",
         lambda v: torch.nn.functional.avg_pool2d(v, 3, 2, 1, False, False)),
        ("adaptive_avg_pool2d_5x7", "qnn.adaptive_avg_pool %%q : %s -> %s",
         lambda v: torch.nn.functional.adaptive_avg_pool2d(v, (5, 7))),
        ("adaptive_avg_pool2d_global", "qnn.adaptive_avg_pool %%q : %s -> %s",
         lambda v: torch.nn.functional.adaptive_avg_pool2d(v, 1)))
    # On channels-last tensors (what PyTorch's quantized convolutions
    # return) adaptive average pooling runs PyTorch's NHWC kernel: qnn's
    # `centered` form. MobileNetV3's squeeze-and-excitation pools 2x2 to
    # 16x16 maps; an odd zero point makes the two forms differ on ties.
    pools += (
        ("adaptive_avg_pool2d_5x7_nhwc", "qnn.adaptive_avg_pool %%q {centered} : %s -> %s",
         lambda v: torch.nn.functional.adaptive_avg_pool2d(
             v.contiguous(memory_format=torch.channels_last), (5, 7))),
        ("adaptive_avg_pool2d_global_nhwc", "qnn.adaptive_avg_pool %%q {centered} : %s -> %s",
         lambda v: torch.nn.functional.adaptive_avg_pool2d(
             v.contiguous(memory_format=torch.channels_last), 1)))
    for name, op, fn in pools:
        expected = fn(xq).int_repr().contiguous().numpy()
        ir = "\n".join([
            "func.func @pool(%%x: %s) -> %s {" % (tt(list(x.shape), "f32"), tt(list(expected.shape), t)),
            "  %%q = qnn.quantize %%x : %s -> %s" % (tt(list(x.shape), "f32"), tt(list(x.shape), t)),
            "  %y = " + op % (tt(list(x.shape), t), tt(list(expected.shape), t)),
            "  return %%y : %s" % tt(list(expected.shape), t), "}"]) + "\n"
        worst = max(worst, compare(qrun, workdir, name, ir,
                                   [os.path.join(workdir, "pool.in.npy")], expected))
    # Global pooling of small channels-last maps, zero point 101 (odd).
    for size in (2, 4, 8):
        m = torch.randn(16, 40, size, size) * 3
        mq = torch.quantize_per_tensor(m, 0.05, 101, torch.quint8)
        tm = qtype("u8", 0.05, 101)
        np.save(os.path.join(workdir, "gap.in.npy"), m.numpy())
        for centered in (False, True):
            name = "adaptive_avg_pool2d_%dx%d%s" % (size, size, "_nhwc" if centered else "")
            v = mq.contiguous(memory_format=torch.channels_last) if centered else mq
            expected = torch.nn.functional.adaptive_avg_pool2d(v, 1).int_repr().contiguous().numpy()
            ir = "\n".join([
                "func.func @pool(%%x: %s) -> %s {" % (tt(list(m.shape), "f32"), tt(list(expected.shape), tm)),
                "  %%q = qnn.quantize %%x : %s -> %s" % (tt(list(m.shape), "f32"), tt(list(m.shape), tm)),
                "  %%y = qnn.adaptive_avg_pool %%q%s : %s -> %s" % (
                    " {centered}" if centered else "", tt(list(m.shape), tm), tt(list(expected.shape), tm)),
                "  return %%y : %s" % tt(list(expected.shape), tm), "}"]) + "\n"
            worst = max(worst, compare(qrun, workdir, name, ir,
                                       [os.path.join(workdir, "gap.in.npy")], expected))
    # add and add + relu with three different scales and zero points.
    a, b = torch.randn(4, 8, 13, 13) * 3, torch.randn(4, 8, 13, 13) * 2
    qa = torch.quantize_per_tensor(a, 0.05, 100, torch.quint8)
    qb = torch.quantize_per_tensor(b, 0.03, 120, torch.quint8)
    np.save(os.path.join(workdir, "add.a.npy"), a.numpy())
    np.save(os.path.join(workdir, "add.b.npy"), b.numpy())
    ta, tb, to = qtype("u8", 0.05, 100), qtype("u8", 0.03, 120), qtype("u8", 0.07, 90)
    shape = list(a.shape)
    for name, act, fn in (("add", "none", torch.ops.quantized.add),
                          ("add_relu", "relu", torch.ops.quantized.add_relu)):
        expected = fn(qa, qb, 0.07, 90).int_repr().numpy()
        ir = "\n".join([
            "func.func @add(%%a: %s, %%b: %s) -> %s {" % (tt(shape, "f32"), tt(shape, "f32"), tt(shape, to)),
            "  %%qa = qnn.quantize %%a : %s -> %s" % (tt(shape, "f32"), tt(shape, ta)),
            "  %%qb = qnn.quantize %%b : %s -> %s" % (tt(shape, "f32"), tt(shape, tb)),
            "  %%y = qnn.add %%qa, %%qb {activation = #qnn.activation<%s>} : (%s, %s) -> %s" % (act, tt(shape, ta), tt(shape, tb), tt(shape, to)),
            "  return %%y : %s" % tt(shape, to), "}"]) + "\n"
        worst = max(worst, compare(qrun, workdir, name, ir, [
            os.path.join(workdir, "add.a.npy"), os.path.join(workdir, "add.b.npy")],
            expected))
    # Every pair of u8 values with scales where PyTorch's fused
    # dequantization and rule D differ on 4 of the 65,536 sums.
    sa, za, sb, zb, so, zo = (0.045713797211647034, 247, 0.028963500633835793, 95,
                              0.04821907356381416, 184)
    pa = torch.arange(256).repeat_interleave(256).reshape(1, 1, 256, 256)
    pb = torch.arange(256).repeat(256).reshape(1, 1, 256, 256)
    xa, xb = ((pa - za).float() * sa), ((pb - zb).float() * sb)
    qpa = torch.quantize_per_tensor(xa, sa, za, torch.quint8)
    qpb = torch.quantize_per_tensor(xb, sb, zb, torch.quint8)
    assert (qpa.int_repr() == pa).all() and (qpb.int_repr() == pb).all()
    np.save(os.path.join(workdir, "pairs.a.npy"), xa.numpy())
    np.save(os.path.join(workdir, "pairs.b.npy"), xb.numpy())
    ir = add_ir("add", [1, 1, 256, 256], qtype("u8", sa, za), qtype("u8", sb, zb),
                qtype("u8", so, zo))
    worst = max(worst, compare(
        qrun, workdir, "add_all_pairs", ir,
        [os.path.join(workdir, "pairs.a.npy"), os.path.join(workdir, "pairs.b.npy")],
        torch.ops.quantized.add(qpa, qpb, so, zo).int_repr().numpy()))
    # cat along channels of three inputs, one with the result's scale and
    # zero point: PyTorch's quantized::cat on contiguous (NCHW) inputs and on
    # channels-last ones (what convolutions return; PyTorch's NHWC kernel).
    c = torch.randn(4, 5, 13, 13) * 4
    qc = torch.quantize_per_tensor(c, 0.05, 100, torch.quint8)
    np.save(os.path.join(workdir, "cat.c.npy"), c.numpy())
    cat_shape = [4, 21, 13, 13]
    shape_c = list(c.shape)
    for name, memory_format in (("cat", torch.contiguous_format),
                                ("cat_channels_last", torch.channels_last)):
        inputs = [t.contiguous(memory_format=memory_format) for t in (qa, qb, qc)]
        expected = torch.ops.quantized.cat(inputs, scale=0.05, zero_point=100,
                                           dim=1).int_repr().contiguous().numpy()
        ir = "\n".join([
            "func.func @cat(%%a: %s, %%b: %s, %%c: %s) -> %s {" % (
                tt(shape, "f32"), tt(shape, "f32"), tt(shape_c, "f32"), tt(cat_shape, ta)),
            "  %%qa = qnn.quantize %%a : %s -> %s" % (tt(shape, "f32"), tt(shape, ta)),
            "  %%qb = qnn.quantize %%b : %s -> %s" % (tt(shape, "f32"), tt(shape, tb)),
            "  %%qc = qnn.quantize %%c : %s -> %s" % (tt(shape_c, "f32"), tt(shape_c, ta)),
            "  %%y = qnn.cat %%qa, %%qb, %%qc {dim = 1 : i64} : (%s, %s, %s) -> %s" % (
                tt(shape, ta), tt(shape, tb), tt(shape_c, ta), tt(cat_shape, ta)),
            "  return %%y : %s" % tt(cat_shape, ta), "}"]) + "\n"
        worst = max(worst, compare(qrun, workdir, name, ir, [
            os.path.join(workdir, f) for f in ("add.a.npy", "add.b.npy", "cat.c.npy")],
            expected))
    # MobileNetV3's activations and gate: quantized::hardswish with its own
    # output type, hardsigmoid on a quantized tensor (PyTorch's fixed 1/256
    # type), quantized::mul of a [N, C, 1, 1] gate and a feature map, on
    # contiguous and channels-last tensors.
    th = qtype("u8", 0.04, 20)
    tg = qtype("u8", 1.0 / 256, 0)
    to = qtype("u8", 0.06, 10)
    g = torch.rand(4, 8, 1, 1) * 8 - 4
    qg = torch.quantize_per_tensor(g, 0.05, 100, torch.quint8)
    np.save(os.path.join(workdir, "gate.npy"), g.numpy())
    gate = torch.nn.functional.hardsigmoid(qg)
    assert (gate.q_scale(), gate.q_zero_point()) == (1.0 / 256, 0)
    unary = (
        ("hardswish", "qnn.hardswish", th,
         torch.ops.quantized.hardswish(qa, 0.04, 20), "add.a.npy", shape),
        ("hardsigmoid", "qnn.hardsigmoid", tg, torch.nn.functional.hardsigmoid(qa),
         "add.a.npy", shape))
    for name, op, t_out, y, path, ishape in unary:
        ir = "\n".join([
            "func.func @f(%%x: %s) -> %s {" % (tt(ishape, "f32"), tt(ishape, t_out)),
            "  %%q = qnn.quantize %%x : %s -> %s" % (tt(ishape, "f32"), tt(ishape, ta)),
            "  %%y = %s %%q : %s -> %s" % (op, tt(ishape, ta), tt(ishape, t_out)),
            "  return %%y : %s" % tt(ishape, t_out), "}"]) + "\n"
        worst = max(worst, compare(qrun, workdir, name, ir,
                                   [os.path.join(workdir, path)],
                                   y.int_repr().numpy()))
    for name, memory_format in (("mul_gate", torch.contiguous_format),
                                ("mul_gate_channels_last", torch.channels_last)):
        x = qb.contiguous(memory_format=memory_format)
        expected = torch.ops.quantized.mul(
            gate.contiguous(memory_format=memory_format), x, 0.06, 10)
        expected = expected.int_repr().contiguous().numpy()
        ir = "\n".join([
            "func.func @mul(%%g: %s, %%b: %s) -> %s {" % (
                tt(list(g.shape), "f32"), tt(shape, "f32"), tt(shape, to)),
            "  %%qg = qnn.quantize %%g : %s -> %s" % (tt(list(g.shape), "f32"), tt(list(g.shape), ta)),
            "  %%s = qnn.hardsigmoid %%qg : %s -> %s" % (tt(list(g.shape), ta), tt(list(g.shape), tg)),
            "  %%qb = qnn.quantize %%b : %s -> %s" % (tt(shape, "f32"), tt(shape, tb)),
            "  %%y = qnn.mul %%s, %%qb : (%s, %s) -> %s" % (tt(list(g.shape), tg), tt(shape, tb), tt(shape, to)),
            "  return %%y : %s" % tt(shape, to), "}"]) + "\n"
        worst = max(worst, compare(qrun, workdir, name, ir, [
            os.path.join(workdir, f) for f in ("gate.npy", "add.b.npy")], expected))
    print("largest difference over all layers: %d step(s)" % worst)
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
