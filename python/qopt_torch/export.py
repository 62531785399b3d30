"""torch.fx graphs to qnn IR (see the package docstring)."""
import copy
import dis
import inspect
import operator
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.ao.nn.quantized as nnq
import torch.ao.nn.quantized.dynamic as nnqd
import torch.ao.nn.quantized.reference as nnqr
import torch.nn.intrinsic.quantized as nniq
import torch.nn.intrinsic.quantized.dynamic as nniqd
from torch.fx.passes.shape_prop import ShapeProp


class ExportError(Exception):
    """A model qopt cannot express, with the offending operation named."""


def _tensor_type(shape, element, dynamic_batch):
    dims = ["?" if (i == 0 and dynamic_batch) else str(d)
            for i, d in enumerate(shape)]
    return "tensor<" + "x".join(dims + [element]) + ">"


def _quant_element(dtype, scale, zero_point):
    storage = {torch.quint8: "u8", torch.qint8: "i8"}.get(dtype)
    if storage is None:
        raise ExportError("quantized dtype %s is not supported (quint8 and "
                          "qint8 are)" % dtype)
    scale = float(np.float32(scale))
    if zero_point:
        return "!quant.uniform<%s:f32, %r:%d>" % (storage, scale, zero_point)
    return "!quant.uniform<%s:f32, %r>" % (storage, scale)


def _ints(values, rank):
    if isinstance(values, int):
        values = [values] * rank
    return "array<i64: %s>" % ", ".join(str(int(v)) for v in values)


class _Writer:
    def __init__(self, dynamic_batch):
        self.lines = []
        self.blobs = {}
        self.values = {}
        self.count = 0
        self.dynamic_batch = dynamic_batch

    def fresh(self, hint="v"):
        self.count += 1
        return "%%%s%d" % (hint, self.count)

    def blob(self, array, element, hint):
        """An arith.constant holding `array` as a dense_resource blob."""
        # Resource keys are identifiers: Sequential children are named "0".
        name = "%s_%d" % (re.sub(r"[^A-Za-z0-9_]", "_", hint), len(self.blobs))
        if not name[0].isalpha():
            name = "t_" + name
        data = np.ascontiguousarray(array)
        self.blobs[name] = "0x04000000" + data.tobytes().hex()
        value = self.fresh("c")
        ty = "tensor<" + "x".join([str(d) for d in data.shape] + [element]) + ">"
        self.lines.append("%s = arith.constant dense_resource<%s> : %s"
                          % (value, name, ty))
        return value, ty

    def float_constant(self, tensor, hint):
        return self.blob(tensor.detach().contiguous().to(torch.float32).numpy(),
                         "f32", hint)

    def quantized_weight(self, weight, hint):
        """A quantized weight: i8 storage blob cast with quant.scast."""
        if weight.dtype != torch.qint8:
            raise ExportError("%s: weights must be qint8, got %s" % (hint, weight.dtype))
        storage, sty = self.blob(weight.int_repr().numpy().astype(np.int8), "i8", hint)
        shape = list(weight.shape)
        if weight.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            element = _quant_element(torch.qint8, weight.q_scale(), weight.q_zero_point())
        elif weight.qscheme() in (torch.per_channel_affine,
                                  torch.per_channel_symmetric):
            if weight.q_per_channel_axis() != 0:
                raise ExportError("%s: per-channel weights must be quantized "
                                  "along dimension 0" % hint)
            pairs = []
            for s, z in zip(weight.q_per_channel_scales().tolist(),
                            weight.q_per_channel_zero_points().tolist()):
                s = float(np.float32(s))
                pairs.append("%r:%d" % (s, z) if z else repr(s))
            element = "!quant.uniform<i8:f32:0, {%s}>" % ",".join(pairs)
        else:
            raise ExportError("%s: weight qscheme %s is not supported"
                              % (hint, weight.qscheme()))
        qty = "tensor<" + "x".join([str(d) for d in shape] + [element]) + ">"
        value = self.fresh("w")
        self.lines.append("%s = quant.scast %s : %s to %s" % (value, storage, sty, qty))
        return value, qty

    def emit(self, text, hint="v"):
        value = self.fresh(hint)
        self.lines.append("%s = %s" % (value, text))
        return value


