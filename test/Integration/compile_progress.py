#!/usr/bin/python3
"""qopt_torch.compile on a small linear model with a DataLoader of three
batches: on a terminal it shows its progress (reading the calibration
data, then qrun's calibration bar).

    compile_progress.py BINDIR
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "python"))
import qopt_torch  # noqa: E402

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU()).eval()
loader = torch.utils.data.DataLoader(torch.randn(12, 8), batch_size=4)
compiled = qopt_torch.compile(model, torch.randn(1, 8), calibration=loader,
                              bindir=sys.argv[1])
print("compiled: %r" % compiled.outputs)
