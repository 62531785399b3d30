#!/usr/bin/env bash
# The main job: sets up the machine, builds qopt (release) and runs the
# Fashion-MNIST demo (examples/fashion_mnist/demo.py): three PyTorch models
# trained briefly, then by one qopt_torch.compile call each exported to qnn,
# calibrated on 1,000 training images with the x86 qconfig, quantized and
# compiled to native int8 code, evaluated on the 10,000 test images against
# PyTorch fp32 and PyTorch int8, and PyTorch's own int8 models compiled and
# run by qopt. Prints one table.
# Trained weights are cached in ~/.cache/qopt (outside the repository).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${QOPT_DEMO_BUILD_DIR:-$root/build-release}

"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$build_dir" >/dev/null
/usr/bin/python3 "$root/examples/fashion_mnist/demo.py" --bindir "$build_dir/bin" "$@"