def _node_element(node):
    """The qnn element type of a traced tensor: f32 or its quantized type."""
    meta = node.meta.get("tensor_meta")
    if meta is None or not hasattr(meta, "shape"):
        raise ExportError("%s: no tensor shape (is its value a tensor?)"
                          % _where(node))
    if meta.is_quantized:
        q = meta.qparams
        if q.get("qscheme") not in (torch.per_tensor_affine,
                                    torch.per_tensor_symmetric):
            raise ExportError("%s: activations must be quantized per tensor"
                              % _where(node))
        return _quant_element(meta.dtype, q["scale"], q["zero_point"])
    if meta.dtype == torch.float32:
        return "f32"
    raise ExportError("%s: tensors of %s are not supported" % (_where(node), meta.dtype))


def _node_type(node, writer):
    element = _node_element(node)
    return _tensor_type(list(node.meta["tensor_meta"].shape), element,
                        writer.dynamic_batch)


def _where(node):
    if node.op == "call_module":
        return "module '%s' (node %s)" % (node.target, node.name)
    target = getattr(node.target, "__name__", str(node.target))
    return "%s '%s' (node %s)" % (node.op.replace("_", " "), target, node.name)


def _describe(module):
    return "%s.%s" % (type(module).__module__, type(module).__name__)


def _conv_attrs(m, rank):
    if m.padding_mode != "zeros":
        raise ExportError("padding_mode '%s'" % m.padding_mode)
    padding = m.padding
    if isinstance(padding, str):
        raise ExportError("padding='%s' (give the padding as numbers)" % padding)
    attrs = ["strides = " + _ints(m.stride, rank),
             "padding = " + _ints(padding, rank),
             "dilation = " + _ints(m.dilation, rank),
             "groups = %d : i64" % m.groups]
    return attrs


def _pool_attrs(m, rank, node, is_max):
    """Attributes of a max (`is_max`) or average pooling whose parameters
    are `m`'s attributes (a module, or _pool_params of a functional call)."""
    attrs = ["kernel_size = " + _ints(m.kernel_size, rank)]
    stride = m.stride if m.stride not in (None, [], ()) else m.kernel_size
    attrs.append("strides = " + _ints(stride, rank))
    attrs.append("padding = " + _ints(m.padding, rank))
    if is_max:
        dilation = m.dilation
        if dilation not in (1, (1,), (1, 1), [1], [1, 1]):
            attrs.append("dilation = " + _ints(dilation, rank))
        if m.return_indices:
            raise ExportError("%s: return_indices=True" % _where(node))
    else:
        if getattr(m, "divisor_override", None):
            raise ExportError("%s: divisor_override" % _where(node))
        attrs.append("count_include_pad = %s" % ("true" if m.count_include_pad else "false"))
    attrs.append("ceil_mode = %s" % ("true" if m.ceil_mode else "false"))
    return attrs


# The functional poolings: their rank, whether they take the maximum, and
# their parameters after the input with PyTorch's defaults.
_POOL_FUNCTIONS = {
    F.max_pool1d: (1, True), F.max_pool2d: (2, True),
    F.avg_pool1d: (1, False), F.avg_pool2d: (2, False)}
_POOL_PARAMETERS = {
    True: (("kernel_size", None), ("stride", None), ("padding", 0), ("dilation", 1),
           ("ceil_mode", False), ("return_indices", False)),
    False: (("kernel_size", None), ("stride", None), ("padding", 0), ("ceil_mode", False),
            ("count_include_pad", True), ("divisor_override", None))}


def _pool_params(node, is_max):
    """The parameters of a functional pooling call, by name."""
    params = {}
    for i, (name, default) in enumerate(_POOL_PARAMETERS[is_max]):
        params[name] = (node.args[i + 1] if len(node.args) > i + 1
                        else node.kwargs.get(name, default))
    return type("PoolParams", (), params)


