#!/usr/bin/python3
"""Times one saved PyTorch model on one thread (a process of benchmarks/run.sh).

    torch_bench.py MODEL.pt INPUT.npy --engine onednn|qnnpack|fp32
        [--budget SECONDS] [--min N] [--max N] [--out OUT.npy]

Loads the module saved by build_models.py (under the quantized engine its
int8 weights were packed for), runs one warm-up inference, then times
inferences with time.perf_counter for --budget seconds (at least --min, at
most --max), and prints "median_ms count". Input and output are float: an
int8 model's quantize and dequantize steps are inside the timed call.
Eager mode, torch.no_grad(), torch.set_num_threads(1); oneDNN picks its
kernels for this CPU (bench.py leaves ONEDNN_MAX_CPU_ISA unset, or sets it to
AVX2 with --isa avx2).
"""
import argparse
import statistics
import sys
import time
import warnings

import numpy as np
import torch

import bench_models

bench_models.add_paths()
warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("--engine", choices=["onednn", "qnnpack", "fp32"], required=True)
    parser.add_argument("--budget", type=float, default=1.0)
    parser.add_argument("--min", type=int, default=5)
    parser.add_argument("--max", type=int, default=1000)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    if args.engine != "fp32":
        torch.backends.quantized.engine = args.engine
    model = torch.load(args.model).eval()
    x = torch.from_numpy(np.load(args.input))
    times = []
    with torch.no_grad():
        y = model(x)  # warm-up
        start = time.perf_counter()
        while len(times) < args.max:
            t0 = time.perf_counter()
            y = model(x)
            t1 = time.perf_counter()
            times.append((t1 - t0) * 1e3)
            if len(times) >= args.min and t1 - start >= args.budget:
                break
    if args.out:
        np.save(args.out, y.numpy())
    print("%.6f %d" % (statistics.median(times), len(times)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
