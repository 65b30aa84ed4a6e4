#!/bin/sh
# make check: every workload of slat-bench at tiny sizes, one run, on every
# backend. Times mean nothing here; the workloads' own checks (pages
# translate to what was mapped, leaf counts, dirty bits found = marked,
# the pool balances, W8/W8b's tables equal what the threads hold) must hold.
set -eu
bench=${SLAT_BENCH:-./bench/slat-bench}
out=$("$bench" --smoke) || { echo "$out"; echo "smoke: slat-bench failed"; exit 1; }
echo "$out"
# Every workload reported on every backend, and none failed.
for w in W1 W2a W2b W3 W4a W4b W5 W6 W7 W8 W8b-1; do
	for f in ept npt stage2; do
		echo "$out" | grep -Eq "^$w +[a-z0-9-]+ +$f .* ok( |\$)" ||
			{ echo "smoke: no passing $w on $f"; exit 1; }
	done
done
if echo "$out" | grep -q FAILED; then
	echo "smoke: a workload's check failed"; exit 1
fi
