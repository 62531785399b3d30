#!/usr/bin/python3
"""torchvision's quantizable models through qopt, against PyTorch.

    utils/model_zoo.py [--models a,b] [--size S] [--inputs N] [--calibration N]
                       [--batch-size B] [--bindir DIR] [--workdir DIR]
                       [--layers N] [--requantization onednn|float|integer]

For each model of torchvision.models.quantization (0.14): seeded random
weights, BatchNorm running statistics collected in train mode on seeded
random batches, then
1. float export: qopt_torch.export_model of the float model;
2. PyTorch's eager int8 model: fuse_model, the x86 qconfig, prepare,
   forward passes over the calibration batches, convert (onednn engine);
3. import: that int8 model exported with PyTorch's scales and int8 weights
   and run by qrun on the inputs; its outputs against PyTorch's, in steps of
   the output's scale, and the top-1 class of each input;
4. qopt's own calibration: `qrun --qconfig x86 --calibrate --quantize` on
   the float IR with the same calibration batches, run on the same inputs,
   against PyTorch's int8 outputs likewise, and how many of its activation
   scales and zero points equal PyTorch's;
5. with --layers N: each conv, linear, hardswish, hardsigmoid and
   QFunctional add / add_relu / mul / cat of the imported model run alone
   on the inputs PyTorch gave it for the first N inputs; the lowest share
   of equal outputs over the layers, the largest difference and the worst
   layer.
qrun requantizes conv and linear as PyTorch's onednn engine does (rule O
of docs/Numerics.md) unless --requantization says otherwise.
Inputs and calibration samples are seeded normal values at S x S (at
least 75 for inception_v3). A stage that fails prints its error in place of
its figures; the script exits non-zero if any stage failed.

The figures are end to end: a layer whose result differs from PyTorch's in
one step on a rounding tie (docs/Numerics.md, "Against PyTorch's own
kernels") moves later layers' inputs, and the difference spreads through a
deep network, more so on random weights, whose logits lie close together.

Prints one table (markdown). Runs under Debian's /usr/bin/python3 with
python3-torch 1.13 and python3-torchvision 0.14; qrun from --bindir
(default build/bin).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

# PyTorch's float convolutions add in the order of oneDNN's AVX2 kernels,
# which rule F reproduces (docs/Numerics.md); set before torch loads.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from qopt_torch import export_model  # noqa: E402
from bench_models import _collect_batchnorm  # noqa: E402

warnings.filterwarnings("ignore")

MODELS = ["mobilenet_v2", "mobilenet_v3_large", "resnet18", "resnet50",
          "resnext101_32x8d", "shufflenet_v2_x1_0", "googlenet", "inception_v3"]


def float_model(name, size):
    from torchvision.models import quantization as tvq
    torch.manual_seed(0)
    kwargs = {"weights": None, "quantize": False}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=False)
    model = getattr(tvq, name)(**kwargs)
    _collect_batchnorm(model, [torch.randn(4, 3, size, size) for _ in range(2)])
    return model.eval()


def pytorch_int8(model, calibration):
    import copy
    torch.backends.quantized.engine = "onednn"
    q = copy.deepcopy(model).eval()
    q.fuse_model()
    q.qconfig = torch.ao.quantization.get_default_qconfig("x86")
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        for batch in calibration:
            q(batch)
    return torch.ao.quantization.convert(q, inplace=True)


def first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# qrun's requantization of conv and linear (--requantization).
REQUANTIZATION = ["onednn"]


def qrun(bindir, args):
    # PyTorch's thread count decides the order of some float convolutions
    # (rule F); qrun reads it from OMP_NUM_THREADS.
    env = dict(os.environ, OMP_NUM_THREADS=str(torch.get_num_threads()))
    done = subprocess.run([os.path.join(bindir, "qrun"),
                           "--requantization=" + REQUANTIZATION[0]] + args, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError("qrun failed: " + first_line(done.stderr or done.stdout))


def agreement(actual, expected, scale):
    """(% of outputs equal, largest difference in steps, % of equal top-1)."""
    steps = np.abs(actual.astype(np.float64) - expected) / scale
    exact = 100.0 * (steps < 1e-3).mean()
    top1 = 100.0 * (actual.argmax(axis=1) == expected.argmax(axis=1)).mean()
    return exact, float(np.round(steps.max(), 3)), top1


class _Layer(torch.nn.Module):
    """One of the int8 model's layers between a quantize to its inputs'
    types and a dequantize: imported alone, it is fed PyTorch's own inputs
    exactly (requantizing a dequantized value with its own scale gives the
    same integer)."""

    def __init__(self, layer, call, inputs):
        super().__init__()
        self.layer, self.call = layer, call
        self.quants = torch.nn.ModuleList(
            torch.ao.nn.quantized.Quantize(t.q_scale(), t.q_zero_point(), t.dtype)
            for t in inputs)
        self.dequant = torch.ao.nn.quantized.DeQuantize()

    def run(self, *xs):
        return self.dequant(self.call(self.layer, *(q(x) for q, x in zip(self.quants, xs))))


def _layer_wrapper(layer, call, inputs):
    """A _Layer whose forward takes exactly len(inputs) tensors: torch.fx
    makes one placeholder per named argument (it cannot trace *args on
    Python 3.11)."""
    names = ", ".join("x%d" % i for i in range(len(inputs)))
    namespace = {}
    exec("def forward(self, %s):\n    return self.run(%s)\n" % (names, names), namespace)
    cls = type("Layer%d" % len(inputs), (_Layer,), {"forward": namespace["forward"]})
    return cls(layer, call, inputs)


def per_layer(q, x, bindir, workdir):
    """Each conv, linear, hardswish, hardsigmoid and QFunctional add /
    add_relu / mul / cat of the int8 model `q` run alone by qrun on the inputs PyTorch gave it for `x`:
    (layers, lowest % of outputs equal, largest difference in steps, the
    worst layer)."""
    nnq = torch.ao.nn.quantized
    seen = []
    hooks = []
    for layer_name, m in q.named_modules():
        # nn.Hardsigmoid runs PyTorch's quantized kernel on its quantized
        # input (convert leaves the module as it is).
        if isinstance(m, (nnq.Conv1d, nnq.Conv2d, nnq.Linear, nnq.Hardswish,
                          torch.nn.Hardsigmoid)):
            hooks.append(m.register_forward_hook(
                lambda m, i, o, n=layer_name: seen.append(
                    (n, m, lambda layer, v: layer(v), [i[0]], o)) and None))
    originals = {}
    for method in ("add", "add_relu", "mul", "cat"):
        originals[method] = getattr(nnq.QFunctional, method)

        def wrapped(self, *a, method=method, **kw):
            out = originals[method](self, *a, **kw)
            if method == "cat":
                dim = kw.get("dim", a[1] if len(a) > 1 else 0)
                seen.append(("cat", self, lambda f, *v, d=dim: f.cat(list(v), dim=d),
                             list(a[0]), out))
            else:
                seen.append((method, self, lambda f, u, v, m=method: getattr(f, m)(u, v),
                             list(a[:2]), out))
            return out
        setattr(nnq.QFunctional, method, wrapped)
    try:
        with torch.no_grad():
            q(x)
    finally:
        for h in hooks:
            h.remove()
        for method, original in originals.items():
            setattr(nnq.QFunctional, method, original)
    worst = (100.0, 0.0, "")
    base = os.path.join(workdir, "layer")
    for i, (label, layer, call, inputs, out) in enumerate(seen):
        floats = [t.dequantize() for t in inputs]
        wrapper = _layer_wrapper(layer, call, inputs).eval()
        with open(base + ".mlir", "w") as f:
            f.write(export_model(wrapper, tuple(floats), name="layer"))
        args = [base + ".mlir", "-o", base + ".out.npy"]
        for k, t in enumerate(floats):
            np.save("%s.in%d.npy" % (base, k), t.numpy())
            args += ["-i", "%s.in%d.npy" % (base, k)]
        qrun(bindir, args)
        steps = np.abs(np.load(base + ".out.npy").astype(np.float64) -
                       out.dequantize().numpy()) / out.q_scale()
        exact = 100.0 * (steps < 1e-3).mean()
        if (exact, -steps.max()) < (worst[0], -worst[1]):
            worst = (exact, float(np.round(steps.max(), 3)), label)
    return len(seen), worst[0], worst[1], worst[2]


def run(name, args, workdir):
    row = {"model": name}
    size = max(args.size, 75) if name == "inception_v3" else args.size
    row["size"] = size
    model = float_model(name, size)
    generator = torch.Generator().manual_seed(1)
    calib = torch.randn(args.calibration, 3, size, size, generator=generator)
    x = torch.randn(args.inputs, 3, size, size, generator=generator)
    base = os.path.join(workdir, name)
    np.save(base + ".calib.npy", calib.numpy())
    np.save(base + ".in.npy", x.numpy())
    failed = False
    try:
        with open(base + ".float.mlir", "w") as f:
            f.write(export_model(model, x[:1], name="model"))
        row["float"] = "ok"
    except Exception as e:
        row["float"] = first_line(e)
        failed = True
    try:
        q = pytorch_int8(model, torch.split(calib, args.batch_size))
        scales = []
        hook = q.dequant.register_forward_hook(
            lambda m, i, o: scales.append(i[0].q_scale()))
        with torch.no_grad():
            expected = q(x).numpy().astype(np.float64)
        hook.remove()
        scale = scales[0]
    except Exception as e:
        row["import"] = row["calibrated"] = "PyTorch: " + first_line(e)
        return row, True
    try:
        with open(base + ".int8.mlir", "w") as f:
            f.write(export_model(q, x[:1], name="model"))
        qrun(args.bindir, [base + ".int8.mlir", "-i", base + ".in.npy",
                           "-o", base + ".import.npy"])
        row["import"] = agreement(np.load(base + ".import.npy"), expected, scale)
    except Exception as e:
        row["import"] = first_line(e)
        failed = True
    if args.layers:
        try:
            count, exact, steps, worst = per_layer(q, x[:args.layers], args.bindir,
                                                   workdir)
            row["layers"] = "%d layers: >= %.3f%% equal, max %g step(s)%s" % (
                count, exact, steps, " (%s)" % worst if worst else "")
        except Exception as e:
            row["layers"] = first_line(e)
            failed = True
    if row["float"] == "ok":
        try:
            qrun(args.bindir, [base + ".float.mlir", "--qconfig", "x86", "--calibrate",
                               base + ".calib.npy", "--batch-size", str(args.batch_size),
                               "--quantize", "--write-model", base + ".calibrated.mlir"])
            qrun(args.bindir, [base + ".calibrated.mlir", "-i", base + ".in.npy",
                               "-o", base + ".calibrated.npy"])
            row["calibrated"] = agreement(np.load(base + ".calibrated.npy"), expected,
                                          scale)
            if row["import"] and isinstance(row["import"], tuple):
                row["calibrated"] += (scales_equal(base + ".int8.mlir",
                                                   base + ".calibrated.mlir"),)
        except Exception as e:
            row["calibrated"] = first_line(e)
            failed = True
    else:
        row["calibrated"] = "no float IR"
    return row, failed


_QUANTIZED_RESULT = re.compile(
    r"= qnn\.(conv|linear|add|mul|hardswish|cat|quantize)\b.*-> "
    r"tensor<[^>]*!quant\.uniform<[ui]8:f32, ([^:>]+)(?::(-?\d+))?>>")


def scales_equal(imported, calibrated):
    """How many of the scales and zero points qopt's calibration chose equal
    PyTorch's: the result types of the two models' observed operations
    (the input's quantize, conv, linear, add, mul, hardswish, cat), in model
    order, as float32 scales. "equal / total", or why they cannot be
    paired. (A later quantize keeps its input's type: the quantized mean.)"""
    def types(path):
        found = [(np.float32(float(m.group(2))), int(m.group(3) or 0), m.group(1))
                 for m in map(_QUANTIZED_RESULT.search, open(path)) if m]
        return found[:1] + [t for t in found[1:] if t[2] != "quantize"]
    a, b = types(imported), types(calibrated)
    if [t[2] for t in a] != [t[2] for t in b]:
        return "scales: the models' operations differ"
    return "%d/%d scales equal" % (sum(x[:2] == y[:2] for x, y in zip(a, b)), len(a))


def cell(value):
    if isinstance(value, tuple):
        text = "%.2f%% exact, max %g step(s), top-1 %.0f%%" % value[:3]
        return text + "".join(", " + extra for extra in value[3:])
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--inputs", type=int, default=100)
    parser.add_argument("--calibration", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--workdir")
    parser.add_argument("--layers", type=int, default=0, metavar="N",
                        help="also run each layer of the imported model alone on "
                        "PyTorch's own inputs for the first N inputs")
    parser.add_argument("--requantization", default="onednn",
                        choices=["onednn", "float", "integer"],
                        help="qrun's conv / linear epilogue: onednn (rule O, what "
                        "PyTorch's onednn engine computes; default), float "
                        "(rule R, FBGEMM's) or integer")
    args = parser.parse_args()
    REQUANTIZATION[0] = args.requantization
    names = args.models.split(",")
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error("unknown model(s) %s; known: %s" % (", ".join(unknown),
                                                         ", ".join(MODELS)))
    workdir = args.workdir or tempfile.mkdtemp(prefix="qopt-zoo-")
    os.makedirs(workdir, exist_ok=True)
    print("| model | input | float export | PyTorch int8 imported, vs PyTorch | "
          "qopt-calibrated, vs PyTorch int8 |%s seconds |" % (
              " imported, layer by layer |" if args.layers else ""))
    print("|---|---|---|---|---|%s---:|" % ("---|" if args.layers else ""))
    status = 0
    for name in names:
        start = time.time()
        row, failed = run(name, args, workdir)
        print("| %s | %dx%d | %s | %s | %s |%s %.0f |" % (
            name, row["size"], row["size"], row["float"], cell(row.get("import", "-")),
            cell(row.get("calibrated", "-")),
            " %s |" % row.get("layers", "-") if args.layers else "",
            time.time() - start), flush=True)
        if failed:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
