#!/bin/sh
# make bench-instructions: instructions per unit of every workload on every
# format, counted by callgrind inside the measured region only.
#
# slat-bench --callgrind brackets each measured region with callgrind's
# START/STOP_INSTRUMENTATION client requests (valgrind runs with
# --instr-atstart=no, so set-up and checks are not even instrumented) and
# dumps the counts after it, labelled "slat-bench <id> <format> <units>
# <pages allocated> <unit>". This script divides each dump's total
# instructions (Ir) by its units. Instruction counts repeat from run to
# run where times do not.
set -eu
bench=${SLAT_BENCH:-./bench/slat-bench}
valgrind=${VALGRIND:-valgrind}
[ -n "$valgrind" ] || valgrind=valgrind
command -v "$valgrind" >/dev/null 2>&1 ||
	{ echo "bench-instructions: valgrind not found (apt-get install valgrind)"; exit 1; }
jobs=${BENCH_JOBS:-$(nproc 2>/dev/null || echo 1)}

# One valgrind per format and workload group, $jobs at a time, the
# longest first: the script runs itself with --one for each.
if [ "${1:-}" = --one ]; then
	out=$2 f=$3
	shift 3
	tag=$f-$(echo "$*" | tr ' ' '-')
	if ! "$valgrind" -q --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$out/cg.$tag" \
		"$bench" --callgrind ${BENCH_ARGS:-} -f "$f" "$@" >"$out/log.$tag" 2>"$out/err.$tag"; then
		cat "$out/log.$tag" "$out/err.$tag"
		echo "bench-instructions: slat-bench failed on $f $*"
		exit 1
	fi
	exit 0
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/slat-instr.XXXXXX")
trap 'rm -rf "$out"' EXIT
start=$(date +%s)

for group in W7 W8b W5 "W1 W2 W3 W4 W6 W8"; do
	for f in ept npt stage2; do
		echo "$out $f $group"
	done
done | xargs -P "$jobs" -L 1 sh "$0" --one ||
	{ echo "bench-instructions: FAILED"; exit 1; }

if grep -l FAILED "$out"/log.* >/dev/null 2>&1; then
	grep -h FAILED "$out"/log.*
	echo "bench-instructions: a workload's check failed"
	exit 1
fi

# "desc: Trigger: Client Request: slat-bench W5 ept 1000000 0 lookup" and
# "totals: <Ir>" (older callgrinds write "summary:") from every dump.
for file in "$out"/cg.*; do
	awk '
		/^desc: Trigger: Client Request: slat-bench / { id = $6; f = $7; u = $8; al = $9
			unit = $10; for (i = 11; i <= NF; i++) unit = unit " " $i }
		/^(totals|summary): / { ir = $2 }
		END { if (id != "" && id != "warm-up") printf "%s %s %s %s|%s|%s\n", id, f, ir, u, al, unit }
	' "$file"
done >"$out/counts"

head -1 "$out/log.ept-W5"
sed -n 2p "$out/log.ept-W5"
echo "callgrind: $("$valgrind" --version); $jobs at a time"
echo "W8, W8b: $(grep -h '^W8, W8b' "$out/log.ept-W8b" | sed 's/^W8, W8b: //; s/;.*//')"
echo
echo "Instructions per unit, callgrind, measured region only"
echo "(W5 with 1,000,000 lookups instead of 10,000,000, W8b with 200,000 operations"
echo " per thread instead of 1,000,000: per-unit figures comparable with the full sizes, see"
echo " bench/README.md; the loop that drives the calls is counted too, and measured"
echo " alone for W3, W4b and W5; the pool's page zeroing is not counted)"
echo
awk -v order="W1 W1u W2a W2b W3 W4a W4b W5 W6 W7 W8 W8b-1 W8b-2 W8b-3 W8b-4" '
	BEGIN {
		n = split(order, ids, " ")
		split("ept npt stage2", fs, " ")
		target["W3"] = "<= 280"; target["W4b"] = "<= 115"; target["W5"] = "<= 50"
		target["W7"] = "<= 1,000"; target["W6"] = "<= 2"
		target["W1"] = "no worse"; target["W2a"] = "no worse"
		target["W1u"] = "(W1 unzeroed)"
		target["W2b"] = "no worse"; target["W4a"] = "no worse"
		target["W8"] = "1.8x in time"
	}
	{
		split($4, uu, "|")
		per[$1, $2] = $3 / uu[1]; unit[$1] = uu[3]; seen[$1] = 1
		allocs[$1, $2] = uu[2] / uu[1]
	}
	END {
		printf "%-7s %-13s %10s %10s %10s   %-20s %-13s %s\n", "id", "per", "ept", "npt",
		       "stage2", "net of loop (e/n/s)", "issue 8", "pages alloc./unit (ept)"
		for (i = 1; i <= n; i++) {
			id = ids[i]
			if (!seen[id]) continue
			printf "%-7s %-13s", id, unit[id]
			net = ""
			for (j = 1; j <= 3; j++) {
				if ((id, fs[j]) in per) printf " %10.2f", per[id, fs[j]]
				else printf " %10s", "n/a"
				if ((id "-loop", fs[j]) in per)
					net = net (j > 1 ? " / " : "") sprintf("%.0f", per[id, fs[j]] - per[id "-loop", fs[j]])
			}
			printf "   %-20s %-13s %.4g\n", net, target[id], allocs[id, "ept"]
		}
		printf "\nthe harness loop alone (random numbers, the call, the checks):"
		for (i = 1; i <= n; i++)
			if ((ids[i] "-loop", "ept") in per)
				printf " %s %.0f/%s", ids[i], per[ids[i] "-loop", "ept"], unit[ids[i]]
		printf "\n"
	}
' "$out/counts"
echo
echo "W8b-N: N threads, serialised by valgrind (one thread runs at a time): instructions"
echo "per op show what the lock and sharing cost, not a speedup."
echo "bench-instructions: $(( $(date +%s) - start )) s"
