#!/bin/sh
# Runs one libFuzzer harness for SECONDS from its seeds, keeping what it
# finds in WORKDIR/NAME/ (corpus/, crash-*, log), and prints one summary
# line: executions, coverage, crashes. Exits non-zero when the harness
# found a crash, a leak or undefined behaviour; the input is kept as
# WORKDIR/NAME/crash-* (or leak-*, timeout-*, oom-*).
# Usage: fuzz/run.sh BINARY SECONDS WORKDIR   (scripts/fuzz.sh and CTest run it)
set -eu
bin=$1
seconds=$2
work=$3
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
name=$(basename "$bin")
name=${name#fuzz_}

# Seeds: fuzz/corpus/NAME (hand-made seeds and every crash found so far),
# and the test fixtures or configurations of that parser. libFuzzer writes
# new inputs only into the first directory, the work corpus.
case $name in
mastodon | x | bluesky | google_business | google_play | app_store | trustpilot | linkedin | reddit | meta | youtube) candidates="$fuzz/corpus/$name $root/tests/fixtures/$name" ;;
json_map) candidates="$fuzz/corpus/$name $root/tests/fixtures/json" ;;
config) candidates="$fuzz/corpus/$name $root/config" ;;
*) candidates="$fuzz/corpus/$name" ;;
esac
# Only those that exist: git keeps no empty folder, and libFuzzer stops at a
# missing one.
seeds=""
for d in $candidates; do
	[ -d "$d" ] && seeds="$seeds $d"
done
dict=""
[ -f "$fuzz/dict/$name.dict" ] && dict="-dict=$fuzz/dict/$name.dict"

# Inputs libFuzzer kept after a crash, a leak, a timeout or running out of
# memory (named by kind and hash, so a rerun of a known one adds none).
kept() {
	find "$work/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l
}

mkdir -p "$work/$name/corpus"
before=$(kept)
log="$work/$name/log"
# Leaks are reported by LeakSanitizer at the end of each input's run;
# UBSan halts at the first report so libFuzzer keeps the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:halt_on_error=1:print_stacktrace=1"
status=0
# shellcheck disable=SC2086
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$work/$name/" $dict \
	"$work/$name/corpus" $seeds >"$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
units=$(find "$work/$name/corpus" -type f | wc -l)
found=$(($(kept) - before))
[ "$status" -ne 0 ] && [ "$found" -eq 0 ] && found=1
printf '%-10s %4ss  execs %10s  cov %5s  corpus %5s  crashes %s\n' \
	"$name" "$seconds" "${execs:-?}" "${cov:-?}" "$units" "$found"
if [ "$status" -ne 0 ]; then
	grep -a -E -A 30 'ERROR: |runtime error:|broken promise|==ERROR' "$log" | head -n 60 >&2 || true
	echo "fuzz: $name failed (exit $status); input kept in $work/$name/, log $log" >&2
	# shellcheck disable=SC2012 # libFuzzer names them KIND-HASH: ls -t is safe
	echo "fuzz: reproduce with: $bin $(ls -t "$work/$name"/crash-* "$work/$name"/leak-* \
		"$work/$name"/timeout-* "$work/$name"/oom-* 2>/dev/null | head -n 1)" >&2
	exit 1
fi
