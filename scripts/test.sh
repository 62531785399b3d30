#!/usr/bin/env bash
# Sets up the machine, builds qopt with assertions enabled and runs the whole
# test suite: lit + FileCheck tests, verifier diagnostics, gtest unit tests
# (run through lit), the clang-format check and the generated-docs check.
# Then the same suite again, built with ASan and UBSan in build-asan/
# (scripts/test-sanitized.sh; QOPT_TEST_SANITIZED=0 skips it).
# The last line reports the counts of both: "qopt tests: N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${QOPT_TEST_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
QOPT_ENABLE_ASSERTIONS=${QOPT_ENABLE_ASSERTIONS:-ON} \
  "$root/scripts/build.sh" "$build_dir"
ninja -C "$build_dir" QOPTUnitTests qopt-doc

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# --timeout: a test still running after 15 minutes has hung. The slowest,
# Integration/model-zoo.test, takes about 7.5 minutes alone in the
# sanitized build on 2 cores, and more beside another test: at 600 s it
# timed out once (2026-12-07).
/usr/lib/llvm-22/bin/lit -sv --timeout=900 "$build_dir/test" 2>&1 |
  tee "$log" || status=$?

count() { # count LABEL: the number after "LABEL:" in lit's summary, or 0
  # lit pads the labels when it prints several ("Passed    : 5").
  # The summary comes last: keep the last match.
  awk -v label="$1" -F ':' '
    BEGIN { value = 0 }
    { name = $1; gsub(/^ +| +$/, "", name) }
    name == label { split($2, rest, " "); value = rest[1] }
    END { print value + 0 }' "$log"
}
passed=$(count Passed)
failed=$(($(count Failed) + $(count Unresolved) + $(count "Timed Out")))
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "qopt tests: lit ran no test" >&2
  status=1
fi

# The sanitized suite, unless this run is that suite.
if [ "${QOPT_TEST_SANITIZED:-1}" != 0 ]; then
  echo "qopt tests (assertions build): $passed passed, $failed failed"
  sanitized=$(mktemp)
  trap 'rm -f "$log" "$sanitized"' EXIT
  env -u QOPT_TEST_BUILD_DIR QOPT_TEST_SANITIZED=0 \
    "$root/scripts/test-sanitized.sh" 2>&1 | tee "$sanitized" || status=1
  counts=$(tail -n 1 "$sanitized")
  if [[ "$counts" =~ ^qopt\ tests:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    echo "qopt tests: the sanitized suite did not finish" >&2
    status=1
  fi
fi
echo "qopt tests: $passed passed, $failed failed"
exit "$status"
