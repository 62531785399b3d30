#!/usr/bin/python3
"""qnumeric: where does a quantized model lose accuracy? Layer by layer.

    python/qnumeric.py FLOAT.mlir QUANT.mlir -i INPUT.npy [-i ...] -o DIR
                       [--bindir build/bin]

FLOAT.mlir is the float model, QUANT.mlir its quantized form made by qopt
(qrun --qconfig ... --quantize, or qopt's passes). For every conv, linear,
add, mul and hardswish (each operation that has its own observed scale), in
model order, it reports:

  weight SQNR      the float weight (after BatchNorm folding, as quantized)
                   against its quantized-then-dequantized weight;
  activation SQNR  the float model's layer output against the quantized
                   model's (dequantized), both run on the inputs;
  shadow SQNR      the quantized layer alone, fed the float model's input
                   for that layer, against the float output: the layer's own
                   error, without what it inherited;

with SQNR = 20 * log10(||x|| / ||x - y||) dB (PyTorch's numeric suite,
torch/ao/ns/fx/utils.py compute_sqnr). It writes DIR/report.txt (model order,
then ranked by shadow SQNR, worst first), DIR/report.csv (ranked the same
way, with each layer's model-order index) and DIR/report.html (a
self-contained page with an SVG chart), and prints the text report.
Needs numpy (python3-numpy) and qopt's qopt and qrun.
"""
import argparse
import html
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np


class Failure(Exception):
    pass


def sqnr(x, y):
    """20 * log10(||x|| / ||x - y||) in dB; inf when y equals x."""
    x = np.asarray(x, np.float64).ravel()
    y = np.asarray(y, np.float64).ravel()
    noise = np.linalg.norm(x - y)
    signal = np.linalg.norm(x)
    if noise == 0:
        return math.inf
    if signal == 0:
        return -math.inf
    return 20 * math.log10(signal / noise)


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure("%s failed:\n%s" % (os.path.basename(cmd[0]), done.stderr.strip()))
    return done.stdout


def layers_of(ir_path):
    text = open(ir_path).read()
    # An array of MLIR strings, which may hold ']' and escapes (\22 for '"').
    string = r'"(?:[^"\\]|\\.)*"'
    m = re.search(r"qnn\.layers = \[((?:%s(?:, )?)*)\]" % string, text)
    if not m:
        raise Failure("%s: no layers (conv, linear, add, mul, hardswish)" % ir_path)
    names = [re.sub(r"\\(\\|[0-9A-Fa-f]{2})",
                    lambda e: "\\" if e.group(1) == "\\" else chr(int(e.group(1), 16)),
                    literal[1:-1])
             for literal in re.findall(string, m.group(1))]
    m = re.search(r"func\.func @[\w$.]+\((.*?)\) -> \(?(.*?)\)? (?:attributes )?\{", text)
    results = len(re.findall(r"tensor<", m.group(2))) if m else None
    return [tuple(n.split(":", 1)) for n in names], results


def input_count(kind):
    return 2 if kind in ("add", "mul") else 1


def has_weight(kind):
    return kind in ("conv", "linear")


def arrays_per_layer(kind):
    # output, input(s), weight
    return 1 + input_count(kind) + (1 if has_weight(kind) else 0)


def run_exposed(bindir, ir_path, layers, total_results, inputs, work, tag):
    """Per layer: dict of output / inputs / weight arrays (inputs concatenated)."""
    per_layer = sum(arrays_per_layer(k) for k, _ in layers)
    first = total_results - per_layer
    collected = [[] for _ in range(per_layer)]
    for n, path in enumerate(inputs):
        outs = [os.path.join(work, "%s.%d.%d.npy" % (tag, n, i))
                for i in range(total_results)]
        cmd = [os.path.join(bindir, "qrun"), ir_path, "-i", path]
        for o in outs:
            cmd += ["-o", o]
        run(cmd)
        for i in range(per_layer):
            collected[i].append(np.load(outs[first + i]))
    result, at = [], 0
    for kind, _ in layers:
        entry = {"output": np.concatenate(collected[at]), "inputs": []}
        at += 1
        for _ in range(input_count(kind)):
            entry["inputs"].append(collected[at])
            at += 1
        if has_weight(kind):
            entry["weight"] = collected[at][0]
            at += 1
        result.append(entry)
    return result


def svg_chart(rows):
    """Grouped bars of weight / activation / shadow SQNR per layer."""
    series = [("weight", "#4e79a7"), ("activation", "#f28e2b"), ("shadow", "#59a14f")]
    finite = [v for r in rows for v in (r["weight"], r["activation"], r["shadow"])
              if v is not None and math.isfinite(v)]
    top = max(finite + [10.0]) * 1.1
    width, height, left, bottom = 120 + 110 * len(rows), 320, 60, 60
    plot_h = height - bottom - 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (width, height)]
    for tick in range(0, int(top) + 1, max(5, int(top / 6) // 5 * 5 or 5)):
        y = 20 + plot_h - plot_h * tick / top
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                   '<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (
                       left, width - 10, y, y, left - 5, y + 4, tick))
    out.append('<text x="15" y="%d" transform="rotate(-90 15 %d)">SQNR (dB)</text>'
               % (height // 2, height // 2))
    for i, r in enumerate(rows):
        x0 = left + 20 + 110 * i
        for j, (key, color) in enumerate(series):
            v = r[key]
            if v is None:
                continue
            shown = top if not math.isfinite(v) else max(v, 0.0)
            h = plot_h * shown / top
            out.append('<rect x="%d" y="%.1f" width="24" height="%.1f" fill="%s">'
                       '<title>%s %s: %s dB</title></rect>' % (
                           x0 + 26 * j, 20 + plot_h - h, h, color,
                           html.escape(r["name"]), key, "inf" if not math.isfinite(v)
                           else "%.2f" % v))
        out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (
            x0 + 39, height - bottom + 18, html.escape(r["name"][:14])))
    for j, (key, color) in enumerate(series):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>' % (
                       left + 130 * j, height - 22, color, left + 130 * j + 16,
                       height - 12, key))
    out.append("</svg>")
    return "\n".join(out)


