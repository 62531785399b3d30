"""The benchmark's models, importable by the scripts that build and run them.

PyTorch models are saved whole (`save_module`), so loading one needs its
classes importable: this module's, torchvision's and the Fashion-MNIST
example's (examples/fashion_mnist/models.py, imported as `models`);
`add_paths()` puts both directories on sys.path.

Each entry of MODELS describes one model: the shape of one sample, the
batch sizes it is timed at, how many calibration samples in batches of what
size, and for single layers their multiply-accumulates per sample.
"""
import os
import pickle
import sys
import types

import torch
import torch.nn as nn
from torch.ao.nn.quantized.modules.conv import _ConvNd as _QuantizedConv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FASHION = "/usr/share/datasets/fashion-mnist"


def add_paths():
    """Make this directory, python/ (qopt_torch) and the Fashion-MNIST
    example importable."""
    for path in (HERE, os.path.join(ROOT, "python"),
                 os.path.join(ROOT, "examples", "fashion_mnist")):
        if path not in sys.path:
            sys.path.insert(0, path)


def _restore_quantized_conv(cls, state):
    """A quantized conv module from its __getstate__ tuple, made as its
    __deepcopy__ makes one: Module's own attributes first."""
    module = cls.__new__(cls)
    nn.Module.__init__(module)
    module.__setstate__(state)
    return module


class _Pickler(pickle.Pickler):
    """torch 1.13's quantized conv modules pickle their state but unpickle
    without nn.Module's attributes (their __setstate__ assumes __init__ ran),
    so a loaded model fails on its first call; reduce them to
    _restore_quantized_conv instead."""

    def reducer_override(self, obj):
        if isinstance(obj, _QuantizedConv):
            return _restore_quantized_conv, (type(obj), obj.__getstate__())
        return NotImplemented


def save_module(module, path):
    """torch.save of the whole module, quantized convolutions included."""
    pickler = types.ModuleType("bench_pickle")
    pickler.Pickler = _Pickler
    torch.save(module, path, pickle_module=pickler)


class Layer(nn.Module):
    """One layer between PyTorch's quantization stubs, so that eager
    quantization converts it and qopt's calibration quantizes it."""

    def __init__(self, layer):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.layer = layer
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.layer(self.quant(x)))


# name: sample shape, timed batch sizes, calibration samples / batch size,
# MACs per sample (single layers only), kind.
MODELS = {
    "resnet18": dict(sample=(3, 224, 224), batches=(1,), calib=(4, 2), kind="torchvision"),
    "mobilenet_v2": dict(sample=(3, 224, 224), batches=(1,), calib=(4, 2),
                         kind="torchvision"),
    "conv3x3": dict(sample=(64, 56, 56), batches=(1,), calib=(4, 2), kind="layer",
                    macs=64 * 64 * 3 * 3 * 56 * 56,
                    title="conv 3x3 64->64 56x56"),
    "linear1024": dict(sample=(1024,), batches=(64,), calib=(128, 64), kind="layer",
                       macs=1024 * 1024, title="linear 1024->1024"),
    "linear4096": dict(sample=(4096,), batches=(1,), calib=(8, 4), kind="layer",
                       macs=4096 * 4096, title="linear 4096->4096"),
    "mlp": dict(sample=(1, 28, 28), batches=(1, 64), calib=(256, 64), kind="fashion"),
    "cnn": dict(sample=(1, 28, 28), batches=(1, 64), calib=(256, 64), kind="fashion"),
    "kws": dict(sample=(1, 28, 28), batches=(1, 64), calib=(256, 64), kind="fashion"),
}


def cases(names=None):
    """(model, batch) pairs in table order."""
    return [(name, batch) for name, spec in MODELS.items()
            if names is None or name in names for batch in spec["batches"]]


def float_model(name):
    """The seeded float model `name` in eval mode, BatchNorm statistics
    included."""
    torch.manual_seed(0)
    spec = MODELS[name]
    if spec["kind"] == "torchvision":
        from torchvision.models import quantization as tvq
        model = getattr(tvq, name)(weights=None, quantize=False)
        # Realistic running statistics: the cumulative average over a few
        # seeded random batches in train mode.
        _collect_batchnorm(model, [torch.randn(8, *spec["sample"]) for _ in range(4)])
    elif spec["kind"] == "layer":
        if name == "conv3x3":
            model = Layer(nn.Conv2d(64, 64, 3, padding=1))
        else:
            n = spec["sample"][0]
            model = Layer(nn.Linear(n, n))
    else:
        import models as fashion
        model = fashion.MODELS[name]()
        _collect_batchnorm(model, [torch.from_numpy(b) for b in
                                   fashion_images("train", 4 * 64, offset=1000).reshape(
                                       4, 64, 1, 28, 28)])
    return model.eval()


def _collect_batchnorm(model, batches):
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = None
            m.reset_running_stats()
    model.train()
    with torch.no_grad():
        for batch in batches:
            model(batch)
    model.eval()


def fashion_images(split, count, offset=0):
    """`count` Fashion-MNIST images from `split` ("train" or "t10k") as
    float32 pixels / 255, shaped [count, 1, 28, 28]."""
    import gzip
    import numpy as np
    path = os.path.join(FASHION, "%s-images-idx3-ubyte.gz" % split)
    with gzip.open(path, "rb") as f:
        data = f.read()
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    pixels = pixels[offset * 784:(offset + count) * 784]
    return (pixels.astype(np.float32) / np.float32(255)).reshape(count, 1, 28, 28)


def sample_data(name, count, seed):
    """`count` seeded input samples for `name` (numpy float32): Fashion-MNIST
    images (training images for calibration, seed 0; test images otherwise),
    non-negative values for the convolution (as after a ReLU), normal values
    elsewhere."""
    import numpy as np
    spec = MODELS[name]
    if spec["kind"] == "fashion":
        return fashion_images("train" if seed == 0 else "t10k", count)
    generator = torch.Generator().manual_seed(seed)
    if name == "conv3x3":
        x = torch.rand(count, *spec["sample"], generator=generator)
    else:
        x = torch.randn(count, *spec["sample"], generator=generator)
    return x.numpy().astype(np.float32)


def quantize_eager(name, model, calibration, qconfig, engine):
    """PyTorch's eager static quantization of a copy of `model`: fuse
    (torchvision's fuse_model, the Fashion models' fuse lists), prepare with
    `qconfig`, run the calibration batches, convert, all under `engine`."""
    import copy
    torch.backends.quantized.engine = engine
    kind = MODELS[name]["kind"]
    if kind == "fashion":
        import models as fashion
        return fashion.quantize_eager(model, calibration, qconfig)
    q = copy.deepcopy(model).eval()
    if kind == "torchvision":
        q.fuse_model()
    q.qconfig = torch.ao.quantization.get_default_qconfig(qconfig)
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        for batch in calibration:
            q(batch)
    return torch.ao.quantization.convert(q, inplace=True)