class _Proxy(torch.fx.Proxy):
    """torch.fx's Proxy, which `a, b = proxy` unpacks into proxy[0],
    proxy[1] on Python 3.11 too (`x1, x2 = x.chunk(2, dim=1)`,
    `n, c, h, w = x.size()`). torch 1.13 finds the unpacking instruction at
    index f_lasti // 2 of the caller's instructions, which Python 3.11's
    inline caches shift; this finds it by its offset."""

    def __iter__(self):
        caller = inspect.currentframe().f_back
        for instruction in dis.get_instructions(caller.f_code):
            if instruction.offset == caller.f_lasti:
                if instruction.opname == "UNPACK_SEQUENCE":
                    return (self[i] for i in range(instruction.argval))
                break
        return self.tracer.iter(self)


class _Tracer(torch.fx.Tracer):
    """torch.fx's tracer, with the quantization stubs kept as modules and
    proxies that unpack (_Proxy)."""

    def proxy(self, node):
        return _Proxy(node, self)

    def is_leaf_module(self, m, qualname):
        if isinstance(m, (torch.ao.quantization.QuantStub,
                          torch.ao.quantization.DeQuantStub)):
            return True
        return super().is_leaf_module(m, qualname)


def _converted(module):
    """A model PyTorch has prepared for quantization (observers or
    FakeQuantize modules: prepare, prepare_qat, prepare_fx, prepare_qat_fx)
    becomes what PyTorch's convert (convert_fx for a GraphModule) makes of
    an eval-mode copy of it: its observers' and FakeQuantize modules'
    scales and zero points become the quantization, QAT modules fold their
    BatchNorm and quantize their weights with their weight fake-quantizers.
    Any other model is returned as it is."""
    from torch.ao.quantization import FakeQuantizeBase, ObserverBase
    if not any(isinstance(m, (ObserverBase, FakeQuantizeBase))
               for m in module.modules()):
        return module
    prepared = copy.deepcopy(module).eval()
    try:
        if isinstance(prepared, torch.fx.GraphModule):
            from torch.ao.quantization.quantize_fx import convert_fx
            return convert_fx(prepared)
        return torch.ao.quantization.convert(prepared)
    except Exception as e:
        raise ExportError("the model carries PyTorch observers or FakeQuantize "
                          "modules, and PyTorch's convert failed on it: %s" % e) from e


def export_model(module, example_input, name="model", dynamic_batch=True):
    """qnn IR text of `module` (eval mode) for inputs shaped like
    `example_input` (a tensor, or a tuple or list of tensors for a model with
    several inputs, in the order of its forward's arguments); with
    `dynamic_batch` dimension 0 of every tensor is dynamic (`?`). A model
    prepared for quantization (prepare, prepare_qat, prepare_fx,
    prepare_qat_fx) is exported as PyTorch converts it (_converted)."""
    original = module
    module = _converted(module).eval()
    try:
        graph = _Tracer().trace(module)
        graph_module = torch.fx.GraphModule(module, graph)
    except Exception as e:  # tracing failures name the Python code
        raise ExportError("torch.fx cannot trace the model: %s" % e) from e
    inputs = (tuple(example_input) if isinstance(example_input, (tuple, list))
              else (example_input,))
    placeholders = [n for n in graph_module.graph.nodes if n.op == "placeholder"]
    if len(inputs) != len(placeholders):
        raise ExportError("the model takes %d input(s) (%s), %d example input(s) given"
                          % (len(placeholders), ", ".join(n.name for n in placeholders),
                             len(inputs)))
    try:
        with torch.no_grad():
            ShapeProp(graph_module).propagate(*inputs)
    except Exception as e:
        what = ("PyTorch's conversion of the model (it carries observers or "
                "FakeQuantize modules)" if module is not original else "the model")
        first = str(e).strip().splitlines()
        raise ExportError("%s fails on the example input: %s" % (
            what, first[0] if first else type(e).__name__)) from e
    modules = dict(graph_module.named_modules())
    w = _Writer(dynamic_batch)
    args, results = [], []

    attributes = set()

    def value(arg):
        if arg in attributes:
            raise ExportError("%s: parameters used outside a module are not "
                              "supported" % _where(arg))
        if not isinstance(arg, torch.fx.Node) or arg not in w.values:
            raise ExportError("an argument %r that is not a traced tensor" % (arg,))
        return w.values[arg]

    for node in graph_module.graph.nodes:
        if node.op == "placeholder":
            ty = _node_type(node, w)
            v = "%%arg%d" % len(args)
            args.append("%s: %s" % (v, ty))
            w.values[node] = v
            continue
        if node.op == "output":
            outs = node.args[0]
            outs = outs if isinstance(outs, (tuple, list)) else [outs]
            results = [(value(o), _node_type(o, w)) for o in outs]
            continue
        if node.op == "get_attr":
            # convert_fx keeps the scales and zero points of its
            # quantize_per_tensor and quantized functional calls as
            # attributes; those calls take their types from the traced
            # results, so an attribute is only an error where a tensor
            # operand needs its value (value() says so).
            attributes.add(node)
            continue
        if _is_shape_query(node):
            continue  # x.shape / x.size(): only reshape / view may use them
        if node.target in _CHUNK:
            w.values[node] = _Chunks(node, w, value)
            continue  # a tuple: each getitem of it becomes a qnn.slice
        ty = _node_type(node, w)
        if node.op == "call_module":
            m = modules[node.target]
            emitted = len(w.lines)
            w.values[node] = _module(w, node, m, value, ty)
            # Name the operation after the module (qnumeric shows it).
            if len(w.lines) > emitted and w.lines[-1].startswith(w.values[node] + " = "):
                w.lines[-1] += ' loc("%s")' % node.target
        elif node.op in ("call_function", "call_method"):
            w.values[node] = _function(w, node, value, ty)
        else:
            raise ExportError("%s is not supported" % _where(node))

    lines = ["func.func @%s(%s) -> (%s) {" % (
        name, ", ".join(args), ", ".join(t for _, t in results))]
    lines += ["  " + l for l in w.lines]
    lines.append("  return %s : %s" % (", ".join(v for v, _ in results),
                                        ", ".join(t for _, t in results)))
    lines.append("}")
    if w.blobs:
        lines += ["{-#", "  dialect_resources: {", "    builtin: {",
                  ",\n".join('      %s: "%s"' % kv for kv in w.blobs.items()),
                  "    }", "  }", "#-}"]
    return "\n".join(lines) + "\n"


