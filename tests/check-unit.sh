#!/bin/sh
# Checks the shipped systemd unit: `systemd-analyze verify` must be clean and
# `systemd-analyze security` must rate its exposure at 2.0 or lower.
# Usage: check-unit.sh UNIT_FILE DAEMON_BINARY   (exits 77 = skipped without systemd-analyze)
set -eu
unit=$1
daemon=$(realpath "$2")
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze not found: skipped"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify checks that ExecStart= exists: point it at the binary just built.
sed "s|^ExecStart=[^ ]*|ExecStart=$daemon|" "$unit" > "$work/replywatch.service"

if ! out=$(systemd-analyze verify --man=no "$work/replywatch.service" 2>&1); then
	echo "systemd-analyze verify failed:"; echo "$out"; exit 1
fi
# verify also reports problems in units it pulls in; only ours count.
if echo "$out" | grep -F "replywatch.service" >/dev/null; then
	echo "systemd-analyze verify complained:"; echo "$out"; exit 1
fi
echo "verify: clean"

out=$(systemd-analyze security --offline=true "$work/replywatch.service" 2>&1) || true
score=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n 1)
if [ -z "$score" ]; then
	echo "could not read the exposure level:"; echo "$out"; exit 1
fi
echo "security: overall exposure $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "$out"; echo "exposure $score > 2.0"; exit 1; }
