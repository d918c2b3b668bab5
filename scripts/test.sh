#!/bin/sh
# Builds replywatch and runs the whole test suite twice: once as shipped
# (-Werror), once under AddressSanitizer + UndefinedBehaviorSanitizer; then a
# short soak, the Debian package test, and each fuzz harness for a few
# seconds (clang build in build/fuzz).
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

# The sources keep the project's .clang-format (tables that read better as
# laid out by hand are fenced with "clang-format off/on").
check_format() {
	echo "==> format: clang-format --dry-run --Werror"
	# shellcheck disable=SC2046
	clang-format --dry-run --Werror $(find daemon include tests bench fuzz -name '*.[ch]' | sort)
}

CTEST_ARGS="$*"
start=$(date +%s)
check_format
run_suite release -DCMAKE_BUILD_TYPE=RelWithDebInfo
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite sanitize -DCMAKE_BUILD_TYPE=Debug -DREPLYWATCH_SANITIZE=ON
# Nothing lost or doubled while the daemon is killed under load: a short
# soak of the release build (docs/soak.md; the full one is scripts/soak.sh).
echo "==> soak: scripts/soak.sh --quick"
bash "$root/scripts/soak.sh" --quick --bin "$root/build/release"
# The Debian package: built, lintian-clean, installed into a clean Debian 12
# root and run there (docs/packaging.md).
echo "==> package: scripts/test-package.sh"
sh "$root/scripts/test-package.sh" "$root/build/package"
# Each libFuzzer harness for a few seconds (docs/fuzzing.md), so none rots.
run_suite fuzz -DCMAKE_C_COMPILER=clang -DREPLYWATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "==> all tests passed in $(($(date +%s) - start)) s"
