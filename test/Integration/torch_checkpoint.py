#!/usr/bin/python3
"""qopt_torch.load_quantized: quantized checkpoints (state_dicts saved with
torch.save) loaded back from the float model alone.

    torch_checkpoint.py BINDIR WORKDIR

For the three example models and torchvision's ResNet18 (64x64), PyTorch
quantizes a copy by eager QAT (two SGD steps), eager post-training
quantization and FX QAT, converts it and saves its state_dict. Each
checkpoint is loaded with load_quantized from the float model and must
give PyTorch's converted model's outputs exactly; the ResNet18 QAT one is
then compiled with qopt_torch.compile and checked against PyTorch's int8
logits. Then the errors: a float state_dict, a fusion that does not fit,
an unreadable file, a file holding no state_dict.
"""
import copy
import os
import sys

os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from torch_workflows import (MODELS, float_model, qopt_torch,  # noqa: E402
                             randomize, train)
from models import quantize_eager  # noqa: E402
from torch.ao.quantization import (get_default_qat_qconfig,  # noqa: E402
                                   get_default_qat_qconfig_mapping)
from torch.ao.quantization.quantize_fx import convert_fx, prepare_qat_fx  # noqa: E402


def eager_qat(model, x):
    q = copy.deepcopy(model).train()
    if hasattr(q, "fuse_model"):
        q.fuse_model(is_qat=True)
    elif type(q).fuse:
        q = torch.ao.quantization.fuse_modules_qat(q, type(q).fuse)
    q.qconfig = get_default_qat_qconfig("x86")
    torch.ao.quantization.prepare_qat(q, inplace=True)
    train(q, x)
    return torch.ao.quantization.convert(q.eval())


def fx_qat(model, x):
    q = prepare_qat_fx(copy.deepcopy(model).train(),
                       get_default_qat_qconfig_mapping("x86"), (x,))
    train(q, x)
    return convert_fx(q.eval())


def reload(label, model, converted, x, path, **kwargs):
    """Saves `converted`'s state_dict to `path`, loads it from `model`."""
    torch.save(converted.state_dict(), path)
    loaded = qopt_torch.load_quantized(model, path, x[:1], **kwargs)
    with torch.no_grad():
        same = torch.equal(converted(x), loaded(x))
    print("%-24s reloaded, outputs equal to PyTorch's converted model: %s"
          % (label, same))
    return loaded


def error(label, call):
    try:
        call()
        print("%s: no error" % label)
    except Exception as e:
        print("%s: %s: %s" % (label, type(e).__name__, e))


def main():
    bindir, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    torch.backends.quantized.engine = "onednn"
    torch.manual_seed(0)
    models = {name: (randomize(cls()).eval(), torch.rand(8, 1, 28, 28))
              for name, cls in MODELS.items()}
    models["resnet18"] = (float_model("resnet18", 64), torch.randn(8, 3, 64, 64))
    for name, (model, x) in models.items():
        path = os.path.join(workdir, name + ".pth")
        print("%s: fusions found %s" % (name, qopt_torch.fusable_modules(model)[:3]))
        qat = reload(name + " eager qat", model, eager_qat(model, x), x, path)
        if name in MODELS:
            reload(name + " eager ptq", model, quantize_eager(model, [x]), x, path)
        reload(name + " fx qat", model, fx_qat(model, x), x, path, workflow="fx")
        if name == "resnet18":
            compiled = qopt_torch.compile(qat, x[:1], bindir=bindir,
                                          workdir=os.path.join(workdir, "compiled"))
            with torch.no_grad():
                expected = qat(x).numpy()
            y = compiled(x).numpy()
            print("%s eager qat compiled vs PyTorch int8: %.2f%% of logits equal, "
                  "top-1 %.0f%%" % (name, 100.0 * np.mean(y == expected),
                                    100.0 * np.mean(y.argmax(1) == expected.argmax(1))))

    model, x = models["cnn"]
    converted = eager_qat(model, x)
    wrapped = os.path.join(workdir, "wrapped.pth")
    torch.save({"epoch": 3, "state_dict": converted.state_dict()}, wrapped)
    loaded = qopt_torch.load_quantized(model, wrapped, x[:1])
    with torch.no_grad():
        print("{'epoch', 'state_dict'} dict: equal:", torch.equal(converted(x), loaded(x)))
    parallel = torch.nn.DataParallel(converted).state_dict()
    loaded = qopt_torch.load_quantized(model, {"model": parallel}, x[:1])
    with torch.no_grad():
        print("DataParallel's keys: equal:", torch.equal(converted(x), loaded(x)))
    float_path = os.path.join(workdir, "float.pth")
    torch.save(model.state_dict(), float_path)
    error("float state_dict", lambda: qopt_torch.load_quantized(model, float_path, x[:1]))
    error("no fusion", lambda: qopt_torch.load_quantized(model, wrapped, x[:1], fuse=[]))
    error("missing file", lambda: qopt_torch.load_quantized(
        model, os.path.join(workdir, "absent.pth"), x[:1]))
    tensor_path = os.path.join(workdir, "tensor.pth")
    torch.save(torch.zeros(3), tensor_path)
    error("a tensor", lambda: qopt_torch.load_quantized(model, tensor_path, x[:1]))
    error("workflow", lambda: qopt_torch.load_quantized(model, wrapped, x[:1],
                                                        workflow="qat"))


if __name__ == "__main__":
    main()
