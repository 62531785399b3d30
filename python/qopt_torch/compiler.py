"""qopt_torch.compile: a PyTorch model to native code callable in-process.

The steps are the command-line workflow's (README, docs/Calibration.md):
export_model writes the model as qnn IR; a float model is calibrated and
quantized by `qrun --qconfig Q --calibrate ... --quantize` on the
calibration batches (PyTorch's observers, bit for bit); `qcc --shared`
compiles the result into a library that CompiledModel calls through
ctypes. A model PyTorch has already converted to int8 keeps PyTorch's
scales and weights and is compiled as it is.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import weakref

import numpy as np
import torch

from .export import export_model
from .runtime import DEFAULT_NAME, CompiledModel

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CompileError(RuntimeError):
    """qrun or qcc rejected the model; the message is theirs."""


def _tool(name, bindir):
    """The path of qopt's tool `name`: in `bindir`, else $QOPT_BINDIR, else
    the source tree's build/bin (running from a checkout), else PATH."""
    tried = []
    for directory in (bindir, os.environ.get("QOPT_BINDIR"),
                      os.path.join(_ROOT, "build", "bin")):
        if directory:
            path = os.path.join(directory, name)
            if os.access(path, os.X_OK):
                return path
            tried.append(path)
    path = shutil.which(name)
    if path:
        return path
    raise FileNotFoundError(
        "cannot find qopt's %s (tried %s and PATH): pass bindir= or set "
        "QOPT_BINDIR to the directory holding qcc and qrun"
        % (name, ", ".join(tried) or "no directory"))


def _requantization(requantization):
    """PyTorch's quantized engine decides how its int8 conv and linear round
    (docs/Numerics.md): onednn is rule O, fbgemm / x86 rule R."""
    if requantization is not None:
        if requantization not in ("float", "onednn", "integer"):
            raise ValueError("requantization must be float, onednn or integer, "
                             "not %r" % (requantization,))
        return requantization
    return "onednn" if torch.backends.quantized.engine == "onednn" else "float"


def _float32(value, where):
    if isinstance(value, torch.Tensor):
        if value.dtype != torch.float32:
            raise TypeError("%s: calibration data must be float32, got %s"
                            % (where, value.dtype))
        return value.detach().cpu().contiguous().numpy()
    if isinstance(value, np.ndarray):
        if value.dtype != np.float32:
            raise TypeError("%s: calibration data must be float32, got %s"
                            % (where, value.dtype))
        return np.ascontiguousarray(value)
    raise TypeError("%s: expected a tensor or numpy array, got %s"
                    % (where, type(value).__name__))


def _batch_inputs(item, count, index):
    """The model inputs in one calibration item: a tensor (one input), or a
    tuple / list whose first `count` entries are the inputs (the rest, such
    as a DataLoader's labels, is ignored)."""
    if isinstance(item, (tuple, list)):
        if len(item) < count:
            raise ValueError("calibration batch %d holds %d value(s), the model "
                             "takes %d input(s)" % (index, len(item), count))
        values = item[:count]
    elif count == 1:
        values = [item]
    else:
        raise TypeError("calibration batch %d: a model of %d inputs needs a "
                        "tuple or list per batch, got %s"
                        % (index, count, type(item).__name__))
    arrays = [_float32(v, "calibration batch %d, input %d" % (index, i))
              for i, v in enumerate(values)]
    if any(a.ndim == 0 for a in arrays) or len({a.shape[0] for a in arrays}) > 1:
        raise ValueError("calibration batch %d: the inputs' batch sizes differ "
                         "or one is a scalar: %s"
                         % (index, ", ".join(str(tuple(a.shape)) for a in arrays)))
    return arrays


class _Progress:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, what, total, enabled):
        self.what, self.total = what, total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def update(self, done):
        if not self.enabled:
            return
        if self.total:
            filled = 30 * done // max(self.total, 1)
            sys.stderr.write("\r%s [%s%s] %d/%d batches " % (
                self.what, "#" * filled, "." * (30 - filled), done, self.total))
        else:
            sys.stderr.write("\r%s: %d batches " % (self.what, done))
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def _write_calibration(calibration, count, directory, progress):
    """Saves the calibration batches as .npy files, one directory per input
    (batch k is file k in each), and returns the directories and the batch
    size. qrun takes batches of one size: every batch but the last must
    have the first one's size, the last at most that."""
    dirs = [os.path.join(directory, "input%d" % i) for i in range(count)]
    for d in dirs:
        os.makedirs(d)
    try:
        total = len(calibration)
    except TypeError:
        total = None
    bar = _Progress("reading calibration data", total, progress)
    sizes = []
    for k, item in enumerate(calibration):
        arrays = _batch_inputs(item, count, k)
        if sizes and sizes[-1] != sizes[0]:
            raise ValueError("calibration batch %d has %d samples, batch 0 has %d: "
                             "only the last batch may be smaller"
                             % (k - 1, sizes[-1], sizes[0]))
        if sizes and arrays[0].shape[0] > sizes[0]:
            raise ValueError("calibration batch %d has %d samples, more than "
                             "batch 0's %d" % (k, arrays[0].shape[0], sizes[0]))
        for d, a in zip(dirs, arrays):
            np.save(os.path.join(d, "%08d.npy" % k), a)
        sizes.append(arrays[0].shape[0])
        bar.update(k + 1)
    bar.close()
    if not sizes or sizes[0] == 0:
        raise ValueError("the calibration data holds no samples")
    return dirs, sizes[0]


