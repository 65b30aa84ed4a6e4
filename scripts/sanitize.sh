#!/bin/sh
# The unit tests (the multi-threaded tests/unit/test_stress and test_race2
# among them) and the fuzz corpus replay (also with its concurrent second
# mutator) under AddressSanitizer and UndefinedBehaviorSanitizer, in a build directory of their own
# (build-sanitize/, or $SANITIZE_DIR). The emulator tests (examples/*) and
# the freestanding builds are left out: they do not run this build's code.
#
#   scripts/sanitize.sh            clang (or $SANITIZE_CC / $SANITIZE_CXX)
#
# Exits non-zero when a test fails or a sanitizer reports anything.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${SANITIZE_DIR:-$top/build-sanitize}
cc=${SANITIZE_CC:-clang}
cxx=${SANITIZE_CXX:-clang++}
jobs=$(nproc 2>/dev/null || echo 2)
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

command -v "$cc" >/dev/null || { echo "sanitize: $cc not found"; exit 1; }
[ -x "$top/configure" ] || autoreconf -fi >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
"$top/configure" -q --disable-valgrind CC="$cc" CXX="$cxx" \
	CFLAGS="-g -O1 $san" CXXFLAGS="-g -O1 $san" LDFLAGS="$san"
make -s -j"$jobs"

# Every test of the build but the emulators and the freestanding builds.
printf 'sanitize-print-tests:\n\t@echo $(TESTS)\n' >sanitize-tests.mk
tests=""
for t in $(make -s -f Makefile -f sanitize-tests.mk sanitize-print-tests); do
	case $t in
	examples/* | tests/freestanding*) ;;
	*) tests="$tests $t" ;;
	esac
done
rm -f sanitize-tests.mk
echo "sanitize: running$tests"

ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:check_initialization_order=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
if ! make -s -j"$jobs" check TESTS="$tests"; then
	cat test-suite.log
	echo "sanitize: FAILED"
	exit 1
fi
sed -n '1,12p' test-suite.log
echo "sanitize: all tests passed under ASan + UBSan"
