/* SPDX-License-Identifier: MIT */
/*
 * slat-bench: the workloads of ../shared/bench/WORKLOADS.md on each
 * backend, medians of 5 runs, with the memset floor beside W1 and W4a.
 *
 *   slat-bench            every workload on every backend
 *   slat-bench W1 W5      some workloads
 *   slat-bench -f ept     one backend
 *
 * W8 (two threads mapping into one table) is n/a: libslat requires callers
 * to serialise calls on one table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads.h"

static const struct slat_format *const formats[] = {
	&slat_format_ept, &slat_format_npt, &slat_format_stage2,
};

int main(int argc, char **argv)
{
	int want[9] = { 0 }, any = 0, i, f;
	const char *only = NULL;
	int failed = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else if ((argv[i][0] == 'W' || argv[i][0] == 'w') && argv[i][1] >= '1' &&
			   argv[i][1] <= '8') {
			want[argv[i][1] - '0'] = 1;
			any = 1;
		} else {
			fprintf(stderr, "usage: %s [-f ept|npt|stage2] [W1..W8]...\n", argv[0]);
			return 2;
		}
	}
	printf("%-3s %-14s %-7s %14s %-18s %14s %-18s %12s %12s  %s\n", "id", "name",
	       "format", "median", "unit", "median", "unit", "table bytes",
	       "memset ns/pg", "check");
	for (i = 1; i <= 8; i++) {
		if (any && !want[i])
			continue;
		for (f = 0; f < 3; f++) {
			struct result r;
			const char *name = slat_format_name(formats[f]);

			if (only && strcmp(only, name) != 0)
				continue;
			if (i == 8) {
				printf("%-3s %-14s %-7s %14s\n", "W8", "concurrent", name, "n/a");
				continue;
			}
			bench_run(formats[f], i, &r);
			printf("%-3s %-14s %-7s %14.2f %-18s", r.id, r.name, name,
			       r.fig[0].value, r.fig[0].unit);
			if (r.fig[1].unit)
				printf(" %14.2f %-18s", r.fig[1].value, r.fig[1].unit);
			else
				printf(" %14s %-18s", "", "");
			printf(" %12llu", (unsigned long long)r.table_bytes);
			if (r.floor_ns > 0)
				printf(" %12.3f", r.floor_ns);
			else
				printf(" %12s", "");
			printf("  %s", r.ok ? "ok" : "FAILED");
			if (i == 2)
				printf(" leaves 4K=%llu 2M=%llu 1G=%llu",
				       (unsigned long long)r.leaves[0],
				       (unsigned long long)r.leaves[1],
				       (unsigned long long)r.leaves[2]);
			if (r.note)
				printf(" (%s)", r.note);
			printf("\n");
			fflush(stdout);
			failed |= !r.ok;
		}
	}
	return failed;
}
