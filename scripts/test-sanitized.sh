#!/usr/bin/env bash
# Builds qopt with AddressSanitizer, UndefinedBehaviorSanitizer and
# assertions in build-asan/ and runs the whole test suite on that build:
# scripts/test.sh with sanitized tools, libraries and unit tests
# (docs/Robustness.md). Any sanitizer report fails the test it occurs in.
# The last line reports the counts: "qopt tests: N passed, N failed".
# QOPT_TEST_BUILD_DIR overrides the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${QOPT_TEST_BUILD_DIR:-$root/build-asan}

"$root/scripts/setup.sh"
"$root/scripts/setup.sh" libclang-rt-22-dev # the sanitizers' runtimes
# QOPT_SANITIZE stays in the build directory's cache, so the configure step
# of scripts/test.sh keeps it.
QOPT_ENABLE_ASSERTIONS=ON "$root/scripts/build.sh" "$build_dir" \
  -DQOPT_SANITIZE="address;undefined"

# abort_on_error: a report kills the process with SIGABRT, so that a test
# expecting a tool to fail (`not qopt ...`) fails too; LLVM's `not` passes
# only a normal non-zero exit. detect_leaks=1 and allow_user_poisoning=0:
# see docs/Robustness.md. Options already set are appended (they win).
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-22/bin/llvm-symbolizer
asan=abort_on_error=1:detect_leaks=1:allow_user_poisoning=0
ubsan=abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=$ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
QOPT_TEST_SANITIZED=0 QOPT_TEST_BUILD_DIR=$build_dir exec "$root/scripts/test.sh"
