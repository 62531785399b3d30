#!/usr/bin/env bash
# Builds qopt's libFuzzer targets (fuzz/, with ASan, UBSan and assertions)
# in build-fuzz/ and runs them (docs/Robustness.md):
#   ir    qopt-fuzz-ir: MLIR text through the parser, the verifiers, each
#         qnn pass and the qnn-to-llvm pipeline;
#   data  qopt-fuzz-data: .npy and IDX files through the readers, the
#         calibration data source and the observers.
# Usage: scripts/fuzz.sh [--time SECONDS] [--jobs N] [ir|data|all]
#   --time  how long each target runs (default 60 seconds)
#   --jobs  fuzzing processes per target (default 1)
# libFuzzer runs in fork mode: a crash, timeout or out-of-memory input is
# kept and fuzzing goes on until the time is up.
# The corpora grow in build-fuzz/fuzz-corpus/{ir,data} from one run to the
# next; crashes, timeouts and out-of-memory inputs are kept in
# build-fuzz/fuzz-crashes/. Reproduce one with
#   build-fuzz/bin/qopt-fuzz-ir build-fuzz/fuzz-crashes/ir-crash-...
# QOPT_FUZZ_BUILD_DIR overrides the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${QOPT_FUZZ_BUILD_DIR:-$root/build-fuzz}

seconds=60
jobs=1
which=all
usage() {
  echo "usage: scripts/fuzz.sh [--time SECONDS] [--jobs N] [ir|data|all]" >&2
  exit 2
}
while [ "$#" -gt 0 ]; do
  case "$1" in
  --time) seconds=${2:?--time needs a value}; shift 2 ;;
  --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
  ir | data | all) which=$1; shift ;;
  *) usage ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ && "$jobs" =~ ^[1-9][0-9]*$ ]] || usage
targets=(ir data)
[ "$which" = all ] || targets=("$which")

"$root/scripts/setup.sh"
"$root/scripts/setup.sh" libclang-rt-22-dev # libFuzzer and the sanitizers
QOPT_ENABLE_ASSERTIONS=ON "$root/scripts/build.sh" "$build_dir" -DQOPT_FUZZ=ON

corpus=$build_dir/fuzz-corpus
crashes=$build_dir/fuzz-crashes
logs=$build_dir/fuzz-logs
mkdir -p "$corpus/ir" "$corpus/data" "$crashes" "$logs"

# Seeds, named by their content as libFuzzer names what it adds, so that
# preparing them again adds nothing. ir: every .mlir file of the tests and
# examples, cut at the `// -----` markers of --split-input-file, without
# full-line comments (RUN and CHECK lines among them).
seed_ir() {
  local file chunk tmp
  tmp=$(mktemp -d)
  while IFS= read -r -d '' file; do
    rm -f "$tmp"/chunk.*
    awk -v out="$tmp/chunk." '
      BEGIN { n = 0 }
      /^\/\/ -----/ { close(out n); n++; next }
      /^[ \t]*\/\// { next }
      { print > (out n) }' "$file"
    for chunk in "$tmp"/chunk.*; do
      [ -s "$chunk" ] || continue
      cp "$chunk" "$corpus/ir/$(sha1sum < "$chunk" | cut -c1-40)"
    done
  done < <(find "$root/test" "$root/examples" -name '*.mlir' -print0)
  rm -rf "$tmp"
}
seed_ir
/usr/bin/python3 "$root/fuzz/data/make_data_seeds.py" "$corpus/data" > /dev/null

# The fuzzing processes' temporary files (libFuzzer's fork mode, the data
# target's input files): in the build directory, removed at the end, since
# processes that crash or are stopped leave theirs behind. One directory
# per run of this script, so that runs can go on side by side (say
# `fuzz.sh ir` and `fuzz.sh data` on two cores).
export TMPDIR=$build_dir/fuzz-tmp/run-$$
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT

export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-22/bin/llvm-symbolizer
export UBSAN_OPTIONS=print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

status=0
summary=()
for target in "${targets[@]}"; do
  fuzzer=$build_dir/bin/qopt-fuzz-$target
  options=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
           -max_total_time="$seconds" -max_len=8192 -timeout=60
           -rss_limit_mb=4096 -artifact_prefix="$crashes/$target-")
  [ "$target" = ir ] && options+=(-dict="$root/fuzz/qnn.dict")
  log=$logs/$target-$(date +%Y%m%d-%H%M%S).log
  before=$(find "$crashes" -name "$target-*" | wc -l)
  echo "fuzz: qopt-fuzz-$target for ${seconds}s, $jobs process(es); log $log"
  (cd "$logs" && "$fuzzer" "${options[@]}" "$corpus/$target") > "$log" 2>&1 ||
    status=1
  new=$(($(find "$crashes" -name "$target-*" | wc -l) - before))

  # fork mode's last status line: "#RUNS: cov: ... corp: N ... time: Ts".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  runs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<< "$last")
  elapsed=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<< "$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<< "$last")
  rate=?
  [ -n "$runs" ] && [ "${elapsed:-0}" -gt 0 ] && rate=$((runs / elapsed))
  files=$(find "$corpus/$target" -type f | wc -l)
  bytes=$(du -sk "$corpus/$target" | cut -f1)
  line="$target: ${runs:-?} runs in ${elapsed:-?}s, $rate exec/s,"
  line+=" coverage ${cov:-?}, corpus $files inputs (${bytes} KiB),"
  summary+=("$line $new new finding(s)")
  [ "$new" -eq 0 ] || status=1
done

echo "fuzz summary:"
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$status" -ne 0 ]; then
  echo "fuzz: findings in $crashes; reproduce one with" \
    "$build_dir/bin/qopt-fuzz-TARGET FILE"
fi
exit "$status"