_SHAPE_ARITHMETIC = {operator.floordiv, operator.mul, operator.add, operator.sub,
                     operator.truediv, operator.neg}


def _is_shape_query(node):
    """x.shape, x.shape[i], x.size(...) and arithmetic on them
    (`c // groups`): integers, not tensors."""
    if node.meta.get("tensor_meta") is not None and hasattr(node.meta["tensor_meta"], "shape"):
        return False
    if node.op == "call_function" and node.target in (getattr, operator.getitem):
        return True
    if node.op == "call_function" and node.target in _SHAPE_ARITHMETIC:
        return True
    return node.op == "call_method" and node.target in ("size", "dim")


def _input_type(node, w):
    return _node_type(node.args[0], w)


def _weighted(w, node, m, x, in_ty, ty, quantized, relu, dynamic=False):
    """conv / linear, float or (PyTorch-converted) quantized; a dynamically
    quantized linear has a quantized weight between float input and output.
    PyTorch's dynamic linear asks for reduce_range, which its qnnpack engine
    ignores: the IR has it unless that engine is PyTorch's current one."""
    conv = not isinstance(m, (nn.Linear, nnq.Linear))
    attrs = []
    if dynamic and torch.backends.quantized.engine != "qnnpack":
        attrs.append("reduce_range")
    if conv:
        rank = 1 if isinstance(m, (nn.Conv1d, nnq.Conv1d)) else 2
        try:
            attrs = _conv_attrs(m, rank)
        except ExportError as e:
            raise ExportError("%s: %s" % (_where(node), e)) from None
    if relu:
        attrs.append("activation = #qnn.activation<relu>")
    weight, bias = (m.weight(), m.bias()) if quantized else (m.weight, m.bias)
    if isinstance(m, (nnqr.Conv1d, nnqr.Conv2d, nnqr.Linear)):
        # A reference module (convert_fx leaves one where the backend has no
        # quantized kernel, as x86 for Conv1d) runs in float on its weight
        # quantized and dequantized, between convert_fx's dequantize and
        # quantize: so does the export.
        weight = m.get_weight().detach()
    make_weight = w.quantized_weight if quantized else w.float_constant
    wv, wty = make_weight(weight, node.target + ".weight")
    operands, types = [x, wv], [in_ty, wty]
    if bias is not None:
        bv, bty = w.float_constant(bias, node.target + ".bias")
        operands.append(bv)
        types.append(bty)
    return w.emit("%s %s%s : (%s) -> %s" % (
        "qnn.conv" if conv else "qnn.linear", ", ".join(operands),
        " {%s}" % ", ".join(attrs) if attrs else "", ", ".join(types), ty))


