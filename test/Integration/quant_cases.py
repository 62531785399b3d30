#!/usr/bin/python3
"""Bit-exact tests of qopt's quantized lowering against a reference.

    quant_cases.py QRUN WORKDIR GROUP

For each case of GROUP it writes a quantized qnn model and its inputs, runs
it with QRUN, and compares every output element with an independent numpy
implementation of the contract in docs/Numerics.md (float32 arithmetic where
the contract says float32, exact integers for accumulation). It prints one
line per case and exits non-zero if any element differs.
"""
import math
import os
import subprocess
import sys

import numpy as np

F32 = np.float32

# ---------------------------------------------------------------------------
# The reference: docs/Numerics.md, written independently of the C++ code.
# ---------------------------------------------------------------------------


def storage_range(dtype):
    return (0, 255) if dtype == "u8" else (-128, 127)


def quantize(x, scale, zp, dtype):
    """Rule Q: clamp(rint(x * (1/scale)) + zp), float32, NaN -> zp."""
    lo, hi = storage_range(dtype)
    inv = F32(1.0) / F32(scale)
    t = np.rint((x.astype(F32) * inv).astype(F32))
    v = (t + F32(zp)).astype(F32)
    v = np.where(np.isnan(v), F32(zp), np.clip(v, lo, hi))
    return v.astype(np.int64)


def choose_qparams(mn, mx, qmin, qmax, unrounded=False):
    """Rule C: PyTorch 1.13's ChooseQuantizationParams (float32 inputs,
    double intermediates), as quantize_dynamic uses it. Returns the float32
    scale (with `unrounded`, the double one before rounding to float32) and
    the integer zero point."""
    threshold = F32(6.1e-5)
    mn, mx = min(F32(mn), F32(0)), max(F32(mx), F32(0))
    scale = (float(mx) - float(mn)) / (qmax - qmin)
    if F32(scale) == 0 or np.isinf(F32(1) / F32(scale)):
        scale = 0.1
    if scale < float(threshold):
        org = F32(scale)
        scale = float(threshold)
        if mn == 0:
            mx = F32(threshold * F32(qmax - qmin))
        elif mx == 0:
            mn = F32(-threshold * F32(qmax - qmin))
        else:
            amplifier = F32(threshold / org)
            mn, mx = F32(mn * amplifier), F32(mx * amplifier)
    from_min, from_max = qmin - float(mn) / scale, qmax - float(mx) / scale
    err_min = abs(qmin) - abs(float(mn) / scale)
    err_max = abs(qmax) - abs(float(mx) / scale)
    zp = from_min if err_min < err_max else from_max
    zp = qmin if zp < qmin else qmax if zp > qmax else int(np.rint(zp))
    return (scale if unrounded else F32(scale)), zp


def dynamic_linear(x, wq, w_scales, bias, reduce_range, act="none",
                   onednn=False):
    """Dynamic quantization: rule C on this input's range, rule Q, int32
    accumulation, then float(acc) * (sx * sw[c]) + bias[c] in float32.
    onednn (PyTorch's onednn engine): 1/sx the float32 reciprocal of the
    unrounded double scale, the input quantized as clamp(rint(x * (1/sx) +
    zx)), then with b[c] = (1/sx) * (1/sw[c]),
    (float(acc) + bias[c] * b[c]) * (1 / b[c])."""
    qmax = 127 if reduce_range else 255
    unrounded, zx = choose_qparams(x.min(), x.max(), 0, qmax, True)
    sx, inv_sx = F32(unrounded), F32(1.0 / unrounded)
    k = x.shape[-1]
    x2 = x.reshape(-1, k).astype(F32)
    if onednn:
        t = ((x2 * inv_sx).astype(F32) + F32(zx)).astype(F32)
        xq = np.where(np.isnan(t), F32(zx), np.clip(np.rint(t), 0, 255))
        xq = xq.astype(np.int64)
    else:
        xq = quantize(x2, sx, zx, "u8")
    acc = ((xq - zx) @ wq.T).astype(F32)
    if onednn:
        b = (inv_sx * (F32(1) / np.asarray(w_scales, F32))).astype(F32)
        if bias is not None:
            acc = (acc + (bias * b).astype(F32)).astype(F32)
        y = (acc * (F32(1) / b).astype(F32)).astype(F32)
    else:
        s = (sx * np.asarray(w_scales, F32)).astype(F32)
        y = (acc * s).astype(F32)
        if bias is not None:
            y = (y + bias).astype(F32)
    if act != "none":
        y = np.maximum(y, F32(0))
    if act == "relu6":
        y = np.minimum(y, F32(6))
    return y.reshape(list(x.shape[:-1]) + [wq.shape[0]]), (sx, zx)


def dequantize(q, scale, zp):
    """Rule D: float(q - zp) * scale in float32."""
    return ((q - zp).astype(F32) * F32(scale)).astype(F32)


def dequantize_fma(q, scale, zp):
    """PyTorch's vectorized dequantize: fma(q, s, -zp * s), -zp * s rounded
    to float32 first; float64 holds q * s + p exactly, so one rounding to
    float32 is the fused result."""
    premul = F32(F32(scale) * F32(-zp))
    return (np.float64(F32(scale)) * q.astype(np.float64) +
            np.float64(premul)).astype(F32)


def add_ir(name, shape, a_t, b_t, o_t):
    """A function quantizing two float inputs to a_t and b_t and adding
    them into o_t."""
    return "\n".join([
        "func.func @%s(%%a: %s, %%b: %s) -> %s {" % (name, tt(shape, "f32"), tt(shape, "f32"), tt(shape, o_t)),
        "  %%qa = qnn.quantize %%a : %s -> %s" % (tt(shape, "f32"), tt(shape, a_t)),
        "  %%qb = qnn.quantize %%b : %s -> %s" % (tt(shape, "f32"), tt(shape, b_t)),
        "  %%y = qnn.add %%qa, %%qb : (%s, %s) -> %s" % (tt(shape, a_t), tt(shape, b_t), tt(shape, o_t)),
        "  return %%y : %s" % tt(shape, o_t), "}"]) + "\n"


def hard_activation(x, swish):
    """hardswish x * min(max(x + 3, 0), 6) / 6, or hardsigmoid without the
    x *, in float32 in that order."""
    x = x.astype(F32)
    m = np.minimum(np.maximum(x + F32(3), F32(0)), F32(6)).astype(F32)
    return ((x * m if swish else m) / F32(6)).astype(F32)


def quantize_double_reciprocal(x, scale, zp, dtype):
    """Rule Q with the reciprocal computed in double, rounded to float32
    (PyTorch's quantized hardswish and hardsigmoid)."""
    lo, hi = storage_range(dtype)
    inv = F32(1.0 / np.float64(F32(scale)))
    t = np.rint((x.astype(F32) * inv).astype(F32))
    return np.clip((t + F32(zp)).astype(F32), lo, hi).astype(np.int64)


def quantized_mul(qa, sa, za, qb, sb, zb, so, zo, dtype):
    """PyTorch's quantized::mul: the int32 product of the shifted values
    times float32 (sa * sb) * (1 / so), rounded half to even, plus zo."""
    lo, hi = storage_range(dtype)
    m = F32(F32(F32(sa) * F32(sb)) * F32(F32(1) / F32(so)))
    p = ((qa - za) * (qb - zb)).astype(F32)
    return np.clip(np.rint((p * m).astype(F32)) + zo, lo, hi).astype(np.int64)


