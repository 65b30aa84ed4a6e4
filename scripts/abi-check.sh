#!/bin/sh
# SPDX-License-Identifier: MIT
# Build libslat and compare the ABI of libslat.so and libslat-hosted.so with
# the baselines committed in abi/ (abidw output of the release whose ABI is
# promised: LIBSLAT_0.2). Fails when a function or variable was removed or
# changed, or a type reachable from them changed (abidiff's "incompatible"
# bit and its change summary); additions pass, and are listed.
#
#   scripts/abi-check.sh            check (CI: scripts/test-all.sh)
#   scripts/abi-check.sh --update   rewrite abi/*.abi after an intended,
#                                   versioned change (new node in the maps)
#
# ABI_BUILD_DIR: where to build (default: a temporary directory).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-check}

for tool in abidw abidiff; do
	command -v $tool >/dev/null 2>&1 || {
		echo "abi-check: $tool not found (Debian package abigail-tools)"; exit 1; }
done

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
build=${ABI_BUILD_DIR:-}
if [ -z "$build" ]; then
	build=$(mktemp -d)
	trap 'rm -rf "$build"' EXIT
fi
mkdir -p "$build"
cd "$build"
# Debug information is what abidw reads; the optimisation level is the
# release build's.
"$top/configure" -q --disable-valgrind CFLAGS="-g -O2" >/dev/null
make -s -j2 libslat.la libslat-hosted.la >/dev/null

# Every function and object the headers declare (not the static inline
# ones) is exported, and nothing else: the version scripts must follow the
# headers.
declared() {
	sed -n -e '/^static/d' \
		-e 's/^[a-z][a-z0-9_ ]*[ *]\(slat_[a-z0-9_]*\)(.*/\1/p' \
		-e 's/^extern const struct slat_format \(slat_[a-z0-9_]*\);/\1/p' "$@" | sort -u
}
exported() {
	nm -D --defined-only "$1" | awk '{print $3}' | sed 's/@.*//' | grep -v '^LIBSLAT' | sort -u
}
status=0
# The hosted library's headers (stdio, malloc): libslat-hosted exports
# what they declare, libslat what all the others do.
hosted='/(hosted|map_svg)\.h$'
declared $(ls "$top"/include/slat/*.h | grep -vE "$hosted") >"$build/libslat.declared"
declared $(ls "$top"/include/slat/*.h | grep -E "$hosted") >"$build/libslat-hosted.declared"
for lib in libslat libslat-hosted; do
	exported .libs/$lib.so >"$build/$lib.exported"
	if ! diff -u "$build/$lib.declared" "$build/$lib.exported" >"$build/$lib.symdiff"; then
		echo "FAIL: $lib: exported symbols differ from the headers' declarations (-declared +exported):"
		cat "$build/$lib.symdiff"
		status=1
	fi
done
for lib in libslat libslat-hosted; do
	so=.libs/$lib.so
	base=$top/abi/$lib.abi
	if [ "$mode" = --update ]; then
		abidw --no-corpus-path --short-locs --headers-dir "$top/include/slat" \
			--out-file "$base" "$so"
		# The build directory is one machine's path: keep it out of the
		# committed baseline (abidiff does not compare it).
		sed -i "s|comp-dir-path='[^']*'|comp-dir-path='.'|" "$base"
		echo "abi-check: wrote $base"
		continue
	fi
	rc=0
	abidiff --no-show-locs --hd2 "$top/include/slat" "$base" "$so" >"$build/$lib.diff" 2>&1 || rc=$?
	# abidiff's status: bit 0 error, bit 1 usage, bit 2 ABI change,
	# bit 3 incompatible change.
	if [ $((rc & 3)) -ne 0 ]; then
		echo "abi-check: $lib: abidiff failed (status $rc)"; cat "$build/$lib.diff"; status=1
		continue
	fi
	removed_or_changed=$(grep -E 'changes summary:' "$build/$lib.diff" |
		grep -vE ': 0 Removed(, 0 Removed \([^)]*\))?, 0 Changed' || true)
	if [ $((rc & 8)) -ne 0 ] || [ -n "$removed_or_changed" ]; then
		echo "FAIL: $lib: incompatible ABI change against abi/$lib.abi:"
		cat "$build/$lib.diff"
		status=1
	elif [ $((rc & 4)) -ne 0 ]; then
		echo "abi-check: $lib: compatible additions (give them a new version node):"
		cat "$build/$lib.diff"
	else
		echo "PASS: $lib ABI matches abi/$lib.abi"
	fi
done
exit $status