# PyTorch's quantized, QAT and dynamic modules subclass the float modules
# they stand for (nnq.ReLU6 is an nn.ReLU, nnq.BatchNorm2d an
# nn.BatchNorm2d, the QAT Conv2d and ConvBn2d are nn.Conv2d): matched as
# their float base class they would export without their clamp, their
# BatchNorm or their fake quantization. So a module from these packages is
# exported only when its own class is one handled below; any other is an
# error.
_QUANTIZATION_PACKAGES = tuple(
    root + package for root in ("torch.nn.", "torch.ao.nn.")
    for package in ("quantized", "intrinsic.quantized", "qat", "intrinsic.qat",
                    "quantizable"))
_QUANTIZATION_MODULES_EXPORTED = {
    nnq.Quantize, nnq.DeQuantize, nnq.Conv1d, nnq.Conv2d, nnq.Linear,
    nniq.ConvReLU1d, nniq.ConvReLU2d, nniq.LinearReLU, nnq.ReLU6, nnq.Dropout,
    nnq.MaxPool2d, nnq.Hardswish, nnqd.Linear, nniqd.LinearReLU, nnqr.Conv1d,
    nnqr.Conv2d, nnqr.Linear}


def _is_unhandled_quantization_module(m):
    package = type(m).__module__
    return (type(m) not in _QUANTIZATION_MODULES_EXPORTED and
            any(package == p or package.startswith(p + ".")
                for p in _QUANTIZATION_PACKAGES))


def _module(w, node, m, value, ty):
    x = value(node.args[0]) if node.args else None
    in_ty = _input_type(node, w) if node.args else None
    where = _where(node)
    if _is_unhandled_quantization_module(m):
        raise ExportError("unsupported module %s at %s" % (_describe(m), where))
    # Quantized modules (PyTorch's convert output).
    if isinstance(m, nnq.Quantize):
        return w.emit("qnn.quantize %s : %s -> %s" % (x, in_ty, ty))
    if isinstance(m, nnq.DeQuantize):
        return w.emit("qnn.dequantize %s : %s -> %s" % (x, in_ty, ty))
    quantized = isinstance(m, (nnq.Conv1d, nnq.Conv2d, nnq.Linear))
    if quantized or isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
        relu = isinstance(m, (nniq.ConvReLU1d, nniq.ConvReLU2d, nniq.LinearReLU,
                              nniqd.LinearReLU))
        return _weighted(w, node, m, x, in_ty, ty, quantized, relu,
                         dynamic=isinstance(m, nnqd.Linear))
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        if m.running_mean is None or not m.affine:
            raise ExportError("%s: BatchNorm needs running statistics and "
                              "affine=True" % where)
        params = [w.float_constant(t, node.target + "." + n) for n, t in (
            ("weight", m.weight), ("bias", m.bias), ("running_mean", m.running_mean),
            ("running_var", m.running_var))]
        return w.emit("qnn.batch_norm %s, %s {epsilon = %r : f32} : (%s, %s) -> %s" % (
            x, ", ".join(v for v, _ in params), float(np.float32(m.eps)), in_ty,
            ", ".join(t for _, t in params), ty))
    # nnq.ReLU6 derives from nn.ReLU, not nn.ReLU6: it clamps at 6 as well.
    relu6 = isinstance(m, (nn.ReLU6, nnq.ReLU6))
    if isinstance(m, nn.ReLU) and not relu6:
        return w.emit("qnn.relu %s : %s" % (x, ty))
    if relu6 or isinstance(m, nn.Hardtanh):
        lo, hi = (0.0, 6.0) if relu6 else (m.min_val, m.max_val)
        return w.emit("qnn.clamp %s {min = %r : f32, max = %r : f32} : %s" % (
            x, float(lo), float(hi), ty))
    # nnq.Hardswish (an nn.Hardswish) carries its output scale and zero
    # point: the traced result type. On a quantized input nn.Hardsigmoid
    # runs PyTorch's quantized kernel, whose result type is fixed.
    if isinstance(m, (nn.Hardswish, nn.Hardsigmoid)):
        return w.emit("qnn.%s %s : %s -> %s" % (
            "hardswish" if isinstance(m, nn.Hardswish) else "hardsigmoid",
            x, in_ty, ty))
    if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d)):
        rank = 1 if isinstance(m, (nn.MaxPool1d, nn.AvgPool1d)) else 2
        is_max = isinstance(m, (nn.MaxPool1d, nn.MaxPool2d))
        return w.emit("%s %s {%s} : %s -> %s" % (
            "qnn.max_pool" if is_max else "qnn.avg_pool", x,
            ", ".join(_pool_attrs(m, rank, node, is_max)), in_ty, ty))
    if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)):
        return _adaptive_avg_pool(w, node, x, in_ty, ty)
    if isinstance(m, nn.Flatten):
        # prepare_fx has no pattern for the nn.Flatten module (it has for
        # torch.flatten): its output gets an observer of its own in FX.
        return w.emit("qnn.flatten %s {start_dim = %d : i64, end_dim = %d : i64, "
                      "qnn.fx_own_observer} : %s -> %s"
                      % (x, m.start_dim, m.end_dim, in_ty, ty))
    if isinstance(m, torch.ao.quantization.QuantStub):
        return w.emit("qnn.quant_stub %s : %s" % (x, ty))
    if isinstance(m, torch.ao.quantization.DeQuantStub):
        return w.emit("qnn.dequant_stub %s : %s" % (x, ty))
    if isinstance(m, (nn.Identity, nn.Dropout)):
        return x
    raise ExportError("unsupported module %s at %s" % (_describe(m), where))


