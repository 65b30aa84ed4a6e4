#!/bin/sh
# The top-level "make check" for examples/vmm-stage2-smp: build the VMM out
# of tree and boot it under QEMU with two CPUs, then the scratch builds in
# which CPU 1's TLB invalidations do not reach CPU 0 (none, or local forms
# only), which must make the guest fail.
# Exit status as automake reads it: 0 both as expected, 1 otherwise, 77
# skipped (no cross compiler or no QEMU), 99 hard error (no build).
#
# Environment (check.mk sets the first):
#   VMM_STAGE2_SMP_O  build directory, default ./examples/vmm-stage2-smp/build
#   AARCH64_CC        the cross compiler, default aarch64-linux-gnu-gcc
#   SLAT_MODE         lock or concurrent, as in the example's Makefile
#   QEMU, TIMEOUT     as in the example's Makefile
srcdir=$(cd "$(dirname "$0")" && pwd)
O=${VMM_STAGE2_SMP_O:-$(pwd)/examples/vmm-stage2-smp/build}
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-system-aarch64}
make=${MAKE:-make}
mode=${SLAT_MODE:-}

case $cc in
*gcc) ;;
*) echo "SKIP: cannot derive the binutils prefix from AARCH64_CC=$cc"; exit 77 ;;
esac
for tool in "$cc" "$QEMU" timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed (Debian: gcc-aarch64-linux-gnu, qemu-system-arm, coreutils)"
		exit 77
	fi
done

unset MAKEFLAGS MFLAGS CFLAGS BROKEN SLAT_MODE
set -- -C "$srcdir" O="$O" LIBSLAT="$srcdir/../.." VMM="$srcdir/../vmm-stage2" \
	CROSS="${cc%gcc}" QEMU="$QEMU"
[ -n "$mode" ] && set -- "$@" SLAT_MODE="$mode"
[ -n "$TIMEOUT" ] && set -- "$@" TIMEOUT="$TIMEOUT"

$make "$@" all || { echo "FAIL: the VMM does not build"; exit 99; }
for what in flush local-tlbi; do
	$make "$@" BROKEN=$what all || { echo "FAIL: the scratch build BROKEN=$what does not build"; exit 99; }
done
status=0
$make "$@" check || status=1
$make "$@" check-broken || status=1
exit $status
