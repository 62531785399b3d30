#!/usr/bin/python3
"""Run by python-package.test with the installed package's interpreter,
outside the source tree: which qopt_torch it imports, and a small model
through compile() and load() with the tools from $QOPT_BINDIR."""
import os
import sys

import torch

import qopt_torch

print("imported from the environment: %s"
      % qopt_torch.__file__.startswith(sys.prefix))
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU()).eval()
batches = [torch.randn(4, 8) for _ in range(3)]
compiled = qopt_torch.compile(model, batches[0][:1], calibration=batches)
y = compiled(torch.randn(5, 8))
compiled.save(os.path.join(sys.argv[1], "linear.so"))
again = qopt_torch.load(os.path.join(sys.argv[1], "linear.so"))
print("compiled: %s %s, loaded: %r" % (type(y).__name__, tuple(y.shape), again.outputs))
