#!/bin/sh
# The section 3 manual pages (man/man3):
#  1. every page (and libslat(7), and the commands' section 1 pages under
#     tools/) formats without a single groff or man
#     warning;
#  2. every .so link points to a page that names the link in NAME;
#  3. every name in a NAME section has a page or a link, so that
#     `man <name>` finds it;
#  4. every function declared in include/slat/*.h has a page or a link,
#     and every page or link names a declared function, so that the pages
#     cannot fall behind the headers (nor keep a function that is gone);
#  5. the complete programs of the EXAMPLE sections (marked
#     `.\" example: NAME.c`) compile against the headers and the library
#     just built, run, and print exactly what the page says they print
#     (the block marked `.\" output: NAME.c`).
# Run by make check (top_srcdir, CC and the build's SLAT_EXAMPLE_CFLAGS and
# SLAT_EXAMPLE_LDFLAGS in the environment) or by hand from a
# build directory: top_srcdir=/path/to/src sh tests/man-check.sh
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
mandir=$src/man/man3
build=$(pwd)
fail=0
err() { echo "man-check: $*" >&2; fail=1; }

LC_ALL=C.UTF-8
export LC_ALL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if command -v man >/dev/null 2>&1; then
	lint() { (cd "$src/man" && man --warnings -E UTF-8 -l -Tutf8 -Z "$1" >/dev/null); }
elif command -v groff >/dev/null 2>&1; then
	lint() { (cd "$src/man" && groff -ww -z -man -Tutf8 -K utf8 "$1"); }
else
	echo "man-check: neither man nor groff: cannot check the pages"; exit 77
fi

# Names a page declares in its NAME section (up to the \- that ends them).
names_of() {
	awk '/^\.SH NAME/ { on = 1; next }
	     on && /^\.SH/ { exit }
	     on && !/^\.\\"/ { d = index($0, "\\-"); if (d) { print substr($0, 1, d - 1); exit } print }' \
		"$1" | tr ',' '\n' | tr -d ' ' | grep .
}

pages=0; links=0
for f in "$mandir"/*.3; do
	base=$(basename "$f")
	name=${base%.3}
	target=$(sed -n 's/^\.so man3\/\(.*\)$/\1/p' "$f")
	if [ -n "$target" ]; then
		links=$((links + 1))
		[ "$(wc -l <"$f")" -eq 1 ] || err "$base: a link page holds only its .so line"
		if [ ! -f "$mandir/$target" ]; then
			err "$base: links to missing $target"
		elif ! names_of "$mandir/$target" | grep -qx "$name"; then
			err "$base: $target does not name $name in its NAME section"
		fi
	else
		pages=$((pages + 1))
		names_of "$f" | grep -qx "$name" || err "$base: NAME section does not name $name"
		for n in $(names_of "$f"); do
			[ -f "$mandir/$n.3" ] || err "$base: names $n, but man3/$n.3 does not exist"
		done
	fi
	out=$(lint "man3/$base" 2>&1) || err "$base: man failed"
	[ -z "$out" ] || err "$base: formatting warnings:
$out"
done
for f in "$src"/man/man7/*.7; do
	[ -f "$f" ] || continue
	pages=$((pages + 1))
	out=$(lint "man7/$(basename "$f")" 2>&1) || err "$(basename "$f"): man failed"
	[ -z "$out" ] || err "$(basename "$f"): formatting warnings:
$out"
done
# Section 1: the commands' pages live next to their sources (tools/*/).
for f in "$src"/tools/*/*.1; do
	[ -f "$f" ] || continue
	pages=$((pages + 1))
	rel=${f#"$src"/}
	out=$(lint "../$rel" 2>&1) || err "$rel: man failed"
	[ -z "$out" ] || err "$rel: formatting warnings:
$out"
done
echo "man-check: $pages pages and $links links format without warnings"

# Every function declared in the public headers: a line that starts a
# declaration (not a comment, macro or typedef) and names slat_*( .
grep -hE '^[A-Za-z_][^(]*[^A-Za-z0-9_(]slat_[a-z0-9_]+\(' "$src"/include/slat/*.h |
	grep -v '^typedef' |
	sed -E 's/^[^(]*[^A-Za-z0-9_](slat_[a-z0-9_]+)\(.*/\1/' | sort -u >"$tmp/declared"
ls "$mandir" | sed -n 's/\.3$//p' | sort -u >"$tmp/documented"
[ -s "$tmp/declared" ] || err "found no function in include/slat/*.h"
for n in $(comm -23 "$tmp/declared" "$tmp/documented"); do
	err "$n is declared in include/slat/ but has no man page (man/man3/$n.3)"
done
for n in $(comm -13 "$tmp/declared" "$tmp/documented"); do
	err "man/man3/$n.3 documents $n, which no header declares"
done
echo "man-check: $(wc -l <"$tmp/declared") public functions, each with a page"

# The complete example programs. Roff escapes back to C: \- is -, \e is \,
# \& (before a leading dot) is nothing.
unroff() { sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g'; }
block() { # $1 page, $2 marker: the .nf ... .fi block after the marker
	MARK=$2 awk '$0 == ENVIRON["MARK"] { on = 1; next }
	     on == 1 && /^\.nf/ { on = 2; next }
	     on == 2 && /^\.fi/ { exit }
	     on == 2 && !/^\.in/ { print }' "$1" | unroff
}
if [ ! -f "$build/libslat.la" ] || [ ! -x "$build/libtool" ]; then
	echo "man-check: no libslat.la in $build: examples not built"
else
	for f in $(grep -l '^\.\\" example: ' "$mandir"/*.3); do
		for ex in $(sed -n 's/^\.\\" example: //p' "$f"); do
			block "$f" ".\\\" example: $ex" >"$tmp/$ex"
			block "$f" ".\\\" output: $ex" >"$tmp/$ex.expected"
			[ -s "$tmp/$ex.expected" ] || err "$(basename "$f"): $ex has no output block"
			prog=$tmp/${ex%.c}
			# shellcheck disable=SC2086
			if ! "$build/libtool" --quiet --mode=link ${CC:-cc} -std=c11 -Wall -Wextra \
				-Werror -Wno-unused-parameter ${SLAT_EXAMPLE_CFLAGS:-} \
				-I"$src/include" -o "$prog" "$tmp/$ex" ${SLAT_EXAMPLE_LDFLAGS:-} \
				"$build/libslat-hosted.la" "$build/libslat.la" >"$tmp/cc.log" 2>&1; then
				err "$(basename "$f"): example $ex does not compile:
$(cat "$tmp/cc.log")"
				continue
			fi
			if ! "$prog" >"$tmp/$ex.out" 2>&1; then
				err "$(basename "$f"): example $ex failed: $(cat "$tmp/$ex.out")"
			elif ! diff -u "$tmp/$ex.expected" "$tmp/$ex.out" >"$tmp/diff"; then
				err "$(basename "$f"): example $ex prints something else than the page says:
$(cat "$tmp/diff")"
			else
				echo "man-check: $(basename "$f"): example $ex compiles, runs and prints what the page says"
			fi
		done
	done
fi
exit $fail
