#!/usr/bin/python3
"""Every way PyTorch quantizes a model, imported by qopt_torch and run by
qrun against PyTorch's own outputs.

    torch_workflows.py BINDIR WORKDIR

For the three Fashion-MNIST example models (random weights, non-trivial
BatchNorm statistics) and torchvision's ResNet18 at 64x64, each row gives
the share of outputs equal to PyTorch's and the largest difference in
steps of the output's quantization (relative to the largest output for the
float outputs of dynamic quantization):

- fx: prepare_fx / calibration / convert_fx with the x86 qconfig mapping
  (quantize_per_tensor with get_attr scales, quantized functional ops);
  also the prepared GraphModule itself (export converts it, as PyTorch's
  convert_fx would);
- qat: fuse_modules_qat, prepare_qat with the x86 QAT qconfig and two SGD
  steps in train mode; the prepared model (export converts it, so its
  FakeQuantize scales and zero points are the quantization) and
  PyTorch's converted model, both against the converted model's outputs;
  and prepare_qat_fx's model likewise against convert_fx's;
- dynamic: quantize_dynamic of the Linear layers (per tensor), on
  PyTorch's qnnpack engine (qopt's default arithmetic) and on onednn
  (qrun --requantization onednn, docs/Numerics.md "Dynamic linear").
The imported convolution and linear layers of the FX and QAT models also
run alone on PyTorch's inputs (utils/model_zoo.py's per-layer check).
And qopt's own calibration with workflow="fx" (qopt_torch.compile) on the
batches prepare_fx saw, against convert_fx's outputs and scales, for the
models above but KWS (x86's FX backend leaves Conv1d float) and for
torchvision's MobileNetV2 and GoogLeNet.
"""
import copy
import os
import subprocess
import sys
import warnings

