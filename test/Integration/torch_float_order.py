#!/usr/bin/python3
"""qopt's float convolution and global average pooling against PyTorch's,
bit for bit.

    torch_float_order.py BINDIR WORKDIR

PyTorch 1.13 computes a float convolution on oneDNN (jit:avx2, products
added with fused multiply-adds in blocks of 8 input channels) or, for one
small image, with its own im2col + BLAS path (products added one by one in
(channel, kh, kw) order); docs/Numerics.md, rule F. Each case below is a
single Conv1d or Conv2d with random weights, exported with a dynamic batch
size (so qopt decides at run time) and run by qrun; the outputs must equal
PyTorch's bit for bit. PyTorch runs with two threads, and qrun is told so
(OMP_NUM_THREADS), except in the cases marked "1 thread": with one thread
PyTorch computes a 1x1 convolution with unit strides on fewer than 16
images on its own path.

Global average pooling (adaptive average pooling to size 1) is PyTorch's
torch.mean: ATen's cascade sum of each row, then a division; qopt emits
that order for rows of up to 4096 elements.

Grouped convolutions whose channels per group are not multiples of 8
(depthwise aside) run on oneDNN's gemm-based convolution, whose order qopt
does not reproduce: those cases are only held to 1e-5 of the largest output.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "python"))
from qopt_torch import export_model  # noqa: E402

# name, module, input shape; bit for bit (True) or within 1e-5 relative
CASES = [
    ("conv2d 1->16 3x3, batch 32", nn.Conv2d(1, 16, 3, padding=1), (32, 1, 28, 28), True),
    ("conv2d 16->32 3x3, batch 32", nn.Conv2d(16, 32, 3, padding=1), (32, 16, 14, 14), True),
    ("conv2d 16->32 3x3, batch 1", nn.Conv2d(16, 32, 3, padding=1), (1, 16, 14, 14), True),
    ("conv2d 12->8 5x5, batch 1", nn.Conv2d(12, 8, 5, padding=2), (1, 12, 9, 9), True),
    ("conv2d 8->4 3x3, batch 1, 32768 inputs", nn.Conv2d(8, 4, 3), (1, 8, 64, 64), True),
    ("conv2d 3->8 3x3 stride 2, batch 3", nn.Conv2d(3, 8, 3, stride=2, padding=1), (3, 3, 11, 11), True),
    ("conv2d 8->8 3x3 dilation 2, batch 1", nn.Conv2d(8, 8, 3, dilation=2), (1, 8, 12, 12), True),
    ("conv2d 8->8 3x3 dilation 2, batch 2", nn.Conv2d(8, 8, 3, dilation=2), (2, 8, 12, 12), True),
    ("conv2d 24->16 1x1, batch 4", nn.Conv2d(24, 16, 1), (4, 24, 7, 7), True),
    # With one PyTorch thread a 1x1 convolution with unit strides takes
    # PyTorch's own path below a batch of 16 (qrun reads OMP_NUM_THREADS).
    ("conv2d 24->16 1x1, batch 4, 1 thread", nn.Conv2d(24, 16, 1), (4, 24, 7, 7), True, 1),
    ("conv2d 24->16 1x1, batch 16, 1 thread", nn.Conv2d(24, 16, 1), (16, 24, 7, 7), True, 1),
    ("conv2d 24->16 1x1 stride 2, batch 4, 1 thread", nn.Conv2d(24, 16, 1, stride=2),
     (4, 24, 7, 7), True, 1),
    ("conv1d 24->16 k1, batch 4, 1 thread", nn.Conv1d(24, 16, 1), (4, 24, 30), True, 1),
    # oneDNN's 1x1 kernel sums more than 128 channels in chunks of 128
    # (ResNet50's bottlenecks and downsampling): through qopt's kernels and
    # through its linalg loops (--kernels=none).
    ("conv2d 256->64 1x1 stride 2, batch 4", nn.Conv2d(256, 64, 1, stride=2),
     (4, 256, 14, 14), True),
    ("conv2d 256->64 1x1 stride 2, batch 4, loops", nn.Conv2d(256, 64, 1, stride=2),
     (4, 256, 14, 14), True, 2, "none"),
    ("conv2d 200->32 1x1, batch 16, 1 thread", nn.Conv2d(200, 32, 1), (16, 200, 6, 6),
     True, 1),
    ("conv2d 200->32 1x1, batch 16, 1 thread, loops", nn.Conv2d(200, 32, 1),
     (16, 200, 6, 6), True, 1, "none"),
    ("depthwise conv2d 16, batch 2", nn.Conv2d(16, 16, 3, padding=1, groups=16), (2, 16, 10, 10), True),
    ("depthwise conv2d 6, batch 2", nn.Conv2d(6, 6, 3, groups=6), (2, 6, 9, 9), True),
    ("depthwise x2 conv2d 16->32, batch 2", nn.Conv2d(16, 32, 3, groups=16), (2, 16, 9, 9), False),
    ("grouped conv2d 16->16 groups 2, batch 2", nn.Conv2d(16, 16, 3, padding=1, groups=2), (2, 16, 10, 10), True),
    ("grouped conv2d 16->8 groups 4, batch 2", nn.Conv2d(16, 8, 3, groups=4), (2, 16, 9, 9), False),
    ("grouped conv1d 24->12 groups 2, batch 1", nn.Conv1d(24, 12, 3, groups=2), (1, 24, 17), False),
    ("conv1d 1->32 k80 stride 4, batch 8", nn.Conv1d(1, 32, 80, stride=4), (8, 1, 784), True),
    ("conv1d 1->32 k80 stride 4, batch 1", nn.Conv1d(1, 32, 80, stride=4), (1, 1, 784), True),
    ("conv1d 32->64 k3, batch 1", nn.Conv1d(32, 64, 3), (1, 32, 21), True),
    ("conv1d 32->64 k3, batch 5", nn.Conv1d(32, 64, 3), (5, 32, 21), True),
    ("conv1d 20->8 k3 pad 1, batch 2", nn.Conv1d(20, 8, 3, padding=1), (2, 20, 30), True),
    ("global avg pool 1d, 7 per row", nn.AdaptiveAvgPool1d(1), (4, 64, 7), True),
    ("global avg pool 1d, 3 per row", nn.AdaptiveAvgPool1d(1), (4, 16, 3), True),
    ("global avg pool 2d, 7x7", nn.AdaptiveAvgPool2d(1), (2, 32, 7, 7), True),
    ("global avg pool 2d, 13x11", nn.AdaptiveAvgPool2d((1, 1)), (2, 8, 13, 11), True),
    ("global avg pool 2d, 64x64", nn.AdaptiveAvgPool2d(1), (1, 4, 64, 64), True),
]


def main():
    bindir, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(0)
    failures = 0
    for i, (name, layer, shape, exact, *rest) in enumerate(CASES):
        threads = rest[0] if rest else 2
        kernels = rest[1] if len(rest) > 1 else "auto"
        torch.set_num_threads(threads)
        conv = nn.Sequential(layer).eval()  # a traced root must be a container
        x = torch.randn(*shape)
        with torch.no_grad():
            expected = conv(x).numpy()
        base = os.path.join(workdir, "case%d" % i)
        with open(base + ".mlir", "w") as f:
            f.write(export_model(conv, x, name="layer"))
        np.save(base + ".in.npy", x.numpy())
        subprocess.run([os.path.join(bindir, "qrun"), base + ".mlir", "-i",
                        base + ".in.npy", "-o", base + ".out.npy",
                        "--kernels=" + kernels], check=True,
                       env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
        actual = np.load(base + ".out.npy")
        differ = int((actual.view(np.int32) != expected.view(np.int32)).sum())
        rel = np.abs(actual - expected).max() / np.abs(expected).max()
        failed = differ != 0 if exact else rel > 1e-5
        failures += failed
        print("%-42s %6d outputs, %s%s" % (
            name, expected.size,
            ("%d differ" % differ) if exact else ("%.1e relative (gemm order)" % rel),
            "  FAILED" if failed else ""))
    print("float order: %s" % ("all checks passed" if failures == 0 else "%d case(s) FAILED" % failures))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
