#!/bin/sh
# The whole test suite, from a clean tree, as CI runs it:
#  1. autotools build in build-check/: unit tests under valgrind, the
#     freestanding x86-64 and AArch64 builds, the C++ header check;
#  2. make distcheck (the release tarball builds and passes its tests);
#  3. the API documentation builds.
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
make -s -j"$jobs"
make -s -j"$jobs" check || { cat test-suite.log; exit 1; }
cat test-suite.log | sed -n '1,12p'

step "API documentation"
make -s docs
if [ -s docs/doxygen-warnings.log ]; then
	cat docs/doxygen-warnings.log
	echo "doxygen warnings: the public API must be fully documented"; exit 1
fi

step "distcheck"
make -s -j"$jobs" distcheck >/dev/null 2>distcheck.err || { tail -50 distcheck.err; exit 1; }
echo "distcheck: ok"

step "all tests passed"
