/* SPDX-License-Identifier: MIT */
/*
 * W1-W7 of ../shared/bench/WORKLOADS.md. Common set-up: one 4-level table
 * with a 48-bit input and a 4 KiB granule; guest page g maps to
 * g + 0x100000000; RWX write-back; table pages from a pre-sized pool that
 * zeroes a page only when it hands it out; random numbers from xorshift64*
 * seeded with 0x5eed5eed5eed5eed; each figure is the median of 5 timed runs
 * after one warm-up run.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slat/hosted.h>

#include "workloads.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define PAGE 4096ull
#define HPA_OFF 0x100000000ull
#define SEED 0x5eed5eed5eed5eedull

static uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static double now_ns(void)
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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* ---- one table ------------------------------------------------------------ */

struct bench {
	struct slat_pool pool;
	struct slat_caps caps;
	struct slat_table t;
	struct slat_gather g;
};

static void no_sync(void *ctx, const struct slat_table *t, const struct slat_gather *g)
{
	(void)ctx;
	(void)t;
	(void)g;
}

static void caps_for(const struct slat_format *fmt, struct slat_caps *c)
{
	int err;

	if (fmt == &slat_format_ept)
		err = slat_ept_caps(0xf0106734141ull, ((1ull << 1) | (1ull << 22)) << 32,
				    46, c);
	else if (fmt == &slat_format_npt)
		err = slat_npt_caps(1u | (1u << 6), 0x3030, 1u << 26, 0, c);
	else
		err = slat_stage2_caps(5ull | (2ull << 40), 2ull | (2ull << 4), 0, 0, c);
	if (err) {
		fprintf(stderr, "bench: caps: %s\n", slat_strerror(err));
		exit(1);
	}
}

static void bench_open(struct bench *b, const struct slat_format *fmt, bool ad)
{
	struct slat_config cfg;
	int err;

	if (slat_pool_init(&b->pool, 256 * MiB, 0x40000000ull)) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	caps_for(fmt, &b->caps);
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = fmt;
	cfg.caps = &b->caps;
	cfg.alloc = slat_pool_allocator(&b->pool);
	cfg.ia_bits = 48;
	cfg.features = ad ? SLAT_FEAT_AD : 0;
	cfg.sync_invalidate = no_sync;
	err = slat_table_init(&b->t, &cfg);
	if (err) {
		fprintf(stderr, "bench: table: %s\n", slat_strerror(err));
		exit(1);
	}
	memset(&b->g, 0, sizeof(b->g)); /* an empty gather */
}

static void bench_close(struct bench *b)
{
	slat_gather_done(&b->t, &b->g);
	slat_table_destroy(&b->t);
	slat_pool_fini(&b->pool);
}

static uint64_t table_bytes(const struct bench *b)
{
	return slat_table_pages(&b->t) * PAGE;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "bench: %s: %s\n", what, slat_strerror(err));
		exit(1);
	}
}

static void map(struct bench *b, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);

	must(slat_map(&b->t, slat_gpa(gpa), size, slat_hpa(gpa + HPA_OFF), &a, flags,
		      &b->g), "map");
}

/* The physical floor: memset of `bytes` into fresh memory, median. */
static double memset_floor(uint64_t bytes)
{
	double t[BENCH_RUNS];
	int i;

	for (i = -1; i < BENCH_RUNS; i++) {
		unsigned char *p = aligned_alloc(PAGE, bytes);
		double t0;

		if (!p)
			exit(1);
		t0 = now_ns();
		memset(p, 0, bytes);
		__asm__ __volatile__("" : : "r"(p) : "memory");
		if (i >= 0)
			t[i] = now_ns() - t0;
		free(p);
	}
	return median(t, BENCH_RUNS);
}

/* ---- workloads ---------------------------------------------------------- */

static void w1(const struct slat_format *fmt, struct result *r)
{
	double t[BENCH_RUNS];
	int i;

	r->id = "W1";
	r->name = "map-4k";
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		double t0;

		bench_open(&b, fmt, false);
		t0 = now_ns();
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		if (i >= 0)
			t[i] = now_ns() - t0;
		r->table_bytes = table_bytes(&b);
		bench_close(&b);
	}
	r->fig[0].value = median(t, BENCH_RUNS) / (1 * GiB / PAGE);
	r->fig[0].unit = "ns/page";
	r->floor_ns = memset_floor(r->table_bytes) / (1 * GiB / PAGE);
	r->ok = r->table_bytes == (1 + 1 + 1 + 512) * PAGE;
}

struct sizes {
	uint64_t n[64];
};

static int count_leaf(void *ctx, const struct slat_mapping *m)
{
	((struct sizes *)ctx)->n[m->page_lg2]++;
	return 0;
}

