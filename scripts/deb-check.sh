#!/bin/sh
# Builds the Debian packages from a copy of the tree, checks them with
# lintian, unpacks them into a scratch root and uses them as a programmer
# would: `man slat_map`, `man slat-map`, the packaged slat-map command, and
# the complete example programs of the man pages compiled with
# `pkg-config --cflags --libs libslat` (and libslat-hosted)
# against the installed headers and libraries, run, and compared with the
# output the pages print.
#
# dpkg-buildpackage writes ../*.deb, so the build happens in a copy under
# DEB_CHECK_DIR (default: a temporary directory, removed afterwards). The
# unit tests are not run again inside the package build
# (DEB_BUILD_OPTIONS=nocheck): test-all.sh has run them already. Set
# DEB_CHECK_TESTS=1 to run dh_auto_test too.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

if [ -n "${DEB_CHECK_DIR:-}" ]; then
	work=$DEB_CHECK_DIR
	rm -rf "$work" && mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT INT TERM
fi
fail() { echo "deb-check: $*" >&2; exit 1; }
for tool in dpkg-buildpackage lintian man pkg-config; do
	command -v $tool >/dev/null 2>&1 || fail "$tool is missing (scripts/install-deps.sh)"
done

# The sources as git sees them (committed or not, ignored files left out);
# without git, the whole tree minus build products.
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
src=$work/libslat-${version%-*}
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		xargs -0 tar -C "$top" -cf - | tar -C "$src" -xf -
else
	tar -C "$top" --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

echo "deb-check: building the packages in $work"
opts=nocheck
[ "${DEB_CHECK_TESTS:-0}" = 1 ] && opts=
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="$opts parallel=$(nproc 2>/dev/null || echo 2)" \
	dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) ||
	{ tail -60 "$work/build.log"; fail "dpkg-buildpackage failed (log: $work/build.log)"; }
echo "deb-check: built in $(($(date +%s) - start)) s:"
ls "$work"/*.deb | sed 's|.*/|  |'

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in libslat0 libslat-hosted0 libslat-dev slat-map; do
	[ -f "$work/${p}_${version}_$arch.deb" ] || fail "no $p package"
done
[ -f "$work/libslat-doc_${version}_all.deb" ] || fail "no libslat-doc package"

