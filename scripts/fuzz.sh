#!/bin/sh
# Builds the fuzz configuration (clang, libFuzzer, ASan + UBSan) in
# build/fuzz and runs every harness of fuzz/ for SECONDS each (default 60),
# one after the other, from its seeds. What a run finds stays in the work
# directory (RW_FUZZ_WORK, default build/fuzz/work; never in the repo):
# NAME/corpus/ grows across runs, NAME/crash-* (leak-*, timeout-*, oom-*)
# is the input of a failure, NAME/log the fuzzer's output.
# Prints one line per harness; exits 1 when any harness failed.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (docs/fuzzing.md)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
build="$root/build/fuzz"
work=${RW_FUZZ_WORK:-$build/work}

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang is not installed (scripts/install-deps.sh installs it)" >&2
	exit 1
fi
echo "==> fuzz: configure and build ($build)"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DREPLYWATCH_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

harnesses="$*"
if [ -z "$harnesses" ]; then
	for src in "$root"/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		harnesses="$harnesses ${name#fuzz_}"
	done
fi
echo "==> fuzz: $seconds s per harness; work directory $work"
failed=""
for name in $harnesses; do
	"$root/fuzz/run.sh" "$build/fuzz_$name" "$seconds" "$work" || failed="$failed $name"
done
if [ -n "$failed" ]; then
	echo "==> fuzz: failed:$failed (inputs kept under $work)" >&2
	exit 1
fi
echo "==> fuzz: no crash, leak or undefined behaviour found"
