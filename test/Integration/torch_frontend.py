#!/usr/bin/python3
"""The PyTorch frontend (python/qopt_torch) against PyTorch itself.

    torch_frontend.py BINDIR WORKDIR

1. Float export: the three Fashion-MNIST example models (random weights,
   non-trivial BatchNorm statistics) and a model using the remaining layers
   (add, ReLU6, Hardtanh, AvgPool2d, AdaptiveAvgPool2d, view) and a
   classifier head written as torchvision's MobileNetV2 writes it
   (functional adaptive_avg_pool2d, torch.flatten, Dropout, F.dropout) are
   exported, run by qrun and compared with PyTorch (largest difference
   relative to the largest output).
2. Import of PyTorch-quantized models: the same three models fused,
   prepared with the x86 qconfig, calibrated and converted by PyTorch
   (onednn engine), exported with PyTorch's scales, zero points and int8
   weights, run by qrun; their outputs are compared with PyTorch's in units
   of the output's quantization step.
3. Unsupported modules and functions are errors naming the operation and
   where it is.
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
sys.path.insert(0, os.path.join(ROOT, "examples", "fashion_mnist"))
from qopt_torch import ExportError, export_model  # noqa: E402
from models import MODELS, quantize_eager  # noqa: E402

warnings.filterwarnings("ignore")
torch.manual_seed(0)


class Ops(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.branch = nn.Conv2d(4, 4, 3, padding=1, groups=2)
        self.relu6 = nn.ReLU6()
        self.tanh_like = nn.Hardtanh(-0.5, 0.5)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.gap = nn.AdaptiveAvgPool2d((2, 3))
        self.fc = nn.Linear(24, 5)

    def forward(self, x):
        x = self.relu6(self.conv(x))
        x = torch.relu(x + self.branch(x))
        x = self.gap(self.avg(self.tanh_like(x)))
        return self.fc(x.view(x.size(0), -1))


class Head(nn.Module):
    """torchvision MobileNetV2's tail: functional global average pooling and
    dropout, which are identities in eval mode."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, stride=2)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU6()
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 5))

    def forward(self, x):
        x = self.relu(self.bn(self.conv(x)))
        x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        x = nn.functional.dropout(x, 0.5, self.training)
        return self.classifier(x)


def randomize(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model.eval()


def qrun(bindir, workdir, name, ir, x):
    base = os.path.join(workdir, name)
    with open(base + ".mlir", "w") as f:
        f.write(ir)
    np.save(base + ".in.npy", x.numpy())
    subprocess.run([os.path.join(bindir, "qrun"), base + ".mlir", "-i",
                    base + ".in.npy", "-o", base + ".out.npy"], check=True)
    return np.load(base + ".out.npy")


def main():
    bindir, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    ok = True
    x = torch.rand(8, 1, 28, 28)
    models = {name: randomize(cls()) for name, cls in MODELS.items()}
    models["ops"] = randomize(Ops())
    models["head"] = randomize(Head())
    # Children named by index ("0", "1", ...).
    models["seq"] = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU()).eval()
    for name, model in models.items():
        with torch.no_grad():
            expected = model(x).numpy()
        actual = qrun(bindir, workdir, "float_" + name,
                      export_model(model, x, name=name), x)
        rel = np.abs(actual - expected).max() / np.abs(expected).max()
        print("float %-4s exported, qrun vs PyTorch: %.2e relative" % (name, rel))
        ok &= rel < 1e-5

    torch.backends.quantized.engine = "onednn"
    calibration = [torch.rand(16, 1, 28, 28) for _ in range(4)]
    for name in MODELS:
        q = quantize_eager(models[name], calibration, "x86")
        ir = export_model(q, x, name=name)
        with torch.no_grad():
            expected = q(x).numpy()
        actual = qrun(bindir, workdir, "quantized_" + name, ir, x)
        last = q.fc3 if name == "mlp" else q.fc
        steps = np.abs(actual - expected) / last.scale
        exact = 100.0 * (steps < 1e-3).mean()
        print("quantized %-4s imported, qrun vs PyTorch: %.2f%% of %d outputs "
              "exact, largest difference %.0f step(s)" % (
                  name, exact, steps.size, steps.max()))
        ok &= steps.max() <= 1.0 + 1e-3 and exact >= 99.0

    for label, model in (
            ("module", nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.ReLU(), nn.Sigmoid()))),
            ("function", type("Tanh", (nn.Module,), {
                "forward": lambda self, v: torch.tanh(v)})())):
        try:
            export_model(model, torch.rand(2, 4))
            print("unsupported %s: NOT REPORTED" % label)
            ok = False
        except ExportError as e:
            print("unsupported %s: %s" % (label, e))
    print("frontend: %s" % ("all checks passed" if ok else "FAILURES"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
