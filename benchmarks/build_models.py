#!/usr/bin/python3
"""Builds the benchmark's models in every form the systems run.

    build_models.py WORKDIR [--models NAME,...] [--force]

For each model of bench_models.MODELS, into WORKDIR/NAME/:
  float.mlir        qopt float IR (qopt_torch.export_model, dynamic batch)
  calib.npy         calibration samples (qopt and PyTorch use the same ones,
                    in the same batches)
  input_bB.npy/.f32 the timed input at batch B (.f32: raw float32)
  fp32.pt           the PyTorch float model (bench_models.save_module)
  int8_onednn.pt    PyTorch eager int8: x86 qconfig, onednn engine
  int8_qnnpack.pt   PyTorch eager int8: qnnpack qconfig, qnnpack engine
  fp32.onnx         torch.onnx.export of fp32.pt, opset 13, dynamic batch
  int8.onnx         int8 in QDQ form (QuantizeLinear / DequantizeLinear
                    around float operators, which ONNX Runtime fuses into its
                    int8 kernels): torch.onnx.export of int8_onednn.pt
                    (opset 13 for per-channel weights); if that export
                    fails, the float ONNX graph with QuantizeLinear /
                    DequantizeLinear pairs inserted from int8_onednn.pt's
                    scales (see qdq_from_pytorch)
  ref_fp32_bB.npy   PyTorch's outputs on the timed input, float and
  ref_int8_bB.npy   int8 (onednn)
  manifest.json     shapes, batches, MACs, how int8.onnx was made, failures
With onnxruntime-node 1.30, ORT's optimized graphs (bench.py prints their
operators on every run) run every QDQ model on its int8 kernels: QLinearConv
for each convolution (1-D ones too), QGemm for each linear layer,
QLinearAdd for residual additions, QLinearGlobalAveragePool and NhwcMaxPool
on u8; the input's QuantizeLinear and the output's DequantizeLinear are the
only float conversions left. torch.onnx.export handles resnet18,
mobilenet_v2, the single layers and the CNN; it has no symbolic for
quantized::linear_relu (MLP) and quantized::conv1d_relu (KWS), which get
the inserted QDQ pairs.

A model whose manifest carries the current stamp (a hash of the scripts
that made it) is skipped. Run with /usr/bin/python3 (Debian's torch 1.13,
torchvision 0.14, onnx).
"""
import argparse
import hashlib
import json
import os
import sys
import time
import traceback
import warnings

import numpy as np

# PyTorch's float convolutions here (BatchNorm statistics, calibration, the
# float reference outputs) use oneDNN's AVX2 kernels, whose summation order
# qopt reproduces (docs/Numerics.md, rule F), so that qopt's calibration can
# reach PyTorch's scales on an AVX-512 CPU too. Set before torch loads
# oneDNN. The timed PyTorch runs (torch_bench.py) use oneDNN's best kernels.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
import torch  # noqa: E402

import bench_models  # noqa: E402
from bench_models import MODELS  # noqa: E402

bench_models.add_paths()
from qopt_torch import export_model  # noqa: E402

warnings.filterwarnings("ignore")


def stamp():
    """Hash of everything that decides the artifacts."""
    h = hashlib.sha256()
    for path in ("benchmarks/bench_models.py", "benchmarks/build_models.py",
                 "python/qopt_torch/export.py", "examples/fashion_mnist/models.py"):
        with open(os.path.join(bench_models.ROOT, path), "rb") as f:
            h.update(f.read())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def batches(data, size):
    return [torch.from_numpy(data[i:i + size]) for i in range(0, len(data), size)]


def export_onnx(model, x, path):
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                      output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


# Operators whose int8 form in PyTorch keeps its input's scale.
_KEEPS_SCALE = {"MaxPool", "AveragePool", "GlobalAveragePool", "Reshape", "Flatten",
                "Relu", "Squeeze", "Unsqueeze", "Transpose"}


