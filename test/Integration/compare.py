#!/usr/bin/python3
"""compare.py EXPECTED.npy ACTUAL.npy [--rtol R]

Prints the largest absolute difference and the largest difference relative
to the largest magnitude of the expected output, and fails when the latter
exceeds R (default 1e-4) or the shapes or dtypes differ.
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    expected, actual = np.load(args.expected), np.load(args.actual)
    if expected.shape != actual.shape or expected.dtype != actual.dtype:
        print("MISMATCH: expected %s %s, got %s %s" % (
            expected.shape, expected.dtype, actual.shape, actual.dtype))
        return 1
    diff = np.abs(expected.astype(np.float64) - actual.astype(np.float64))
    scale = max(np.abs(expected).max(), np.finfo(np.float32).tiny)
    rel = diff.max() / scale
    print("max abs error %.3g, relative to max |expected| %.3g: %.3g (bound %g)"
          % (diff.max(), scale, rel, args.rtol))
    if not np.isfinite(rel) or rel > args.rtol:
        print("FAIL: relative error above the bound")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