def _channels_last(meta):
    """Whether a traced 4-D tensor is contiguous in channels-last order
    (PyTorch's is_contiguous(memory_format=torch.channels_last): dimensions
    of size 1 do not count)."""
    if len(meta.shape) != 4:
        return False
    expected = 1
    for d in (1, 3, 2, 0):
        if meta.shape[d] != 1:
            if meta.stride[d] != expected:
                return False
            expected *= meta.shape[d]
    return True


def _adaptive_avg_pool(w, node, x, in_ty, ty):
    """The output size is the result type's (the traced shape). On a
    quantized channels-last input (a quantized convolution's output)
    PyTorch runs its NHWC kernel, which rounds as qnn's `centered`."""
    meta = node.args[0].meta["tensor_meta"]
    attrs = " {centered}" if meta.is_quantized and _channels_last(meta) else ""
    return w.emit("qnn.adaptive_avg_pool %s%s : %s -> %s" % (x, attrs, in_ty, ty))


def _mean(w, node, value, ty):
    """x.mean(spatial dims): global average pooling, then the pooled
    dimensions dropped unless keepdim. On a quantized tensor PyTorch
    dequantizes, averages in float and quantizes with the input's scale and
    zero point; the export does the same, and marks the float pooling
    `float_mean` so that qnn-quantize keeps it float in a calibrated
    model."""
    x = node.args[0]
    shape = list(x.meta["tensor_meta"].shape)
    rank = len(shape)
    dims = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
    keepdim = node.args[2] if len(node.args) > 2 else node.kwargs.get("keepdim", False)
    dims = [dims] if isinstance(dims, int) else dims
    if dims is None or sorted(d % rank for d in dims) != list(range(2, rank)) or \
            rank not in (3, 4) or node.kwargs.get("dtype") is not None:
        raise ExportError("%s: only a mean over all spatial dimensions (global "
                          "average pooling) is supported" % _where(node))
    in_ty, v = _node_type(x, w), value(x)
    quantized = x.meta["tensor_meta"].is_quantized
    pooled_shape = shape[:2] + [1] * (rank - 2)
    float_ty = _tensor_type(shape, "f32", w.dynamic_batch)
    pooled_float = _tensor_type(pooled_shape, "f32", w.dynamic_batch)
    if quantized:
        v = w.emit("qnn.dequantize %s : %s -> %s" % (v, in_ty, float_ty))
    # float_mean: qnn-quantize keeps a calibrated model's mean in float, as
    # PyTorch's quantized mean does.
    v = w.emit("qnn.adaptive_avg_pool %s {float_mean} : %s -> %s" % (
        v, float_ty, pooled_float))
    pooled_ty = pooled_float
    if quantized:
        pooled_ty = _tensor_type(pooled_shape, _node_element(x), w.dynamic_batch)
        v = w.emit("qnn.quantize %s : %s -> %s" % (v, pooled_float, pooled_ty))
    if keepdim:
        return v
    return w.emit("qnn.reshape %s : %s -> %s" % (v, pooled_ty, ty))


