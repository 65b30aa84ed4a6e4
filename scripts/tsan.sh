#!/bin/sh
# The concurrency tests under ThreadSanitizer, in a build directory of their
# own (build-tsan/, or $TSAN_DIR): the multi-threaded stress against the
# model (tests/unit/test_stress), the race-point tests (test_race,
# test_race2) and the fuzz corpus replayed with a concurrent second mutator
# (SLAT_FUZZ_CONCURRENT=1 tests/fuzz/fuzz-replay), and the unit tests of
# the concurrent core (tests/unit/test_concurrent_core).
#
#   scripts/tsan.sh            clang (or $TSAN_CC); gcc works too with libtsan2
#
# Exits non-zero when a test fails or ThreadSanitizer reports anything.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${TSAN_DIR:-$top/build-tsan}
cc=${TSAN_CC:-clang}
cxx=${TSAN_CXX:-clang++}
jobs=$(nproc 2>/dev/null || echo 2)
san="-fsanitize=thread -fno-omit-frame-pointer"

command -v "$cc" >/dev/null || { echo "tsan: $cc not found"; exit 1; }
[ -x "$top/configure" ] || autoreconf -fi >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
"$top/configure" -q --disable-valgrind CC="$cc" CXX="$cxx" \
	CFLAGS="-g -O1 $san" CXXFLAGS="-g -O1 $san" LDFLAGS="$san"
progs="tests/unit/test_stress tests/unit/test_concurrent_core tests/unit/test_race tests/unit/test_race2 tests/fuzz/fuzz-replay"
make -s -j"$jobs" $progs >build.log 2>&1 || { tail -40 build.log; exit 1; }

# Any report fails the run (exit code 66), at the first one.
TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:history_size=4"
export TSAN_OPTIONS
# TSan's shadow memory wants a fixed layout: some kernels place mappings
# where clang 14's runtime does not expect them unless ASLR is off.
norand=""
if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
	norand="setarch $(uname -m) -R"
fi

fail=0
run() {
	echo "tsan: $*"
	if ! $norand "$@" >tsan-run.log 2>&1; then
		tail -80 tsan-run.log
		echo "tsan: FAILED: $*"
		fail=1
	else
		grep -E '^test_stress: .*threads:|PASSED|^slat-fuzz' tsan-run.log || true
	fi
}
run tests/unit/test_stress --rounds 4
run tests/unit/test_concurrent_core
run tests/unit/test_race
run tests/unit/test_race2
for t in ept npt stage2; do
	run env SLAT_FUZZ_CONCURRENT=1 tests/fuzz/fuzz-replay --target "$t" \
		"$top/tests/fuzz/corpus/$t"
done
[ "$fail" -eq 0 ] || { echo "tsan: FAILED"; exit 1; }
echo "tsan: all concurrency tests passed under ThreadSanitizer"
