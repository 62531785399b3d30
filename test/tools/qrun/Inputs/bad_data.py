"""Writes the malformed and hostile data files of bad-input.test to DIR."""
import os
import struct
import sys

import numpy as np

out = sys.argv[1]


def path(name):
    return os.path.join(out, name)


def npy(name, shape_text, payload=b"\0" * 64):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path(name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + payload)


# The product of the shape overflows int64 (it corrupted qrun's heap).
npy("overflow.npy", "(4294967296, 4294967296, 16)")
# A huge shape that does not overflow (an uncaught std::length_error).
npy("huge.npy", "(2305843009213693951,)")
# A zero-sized array.
npy("empty.npy", "(0, 4)", b"")
# An IDX file whose dimensions multiply past int64.
with open(path("huge-idx-ubyte"), "wb") as f:
    f.write(bytes([0, 0, 8, 4]) + struct.pack(">IIII", 0xFFFFFFFF, 0xFFFFFFFF,
                                              0xFFFFFFFF, 0xFFFFFFFF))
x = np.random.RandomState(0).rand(8, 4).astype(np.float32)
with_inf = x.copy()
with_inf[3, 2] = np.inf
np.save(path("inf.npy"), with_inf)
wide = x.copy()
wide[1, 1] = 3.4e38
np.save(path("wide.npy"), wide)
np.save(path("same.npy"), np.full((3, 4), 1e8, np.float32))
np.save(path("a5.npy"), np.ones(5, np.float32))
np.save(path("a3.npy"), np.ones(3, np.float32))
np.save(path("x24.npy"), np.ones((2, 4), np.float32))
np.save(path("x25.npy"), np.ones((2, 5), np.float32))
np.save(path("x34.npy"), np.ones((3, 4), np.float32))
np.save(path("z23.npy"), np.ones((2, 3), np.float32))
np.save(path("one.npy"), np.array([2.5], np.float32))
np.save(path("l.npy"), np.ones((2, 4), np.float32))

# Histogram statistics whose range, times 2048 bins, overflows float32.
hist = ", ".join(["1.0"] * 2048)
with open(path("wide-histogram.mlir"), "w") as f:
    f.write("""func.func @f(%%x: tensor<4xf32>) -> tensor<4xf32> {
  %%y = qnn.observe %%x {observer = #qnn.observer<histogram>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: -3.0e+38>, max = array<f32: 3.0e+38>, histogram = array<f32: %s>} : tensor<4xf32>
  return %%y : tensor<4xf32>
}
""" % hist)