def conv_acc(xq, zx, wq, zw, stride, pad, dilation, groups):
    """sum over the window of (x - zx) * (w - zw), exact integers (NC[H]W)."""
    spatial = xq.ndim - 2
    x = xq.astype(np.int64) - zx
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    w = wq.astype(np.int64) - np.asarray(zw, np.int64).reshape(
        [-1] + [1] * (wq.ndim - 1))
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    k = w.shape[2:]
    out_sp = [(x.shape[2 + i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1
              for i in range(spatial)]
    acc = np.zeros([n, o] + out_sp, np.int64)
    for index in np.ndindex(*out_sp):
        window = [slice(None), slice(None)]
        for i in range(spatial):
            start = index[i] * stride[i]
            window.append(slice(start, start + dilation[i] * (k[i] - 1) + 1,
                                dilation[i]))
        patch = x[tuple(window)]
        for g in range(groups):
            p = patch[:, g * cg:(g + 1) * cg].reshape(n, -1)
            wg = w[g * og:(g + 1) * og].reshape(og, -1)
            acc[(slice(None), slice(g * og, (g + 1) * og)) + index] = p @ wg.T
    return acc


def requantize(acc, sx, sw, sy, zy, dtype, bias=None, act="none",
               channel_axis=1):
    """Rule R with a float bias (or an int32 bias already added to acc)."""
    lo, hi = storage_range(dtype)
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    s = (F32(sx) * np.asarray(sw, F32)).astype(F32)
    f = acc.astype(F32)
    if bias is not None and bias.dtype == np.float32:
        f = (f + (bias / s).astype(F32).reshape(shape)).astype(F32)
    m = (s / F32(sy)).astype(F32)
    y = np.rint((f * m.reshape(shape)).astype(F32)) + F32(zy)
    if act != "none":
        lo = zy
    if act == "relu6":
        hi = min(hi, int(quantize(np.array([6.0], F32), sy, zy, dtype)[0]))
    return np.clip(y, lo, hi).astype(np.int64)


def requantize_onednn(acc, sx, sw, sy, zy, dtype, bias=None, act="none",
                      channel_axis=1):
    """Rule O (PyTorch's onednn engine) with a float bias: the constants
    from reciprocal scales, bias_scale = (1/sx) * (1/sw) and multiplier =
    (1/sy) / bias_scale, all float32; the zero point added before
    rounding."""
    lo, hi = storage_range(dtype)
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    one = F32(1.0)
    bias_scale = ((one / F32(sx)) * (one / np.asarray(sw, F32))).astype(F32)
    f = acc.astype(F32)
    if bias is not None and bias.dtype == np.float32:
        f = (f + (bias * bias_scale).astype(F32).reshape(shape)).astype(F32)
    m = ((one / F32(sy)) / bias_scale).astype(F32)
    y = np.rint(((f * m.reshape(shape)).astype(F32) + F32(zy)).astype(F32))
    if act != "none":
        lo = zy
    if act == "relu6":
        hi = min(hi, int(quantize(np.array([6.0], F32), sy, zy, dtype)[0]))
    return np.clip(y, lo, hi).astype(np.int64)


def quantize_multiplier(m):
    """Rule I's fixed point: M = q * 2^(left - right - 31), q in [2^30, 2^31),
    q rounded half away from zero (std::round); 0 below 2^-32."""
    mantissa, exponent = math.frexp(m)
    q = math.floor(mantissa * 2 ** 31 + 0.5)
    if q == 2 ** 31:
        q, exponent = q // 2, exponent + 1
    if exponent < -31:
        return 0, 0, 0
    return q, min(max(exponent, 0), 31), max(-exponent, 0)


def requantize_integer(acc, sx, sw, sy, zy, dtype, act="none", channel_axis=1):
    """Rule I: gemmlowp's SaturatingRoundingDoublingHighMul and
    RoundingDivideByPOT on the int32 accumulator (bias already added)."""
    lo, hi = storage_range(dtype)
    if act != "none":
        lo = zy
    if act == "relu6":
        hi = min(hi, int(quantize(np.array([6.0], F32), sy, zy, dtype)[0]))
    res = np.empty(acc.shape, np.int64)
    for c in range(acc.shape[channel_axis]):
        m, left, right = quantize_multiplier(
            float(F32(sx)) * float(F32(sw[c] if len(sw) > 1 else sw[0])) /
            float(F32(sy)))
        index = [slice(None)] * acc.ndim
        index[channel_axis] = c
        x = np.clip(acc[tuple(index)].astype(np.int64) << left,
                    -2 ** 31, 2 ** 31 - 1)
        ab = x * m
        t = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
        high = np.where(t >= 0, t // 2 ** 31, -((-t) // 2 ** 31))
        mask = (1 << right) - 1
        threshold = (mask >> 1) + (high < 0)
        y = (high >> right) + ((high & mask) > threshold) + zy
        res[tuple(index)] = np.clip(y, lo, hi)
    return res


def integer_bias(bias, sx, sw):
    """A float bias in units of sx * sw[c]: roundeven in float32."""
    s = (F32(sx) * np.asarray(sw, F32)).astype(F32)
    return np.rint((bias / s).astype(F32)).astype(np.int64)


def adaptive_avg_pool(q, out, zp=None):
    """PyTorch's quantized adaptive average pooling. NCHW kernel: the window
    sum of the stored values times r = float(1/1) / k_0 / k_1 ... (float32),
    rounded half to even. NHWC kernel (qnn's `centered`, given the zero
    point): the sum less size * zp, times 1 / (1 / (1 / size)) (each step
    in float32), rounded, plus zp."""
    res = np.zeros(q.shape[:2] + tuple(out), np.int64)
    for idx in np.ndindex(*out):
        window, r, size = [slice(None), slice(None)], F32(1.0), 1
        for i, o in enumerate(idx):
            n, m = q.shape[2 + i], out[i]
            start, end = (o * n) // m, -(-((o + 1) * n) // m)
            window.append(slice(start, end))
            r = F32(r / F32(end - start))
            size *= end - start
        total = q[tuple(window)].astype(np.int64).sum(
            axis=tuple(range(2, q.ndim)))
        if zp is None:
            y = np.rint((total.astype(F32) * r).astype(F32))
        else:
            inv = F32(F32(1.0) / F32(F32(1.0) / F32(F32(1.0) / F32(size))))
            y = zp + np.rint(((total - size * zp).astype(F32) * inv).astype(F32))
        res[(slice(None), slice(None)) + idx] = y
    return res


def avg_pool(q, zx, dtype, kernel, stride, pad, ceil, count_include_pad):
    """PyTorch's quantized avg_pool: sum(q) - size * zx over the input
    elements of each window, times float(1 / divisor), plus zx, rounded
    half to even, clamped."""
    lo, hi = storage_range(dtype)
    spatial = q.ndim - 2

    def out_size(n, i):
        o = (n + 2 * pad[i] - (kernel[i] - 1) - 1 +
             (stride[i] - 1 if ceil else 0)) // stride[i] + 1
        if ceil and (o - 1) * stride[i] >= n + pad[i]:
            o -= 1
        return o

    outs = [out_size(q.shape[2 + i], i) for i in range(spatial)]
    res = np.zeros(q.shape[:2] + tuple(outs), np.int64)
    for idx in np.ndindex(*outs):
        window, pool, size = [slice(None), slice(None)], 1, 1
        for i, o in enumerate(idx):
            n = q.shape[2 + i]
            start = o * stride[i] - pad[i]
            end = min(start + kernel[i], n + pad[i])
            pool *= end - start
            start, end = max(start, 0), min(end, n)
            size *= end - start
            window.append(slice(start, end))
        total = q[tuple(window)].astype(np.int64).sum(
            axis=tuple(range(2, q.ndim))) - size * zx
        mult = F32(1.0 / (pool if count_include_pad else size))
        v = np.rint(((total.astype(F32) * mult).astype(F32) + F32(zx)).astype(F32))
        res[(slice(None), slice(None)) + idx] = np.clip(v, lo, hi)
    return res


# ---------------------------------------------------------------------------
# IR text
# ---------------------------------------------------------------------------


def qtype(dtype, scale, zp):
    return "!quant.uniform<%s:f32, %.9e:%d>" % (dtype, float(scale), zp)


def qtype_axis(dtype, scales, zps, axis=0):
    body = ", ".join("%.9e:%d" % (float(s), z) for s, z in zip(scales, zps))
    return "!quant.uniform<%s:f32:%d, {%s}>" % (dtype, axis, body)


def tt(shape, elem):
    return "tensor<" + "x".join(map(str, shape)) + "x" + elem + ">"


def dense(values, elem):
    flat = ", ".join(str(int(v)) if elem != "f32" else repr(float(v))
                     for v in np.asarray(values).ravel())
    return "dense<[%s]> : %s" % (flat, tt(values.shape, elem)) if values.ndim == 1 \
        else "dense<%s> : %s" % (nested(values, elem), tt(values.shape, elem))


def nested(a, elem):
    if a.ndim == 0:
        return str(int(a)) if elem != "f32" else repr(float(a))
    return "[" + ", ".join(nested(x, elem) for x in a) + "]"


def storage_np(dtype):
    return np.uint8 if dtype == "u8" else np.int8


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


class Case:
    def __init__(self, name, ir, inputs, expected, flags=()):
        self.name, self.ir, self.inputs, self.expected = name, ir, inputs, expected
        self.flags = list(flags)


def conv_case(name, rng, x_shape, o, k, stride, pad, dilation, groups,
              in_q, w_scales, out_q, bias="f32", act="none", w_zps=None,
              x_data=None, integer=False, w_data=None, w_dtype="i8",
              dynamic_batch=False, onednn=False):
    """A quantized conv (1-D or 2-D) fed by qnn.quantize of a float input.
    With dynamic_batch the function takes any batch size (the data has
    x_shape's)."""
    in_dtype, sx, zx = in_q
    out_dtype, sy, zy = out_q
    spatial = len(x_shape) - 2
    c = x_shape[1]
    w_shape = [o, c // groups] + [k] * spatial
    lo, hi = (-127, 128) if w_dtype == "i8" else (0, 256)
    wq = rng.integers(lo, hi, size=w_shape).astype(np.int64) \
        if w_data is None else np.asarray(w_data, np.int64).reshape(w_shape)
    zw = w_zps if w_zps is not None else [0] * o
    x = x_data if x_data is not None else \
        (rng.standard_normal(x_shape) * 64 * sx).astype(F32)
    xq = quantize(x, sx, zx, in_dtype)
    acc = conv_acc(xq, zx, wq, zw, [stride] * spatial, [pad] * spatial,
                   [dilation] * spatial, groups)
    b = None
    if bias == "f32":
        b = (rng.standard_normal(o) * 4).astype(F32)
    elif bias == "i32":
        b = rng.integers(-5000, 5000, size=o).astype(np.int32)
        acc = acc + b.reshape([1, -1] + [1] * spatial)
    assert np.abs(acc).max() < 2 ** 31
    if integer:
        if b is not None and b.dtype == np.float32:
            acc = acc + integer_bias(b, sx, w_scales if len(w_scales) > 1 else
                                     w_scales * o).reshape([1, -1] + [1] * spatial)
        expected = requantize_integer(acc, sx, w_scales, sy, zy, out_dtype, act)
    elif onednn:
        expected = requantize_onednn(acc, sx, w_scales, sy, zy, out_dtype, b, act)
    else:
        expected = requantize(acc, sx, w_scales, sy, zy, out_dtype, b, act)
    out_shape = list(expected.shape)
    # The types' shapes: the batch dynamic or not.
    x_ty, out_ty = list(x_shape), list(out_shape)
    if dynamic_batch:
        x_ty[0] = out_ty[0] = "?"

    a_t = qtype(in_dtype, sx, zx)
    o_t = qtype(out_dtype, sy, zy)
    w_t = qtype_axis(w_dtype, w_scales, zw) if len(w_scales) > 1 else \
        qtype(w_dtype, w_scales[0], zw[0])
    lines = ["func.func @%s(%%x: %s) -> %s {" % (name, tt(x_ty, "f32"),
                                                tt(out_ty, o_t))]
    lines.append("  %%q = qnn.quantize %%x : %s -> %s" % (tt(x_ty, "f32"), tt(x_ty, a_t)))
    lines.append("  %%wi = arith.constant %s" % dense(wq, "i8"))
    lines.append("  %%w = quant.scast %%wi : %s to %s" % (tt(w_shape, "i8"), tt(w_shape, w_t)))
    operands, types = "%q, %w", [tt(x_ty, a_t), tt(w_shape, w_t)]
    if b is not None:
        elem = "f32" if b.dtype == np.float32 else "i32"
        lines.append("  %%b = arith.constant %s" % dense(b, elem))
        operands += ", %b"
        types.append(tt([o], elem))
    attrs = ["strides = array<i64: %s>" % ", ".join([str(stride)] * spatial),
             "padding = array<i64: %s>" % ", ".join([str(pad)] * spatial),
             "dilation = array<i64: %s>" % ", ".join([str(dilation)] * spatial),
             "groups = %d : i64" % groups,
             "activation = #qnn.activation<%s>" % act]
    lines.append("  %%y = qnn.conv %s {%s} : (%s) -> %s" % (
        operands, ", ".join(attrs), ", ".join(types), tt(out_ty, o_t)))
    lines.append("  return %%y : %s" % tt(out_ty, o_t))
    lines.append("}")
    return Case(name, "\n".join(lines) + "\n", [x],
                [expected.astype(storage_np(out_dtype))],
                mode_flags(integer, onednn))


def mode_flags(integer, onednn):
    """qrun's flags for a case's requantization."""
    if integer:
        return ["--requantization=integer"]
    return ["--requantization=onednn"] if onednn else []


def linear_case(name, rng, x_shape, o, in_q, w_scales, out_q, bias="f32",
                act="none", integer=False, w_data=None, x_data=None,
                onednn=False):
    in_dtype, sx, zx = in_q
    out_dtype, sy, zy = out_q
    k = x_shape[-1]
    wq = rng.integers(-127, 128, size=(o, k)).astype(np.int64) \
        if w_data is None else np.asarray(w_data, np.int64).reshape(o, k)
    x = (rng.standard_normal(x_shape) * 64 * sx).astype(F32) \
        if x_data is None else x_data
    xq = quantize(x, sx, zx, in_dtype)
    acc = (xq.reshape(-1, k) - zx) @ wq.T
    b = None
    if bias == "f32":
        b = (rng.standard_normal(o) * 4).astype(F32)
    elif bias == "i32":
        b = rng.integers(-5000, 5000, size=o).astype(np.int32)
        acc = acc + b
    assert np.abs(acc).max() < 2 ** 31
    if integer:
        if b is not None and b.dtype == np.float32:
            acc = acc + integer_bias(b, sx, w_scales if len(w_scales) > 1 else
                                     w_scales * o)
        expected = requantize_integer(acc, sx, w_scales, sy, zy, out_dtype, act)
    elif onednn:
        expected = requantize_onednn(acc, sx, w_scales, sy, zy, out_dtype, b, act)
    else:
        expected = requantize(acc, sx, w_scales, sy, zy, out_dtype, b, act)
    expected = expected.reshape(list(x_shape[:-1]) + [o])
    a_t, o_t = qtype(in_dtype, sx, zx), qtype(out_dtype, sy, zy)
    w_t = qtype_axis("i8", w_scales, [0] * o) if len(w_scales) > 1 else \
        qtype("i8", w_scales[0], 0)
    out_shape = list(expected.shape)
    lines = ["func.func @%s(%%x: %s) -> %s {" % (name, tt(x_shape, "f32"), tt(out_shape, o_t)),
             "  %%q = qnn.quantize %%x : %s -> %s" % (tt(x_shape, "f32"), tt(x_shape, a_t)),
             "  %%wi = arith.constant %s" % dense(wq, "i8"),
             "  %%w = quant.scast %%wi : %s to %s" % (tt([o, k], "i8"), tt([o, k], w_t))]
    operands, types = "%q, %w", [tt(x_shape, a_t), tt([o, k], w_t)]
    if b is not None:
        elem = "f32" if b.dtype == np.float32 else "i32"
        lines.append("  %%b = arith.constant %s" % dense(b, elem))
        operands += ", %b"
        types.append(tt([o], elem))
    lines.append("  %%y = qnn.linear %s {activation = #qnn.activation<%s>} : (%s) -> %s" % (
        operands, act, ", ".join(types), tt(out_shape, o_t)))
    lines.append("  return %%y : %s" % tt(out_shape, o_t))
    lines.append("}")
    return Case(name, "\n".join(lines) + "\n", [x],
                [expected.astype(storage_np(out_dtype))],
                mode_flags(integer, onednn))


def tie_data(rng, x_shape, w_shape):
    """Small int8 inputs (scale 0.5) and weights for the exact-tie cases:
    with sx = sw = sy = 0.5 the multiplier (sx * sw) / sy is exactly 0.5, so
    every odd accumulator lands on a .5 and the outputs stay unclamped."""
    x = (rng.integers(-6, 7, size=x_shape) * 0.5).astype(F32)
    return x, rng.integers(-3, 4, size=w_shape)


def conv_cases():
    rng = np.random.default_rng(7)
    # Rule R's rounding on exact ties of both signs: half to even, not half
    # away from zero (which would differ on every odd accumulator).
    x, w = tie_data(rng, (2, 5, 7, 7), (12, 5, 3, 3))
    yield conv_case("conv2d_exact_ties", rng, (2, 5, 7, 7), 12, 3, 1, 1, 1, 1,
                    ("i8", 0.5, 0), [0.5], ("i8", 0.5, 0), bias="none",
                    x_data=x, w_data=w)
    per_channel = list(rng.uniform(0.002, 0.02, size=8))
    yield conv_case("conv2d_relu", rng, (2, 3, 9, 9), 8, 3, 1, 1, 1, 1,
                    ("u8", 0.0235, 128), per_channel, ("u8", 0.05, 3),
                    act="relu")
    # Per-channel scales from 1e-6 to 1e2: outputs saturate at both ends.
    wide = list(np.logspace(-6, 2, 8))
    yield conv_case("conv2d_wide_scales", rng, (1, 4, 6, 6), 8, 3, 1, 0, 1, 1,
                    ("u8", 0.1, 0), wide, ("u8", 0.5, 128))
    yield conv_case("depthwise_stride2_relu6", rng, (1, 6, 11, 11), 6, 3, 2, 1,
                    1, 6, ("u8", 0.02, 255), list(rng.uniform(0.01, 0.1, 6)),
                    ("u8", 0.03, 0), act="relu6")
    yield conv_case("conv1d_grouped_dilated", rng, (2, 4, 40), 6, 3, 1, 2, 2,
                    2, ("u8", 0.05, 0), [0.01], ("u8", 0.2, 0))
    yield conv_case("conv1d_kws_stem", rng, (1, 1, 784), 32, 80, 4, 0, 1, 1,
                    ("u8", 0.0078431, 0), list(rng.uniform(0.001, 0.01, 32)),
                    ("u8", 0.1, 0), act="relu")
    yield conv_case("conv2d_int8_input_i32_bias", rng, (1, 3, 7, 7), 4, 3, 1,
                    1, 1, 1, ("i8", 0.04, -3), [0.01, 0.02, 0.03, 0.04],
                    ("i8", 0.25, 5), bias="i32")
    yield conv_case("conv2d_weight_zero_points", rng, (1, 2, 5, 5), 3, 3, 1, 1,
                    1, 1, ("u8", 0.05, 10), [0.01, 0.02, 0.03],
                    ("u8", 0.1, 100), w_zps=[0, 5, -7], bias="none")
    # A tensor of zeros quantized with the smallest scale an observer picks.
    yield conv_case("conv2d_zeros_eps_scale", rng, (1, 2, 4, 4), 2, 3, 1, 1, 1,
                    1, ("u8", float(np.finfo(F32).eps), 0), [0.01, 0.01],
                    ("u8", float(np.finfo(F32).eps), 0),
                    x_data=np.zeros((1, 2, 4, 4), F32))


def linear_cases():
    rng = np.random.default_rng(11)
    x, w = tie_data(rng, (9, 40), (20, 40))
    yield linear_case("linear_exact_ties", rng, (9, 40), 20, ("i8", 0.5, 0),
                      [0.5], ("i8", 0.5, 0), bias="none", x_data=x, w_data=w)
    yield linear_case("linear_relu", rng, (4, 100), 10, ("u8", 0.05, 64),
                      list(rng.uniform(0.001, 0.01, 10)), ("u8", 0.1, 30),
                      act="relu")
    # K = 4096: the int32 accumulator still cannot overflow (4096*255*127).
    yield linear_case("linear_large_k", rng, (2, 4096), 16, ("u8", 0.01, 0),
                      [0.003], ("u8", 2.0, 128))
    yield linear_case("linear_rank3_i32_bias", rng, (2, 3, 20), 5,
                      ("i8", 0.1, 0), [0.02] * 5, ("i8", 0.5, 0), bias="i32")
    # Row counts that the kernels' tiles (8 rows with VNNI; 4, 2 and 1
    # with AVX2) divide into every combination, including one row.
    for m in (1, 3, 5, 7, 10, 11, 13):
        yield linear_case("linear_rows_%d" % m, rng, (m, 36), 21,
                          ("u8", 0.04, 3), list(rng.uniform(0.002, 0.01, 21)),
                          ("u8", 0.08, 100))


def full_range(rng, shape, dtype, scale, zp):
    """Float data whose quantized values span the whole storage range, both
    ends included."""
    lo, hi = storage_range(dtype)
    q = rng.integers(lo, hi + 1, size=shape)
    q.flat[0], q.flat[1] = lo, hi
    return ((q - zp) * scale).astype(F32)


def kernel_cases():
    """The int8 kernels' edge cases (qnn-to-kernels): channel counts and
    reduction lengths that are not multiples of any tile, padding with a
    non-zero input zero point, strides, dilation, groups, depthwise,
    batches and layers larger than one block of packed rows, activations
    and weights over their whole ranges, u8 and zero-point-shifted weights,
    both requantization modes, a dynamic batch."""
    rng = np.random.default_rng(17)

    def scales(n):
        return list(rng.uniform(0.002, 0.02, n))
    for integer in (False, True):
        p = "int_" if integer else ""
        yield conv_case(p + "kern_odd_channels_relu", rng, (2, 37, 9, 7), 45,
                        3, 1, 1, 1, 1, ("u8", 0.02, 200), scales(45),
                        ("u8", 0.2, 10), act="relu", integer=integer)
        yield conv_case(p + "kern_stride3_dilation2_pad2", rng,
                        (1, 20, 17, 13), 33, 3, 3, 2, 2, 1, ("u8", 0.05, 255),
                        scales(33), ("i8", 0.5, -7), integer=integer)
        yield conv_case(p + "kern_grouped", rng, (2, 15, 8, 8), 21, 3, 1, 1, 1,
                        3, ("u8", 0.05, 3), scales(21), ("u8", 0.3, 128),
                        integer=integer)
        yield conv_case(p + "kern_depthwise_relu6", rng, (3, 24, 10, 10), 24,
                        3, 2, 1, 1, 24, ("u8", 0.03, 17), scales(24),
                        ("u8", 0.04, 0), act="relu6", integer=integer)
        # More packed rows than one block holds (K = 2304: 80 rows a block
        # for AVX2 and VNNI), the full u8 range on both operands (so AVX2
        # tiles take both the fast and the split path).
        yield conv_case(p + "kern_rows_beyond_block", rng, (1, 256, 12, 12), 24,
                        3, 1, 1, 1, 1, ("u8", 0.02, 0), scales(24),
                        ("u8", 1.0, 128),
                        x_data=full_range(rng, (1, 256, 12, 12), "u8", 0.02, 0),
                        w_data=rng.integers(-128, 128, (24, 256, 3, 3)),
                        integer=integer)
    # Depthwise rows long enough for the kernels' groups of inside pixels
    # (4 with AVX-512, 2 with AVX2) and a remainder, beside border pixels;
    # weight zero points; a channel count no lane width divides.
    yield conv_case("kern_depthwise_wide_rows", rng, (2, 40, 9, 23), 40, 3, 1,
                    1, 1, 40, ("u8", 0.03, 128), scales(40), ("u8", 0.05, 3),
                    w_zps=list(rng.integers(-9, 10, 40)))
    # 5x5 taps (not the 3x3 fast loop), dilation and stride, i8 input over
    # its whole range.
    yield conv_case("kern_depthwise_5x5_dilated_i8", rng, (1, 17, 14, 23), 17,
                    5, 2, 3, 2, 17, ("i8", 0.05, -5), scales(17),
                    ("i8", 0.3, 4),
                    x_data=full_range(rng, (1, 17, 14, 23), "i8", 0.05, -5))
    # 3x3 without padding on i8 input: every pixel inside.
    yield conv_case("kern_depthwise_unpadded_i8", rng, (1, 16, 6, 12), 16, 3,
                    1, 0, 1, 16, ("i8", 0.05, 0), scales(16), ("i8", 0.2, -3),
                    x_data=full_range(rng, (1, 16, 6, 12), "i8", 0.05, 0))
    yield conv_case("kern_full_range_i8_input", rng, (2, 16, 6, 6), 32, 3, 1, 1,
                    1, 1, ("i8", 0.05, -128), scales(32), ("i8", 0.5, 0),
                    x_data=full_range(rng, (2, 16, 6, 6), "i8", 0.05, -128),
                    w_data=rng.integers(-128, 128, (32, 16, 3, 3)))
    yield conv_case("kern_u8_weights", rng, (1, 12, 7, 7), 20, 3, 1, 1, 1, 1,
                    ("u8", 0.05, 30), scales(20), ("u8", 0.5, 100),
                    w_dtype="u8", w_zps=list(rng.integers(100, 156, 20)))
    yield conv_case("kern_weight_zero_points_padded", rng, (2, 10, 6, 6), 18,
                    3, 1, 1, 1, 1, ("u8", 0.05, 50), scales(18),
                    ("u8", 0.5, 100), w_zps=list(rng.integers(-20, 21, 18)))
    yield conv_case("kern_dynamic_batch", rng, (5, 8, 6, 6), 16, 3, 1, 1, 1,
                    1, ("u8", 0.05, 7), scales(16), ("u8", 0.2, 9),
                    dynamic_batch=True)
    yield conv_case("kern_conv1d_stride2", rng, (3, 10, 50), 19, 5, 2, 2, 1, 1,
                    ("u8", 0.05, 100), scales(19), ("u8", 0.3, 20))
    for integer in (False, True):
        p = "int_" if integer else ""
        # K = 1000 (no multiple of 4), N = 77, M = 65; with K = 2304 and
        # M = 100, more rows than one block.
        yield linear_case(p + "kern_linear_ragged", rng, (65, 1000), 77,
                          ("u8", 0.02, 90), scales(77), ("u8", 0.5, 60),
                          act="relu", integer=integer)
        yield linear_case(p + "kern_linear_rows_beyond_block", rng,
                          (100, 2304), 24, ("i8", 0.02, 3), scales(24),
                          ("i8", 0.5, -2), integer=integer,
                          w_data=rng.integers(-128, 128, (24, 2304)))


def dynamic_case(name, rng, x, o, w_scales, reduce_range, act="none",
                 bias=True, onednn=False):
    k = x.shape[-1]
    wq = rng.integers(-128, 128, size=(o, k)).astype(np.int64)
    b = (rng.standard_normal(o) * 4).astype(F32) if bias else None
    expected, _ = dynamic_linear(x, wq, w_scales, b, reduce_range, act,
                                 onednn)
    w_t = qtype_axis("i8", w_scales, [0] * o) if len(w_scales) > 1 else \
        qtype("i8", w_scales[0], 0)
    in_t, out_t = tt(x.shape, "f32"), tt(expected.shape, "f32")
    lines = ["func.func @%s(%%x: %s) -> %s {" % (name, in_t, out_t),
             "  %%wi = arith.constant %s" % dense(wq, "i8"),
             "  %%w = quant.scast %%wi : %s to %s" % (tt([o, k], "i8"),
                                                      tt([o, k], w_t))]
    operands, types = "%x, %w", [in_t, tt([o, k], w_t)]
    if b is not None:
        lines.append("  %%b = arith.constant %s" % dense(b, "f32"))
        operands += ", %b"
        types.append(tt([o], "f32"))
    attrs = ["activation = #qnn.activation<%s>" % act]
    if reduce_range:
        attrs.append("reduce_range")
    lines.append("  %%y = qnn.linear %s {%s} : (%s) -> %s" % (
        operands, ", ".join(attrs), ", ".join(types), out_t))
    lines += ["  return %%y : %s" % out_t, "}"]
    return Case(name, "\n".join(lines) + "\n", [x], [expected],
                mode_flags(False, onednn))


def dynamic_cases():
    rng = np.random.default_rng(5)
    per_channel = list(rng.uniform(0.001, 0.02, 12))
    normal = (rng.standard_normal((8, 64)) * 3 + 1).astype(F32)
    yield dynamic_case("dynamic_reduce_range", rng, normal, 12, per_channel,
                       True)
    yield dynamic_case("dynamic_full_range_relu", rng, normal, 12,
                       per_channel, False, act="relu")
    yield dynamic_case("dynamic_per_tensor_rank3_relu6", rng,
                       (rng.standard_normal((2, 3, 16)) * 4).astype(F32), 5,
                       [0.01], True, act="relu6")
    # Ranges at the edges of rule C: all positive, all negative, all zero
    # (scale 0 -> 0.1), tiny (below the 6.1e-5 scale threshold, with and
    # without 0 as an end), large.
    edges = {
        "positive": rng.uniform(0.5, 9.0, (4, 32)),
        "negative": -rng.uniform(0.5, 9.0, (4, 32)),
        "zeros": np.zeros((4, 32)),
        "tiny_mixed": rng.standard_normal((4, 32)) * 1e-6,
        "tiny_positive": rng.uniform(0, 1e-6, (4, 32)),
        "tiny_negative": -rng.uniform(0, 1e-6, (4, 32)),
        "large": rng.standard_normal((4, 32)) * 1e6,
    }
    for label, x in edges.items():
        for reduce_range in (True, False):
            yield dynamic_case("dynamic_%s_%s" % (
                label, "rr" if reduce_range else "full"), rng, x.astype(F32),
                6, list(rng.uniform(0.001, 0.02, 6)), reduce_range)
    # Below the threshold the stretched range no longer spans exactly
    # qmax - qmin steps, so the zero point from the minimum (1.500005 -> 2,
    # the smaller error term) and from the maximum (1.499998 -> 1) differ:
    # the rule's choice between them shows.
    for label, lo, hi, reduce_range in (
            ("rr", -1.1811023270524856e-08, 9.881856612992124e-07, True),
            ("full", -3.9411764873875654e-07, 6.058823487364862e-07, False)):
        x = rng.uniform(lo, hi, (2, 16)).astype(F32)
        x[0, 0], x[1, 5] = lo, hi
        yield dynamic_case("dynamic_zero_point_tie_" + label, rng, x, 6,
                           list(rng.uniform(0.001, 0.02, 6)), reduce_range)
    # K = 4096 with the weight at both ends of int8.
    yield dynamic_case("dynamic_large_k", rng,
                       rng.uniform(-2, 5, (2, 4096)).astype(F32), 4, [0.003],
                       True, bias=False)
    # PyTorch's onednn engine (--requantization=onednn): per channel and per
    # tensor, with and without reduce_range and bias, relu, edge ranges, and
    # inputs on exact ties with an odd zero point, where adding the zero
    # point before rounding (onednn) and after it (rule Q) differ on each.
    yield dynamic_case("dynamic_onednn_reduce_range", rng, normal, 12,
                       per_channel, True, onednn=True)
    yield dynamic_case("dynamic_onednn_per_tensor_relu", rng,
                       (rng.standard_normal((3, 2, 40)) * 2).astype(F32), 7,
                       [0.006], False, act="relu", onednn=True)
    yield dynamic_case("dynamic_onednn_no_bias_large_k", rng,
                       rng.uniform(-2, 5, (2, 4096)).astype(F32), 4, [0.003],
                       True, bias=False, onednn=True)
    for label in ("zeros", "tiny_mixed", "large"):
        yield dynamic_case("dynamic_onednn_" + label, rng,
                           edges[label].astype(F32), 6,
                           list(rng.uniform(0.001, 0.02, 6)), True,
                           onednn=True)
    yield dynamic_case("dynamic_onednn_ties_odd_zero_point", rng,
                       onednn_tie_input(rng, (6, 48)), 10,
                       list(rng.uniform(0.001, 0.02, 10)), True, onednn=True)


def onednn_tie_input(rng, shape):
    """Float inputs for a dynamic linear with reduce_range whose zero point
    is odd and of whose elements more than half lie on a tie: x * (1 / sx)
    is exactly k + 0.5 in float32 (1 / sx as onednn computes it). The first and last elements hold the
    range."""
    while True:
        lo, hi = -rng.uniform(0.5, 3), rng.uniform(0.5, 3)
        sx, zx = choose_qparams(F32(lo), F32(hi), 0, 127, True)
        if zx % 2 == 1:
            break
    inv = F32(1.0 / sx)
    k = rng.integers(int(np.ceil(F32(lo) * inv)), int(F32(hi) * inv) - 1,
                     size=shape)
    x = ((k + 0.5) / np.float64(inv)).astype(F32)
    exact = (x * inv).astype(F32) == (k + 0.5)
    x = np.where(exact, x, F32(0)).astype(F32)
    x.flat[0], x.flat[-1] = lo, hi
    assert exact.mean() > 0.5
    return x


def integer_cases():
    """Rule I (--requantization=integer) on conv and linear."""
    rng = np.random.default_rng(13)
    yield conv_case("int_conv2d_relu", rng, (2, 3, 9, 9), 8, 3, 1, 1, 1, 1,
                    ("u8", 0.0235, 128), list(rng.uniform(0.002, 0.02, 8)),
                    ("u8", 0.05, 3), act="relu", integer=True)
    # Multipliers from about 1e-7 (right shifts past 20) to 1e2 (left
    # shifts): saturation at both ends, and the below-2^-32 case.
    yield conv_case("int_conv2d_wide_scales", rng, (1, 4, 6, 6), 8, 3, 1, 0,
                    1, 1, ("u8", 0.1, 0), list(np.logspace(-6, 2, 8)),
                    ("u8", 0.5, 128), integer=True)
    yield conv_case("int_conv2d_tiny_multiplier", rng, (1, 2, 5, 5), 2, 3, 1,
                    1, 1, 1, ("u8", 1e-6, 0), [1e-6, 1e-5], ("u8", 10.0, 7),
                    integer=True)
    yield conv_case("int_depthwise_relu6", rng, (1, 6, 11, 11), 6, 3, 2, 1, 1,
                    6, ("u8", 0.02, 255), list(rng.uniform(0.01, 0.1, 6)),
                    ("u8", 0.03, 0), act="relu6", integer=True)
    yield conv_case("int_conv1d_i8_i32_bias", rng, (2, 4, 40), 6, 3, 1, 2, 2,
                    2, ("i8", 0.05, -3), [0.01], ("i8", 0.2, 5), bias="i32",
                    integer=True)
    yield linear_case("int_linear_relu", rng, (4, 100), 10, ("u8", 0.05, 64),
                      list(rng.uniform(0.001, 0.01, 10)), ("u8", 0.1, 30),
                      act="relu", integer=True)
    # M = 0.5 * 0.5 / 1 = 2^-2 exactly: a right shift of 1 on every
    # accumulator, so exact ties of both signs (half away from zero).
    yield linear_case("int_linear_exact_ties", rng, (8, 3), 16,
                      ("i8", 0.5, 0), [0.5], ("i8", 1.0, 0), bias="none",
                      integer=True)
    yield linear_case("int_linear_large_k", rng, (2, 4096), 16,
                      ("u8", 0.01, 0), [0.003], ("u8", 2.0, 128),
                      integer=True)


def onednn_cases():
    """Rule O (--requantization=onednn) on conv and linear, through the
    linalg loops and every kernel."""
    rng = np.random.default_rng(29)

    def scales(n):
        return list(rng.uniform(0.002, 0.02, n))
    # Exact ties with an odd output zero point: rule O (zero point added
    # before rounding) and rule R (after) differ on every one of them.
    x, w = tie_data(rng, (2, 5, 7, 7), (12, 5, 3, 3))
    yield conv_case("onednn_exact_ties_odd_zero_point", rng, (2, 5, 7, 7), 12,
                    3, 1, 1, 1, 1, ("i8", 0.5, 0), [0.5], ("i8", 0.5, 3),
                    bias="none", x_data=x, w_data=w, onednn=True)
    yield conv_case("onednn_conv2d_relu", rng, (2, 37, 9, 7), 45, 3, 1, 1, 1,
                    1, ("u8", 0.02, 200), scales(45), ("u8", 0.2, 11),
                    act="relu", onednn=True)
    yield conv_case("onednn_depthwise_relu6", rng, (3, 24, 10, 10), 24, 3, 2,
                    1, 1, 24, ("u8", 0.03, 17), scales(24), ("u8", 0.04, 1),
                    act="relu6", onednn=True)
    yield conv_case("onednn_depthwise_wide_rows", rng, (2, 40, 9, 23), 40, 3,
                    1, 1, 1, 40, ("u8", 0.03, 128), scales(40),
                    ("u8", 0.05, 3), onednn=True)
    yield conv_case("onednn_grouped_i8_out", rng, (2, 15, 8, 8), 21, 3, 1, 1,
                    1, 3, ("u8", 0.05, 3), scales(21), ("i8", 0.3, -5),
                    onednn=True)
    yield conv_case("onednn_rows_beyond_block", rng, (1, 256, 12, 12), 24, 3,
                    1, 1, 1, 1, ("u8", 0.02, 0), scales(24), ("u8", 1.0, 127),
                    x_data=full_range(rng, (1, 256, 12, 12), "u8", 0.02, 0),
                    w_data=rng.integers(-128, 128, (24, 256, 3, 3)),
                    onednn=True)
    yield conv_case("onednn_conv1d_i32_bias", rng, (2, 4, 40), 6, 3, 1, 2, 2,
                    2, ("u8", 0.05, 9), [0.01], ("u8", 0.2, 5), bias="i32",
                    onednn=True)
    yield linear_case("onednn_linear_ragged", rng, (65, 1000), 77,
                      ("u8", 0.02, 90), scales(77), ("u8", 0.5, 61),
                      act="relu", onednn=True)
    yield linear_case("onednn_linear_exact_ties", rng, (8, 3), 16,
                      ("i8", 0.5, 0), [0.5], ("i8", 1.0, 1), bias="none",
                      onednn=True)


def elementwise_cases():
    rng = np.random.default_rng(3)
    # Quantize / dequantize at the edges: ties, saturation, negative inputs,
    # zero points 0 / 128 / 255, per-axis.
    for dtype, scale, zp in (("u8", 0.1, 0), ("u8", 0.0625, 128),
                             ("u8", 0.02, 255), ("i8", 0.25, -5)):
        s = F32(scale)
        x = np.concatenate([
            (np.arange(-8, 8) + 0.5).astype(F32) * s,  # exact ties
            np.array([0.0, -0.0, 1e9, -1e9, 300 * s, -300 * s], F32),
            (rng.standard_normal(26) * 100 * s).astype(F32)]).reshape(6, 8)
        q = quantize(x, scale, zp, dtype)
        name = "qdq_%s_zp%d" % (dtype, zp if zp >= 0 else 1000 - zp)
        t = qtype(dtype, scale, zp)
        ir = "\n".join([
            "func.func @%s(%%x: tensor<6x8xf32>) -> (%s, tensor<6x8xf32>) {" % (name, tt([6, 8], t)),
            "  %%q = qnn.quantize %%x : tensor<6x8xf32> -> %s" % tt([6, 8], t),
            "  %%d = qnn.dequantize %%q : %s -> tensor<6x8xf32>" % tt([6, 8], t),
            "  return %%q, %%d : %s, tensor<6x8xf32>" % tt([6, 8], t),
            "}"]) + "\n"
        yield Case(name, ir, [x], [q.astype(storage_np(dtype)),
                                   dequantize(q, scale, zp)])
    # Per-axis quantize along dimension 1, requantize u8 -> i8.
    scales, zps = [0.01, 0.1, 1.0], [0, 100, 255]
    x = (rng.standard_normal((4, 3)) * 50).astype(F32)
    q = np.stack([quantize(x[:, i], scales[i], zps[i], "u8") for i in range(3)], 1)
    t = qtype_axis("u8", scales, zps, axis=1)
    out_t = qtype("i8", 0.3, -10)
    rq = quantize(np.stack([dequantize(q[:, i], scales[i], zps[i]) for i in range(3)], 1),
                  0.3, -10, "i8")
    ir = "\n".join([
        "func.func @per_axis(%%x: tensor<4x3xf32>) -> (%s, %s) {" % (tt([4, 3], t), tt([4, 3], out_t)),
        "  %%q = qnn.quantize %%x : tensor<4x3xf32> -> %s" % tt([4, 3], t),
        "  %%r = qnn.requantize %%q : %s -> %s" % (tt([4, 3], t), tt([4, 3], out_t)),
        "  return %%q, %%r : %s, %s" % (tt([4, 3], t), tt([4, 3], out_t)),
        "}"]) + "\n"
    yield Case("per_axis", ir, [x], [q.astype(np.uint8), rq.astype(np.int8)])
    # relu, clamp (ReLU6), max pool with padding and ceil mode, flatten,
    # reshape on quantized values.
    t = qtype("u8", 0.05, 100)
    x = (rng.standard_normal((1, 2, 5, 5)) * 3).astype(F32)
    q = quantize(x, 0.05, 100, "u8")
    relu = np.maximum(q, 100)
    lo6, hi6 = quantize(np.array([0.0, 6.0], F32), 0.05, 100, "u8")
    clamp = np.clip(relu, lo6, hi6)
    padded = np.pad(clamp, [(0, 0), (0, 0), (1, 2), (1, 2)], constant_values=-1)
    pooled = np.zeros((1, 2, 3, 3), np.int64)
    for i in range(3):
        for j in range(3):
            pooled[:, :, i, j] = padded[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
    flat = pooled.reshape(1, 18)
    ir = "\n".join([
        "func.func @pool_and_shapes(%%x: tensor<1x2x5x5xf32>) -> %s {" % tt([3, 6], t),
        "  %%q = qnn.quantize %%x : tensor<1x2x5x5xf32> -> %s" % tt([1, 2, 5, 5], t),
        "  %%r = qnn.relu %%q : %s" % tt([1, 2, 5, 5], t),
        "  %%c = qnn.clamp %%r {min = 0.0 : f32, max = 6.0 : f32} : %s" % tt([1, 2, 5, 5], t),
        "  %%p = qnn.max_pool %%c {kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : %s -> %s" % (tt([1, 2, 5, 5], t), tt([1, 2, 3, 3], t)),
        "  %%f = qnn.flatten %%p : %s -> %s" % (tt([1, 2, 3, 3], t), tt([1, 18], t)),
        "  %%s = qnn.reshape %%f : %s -> %s" % (tt([1, 18], t), tt([3, 6], t)),
        "  return %%s : %s" % tt([3, 6], t),
        "}"]) + "\n"
    yield Case("pool_and_shapes", ir, [x], [flat.reshape(3, 6).astype(np.uint8)])
    # transpose: NCHW to NHWC and back to NCW-like order, storage unchanged.
    x = (rng.standard_normal((2, 3, 4, 5)) * 3).astype(F32)
    q = quantize(x, 0.05, 100, "u8")
    ir = "\n".join([
        "func.func @transpose(%%x: tensor<2x3x4x5xf32>) -> (%s, %s) {" % (tt([2, 4, 5, 3], t), tt([5, 2, 3, 4], t)),
        "  %%q = qnn.quantize %%x : tensor<2x3x4x5xf32> -> %s" % tt([2, 3, 4, 5], t),
        "  %%a = qnn.transpose %%q {permutation = array<i64: 0, 2, 3, 1>} : %s -> %s" % (tt([2, 3, 4, 5], t), tt([2, 4, 5, 3], t)),
        "  %%b = qnn.transpose %%q {permutation = array<i64: 3, 0, 1, 2>} : %s -> %s" % (tt([2, 3, 4, 5], t), tt([5, 2, 3, 4], t)),
        "  return %%a, %%b : %s, %s" % (tt([2, 4, 5, 3], t), tt([5, 2, 3, 4], t)),
        "}"]) + "\n"
    yield Case("transpose", ir, [x], [q.transpose(0, 2, 3, 1).astype(np.uint8),
                                      q.transpose(3, 0, 1, 2).astype(np.uint8)])
    # add: each side dequantized with its own parameters (one fused
    # multiply-add, PyTorch's vectorized kernel), summed in float32,
    # quantized with the result's; relu / relu6 applied to the real sum.
    for act, (ta, tb, to) in (("none", (("u8", 0.05, 100), ("u8", 0.03, 120), ("u8", 0.07, 90))),
                              ("relu", (("u8", 0.1, 0), ("u8", 0.2, 255), ("u8", 0.15, 20))),
                              ("relu6", (("i8", 0.04, -3), ("i8", 0.02, 7), ("i8", 0.05, -100)))):
        xa = (rng.standard_normal((2, 4, 5)) * 3).astype(F32)
        xb = (rng.standard_normal((2, 4, 5)) * 2).astype(F32)
        qa, qb = quantize(xa, ta[1], ta[2], ta[0]), quantize(xb, tb[1], tb[2], tb[0])
        total = (dequantize_fma(qa, ta[1], ta[2]) +
                 dequantize_fma(qb, tb[1], tb[2])).astype(F32)
        if act != "none":
            total = np.maximum(total, F32(0))
        if act == "relu6":
            total = np.minimum(total, F32(6))
        y = quantize(total, to[1], to[2], to[0])
        a_t, b_t, o_t = qtype(*ta), qtype(*tb), qtype(*to)
        shape = [2, 4, 5]
        name = "add_" + act
        ir = "\n".join([
            "func.func @%s(%%a: %s, %%b: %s) -> %s {" % (name, tt(shape, "f32"), tt(shape, "f32"), tt(shape, o_t)),
            "  %%qa = qnn.quantize %%a : %s -> %s" % (tt(shape, "f32"), tt(shape, a_t)),
            "  %%qb = qnn.quantize %%b : %s -> %s" % (tt(shape, "f32"), tt(shape, b_t)),
            "  %%y = qnn.add %%qa, %%qb {activation = #qnn.activation<%s>} : (%s, %s) -> %s" % (act, tt(shape, a_t), tt(shape, b_t), tt(shape, o_t)),
            "  return %%y : %s" % tt(shape, o_t), "}"]) + "\n"
        yield Case(name, ir, [xa, xb], [y.astype(storage_np(to[0]))])
    # Every pair of u8 values, where the fused dequantization and rule D's
    # round differently on some sums.
    # (Scales where 4 of the 65,536 sums differ, found by search.)
    ta, tb, to = (("u8", 0.045713797211647034, 247), ("u8", 0.028963500633835793, 95),
                  ("u8", 0.04821907356381416, 184))
    qa = np.repeat(np.arange(256), 256).reshape(256, 256)
    qb = np.tile(np.arange(256), 256).reshape(256, 256)
    xa, xb = dequantize(qa, ta[1], ta[2]), dequantize(qb, tb[1], tb[2])
    assert (quantize(xa, ta[1], ta[2], "u8") == qa).all()
    assert (quantize(xb, tb[1], tb[2], "u8") == qb).all()
    total = (dequantize_fma(qa, ta[1], ta[2]) +
             dequantize_fma(qb, tb[1], tb[2])).astype(F32)
    y = quantize(total, to[1], to[2], "u8")
    ir = add_ir("add_all_pairs", [256, 256], qtype(*ta), qtype(*tb), qtype(*to))
    yield Case("add_all_pairs", ir, [xa, xb], [y.astype(np.uint8)])

    # cat: an input with the result's scale and zero point is copied, the
    # others are dequantized with their own (rule D) and quantized with the
    # result's (rule Q); along channels, along the last dimension, u8 and
    # i8, and with the batch dimension dynamic.
    for name, dim, dtype, types, widths in (
            ("cat_channels_u8", 1, "u8", ((0.05, 100), (0.03, 120), (0.05, 100)), (3, 5, 2)),
            ("cat_last_i8", 3, "i8", ((0.04, -3), (0.02, 7)), (4, 1)),
            ("cat_batch_dynamic_u8", 1, "u8", ((0.1, 0), (0.07, 255)), (2, 6))):
        out_scale, out_zp = types[0] if len(types) == 3 else (0.06, 10 if dtype == "u8" else -20)
        shapes = []
        for w in widths:
            shape = [2, 4, 3, 5]
            shape[dim] = w
            shapes.append(shape)
        xs = [(rng.standard_normal(sh) * 3).astype(F32) for sh in shapes]
        qs = [quantize(x, sc, zp, dtype) for x, (sc, zp) in zip(xs, types)]
        parts = [q if (sc, zp) == (out_scale, out_zp) else
                 quantize(dequantize(q, sc, zp), out_scale, out_zp, dtype)
                 for q, (sc, zp) in zip(qs, types)]
        y = np.concatenate(parts, axis=dim)
        o_t = qtype(dtype, out_scale, out_zp)
        dyn = name.endswith("dynamic_u8")

        def ty(shape, elem, dyn=dyn):
            text = tt(shape, elem)
            return text.replace("tensor<2x", "tensor<?x") if dyn else text
        in_ts = [qtype(dtype, sc, zp) for sc, zp in types]
        lines = ["func.func @%s(%s) -> %s {" % (name, ", ".join(
            "%%x%d: %s" % (i, ty(sh, "f32")) for i, sh in enumerate(shapes)), ty(y.shape, o_t))]
        for i, (sh, t) in enumerate(zip(shapes, in_ts)):
            lines.append("  %%q%d = qnn.quantize %%x%d : %s -> %s" % (i, i, ty(sh, "f32"), ty(sh, t)))
        lines.append("  %%y = qnn.cat %s {dim = %d : i64} : (%s) -> %s" % (
            ", ".join("%%q%d" % i for i in range(len(shapes))), dim,
            ", ".join(ty(sh, t) for sh, t in zip(shapes, in_ts)), ty(y.shape, o_t)))
        lines += ["  return %%y : %s" % ty(y.shape, o_t), "}"]
        yield Case(name, "\n".join(lines) + "\n", xs, [y.astype(storage_np(dtype))])

    # hardswish and hardsigmoid on every storage value of u8 and i8, the
    # float functions on the dequantized values and around -3 and 3.
    for dtype, (sx, zx), (so, zo) in (("u8", (0.05, 100), (0.03, 20)),
                                      ("i8", (0.04, -3), (0.02, -100))):
        lo, hi = storage_range(dtype)
        x = np.concatenate([dequantize(np.arange(lo, hi + 1), sx, zx),
                            np.array([-3.0, 3.0, -2.9999998, 3.0000002, -0.0],
                                     F32)]).astype(F32).reshape(1, -1, 1)
        q = quantize(x, sx, zx, dtype)
        sig_zp = 0 if dtype == "u8" else -128
        t_in, t_hs = qtype(dtype, sx, zx), qtype(dtype, so, zo)
        t_sig = qtype(dtype, 0.00390625, sig_zp)
        shape = list(x.shape)
        name = "hard_activations_" + dtype
        ir = "\n".join([
            "func.func @%s(%%x: %s) -> (%s, %s, %s, %s) {" % (
                name, tt(shape, "f32"), tt(shape, "f32"), tt(shape, "f32"),
                tt(shape, t_hs), tt(shape, t_sig)),
            "  %%fs = qnn.hardswish %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, "f32")),
            "  %%fg = qnn.hardsigmoid %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, "f32")),
            "  %%q = qnn.quantize %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, t_in)),
            "  %%qs = qnn.hardswish %%q : %s -> %s" % (tt(shape, t_in), tt(shape, t_hs)),
            "  %%qg = qnn.hardsigmoid %%q : %s -> %s" % (tt(shape, t_in), tt(shape, t_sig)),
            "  return %%fs, %%fg, %%qs, %%qg : %s, %s, %s, %s" % (
                tt(shape, "f32"), tt(shape, "f32"), tt(shape, t_hs), tt(shape, t_sig)),
            "}"]) + "\n"
        xd = dequantize_fma(q, sx, zx)
        yield Case(name, ir, [x], [
            hard_activation(x, True), hard_activation(x, False),
            quantize_double_reciprocal(hard_activation(xd, True), so, zo,
                                       dtype).astype(storage_np(dtype)),
            quantize_double_reciprocal(hard_activation(xd, False), 0.00390625,
                                       sig_zp, dtype).astype(storage_np(dtype))])
    # mul: a squeeze-and-excitation gate (N x C x 1 x 1) times a feature map
    # with a dynamic batch, and same-shape i8 operands; full-range values.
    for name, dtype, ta, tb, to, sa_shape, sb_shape in (
            ("mul_gate_u8", "u8", (0.004, 0), (0.05, 100), (0.02, 3),
             [2, 6, 1, 1], [2, 6, 5, 4]),
            ("mul_same_i8", "i8", (0.03, -7), (0.02, 5), (0.01, -1),
             [3, 17], [3, 17])):
        xa = (rng.standard_normal(sa_shape) * 2).astype(F32)
        xb = (rng.standard_normal(sb_shape) * 4).astype(F32)
        qa, qb = quantize(xa, ta[0], ta[1], dtype), quantize(xb, tb[0], tb[1], dtype)
        y = quantized_mul(qa, ta[0], ta[1], qb, tb[0], tb[1], to[0], to[1], dtype)
        dyn = dtype == "u8"

        def ty(shape, elem, dyn=dyn):
            text = tt(shape, elem)
            return text.replace("tensor<2x", "tensor<?x") if dyn else text
        a_t, b_t, o_t = qtype(dtype, *ta), qtype(dtype, *tb), qtype(dtype, *to)
        ir = "\n".join([
            "func.func @%s(%%a: %s, %%b: %s) -> (%s, %s) {" % (
                name, ty(sa_shape, "f32"), ty(sb_shape, "f32"), ty(sb_shape, "f32"),
                ty(sb_shape, o_t)),
            "  %%f = qnn.mul %%a, %%b : (%s, %s) -> %s" % (
                ty(sa_shape, "f32"), ty(sb_shape, "f32"), ty(sb_shape, "f32")),
            "  %%qa = qnn.quantize %%a : %s -> %s" % (ty(sa_shape, "f32"), ty(sa_shape, a_t)),
            "  %%qb = qnn.quantize %%b : %s -> %s" % (ty(sb_shape, "f32"), ty(sb_shape, b_t)),
            "  %%y = qnn.mul %%qa, %%qb : (%s, %s) -> %s" % (
                ty(sa_shape, a_t), ty(sb_shape, b_t), ty(sb_shape, o_t)),
            "  return %%f, %%y : %s, %s" % (ty(sb_shape, "f32"), ty(sb_shape, o_t)),
            "}"]) + "\n"
        yield Case(name, ir, [xa, xb], [(xa * xb).astype(F32),
                                        y.astype(storage_np(dtype))])


def pooling_cases():
    rng = np.random.default_rng(5)
    for dtype, scale, zp in (("u8", 0.05, 100), ("u8", 0.02, 255),
                             ("i8", 0.1, -7)):
        x = (rng.standard_normal((2, 3, 13, 11)) * 3).astype(F32)
        q = quantize(x, scale, zp, dtype)
        t = qtype(dtype, scale, zp)
        shape = [2, 3, 13, 11]
        for kernel, stride, pad, ceil, cip in ((3, 2, 1, False, True),
                                               (3, 2, 1, False, False),
                                               (3, 2, 1, True, True),
                                               (2, 2, 0, True, True)):
            y = avg_pool(q, zp, dtype, [kernel] * 2, [stride] * 2, [pad] * 2,
                         ceil, cip)
            name = "avg_pool_%s_zp%d_k%d_p%d_%s_%s" % (
                dtype, zp + 1000, kernel, pad, "ceil" if ceil else "floor",
                "incl" if cip else "excl")
            attrs = ("kernel_size = array<i64: %d, %d>, strides = array<i64: %d, %d>, "
                     "padding = array<i64: %d, %d>, ceil_mode = %s, count_include_pad = %s" % (
                         kernel, kernel, stride, stride, pad, pad,
                         "true" if ceil else "false", "true" if cip else "false"))
            ir = "\n".join([
                "func.func @%s(%%x: %s) -> %s {" % (name, tt(shape, "f32"), tt(y.shape, t)),
                "  %%q = qnn.quantize %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, t)),
                "  %%y = qnn.avg_pool %%q {%s} : %s -> %s" % (attrs, tt(shape, t), tt(y.shape, t)),
                "  return %%y : %s" % tt(y.shape, t), "}"]) + "\n"
            yield Case(name, ir, [x], [y.astype(storage_np(dtype))])
        for out, centered in (((1, 1), False), ((3, 2), False), ((5, 7), False),
                              ((1, 1), True), ((5, 7), True)):
            y = adaptive_avg_pool(q, out, zp if centered else None)
            name = "adaptive_%s_zp%d_%dx%d%s" % (dtype, zp + 1000, out[0], out[1],
                                                 "_centered" if centered else "")
            ir = "\n".join([
                "func.func @%s(%%x: %s) -> %s {" % (name, tt(shape, "f32"), tt(y.shape, t)),
                "  %%q = qnn.quantize %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, t)),
                "  %%y = qnn.adaptive_avg_pool %%q%s : %s -> %s" % (
                    " {centered}" if centered else "", tt(shape, t), tt(y.shape, t)),
                "  return %%y : %s" % tt(y.shape, t), "}"]) + "\n"
            yield Case(name, ir, [x], [y.astype(storage_np(dtype))])
    # The pooling kernels' edges: channel counts that fill no vector (70,
    # 19), dilation with padding, i8.
    for dtype, scale, zp, c in (("u8", 0.05, 7, 70), ("i8", 0.1, -3, 19)):
        x = (rng.standard_normal((2, c, 9, 8)) * 3).astype(F32)
        q = quantize(x, scale, zp, dtype)
        t = qtype(dtype, scale, zp)
        lo = storage_range(dtype)[0]
        padded = np.pad(q, [(0, 0), (0, 0), (1, 1), (1, 1)], constant_values=lo)
        oh, ow = (9 + 2 - 2 * 2 - 1) // 2 + 1, (8 + 2 - 2 * 2 - 1) // 2 + 1
        pooled = np.zeros((2, c, oh, ow), np.int64)
        for i in range(oh):
            for j in range(ow):
                pooled[:, :, i, j] = padded[:, :, 2 * i:2 * i + 5:2,
                                            2 * j:2 * j + 5:2].max(axis=(2, 3))
        g = adaptive_avg_pool(q, (1, 1))
        gc = adaptive_avg_pool(q, (1, 1), zp)
        name = "pool_edges_%s_c%d" % (dtype, c)
        shape = [2, c, 9, 8]
        ir = "\n".join([
            "func.func @%s(%%x: %s) -> (%s, %s, %s) {" % (
                name, tt(shape, "f32"), tt(pooled.shape, t), tt(g.shape, t), tt(g.shape, t)),
            "  %%q = qnn.quantize %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, t)),
            "  %%m = qnn.max_pool %%q {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>} : %s -> %s" % (tt(shape, t), tt(pooled.shape, t)),
            "  %%g = qnn.adaptive_avg_pool %%q : %s -> %s" % (tt(shape, t), tt(g.shape, t)),
            "  %%c = qnn.adaptive_avg_pool %%q {centered} : %s -> %s" % (tt(shape, t), tt(g.shape, t)),
            "  return %%m, %%g, %%c : %s, %s, %s" % (
                tt(pooled.shape, t), tt(g.shape, t), tt(g.shape, t)), "}"]) + "\n"
        yield Case(name, ir, [x], [pooled.astype(storage_np(dtype)),
                                   g.astype(storage_np(dtype)),
                                   gc.astype(storage_np(dtype))])
    # Global pooling of 2x2 maps (MobileNetV3's last squeeze-and-excitation
    # blocks), where the NCHW and NHWC (`centered`) roundings differ on a
    # quarter of the channels, through every kernel variant.
    for dtype, scale, zp in (("u8", 0.05, 7), ("i8", 0.1, -3)):
        x = (rng.standard_normal((3, 70, 2, 2)) * 3).astype(F32)
        q = quantize(x, scale, zp, dtype)
        t = qtype(dtype, scale, zp)
        shape = [3, 70, 2, 2]
        g, gc = adaptive_avg_pool(q, (1, 1)), adaptive_avg_pool(q, (1, 1), zp)
        name = "global_2x2_%s" % dtype
        ir = "\n".join([
            "func.func @%s(%%x: %s) -> (%s, %s) {" % (
                name, tt(shape, "f32"), tt(g.shape, t), tt(g.shape, t)),
            "  %%q = qnn.quantize %%x : %s -> %s" % (tt(shape, "f32"), tt(shape, t)),
            "  %%g = qnn.adaptive_avg_pool %%q : %s -> %s" % (tt(shape, t), tt(g.shape, t)),
            "  %%c = qnn.adaptive_avg_pool %%q {centered} : %s -> %s" % (tt(shape, t), tt(g.shape, t)),
            "  return %%g, %%c : %s, %s" % (tt(g.shape, t), tt(g.shape, t)), "}"]) + "\n"
        yield Case(name, ir, [x], [g.astype(storage_np(dtype)), gc.astype(storage_np(dtype))])
    # The 1-D forms: global average pooling of the keyword-spotting shape,
    # and a 1-D average pooling.
    x = (rng.standard_normal((2, 64, 45)) * 2).astype(F32)
    q = quantize(x, 0.03, 5, "u8")
    t = qtype("u8", 0.03, 5)
    g = adaptive_avg_pool(q, (1,))
    a = avg_pool(q, 5, "u8", [3], [2], [1], False, True)
    ir = "\n".join([
        "func.func @pool1d(%%x: tensor<2x64x45xf32>) -> (%s, %s) {" % (tt(g.shape, t), tt(a.shape, t)),
        "  %%q = qnn.quantize %%x : tensor<2x64x45xf32> -> %s" % tt([2, 64, 45], t),
        "  %%g = qnn.adaptive_avg_pool %%q : %s -> %s" % (tt([2, 64, 45], t), tt(g.shape, t)),
        "  %%a = qnn.avg_pool %%q {kernel_size = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1>} : %s -> %s" % (tt([2, 64, 45], t), tt(a.shape, t)),
        "  return %%g, %%a : %s, %s" % (tt(g.shape, t), tt(a.shape, t)), "}"]) + "\n"
    yield Case("pool1d", ir, [x], [g.astype(np.uint8), a.astype(np.uint8)])


GROUPS = {"conv": conv_cases, "linear": linear_cases, "kernels": kernel_cases,
          "dynamic": dynamic_cases, "integer": integer_cases,
          "onednn": onednn_cases,
          "elementwise": elementwise_cases, "pooling": pooling_cases}


# Conv, linear and pooling cases run with each kernel variant (qrun
# --kernels): the linalg loops and every kernel; a variant the host CPU
# cannot run is skipped, and says so. The other groups run once, as qrun
# runs by default.
KERNEL_VARIANTS = ["none", "generic", "avx2", "avxvnni", "avx512vnni", "amx"]
KERNEL_GROUPS = ("conv", "linear", "integer", "kernels", "pooling",
                 "elementwise", "onednn")


def main():
    qrun, workdir, group = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    failures = 0
    skipped = set()
    variants = KERNEL_VARIANTS if group in KERNEL_GROUPS else ["auto"]
    for case in GROUPS[group]():
        base = os.path.join(workdir, case.name)
        with open(base + ".mlir", "w") as f:
            f.write(case.ir)
        for i, array in enumerate(case.inputs):
            np.save("%s.in%d.npy" % (base, i), array)
        for variant in variants:
            if variant in skipped:
                continue
            failures += run_case(qrun, base, case, variant, skipped)
    for variant in variants:
        if variant in skipped:
            print("kernels %s: skipped, the host CPU cannot run them" % variant)
    print("%s: %d case(s) with differences" % (group, failures))
    return 1 if failures else 0


def run_case(qrun, base, case, variant, skipped):
    """Runs one case with one kernel variant; returns 1 if it fails."""
    cmd = [qrun, base + ".mlir", "--kernels=" + variant] + case.flags
    for i in range(len(case.inputs)):
        cmd += ["-i", "%s.in%d.npy" % (base, i)]
    for i in range(len(case.expected)):
        cmd += ["-o", "%s.%s.out%d.npy" % (base, variant, i)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        if "cannot run the %s kernels" % variant in run.stderr:
            skipped.add(variant)
            return 0
        print("case %s [%s]: qrun failed:\n%s" % (case.name, variant,
                                                  run.stderr))
        return 1
    total = mismatched = 0
    for i, expected in enumerate(case.expected):
        actual = np.load("%s.%s.out%d.npy" % (base, variant, i))
        if actual.dtype != expected.dtype or actual.shape != expected.shape:
            print("case %s [%s]: output %d is %s %s, expected %s %s" % (
                case.name, variant, i, actual.dtype, actual.shape,
                expected.dtype, expected.shape))
            mismatched += 1
            continue
        total += expected.size
        if expected.dtype == np.float32:
            same = expected.view(np.uint32) == actual.view(np.uint32)
        else:
            same = expected == actual
        mismatched += int((~same).sum())
    print("case %s [%s]: %d elements, %d differ" % (case.name, variant,
                                                   total, mismatched))
    return int(mismatched != 0)


if __name__ == "__main__":
    sys.exit(main())