_RELU = {torch.relu, F.relu, "relu"}
_ADD = {operator.add, torch.add, "add"}
# FloatFunctional.mul is torch.mul; convert makes it QFunctional.mul,
# quantized::mul (the result's scale and zero point are the traced result
# type's).
_MUL = {operator.mul, torch.mul, "mul", torch.ops.quantized.mul}
_HARD_ACTIVATIONS = {F.hardswish: "hardswish", "hardswish": "hardswish",
                     F.hardsigmoid: "hardsigmoid", "hardsigmoid": "hardsigmoid"}
_FLATTEN = {torch.flatten, "flatten"}
_RESHAPE = {torch.reshape, "reshape", "view"}
_ADAPTIVE_AVG_POOL = {F.adaptive_avg_pool1d, F.adaptive_avg_pool2d}
# PyTorch's quantized add (nnq.QFunctional's add and add_relu, what convert
# makes of FloatFunctional): the result's scale and zero point are the
# traced result type's.
_QUANTIZED_ADD = {torch.ops.quantized.add: None,
                  torch.ops.quantized.add_relu: "relu"}
# torch.cat, and QFunctional.cat's quantized::cat (the result's scale and
# zero point are the traced result type's).
_CAT = {torch.cat, torch.concat, torch.ops.quantized.cat}


_CHUNK = {torch.chunk, "chunk"}
_TRANSPOSE = {torch.transpose, "transpose"}
_PERMUTE = {torch.permute, "permute"}
_MEAN = {torch.mean, "mean"}
_DEQUANTIZE = {torch.dequantize, "dequantize"}


