/* SPDX-License-Identifier: MIT */
/* How slat-bench measures; see measure.h. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "measure.h"

/* <valgrind/callgrind.h> comes with valgrind; without it the benchmark still
 * builds and times, and only --callgrind is refused. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef BENCH_HAVE_CALLGRIND
#define BENCH_HAVE_CALLGRIND 0
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(s) do { (void)(s); } while (0)
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)
#endif

/* Set by bench.mk from the make variables the whole build uses. */
#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "(unknown: built without bench.mk)"
#endif
#ifndef BENCH_CC
#define BENCH_CC "(unknown)"
#endif

#define POOL_BYTES (64 * MiB)
#define POOL_PA 0x40000000ull

struct bench_env bench;

static struct slat_pool pool;
static bool pool_ready;

struct slat_pool *bench_pool(void)
{
	if (!pool_ready) {
		if (slat_pool_init(&pool, POOL_BYTES, POOL_PA)) {
			fprintf(stderr, "slat-bench: out of memory for the pool\n");
			exit(1);
		}
		prefault(pool.base, pool.size);
		pool_ready = true;
	}
	return &pool;
}

uint64_t bench_pool_in_use(void)
{
	return pool_ready ? pool.in_use : 0;
}

/*
 * Under callgrind the pool's own instructions are left out of the counts:
 * valgrind counts every byte of the `rep stosb` that zeroes a handed-out
 * page as an instruction (about 4,100 per page), which would bury what
 * libslat itself does; the comparison harness of issue 8 counts without
 * them too. The labels say how many pages were allocated instead.
 */
static struct slat_allocator pool_alloc;

static void *uncounted_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	void *va;

	CALLGRIND_TOGGLE_COLLECT;
	va = pool_alloc.alloc(ctx, size_lg2, pa);
	CALLGRIND_TOGGLE_COLLECT;
	return va;
}

static void uncounted_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	CALLGRIND_TOGGLE_COLLECT;
	pool_alloc.free(ctx, va, pa, size_lg2);
	CALLGRIND_TOGGLE_COLLECT;
}

static void *uncounted_alloc_unzeroed(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	void *va;

	CALLGRIND_TOGGLE_COLLECT;
	va = slat_pool_allocator_unzeroed(ctx).alloc(ctx, size_lg2, pa);
	CALLGRIND_TOGGLE_COLLECT;
	return va;
}

struct slat_allocator bench_allocator_unzeroed(void)
{
	struct slat_allocator a = slat_pool_allocator_unzeroed(bench_pool());

	if (bench.mode != MODE_CALLGRIND)
		return a;
	pool_alloc = slat_pool_allocator(bench_pool());
	a.alloc = uncounted_alloc_unzeroed;
	a.free = uncounted_free;
	return a;
}

struct slat_allocator bench_allocator(void)
{
	struct slat_allocator a;

	pool_alloc = slat_pool_allocator(bench_pool());
	if (bench.mode != MODE_CALLGRIND)
		return pool_alloc;
	a = pool_alloc;
	a.alloc = uncounted_alloc;
	a.free = uncounted_free;
	return a;
}

void prefault(void *p, uint64_t bytes)
{
	memset(p, 0, bytes);
	/* The writes must happen even though nothing reads them back. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double region_t0;
static uint64_t region_allocs0;

void region_begin(void)
{
	region_allocs0 = pool_ready ? pool.allocs : 0;
	if (bench.mode == MODE_CALLGRIND)
		CALLGRIND_START_INSTRUMENTATION;
	region_t0 = now_ns();
}

double region_end(bool record, const char *id, const char *format, uint64_t units,
		  const char *unit)
{
	double t = now_ns() - region_t0;

	if (bench.mode == MODE_CALLGRIND) {
		char label[128];

		CALLGRIND_STOP_INSTRUMENTATION;
		snprintf(label, sizeof(label), "slat-bench %s %s %llu %llu %s", id, format,
			 (unsigned long long)units,
			 (unsigned long long)((pool_ready ? pool.allocs : 0) - region_allocs0),
			 unit);
		/* A warm-up's counts go into the next dump's "before" and are
		 * zeroed by it: dump them under a label the script ignores. */
		CALLGRIND_DUMP_STATS_AT(record ? label : "slat-bench warm-up");
	}
	return t;
}

double memset_floor_ns(uint64_t bytes)
{
	unsigned char *p = aligned_alloc(PAGE, (bytes + PAGE - 1) & ~(PAGE - 1));
	double t[BENCH_RUNS];
	int i;

	if (!p) {
		fprintf(stderr, "slat-bench: out of memory\n");
		exit(1);
	}
	prefault(p, bytes);
	for (i = -1; i < BENCH_RUNS; i++) {
		double t0 = now_ns();

		memset(p, i & 0xff, bytes);
		__asm__ __volatile__("" : : "r"(p) : "memory");
		if (i >= 0)
			t[i] = now_ns() - t0;
	}
	free(p);
	return median(t, BENCH_RUNS);
}

static const char cflags[] = BENCH_CFLAGS;

const char *build_cflags(void)
{
	return cflags;
}

const char *build_cc(void)
{
	return BENCH_CC;
}

const char *build_opt_level(void)
{
	static char level[16];
	const char *s = cflags, *last = NULL;

	/* The last -O option on the command line is the one the compiler uses. */
	for (; (s = strstr(s, "-O")) != NULL; s += 2)
		if (s == cflags || s[-1] == ' ' || s[-1] == '\t')
			last = s;
	if (!last)
		return "none";
	snprintf(level, sizeof(level), "%.*s", (int)strcspn(last, " \t"), last);
	return level;
}

bool build_optimised(void)
{
	const char *o = build_opt_level();

#ifndef __OPTIMIZE__
	return false; /* whatever the string says, this file was not optimised */
#endif
	return strcmp(o, "-O2") == 0 || strcmp(o, "-O3") == 0 || strcmp(o, "-Ofast") == 0 ||
	       (o[2] >= '4' && o[2] <= '9' && o[3] == '\0');
}

bool have_callgrind(void)
{
	return BENCH_HAVE_CALLGRIND;
}
