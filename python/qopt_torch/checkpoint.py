"""Loading a quantized model's checkpoint (a state_dict saved with
torch.save) into the structure PyTorch's convert makes, from the float
model that was quantized.

A state_dict of a converted model (eager convert after prepare or
prepare_qat, or convert_fx after prepare_fx or prepare_qat_fx) names
quantized modules (nniq.ConvReLU2d, nnq.Linear, ...) and their scales; it
loads only into a model of that structure. load_quantized rebuilds the
structure as PyTorch does (fuse, prepare, one pass on the example input,
convert) and loads the checkpoint into it. Eager fusion is the step a
checkpoint does not record: the model's own fuse_model() (torchvision's
quantizable models) when it has one, else every chain torch's
fuse_modules can fuse (conv-bn-relu, conv-bn, conv-relu, linear-bn,
linear-relu, bn-relu; each module called once), else the `fuse` argument.
"""
import copy
import inspect

import torch
import torch.nn as nn

__all__ = ["CheckpointError", "fusable_modules", "load_quantized"]


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or does not fit the model."""


# The module chains torch.ao.quantization.fuse_modules fuses: a head, then
# what may follow it, in order (each optional after the head; the chain
# needs at least two modules).
_CONVS = {nn.Conv1d: nn.BatchNorm1d, nn.Conv2d: nn.BatchNorm2d,
          nn.Conv3d: nn.BatchNorm3d}


def _chain_tails(head):
    if type(head) in _CONVS:
        return [(_CONVS[type(head)],), (nn.ReLU,)]
    if type(head) is nn.Linear:
        return [(nn.BatchNorm1d,), (nn.ReLU,)]
    if type(head) in (nn.BatchNorm2d, nn.BatchNorm3d):
        return [(nn.ReLU,)]
    return []


def fusable_modules(model):
    """The groups of module names torch's fuse_modules can fuse in `model`
    (traced with torch.fx): each conv / linear / batch norm followed by the
    batch norm and ReLU modules it feeds alone, every module in a group
    called once. The list fuse_modules takes."""
    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as e:
        raise CheckpointError(
            "torch.fx cannot trace the model to find its fusions (%s); pass "
            "them as fuse=[[...], ...] as for torch's fuse_modules" % e) from e
    modules = dict(model.named_modules())
    calls = {}
    for node in graph.nodes:
        if node.op == "call_module":
            calls[node.target] = calls.get(node.target, 0) + 1
    used, groups = set(), []
    for node in graph.nodes:
        if node.op != "call_module" or node.target in used:
            continue
        group, current = [node.target], node
        for allowed in _chain_tails(modules[node.target]):
            users = list(current.users)
            if len(users) != 1 or users[0].op != "call_module":
                break
            nxt = users[0]
            if (type(modules[nxt.target]) not in allowed or nxt.target in used
                    or calls[nxt.target] != 1):
                continue
            group.append(nxt.target)
            current = nxt
        if len(group) > 1 and calls[node.target] == 1:
            groups.append(group)
            used.update(group)
    return groups


def _strip_module(state):
    """`state` with "module." taken off its keys and off the module names
    of its version metadata, which quantized modules read when loading."""
    from collections import OrderedDict
    stripped = OrderedDict((k[len("module."):], v) for k, v in state.items())
    metadata = getattr(state, "_metadata", None)
    if metadata is not None:
        stripped._metadata = OrderedDict(
            ("" if k == "module" else k[len("module."):] if k.startswith("module.")
             else k, v) for k, v in metadata.items())
    return stripped


def _state_dict(checkpoint):
    if isinstance(checkpoint, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(checkpoint.get(key), dict):
                return _state_dict(checkpoint[key])
        # A model wrapped in DataParallel / DistributedDataParallel saves
        # every key under "module.".
        if checkpoint and all(k.startswith("module.") for k in checkpoint):
            return _strip_module(checkpoint)
        return checkpoint
    try:
        loaded = torch.load(checkpoint, map_location="cpu")
    except Exception as e:
        raise CheckpointError("cannot read the checkpoint %s: %s" % (checkpoint, e)) from e
    if isinstance(loaded, nn.Module):
        raise CheckpointError("%s holds a whole model, not a state_dict: use it "
                              "directly" % checkpoint)
    if not isinstance(loaded, dict):
        raise CheckpointError("%s holds a %s, not a state_dict"
                              % (checkpoint, type(loaded).__name__))
    return _state_dict(loaded)


def _fuse(model, fuse):
    if fuse is None and callable(getattr(model, "fuse_model", None)):
        parameters = inspect.signature(model.fuse_model).parameters
        if "is_qat" in parameters:
            model.fuse_model(is_qat=False)
        else:
            model.fuse_model()
        return model
    groups = fusable_modules(model) if fuse is None else fuse
    if not groups:
        return model
    try:
        return torch.ao.quantization.fuse_modules(model, groups)
    except Exception as e:
        raise CheckpointError("fuse_modules failed on %s: %s" % (groups, e)) from e


def _describe(keys, limit=4):
    keys = sorted(keys)
    shown = ", ".join(keys[:limit])
    return shown + (" and %d more" % (len(keys) - limit) if len(keys) > limit else "")


def load_quantized(model, checkpoint, example_inputs, qconfig="x86",
                   workflow="eager", fuse=None):
    """The quantized model a checkpoint was saved from, rebuilt and loaded.

    model           the float model that was quantized (an instance of its
                    class; not changed); QuantStub / DeQuantStub where the
                    eager workflow needs them
    checkpoint      a path to a file torch.save wrote, or a state_dict; a
                    dict holding it under "state_dict", "model_state_dict"
                    or "model" also works, and keys under "module."
                    (DataParallel) are taken without that prefix
    example_inputs  a tensor, or a tuple of tensors for several inputs
    qconfig         the qconfig (eager) or qconfig mapping (fx) name used
                    before convert: x86, fbgemm, qnnpack, onednn
    workflow        eager (prepare or prepare_qat, then convert) or fx
                    (prepare_fx or prepare_qat_fx, then convert_fx): the
                    structure converted by either route is the same, so
                    QAT and post-training checkpoints load alike
    fuse            eager only: the module groups to fuse, as
                    fuse_modules takes them; default: model.fuse_model()
                    if the model has one, else fusable_modules(model)

    Returns the converted model in eval mode, ready for compile() or
    export_model(). A checkpoint whose keys do not fit the rebuilt model
    raises CheckpointError naming them.
    """
    from torch.ao.quantization import get_default_qconfig, get_default_qconfig_mapping
    if workflow not in ("eager", "fx"):
        raise ValueError("workflow must be eager or fx, not %r" % (workflow,))
    if workflow == "fx" and fuse is not None:
        raise ValueError("fuse is for the eager workflow; prepare_fx fuses by itself")
    state = _state_dict(checkpoint)
    if not any(k.endswith(("scale", "_packed_params._packed_params", "zero_point"))
               for k in state):
        raise CheckpointError("the checkpoint holds no quantized layers (no scale, "
                              "zero_point or packed weights): it is a float model's; "
                              "load it with model.load_state_dict and compile it with "
                              "calibration data")
    inputs = (tuple(example_inputs) if isinstance(example_inputs, (tuple, list))
              else (example_inputs,))
    rebuilt = copy.deepcopy(model).eval()
    try:
        if workflow == "fx":
            from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
            prepared = prepare_fx(rebuilt, get_default_qconfig_mapping(qconfig), inputs)
        else:
            rebuilt = _fuse(rebuilt, fuse)
            rebuilt.qconfig = get_default_qconfig(qconfig)
            prepared = torch.ao.quantization.prepare(rebuilt)
        with torch.no_grad():
            prepared(*inputs)
        converted = (convert_fx(prepared) if workflow == "fx"
                     else torch.ao.quantization.convert(prepared))
    except CheckpointError:
        raise
    except Exception as e:
        raise CheckpointError("PyTorch could not rebuild the quantized model "
                              "(%s workflow, qconfig %s): %s" % (workflow, qconfig, e)) from e
    mine, theirs = set(converted.state_dict()), set(state)
    missing, unexpected = mine - theirs, theirs - mine
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("the rebuilt model has %s, which the checkpoint lacks"
                         % _describe(missing))
        if unexpected:
            parts.append("the checkpoint has %s, which the rebuilt model lacks"
                         % _describe(unexpected))
        hint = (" (a different fusion? pass fuse=[[...], ...] as used before "
                "prepare)" if workflow == "eager" else "")
        raise CheckpointError("the checkpoint does not fit the model: %s%s"
                              % ("; ".join(parts), hint))
    try:
        converted.load_state_dict(state)
    except Exception as e:
        raise CheckpointError("the checkpoint does not fit the model: %s" % e) from e
    return converted.eval()
