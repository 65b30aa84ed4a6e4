#!/bin/sh
# make check of the top-level build: build linux-npt out of tree, boot
# Debian's kernel under it in QEMU and run the churn test.  Exit status as
# automake reads it: 0 passed, 1 failed, 77 skipped (no QEMU, no timeout,
# no cpio or no kernel cache), 99 hard error (it does not build).
#
# LINUX_NPT_O: build directory (check.mk sets it); SLAT_LINUX_CACHE,
# MAKE, CC, QEMU as usual.
srcdir=$(cd "$(dirname "$0")" && pwd)
O=${LINUX_NPT_O:-$(pwd)/examples/linux-npt/build}
QEMU=${QEMU:-qemu-system-x86_64}
CACHE=${SLAT_LINUX_CACHE:-/var/cache/libslat/linux}
make=${MAKE:-make}

for tool in "$QEMU" timeout cpio; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 77
	fi
done
for f in vmlinuz busybox; do
	if [ ! -r "$CACHE/amd64/$f" ]; then
		echo "SKIP: no $CACHE/amd64/$f (scripts/fetch-linux.sh amd64 puts it there)"
		exit 77
	fi
done

# Only this script's choices reach the example's Makefile, not the
# top-level make's command line (CFLAGS=... there is meant for the library).
unset MAKEFLAGS MFLAGS
set -- -C "$srcdir" O="$O" LIBSLAT="$srcdir/../.." QEMU="$QEMU" SLAT_LINUX_CACHE="$CACHE"
[ -n "$CC" ] && set -- "$@" CC="$CC"

$make "$@" all || { echo "FAIL: linux-npt does not build"; exit 99; }
$make "$@" check || exit 1
