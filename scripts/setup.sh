#!/usr/bin/env bash
# Installs the Debian packages qopt needs that this machine lacks. Safe to run
# again: it installs nothing when everything is present.
# Usage: scripts/setup.sh [PACKAGE...]   (packages given: those instead of
#        qopt's own list; benchmarks/setup_peers.sh installs its peers so)
set -euo pipefail

packages=("$@")
[ "$#" -gt 0 ] || packages=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools  # LLVM/MLIR 22
  clang-22 lld-22 clang-format-22                         # compiler, linker, format check
  cmake ninja-build libgtest-dev zlib1g-dev               # build, unit tests, gzip
  python3-psutil                                          # lit --timeout
  python3-numpy python3-torch python3-torchvision         # the PyTorch oracle, its model zoo
  python3-venv python3-pip python3-setuptools            # installing python/ (its test)
  dataset-fashion-mnist                                   # calibration / demo data
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#packages[@]} required Debian packages are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    run_as_root=(sudo)
  else
    echo "setup: not root and no sudo; install these packages first:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -q
"${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
