#!/usr/bin/python3
"""Runs every system on every model, interleaved, and prints the tables.

    bench.py --work DIR --bindir DIR --node-path DIR [--rounds R] [--quick]
             [--models NAME,...] [--isa host|avx2|avxvnni]

benchmarks/run.sh calls this after setup_peers.sh and build_models.py.
Steps:
1. qopt's artifacts per model, in WORK/NAME/ (kept while the tools, the
   models and the driver are unchanged and every step succeeded): int8.mlir
   by qopt's own calibration (qrun --qconfig x86 --calibrate calib.npy
   --quantize), the
   qcc shared libraries of the int8 and the float IR, and a timing driver
   (qopt_bench.c) linked with each. A step that fails is reported on stderr
   with its command and error, and its systems print "failed".
2. Which ONNX Runtime operators the QDQ model runs after ORT's graph
   optimizations (its optimized model, written with optimizedModelFilePath).
3. R rounds (default 5, 2 with --quick); in each round the int8 peak
   (peak.c) is measured, then for every model and batch every system runs
   once, in a process of its own that loads the model, warms up, times
   calls for a fixed budget and prints its median; the systems' order
   rotates from round to round. A system that fails is reported once on
   stderr and skipped in later rounds.
4. Peak resident memory: a C process that loads a model's qcc library and
   runs one batch-1 inference, against ONNX Runtime's Node process for the
   same model minus a Node process that only loaded onnxruntime-node.
With --isa avx2, qopt's libraries are compiled for an AVX2 CPU without
AVX-512 (qcc --mcpu znver3, the AVX2 kernels), qrun JIT-compiles for the
same CPU (qrun --mcpu znver3), and PyTorch runs with
ONEDNN_MAX_CPU_ISA=AVX2, so that a
machine with AVX-512 shows what an AVX2-only one would; ONNX Runtime has
no such switch and runs its best kernels for the CPU, and the peak is the
AVX2 loop's. --isa avxvnni does the same for a CPU with AVX-VNNI and no
AVX-512 (qcc and qrun --mcpu alderlake, the AVX-VNNI kernels;
ONEDNN_MAX_CPU_ISA=AVX2_VNNI; the peak is the 256-bit vpdpbusd loop's).
5. Tables (stdout): medians over rounds of the per-round medians, in ms;
   qopt / fastest peer computed per round, then its median; GMAC/s and
   share of the measured peak for the single layers; memory and sizes; how
   far each system's output is from PyTorch's; then each target of
   TARGET_LIMITS with its measured value and pass or FAIL (target_checks).
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's, with torch

# key, column heading (two lines), name, int8?
SYSTEMS = [
    ("qopt", ("qopt", "int8 qcc"), "qopt int8 (qcc library)", True),
    ("qrun", ("qopt", "int8 qrun"), "qopt int8 (qrun)", True),
    ("qopt_fp32", ("qopt", "fp32 qcc"), "qopt fp32 (qcc library)", False),
    ("pt_onednn", ("PT int8", "onednn"), "PyTorch int8 onednn", True),
    ("pt_qnnpack", ("PT int8", "qnnpack"), "PyTorch int8 qnnpack", True),
    ("pt_fp32", ("PT", "fp32"), "PyTorch fp32", False),
    ("ort_int8", ("ORT", "int8"), "ORT int8", True),
    ("ort_fp32", ("ORT", "fp32"), "ORT fp32", False),
]
PEERS = ["pt_onednn", "pt_qnnpack", "pt_fp32", "ort_int8", "ort_fp32"]
NAMES = {key: name for key, _, name, _ in SYSTEMS}
SHORT = {key: " ".join(heading) for key, heading, _, _ in SYSTEMS}


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


class Failed(Exception):
    """A step or system that failed, with its reason."""


def run(command, timeout=1800, env=None, cwd=None):
    """stdout of `command`; Failed with the command and its error."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failed("%s: timed out after %d s" % (" ".join(command), timeout))
    except OSError as e:
        raise Failed("%s: %s" % (" ".join(command), e))
    if done.returncode != 0:
        error = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise Failed("%s: exit %d: %s" % (" ".join(command), done.returncode,
                                          " | ".join(error[-3:])[:600]))
    return done.stdout


def peak_rss(command, env=None):
    """The command's printed peak RSS (KiB). Run from a shell that forks it:
    Linux carries ru_maxrss across fork and exec, so a process started
    straight from this (larger) Python process would report this process's
    peak instead of its own."""
    return int(run(["/bin/sh", "-c", '"$@"; exit $?', "sh"] + command, env=env))


