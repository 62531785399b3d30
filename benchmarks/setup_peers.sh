#!/usr/bin/env bash
# Installs the peers benchmarks/run.sh compares qopt with, when missing:
# Debian's PyTorch, torchvision and onnx (apt-get), and ONNX Runtime's Node
# binding (onnxruntime-node from the npm registry) in a cache directory
# outside the repository. Safe to run again: it only checks when everything
# is present.
# Usage: benchmarks/setup_peers.sh   (cache: $QOPT_BENCH_CACHE, default
#        $HOME/.cache/qopt/bench)
set -euo pipefail

cache=${QOPT_BENCH_CACHE:-$HOME/.cache/qopt/bench}

packages=(
  python3-numpy python3-torch python3-torchvision  # PyTorch fp32 and int8
  python3-onnx                                     # ONNX export and QDQ editing
  gcc libc6-dev                                    # C drivers and the peak loop
)
# Node and npm for ONNX Runtime's Node binding: any install will do (this
# machine's comes from another repository, whose nodejs conflicts with
# Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

"$(cd "$(dirname "$0")/.." && pwd)/scripts/setup.sh" "${packages[@]}" >&2

# ONNX Runtime: the package ships libonnxruntime.so and the .node binding
# for linux/x64; its install script would download a GPU build, so skip it.
ort=$cache/node_modules/onnxruntime-node
if [ ! -d "$ort" ]; then
  echo "setup_peers: installing onnxruntime-node into $cache" >&2
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] ||
    printf '{ "name": "qopt-bench-peers", "private": true }\n' >"$cache/package.json"
  (cd "$cache" &&
    ONNXRUNTIME_NODE_INSTALL=skip npm install --ignore-scripts --no-audit \
      --no-fund onnxruntime-node >&2)
fi
if ! version=$(cd "$cache" && node -e '
    const ort = require("onnxruntime-node");
    if (typeof ort.InferenceSession.create !== "function")
      throw new Error("no InferenceSession");
    process.stdout.write(require("onnxruntime-node/package.json").version);' 2>&1); then
  echo "setup_peers: onnxruntime-node does not load from $cache:" >&2
  echo "$version" >&2
  exit 1
fi
echo "setup_peers: Debian packages present; onnxruntime-node $version loads from $cache" >&2
