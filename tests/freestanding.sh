#!/bin/sh
# Builds lib/ and backends/ as a hypervisor would: freestanding, without
# libc headers or libraries, for one architecture. Then checks what the
# resulting object needs from outside, and what it defines.
#
# The library may need only the functions the compiler itself may emit calls
# to in a freestanding build (GCC documents memcpy, memmove, memset, memcmp).
# Of those, libslat's objects need exactly the ones listed in ALLOWED; the
# README's "Embedding" section lists them for embedders.
set -eu
arch=$1
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
ALLOWED="memcpy memset"

case $arch in
x86_64)
	cc=${CC:-gcc}
	case $($cc -dumpmachine) in x86_64*) ;; *)
		echo "SKIP: $cc does not target x86-64"; exit 77 ;;
	esac
	archflags="-m64 -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic"
	;;
aarch64)
	cc=${AARCH64_CC:-}
	if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
		echo "SKIP: aarch64-linux-gnu-gcc not installed"; exit 77
	fi
	# Outline atomics would call libgcc helpers; a hypervisor links no libgcc.
	archflags="-mgeneral-regs-only -mno-outline-atomics -fno-pic"
	;;
*) echo "usage: $0 x86_64|aarch64"; exit 2 ;;
esac
prefix=${cc%gcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# -nostdinc: only the compiler's own headers (stdint.h, stddef.h, stdbool.h).
compiler_inc=$($cc -print-file-name=include)
for src in "$top_srcdir"/lib/*.c "$top_srcdir"/backends/*/*.c; do
	obj="$work/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
	$cc -std=gnu11 -O2 -ffreestanding -nostdlib -nostdinc -isystem "$compiler_inc" \
		-fno-stack-protector $archflags -Wall -Wextra -Werror \
		-I"$top_srcdir/include" -I"$top_srcdir/lib" -c "$src" -o "$obj"
done
${prefix}ld -r -o "$work/libslat.o" "$work"/*_*.o

undefined=$(${prefix}nm -u "$work/libslat.o" | awk '{print $2}' | sort -u | tr '\n' ' ')
echo "$arch freestanding build: undefined symbols: ${undefined:-none}"
for sym in $undefined; do
	case " $ALLOWED " in *" $sym "*) ;; *)
		echo "FAIL: $sym is not in the documented list ($ALLOWED)"; exit 1 ;;
	esac
done

# Every global symbol is public API (slat_x) or internal with a slat__ prefix.
bad=$(${prefix}nm -g --defined-only "$work/libslat.o" | awk '{print $3}' | grep -v '^slat_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: global symbols outside the slat_ namespace: $bad"; exit 1
fi
# No writable global state: a hypervisor may run the library on many CPUs.
data=$(${prefix}nm --defined-only "$work/libslat.o" | awk '$2 ~ /^[BbDdCc]$/ {print $3}' || true)
if [ -n "$data" ]; then
	echo "FAIL: writable global or static data: $data"; exit 1
fi
echo "PASS: $arch freestanding build"
