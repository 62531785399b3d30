"""Prints benchmarks/bench.py's target rows for synthetic medians (see
targets.test), one row a line, fields separated by " | "."""
import sys

sys.path.insert(0, sys.argv[1])
import bench  # noqa: E402

ALL = [("resnet18", 1), ("mobilenet_v2", 1), ("conv3x3", 1), ("linear1024", 64),
       ("linear4096", 1), ("mlp", 1), ("mlp", 64), ("cnn", 1), ("cnn", 64),
       ("kws", 1), ("kws", 64)]
TIMES = {
    ("resnet18", 1, "qopt"): 4.0, ("resnet18", 1, "pt_onednn"): 5.0,
    ("resnet18", 1, "qopt_fp32"): 8.0, ("resnet18", 1, "qrun"): 4.0,
    ("mobilenet_v2", 1, "qopt"): 2.0, ("mobilenet_v2", 1, "pt_onednn"): 2.0,
    ("mobilenet_v2", 1, "qrun"): 2.22,
    ("conv3x3", 1, "qrun"): 1.0, ("conv3x3", 1, "qopt"): 1.1,
}
ORT = {("resnet18", 1): 1.25, ("mobilenet_v2", 1): 1.26}
SHARE = {("conv3x3", 1): 0.60, ("linear1024", 64): 0.59}
BUSY = {("conv3x3", 1): 1.09}


def memory(names):
    rows = {"resnet18": {"qopt": 125, "ort": 100, "lib": 100, "weights": {"i8": 100}},
            "kws": {"qopt": 1, "ort": 100, "lib": 160, "weights": {"i8": 100}},
            "cnn": {"qopt": 1}}
    return {name: row for name, row in rows.items() if name in names}


def show(title, cases, isa):
    print(title)
    names = {name for name, _ in cases}
    for row in bench.target_checks(
            cases, lambda n, b, s: TIMES.get((n, b, s)),
            lambda n, b: ORT.get((n, b), None if (n, b) == ("cnn", 64) else 0.9),
            lambda n, b: SHARE.get((n, b)), memory(names), isa):
        print(" | ".join(row))
    print()


show("host, every model", ALL, "host")
show("avx2, resnet18 only", [("resnet18", 1)], "avx2")
show("avxvnni, resnet18 only", [("resnet18", 1)], "avxvnni")
SHARE = BUSY
show("a peak measured low", [("conv3x3", 1)], "host")