def file_hash(*paths):
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def tool_stamp(bindir):
    parts = []
    for tool in ("qrun", "qcc"):
        try:
            st = os.stat(os.path.join(bindir, tool))
            parts.append("%s:%d:%d" % (tool, st.st_size, st.st_mtime_ns))
        except OSError:
            parts.append("%s:missing" % tool)
    return ";".join(parts)


class Model:
    """A model built by build_models.py; `broken` is set when it could not
    be built at all (all its systems fail)."""

    def __init__(self, work, name, spec):
        self.name = name
        self.dir = os.path.join(work, name)
        self.broken = None
        try:
            with open(os.path.join(self.dir, "manifest.json")) as f:
                self.manifest = json.load(f)
        except (OSError, ValueError) as e:
            self.manifest = {"broken": "no manifest: %s" % e}
        if "broken" in self.manifest:
            self.broken = self.manifest["broken"]
            self.manifest = {"sample": list(spec["sample"]), "batches": list(spec["batches"]),
                             "macs": spec.get("macs"), "title": spec.get("title", name),
                             "failures": {}, "stamp": None, "output_sample": []}
        self.in_per = int(np.prod(self.manifest["sample"]))
        self.out_per = int(np.prod(self.manifest["output_sample"]))
        self.failures = dict(self.manifest["failures"])  # artifact -> reason

    def path(self, name):
        return os.path.join(self.dir, name)


# The int8 peers' reference is PyTorch's onednn engine (Debian's torch has
# no FBGEMM): qopt compiles its conv / linear epilogue as that engine rounds
# (rule O, docs/Numerics.md), so that its outputs can equal PyTorch's.
REQUANTIZATION = ["--requantization", "onednn"]

# --isa: qcc's options for each instruction set the benchmark can limit
# qopt to, qrun's, the environment that limits PyTorch's oneDNN alike, what
# the limit is called, and which of peak.c's loops is then the peak (the
# host's: the fastest it has).
ISAS = {
    "host": {"qcc": [], "qrun": [], "env": {}, "name": None, "peak": None},
    "avx2": {"qcc": ["--mcpu", "znver3"], "qrun": ["--mcpu", "znver3"],
             "env": {"ONEDNN_MAX_CPU_ISA": "AVX2"}, "name": "AVX2", "peak": "avx2"},
    "avxvnni": {"qcc": ["--mcpu", "alderlake"], "qrun": ["--mcpu", "alderlake"],
                "env": {"ONEDNN_MAX_CPU_ISA": "AVX2_VNNI"}, "name": "AVX-VNNI",
                "peak": "avxvnni"},
}

# peak.c's loops, fastest first, and what each is.
PEAK_LOOPS = [
    ("amx", "register-only AMX-INT8 tdpbusd"),
    ("avx512vnni", "register-only 512-bit vpdpbusd"),
    ("avxvnni", "register-only 256-bit VEX vpdpbusd"),
    ("avx2", "register-only vpmaddubsw + vpmaddwd + vpaddd"),
]


def prepare_qopt(model, bindir, isa):
    """int8.mlir, the qcc libraries and their drivers; failures recorded in
    model.failures under the artifact's name."""
    stamp = "%s;%s;%s;%s" % (tool_stamp(bindir), model.manifest["stamp"],
                             file_hash(os.path.join(HERE, "qopt_bench.c")), isa)
    qcc_flags = ISAS[isa]["qcc"]
    state_path = model.path("qopt.json")
    if os.path.exists(state_path):
        with open(state_path) as f:
            state = json.load(f)
        if state.get("stamp") == stamp and not state["failures"]:
            return
    failures = {}
    qrun, qcc = os.path.join(bindir, "qrun"), os.path.join(bindir, "qcc")
    start = time.time()
    steps = [
        ("int8.mlir", None, [qrun, model.path("float.mlir"), "--qconfig", "x86",
                             "--calibrate", model.path("calib.npy"), "--batch-size",
                             str(model.manifest["calib_batch"]), "--quantize",
                             "--write-model", model.path("int8.mlir")]),
        ("libqopt_int8.so", "int8.mlir", [qcc, model.path("int8.mlir"), "--shared", "--name", "model", "-o",
                                          model.path("libqopt_int8.so")] + REQUANTIZATION
         + qcc_flags),
        ("libqopt_fp32.so", None, [qcc, model.path("float.mlir"), "--shared", "--name", "model", "-o",
                                   model.path("libqopt_fp32.so")] + qcc_flags),
    ]
    for kind in ("int8", "fp32"):
        lib = model.path("libqopt_%s.so" % kind)
        steps.append(("bench_%s" % kind, "libqopt_%s.so" % kind, [
            "cc", "-O2", "-include", model.path("libqopt_%s.h" % kind),
            os.path.join(HERE, "qopt_bench.c"), lib, "-Wl,-rpath," + model.dir,
            "-o", model.path("bench_%s" % kind)]))
    for artifact, needs, command in steps:
        if "float.mlir" in model.failures:
            failures[artifact] = model.failures["float.mlir"]
            continue
        if needs and needs in failures:
            failures[artifact] = failures[needs]
            continue
        try:
            if os.path.exists(model.path(artifact)):
                os.remove(model.path(artifact))
            run(command)
        except Failed as e:
            failures[artifact] = str(e)
            log("%s: %s failed: %s" % (model.name, artifact, e))
    log("%s: qopt artifacts built in %.1f s" % (model.name, time.time() - start))
    with open(state_path, "w") as f:
        json.dump({"stamp": stamp, "failures": failures}, f, indent=1)
    model.failures.update(failures)


