#!/bin/sh
# make check: every committed fuzz input through the plain replay driver
# (tests/fuzz/fuzz-replay, built with the configured compiler, no valgrind):
# the seed corpus and the regression inputs of each target must pass; the
# inputs under regressions/<target>/open/ reproduce library bugs not fixed
# yet and are expected to fail (one that passes is reported, not failed).
# Regression inputs run with --all: the generators do not steer around the
# open bugs for them. The corpus runs a second time with SLAT_FUZZ_CONCURRENT=1:
# a second thread changes its own part of the same table meanwhile.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_REPLAY:=./tests/fuzz/fuzz-replay}"
fz="$top_srcdir/tests/fuzz"
status=0
for t in ept npt stage2; do
	"$FUZZ_REPLAY" --target "$t" --fork "$fz/corpus/$t" || status=1
	if [ -d "$fz/regressions/$t" ]; then
		"$FUZZ_REPLAY" --target "$t" --fork --all "$fz/regressions/$t" || status=1
	fi
	# The same corpus with a second mutator in another thread (second.c).
	SLAT_FUZZ_CONCURRENT=1 "$FUZZ_REPLAY" --target "$t" --fork "$fz/corpus/$t" || status=1
	if [ -d "$fz/regressions/$t/open" ]; then
		"$FUZZ_REPLAY" --target "$t" --open --all "$fz/regressions/$t/open" || status=1
	fi
done
exit $status