class _Chunks:
    """x.chunk(k, dim): k pieces of ceil(size / k) along dim, the last one
    shorter (torch.chunk), taken one by one with getitem."""

    def __init__(self, node, w, value):
        x = node.args[0]
        self.input, self.type = value(x), _node_type(x, w)
        chunks = node.args[1] if len(node.args) > 1 else node.kwargs["chunks"]
        dim = node.args[2] if len(node.args) > 2 else node.kwargs.get("dim", 0)
        size = x.meta["tensor_meta"].shape[dim]
        self.dim = dim % len(x.meta["tensor_meta"].shape)
        self.step = -(-size // chunks)

    def slice(self, w, index, ty):
        return w.emit("qnn.slice %s {dim = %d : i64, start = %d : i64} : %s -> %s" % (
            self.input, self.dim, index * self.step, self.type, ty))


def _function(w, node, value, ty):
    target = node.target
    where = _where(node)
    if target is operator.getitem and isinstance(w.values.get(node.args[0]), _Chunks):
        return w.values[node.args[0]].slice(w, node.args[1], ty)
    if target in _TRANSPOSE or target in _PERMUTE:
        x = node.args[0]
        rank = len(x.meta["tensor_meta"].shape)
        if target in _TRANSPOSE:
            a, b = (d % rank for d in node.args[1:3])
            permutation = list(range(rank))
            permutation[a], permutation[b] = b, a
        else:
            dims = node.args[1:] if len(node.args) > 2 else node.args[1]
            permutation = [d % rank for d in dims]
        return w.emit("qnn.transpose %s {permutation = array<i64: %s>} : %s -> %s" % (
            value(x), ", ".join(map(str, permutation)), _node_type(x, w), ty))
    if target in _MEAN:
        return _mean(w, node, value, ty)
    # convert_fx's quantize at the border of the quantized region (scale
    # and zero point: the traced result type's) and its dequantize.
    if target is torch.quantize_per_tensor:
        return w.emit("qnn.quantize %s : %s -> %s" % (
            value(node.args[0]), _input_type(node, w), ty))
    if target in _DEQUANTIZE:
        return w.emit("qnn.dequantize %s : %s -> %s" % (
            value(node.args[0]), _input_type(node, w), ty))
    if target in _RELU:
        return w.emit("qnn.relu %s : %s" % (value(node.args[0]), ty))
    if target is F.relu6:
        return w.emit("qnn.clamp %s {min = 0.0 : f32, max = 6.0 : f32} : %s" % (
            value(node.args[0]), ty))
    if target in _ADD or target in _QUANTIZED_ADD:
        a, b = node.args[0], node.args[1]
        if not (isinstance(a, torch.fx.Node) and isinstance(b, torch.fx.Node)):
            raise ExportError("%s: only tensor + tensor is supported" % where)
        if target in _ADD and (len(node.args) > 2 or node.kwargs):
            raise ExportError("%s: add with alpha or out is not supported" % where)
        activation = _QUANTIZED_ADD.get(target)
        attrs = " {activation = #qnn.activation<%s>}" % activation if activation else ""
        return w.emit("qnn.add %s, %s%s : (%s, %s) -> %s" % (
            value(a), value(b), attrs, _node_type(a, w), _node_type(b, w), ty))
    if target in _MUL:
        a, b = node.args[0], node.args[1]
        if not (isinstance(a, torch.fx.Node) and isinstance(b, torch.fx.Node)):
            raise ExportError("%s: only tensor * tensor is supported" % where)
        if target is not torch.ops.quantized.mul and (len(node.args) > 2 or node.kwargs):
            raise ExportError("%s: mul with out is not supported" % where)
        return w.emit("qnn.mul %s, %s : (%s, %s) -> %s" % (
            value(a), value(b), _node_type(a, w), _node_type(b, w), ty))
    if target in _HARD_ACTIVATIONS:
        inplace = node.args[1] if len(node.args) > 1 else node.kwargs.get("inplace", False)
        if inplace:
            raise ExportError("%s: in-place %s is not supported" % (
                where, _HARD_ACTIVATIONS[target]))
        return w.emit("qnn.%s %s : %s -> %s" % (
            _HARD_ACTIVATIONS[target], value(node.args[0]),
            _input_type(node, w), ty))
    if target in _CAT:
        tensors = node.args[0] if node.args else node.kwargs.get("tensors")
        dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
        if not isinstance(tensors, (list, tuple)) or not tensors or not all(
                isinstance(t, torch.fx.Node) for t in tensors):
            raise ExportError("%s: cat needs a list of traced tensors" % where)
        rank = len(node.meta["tensor_meta"].shape)
        return w.emit("qnn.cat %s {dim = %d : i64} : (%s) -> %s" % (
            ", ".join(value(t) for t in tensors), dim % rank,
            ", ".join(_node_type(t, w) for t in tensors), ty))
    if target in _FLATTEN:
        start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
        end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
        return w.emit("qnn.flatten %s {start_dim = %d : i64, end_dim = %d : i64} : %s -> %s"
                      % (value(node.args[0]), start, end, _input_type(node, w), ty))
    if target in _RESHAPE:
        return w.emit("qnn.reshape %s : %s -> %s" % (
            value(node.args[0]), _input_type(node, w), ty))
    if target in _POOL_FUNCTIONS:
        rank, is_max = _POOL_FUNCTIONS[target]
        attrs = _pool_attrs(_pool_params(node, is_max), rank, node, is_max)
        return w.emit("%s %s {%s} : %s -> %s" % (
            "qnn.max_pool" if is_max else "qnn.avg_pool", value(node.args[0]),
            ", ".join(attrs), _input_type(node, w), ty))
    if target in _ADAPTIVE_AVG_POOL:
        return _adaptive_avg_pool(w, node, value(node.args[0]),
                                  _input_type(node, w), ty)
    if target is F.dropout:
        training = node.args[2] if len(node.args) > 2 else node.kwargs.get("training", True)
        if training:
            raise ExportError("%s: dropout in training mode" % where)
        return value(node.args[0])
    if node.op == "call_method" and target == "contiguous":
        return value(node.args[0])
    name = getattr(target, "__name__", str(target))
    raise ExportError("unsupported %s '%s' at %s" % (
        "method" if node.op == "call_method" else "function", name, where))