static void w2(const struct slat_format *fmt, struct result *r)
{
	double ta[BENCH_RUNS], tb[BENCH_RUNS];
	struct sizes s;
	int i;

	r->id = "W2";
	r->name = "map-auto";
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		double t0;

		bench_open(&b, fmt, false);
		t0 = now_ns();
		map(&b, 0, 64 * GiB, 0);
		if (i >= 0)
			ta[i] = now_ns() - t0;
		bench_close(&b);

		bench_open(&b, fmt, false);
		t0 = now_ns();
		map(&b, PAGE, 64 * GiB - 2 * PAGE, 0);
		if (i >= 0)
			tb[i] = now_ns() - t0;
		memset(&s, 0, sizeof(s));
		must(slat_for_each(&b.t, slat_gpa(0), 1ull << 48, count_leaf, &s, NULL),
		     "for_each");
		r->table_bytes = table_bytes(&b);
		bench_close(&b);
	}
	r->fig[0].value = median(ta, BENCH_RUNS) / 64;
	r->fig[0].unit = "ns/GiB aligned";
	r->fig[1].value = median(tb, BENCH_RUNS) / 64;
	r->fig[1].unit = "ns/GiB unaligned";
	r->leaves[0] = s.n[12];
	r->leaves[1] = s.n[21];
	r->leaves[2] = s.n[30];
	r->ok = s.n[12] == 1022 && s.n[21] == 1022 && s.n[30] == 62;
}

static void w3(const struct slat_format *fmt, struct result *r)
{
	double t[BENCH_RUNS];
	struct slat_prot p;
	int i;

	r->id = "W3";
	r->name = "protect-split";
	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	r->ok = 1;
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		uint64_t seed = SEED;
		struct slat_mapping m;
		double t0;
		int k;

		bench_open(&b, fmt, false);
		map(&b, 0, 1 * GiB, 0);
		t0 = now_ns();
		for (k = 0; k < 10000; k++) {
			uint64_t gpa = (xorshift64s(&seed) % (1 * GiB / PAGE)) * PAGE;

			must(slat_protect(&b.t, slat_gpa(gpa), PAGE, &p, &b.g), "protect");
		}
		if (i >= 0)
			t[i] = now_ns() - t0;
		seed = SEED;
		if (slat_translate(&b.t, slat_gpa((xorshift64s(&seed) % (1 * GiB / PAGE)) * PAGE),
				   &m) || (m.attrs.perms & SLAT_PERM_W))
			r->ok = 0;
		r->table_bytes = table_bytes(&b);
		bench_close(&b);
	}
	r->fig[0].value = median(t, BENCH_RUNS) / 10000;
	r->fig[0].unit = "ns/call";
}

static void w4(const struct slat_format *fmt, struct result *r)
{
	double ta[BENCH_RUNS], tb[BENCH_RUNS];
	uint64_t bytes_w1 = 0;
	int i;

	r->id = "W4";
	r->name = "unmap";
	r->ok = 1;
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		uint64_t seed = SEED;
		double t0;
		int k;

		bench_open(&b, fmt, false);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		bytes_w1 = table_bytes(&b);
		t0 = now_ns();
		must(slat_unmap(&b.t, slat_gpa(0), 1 * GiB, &b.g), "unmap");
		must(slat_gather_done(&b.t, &b.g), "gather_done");
		if (i >= 0)
			ta[i] = now_ns() - t0;
		if (slat_table_pages(&b.t) != 1)
			r->ok = 0;
		bench_close(&b);

		bench_open(&b, fmt, false);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		t0 = now_ns();
		for (k = 0; k < 10000; k++) {
			uint64_t gpa = (xorshift64s(&seed) % (1 * GiB / PAGE)) * PAGE;

			must(slat_unmap(&b.t, slat_gpa(gpa), PAGE, &b.g), "unmap");
		}
		must(slat_gather_done(&b.t, &b.g), "gather_done");
		if (i >= 0)
			tb[i] = now_ns() - t0;
		r->table_bytes = table_bytes(&b);
		bench_close(&b);
	}
	r->fig[0].value = median(ta, BENCH_RUNS) / (1 * GiB / PAGE);
	r->fig[0].unit = "ns/page (a)";
	r->fig[1].value = median(tb, BENCH_RUNS) / 10000;
	r->fig[1].unit = "ns/call (b)";
	r->floor_ns = memset_floor(bytes_w1) / (1 * GiB / PAGE);
}

