"""Calls a qcc shared library from Python through ctypes, by name, on numpy
arrays: reads the model's description from PREFIX_info, allocates the
outputs it describes, calls PREFIX_run (and PREFIX_run_arrays, which must
agree) and saves the outputs as .npy.

    ctypes_run.py LIBRARY PREFIX IN.npy... -o OUT.npy...
"""
import ctypes
import sys

import numpy as np

DTYPES = {1: np.float32, 2: np.float64, 3: np.int8, 4: np.uint8, 5: np.int32,
          6: np.int64}


class TensorInfo(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class ModelInfo(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_int32), ("num_inputs", ctypes.c_int32),
                ("num_outputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(TensorInfo)),
                ("outputs", ctypes.POINTER(TensorInfo)),
                ("function", ctypes.c_char_p)]


def main():
    args = sys.argv[1:]
    split = args.index("-o")
    library, prefix, inputs, outputs = args[0], args[1], args[2:split], args[split + 1:]
    lib = ctypes.CDLL(library)
    info_fn = getattr(lib, prefix + "_info")
    info_fn.restype = ctypes.POINTER(ModelInfo)
    info = info_fn().contents
    assert info.abi_version == 1, info.abi_version
    assert info.num_inputs == len(inputs) and info.num_outputs == len(outputs)

    xs = [np.ascontiguousarray(np.load(path)) for path in inputs]
    batch = xs[0].shape[0] if xs and xs[0].ndim else 1
    for i, x in enumerate(xs):
        t = info.inputs[i]
        assert x.dtype == DTYPES[t.dtype], (x.dtype, t.dtype)
    ys, again = [], []
    for i in range(info.num_outputs):
        t = info.outputs[i]
        shape = [batch if t.shape[d] < 0 else t.shape[d] for d in range(t.rank)]
        ys.append(np.empty(shape, DTYPES[t.dtype]))
        again.append(np.empty(shape, DTYPES[t.dtype]))
    print("@%s: %d inputs, %d outputs" % (info.function.decode(), info.num_inputs,
                                          info.num_outputs))

    run = getattr(lib, prefix + "_run")
    run.restype = ctypes.c_int
    run.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * (len(xs) + len(ys))
    status = run(batch, *[a.ctypes.data for a in xs + ys])
    print("run:", status)

    run_arrays = getattr(lib, prefix + "_run_arrays")
    run_arrays.restype = ctypes.c_int
    run_arrays.argtypes = [ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]
    in_ptrs = (ctypes.c_void_p * max(len(xs), 1))(*[a.ctypes.data for a in xs])
    out_ptrs = (ctypes.c_void_p * max(len(again), 1))(*[a.ctypes.data for a in again])
    print("run_arrays:", run_arrays(batch, in_ptrs, out_ptrs))
    print("agree:", all(a.tobytes() == b.tobytes() for a, b in zip(ys, again)))
    print("batch 0:", run(0, *[a.ctypes.data for a in xs + ys]))
    for path, y in zip(outputs, ys):
        np.save(path, y)


if __name__ == "__main__":
    main()
