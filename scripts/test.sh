#!/bin/sh
# Builds replywatch and runs the whole test suite twice: once as shipped
# (-Werror), once under AddressSanitizer + UndefinedBehaviorSanitizer; then
# runs each fuzz harness for a few seconds (clang build in build/fuzz).
# Installs missing packages first. Usage: scripts/test.sh [ctest args...]
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

"$root/scripts/install-deps.sh"

run_suite() {
	name=$1
	shift
	echo "==> $name: configure and build"
	cmake -S "$root" -B "$root/build/$name" -DREPLYWATCH_WERROR=ON "$@" >/dev/null
	cmake --build "$root/build/$name" -j "$jobs" >/dev/null
	echo "==> $name: tests"
	ctest --test-dir "$root/build/$name" --output-on-failure -j "$jobs" $CTEST_ARGS
	# Criterion runs each test in a worker process and does not fail a test
	# whose worker leaks or trips a sanitizer after passing: look for the
	# reports in the full output CTest keeps.
	log="$root/build/$name/Testing/Temporary/LastTest.log"
	if grep -n -E "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" "$log"; then
		echo "==> $name: sanitizer reports above (full output: $log)" >&2
		exit 1
	fi
}

CTEST_ARGS="$*"
start=$(date +%s)
run_suite release -DCMAKE_BUILD_TYPE=RelWithDebInfo
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite sanitize -DCMAKE_BUILD_TYPE=Debug -DREPLYWATCH_SANITIZE=ON
# Each libFuzzer harness for a few seconds (docs/fuzzing.md), so none rots.
if command -v clang >/dev/null 2>&1; then
	run_suite fuzz -DCMAKE_C_COMPILER=clang -DREPLYWATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
else
	echo "==> fuzz: skipped, no clang (scripts/install-deps.sh installs it)"
fi
echo "==> all tests passed in $(($(date +%s) - start)) s"