def _run(command, progress):
    """Runs a qopt tool; on a terminal (with `progress`) its own progress
    output shows. Failures raise CompileError with the tool's message."""
    show = sys.stderr.isatty() if progress is None else progress
    env = dict(os.environ)
    # Rule F follows PyTorch's thread count (docs/Numerics.md): the float
    # convolutions calibration runs add as PyTorch's own do with it.
    env["OMP_NUM_THREADS"] = str(torch.get_num_threads())
    done = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=None if show else subprocess.PIPE, text=True,
                          env=env)
    if done.returncode != 0:
        message = (done.stderr or done.stdout or "").strip()
        raise CompileError("%s failed (exit %d)%s" % (
            os.path.basename(command[0]), done.returncode,
            ": " + message if message else "; its messages are above"))


def compile(model, example_inputs, calibration=None, qconfig="x86",
            workflow="eager", *, requantization=None, kernels="auto", mcpu=None,
            bindir=None, workdir=None, progress=None):
    """Compiles a PyTorch model to native code and returns it loaded: a
    CompiledModel, callable on torch tensors and numpy arrays.

    model           an nn.Module: a float model (quantized here, with
                    `calibration`), or one PyTorch has converted to int8
                    (compiled with PyTorch's scales and weights)
    example_inputs  a tensor, or a tuple of tensors for several inputs; the
                    batch dimension of the compiled model is dynamic
    calibration     for a float model: an iterable of batches (a DataLoader,
                    a list, ...); a batch is a float32 tensor / array, or a
                    tuple or list whose first entries are the model's inputs
                    (a DataLoader's labels are ignored). Every batch but the
                    last has the first one's size.
    qconfig         the PyTorch qconfig whose observers calibrate the model
                    (x86, fbgemm, default, qnnpack, onednn); None compiles a
                    float model as float code
    workflow        eager or fx: whose observer placement to reproduce
    requantization  float (rule R), onednn (rule O) or integer (rule I);
                    default: what torch.backends.quantized.engine computes
    kernels, mcpu   qcc's --kernels and --mcpu (default: the host CPU)
    bindir          where qcc and qrun are (see _tool)
    workdir         keep the IR and the library there (default: a temporary
                    directory removed with the model)
    progress        progress output on stderr; default: on a terminal
    """
    inputs = (tuple(example_inputs) if isinstance(example_inputs, (tuple, list))
              else (example_inputs,))
    text = export_model(model, inputs, name="model")
    quantized = "!quant.uniform" in text
    if quantized and calibration is not None:
        raise ValueError("the model is already quantized by PyTorch and keeps its "
                         "scales: calibration is for float models")
    if not quantized and qconfig is not None and calibration is None:
        raise ValueError("a float model needs calibration data to be quantized "
                         "with qconfig %r (qconfig=None compiles it as float code)"
                         % (qconfig,))
    if workflow not in ("eager", "fx"):
        raise ValueError("workflow must be eager or fx, not %r" % (workflow,))
    requantization = _requantization(requantization)
    qcc, qrun = _tool("qcc", bindir), _tool("qrun", bindir)

    temporary = workdir is None
    workdir = tempfile.mkdtemp(prefix="qopt-compile-") if temporary else workdir
    try:
        os.makedirs(workdir, exist_ok=True)
        source = os.path.join(workdir, "model.mlir")
        with open(source, "w") as f:
            f.write(text)
        if not quantized and qconfig is not None:
            data = tempfile.mkdtemp(prefix="calibration-", dir=workdir)
            try:
                dirs, batch = _write_calibration(calibration, len(inputs), data,
                                                 progress)
                calibrated = os.path.join(workdir, "model.int8.mlir")
                command = [qrun, source, "--qconfig", qconfig, "--workflow", workflow,
                           "--batch-size", str(batch), "--quantize",
                           "--write-model", calibrated]
                for d in dirs:
                    command += ["--calibrate", d]
                _run(command, progress)
                source = calibrated
            finally:
                shutil.rmtree(data, ignore_errors=True)
        library = os.path.join(workdir, "model.so")
        command = [qcc, source, "--shared", "-o", library, "--name", DEFAULT_NAME,
                   "--requantization", requantization, "--kernels", kernels]
        if mcpu:
            command += ["--mcpu", mcpu]
        _run(command, False)
        compiled = CompiledModel(library)
    except BaseException:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    compiled.source = source
    if temporary:
        weakref.finalize(compiled, shutil.rmtree, workdir, True)
    return compiled
