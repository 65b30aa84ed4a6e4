/* SPDX-License-Identifier: MIT */
/* The fixed workloads of ../shared/bench/WORKLOADS.md, run on libslat. */
#ifndef SLAT_BENCH_WORKLOADS_H
#define SLAT_BENCH_WORKLOADS_H

#include <pthread.h>
#include <stdint.h>

#include <slat/slat.h>

#include "measure.h"

#define MAX_FIGURES 12

/* One measured figure: a median and what it is per. */
struct figure {
	const char *id;   /* "W4a"; the workload's id when NULL */
	double value;     /* median over bench.runs runs */
	const char *unit; /* e.g. "ns/page" */
	char text[96];    /* what to print after it (a ratio, a floor), or "" */
};

/* Everything one workload reports. */
struct result {
	const char *id;       /* "W1" */
	const char *name;     /* "map-4k" */
	struct figure fig[MAX_FIGURES];
	int nfig;
	uint64_t table_bytes; /* table memory after the workload (W7: peak) */
	int ok;               /* the workload's own checks held */
	char note[160];       /* what the checks found, leaf counts, ... */
};

/* One table and what it needs, with pages from bench_pool(). */
struct bench_table {
	struct slat_caps caps;
	struct slat_table t;
	struct slat_gather g;
	pthread_mutex_t lock; /* the embedder's lock (W8, W8b) */
};

void table_open(struct bench_table *b, const struct slat_format *fmt, bool ad,
		struct slat_allocator alloc);
/* A SLAT_FEAT_CONCURRENT table (W8, W8b without the embedder's lock). */
void table_open_concurrent(struct bench_table *b, const struct slat_format *fmt,
			   struct slat_allocator alloc);
void table_close(struct bench_table *b);
uint64_t table_bytes(const struct bench_table *b);
void must(int err, const char *what);
void add_figure(struct result *r, const char *id, double value, const char *unit);

/* Run workload `w` (1..9; 9 is W8b) on `fmt`; returns 0, or -1 if unknown. */
int bench_run(const struct slat_format *fmt, int w, struct result *r);

/* W1 once, timed, on a fresh table: the one-thread reference of W8. */
double w1_once(const struct slat_format *fmt, bool record);

/* concurrent.c */
void w8(const struct slat_format *fmt, struct result *r);
void w8b(const struct slat_format *fmt, struct result *r);
extern const char *const concurrency_label;

#endif
