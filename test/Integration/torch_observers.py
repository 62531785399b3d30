#!/usr/bin/python3
"""qopt's observers, qconfigs and calibration against PyTorch 1.13's.

    torch_observers.py QRUN WORKDIR

1. Each observer kind and setting (MinMax, MovingAverageMinMax,
   PerChannelMinMax, Histogram; quint8 / qint8; per-tensor / per-channel,
   affine / symmetric; reduce_range; quant_min / quant_max) runs in PyTorch
   and in qopt (a model holding one qnn.observe, calibrated by
   `qrun --calibrate` on a directory of .npy batches, quantized with
   `--quantize`) on the same data; the scales must be the same float32 bits
   and the zero points equal.
2. Each qconfig preset (x86, fbgemm, default, qnnpack, onednn) prepares a
   small conv model in PyTorch's eager mode (QuantStub, Conv2d + ReLU fused,
   MaxPool2d, flatten, Linear, DeQuantStub) and in qopt
   (`qrun --qconfig NAME --calibrate --quantize`); every scale and zero point
   (input, conv weight per channel, conv output, linear weight, linear
   output) must agree bit for bit.
3. Eager mode updates the observer of a fused Conv2d + ReLU twice per batch
   (it is a child of the fused nn.Sequential and its forward hook): qopt's
   `updates = 2` (workflow=eager, the default) records PyTorch's histogram
   bin for bin, and a moving-average observer's min and max; with
   workflow=fx both differ.
Prints one line per comparison and exits non-zero on any difference.
"""
import os
import re
import struct
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import observer as obs
from torch.ao.quantization import get_default_qconfig, default_qconfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quant_cases import dense  # noqa: E402

warnings.filterwarnings("ignore")
F32 = np.float32


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", float(x)))[0]


def datasets():
    """Four batches each: shifting Gaussians, a heavy right tail after relu,
    values inside (-1, 1) (PyTorch 1.13's histc truncates its range to
    integers), and a range growing batch by batch; plus six batches on which
    the order of the L2 error sums matters (histogram observers only)."""
    rng = np.random.default_rng(2024)
    shape = (8, 3, 5, 5)
    # Found by search: on these batches the histogram's range search stops
    # elsewhere if its L2 errors are summed sequentially instead of with
    # ATen's cascade sum (198.29 vs 179.75 as the chosen maximum).
    order = np.random.default_rng(5)
    sum_order = [(np.maximum(order.standard_normal((8, 500)), 0) ** 2 * (1 + 3 * b)
                  + order.uniform(-0.3, 0)).astype(F32) for b in range(6)]
    return {
        "sum_order": sum_order,
        "gauss": [(rng.standard_normal(shape) * 2 + 0.5 * b).astype(F32)
                  for b in range(4)],
        "tail": [np.maximum(rng.standard_normal(shape), 0).astype(F32) ** 3 * 4
                 for _ in range(4)],
        "unit": [rng.uniform(-0.7, 0.9, shape).astype(F32) for _ in range(4)],
        "growing": [(rng.laplace(0, 1, shape) * (1 + 3 * b)).astype(F32)
                    for b in range(4)],
    }


