/* SPDX-License-Identifier: MIT */
/* The fixed workloads of ../shared/bench/WORKLOADS.md, run on libslat. */
#ifndef SLAT_BENCH_WORKLOADS_H
#define SLAT_BENCH_WORKLOADS_H

#include <stdint.h>

#include <slat/slat.h>

#define BENCH_RUNS 5 /* timed runs; the median is reported */

/* One measured figure: a median and what it is per. */
struct figure {
	double value;      /* median over BENCH_RUNS runs */
	const char *unit;  /* e.g. "ns/page" */
};

/* Everything one workload reports. */
struct result {
	const char *id;            /* "W1" */
	const char *name;          /* "map-4k" */
	struct figure fig[2];      /* up to two timed figures */
	uint64_t table_bytes;      /* table memory after the workload */
	uint64_t leaves[3];        /* leaves of 4K, 2M, 1G (W2) */
	double floor_ns;           /* memset of the same table bytes, median */
	int ok;                    /* the workload's own correctness check held */
	const char *note;
};

/* Run workload `w` (1..7) on `fmt`; returns 0, or -1 if it cannot run. */
int bench_run(const struct slat_format *fmt, int w, struct result *r);

#endif
