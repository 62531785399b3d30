"""Running a qcc-compiled model in-process.

A library made by `qcc --shared` exports PREFIX_info, which describes the
model's inputs and outputs, and PREFIX_run_arrays, which runs it on dense
row-major buffers (include/qopt/Compiler/ModelABI.h). `CompiledModel`
loads such a library with ctypes and calls it on torch tensors or numpy
arrays: inputs already dense and of the model's element type are passed
without a copy, outputs are written straight into the arrays returned.
ctypes releases the GIL for the call.
"""
import ctypes
import os
import shutil

import numpy as np

# enum qopt_dtype (ModelABI.h)
_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.float64), 3: np.dtype(np.int8),
           4: np.dtype(np.uint8), 5: np.dtype(np.int32), 6: np.dtype(np.int64)}
_ABI_VERSION = 1
_STATUS = {-1: "the batch is below 1, differs from a static batch dimension, "
               "or makes a buffer too large to address",
           -2: "a null buffer pointer"}

# The prefix qopt_torch.compile gives its libraries' entry points.
DEFAULT_NAME = "model"


class _TensorInfo(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class _ModelInfo(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_int32), ("num_inputs", ctypes.c_int32),
                ("num_outputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(_TensorInfo)),
                ("outputs", ctypes.POINTER(_TensorInfo)),
                ("function", ctypes.c_char_p)]


class TensorSpec:
    """An input or output of a compiled model: `dtype` (numpy) and `shape`,
    None for the dynamic batch dimension."""

    def __init__(self, info):
        self.dtype = _DTYPES.get(info.dtype)
        if self.dtype is None:
            raise RuntimeError("unknown element type code %d" % info.dtype)
        self.shape = tuple(None if info.shape[d] < 0 else int(info.shape[d])
                           for d in range(info.rank))

    def __repr__(self):
        return "%s[%s]" % (self.dtype.name, ", ".join(
            "batch" if d is None else str(d) for d in self.shape))


def _torch():
    try:
        import torch
        return torch
    except ImportError:
        return None


class CompiledModel:
    """A model compiled by qcc into a shared library, callable on torch
    tensors and numpy arrays.

        model = CompiledModel("model.so")          # or qopt_torch.load
        y = model(x)                               # one output: an array
        y0, y1 = two_output_model(a, b)            # several: a tuple

    Inputs go in the order of the model function's arguments. Given any
    torch tensor, the outputs are torch tensors (sharing memory with the
    numpy arrays they were written to), else numpy arrays. An input must
    have the model's element type (quantized inputs are passed as their
    8-bit storage) and shape; the batch dimension, where dynamic, may be
    any size but the same for every input.
    """

    def __init__(self, path, name=DEFAULT_NAME):
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError("%s: no such compiled model" % path)
        self.path = path
        self.name = name
        try:
            self._lib = ctypes.CDLL(path)
        except OSError as e:
            raise RuntimeError("%s: cannot load the library: %s" % (path, e)) from None
        try:
            info_fn = getattr(self._lib, name + "_info")
            self._run = getattr(self._lib, name + "_run_arrays")
        except AttributeError:
            raise RuntimeError(
                "%s: no %s_info / %s_run_arrays: not a qcc library of that name "
                "(qcc --name sets it; qopt_torch.compile uses %r)"
                % (path, name, name, DEFAULT_NAME)) from None
        info_fn.restype = ctypes.POINTER(_ModelInfo)
        info = info_fn().contents
        if info.abi_version != _ABI_VERSION:
            raise RuntimeError("%s: model interface version %d, this runtime reads %d"
                               % (path, info.abi_version, _ABI_VERSION))
        self.function = info.function.decode()
        self.inputs = [TensorSpec(info.inputs[i]) for i in range(info.num_inputs)]
        self.outputs = [TensorSpec(info.outputs[i]) for i in range(info.num_outputs)]
        self._run.restype = ctypes.c_int
        self._run.argtypes = [ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]

    def __repr__(self):
        return "CompiledModel(%r: @%s(%s) -> (%s))" % (
            self.path, self.function, ", ".join(map(repr, self.inputs)),
            ", ".join(map(repr, self.outputs)))

    def _array(self, index, value):
        """Input `index` as a dense numpy array of its spec, and whether it
        came from torch."""
        spec = self.inputs[index]
        torch = _torch()
        from_torch = torch is not None and isinstance(value, torch.Tensor)
        if from_torch:
            if value.is_quantized:
                value = value.int_repr()
            value = value.detach()
            if value.device.type != "cpu":
                value = value.cpu()
            array = value.contiguous().numpy()
        elif isinstance(value, np.ndarray):
            array = value
        else:
            raise TypeError("input %d: expected a torch tensor or numpy array, got %s"
                            % (index, type(value).__name__))
        if array.dtype != spec.dtype:
            raise TypeError("input %d: element type %s, but the model takes %s"
                            % (index, array.dtype, spec.dtype))
        if array.ndim != len(spec.shape) or any(
                d is not None and d != n for d, n in zip(spec.shape, array.shape)):
            raise ValueError("input %d: shape %s, but the model takes %r"
                             % (index, tuple(array.shape), spec))
        return np.ascontiguousarray(array), from_torch

    def __call__(self, *inputs):
        if len(inputs) != len(self.inputs):
            raise TypeError("@%s takes %d input(s), %d given"
                            % (self.function, len(self.inputs), len(inputs)))
        arrays, any_torch = [], False
        for i, value in enumerate(inputs):
            array, from_torch = self._array(i, value)
            arrays.append(array)
            any_torch |= from_torch
        batches = {a.shape[0] for a, s in zip(arrays, self.inputs)
                   if s.shape and s.shape[0] is None}
        if len(batches) > 1:
            raise ValueError("the inputs' batch sizes differ: %s"
                             % ", ".join(str(a.shape[0]) for a in arrays))
        batch = batches.pop() if batches else next(
            (a.shape[0] for a in arrays if a.ndim), 1)
        outputs = [np.empty([batch if d is None else d for d in s.shape], s.dtype)
                   for s in self.outputs]
        in_ptrs = (ctypes.c_void_p * max(len(arrays), 1))(
            *[a.ctypes.data for a in arrays])
        out_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(
            *[o.ctypes.data for o in outputs])
        status = self._run(batch, in_ptrs, out_ptrs)
        if status != 0:
            raise RuntimeError("@%s failed (status %d): %s" % (
                self.function, status, _STATUS.get(status, "unknown status")))
        if any_torch:
            torch = _torch()
            outputs = [torch.from_numpy(o) for o in outputs]
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def save(self, path):
        """Copies the compiled library to `path`; `load(path)` brings it back
        (in this process or another, on a CPU with the features it was
        compiled for)."""
        tmp = path + ".tmp%d" % os.getpid()
        shutil.copyfile(self.path, tmp)
        os.replace(tmp, path)


def load(path, name=DEFAULT_NAME):
    """A compiled model from a library saved by CompiledModel.save or made by
    `qcc --shared` (pass its --name)."""
    return CompiledModel(path, name)