def observer_cases():
    """(label, PyTorch observer factory, qnn.observe attributes)."""
    q8 = {"quint8": torch.quint8, "qint8": torch.qint8}
    schemes = {"per_tensor_affine": torch.per_tensor_affine,
               "per_tensor_symmetric": torch.per_tensor_symmetric,
               "per_channel_affine": torch.per_channel_affine,
               "per_channel_symmetric": torch.per_channel_symmetric}

    def attrs(kind, dtype, scheme, rr=False, extra=""):
        a = "observer = #qnn.observer<%s>, dtype = #qnn.dtype<%s>, qscheme = #qnn.qscheme<%s>" % (
            kind, dtype, scheme)
        if rr:
            a += ", reduce_range"
        return a + extra

    for dtype in ("quint8", "qint8"):
        for scheme in ("per_tensor_affine", "per_tensor_symmetric"):
            for rr in (False, True):
                if rr and dtype == "quint8" and scheme == "per_tensor_symmetric":
                    continue  # PyTorch refuses it (so does the verifier)
                yield ("minmax %s %s rr=%s" % (dtype, scheme, rr),
                       lambda d=dtype, s=scheme, r=rr: obs.MinMaxObserver(
                           dtype=q8[d], qscheme=schemes[s], reduce_range=r),
                       attrs("minmax", dtype, scheme, rr))
    yield ("minmax quint8 quant_min=0 quant_max=127",
           lambda: obs.MinMaxObserver(quant_min=0, quant_max=127),
           attrs("minmax", "quint8", "per_tensor_affine",
                 extra=", quant_min = 0, quant_max = 127"))
    yield ("minmax qint8 symmetric quant_min=-64 quant_max=63",
           lambda: obs.MinMaxObserver(dtype=torch.qint8,
                                      qscheme=torch.per_tensor_symmetric,
                                      quant_min=-64, quant_max=63),
           attrs("minmax", "qint8", "per_tensor_symmetric",
                 extra=", quant_min = -64, quant_max = 63"))
    for dtype, scheme, rr in (("quint8", "per_tensor_affine", True),
                              ("qint8", "per_tensor_symmetric", False)):
        yield ("moving_average %s %s rr=%s" % (dtype, scheme, rr),
               lambda d=dtype, s=scheme, r=rr: obs.MovingAverageMinMaxObserver(
                   dtype=q8[d], qscheme=schemes[s], reduce_range=r),
               attrs("moving_average_minmax", dtype, scheme, rr,
                     ", averaging_constant = 0.01 : f32"))
    yield ("moving_average quint8 c=0.3",
           lambda: obs.MovingAverageMinMaxObserver(averaging_constant=0.3),
           attrs("moving_average_minmax", "quint8", "per_tensor_affine",
                 extra=", averaging_constant = 0.3 : f32"))
    for dtype, scheme in (("qint8", "per_channel_symmetric"),
                          ("quint8", "per_channel_affine"),
                          ("qint8", "per_channel_affine")):
        for axis in (0, 1):
            yield ("per_channel %s %s axis=%d" % (dtype, scheme, axis),
                   lambda d=dtype, s=scheme, a=axis: obs.PerChannelMinMaxObserver(
                       ch_axis=a, dtype=q8[d], qscheme=schemes[s]),
                   attrs("per_channel_minmax", dtype, scheme,
                         extra=", ch_axis = %d" % axis))
    yield ("per_channel qint8 symmetric rr axis=1",
           lambda: obs.PerChannelMinMaxObserver(
               ch_axis=1, dtype=torch.qint8,
               qscheme=torch.per_channel_symmetric, reduce_range=True),
           attrs("per_channel_minmax", "qint8", "per_channel_symmetric", True,
                 ", ch_axis = 1"))
    for dtype, scheme, rr in (("quint8", "per_tensor_affine", True),
                              ("quint8", "per_tensor_affine", False),
                              ("qint8", "per_tensor_symmetric", False),
                              ("qint8", "per_tensor_affine", True),
                              ("quint8", "per_tensor_symmetric", False)):
        yield ("histogram %s %s rr=%s" % (dtype, scheme, rr),
               lambda d=dtype, s=scheme, r=rr: obs.HistogramObserver(
                   dtype=q8[d], qscheme=schemes[s], reduce_range=r),
               attrs("histogram", dtype, scheme, rr))


def parse_qtype(text):
    """(scales, zero points) of a printed !quant.uniform type."""
    m = re.match(r"!quant\.uniform<[ui]8(?::[^:,<>]+)?:f32(?::(\d+))?, (.*)>$", text)
    if not m:
        raise ValueError("cannot parse " + text)
    body = m.group(2)
    if body.startswith("{"):
        items = body[1:-1].split(",")
    else:
        items = [body]
    scales, zps = [], []
    for item in items:
        s, _, z = item.strip().partition(":")
        if s.startswith("0x"):  # MLIR prints some doubles as their bits
            scales.append(F32(struct.unpack(">d", bytes.fromhex(s[2:]))[0]))
        else:
            scales.append(F32(float(s)))
        zps.append(int(z) if z else 0)
    return scales, zps