os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torchvision  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.join(ROOT, "examples", "fashion_mnist"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from bench_models import _collect_batchnorm  # noqa: E402
from qopt_torch import export_model  # noqa: E402
from model_zoo import float_model, per_layer, scales_equal  # noqa: E402
import qopt_torch  # noqa: E402
from models import MODELS  # noqa: E402
from torch_frontend import randomize  # noqa: E402
from torch.ao.quantization import (get_default_qat_qconfig,  # noqa: E402
                                   get_default_qat_qconfig_mapping,
                                   get_default_qconfig_mapping)
from torch.ao.quantization.quantize_fx import (convert_fx, prepare_fx,  # noqa: E402
                                               prepare_qat_fx)

warnings.filterwarnings("ignore")


def qrun(bindir, workdir, name, ir, x, requantization="onednn"):
    """qrun on `ir` with `x`, by default with the requantization of
    PyTorch's onednn engine."""
    base = os.path.join(workdir, name)
    with open(base + ".mlir", "w") as f:
        f.write(ir)
    np.save(base + ".in.npy", x.numpy())
    subprocess.run([os.path.join(bindir, "qrun"), base + ".mlir", "-i", base + ".in.npy",
                    "-o", base + ".out.npy", "--requantization", requantization], check=True)
    return np.load(base + ".out.npy")


def imported(bindir, workdir, label, tag, model, x, expected, scale):
    """`model` exported, run by qrun on `x`, against `expected`."""
    return steps(label, qrun(bindir, workdir, tag, export_model(model, x[:1]), x),
                 expected, scale)


def fx_prepared(model, calib):
    """prepare_fx (x86) of an eval-mode copy of `model`, run on `calib`."""
    prepared = prepare_fx(copy.deepcopy(model).eval(),
                          get_default_qconfig_mapping("x86"), example_inputs=(calib,))
    with torch.no_grad():
        prepared(calib)
    return prepared


def steps(name, y, expected, scale):
    d = np.abs(y.astype(np.float64) - expected) / scale
    return "%-28s %6.2f%% of %d outputs equal, max %g step(s)" % (
        name, 100.0 * np.mean(d < 1e-3), expected.size, np.round(d.max(), 3))


def output_scale(q, x):
    """The scale of the int8 model's output (what its final dequantize
    reads), from a forward hook on the module or graph node that makes it."""
    scales = []
    hooks = [m.register_forward_hook(
        lambda m, i, o: scales.append(i[0].q_scale()) if i and hasattr(
            i[0], "is_quantized") and i[0].is_quantized else None)
        for m in q.modules() if isinstance(m, torch.ao.nn.quantized.DeQuantize)]
    with torch.no_grad():
        y = q(x)
    for h in hooks:
        h.remove()
    if scales:
        return scales[-1]
    # convert_fx dequantizes with a method call: the last quantized value
    # is the fc layer's output, whose scale its module carries.
    last = [m for m in q.modules() if isinstance(m, torch.ao.nn.quantized.Linear)][-1]
    return float(last.scale) if y is not None else None


def train(model, data):
    """Two SGD steps in train mode: FakeQuantize modules observe, weights
    move."""
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    for _ in range(2):
        optimizer.zero_grad()
        model(data).square().mean().backward()
        optimizer.step()


def layers(name, q, x, bindir, workdir):
    count, exact, worst, label = per_layer(q, x[:2], bindir, workdir)
    return "%-28s %d layers: >= %.3f%% equal, max %g step(s)" % (
        name + " layer by layer", count, exact, worst)


def fx_calibration(name, model, calib, x, q, bindir, workdir):
    """qopt's own calibration with workflow="fx" (its observers placed and
    shared as prepare_fx does) on the calibration batches PyTorch's
    prepare_fx saw, against convert_fx's model `q`: outputs and scales."""
    base = os.path.join(workdir, name + "_fxcal")
    compiled = qopt_torch.compile(model, calib[:1], calibration=[calib], workflow="fx",
                                  bindir=bindir, workdir=base)
    with torch.no_grad():
        expected = q(x).numpy()
    with open(os.path.join(base, "pytorch.mlir"), "w") as f:
        f.write(export_model(q, x[:1]))
    print(steps("%s fx calibrated" % name, compiled(x).numpy(), expected,
                output_scale(q, x)) + ", " +
          scales_equal(os.path.join(base, "pytorch.mlir"),
                       os.path.join(base, "model.int8.mlir")))


def main():
    bindir, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    torch.backends.quantized.engine = "onednn"
    torch.manual_seed(0)
    models = {name: (randomize(cls()), torch.rand(16, 1, 28, 28))
              for name, cls in MODELS.items()}
    models["resnet18"] = (float_model("resnet18", 64), torch.randn(16, 3, 64, 64))
    # FX calibration only: relu6 (MobileNetV2) and cat (GoogLeNet) share
    # observers in prepare_fx; torchvision's plain models, as FX users
    # quantize them.
    for name in ("mobilenet_v2", "googlenet"):
        torch.manual_seed(0)
        kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
        model = getattr(torchvision.models, name)(weights=None, **kwargs)
        _collect_batchnorm(model, [torch.randn(4, 3, 64, 64) for _ in range(2)])
        data = torch.randn(16, 3, 64, 64)
        calib, x = data[:8], data[8:]
        fx_calibration(name, model.eval(), calib, x, convert_fx(fx_prepared(model, calib)),
                       bindir, workdir)
    for name, (model, data) in models.items():
        calib, x = data[:8], data[8:]
        fuse = getattr(type(model), "fuse", None)

        # FX: prepare_fx / convert_fx; the prepared model converts on export.
        prepared = fx_prepared(model, calib)
        q = convert_fx(copy.deepcopy(prepared))
        with torch.no_grad():
            expected = q(x).numpy()
        scale = output_scale(q, x)
        print(imported(bindir, workdir, "%s fx converted" % name, name + "_fx", q, x,
                       expected, scale))
        print(imported(bindir, workdir, "%s fx prepared" % name, name + "_fxp", prepared, x,
                       expected, scale))
        print(layers("%s fx" % name, q, x, bindir, workdir))
        if name != "kws":  # x86's FX backend has no quantized Conv1d
            fx_calibration(name, model, calib, x, q, bindir, workdir)

        # QAT (eager): fuse for QAT, prepare_qat, two SGD steps in train mode.
        qat = copy.deepcopy(model).train()
        if fuse:
            qat = torch.ao.quantization.fuse_modules_qat(qat, fuse)
        elif hasattr(qat, "fuse_model"):
            qat.fuse_model(is_qat=True)
        qat.qconfig = get_default_qat_qconfig("x86")
        torch.ao.quantization.prepare_qat(qat, inplace=True)
        train(qat, calib)
        converted = torch.ao.quantization.convert(copy.deepcopy(qat).eval())
        with torch.no_grad():
            expected = converted(x).numpy()
        scale = output_scale(converted, x)
        print(imported(bindir, workdir, "%s qat prepared" % name, name + "_qatp", qat, x,
                       expected, scale))
        print(imported(bindir, workdir, "%s qat converted" % name, name + "_qat", converted,
                       x, expected, scale))
        print(layers("%s qat" % name, converted, x, bindir, workdir))

        # QAT with FX: prepare_qat_fx, two SGD steps; the prepared model
        # against convert_fx of it.
        qat_fx = prepare_qat_fx(copy.deepcopy(model).train(),
                                get_default_qat_qconfig_mapping("x86"),
                                example_inputs=(calib,))
        train(qat_fx, calib)
        converted = convert_fx(copy.deepcopy(qat_fx).eval())
        with torch.no_grad():
            expected = converted(x).numpy()
        print(imported(bindir, workdir, "%s qat fx prepared" % name, name + "_qatfx", qat_fx,
                       x, expected, output_scale(converted, x)))

        # Dynamic quantization of the Linear layers.
        for engine in ("qnnpack", "onednn"):
            torch.backends.quantized.engine = engine
            dq = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(model).eval(), {nn.Linear}, dtype=torch.qint8)
            with torch.no_grad():
                expected = dq(x).numpy()
            y = qrun(bindir, workdir, "%s_dyn_%s" % (name, engine),
                     export_model(dq, x[:1]), x,
                     "onednn" if engine == "onednn" else "float")
            print("%-28s %6.2f%% of %d outputs equal, relative difference %.1e" % (
                "%s dynamic %s" % (name, engine), 100.0 * np.mean(y == expected),
                expected.size, np.abs(y - expected).max() / np.abs(expected).max()))
        torch.backends.quantized.engine = "onednn"


if __name__ == "__main__":
    main()
