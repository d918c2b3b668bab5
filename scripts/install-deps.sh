#!/bin/sh
# Installs every package replywatch needs to build, test, fuzz and run the
# demo, and to build and test its Debian package (Debian 12 or newer); with
# --demo only what building and running the demo needs.
# Installs only what is missing; uses sudo when not root.
set -eu

# What building and running needs (the demo: scripts/install-deps.sh --demo)...
RUN_PACKAGES="gcc make cmake pkg-config
libev-dev libcurl4-openssl-dev libjansson-dev libhiredis-dev libmicrohttpd-dev
libssl-dev libsystemd-dev libicu-dev libxml2-dev libcriterion-dev
redis-server redis-tools tzdata curl ca-certificates systemd jq"
# ...and what the tests add: Prometheus tools, the fuzz build, the headless
# browser of the dashboard test, the man pages and the Debian package test.
TEST_PACKAGES="prometheus prometheus-alertmanager clang libclang-rt-dev clang-format
chromium pandoc man-db dpkg-dev debhelper lintian mmdebstrap"

case "${1:-}" in
--demo) PACKAGES="$RUN_PACKAGES" ;;
"") PACKAGES="$RUN_PACKAGES $TEST_PACKAGES" ;;
*)
	echo "usage: scripts/install-deps.sh [--demo]" >&2
	exit 2
	;;
esac

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
$as_root apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The Debian package may have started a system redis; the tests and the demo
# run their own on other ports and do not need it.
