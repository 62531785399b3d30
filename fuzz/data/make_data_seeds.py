#!/usr/bin/env python3
"""Writes the seed corpus of qopt-fuzz-data into a directory.

Each seed is the three settings bytes of fuzz/data/qopt-fuzz-data.cpp
followed by a data file: .npy arrays of every dtype qopt reads, calibration
samples shaped for the target's model inputs, raw and gzip IDX images, and a
directory of two .npy files. The files are small so that mutations stay
fast. Usage: make_data_seeds.py OUTPUT_DIR
"""

import gzip
import hashlib
import io
import os
import struct
import sys

import numpy as np

# Byte 2: the observer (kind in bits 0-1, then dtype, symmetric,
# reduce_range, channel axis in bits 5-6, 2048 histogram bins in bit 7).
MINMAX, MOVING, PER_CHANNEL, HISTOGRAM = 0, 1, 2, 3
SYMMETRIC, REDUCE, QINT8, BINS_2048 = 8, 16, 4, 128


def axis(a):
    return a << 5


def npy(array, version=None):
    out = io.BytesIO()
    if version is None:
        np.save(out, array)
    else:
        np.lib.format.write_array(out, array, version=version)
    return out.getvalue()


def idx(images):
    header = struct.pack(">BBBB", 0, 0, 8, images.ndim)
    header += b"".join(struct.pack(">I", d) for d in images.shape)
    return header + images.astype(np.uint8).tobytes()


def settings(spec, batch=1, limit=0):
    """Byte 1: model input spec, batch size, sample limit."""
    return spec | ((batch - 1) << 2) | (limit << 5)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(13)
    seeds = []

    # 0: readNpy, every dtype, scalars, empty arrays, format versions.
    arrays = [
        rng.randn(2, 3).astype(np.float32),
        rng.randn(4).astype(np.float64),
        rng.randint(-128, 127, size=(3, 2, 2)).astype(np.int8),
        rng.randint(0, 255, size=(2, 8)).astype(np.uint8),
        rng.randint(-1000, 1000, size=(5,)).astype(np.int32),
        rng.randint(-1000, 1000, size=(2, 2)).astype(np.int64),
        np.float32(1.5),
        np.zeros((0, 4), np.float32),
        np.array([-np.inf, np.nan, 0.0, 3.0], np.float32),
    ]
    observers = [MINMAX, MOVING, PER_CHANNEL | SYMMETRIC | axis(1),
                 HISTOGRAM, HISTOGRAM | BINS_2048, MINMAX | QINT8 | SYMMETRIC,
                 PER_CHANNEL, MOVING | REDUCE, HISTOGRAM | REDUCE]
    for array, observer in zip(arrays, observers):
        seeds.append(bytes([0, 0, observer]) + npy(array))
    seeds.append(bytes([0, 0, MINMAX]) + npy(arrays[0], version=(2, 0)))
    seeds.append(bytes([0, 0, MINMAX]) +
                 npy(np.asfortranarray(rng.randn(2, 3).astype(np.float32))))

    # 1: .npy calibration samples for each model input of the target:
    # ?x1x4x4, 2x1x4x4 (static batch), ?x16, ?x3.
    samples = [
        (0, rng.rand(5, 1, 4, 4).astype(np.float32)),
        (1, rng.rand(4, 1, 4, 4).astype(np.float32)),
        (2, rng.randn(3, 16).astype(np.float32)),
        (3, rng.randn(7, 3).astype(np.float32)),
    ]
    for (spec, array), observer in zip(samples, observers):
        seeds.append(bytes([1, settings(spec, batch=2), observer]) +
                     npy(array))
    seeds.append(bytes([1, settings(0, batch=3, limit=2), HISTOGRAM]) +
                 npy(samples[0][1]))

    # 2: IDX images (Fashion-MNIST's format, 4x4 pixels), raw and gzip.
    images = rng.randint(0, 256, size=(6, 4, 4))
    seeds.append(bytes([2, settings(0, batch=4), HISTOGRAM]) + idx(images))
    seeds.append(bytes([2, settings(2, batch=2), MINMAX]) +
                 gzip.compress(idx(images), mtime=0))
    seeds.append(bytes([2, settings(1), PER_CHANNEL | axis(1)]) + idx(images))

    # 3: a directory of two .npy files, the first one's size in two bytes.
    a = npy(rng.rand(2, 16).astype(np.float32))
    b = npy(rng.rand(3, 16).astype(np.float32))
    seeds.append(bytes([3, settings(2, batch=2), MOVING]) +
                 struct.pack("<H", len(a)) + a + b)

    for seed in seeds:
        name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(seed)
    print("%d data seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
