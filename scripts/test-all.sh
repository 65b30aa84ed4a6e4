#!/bin/sh
# The whole test suite, from a clean tree, as CI runs it:
#  1. autotools build in build-check/: unit tests under valgrind, the
#     freestanding x86-64 and AArch64 builds, the C++ header check, the
#     three example hypervisors under QEMU and Bochs, the fuzz corpus replay;
#  2. each fuzzer for 45 s (libFuzzer, ASan, UBSan);
#  3. the unit tests again under ASan + UBSan;
#  3b. the concurrency tests under ThreadSanitizer (scripts/tsan.sh);
#  4. line and branch coverage of lib/ and backends/;
#  5. the API documentation builds without a warning;
#  6. make distcheck (the release tarball builds and passes its tests);
#  7. the Debian packages build, pass lintian and work once installed
#     (scripts/deb-check.sh; without dh_auto_test, step 1 ran the tests).
#  8. the ABI of libslat.so and libslat-hosted.so against abi/ (abidiff).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==== %s ====\n' "$*"; }

step "bootstrap"
autoreconf -fi >/dev/null

step "build and unit tests (valgrind)"
rm -rf build-check && mkdir build-check && cd build-check
"$top/configure" --enable-valgrind -q
make -s -j"$jobs" >build.log 2>&1 || { cat build.log; exit 1; }
make -s -j"$jobs" check >check.log 2>&1 || { cat check.log test-suite.log; exit 1; }
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR|# )' check.log
grep -h -E 'RESULT:|not offered' examples/vmm-*/run-check.log || true
grep -h -E 'kernel [0-9]|slat-test: PASS|RESULT:|QEMU status' examples/linux-npt/run-check.log || true
grep -h -E '^kernel: Debian|^GUEST VERDICT|RESULT:|^check:' examples/linux-stage2/run-check.log 2>/dev/null || true

step "fuzzers (libFuzzer + ASan + UBSan, 45 s per target)"
make -s fuzz FUZZ_TIME=45

step "sanitizers (ASan + UBSan: unit tests and fuzz corpus replay)"
SANITIZE_DIR="$top/build-check/build-sanitize" "$top/scripts/sanitize.sh"

step "thread sanitizer (stress, race points, concurrent fuzz replay)"
TSAN_DIR="$top/build-check/build-tsan" "$top/scripts/tsan.sh"

step "coverage of lib/ and backends/"
COVERAGE_DIR="$top/build-check/build-coverage" "$top/scripts/coverage.sh" >coverage.log 2>&1 ||
	{ tail -50 coverage.log; exit 1; }
grep -A40 'Filename' coverage.log | tail -40

step "API documentation"
make -s docs
if [ -s docs/doxygen-warnings.log ]; then
	cat docs/doxygen-warnings.log
	echo "doxygen warnings: the public API must be fully documented"; exit 1
fi

step "distcheck"
make -s -j"$jobs" distcheck >/dev/null 2>distcheck.err || { tail -50 distcheck.err; exit 1; }
echo "distcheck: ok"

step "Debian packages (build, lintian, install, use)"
DEB_CHECK_DIR="$top/build-check/build-deb" "$top/scripts/deb-check.sh"

step "ABI against abi/*.abi (abidiff)"
ABI_BUILD_DIR="$top/build-check/build-abi" "$top/scripts/abi-check.sh"

step "all tests passed"
