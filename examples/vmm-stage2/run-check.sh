#!/bin/sh
# The top-level "make check" for examples/vmm-stage2: build the VMM out of
# tree (with the libslat sources of this checkout) and boot it under QEMU,
# once for each stage-2 granule (4, 16 and 64 KiB, and 64 KiB again with a
# 52-bit IPA), one QEMU at a time.
# Exit status as automake reads it: 0 all passed, 1 any failed, 77 skipped
# (no cross compiler or no QEMU), 99 hard error (the VMM does not build).
#
# Environment (check.mk sets the first; configure finds the second):
#   VMM_STAGE2_O         build directory, default ./examples/vmm-stage2/build;
#                        each granule builds in its own subdirectory (4k, 16k, 64k)
#   AARCH64_CC           the cross compiler, default aarch64-linux-gnu-gcc
#   VMM_STAGE2_GRANULES  the granules to run, each as G or G:IPA_BITS,
#                        default "4 16 64 64:52"
#   QEMU, TIMEOUT as in the VMM's Makefile
srcdir=$(cd "$(dirname "$0")" && pwd)
O=${VMM_STAGE2_O:-$(pwd)/examples/vmm-stage2/build}
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-system-aarch64}
make=${MAKE:-make}
granules=${VMM_STAGE2_GRANULES:-4 16 64 64:52}

case $cc in
*gcc) ;;
*) echo "SKIP: cannot derive the binutils prefix from AARCH64_CC=$cc"; exit 77 ;;
esac
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: $cc not installed (Debian: apt-get install gcc-aarch64-linux-gnu)"
	exit 77
fi
if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "SKIP: $QEMU not installed (Debian: apt-get install qemu-system-arm)"
	exit 77
fi
if ! command -v timeout >/dev/null 2>&1; then
	echo "SKIP: timeout (coreutils) not found"
	exit 77
fi

# Only this script's choices reach the VMM's Makefile, not the top-level
# make's flags (CFLAGS=... there is meant for the library's host build).
unset MAKEFLAGS MFLAGS CFLAGS GRANULE IPA_BITS
set -- -C "$srcdir" O="$O" LIBSLAT="$srcdir/../.." CROSS="${cc%gcc}" QEMU="$QEMU"
[ -n "$TIMEOUT" ] && set -- "$@" TIMEOUT="$TIMEOUT"

status=0 summary=
for run in $granules; do
	g=${run%%:*}
	ipa=
	[ "$g" != "$run" ] && ipa="IPA_BITS=${run#*:}"
	echo "==== stage-2 granule $g KiB${ipa:+ ($ipa)} ===="
	# shellcheck disable=SC2086
	$make "$@" GRANULE="$g" $ipa all || { echo "FAIL: the VMM does not build (GRANULE=$g $ipa)"; exit 99; }
	# shellcheck disable=SC2086
	if $make "$@" GRANULE="$g" $ipa check; then
		summary="$summary ${g}K${ipa:+/${run#*:}}:PASS"
	else
		summary="$summary ${g}K${ipa:+/${run#*:}}:FAIL"
		status=1
	fi
done
echo "vmm-stage2 granules:$summary"
exit $status