static void w5(const struct slat_format *fmt, struct result *r)
{
	double t[BENCH_RUNS];
	struct bench b;
	uint64_t sum = 0;
	int i;

	r->id = "W5";
	r->name = "translate";
	bench_open(&b, fmt, false);
	map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
	r->ok = 1;
	for (i = -1; i < BENCH_RUNS; i++) {
		uint64_t seed = SEED;
		double t0 = now_ns();
		int k;

		for (k = 0; k < 10000000; k++) {
			uint64_t gpa = xorshift64s(&seed) % (1 * GiB);
			struct slat_mapping m;

			if (slat_translate(&b.t, slat_gpa(gpa), &m) ||
			    m.hpa.v != gpa + HPA_OFF || !(m.attrs.perms & SLAT_PERM_W))
				r->ok = 0;
			sum += m.hpa.v;
		}
		if (i >= 0)
			t[i] = now_ns() - t0;
	}
	__asm__ __volatile__("" : : "r"(sum));
	r->table_bytes = table_bytes(&b);
	bench_close(&b);
	r->fig[0].value = median(t, BENCH_RUNS) / 10000000;
	r->fig[0].unit = "ns/lookup";
}

static void w6(const struct slat_format *fmt, struct result *r)
{
	const uint64_t pages = 1 * GiB / PAGE;
	uint64_t *bm = calloc(pages / 64, sizeof(uint64_t));
	double t[BENCH_RUNS];
	int i;

	r->id = "W6";
	r->name = "dirty-harvest";
	r->ok = 1;
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		uint64_t seed = SEED, marked = 0, found = 0, k;
		double t0;

		bench_open(&b, fmt, true);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		/* 1% of the leaves, set as the hardware would. */
		for (k = 0; k < pages / 100; k++) {
			uint64_t g = xorshift64s(&seed) % pages;
			struct slat_mapping m;

			must(slat_translate(&b.t, slat_gpa(g * PAGE), &m), "translate");
			if (!m.dirty)
				marked++;
			must(slat_hw_access(&b.t, slat_gpa(g * PAGE), true), "hw_access");
		}
		memset(bm, 0, pages / 8);
		t0 = now_ns();
		must(slat_dirty_harvest(&b.t, slat_gpa(0), 1 * GiB, bm, pages / 64, 0, &found, &b.g),
		     "harvest");
		if (i >= 0)
			t[i] = now_ns() - t0;
		if (found != marked)
			r->ok = 0;
		r->table_bytes = table_bytes(&b);
		bench_close(&b);
	}
	free(bm);
	r->fig[0].value = median(t, BENCH_RUNS);
	r->fig[0].unit = "ns/GiB";
}

static void w7(const struct slat_format *fmt, struct result *r)
{
	const uint64_t space = 64 * GiB / PAGE;
	uint64_t *live = malloc(1000000 * sizeof(uint64_t));
	double t[BENCH_RUNS];
	int i;

	r->id = "W7";
	r->name = "fault-churn";
	r->ok = 1;
	for (i = -1; i < BENCH_RUNS; i++) {
		struct bench b;
		uint64_t seed = SEED, n = 0, peak = 0;
		struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);
		double t0;
		int k;

		bench_open(&b, fmt, false);
		t0 = now_ns();
		for (k = 0; k < 1000000; k++) {
			uint64_t x = xorshift64s(&seed);

			if ((x & 1) || n == 0) {
				uint64_t gpa = ((x >> 1) % space) * PAGE;
				int err = slat_map(&b.t, slat_gpa(gpa), PAGE,
						   slat_hpa(gpa + HPA_OFF), &a, 0, &b.g);

				if (err == SLAT_OK)
					live[n++] = gpa;
				else if (err != SLAT_EEXIST)
					must(err, "map");
			} else {
				uint64_t j = (x >> 1) % n;

				must(slat_unmap(&b.t, slat_gpa(live[j]), PAGE, &b.g), "unmap");
				live[j] = live[--n];
				must(slat_gather_done(&b.t, &b.g), "gather_done");
			}
			if (slat_table_pages(&b.t) > peak)
				peak = slat_table_pages(&b.t);
		}
		if (i >= 0)
			t[i] = now_ns() - t0;
		r->table_bytes = peak * PAGE;
		bench_close(&b);
	}
	free(live);
	r->fig[0].value = median(t, BENCH_RUNS) / 1000000;
	r->fig[0].unit = "ns/op";
	r->note = "table bytes = peak";
}

int bench_run(const struct slat_format *fmt, int w, struct result *r)
{
	memset(r, 0, sizeof(*r));
	switch (w) {
	case 1: w1(fmt, r); return 0;
	case 2: w2(fmt, r); return 0;
	case 3: w3(fmt, r); return 0;
	case 4: w4(fmt, r); return 0;
	case 5: w5(fmt, r); return 0;
	case 6: w6(fmt, r); return 0;
	case 7: w7(fmt, r); return 0;
	default: return -1;
	}
}
