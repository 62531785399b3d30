#!/usr/bin/env bash
# Compile time of a float model with about 1.2 million parameters (weights
# as dense_resource blobs), stage by stage, and its agreement with PyTorch.
# Usage: benchmarks/compile_time.sh [BUILD_DIR]   (default: build-release)
# Needs Debian's python3-torch (scripts/setup.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
[ -x "$build/bin/qrun" ] || "$root/scripts/build.sh" "$build" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/test/Integration/torch_models.py" large "$work" 2>/dev/null
params=$(/usr/bin/python3 -c "
import re, sys
text = open('$work/model.mlir').read()
total = 0
for shape in re.findall(r'dense_resource<blob\d+> : tensor<([0-9x]+)xf32>', text):
    n = 1
    for d in shape.split('x'): n *= int(d)
    total += n
print(total)")
size=$(du -k "$work/model.mlir" | cut -f1)

seconds() { # seconds CMD...: wall time of CMD in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}
parse=$(seconds "$build/bin/qopt" "$work/model.mlir" -o "$work/roundtrip.mlir")
fold=$(seconds "$build/bin/qopt" "$work/model.mlir" --qnn-fold-batchnorm --qnn-fuse -o "$work/optimized.mlir")
lower=$(seconds "$build/bin/qopt" "$work/optimized.mlir" --qnn-to-llvm -o "$work/llvm.mlir")
jit=$(seconds "$build/bin/qrun" "$work/optimized.mlir" -i "$work/input.npy" -o "$work/out.npy")
check=$(/usr/bin/python3 "$root/test/Integration/compare.py" "$work/expected.npy" "$work/out.npy" | head -1)

printf 'model: %d parameters, %d KiB of IR text\n' "$params" "$size"
printf '%-44s %8.2f s\n' "parse + verify + print (qopt)" "$parse"
printf '%-44s %8.2f s\n' "fold batch_norm + fuse (qopt)" "$fold"
printf '%-44s %8.2f s\n' "lower to the LLVM dialect (qopt --qnn-to-llvm)" "$lower"
printf '%-44s %8.2f s\n' "lower + JIT -O3 + run once (qrun)" "$jit"
printf 'agreement with PyTorch: %s\n' "$check"
