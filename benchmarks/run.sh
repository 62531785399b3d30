#!/usr/bin/env bash
# qopt's benchmark: qopt's int8 and float code against PyTorch and ONNX
# Runtime on the same models, one thread, interleaved rounds, one table.
# Usage: benchmarks/run.sh [--quick] [--bindir DIR] [--rounds N] [--models a,b]
#                         [--isa avx2|avxvnni]
#   --quick    2 rounds with short timing budgets (a full run has 5)
#   --bindir   where qopt, qrun and qcc are (default: build-release/bin,
#              brought up to date with scripts/build.sh on every run)
#   --models   a subset of resnet18, mobilenet_v2, conv3x3, linear1024,
#              linear4096, mlp, cnn, kws
#   --isa avx2 qopt compiled for an AVX2 CPU without AVX-512 and PyTorch
#              limited to AVX2 (ONEDNN_MAX_CPU_ISA): what an AVX2-only
#              machine would show; ONNX Runtime cannot be limited. Skips
#              the calibration timing.
#   --isa avxvnni  likewise for a CPU with AVX-VNNI and no AVX-512 (qopt
#              compiled for Alder Lake, ONEDNN_MAX_CPU_ISA=AVX2_VNNI); the
#              host needs AVX-VNNI.
# Then times calibration (benchmarks/calibration.py: qrun --calibrate against
# PyTorch's eager prepare + forward on resnet18, 1,000 images, or 128 with
# --quick). Installs its peers (benchmarks/setup_peers.sh: Debian packages, and
# onnxruntime-node from npm into $QOPT_BENCH_CACHE, default
# ~/.cache/qopt/bench), builds the models into $QOPT_BENCH_WORK (default
# build-bench/, kept between runs) and prints the tables on stdout;
# progress and failures go to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=$root/build-release/bin
quick=()
rounds=()
models=()
isa=host
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=(--quick) ;;
    --bindir) bindir=$(cd "$2" && pwd); shift ;;
    --rounds) rounds=(--rounds "$2"); shift ;;
    --models) models=(--models "$2"); shift ;;
    --isa) isa=$2; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $isa in
  host | avx2) ;;
  avxvnni)
    if ! grep -qw avx_vnni /proc/cpuinfo; then
      echo "run.sh: --isa avxvnni needs a CPU with AVX-VNNI" >&2
      exit 2
    fi ;;
  *) echo "run.sh: --isa must be avx2 or avxvnni (or host, the default)" >&2
     exit 2 ;;
esac
cache=${QOPT_BENCH_CACHE:-$HOME/.cache/qopt/bench}
work=${QOPT_BENCH_WORK:-$root/build-bench}
start=$(date +%s)

QOPT_BENCH_CACHE=$cache "$root/benchmarks/setup_peers.sh"
if [ "$bindir" = "$root/build-release/bin" ]; then
  # Always: an up-to-date build is a no-op, a stale one would time old code.
  "$root/scripts/build.sh" "$root/build-release" >&2
elif [ ! -x "$bindir/qcc" ] || [ ! -x "$bindir/qrun" ]; then
  echo "run.sh: no qcc and qrun in $bindir" >&2
  exit 1
fi
mkdir -p "$work"
/usr/bin/python3 "$root/benchmarks/build_models.py" "$work" "${models[@]}"
/usr/bin/python3 "$root/benchmarks/bench.py" --work "$work" --bindir "$bindir" \
  --node-path "$cache/node_modules" --isa "$isa" "${quick[@]}" "${rounds[@]}" \
  "${models[@]}"
# Calibration speed: resnet18 on 1,000 images (128 with --quick), when the
# models include it.
if [ "$isa" = host ] && { [ "${#models[@]}" -eq 0 ] ||
  [[ "${models[1]}" == *resnet18* ]]; }; then
  images=1000
  calibration_rounds=2
  if [ "${#quick[@]}" -gt 0 ]; then
    images=128
    calibration_rounds=1
  fi
  /usr/bin/python3 "$root/benchmarks/calibration.py" --work "$work" \
    --bindir "$bindir" --images "$images" --rounds "$calibration_rounds"
fi
echo "run.sh: $(($(date +%s) - start)) s in all (setup, models, timing)" >&2