def qdq_from_pytorch(float_onnx, int8_model, path):
    """The float ONNX graph in QDQ form with `int8_model`'s quantization:
    every activation tensor goes through QuantizeLinear + DequantizeLinear
    with the scale PyTorch's int8 model gives it (the quant stub's for the
    input, each conv / linear module's for its output, taken after a Relu
    that follows, as PyTorch fuses it; other operators keep their input's
    scale, as PyTorch's quantized pooling, flatten and reshape do); each
    Conv / Gemm weight becomes PyTorch's int8 values with per-channel scales
    and its bias int32 at scale input scale x weight scale, each through a
    DequantizeLinear. Used when torch.onnx.export of the int8 model fails;
    models with additions are not handled (their scales live in
    QFunctional modules)."""
    import onnx
    from onnx import helper, numpy_helper
    import torch.ao.nn.quantized as nnq
    model = onnx.load(float_onnx)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    # Conv / Gemm nodes and the quantized modules both come in forward order.
    layers = iter([m for m in int8_model.modules()
                   if isinstance(m, (nnq.Conv1d, nnq.Conv2d, nnq.Linear))])
    quant = next(m for m in int8_model.modules() if isinstance(m, nnq.Quantize))
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    qparams = {}  # dequantized tensor -> (scale, zero point)
    nodes, new_inits = [], []

    def constant(array, name):
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    def quantize(tensor, scale, zero_point, producer_output=None):
        """Q + DQ on `tensor`; returns the name consumers should read."""
        s = constant(np.array(scale, np.float32), tensor + "_scale")
        z = constant(np.array(zero_point, np.uint8), tensor + "_zp")
        source = producer_output or tensor
        nodes.append(helper.make_node("QuantizeLinear", [source, s, z], [tensor + "_q"]))
        out = tensor if producer_output else tensor + "_dq"
        nodes.append(helper.make_node("DequantizeLinear", [tensor + "_q", s, z], [out]))
        qparams[out] = (float(scale), int(zero_point))
        return out

    name_in = g.input[0].name
    renamed = {name_in: quantize(name_in, float(quant.scale), int(quant.zero_point))}
    pending = {}  # Relu output -> qparams of the conv / linear before it
    for node in g.node:
        for k, i in enumerate(node.input):
            node.input[k] = renamed.get(i, i)
        if node.op_type == "Add":
            raise RuntimeError("Add: its scale is not a module's")
        out = node.output[0]
        if node.op_type in ("Conv", "Gemm"):
            m = next(layers)
            w = m.weight()
            in_scale = qparams[node.input[0]][0]
            wq = w.int_repr().numpy().astype(np.int8)
            if w.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
                w_scales = w.q_per_channel_scales().numpy().astype(np.float32)
            else:
                w_scales = np.full(wq.shape[0], w.q_scale(), np.float32)
            wname = node.input[1]
            if numpy_helper.to_array(inits[wname]).shape != wq.shape:
                raise RuntimeError("%s: weight shape differs from PyTorch's" % wname)
            nodes.append(helper.make_node(
                "DequantizeLinear", [constant(wq, wname + "_int8"),
                                     constant(w_scales, wname + "_wscale"),
                                     constant(np.zeros(len(w_scales), np.int8), wname + "_wzp")],
                [wname + "_dq"], axis=0))
            node.input[1] = wname + "_dq"
            if len(node.input) > 2 and node.input[2]:
                bname = node.input[2]
                b_scales = (np.float32(in_scale) * w_scales).astype(np.float32)
                bias = numpy_helper.to_array(inits[bname]).astype(np.float64)
                bq = np.round(bias / b_scales).astype(np.int32)
                nodes.append(helper.make_node(
                    "DequantizeLinear", [constant(bq, bname + "_int32"),
                                         constant(b_scales, bname + "_bscale"),
                                         constant(np.zeros(len(b_scales), np.int32),
                                                  bname + "_bzp")],
                    [bname + "_dq"], axis=0))
                node.input[2] = bname + "_dq"
            after = consumers.get(out, [])
            if len(after) == 1 and after[0].op_type == "Relu":
                pending[after[0].output[0]] = (float(m.scale), int(m.zero_point))
                nodes.append(node)
                continue
            scale = (float(m.scale), int(m.zero_point))
        elif out in pending:
            scale = pending[out]
        else:
            if node.op_type not in _KEEPS_SCALE or node.input[0] not in qparams:
                nodes.append(node)  # shapes, constants
                continue
            scale = qparams[node.input[0]]
        node.output[0] = out + "_float"
        nodes.append(node)
        quantize(out, scale[0], scale[1], producer_output=out + "_float")
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in nodes for i in n.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def build(name, out):
    """Every artifact of model `name` into `out`; returns the manifest. An
    artifact that cannot be made is recorded under "failures" with the
    reason, and the systems that need it print "failed"."""
    spec = MODELS[name]
    os.makedirs(out, exist_ok=True)
    failures = {}
    manifest = {"name": name, "sample": list(spec["sample"]),
                "batches": list(spec["batches"]), "macs": spec.get("macs"),
                "title": spec.get("title", name), "failures": failures}

    def attempt(artifact, what, make):
        try:
            make(os.path.join(out, artifact))
            return True
        except Exception as e:
            failures[artifact] = "%s: %s" % (what, str(e).strip().splitlines()[0]
                                             if str(e).strip() else type(e).__name__)
            print("build_models: %s: %s failed: %s" % (name, artifact, failures[artifact]),
                  file=sys.stderr)
            return False

    model = bench_models.float_model(name)
    example = torch.from_numpy(bench_models.sample_data(name, 1, seed=1))
    count, size = spec["calib"]
    calib = bench_models.sample_data(name, count, seed=0)
    np.save(os.path.join(out, "calib.npy"), calib)
    manifest["calib_batch"] = size
    for batch in spec["batches"]:
        x = bench_models.sample_data(name, batch, seed=1)
        np.save(os.path.join(out, "input_b%d.npy" % batch), x)
        x.astype("<f4").tofile(os.path.join(out, "input_b%d.f32" % batch))
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy()
        np.save(os.path.join(out, "ref_fp32_b%d.npy" % batch), y)
        manifest["output_sample"] = list(y.shape[1:])

    def write_float_ir(path):
        text = export_model(model, example, name="model")
        with open(path, "w") as f:
            f.write(text)
    attempt("float.mlir", "qopt_torch.export_model", write_float_ir)
    attempt("fp32.pt", "torch.save", lambda path: bench_models.save_module(model, path))
    has_fp32_onnx = attempt("fp32.onnx", "torch.onnx.export",
                            lambda path: export_onnx(model, example, path))

    for qconfig, engine in (("x86", "onednn"), ("qnnpack", "qnnpack")):
        quantized = []

        def quantize(path):
            quantized.append(bench_models.quantize_eager(
                name, model, batches(calib, size), qconfig, engine))
            bench_models.save_module(quantized[0], path)
        if not attempt("int8_%s.pt" % engine, "PyTorch eager quantization (%s)" % qconfig,
                       quantize):
            if engine == "onednn":
                failures["int8.onnx"] = "no PyTorch int8 model"
            continue
        if engine != "onednn":
            continue
        q = quantized[0]
        for batch in spec["batches"]:
            x = np.load(os.path.join(out, "input_b%d.npy" % batch))
            with torch.no_grad():
                np.save(os.path.join(out, "ref_int8_b%d.npy" % batch),
                        q(torch.from_numpy(x)).numpy())
        path = os.path.join(out, "int8.onnx")
        try:
            export_onnx(q, example, path)
            manifest["int8_onnx"] = "torch.onnx.export of the int8 (x86) model"
            continue
        except Exception as e:
            print("build_models: %s: torch.onnx.export of the int8 model failed "
                  "(%s); inserting QDQ pairs instead" % (name, str(e).splitlines()[0]),
                  file=sys.stderr)
        if not has_fp32_onnx:
            failures["int8.onnx"] = "no int8 export and no float ONNX model"
        elif attempt("int8.onnx", "QDQ insertion", lambda path: qdq_from_pytorch(
                os.path.join(out, "fp32.onnx"), q, path)):
            manifest["int8_onnx"] = "QDQ pairs inserted from the int8 (x86) model's scales"
    manifest["stamp"] = stamp()
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir")
    parser.add_argument("--models", help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--force", action="store_true", help="rebuild every model")
    args = parser.parse_args()
    names = args.models.split(",") if args.models else list(MODELS)
    for name in names:
        if name not in MODELS:
            parser.error("unknown model %s" % name)
    torch.set_num_threads(1)
    current = stamp()
    for name in names:
        out = os.path.join(args.workdir, name)
        manifest_path = os.path.join(out, "manifest.json")
        if not args.force and os.path.exists(manifest_path):
            with open(manifest_path) as f:
                if json.load(f).get("stamp") == current:
                    continue
        start = time.time()
        try:
            build(name, out)
        except Exception as e:
            # Not kept (no stamp): the next run tries again.
            traceback.print_exc()
            print("build_models: %s failed" % name, file=sys.stderr)
            os.makedirs(out, exist_ok=True)
            with open(manifest_path, "w") as f:
                json.dump({"name": name, "broken": "building the model failed: %s" % e}, f)
            continue
        print("build_models: %s built in %.1f s" % (name, time.time() - start),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