def qtypes(ir, op):
    """The quantized types in the type signature of each `op` line."""
    found = []
    for line in ir.splitlines():
        if (" " + op + " ") in line:
            found.append(re.findall(r"!quant\.uniform<[^>]*>", line))
    return found


def compare(label, expected, actual):
    (es, ez), (as_, az) = expected, actual
    same = len(es) == len(as_) and all(
        f32_bits(a) == f32_bits(b) for a, b in zip(es, as_)) and list(ez) == list(az)
    print("%-58s %s" % (label, "equal" if same else
                        "DIFFERENT: torch %s %s, qopt %s %s" % (
                            [float(s) for s in es], list(ez),
                            [float(s) for s in as_], list(az))))
    return same


def torch_qparams(o):
    scale, zp = o.calculate_qparams()
    return ([F32(s) for s in scale.reshape(-1).tolist()],
            [int(z) for z in zp.reshape(-1).tolist()])


def run_qrun(qrun, args):
    run = subprocess.run([qrun] + args, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("qrun failed: " + run.stderr)


def observers(qrun, workdir):
    ok = True
    for name, batches in datasets().items():
        data = os.path.join(workdir, name)
        os.makedirs(data, exist_ok=True)
        for i, b in enumerate(batches):
            np.save(os.path.join(data, "batch%d.npy" % i), b)
        t = "tensor<%sxf32>" % "x".join(map(str, batches[0].shape))
        for label, make, attrs in observer_cases():
            if name == "sum_order" and not label.startswith("histogram"):
                continue
            o = make()
            for b in batches:
                o(torch.from_numpy(b))
            model = os.path.join(workdir, "observe.mlir")
            with open(model, "w") as f:
                f.write("func.func @f(%%x: %s) -> %s {\n"
                        "  %%y = qnn.observe %%x {%s} : %s\n"
                        "  return %%y : %s\n}\n" % (t, t, attrs, t, t))
            out = os.path.join(workdir, "quantized.mlir")
            run_qrun(qrun, [model, "--calibrate", data, "--quantize",
                            "--write-model", out])
            ir = open(out).read()
            found = qtypes(ir, "qnn.quantize")
            actual = parse_qtype(found[0][0])
            ok &= compare("%s [%s]" % (label, name), torch_qparams(o), actual)
    return ok


class Small(nn.Module):
    def __init__(self, relu6=False):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(1, 4, 3)
        self.relu = nn.ReLU6() if relu6 else nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(36, 10)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.pool(self.relu(self.conv(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def small_ir(m, relu6=False):
    activation = ("qnn.clamp %c {min = 0.0 : f32, max = 6.0 : f32}" if relu6
                  else "qnn.relu %c")
    return "\n".join([
        "func.func @small(%x: tensor<8x1x8x8xf32>) -> tensor<8x10xf32> {",
        "  %w = arith.constant " + dense(m.conv.weight.detach().numpy(), "f32"),
        "  %b = arith.constant " + dense(m.conv.bias.detach().numpy(), "f32"),
        "  %fw = arith.constant " + dense(m.fc.weight.detach().numpy(), "f32"),
        "  %fb = arith.constant " + dense(m.fc.bias.detach().numpy(), "f32"),
        "  %s = qnn.quant_stub %x : tensor<8x1x8x8xf32>",
        "  %c = qnn.conv %s, %w, %b : (tensor<8x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<8x4x6x6xf32>",
        "  %r = " + activation + " : tensor<8x4x6x6xf32>",
        "  %p = qnn.max_pool %r {kernel_size = array<i64: 2, 2>} : tensor<8x4x6x6xf32> -> tensor<8x4x3x3xf32>",
        "  %f = qnn.flatten %p : tensor<8x4x3x3xf32> -> tensor<8x36xf32>",
        "  %l = qnn.linear %f, %fw, %fb : (tensor<8x36xf32>, tensor<10x36xf32>, tensor<10xf32>) -> tensor<8x10xf32>",
        "  %d = qnn.dequant_stub %l : tensor<8x10xf32>",
        "  return %d : tensor<8x10xf32>", "}"]) + "\n"


def qconfigs(qrun, workdir):
    ok = True
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    data = os.path.join(workdir, "images")
    os.makedirs(data, exist_ok=True)
    batches = [rng.uniform(0, 1, (8, 1, 8, 8)).astype(F32) ** (1 + b)
               for b in range(5)]
    for i, b in enumerate(batches):
        np.save(os.path.join(data, "b%d.npy" % i), b)
    # Weights, biases and inputs on coarse binary grids: every product and
    # sum of the float model is exact in float32, so PyTorch and qopt observe
    # bit-identical activations whatever order they add in.
    float_model = Small().eval()
    with torch.no_grad():
        for p in float_model.parameters():
            p.copy_(torch.randint(-8, 9, p.shape).float() / 16)
    batches = [np.floor(b * 16) / 16 for b in batches]
    for i, b in enumerate(batches):
        np.save(os.path.join(data, "b%d.npy" % i), b.astype(F32))
    model = os.path.join(workdir, "small.mlir")
    with open(model, "w") as f:
        f.write(small_ir(float_model))
    for name in ("x86", "fbgemm", "default", "qnnpack", "onednn"):
        m = Small().eval()
        m.load_state_dict(float_model.state_dict())
        m = torch.ao.quantization.fuse_modules(m, [["conv", "relu"]])
        m.qconfig = default_qconfig if name == "default" else get_default_qconfig(name)
        torch.ao.quantization.prepare(m, inplace=True)
        for b in batches:
            m(torch.from_numpy(b))
        expected = {
            "input": torch_qparams(m.quant.activation_post_process),
            "conv output": torch_qparams(m.conv.activation_post_process),
            "linear output": torch_qparams(m.fc.activation_post_process),
        }
        for label, layer in (("conv weight", m.conv[0]), ("linear weight", m.fc)):
            w_obs = m.qconfig.weight()
            w_obs(layer.weight)
            expected[label] = torch_qparams(w_obs)
        out = os.path.join(workdir, "small_%s.mlir" % name)
        run_qrun(qrun, [model, "--qconfig", name, "--calibrate", data,
                        "--quantize", "--write-model", out])
        ir = open(out).read()
        conv, linear = qtypes(ir, "qnn.conv")[0], qtypes(ir, "qnn.linear")[0]
        actual = {
            "input": parse_qtype(qtypes(ir, "qnn.quantize")[0][-1]),
            "conv weight": parse_qtype(conv[1]),
            "conv output": parse_qtype(conv[-1]),
            "linear weight": parse_qtype(linear[1]),
            "linear output": parse_qtype(linear[-1]),
        }
        for key in ("input", "conv weight", "conv output", "linear weight",
                    "linear output"):
            ok &= compare("qconfig %s: %s" % (name, key), expected[key],
                          actual[key])
    ok = eager_relu6(qrun, workdir, data, batches) and ok
    return eager_updates(qrun, workdir, model, data, float_model, batches) and ok


def eager_relu6(qrun, workdir, data, batches):
    """The small model with ReLU6: eager fuse_modules cannot fuse conv and
    ReLU6, so PyTorch observes the conv's output before the clamp (and the
    quantized ReLU6 keeps that scale). qopt must not fuse the clamp into the
    conv before observing. The conv weights are large enough that outputs
    pass 6 (on the same coarse grid, so every sum is exact)."""
    float_model = Small(relu6=True).eval()
    with torch.no_grad():
        for p in float_model.parameters():
            p.copy_(torch.randint(-8, 9, p.shape).float() / 16)
        float_model.conv.weight.mul_(8)
        float_model.conv.bias.mul_(8)
    model = os.path.join(workdir, "small_relu6.mlir")
    with open(model, "w") as f:
        f.write(small_ir(float_model, relu6=True))
    m = Small(relu6=True).eval()
    m.load_state_dict(float_model.state_dict())
    m.qconfig = get_default_qconfig("x86")
    torch.ao.quantization.prepare(m, inplace=True)
    largest = 0.0
    for b in batches:
        with torch.no_grad():
            largest = max(largest, float(m.conv(m.quant(torch.from_numpy(b))).max()))
            m(torch.from_numpy(b))
    print("eager conv + relu6: largest conv output %.2f (above 6: %s)" % (
        largest, "yes" if largest > 6 else "no"))
    out = os.path.join(workdir, "small_relu6_x86.mlir")
    run_qrun(qrun, [model, "--qconfig", "x86", "--calibrate", data, "--quantize",
                    "--write-model", out])
    conv = qtypes(open(out).read(), "qnn.conv")[0]
    return compare("eager conv + relu6: conv output",
                   torch_qparams(m.conv.activation_post_process), parse_qtype(conv[-1]))


def observe_attrs(ir):
    """The attribute dictionary of each qnn.observe on a computed value."""
    return re.findall(r"qnn\.observe %\d+ \{([^}]*)\}", ir)


def f32_array(attrs, name):
    m = re.search(name + r" = array<f32: ([^>]*)>", attrs)
    values = []
    for v in m.group(1).split(","):
        v = v.strip()
        values.append(struct.unpack("<f", struct.pack("<I", int(v, 16)))[0]
                      if v.startswith("0x") else float(v))
    return np.array(values, F32)


def eager_updates(qrun, workdir, model, data, float_model, batches):
    """Section 3: the fused conv + relu's observer, eager vs fx workflow."""
    ok = True
    qopt = os.path.join(os.path.dirname(qrun), "qopt")
    moving = torch.ao.quantization.QConfig(
        activation=obs.MovingAverageMinMaxObserver.with_args(reduce_range=True),
        weight=obs.default_per_channel_weight_observer)
    for label, qconfig in (("histogram", get_default_qconfig("x86")),
                           ("moving_average_minmax", moving)):
        m = Small().eval()
        m.load_state_dict(float_model.state_dict())
        m = torch.ao.quantization.fuse_modules(m, [["conv", "relu"]])
        m.qconfig = qconfig
        torch.ao.quantization.prepare(m, inplace=True)
        for b in batches:
            m(torch.from_numpy(b))
        conv_obs = m.conv.activation_post_process
        for workflow in ("eager", "fx"):
            observed = os.path.join(workdir, "small_%s_%s.mlir" % (label, workflow))
            run = subprocess.run(
                [qopt, model, "--qnn-fold-batchnorm", "--qnn-fuse",
                 "--qnn-insert-observers=qconfig=x86 workflow=%s%s" % (
                     workflow, "" if label == "histogram" else
                     " activation-observer=moving_average_minmax"),
                 "-o", observed], capture_output=True, text=True)
            if run.returncode != 0:
                raise RuntimeError("qopt failed: " + run.stderr)
            calibrated = observed.replace(".mlir", "_cal.mlir")
            run_qrun(qrun, [observed, "--calibrate", data, "--write-model", calibrated])
            conv_attrs = observe_attrs(open(calibrated).read())[1]
            twice = "updates = 2" in conv_attrs
            if label == "histogram":
                same = np.array_equal(f32_array(conv_attrs, "histogram"),
                                      conv_obs.histogram.numpy())
                print("%-58s %s" % (
                    "eager fused conv+relu, %s, %s: histogram" % (label, workflow),
                    "equal" if same else "differs"))
            else:
                mn, mx = f32_array(conv_attrs, "min")[0], f32_array(conv_attrs, "max")[0]
                same = (f32_bits(mn) == f32_bits(conv_obs.min_val.item()) and
                        f32_bits(mx) == f32_bits(conv_obs.max_val.item()))
                print("%-58s %s" % (
                    "eager fused conv+relu, %s, %s: min / max" % (label, workflow),
                    "equal" if same else "differs"))
            # Eager must equal PyTorch; fx must not (PyTorch's eager double
            # update is what makes the difference).
            ok &= same == (workflow == "eager") and twice == (workflow == "eager")
    return ok


def main():
    qrun, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    ok = observers(qrun, workdir)
    ok = qconfigs(qrun, workdir) and ok
    print("observers and qconfigs: %s" % ("all equal to PyTorch" if ok else
                                          "DIFFERENCES"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
