#!/bin/sh
# Automake test: build examples/vmm-ept (a VMX + EPT hypervisor whose tables
# libslat builds) and run its checks under Bochs.
#
# Exit status: 0 all checks passed, 1 a check failed, 77 skipped (Bochs or
# its BIOS is not installed), 99 the VMM did not build.
#
# Environment (check.mk sets them; the defaults suit a manual run from the
# top build directory):
#   top_srcdir  the libslat source tree (default: two levels above this script)
#   VMM_EPT_O   where the build outputs go (default:
#               $abs_top_builddir/examples/vmm-ept/build if abs_top_builddir
#               is set, else build/ next to this script)
#   BOCHS       the Bochs binary (default: bochs)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${VMM_EPT_O:=${abs_top_builddir:+$abs_top_builddir/examples/vmm-ept/build}}"
: "${VMM_EPT_O:=$here/build}"
: "${BOCHS:=bochs}"
bios=/usr/share/bochs/BIOS-bochs-latest

if ! command -v "$BOCHS" >/dev/null 2>&1 || ! [ -r "$bios" ]; then
	echo "SKIP: Bochs ($BOCHS and $bios, Debian packages bochs and bochsbios) is not installed"
	exit 77
fi

# The VMM's Makefile is its own: do not hand it the flags, variables and
# job server of the make that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
vmm="make -C $top_srcdir/examples/vmm-ept O=$VMM_EPT_O LIBSLAT=$top_srcdir BOCHS=$BOCHS"

$vmm all || { echo "ERROR: the VMM did not build"; exit 99; }
$vmm check || exit 1