def ort_kernels(model, node_env):
    """Operator counts of the int8 ONNX model after ORT's optimizations."""
    if model.broken or "int8.onnx" in model.failures:
        return None
    source = model.path("int8.onnx")
    cached = model.path("ort_kernels.json")
    if os.path.exists(cached) and os.path.getmtime(cached) > os.path.getmtime(source):
        with open(cached) as f:
            return json.load(f)
    optimized = model.path("int8.ort-optimized.onnx")
    try:
        run(["node", os.path.join(HERE, "ort_bench.js"), "optimize", source, optimized],
            env=node_env)
        counts = json.loads(run([PYTHON, "-c", (
            "import collections, json, onnx, sys\n"
            "m = onnx.load(sys.argv[1])\n"
            "print(json.dumps(collections.Counter(n.op_type for n in m.graph.node)))"),
            optimized]))
    except Failed as e:
        log("%s: ORT's optimized model: %s" % (model.name, e))
        return None
    with open(cached, "w") as f:
        json.dump(counts, f)
    return counts


def system_command(system, model, batch, budget, minimum, maximum, out, bindir,
                   estimate, isa):
    """The command that times `system` on `model` at `batch`, or Failed when an
    artifact it needs is missing."""
    def need(artifact):
        if model.broken:
            raise Failed(model.broken)
        if artifact in model.failures:
            raise Failed("%s: %s" % (artifact, model.failures[artifact]))
        return model.path(artifact)
    f32 = model.path("input_b%d.f32" % batch)
    npy = model.path("input_b%d.npy" % batch)
    timing = ["%g" % budget, str(minimum), str(maximum)]
    if system in ("qopt", "qopt_fp32"):
        exe = need("bench_int8" if system == "qopt" else "bench_fp32")
        return [exe, "time", str(batch), str(model.in_per), str(model.out_per), f32] + \
            timing + ([out] if out else [])
    if system == "qrun":
        repeat = minimum if not estimate else int(min(maximum, max(minimum, budget * 1e3 / estimate)))
        return [os.path.join(bindir, "qrun"), need("int8.mlir"), "-i", npy,
                "--repeat", str(repeat)] + REQUANTIZATION + ISAS[isa]["qrun"] + (
                    ["-o", out] if out else [])
    if system.startswith("pt_"):
        engine = system[3:]
        artifact = "fp32.pt" if engine == "fp32" else "int8_%s.pt" % engine
        return [PYTHON, os.path.join(HERE, "torch_bench.py"), need(artifact), npy,
                "--engine", engine, "--budget", "%g" % budget, "--min", str(minimum),
                "--max", str(maximum)] + (["--out", out] if out else [])
    artifact = "int8.onnx" if system == "ort_int8" else "fp32.onnx"
    shape = "x".join(str(d) for d in [batch] + model.manifest["sample"])
    return ["node", os.path.join(HERE, "ort_bench.js"), "time", need(artifact), f32, shape] + \
        timing + ([out] if out else [])


def parse_time(system, stdout):
    if system == "qrun":
        found = re.search(r"median latency: ([0-9.eE+-]+) ms", stdout)
        if not found:
            raise Failed("no median latency in qrun's output: %r" % stdout[:200])
        return float(found.group(1))
    try:
        return float(stdout.strip().splitlines()[-1].split()[0])
    except (IndexError, ValueError):
        raise Failed("unexpected output %r" % stdout[:200])


def read_output(path, shape):
    if path.endswith(".npy"):
        return np.load(path).reshape(shape)
    return np.fromfile(path, dtype="<f4").reshape(shape)