def fmt(v):
    if v is None:
        return "-"
    return "inf" if math.isinf(v) and v > 0 else "%.2f" % v


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Per-layer SQNR of a quantized model against its float model")
    parser.add_argument("float_model")
    parser.add_argument("quantized_model")
    parser.add_argument("-i", "--input", action="append", required=True,
                        help=".npy input (repeat for more batches)")
    parser.add_argument("-o", "--out", required=True, help="report directory")
    parser.add_argument("--bindir", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "bin"))
    args = parser.parse_args(argv)
    qopt = os.path.join(args.bindir, "qopt")
    try:
        for path in [args.float_model, args.quantized_model] + args.input:
            if not os.path.isfile(path):
                raise Failure("%s: no such file" % path)
        work = tempfile.mkdtemp(prefix="qnumeric-")
        float_ir = os.path.join(work, "float.mlir")
        quant_ir = os.path.join(work, "quantized.mlir")
        run([qopt, args.float_model, "--qnn-fold-batchnorm", "--qnn-fuse",
             "--qnn-expose-layers", "-o", float_ir])
        run([qopt, args.quantized_model, "--qnn-expose-layers", "-o", quant_ir])
        float_layers, float_results = layers_of(float_ir)
        quant_layers, quant_results = layers_of(quant_ir)
        if [k for k, _ in float_layers] != [k for k, _ in quant_layers]:
            raise Failure("the models' layers do not correspond: float %s, "
                          "quantized %s" % ([k for k, _ in float_layers],
                                            [k for k, _ in quant_layers]))
        f = run_exposed(args.bindir, float_ir, float_layers, float_results,
                        args.input, work, "float")
        q = run_exposed(args.bindir, quant_ir, quant_layers, quant_results,
                        args.input, work, "quantized")
        rows = []
        for i, ((kind, name), fl, ql) in enumerate(zip(float_layers, f, q)):
            layer_ir = os.path.join(work, "layer%d.mlir" % i)
            run([qopt, args.quantized_model, "--qnn-extract-layer=index=%d" % i,
                 "-o", layer_ir])
            shadow = []
            for n in range(len(args.input)):
                cmd = [os.path.join(args.bindir, "qrun"), layer_ir]
                for k, arrays in enumerate(fl["inputs"]):
                    path = os.path.join(work, "shadow%d.%d.in%d.npy" % (i, n, k))
                    np.save(path, arrays[n])
                    cmd += ["-i", path]
                out = os.path.join(work, "shadow%d.%d.npy" % (i, n))
                run(cmd + ["-o", out])
                shadow.append(np.load(out))
            rows.append({
                "index": i, "kind": kind, "name": name,
                "weight": sqnr(fl["weight"], ql["weight"]) if has_weight(kind) else None,
                "activation": sqnr(fl["output"], ql["output"]),
                "shadow": sqnr(fl["output"], np.concatenate(shadow)),
            })
    except Failure as e:
        print("qnumeric: error: %s" % e, file=sys.stderr)
        return 1

    header = "%-3s %-7s %-24s %12s %16s %12s" % (
        "#", "kind", "layer", "weight SQNR", "activation SQNR", "shadow SQNR")
    lines = ["Per-layer SQNR in dB (higher is better), model order:", header]
    for r in rows:
        lines.append("%-3d %-7s %-24s %12s %16s %12s" % (
            r["index"], r["kind"], r["name"], fmt(r["weight"]), fmt(r["activation"]),
            fmt(r["shadow"])))
    lines += ["", "Ranked by shadow SQNR (the layer's own error), worst first:", header]
    ranked = sorted(rows, key=lambda r: (r["shadow"], r["activation"]))
    for rank, r in enumerate(ranked, 1):
        lines.append("%-3d %-7s %-24s %12s %16s %12s" % (
            r["index"], r["kind"], r["name"], fmt(r["weight"]), fmt(r["activation"]),
            fmt(r["shadow"])))
    text = "\n".join(lines) + "\n"
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.txt"), "w") as out:
        out.write(text)
    with open(os.path.join(args.out, "report.csv"), "w") as out:
        out.write("index,kind,layer,weight_sqnr_db,activation_sqnr_db,shadow_sqnr_db\n")
        for r in ranked:  # worst shadow SQNR first; index gives model order
            out.write("%d,%s,%s,%s,%s,%s\n" % (
                r["index"], r["kind"], r["name"],
                "" if r["weight"] is None else fmt(r["weight"]),
                fmt(r["activation"]), fmt(r["shadow"])))
    with open(os.path.join(args.out, "report.html"), "w") as out:
        out.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                  "<title>qnumeric: %s</title></head><body>\n<h1>Per-layer SQNR</h1>\n"
                  "<p>%s vs %s, %d input file(s). SQNR = 20 log10(|x| / |x - y|) dB.</p>\n"
                  % (html.escape(args.quantized_model), html.escape(args.float_model),
                     html.escape(args.quantized_model), len(args.input)))
        out.write(svg_chart(rows))
        out.write("\n<pre>%s</pre>\n</body></html>\n" % html.escape(text))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
