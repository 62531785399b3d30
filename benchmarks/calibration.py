#!/usr/bin/python3
"""Times calibration: qopt's against PyTorch's eager calibration.

    calibration.py --work DIR --bindir DIR [--model resnet18] [--images N]
                   [--batch B] [--rounds R]

benchmarks/run.sh calls this after build_models.py. For the same N seeded
images in batches of B, with the x86 qconfig (histogram observers for
activations, per-channel min/max for weights), one thread each, it times
in interleaved rounds:

- qopt: the whole `qrun FLOAT.mlir --qconfig x86 --calibrate IMAGES.npy
  --batch-size B --quantize --write-model OUT.mlir` process: parsing,
  BatchNorm folding, fusion, observer placement, JIT compilation, reading
  the images, running the float model and its observers, and writing the
  quantized model;
- PyTorch: eager mode's `fuse_model()`, `prepare` with the x86 qconfig and
  the forward passes over the batches (the model and the images already in
  memory, oneDNN's best kernels for this CPU), in a process of its own.

Prints the median seconds of each over the rounds and their ratio.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"

TORCH_SIDE = r'''
import sys, time, warnings
import numpy as np
import torch
sys.path.insert(0, sys.argv[1])
import bench_models
bench_models.add_paths()
warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.backends.quantized.engine = "onednn"
model = torch.load(sys.argv[2]).eval()
images = torch.from_numpy(np.load(sys.argv[3]))
batch = int(sys.argv[4])
start = time.perf_counter()
model.fuse_model()
model.qconfig = torch.ao.quantization.get_default_qconfig("x86")
torch.ao.quantization.prepare(model, inplace=True)
with torch.no_grad():
    for i in range(0, len(images), batch):
        model(images[i:i + batch])
print("%.3f" % (time.perf_counter() - start))
'''


def log(message):
    print("calibration: " + message, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--bindir", required=True)
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    sys.path.insert(0, HERE)
    import bench_models  # noqa: E402

    model_dir = os.path.join(args.work, args.model)
    float_ir = os.path.join(model_dir, "float.mlir")
    torch_model = os.path.join(model_dir, "fp32.pt")
    for path in (float_ir, torch_model):
        if not os.path.exists(path):
            sys.exit("calibration: %s is missing (build_models.py makes it)" % path)
    images = os.path.join(model_dir, "calibration_%d.npy" % args.images)
    if not os.path.exists(images):
        log("writing %d seeded images to %s" % (args.images, images))
        data = bench_models.sample_data(args.model, args.images, seed=0)
        np.save(images + ".tmp.npy", data)
        os.replace(images + ".tmp.npy", images)

    qopt = [os.path.join(args.bindir, "qrun"), float_ir, "--qconfig", "x86",
            "--calibrate", images, "--batch-size", str(args.batch), "--quantize",
            "--write-model", os.path.join(model_dir, "calibrated_%d.mlir" % args.images)]
    torch_cmd = [PYTHON, "-c", TORCH_SIDE, HERE, torch_model, images, str(args.batch)]
    times = {"qopt": [], "torch": []}
    ratios = []
    for r in range(args.rounds):
        log("round %d of %d" % (r + 1, args.rounds))
        this = {}
        for system in (("qopt", "torch") if r % 2 == 0 else ("torch", "qopt")):
            if system == "qopt":
                start = time.perf_counter()
                subprocess.run(qopt, check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                this[system] = time.perf_counter() - start
            else:
                done = subprocess.run(torch_cmd, check=True, capture_output=True, text=True)
                this[system] = float(done.stdout.split()[-1])
            times[system].append(this[system])
        ratios.append(this["qopt"] / this["torch"])

    med = statistics.median
    print("\ncalibration of %s on %d images (batches of %d, x86 qconfig: histogram "
          "observers), one thread, median of %d interleaved rounds" % (
              args.model, args.images, args.batch, args.rounds))
    print("  qopt (qrun --calibrate, the whole process)   %8.1f s" % med(times["qopt"]))
    print("  PyTorch eager (fuse, prepare, forward)        %8.1f s" % med(times["torch"]))
    print("  qopt / PyTorch                                %8.2fx" % med(ratios))


if __name__ == "__main__":
    main()