echo "deb-check: lintian"
lintian --fail-on error,warning --display-info "$work"/*.changes ||
	fail "lintian found errors or warnings"

# Each package holds what it should and nothing of another's.
# (Listings go to a file: grep -q on a pipe would kill dpkg-deb's tar.)
has() { dpkg-deb -c "$work/$1" >"$work/list"; grep -q -- "$2" "$work/list" || fail "$1 lacks $2"; }
hasnt() { dpkg-deb -c "$work/$1" >"$work/list"; ! grep -q -- "$2" "$work/list" || fail "$1 should not hold $2"; }
has "libslat0_${version}_$arch.deb" "/usr/lib/$multiarch/libslat.so.0"
hasnt "libslat0_${version}_$arch.deb" "libslat-hosted"
has "libslat-hosted0_${version}_$arch.deb" "/usr/lib/$multiarch/libslat-hosted.so.0"
has "libslat-dev_${version}_$arch.deb" "/usr/include/slat/map.h"
has "libslat-dev_${version}_$arch.deb" "/usr/lib/$multiarch/pkgconfig/libslat.pc"
has "libslat-dev_${version}_$arch.deb" "/usr/lib/$multiarch/libslat.a"
has "libslat-dev_${version}_$arch.deb" "/usr/share/man/man3/slat_unmap.3.gz"
hasnt "libslat-dev_${version}_$arch.deb" "^-.*\.so\.0"
has "libslat-doc_${version}_all.deb" "/usr/share/doc/libslat-doc/html/index.html"
dpkg-deb -f "$work/libslat-hosted0_${version}_$arch.deb" Depends | grep -q 'libslat0' ||
	fail "libslat-hosted0 does not depend on libslat0"
has "slat-map_${version}_$arch.deb" "/usr/bin/slat-map$"
has "slat-map_${version}_$arch.deb" "/usr/share/man/man1/slat-map.1.gz"
hasnt "libslat-dev_${version}_$arch.deb" "/usr/bin/"
dpkg-deb -f "$work/slat-map_${version}_$arch.deb" Depends | grep -q 'libslat-hosted0 (>= 0.2.0)' ||
	fail "slat-map does not depend on libslat-hosted0 (>= 0.2.0) (symbols file)"

# Unpack everything into a scratch root, as dpkg -i would place it.
root=$work/root
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$root"; done

echo "deb-check: man slat_map, man slat_unmap, man libslat"
export MANPATH="$root/usr/share/man"
man -w slat_map | grep -q "^$root/usr/share/man/man3/slat_map.3.gz$" || fail "man does not find slat_map"
out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings slat_unmap 2>&1) || fail "man slat_unmap failed"
printf '%s\n' "$out" | grep -q '^ *slat_map, *slat_unmap' || fail "man slat_unmap shows: $out"
printf '%s\n' "$out" | grep -q 'warning' && fail "man slat_unmap warns: $out"
man -w libslat | grep -q "^$root/usr/share/man/man7/libslat.7.gz$" || fail "man does not find libslat(7)"
man -w slat-map | grep -q "^$root/usr/share/man/man1/slat-map.1.gz$" || fail "man does not find slat-map(1)"
out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings slat-map 2>&1) || fail "man slat-map failed"
printf '%s\n' "$out" | grep -q 'warning' && fail "man slat-map warns: $out"

echo "deb-check: the packaged slat-map draws a page"
LD_LIBRARY_PATH="$root/usr/lib/$multiarch" "$root/usr/bin/slat-map" --demo -o "$work/demo.html" ||
	fail "slat-map --demo failed"
grep -q '<svg' "$work/demo.html" || fail "slat-map --demo wrote no SVG"

echo "deb-check: the man page examples against the installed packages"
export PKG_CONFIG_SYSROOT_DIR="$root"
export PKG_CONFIG_LIBDIR="$root/usr/lib/$multiarch/pkgconfig"
block() { # $1 man page (gzip), $2 marker line: its .nf ... .fi block, as C
	zcat "$1" | MARK=$2 awk '$0 == ENVIRON["MARK"] { on = 1; next }
	     on == 1 && /^\.nf/ { on = 2; next }
	     on == 2 && /^\.fi/ { exit }
	     on == 2 && !/^\.in/ { print }' |
		sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g'
}
try() { # $1 page, $2 example, $3 pkg-config module
	page=$root/usr/share/man/man3/$1.3.gz
	block "$page" ".\\\" example: $2" >"$work/$2"
	block "$page" ".\\\" output: $2" >"$work/$2.expected"
	[ -s "$work/$2" ] && [ -s "$work/$2.expected" ] || fail "$1(3) has no example $2"
	# shellcheck disable=SC2046
	${CC:-cc} -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -o "$work/${2%.c}" \
		"$work/$2" $(pkg-config --cflags --libs "$3") || fail "$2 does not compile"
	LD_LIBRARY_PATH="$root/usr/lib/$multiarch" ldd "$work/${2%.c}" |
		grep -q "$root/usr/lib/$multiarch/libslat.so.0" || fail "$2 is not linked to the packaged libslat.so.0"
	LD_LIBRARY_PATH="$root/usr/lib/$multiarch" "$work/${2%.c}" >"$work/$2.out" || fail "$2 failed"
	diff -u "$work/$2.expected" "$work/$2.out" || fail "$2 prints something else than $1(3) says"
	echo "  $1(3): $2 built with pkg-config $3, ran, printed what the page says"
}
try slat_table_init table.c libslat
try slat_pool_init pool.c libslat-hosted
echo "deb-check: ok"
