#!/bin/sh
# make check of the top-level build: build the VMM out of tree and boot it
# under QEMU.  Exit status as automake reads it: 0 passed, 1 failed,
# 77 skipped (no QEMU), 99 hard error (the VMM does not build).
#
# VMM_NPT_O: build directory (check.mk sets it to the build tree's
# examples/vmm-npt/build); MAKE, CC, QEMU as usual.
srcdir=$(cd "$(dirname "$0")" && pwd)
O=${VMM_NPT_O:-$(pwd)/examples/vmm-npt/build}
QEMU=${QEMU:-qemu-system-x86_64}
make=${MAKE:-make}

if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "SKIP: $QEMU not installed (Debian: apt-get install qemu-system-x86)"
	exit 77
fi
if ! command -v timeout >/dev/null 2>&1; then
	echo "SKIP: timeout (coreutils) not found"
	exit 77
fi

# Only this script's choices reach the VMM's Makefile, not the top-level
# make's command line (CFLAGS=... there is meant for the library).
unset MAKEFLAGS MFLAGS
set -- -C "$srcdir" O="$O" LIBSLAT="$srcdir/../.." QEMU="$QEMU"
[ -n "$CC" ] && set -- "$@" CC="$CC"

$make "$@" all || { echo "FAIL: the VMM does not build"; exit 99; }
$make "$@" check || exit 1
