#!/usr/bin/env bash
# Fails, listing the files, when a C or C++ source of qopt is not clang-format
# clean. Usage: utils/check-format.sh [clang-format binary]
set -euo pipefail
clang_format=${1:-clang-format-22}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t files < <(find include lib tools unittests fuzz examples/embedding \
  \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) -type f | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-format: no C++ sources found under $root" >&2
  exit 1
fi
bad=()
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ "${#bad[@]}" -ne 0 ]; then
  echo "check-format: not clang-format clean (fix with: $clang_format -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files clean"
