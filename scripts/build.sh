#!/usr/bin/env bash
# Configures and builds qopt with Debian's LLVM/MLIR 22, clang-22, lld and
# Ninja. Usage: scripts/build.sh BUILD_DIR [extra CMake arguments...]
# Set QOPT_ENABLE_ASSERTIONS=ON for assert() and LLVM's debug checks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:?usage: scripts/build.sh BUILD_DIR [cmake args...]}
shift
llvm=/usr/lib/llvm-22

cmake -G Ninja -S "$root" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-22 \
  -DCMAKE_CXX_COMPILER=clang++-22 \
  -DLLVM_USE_LINKER=lld \
  -DMLIR_DIR="$llvm/lib/cmake/mlir" \
  -DLLVM_DIR="$llvm/lib/cmake/llvm" \
  -DLLVM_EXTERNAL_LIT="$llvm/bin/lit" \
  -DQOPT_ENABLE_ASSERTIONS="${QOPT_ENABLE_ASSERTIONS:-OFF}" \
  "$@"
ninja -C "$build_dir"