def int8_weight_bytes(path):
    """Bytes of the i8 constants (weights) and of the other constants
    (biases, f32) in a quantized qnn model."""
    sizes = {"i8": 0, "other": 0}
    with open(path) as f:
        for line in f:
            if line.startswith("{-#"):
                break
            if "arith.constant" not in line:
                continue
            found = re.search(r": tensor<([0-9x]*?)x?(i8|i32|f32)>\s*(loc\(.*\))?\s*$", line)
            if not found:
                continue
            count = int(np.prod([int(d) for d in found.group(1).split("x") if d] or [1]))
            if found.group(2) == "i8":
                sizes["i8"] += count
            else:
                sizes["other"] += 4 * count
    return sizes


def fmt_ms(value):
    if value is None:
        return "failed"
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    if value >= 1:
        return "%.2f" % value
    return "%.3f" % value


def print_table(header_rows, rows, widths, out):
    for header in header_rows:
        out.write("  ".join(("%-*s" if i == 0 else "%*s") % (widths[i], h)
                            for i, h in enumerate(header)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(("%-*s" if i == 0 else "%*s") % (widths[i], c)
                            for i, c in enumerate(row)).rstrip() + "\n")


def machine():
    model, cores, flags, family, number = "unknown", 0, set(), "?", "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name" and model == "unknown":
                model = value.strip()
            elif key == "processor":
                cores += 1
            elif key == "cpu family":
                family = value.strip()
            elif key == "model":
                number = value.strip()
            elif key == "flags" and not flags:
                flags = set(value.split())
    isa = [name for name in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if name in flags]
    return "%s (family %s, model %s), %d cores, %s" % (
        model, family, number, cores, ", ".join(isa) or "no AVX2")


# The limits of the targets qopt's speed work is held to (target_checks
# says which models each applies to). Each is judged on the medians this
# run measured; a target whose numbers are missing (a model not run, a
# system that failed) is "not measured".
TARGET_LIMITS = {
    "vs_ort": 1.25,        # qopt / ORT int8, at most
    "layer_share": 0.60,   # conv3x3 and linear1024: share of the int8 peak
    "fp32_speedup": 2.0,   # resnet18: qopt fp32 / qopt int8, at least
    "qrun": 1.10,          # qrun / qcc library (either way), at most
    "rss": 1.25,           # qopt RSS / ORT RSS, at most
    "library": 1.5,        # library bytes / int8 weight bytes, at most
}


def worst_row(what, values, most, fmt):
    """A target row for the largest of `values` ((value, label) pairs),
    which must be at most `most`."""
    if not values:
        return (what, "not measured", "-")
    value, label = max(values)
    return (what, (fmt % value) + " (" + label + ")", "pass" if value <= most else "FAIL")


def target_checks(cases, med_time, ort_ratio, share, memory, isa):
    """Rows (target, measured, verdict) for the targets in TARGET_LIMITS.

    cases lists the (model, batch) pairs timed (targets on other models
    are left out); med_time(name, batch, system) and ort_ratio(name, batch)
    return medians or None; share(name, batch) the qcc library's share of
    the int8 peak or None; memory maps a model to its row of the memory
    table. With an isa other than "host" ONNX Runtime still runs its best
    kernels, so the targets against it are reported but not judged."""
    rows = []
    limit = TARGET_LIMITS
    ran = {name for name, _ in cases}

    def judge(ok):
        return "-" if ok is None else ("pass" if ok else "FAIL")

    def against_ort(name, batch, what):
        if (name, batch) not in cases:
            return
        ratio = ort_ratio(name, batch)
        if ratio is None:
            rows.append((what, "not measured", "-"))
        elif isa != "host":
            rows.append((what, "%.2fx" % ratio,
                         "not judged: ORT is not limited to %s" % ISAS[isa]["name"]))
        else:
            rows.append((what, "%.2fx" % ratio, judge(ratio <= limit["vs_ort"])))

    for name in [n for n in ("resnet18", "mobilenet_v2") if n in ran]:
        qopt, onednn = med_time(name, 1, "qopt"), med_time(name, 1, "pt_onednn")
        what = "%s b1: qopt faster than PyTorch int8 onednn" % name
        if qopt is None or onednn is None:
            rows.append((what, "not measured", "-"))
        else:
            rows.append((what, "%.2fx" % (qopt / onednn), judge(qopt < onednn)))
        against_ort(name, 1, "%s b1: qopt / ORT int8 <= %.2fx" % (name, limit["vs_ort"]))
    for name, batch in [c for c in (("conv3x3", 1), ("linear1024", 64)) if c in cases]:
        value = share(name, batch)
        what = "%s b%d: at least %.0f%% of the int8 peak" % (
            name, batch, 100 * limit["layer_share"])
        if value is not None and value > 1:
            # The register-only loop cannot be beaten: its run was disturbed.
            rows.append((what, "%.0f%%" % (100 * value),
                         "not judged: the peak measured low (the machine was busy)"))
            continue
        rows.append((what, "not measured" if value is None else "%.0f%%" % (100 * value),
                     judge(None if value is None else value >= limit["layer_share"])))
    against_ort("linear4096", 1, "linear4096 b1: qopt / ORT int8 <= %.2fx" % limit["vs_ort"])
    for name in ("mlp", "cnn", "kws"):
        for batch in (1, 64):
            against_ort(name, batch, "%s b%d: qopt / ORT int8 <= %.2fx" % (
                name, batch, limit["vs_ort"]))
    if "resnet18" in ran:
        int8, fp32 = med_time("resnet18", 1, "qopt"), med_time("resnet18", 1, "qopt_fp32")
        what = "resnet18 b1: qopt int8 at least %.0fx faster than qopt fp32" % (
            limit["fp32_speedup"])
        if int8 is None or fp32 is None:
            rows.append((what, "not measured", "-"))
        else:
            rows.append((what, "%.2fx" % (fp32 / int8),
                         judge(fp32 / int8 >= limit["fp32_speedup"])))
    # qrun against the qcc library, and memory: the worst model decides.
    spread = [(max(q / c, c / q), "%s b%d" % (name, batch)) for name, batch in cases
              for q, c in [(med_time(name, batch, "qrun"), med_time(name, batch, "qopt"))]
              if q is not None and c is not None]
    rows.append(worst_row("every model: qrun within %.0f%% of the qcc library" % (
        100 * (limit["qrun"] - 1)), spread, limit["qrun"], "%.2fx"))
    rss = [(row["qopt"] / row["ort"], name) for name, row in sorted(memory.items())
           if row.get("qopt") and row.get("ort")]
    rows.append(worst_row("every model: qopt peak RSS <= %.2fx ORT's" % limit["rss"], rss,
                          limit["rss"], "%.2fx"))
    size = [(row["lib"] / row["weights"]["i8"], name) for name, row in sorted(memory.items())
            if row.get("lib") and row.get("weights") and row["weights"]["i8"]]
    rows.append(worst_row("every model: library <= %.1fx its int8 weights" % limit["library"],
                          size, limit["library"], "%.2fx"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="build_models.py's directory")
    parser.add_argument("--bindir", required=True, help="qopt, qrun, qcc")
    parser.add_argument("--node-path", required=True, help="node_modules with onnxruntime-node")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--quick", action="store_true", help="2 rounds, short budgets")
    parser.add_argument("--models", help="comma-separated subset")
    parser.add_argument("--isa", choices=sorted(ISAS), default="host",
                        help="avx2, avxvnni: qopt and PyTorch limited to that "
                        "instruction set (see above)")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    from bench_models import MODELS, cases
    names = args.models.split(",") if args.models else list(MODELS)
    rounds = args.rounds or (2 if args.quick else 5)
    budget, minimum, maximum = (0.25, 3, 500) if args.quick else (1.0, 5, 2000)
    started = time.time()
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("ONEDNN_MAX_CPU_ISA", None)  # the peers at their best on this CPU
    env.update(ISAS[args.isa]["env"])  # unless --isa limits them
    # "qopt / fastest" compares with the peers that run under the same limit.
    peers_compared = [p for p in PEERS if args.isa == "host" or p.startswith("pt_")]
    node_env = dict(env, NODE_PATH=args.node_path)

    models = {name: Model(args.work, name, MODELS[name]) for name in names}
    for model in models.values():
        if model.broken:
            log("%s: %s" % (model.name, model.broken))
        else:
            prepare_qopt(model, args.bindir, args.isa)
    kernels = {name: ort_kernels(m, node_env) for name, m in models.items()}

    versions = {}
    try:
        versions["torch"] = run([PYTHON, "-c", "import torch; print(torch.__version__)"]).strip()
        versions["ort"] = run(["node", "-p", "require('onnxruntime-node/package.json').version"],
                              env=node_env).strip()
    except Failed as e:
        log("versions: %s" % e)
    peak_exe = os.path.join(args.work, "peak")
    try:
        run(["cc", "-O2", "-mavx2", os.path.join(HERE, "peak.c"), "-o", peak_exe])
    except Failed as e:
        log("int8 peak: %s" % e)

    todo = cases(names)
    times = {}      # (name, batch, system) -> [per-round median]
    ratios = {}     # (name, batch) -> [per-round qopt / fastest peer]
    ort_ratios = {}  # (name, batch) -> [per-round qopt / ORT int8]
    fastest = {}    # (name, batch) -> [fastest peer per round]
    failed = {}     # (name, batch, system) -> reason
    outputs = {}    # (name, batch, system) -> output file of round 0
    peaks = {}      # peak.c loop -> [GMAC/s per round]
    for r in range(rounds):
        log("round %d of %d" % (r + 1, rounds))
        try:
            measured = dict(line.split() for line in run([peak_exe]).splitlines())
            for loop, _ in PEAK_LOOPS:
                if measured.get(loop, "-") != "-":
                    peaks.setdefault(loop, []).append(float(measured[loop]))
        except (Failed, KeyError, ValueError) as e:
            log("int8 peak: %s" % e)
        for name, batch in todo:
            model = models[name]
            order = SYSTEMS[r % len(SYSTEMS):] + SYSTEMS[:r % len(SYSTEMS)]
            this_round = {}
            for system, _, _, _ in order:
                key = (name, batch, system)
                if key in failed:
                    continue
                out = None
                if r == 0:
                    ext = ".npy" if system == "qrun" or system.startswith("pt_") else ".f32"
                    out = model.path("out_%s_b%d%s" % (system, batch, ext))
                previous = times.get(key) or (times.get((name, batch, "qopt")) if system == "qrun" else None)
                try:
                    command = system_command(system, model, batch, budget, minimum, maximum,
                                             out, args.bindir,
                                             previous[-1] if previous else None, args.isa)
                    value = parse_time(system, run(
                        command, env=node_env if system.startswith("ort") else env))
                except Failed as e:
                    failed[key] = str(e)
                    if not model.broken:  # reported once already
                        log("%s on %s batch %d failed: %s" % (NAMES[system], name, batch, e))
                    continue
                times.setdefault(key, []).append(value)
                this_round[system] = value
                if out:
                    outputs[key] = out
            if "qopt" in this_round and "ort_int8" in this_round:
                ort_ratios.setdefault((name, batch), []).append(
                    this_round["qopt"] / this_round["ort_int8"])
            peers = [(this_round[p], p) for p in peers_compared if p in this_round]
            if peers and "qopt" in this_round:
                best, who = min(peers)
                ratios.setdefault((name, batch), []).append(this_round["qopt"] / best)
                fastest.setdefault((name, batch), []).append(who)

    # Memory: one batch-1 inference.
    memory = {}
    try:
        baseline = peak_rss(["node", os.path.join(HERE, "ort_bench.js"), "rss-baseline"],
                            env=node_env)
    except Failed as e:
        log("Node baseline RSS: %s" % e)
        baseline = None
    for name, model in models.items():
        row = {}
        memory[name] = row
        if model.broken:
            continue
        batch = model.manifest["batches"][0]
        f32 = model.path("input_b%d.f32" % batch)
        try:
            if "bench_int8" in model.failures:
                raise Failed(model.failures["bench_int8"])
            row["qopt"] = peak_rss([model.path("bench_int8"), "rss", "1", str(model.in_per),
                                    str(model.out_per), f32])
        except Failed as e:
            log("%s: qopt RSS: %s" % (name, e))
        try:
            if "int8.onnx" in model.failures or baseline is None:
                raise Failed("no int8 ONNX model or no baseline")
            shape = "x".join(str(d) for d in [1] + model.manifest["sample"])
            row["ort"] = peak_rss(["node", os.path.join(HERE, "ort_bench.js"), "rss",
                                   model.path("int8.onnx"), f32, shape], env=node_env) - baseline
        except Failed as e:
            log("%s: ORT RSS: %s" % (name, e))
        if "libqopt_int8.so" not in model.failures:
            row["lib"] = os.path.getsize(model.path("libqopt_int8.so"))
        if "int8.mlir" not in model.failures:
            row["weights"] = int8_weight_bytes(model.path("int8.mlir"))

    # Agreement of round 0's outputs with PyTorch's.
    agreement = {}
    for (name, batch, system), path in outputs.items():
        model = models[name]
        int8 = dict((k, i) for k, _, _, i in SYSTEMS)[system]
        ref_path = model.path("ref_%s_b%d.npy" % ("int8" if int8 else "fp32", batch))
        if not os.path.exists(ref_path) or not os.path.exists(path):
            continue
        ref = np.load(ref_path)
        try:
            y = read_output(path, ref.shape)
        except ValueError:
            continue
        agreement[(name, batch, system)] = float(np.abs(y - ref).max() / np.abs(ref).max())

    out = sys.stdout
    med = lambda v: statistics.median(v) if v else None  # noqa: E731
    out.write("\nqopt benchmark, %s\n" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    out.write("machine: %s\n" % machine())
    limited = ISAS[args.isa]
    if limited["name"]:
        out.write("instruction set: %s only for qopt (qcc and qrun %s) and PyTorch "
                  "(ONEDNN_MAX_CPU_ISA=%s); ONNX Runtime cannot be limited and runs "
                  "its best kernels for this CPU\n" % (
                      limited["name"], " ".join(limited["qcc"]),
                      limited["env"]["ONEDNN_MAX_CPU_ISA"]))
    out.write("rounds: %d%s; every system in its own process per round, one thread; "
              "median ms per call (median over rounds of each round's median)\n" % (
                  rounds, " (--quick)" if args.quick else ""))
    out.write("float input and float output everywhere: the int8 systems' float->u8 "
              "quantization and u8->float dequantization are inside the timed call\n\n")
    widths = [12, 5] + [9] * len(SYSTEMS) + [9, 9, 10]
    headers = [["", ""] + [h[0] for _, h, _, _ in SYSTEMS] + ["qopt /", "qopt /", "fastest"],
               ["model", "batch"] + [h[1] for _, h, _, _ in SYSTEMS] +
               ["ORT int8", "fastest", "peer"]]
    widths = [max(w, *(len(h[i]) for h in headers)) for i, w in enumerate(widths)]
    rows = []
    for name, batch in todo:
        row = [name, str(batch)]
        for system, _, _, _ in SYSTEMS:
            row.append(fmt_ms(med(times.get((name, batch, system)))))
        ratio = med(ort_ratios.get((name, batch), []))
        row.append("%.2fx" % ratio if ratio else "-")
        ratio = med(ratios.get((name, batch), []))
        row.append("%.2fx" % ratio if ratio else "-")
        who = fastest.get((name, batch))
        row.append(SHORT[max(set(who), key=who.count)] if who else "-")
        rows.append(row)
    print_table(headers, rows, widths, out)
    out.write("PT: PyTorch %s (eager mode); ORT: ONNX Runtime %s (Node binding), int8 in QDQ "
              "form; qopt / ORT int8 and qopt / fastest: qopt int8 (qcc library) over ORT "
              "int8 and over the fastest of the %s peers, per round, then the median "
              "(below 1: qopt is faster)\n" % (
                  versions.get("torch", "?"), versions.get("ort", "?"),
                  "five" if args.isa == "host" else "three PyTorch"))

    # The peak: the fastest int8 multiply-accumulate this core has, or,
    # under --isa, the one of the instructions qopt is limited to.
    peak_loop = limited["peak"] or next((loop for loop, _ in PEAK_LOOPS if peaks.get(loop)),
                                        "avx2")
    peak = med(peaks.get(peak_loop, []))
    layers = [(name, batch) for name, batch in todo if models[name].manifest.get("macs")]
    # GMAC/s of each single layer and system, computed once for the table,
    # the disturbed-peak note and the targets.
    gmacs = {}
    for name, batch in layers:
        for system, _, _, _ in SYSTEMS:
            t = med(times.get((name, batch, system)))
            if t is not None:
                gmacs[(name, batch, system)] = (
                    models[name].manifest["macs"] * batch / (t * 1e-3) / 1e9)
    if layers:
        others = ["%s %.1f" % (loop, med(peaks[loop])) for loop, _ in PEAK_LOOPS
                  if loop != peak_loop and peaks.get(loop)]
        out.write("\nsingle layers: GMAC/s (share of this core's int8 peak, %s GMAC/s: "
                  "%s, benchmarks/peak.c, median of %d rounds%s)\n" % (
                      "%.1f" % peak if peak else "not measured",
                      dict(PEAK_LOOPS)[peak_loop], len(peaks.get(peak_loop, [])),
                      "; the other loops: " + ", ".join(others) if others else ""))
        layer_rows = []
        for name, batch in layers:
            row = [name, str(batch)]
            for system, _, _, _ in SYSTEMS:
                g = gmacs.get((name, batch, system))
                if g is None:
                    row.append("failed")
                else:
                    row.append("%.1f (%.0f%%)" % (g, 100 * g / peak) if peak else "%.1f" % g)
            layer_rows.append(row)
        lw = [12, 5] + [12] * len(SYSTEMS)
        print_table([h[:2 + len(SYSTEMS)] for h in headers], layer_rows,
                    [max(w, len(headers[0][i]), len(headers[1][i])) for i, w in enumerate(lw)],
                    out)
        if peak and any(gmacs.get((n, b, s), 0) > peak
                        for n, b in layers for s in ("qopt", "qrun")):
            out.write("  (a layer ran faster than the measured peak: the peak's runs were "
                      "disturbed, so the shares are too low to judge)\n")
        for name, batch in layers:
            out.write("  %s: %s, batch %d: %.1f M MACs\n" % (
                name, models[name].manifest["title"], batch,
                models[name].manifest["macs"] * batch / 1e6))

    out.write("\nmemory (one batch-1 inference): peak RSS of a C process that loads the qcc "
              "library, whole process; ORT: peak RSS of the Node process minus a Node process "
              "that only loaded onnxruntime-node (%s MiB)\n" % (
                  "%.1f" % (baseline / 1024) if baseline else "?"))
    mem_headers = [["", "qopt C", "ORT int8", "qcc int8", "int8", "other", "library /"],
                   ["model", "RSS MiB", "RSS MiB", "library", "weights", "constants",
                    "weights"]]
    mem_rows = []
    for name in names:
        row = memory[name]
        weights = row.get("weights")
        mem_rows.append([
            name,
            "%.1f" % (row["qopt"] / 1024) if "qopt" in row else "failed",
            "%.1f" % (row["ort"] / 1024) if "ort" in row else "failed",
            "%d" % row["lib"] if "lib" in row else "failed",
            "%d" % weights["i8"] if weights else "failed",
            "%d" % weights["other"] if weights else "failed",
            "%.2f" % (row["lib"] / weights["i8"]) if weights and "lib" in row and
            weights["i8"] else "-"])
    print_table(mem_headers, mem_rows, [12, 8, 8, 10, 10, 9, 9], out)
    out.write("bytes: the qcc shared library of the int8 model; its int8 weights; its other "
              "constants (f32 biases, i32)\n")

    out.write("\noutputs against PyTorch (round 1): max |y - y_PyTorch| / max |y_PyTorch|, "
              "int8 systems against PyTorch int8 onednn, fp32 ones against PyTorch fp32\n")
    agree_rows = []
    for name, batch in todo:
        row = [name, str(batch)]
        for system, _, _, _ in SYSTEMS:
            value = agreement.get((name, batch, system))
            row.append("-" if value is None else ("0" if value == 0 else "%.1e" % value))
        agree_rows.append(row)
    print_table([h[:2 + len(SYSTEMS)] for h in headers], agree_rows, widths, out)
    out.write("qopt int8 uses its own calibration (qrun --qconfig x86 --calibrate); PyTorch "
              "and ORT int8 use PyTorch's eager x86 quantization of the same data (calibrated "
              "with ONEDNN_MAX_CPU_ISA=AVX2, whose float order qopt reproduces; timed with "
              "%s)\n" % ("oneDNN's best kernels for this CPU" if args.isa == "host"
                          else "ONEDNN_MAX_CPU_ISA=%s" % limited["env"]["ONEDNN_MAX_CPU_ISA"]))

    out.write("\nORT int8 (QDQ) operators after ORT's graph optimizations:\n")
    for name in names:
        counts = kernels.get(name)
        how = models[name].manifest.get("int8_onnx", "failed")
        if counts:
            ops = ", ".join("%s %d" % kv for kv in sorted(counts.items(), key=lambda kv: -kv[1]))
        else:
            ops = "unknown"
        out.write("  %-13s %s; %s\n" % (name, how, ops))
    out.write("\ntargets (each judged on this run's medians; the worst model decides the "
              "'every model' rows):\n")
    checks = target_checks(
        todo, lambda n, b, s: med(times.get((n, b, s))),
        lambda n, b: med(ort_ratios.get((n, b), [])),
        lambda n, b: gmacs[(n, b, "qopt")] / peak if peak and (n, b, "qopt") in gmacs
        else None, memory, args.isa)
    tw = max(len(what) for what, _, _ in checks) if checks else 10
    mw = max(len(measured) for _, measured, _ in checks) if checks else 10
    for what, measured, verdict in checks:
        out.write("  %-*s  %-*s  %s\n" % (tw, what, mw, measured, verdict))
    if failed:
        out.write("\nfailed (details on stderr):\n")
        by_reason = {}
        for name in names:
            if models[name].broken:
                out.write("  %s, every system: %s\n" % (name, models[name].broken))
        for (name, batch, system), reason in failed.items():
            if models[name].broken:
                continue
            label = "%s batch %d %s" % (name, batch, SHORT[system])
            by_reason.setdefault(reason.splitlines()[0][:200], []).append(label)
        for reason, labels in by_reason.items():
            out.write("  %s: %s\n" % (", ".join(labels), reason))
    out.write("\nbenchmark run took %.0f s\n" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
