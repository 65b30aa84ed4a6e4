#!/bin/sh
# Line and branch coverage of lib/ and backends/ by the unit tests and the
# fuzz corpus replay, in build-coverage/ (or $COVERAGE_DIR):
#
#   scripts/coverage.sh
#
# prints a per-file summary and the total, and writes the report under the
# build directory: coverage.info (lcov), coverage.txt (the summary),
# uncovered.txt (every line never executed) and html/ when genhtml exists.
# Falls back to plain gcov output when lcov is not installed.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${COVERAGE_DIR:-$top/build-coverage}
jobs=$(nproc 2>/dev/null || echo 2)

[ -x "$top/configure" ] || autoreconf -fi >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
# Static only: one object, so one set of counters, per source file.
"$top/configure" -q --disable-valgrind --disable-shared CC=gcc CXX=g++ \
	CFLAGS="-O0 -g --coverage" CXXFLAGS="-O0 -g --coverage" LDFLAGS="--coverage"
make -s -j"$jobs"

printf 'coverage-print-tests:\n\t@echo $(TESTS)\n' >coverage-tests.mk
tests=""
for t in $(make -s -f Makefile -f coverage-tests.mk coverage-print-tests); do
	case $t in
	examples/* | tests/freestanding*) ;;
	*) tests="$tests $t" ;;
	esac
done
rm -f coverage-tests.mk
make -s -j"$jobs" check TESTS="$tests" || { cat test-suite.log; exit 1; }

if command -v lcov >/dev/null 2>&1; then
	rc="--rc lcov_branch_coverage=1"
	lcov -q $rc --capture --directory . --base-directory "$top" -o all.info 2>/dev/null
	lcov -q $rc --extract all.info "$top/lib/*" "$top/backends/*" -o coverage.info
	lcov $rc --list coverage.info | tee coverage.txt
	lcov $rc --summary coverage.info 2>&1 | tee -a coverage.txt
	# Every line never executed, as file:line.
	awk -F'[:,]' '/^SF:/ { f = substr($0, 4); sub("^'"$top"'/", "", f) }
		/^DA:/ && $3 == 0 { print f ":" $2 }' coverage.info >uncovered.txt
	if command -v genhtml >/dev/null 2>&1; then
		genhtml -q $rc --branch-coverage coverage.info -o html >/dev/null 2>&1 || true
	fi
	echo "coverage: report in $dir (coverage.txt, uncovered.txt, html/)"
else
	mkdir -p gcov
	(cd gcov && for g in $(find .. -name '*.gcda' \( -path '*/lib/*' -o -path '*/backends/*' \)); do
		gcov -b -o "$(dirname "$g")" "$g" 2>/dev/null; done) | tee coverage.txt |
		grep -A2 "^File '$top/\(lib\|backends\)"
	echo "coverage: gcov files in $dir/gcov"
fi
