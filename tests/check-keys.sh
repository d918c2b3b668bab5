#!/bin/sh
# Checks that Redis key names are spelled in one place on each side: the C
# code names keys only through daemon/keys.c (keys.h), the scripts only
# through layout.lua's KEY table. Fails listing each line that builds a key
# name by hand ("%sev", "%s{%s}:", "dl:%s", a bare "cur" ...).
# Usage: check-keys.sh SOURCE_DIR
set -eu
cd "$1"

# The suffixes, as keys.c's table spells them: [RW_KEY_X] = {"ev", ...
suffixes=$(sed -n 's/^[[:space:]]*\[RW_KEY_[A-Z_]*\][[:space:]]*=[[:space:]]*{"\([^"]*\)".*/\1/p' \
	daemon/keys.c)
[ -n "$suffixes" ] || { echo "no key suffixes found in daemon/keys.c"; exit 1; }
alt=$(echo "$suffixes" | sed 's/[.]/\\./g' | paste -sd '|' -)
# Suffixes that take an argument, without their ':' (for "dl:%s"), and the
# alert consumer group's "a:".
args=$(echo "$suffixes" | sed -n 's/:$//p' | paste -sd '|' -)'|a'

c_files=$(find daemon include -name '*.[ch]' ! -path daemon/keys.c \
	! -path include/replywatch/keys.h | sort)
lua_files=$(find daemon/lua -name '*.lua' ! -path daemon/lua/lib/layout.lua | sort)
status=0

# Comments may name keys; code may not. A bare literal is a key's suffix
# handed to a builder (names(..., "ev")), except where the same letters are
# something else: the readyz token, the "due" and "cnt" fields of an apply
# change, fetch's "due" mode, the "m:" counters, the json type's "auth", the
# cluster's "members" in /status and its "lease" script's name.
bare=$(echo "$suffixes" | grep -vxE 'readyz|due|cnt|m:|auth|members|lease' | sed 's/[.]/\\./g' | paste -sd '|' -)
# shellcheck disable=SC2086
if for f in $c_files; do
	sed -e 's|/\*.*\*/||g' -e 's|^[[:space:]]*/\{0,1\}\*.*||' "$f" |
		grep -nE "%s\{%s\}|\"%s($alt)|\"($args):%s|\"($bare)\"" | sed "s|^|$f:|"
done | grep .; then
	echo "^ key names built outside daemon/keys.c: use rw_key_name/rw_key_base (keys.h)"
	status=1
fi
# A Lua string naming a key next to a concatenation (base .. 'ev').
# shellcheck disable=SC2086
if grep -nE "\.\. *'($alt)'|'($alt)' *\.\." $lua_files; then
	echo "^ key names spelled outside layout.lua's KEY table: use KEY.name"
	status=1
fi
[ "$status" -eq 0 ] && echo "key names: one owner on each side ($(echo "$suffixes" | wc -l) keys)"
exit "$status"
