/* SPDX-License-Identifier: MIT */
/*
 * slat-bench: the workloads of ../shared/bench/WORKLOADS.md on each
 * backend; times are medians of 5 runs after one warm-up, with no
 * first-touch page fault inside a timing. bench/README.md says how to read
 * the output; bench/instructions.sh (make bench-instructions) runs it
 * under callgrind for instructions per unit.
 *
 *   slat-bench                 every workload on every backend
 *   slat-bench W1 W5 W8b       some workloads
 *   slat-bench -f ept          one backend
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads.h"

static const struct slat_format *const formats[] = {
	&slat_format_ept, &slat_format_npt, &slat_format_stage2,
};

static const char *line_prefix = "";

/* One line of output; every line of an unoptimised run says so. */
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs(line_prefix, stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [options] [W1 W2 W3 W4 W5 W6 W7 W8 W8b]...\n"
		"  -f ept|npt|stage2    one backend only\n"
		"  -t N                 W8b up to N threads (default: online CPUs)\n"
		"  --ops N              W7, and each thread of W8b, make N operations\n"
		"  --callgrind          one run per region for bench/instructions.sh,\n"
		"                       W5/W7/W8b reduced; only under valgrind\n"
		"  --smoke              tiny sizes, one run, checks only (make check)\n"
		"  --phys-to-virt       reach tables through the allocator's hook,\n"
		"                       not the linear map (SLAT_FEAT_LINEAR_MAP)\n"
		"  --allow-unoptimised  run a build without -O2 anyway, every line\n"
		"                       labelled UNOPTIMISED (for debugging only)\n",
		argv0);
	exit(2);
}

/* W1..W8 are 1..8; W8b is 9. */
static int parse_workload(const char *s)
{
	if ((s[0] != 'W' && s[0] != 'w') || s[1] < '1' || s[1] > '8')
		return 0;
	if (s[2] == '\0')
		return s[1] - '0';
	if (s[1] == '8' && (s[2] == 'b' || s[2] == 'B') && s[3] == '\0')
		return 9;
	return 0;
}

static void print_result(const struct result *r, const char *format)
{
	int k;

	for (k = 0; k < r->nfig; k++) {
		const struct figure *f = &r->fig[k];
		char bytes[24] = "";

		if (k == 0 && r->table_bytes)
			snprintf(bytes, sizeof(bytes), "%llu",
				 (unsigned long long)r->table_bytes);
		say("%-9s %-16s %-7s %14.2f %-18s %11s  %-6s %s%s%s", f->id ? f->id : r->id,
		    r->name, format, f->value, f->unit, bytes, r->ok ? "ok" : "FAILED",
		    f->text, (k == 0 && r->note[0] && f->text[0]) ? "; " : "",
		    k == 0 ? r->note : "");
	}
}

