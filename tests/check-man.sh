#!/bin/sh
# Checks the generated man pages (docs/packaging.md):
#  - `man --warnings` prints nothing for either page (as lintian runs it);
#  - each has a NAME line that whatis understands (lexgrog);
#  - every option of `replywatchd --help` is in replywatchd(8);
#  - every configuration key the daemon accepts is in replywatch.json(5), as
#    code: the lists are the daemon's own "unknown key (expected one of: ...)"
#    answers for each section and each source type, so a key added to the
#    code but not to docs/configuration.md (the page's one source) fails here.
# Usage: check-man.sh DAEMON_BINARY MAN_DIR
set -eu
daemon=$1
dir=$2
page8=$dir/replywatchd.8
page5=$dir/replywatch.json.5
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in man lexgrog; do
	command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found (install man-db)"; exit 1; }
done
for page in "$page8" "$page5"; do
	[ -s "$page" ] || { echo "$page: missing (built with REPLYWATCH_MAN=ON, which needs pandoc)"; exit 1; }
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) || true
	if [ -n "$warnings" ]; then
		echo "$page: man --warnings:"; echo "$warnings"; fail=1
	fi
	lexgrog "$page" >/dev/null 2>&1 || { echo "$page: no NAME line whatis can read"; fail=1; }
done

# The pages as text, one word per line: no hyphenation, no justification.
LC_ALL=C.UTF-8 MANWIDTH=200 man --nh --nj -E UTF-8 -l "$page8" 2>/dev/null >"$work/8.txt"
LC_ALL=C.UTF-8 MANWIDTH=200 man --nh --nj -E UTF-8 -l "$page5" 2>/dev/null >"$work/5.txt"

options=$("$daemon" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$options" ] || { echo "no options in replywatchd --help"; exit 1; }
for opt in $options --config --help; do
	grep -q -e "$opt" "$work/8.txt" || { echo "replywatchd.8: option $opt missing"; fail=1; }
done

# A configuration with an unknown key "zz" in every object that has a key list.
types=$(printf '{"sources":[{"name":"a","type":"zz"}]}' >"$work/t.json"
	"$daemon" --check-config -c "$work/t.json" 2>&1 |
	sed -n 's/.*unknown type "zz" (expected one of: \(.*\))$/\1/p' | tr -d ',')
[ -n "$types" ] || { echo "could not read the source types from replywatchd"; exit 1; }
{
	printf '{"zz":1,"redis":{"zz":1},"http":{"zz":1},"retention":{"zz":1},\n'
	printf '"calendars":{"c":{"zz":1,"timezone":"UTC","weekly":{"zz":1}}},\n'
	printf '"policies":[{"name":"p","zz":1,"match":{"zz":1}}],\n'
	printf '"alerts":[{"name":"x","zz":1,"match":{"zz":1}}],\n"sources":['
	sep=""
	for t in $types; do
		printf '%s{"name":"s-%s","type":"%s","zz":1}' "$sep" "$t" "$t"
		sep=","
	done
	# The json type's nested objects.
	printf ',{"name":"j","type":"json","request":{"zz":1},"auth":{"type":"bearer","zz":1},'
	printf '"fields":{"zz":1},"paging":{"type":"cursor","zz":1},"rate_limit":{"zz":1},'
	printf '"brand":{"zz":1},"replies":{"zz":1}}]}\n'
} >"$work/keys.json"
"$daemon" --check-config -c "$work/keys.json" >"$work/check.out" 2>&1 || true
# And each top-level key given as an object with "zz" in it: every section
# that is an object (a new one too) reports its own key list.
printf '{"zz":1}' >"$work/top.json"
top=$("$daemon" --check-config -c "$work/top.json" 2>&1 |
	sed -n 's/^zz: unknown key (expected one of: \(.*\))$/\1/p' | tr -d ',')
[ -n "$top" ] || { echo "could not read the top-level keys from replywatchd"; exit 1; }
for section in $top; do
	printf '{"%s":{"zz":1}}' "$section" >"$work/section.json"
	"$daemon" --check-config -c "$work/section.json" >>"$work/check.out" 2>&1 || true
done
sed -n 's/^\(.*\)zz: unknown key (expected one of: \([^)]*\)).*/\1 \2/p' "$work/check.out" \
	| sed 's/, or a key of the source.s type$//' | sort -u >"$work/lists"
lists=$(wc -l <"$work/lists")
if [ "$lists" -lt 12 ]; then
	echo "only $lists key lists read from replywatchd --check-config:"; cat "$work/check.out"; exit 1
fi
# Every word of the page's code spans (\f[V]...\f[R] in pandoc's roff, "-" as
# "\-"), one a line: a key counts when it is written as code somewhere
# (`max_body`, or within `sources[].labels`).
grep -o '\\f\[V\][^\\]*\(\\-[^\\]*\)*' "$page5" | sed 's/^\\f\[V\]//; s/\\-/-/g' \
	| tr -c 'A-Za-z0-9_-' '\n' | sort -u >"$work/code-words"
while read -r where keys; do
	for key in $(echo "$keys" | tr -d ','); do
		if ! grep -q -x -F -e "$key" "$work/code-words"; then
			echo "replywatch.json.5: key \"$key\" (${where%.}) is not documented"; fail=1
		fi
	done
done <"$work/lists"
echo "checked $(wc -w <"$work/lists") keys in $lists lists, $(echo "$options" | wc -w) options"
[ "$fail" -eq 0 ] || exit 1
echo "man pages: clean"
