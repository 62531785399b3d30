#!/usr/bin/python3
"""qopt_torch.compile and the CompiledModel it returns, against qrun and
PyTorch.

    torch_compile.py BINDIR WORKDIR

1. torchvision's quantizable ResNet18 (seeded weights and BatchNorm
   statistics, 64x64 inputs), calibrated through a DataLoader of (image,
   label) batches, called on a batch of torch tensors: the outputs equal
   qrun's on the same quantized IR bit for bit, and PyTorch's eager int8
   model (same qconfig, same calibration batches) on every logit.
2. PyTorch's converted int8 ResNet18 compiled as it is (no calibration):
   PyTorch's outputs. So are a dynamically quantized MLP's, on the onednn
   and the qnnpack engine.
3. A model with two inputs (QuantStubs, FloatFunctional.add), calibrated on
   a list of (image, extra, label) tuples: PyTorch's int8 outputs, with
   PyTorch's scales.
4. save / load, numpy in and out, a dynamic batch, and the errors a user
   meets: wrong element type, shape, input count or batch sizes, a float
   model without calibration, calibration for a quantized model, batches
   of mixed sizes, non-float32 calibration data, a missing library.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "utils"))
import qopt_torch  # noqa: E402
from model_zoo import float_model, pytorch_int8  # noqa: E402

warnings.filterwarnings("ignore")


def agreement(y, expected):
    """Share of equal logits and of equal top-1 classes."""
    y, expected = np.asarray(y), np.asarray(expected)
    return (100.0 * np.mean(y == expected),
            100.0 * np.mean(y.argmax(1) == expected.argmax(1)))


def qrun(bindir, args):
    subprocess.run([os.path.join(bindir, "qrun")] + args, check=True)


class TwoInputs(nn.Module):
    """An image and a feature vector, each behind its own QuantStub, joined
    by FloatFunctional.add."""

    def __init__(self):
        super().__init__()
        self.q_image = torch.ao.quantization.QuantStub()
        self.q_extra = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(1, 4, 3)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4 * 6 * 6, 10)
        self.extra = nn.Linear(5, 10)
        self.add = torch.ao.nn.quantized.FloatFunctional()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, image, extra):
        x = torch.flatten(self.relu(self.conv(self.q_image(image))), 1)
        return self.dequant(self.add.add(self.fc(x), self.extra(self.q_extra(extra))))


def expect_error(what, kind, call):
    try:
        call()
    except kind as e:
        print("%s: %s: %s" % (what, kind.__name__, str(e).splitlines()[0]))
    else:
        print("%s: NOT REPORTED" % what)


def main():
    bindir, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(0)

    # 1. ResNet18 through a DataLoader.
    model = float_model("resnet18", 64)
    images = torch.randn(16, 3, 64, 64)
    labels = torch.randint(0, 1000, (16,))
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(images, labels), batch_size=8)
    compiled = qopt_torch.compile(model, images[:1], calibration=loader,
                                  bindir=bindir, workdir=os.path.join(workdir, "r18"))
    x = torch.randn(8, 3, 64, 64)
    y = compiled(x)
    print("resnet18 compiled: %r, output %s %s" % (
        compiled.function, type(y).__name__, tuple(y.shape)))
    np.save(os.path.join(workdir, "x.npy"), x.numpy())
    qrun(bindir, [compiled.source, "-i", os.path.join(workdir, "x.npy"),
                  "-o", os.path.join(workdir, "y_qrun.npy"), "--requantization", "onednn"])
    same = np.array_equal(y.numpy(), np.load(os.path.join(workdir, "y_qrun.npy")))
    print("resnet18 compiled vs qrun: %s" % ("bit for bit" if same else "DIFFERENT"))
    q = pytorch_int8(model, [b for b, _ in loader])
    with torch.no_grad():
        expected = q(x).numpy()
    print("resnet18 compiled vs PyTorch int8: %.2f%% of logits equal, top-1 %.0f%%"
          % agreement(y.numpy(), expected))

    # 2. PyTorch's converted model, compiled with its own scales.
    imported = qopt_torch.compile(q, images[:1], bindir=bindir)
    print("resnet18 converted, compiled vs PyTorch int8: %.2f%% of logits equal, "
          "top-1 %.0f%%" % agreement(imported(x).numpy(), expected))

    # 2b. Dynamically quantized Linear layers, on each engine: compile's
    # default arithmetic is the engine's.
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                              torch.nn.Linear(32, 10)).eval()
    xs = torch.randn(16, 64) * 2
    for engine in ("onednn", "qnnpack"):
        torch.backends.quantized.engine = engine
        dq = torch.ao.quantization.quantize_dynamic(mlp, {torch.nn.Linear},
                                                    dtype=torch.qint8)
        with torch.no_grad():
            expected_dq = dq(xs).numpy()
        got = qopt_torch.compile(dq, xs[:1], bindir=bindir)(xs).numpy()
        print("dynamic %s compiled vs PyTorch: %.2f%% of outputs equal" % (
            engine, 100.0 * np.mean(got == expected_dq)))
    torch.backends.quantized.engine = "onednn"

    # 3. Two inputs, a list of (image, extra, label) batches.
    two = TwoInputs().eval()
    batches = [(torch.randn(4, 1, 8, 8), torch.randn(4, 5) * 3, torch.zeros(4))
               for _ in range(4)]
    compiled_two = qopt_torch.compile(two, (batches[0][0][:1], batches[0][1][:1]),
                                      calibration=batches, bindir=bindir)
    # PyTorch's eager workflow as qopt's eager calibration assumes it: conv
    # and relu fused (docs/Calibration.md).
    torch.backends.quantized.engine = "onednn"
    fused = torch.ao.quantization.fuse_modules(two, [["conv", "relu"]])
    fused.qconfig = torch.ao.quantization.get_default_qconfig("x86")
    prepared = torch.ao.quantization.prepare(fused)
    with torch.no_grad():
        for image, extra, _ in batches:
            prepared(image, extra)
    q_two = torch.ao.quantization.convert(prepared)
    a, b = torch.randn(6, 1, 8, 8), torch.randn(6, 5) * 3
    with torch.no_grad():
        expected_two = q_two(a, b).numpy()
    print("two inputs compiled vs PyTorch int8: %.2f%% of outputs equal" % (
        100.0 * np.mean(compiled_two(a, b).numpy() == expected_two)))

    # 4. save / load, numpy, dynamic batch.
    path = os.path.join(workdir, "two.so")
    compiled_two.save(path)
    loaded = qopt_torch.load(path)
    y_np = loaded(a.numpy(), b.numpy())
    print("loaded: %r" % loaded)
    print("loaded, numpy in: %s out, equal: %s" % (
        type(y_np).__name__, np.array_equal(y_np, expected_two)))
    y3 = loaded(a[:3], b[:3]).numpy()
    print("batch of 3: equal: %s" % np.array_equal(y3, expected_two[:3]))

    expect_error("float64 input", TypeError, lambda: loaded(a.double(), b))
    expect_error("wrong shape", ValueError, lambda: loaded(a[:, :, :4], b))
    expect_error("one input of two", TypeError, lambda: loaded(a))
    expect_error("batch sizes", ValueError, lambda: loaded(a, b[:2]))
    expect_error("no calibration", ValueError,
                 lambda: qopt_torch.compile(TwoInputs().eval(), (a, b), bindir=bindir))
    expect_error("calibrating a quantized model", ValueError,
                 lambda: qopt_torch.compile(q_two, (a, b), calibration=batches,
                                            bindir=bindir))
    mixed = [(torch.randn(2, 1, 8, 8), torch.randn(2, 5)),
             (torch.randn(4, 1, 8, 8), torch.randn(4, 5))]
    expect_error("mixed batch sizes", ValueError,
                 lambda: qopt_torch.compile(TwoInputs().eval(), (a, b), calibration=mixed,
                                            bindir=bindir))
    expect_error("float64 calibration", TypeError,
                 lambda: qopt_torch.compile(TwoInputs().eval(), (a, b),
                                            calibration=[(a.double(), b)], bindir=bindir))
    expect_error("missing library", FileNotFoundError,
                 lambda: qopt_torch.load(os.path.join(workdir, "absent.so")))
    expect_error("not a compiled model", RuntimeError,
                 lambda: qopt_torch.load(path, name="other"))


if __name__ == "__main__":
    main()