int main(int argc, char **argv)
{
	int want[10] = { 0 }, any = 0, i, f, failed = 0;
	bool allow_unopt = false;
	const char *only = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t ops = 0;

	bench.mode = MODE_TIME;
	bench.max_threads = cpus > 0 ? (int)cpus : 1;
	for (i = 1; i < argc; i++) {
		int w = parse_workload(argv[i]);

		if (w) {
			want[w] = any = 1;
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			bench.max_threads = atoi(argv[++i]);
			if (bench.max_threads < 1)
				usage(argv[0]);
		} else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) {
			ops = strtoull(argv[++i], NULL, 0);
			if (!ops)
				usage(argv[0]);
		} else if (strcmp(argv[i], "--callgrind") == 0) {
			bench.mode = MODE_CALLGRIND;
		} else if (strcmp(argv[i], "--smoke") == 0) {
			bench.mode = MODE_SMOKE;
		} else if (strcmp(argv[i], "--phys-to-virt") == 0) {
			bench.hook = true;
		} else if (strcmp(argv[i], "--allow-unoptimised") == 0) {
			allow_unopt = true;
		} else {
			usage(argv[0]);
		}
	}
	if (only && strcmp(only, "ept") && strcmp(only, "npt") && strcmp(only, "stage2"))
		usage(argv[0]);

	/* A figure from an unoptimised build is not a benchmark figure. A
	 * smoke run only checks results, so it may run on any build. */
	if (!build_optimised() && bench.mode != MODE_SMOKE) {
		if (!allow_unopt) {
			fprintf(stderr,
				"slat-bench: this build is not optimised (CFLAGS \"%s\", level %s):\n"
				"its figures would not be benchmark figures. Configure with\n"
				"CFLAGS containing -O2 (autoconf's default is \"-g -O2\") and\n"
				"rebuild, or pass --allow-unoptimised to run it anyway with\n"
				"every line labelled UNOPTIMISED.\n",
				build_cflags(), build_opt_level());
			return 3;
		}
		line_prefix = "UNOPTIMISED ";
	}
	if (bench.mode == MODE_CALLGRIND && !have_callgrind()) {
		fprintf(stderr, "slat-bench: built without <valgrind/callgrind.h>: "
				"install valgrind and rebuild for --callgrind\n");
		return 3;
	}

	switch (bench.mode) {
	case MODE_TIME:
		bench.warmups = 1;
		bench.runs = BENCH_RUNS;
		bench.w3_calls = bench.w4b_calls = 10000;
		bench.w5_lookups = 10000000;
		bench.w7_ops = bench.w8b_ops = 1000000;
		break;
	case MODE_CALLGRIND:
		/* Instructions do not vary from run to run: one run each. W5
		 * and W8b are cut down to keep callgrind practical. W5's
		 * per-lookup figure stays comparable (its table is W1's
		 * whatever the number of lookups); W7 is not cut, because its
		 * live set, and with it the share of maps that allocate a
		 * table, depends on the number of operations. */
		bench.warmups = 0;
		bench.runs = 1;
		bench.w3_calls = bench.w4b_calls = 10000;
		bench.w5_lookups = 1000000;
		bench.w7_ops = 1000000;
		bench.w8b_ops = 200000; /* per thread */
		break;
	case MODE_SMOKE:
		bench.warmups = 0;
		bench.runs = 1;
		bench.w3_calls = bench.w4b_calls = 1000;
		bench.w5_lookups = 10000;
		bench.w7_ops = bench.w8b_ops = 10000;
		break;
	}

	if (ops)
		bench.w7_ops = bench.w8b_ops = ops;
	say("slat-bench: libslat %s; compiled by %s with CFLAGS \"%s\" (%s)", PACKAGE_VERSION,
	    build_cc(), build_cflags(),
	    build_optimised() ? "optimised" : "NOT OPTIMISED: not benchmark figures");
	if (bench.mode == MODE_TIME)
		say("time: median of %d runs after %d warm-up, per unit; table pool of 64 MiB "
		    "written before any timing (no first-touch fault inside a timing)",
		    bench.runs, bench.warmups);
	else
		say("%s: W3 %llu calls, W4b %llu calls, W5 %llu lookups, W7 %llu ops, "
		    "W8b %llu ops per thread; times below are not figures",
		    bench.mode == MODE_CALLGRIND ? "callgrind run" : "smoke run",
		    (unsigned long long)bench.w3_calls, (unsigned long long)bench.w4b_calls,
		    (unsigned long long)bench.w5_lookups, (unsigned long long)bench.w7_ops,
		    (unsigned long long)bench.w8b_ops);
	say("W8, W8b: %s; %ld online CPUs", concurrency_label, cpus);
	say("%-9s %-16s %-7s %14s %-18s %11s  %-6s %s", "id", "workload", "format", "median",
	    "unit", "table bytes", "check", "notes");
	for (i = 1; i <= 9; i++) {
		if (any && !want[i])
			continue;
		for (f = 0; f < 3; f++) {
			const char *name = slat_format_name(formats[f]);
			struct result r;

			if (only && strcmp(only, name) != 0)
				continue;
			bench_run(formats[f], i, &r);
			print_result(&r, name);
			failed |= !r.ok;
		}
	}
	return failed;
}
