"""qopt's PyTorch frontend: PyTorch models to qnn IR and to native code.

    import qopt_torch
    model = qopt_torch.compile(net, example, calibration=loader)
    y = model(x)                  # runs the qcc library in-process
    model.save("net.so"); model = qopt_torch.load("net.so")

`compile(model, example_inputs, calibration=..., qconfig="x86")` exports,
calibrates with PyTorch's observers (float models) and compiles with qcc;
the CompiledModel it returns is callable on torch tensors and numpy
arrays (see compiler.py and runtime.py).

`export_model(module, example_input)` traces an eval-mode nn.Module with
torch.fx and writes it as qnn IR text. Float models (Conv1d/2d, Linear,
ReLU, ReLU6/Hardtanh, Hardswish, Hardsigmoid, BatchNorm1d/2d, pooling (modules and functional max,
average and adaptive average pooling, and a mean over the spatial
dimensions), flatten/view/reshape, transpose/permute, chunk, add, mul of
two tensors, cat,
Dropout in eval mode, QuantStub/DeQuantStub) become float qnn; models
PyTorch has already quantized (the output of
torch.ao.quantization.convert: nnq.Quantize, nnq.Conv1d/2d, nnq.Linear,
the fused nniq.ConvReLU1d/2d and nniq.LinearReLU, nnq.ReLU6,
nnq.Hardswish, nn.Hardsigmoid on a quantized tensor, nnq.DeQuantize, and
QFunctional's add, add_relu, mul and cat, which convert
makes of FloatFunctional) become quantized qnn with PyTorch's own scales,
zero points and int8 weights. So do models from every other PyTorch
workflow: convert_fx's output (quantize_per_tensor, dequantize, quantized
functional ops, reference modules for layers without a quantized kernel),
dynamically quantized Linear layers (float in and out, int8 weights), and
models still carrying observers or FakeQuantize modules (prepare,
prepare_qat, prepare_fx, prepare_qat_fx), which are exported as PyTorch's
convert (convert_fx) makes them. A model with several inputs takes a tuple
of example inputs. Anything else raises ExportError naming the operation
and where it is in the model; that includes quantized modules whose float
base class is supported (nnq.BatchNorm2d): they are never exported as
that base class.

`load_quantized(model, checkpoint, example_inputs)` rebuilds the model a
quantized checkpoint (a converted model's state_dict, eager or FX, QAT or
post-training) was saved from, given the float model, and loads it (see
checkpoint.py).

Runs under Debian's /usr/bin/python3 with python3-torch 1.13.
"""
from .checkpoint import CheckpointError, fusable_modules, load_quantized
from .compiler import CompileError, compile
from .export import ExportError, export_model
from .runtime import CompiledModel, load

__all__ = ["CheckpointError", "CompileError", "CompiledModel", "ExportError", "compile",
           "export_model", "fusable_modules", "load", "load_quantized"]
