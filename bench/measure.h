/* SPDX-License-Identifier: MIT */
/*
 * How slat-bench measures: a clock or callgrind around the measured region
 * only, a pool written once before any timing, the memset floor into warm
 * memory, and the compiler flags of the build.
 */
#ifndef SLAT_BENCH_MEASURE_H
#define SLAT_BENCH_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include <slat/hosted.h>

#define BENCH_RUNS 5 /* timed runs after one warm-up; the median is reported */

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define PAGE 4096ull
#define HPA_OFF 0x100000000ull
#define SEED 0x5eed5eed5eed5eedull

/* What a run measures. */
enum bench_mode {
	MODE_TIME,      /* wall-clock medians */
	MODE_CALLGRIND, /* one run per region, instructions counted by callgrind */
	MODE_SMOKE,     /* tiny sizes, checks only (make check) */
};

/* The settings of this process, set once by main(). */
struct bench_env {
	enum bench_mode mode;
	int warmups;          /* untimed runs before the timed ones */
	int runs;             /* timed runs; the median is reported */
	uint64_t w3_calls;    /* W3 protect calls (10,000) */
	uint64_t w4b_calls;   /* W4b unmap calls (10,000) */
	uint64_t w5_lookups;  /* W5 lookups (10,000,000) */
	uint64_t w7_ops;      /* W7 operations (1,000,000) */
	uint64_t w8b_ops;     /* W8b operations of each thread */
	int max_threads;      /* W8b goes up to this many threads */
	bool hook;            /* tables reached through phys_to_virt, not SLAT_FEAT_LINEAR_MAP */
};
extern struct bench_env bench;

/* The pool every table of the benchmark takes pages from: 64 MiB, every
 * byte written once before the first timing (WORKLOADS.md, set-up). */
struct slat_pool *bench_pool(void);

/* The pool as a libslat allocator; under callgrind its instructions are
 * not counted (measure.c says why). */
struct slat_allocator bench_allocator(void);
/* The same pool without zeroing, for tables with SLAT_FEAT_ALLOC_UNZEROED
 * (W1u): libslat writes every entry itself. */
struct slat_allocator bench_allocator_unzeroed(void);

/* Bytes of the pool in use; 0 after every table is destroyed. */
uint64_t bench_pool_in_use(void);

/*
 * The measured region. region_begin() starts the clock (or callgrind's
 * instrumentation); region_end() stops it and returns the nanoseconds in
 * between. Under callgrind it dumps the counts with the label
 * "slat-bench <id> <format> <units> <pages allocated> <unit>", which bench/instructions.sh
 * divides out; `record` false (a warm-up) dumps nothing.
 */
void region_begin(void);
double region_end(bool record, const char *id, const char *format, uint64_t units,
		  const char *unit);

double now_ns(void);
double median(double *v, int n);

/* Touch every page of [p, p + bytes) so that no first-touch fault is left. */
void prefault(void *p, uint64_t bytes);

/* Median ns of a memset of `bytes` into memory already written once. */
double memset_floor_ns(uint64_t bytes);

/* xorshift64*, the generator of WORKLOADS.md. */
static inline uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* ---- the build ------------------------------------------------------------ */

/* CFLAGS and compiler the benchmark and the library were compiled with. */
const char *build_cflags(void);
const char *build_cc(void);

/* The -O level those flags ask for ("-O2"), "none" when there is none. */
const char *build_opt_level(void);

/* True when the flags ask for -O2, -O3 or -Ofast and the compiler optimised. */
bool build_optimised(void);

/* True when callgrind client requests were compiled in. */
bool have_callgrind(void);

#endif
