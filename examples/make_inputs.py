#!/usr/bin/python3
"""Writes the input files the README's commands use, from Fashion-MNIST's
test images (Debian's dataset-fashion-mnist), pixels / 255 as float32:

    image.npy    the first test image, 1x1x28x28
    images.npy   the first 100, 100x1x28x28
    images.f32   the first 3 as raw float32 (examples/c/run_cnn.c's input)

    /usr/bin/python3 examples/make_inputs.py [DIR]   (default: here)
"""
import gzip
import os
import sys

import numpy as np

IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    if not os.path.exists(IMAGES):
        sys.exit("make_inputs.py: %s is missing: install dataset-fashion-mnist "
                 "(scripts/setup.sh)" % IMAGES)
    with gzip.open(IMAGES) as f:
        data = f.read()
    count = int.from_bytes(data[4:8], "big")
    pixels = np.frombuffer(data, np.uint8, offset=16).reshape(count, 1, 28, 28)
    images = (pixels[:100].astype(np.float32) / np.float32(255))
    np.save(os.path.join(out, "image.npy"), images[:1])
    np.save(os.path.join(out, "images.npy"), images)
    images[:3].tofile(os.path.join(out, "images.f32"))
    print("make_inputs.py: wrote image.npy, images.npy and images.f32 in %s" % out)


if __name__ == "__main__":
    main()
