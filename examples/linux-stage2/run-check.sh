#!/bin/sh
# The top-level "make check" for examples/linux-stage2: build the
# hypervisor, the initramfs and the device tree out of tree, then one
# bounded boot-and-churn run of Debian's arm64 kernel under QEMU.
# Exit status as automake reads it: 0 passed, 1 failed, 77 skipped (no
# cross compiler, QEMU, fdtput, cpio, or no kernel in the cache), 99 hard
# error (the hypervisor does not build).
#
# Environment (check.mk sets the first):
#   LINUX_STAGE2_O    build directory, default ./examples/linux-stage2/build
#   AARCH64_CC        the cross compiler, default aarch64-linux-gnu-gcc
#   SLAT_LINUX_CACHE  where scripts/fetch-linux.sh put the kernel, default
#                     /var/cache/libslat/linux
#   QEMU, TIMEOUT, PASSES as in the example's Makefile
srcdir=$(cd "$(dirname "$0")" && pwd)
O=${LINUX_STAGE2_O:-$(pwd)/examples/linux-stage2/build}
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-system-aarch64}
cache=${SLAT_LINUX_CACHE:-/var/cache/libslat/linux}
make=${MAKE:-make}

case $cc in
*gcc) ;;
*) echo "SKIP: cannot derive the binutils prefix from AARCH64_CC=$cc"; exit 77 ;;
esac
for tool in "$cc" "$QEMU" fdtput cpio timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed (Debian: gcc-aarch64-linux-gnu, qemu-system-arm, device-tree-compiler, cpio)"
		exit 77
	fi
done
if [ ! -s "$cache/arm64/vmlinuz" ] || [ ! -x "$cache/arm64/busybox" ]; then
	echo "SKIP: no arm64 kernel and busybox in $cache/arm64 (run scripts/fetch-linux.sh arm64 as root)"
	exit 77
fi

unset MAKEFLAGS MFLAGS CFLAGS BROKEN
set -- -C "$srcdir" O="$O" LIBSLAT="$srcdir/../.." VMM="$srcdir/../vmm-stage2" \
	CROSS="${cc%gcc}" QEMU="$QEMU" SLAT_LINUX_CACHE="$cache"
[ -n "$TIMEOUT" ] && set -- "$@" TIMEOUT="$TIMEOUT"
[ -n "$PASSES" ] && set -- "$@" PASSES="$PASSES"

$make "$@" all || { echo "FAIL: the hypervisor, initramfs or device tree does not build"; exit 99; }
$make "$@" check
