/* SPDX-License-Identifier: MIT */
/*
 * W1-W7 of ../shared/bench/WORKLOADS.md. Common set-up: one 4-level table
 * with a 48-bit input and a 4 KiB granule; guest page g maps to
 * g + 0x100000000; RWX write-back; table pages from bench_pool(), written
 * once before any timing and zeroed again only as they are handed out;
 * random numbers from xorshift64* seeded with 0x5eed5eed5eed5eed; each
 * figure is the median of bench.runs timed runs after bench.warmups
 * untimed ones. Only the calls a workload names are inside the measured
 * region (region_begin/region_end): building the table a workload starts
 * from, and checking what it left, are outside.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slat/hosted.h>

#include "workloads.h"

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
	must(err, "caps");
}

void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "slat-bench: %s: %s\n", what, slat_strerror(err));
		exit(1);
	}
}

/*
 * Every pool of slat-bench is one block of process memory, so its tables
 * are mapped linearly: libslat reaches them by an add (SLAT_FEAT_LINEAR_MAP),
 * as a hypervisor with a direct map would, unless --phys-to-virt asks
 * for the allocator's hook.
 */
static void table_open_at(struct bench_table *b, const struct slat_format *fmt,
			  uint32_t features, struct slat_allocator alloc,
			  const struct slat_pool *pool)
{
	struct slat_config cfg;

	caps_for(fmt, &b->caps);
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = fmt;
	cfg.caps = &b->caps;
	cfg.alloc = alloc;
	cfg.ia_bits = 48;
	cfg.features = features;
	if (!bench.hook) {
		cfg.features |= SLAT_FEAT_LINEAR_MAP;
		cfg.linear_offset = slat_pool_linear_offset(pool);
	}
	cfg.sync_invalidate = no_sync;
	/* Concurrent tables: more threads than CPUs must not spin out the
	 * thread they wait for. */
	cfg.wait = slat_wait_yield;
	must(slat_table_init(&b->t, &cfg), "table_init");
	b->g = (struct slat_gather)SLAT_GATHER_INIT; /* an empty gather */
	pthread_mutex_init(&b->lock, NULL);
}

/* A table on the shared pool (every allocator here draws from it). */
void table_open_features(struct bench_table *b, const struct slat_format *fmt,
			 uint32_t features, struct slat_allocator alloc)
{
	table_open_at(b, fmt, features, alloc, bench_pool());
}

void table_open_concurrent(struct bench_table *b, const struct slat_format *fmt,
			   struct slat_allocator alloc)
{
	table_open_features(b, fmt, SLAT_FEAT_CONCURRENT, alloc);
}

void table_open(struct bench_table *b, const struct slat_format *fmt, bool ad,
		struct slat_allocator alloc)
{
	table_open_features(b, fmt, ad ? SLAT_FEAT_AD : 0, alloc);
}

void table_close(struct bench_table *b)
{
	must(slat_gather_done(&b->t, &b->g), "gather_done");
	slat_table_destroy(&b->t);
	pthread_mutex_destroy(&b->lock);
}

uint64_t table_bytes(const struct bench_table *b)
{
	return slat_table_pages(&b->t) * PAGE;
}

void add_figure(struct result *r, const char *id, double value, const char *unit)
{
	struct figure *f = &r->fig[r->nfig++];

	f->id = id;
	f->value = value;
	f->unit = unit;
	f->text[0] = '\0';
}

/* Every table handed back every page: checked after each workload. */
static void check_pool(struct result *r)
{
	if (bench_pool_in_use() != 0) {
		r->ok = 0;
		snprintf(r->note, sizeof(r->note), "pool leaks %llu bytes",
			 (unsigned long long)bench_pool_in_use());
	}
}

static void open_default(struct bench_table *b, const struct slat_format *fmt, bool ad)
{
	table_open(b, fmt, ad, bench_allocator());
}

static void map(struct bench_table *b, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);

	must(slat_map(&b->t, slat_gpa(gpa), size, slat_hpa(gpa + HPA_OFF), &a, flags,
		      &b->g), "map");
}

static const char *fmt_name(const struct slat_format *fmt)
{
	return slat_format_name(fmt);
}

/* ---- the harness loop alone ------------------------------------------------
 *
 * Under callgrind, W3, W4b and W5 run their loop once more with the libslat
 * call replaced by one of these stand-ins, to count what the loop itself
 * (random numbers, the call, the checks) costs per call: issue 8's targets
 * are net of it. The stand-ins keep the call (no inlining, no
 * interprocedural shortcuts); W5's also fills in the answer the check reads.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define STAND_IN __attribute__((noinline, noipa))
#else
#define STAND_IN __attribute__((noinline))
#endif

STAND_IN static int stand_in_protect(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
				     const struct slat_prot *p, struct slat_gather *g)
{
	__asm__ __volatile__("" : : "r"(t), "r"(gpa.v), "r"(size), "r"(p), "r"(g) : "memory");
	return 0;
}

STAND_IN static int stand_in_unmap(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
				   struct slat_gather *g)
{
	__asm__ __volatile__("" : : "r"(t), "r"(gpa.v), "r"(size), "r"(g) : "memory");
	return 0;
}

STAND_IN static int stand_in_translate(const struct slat_table *t, slat_gpa_t gpa,
				       struct slat_translation *m)
{
	__asm__ __volatile__("" : : "r"(t) : "memory");
	m->hpa.v = gpa.v + HPA_OFF;
	m->perms = SLAT_PERM_RWX;
	m->page_lg2 = 12;
	return 0;
}

/* ---- W1 -------------------------------------------------------------------- */

#define W1_PAGES (1 * GiB / PAGE)
#define W1_TABLE_BYTES ((1 + 1 + 1 + 512) * PAGE) /* root, L3, L2, 512 L1 */

/* W1's table, whichever allocator built it, has exactly W1's bytes. */
static void w1_check_bytes(struct bench_table *b, const char *id)
{
	if (table_bytes(b) != W1_TABLE_BYTES) {
		fprintf(stderr, "slat-bench: %s built %llu table bytes\n", id,
			(unsigned long long)table_bytes(b));
		exit(1);
	}
}

double w1_once(const struct slat_format *fmt, bool record)
{
	struct bench_table b;
	double t;

	open_default(&b, fmt, false);
	region_begin();
	map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
	t = region_end(record, "W1", fmt_name(fmt), W1_PAGES, "page");
	w1_check_bytes(&b, "W1");
	table_close(&b);
	return t;
}

/*
 * W1u: W1 on a table with SLAT_FEAT_ALLOC_UNZEROED, its pages from the
 * same pool, which then does not zero them: libslat writes each entry
 * once, the zeroing included (issue 8: an allocator that zeroes every page
 * already costs one memset of the table bytes).
 */
static double w1u_once(const struct slat_format *fmt, bool record)
{
	struct bench_table b;
	uint64_t problems;
	double t;

	table_open_features(&b, fmt, SLAT_FEAT_ALLOC_UNZEROED, bench_allocator_unzeroed());
	region_begin();
	map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
	t = region_end(record, "W1u", fmt_name(fmt), W1_PAGES, "page");
	w1_check_bytes(&b, "W1u");
	/* Nothing of the pool's old contents may survive in the table. */
	must(slat_validate(&b.t, NULL, NULL, &problems), "W1u validate");
	if (problems) {
		fprintf(stderr, "slat-bench: W1u: slat_validate found %llu problems\n",
			(unsigned long long)problems);
		exit(1);
	}
	table_close(&b);
	return t;
}

/* W1 into a pool nobody wrote before: first-touch faults of the operating
 * system included. Not a benchmark figure; here to show what they cost. */
static double w1_fresh_once(const struct slat_format *fmt)
{
	struct slat_pool fresh;
	struct bench_table b;
	double t;

	if (slat_pool_init(&fresh, 4 * MiB, 0x40000000ull)) {
		fprintf(stderr, "slat-bench: out of memory\n");
		exit(1);
	}
	table_open_at(&b, fmt, 0, slat_pool_allocator(&fresh), &fresh);
	t = now_ns();
	map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
	t = now_ns() - t;
	table_close(&b);
	slat_pool_fini(&fresh);
	return t;
}

static void w1(const struct slat_format *fmt, struct result *r)
{
	double t[BENCH_RUNS], tu[BENCH_RUNS], tf[BENCH_RUNS], floor;
	int i;

	r->id = "W1";
	r->name = "map-4k";
	/* W1 and W1u interleaved, so that both see the same machine. */
	for (i = -bench.warmups; i < bench.runs; i++) {
		double x = w1_once(fmt, i >= 0);
		double y = w1u_once(fmt, i >= 0);

		if (i >= 0) {
			t[i] = x;
			tu[i] = y;
		}
	}
	r->table_bytes = W1_TABLE_BYTES;
	add_figure(r, NULL, median(t, bench.runs) / W1_PAGES, "ns/page");
	add_figure(r, "W1u", median(tu, bench.runs) / W1_PAGES, "ns/page");
	if (bench.mode != MODE_TIME)
		return;
	floor = memset_floor_ns(W1_TABLE_BYTES) / W1_PAGES;
	snprintf(r->fig[0].text, sizeof(r->fig[0].text),
		 "memset of the table bytes, warm: %.3f ns/page; W1 = %.2fx that", floor,
		 r->fig[0].value / floor);
	snprintf(r->fig[1].text, sizeof(r->fig[1].text),
		 "SLAT_FEAT_ALLOC_UNZEROED, pool not zeroing; W1u = %.2fx the memset",
		 r->fig[1].value / floor);
	for (i = -1; i < bench.runs; i++) {
		double x = w1_fresh_once(fmt);

		if (i >= 0)
			tf[i] = x;
	}
	add_figure(r, "W1-fresh", median(tf, bench.runs) / W1_PAGES, "ns/page");
	snprintf(r->fig[2].text, sizeof(r->fig[2].text),
		 "NOT a benchmark figure: pool never touched, page faults included");
}

/* ---- W2 -------------------------------------------------------------------- */

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
	for (i = -bench.warmups; i < bench.runs; i++) {
		struct bench_table b;
		double x;

		open_default(&b, fmt, false);
		region_begin();
		map(&b, 0, 64 * GiB, 0);
		x = region_end(i >= 0, "W2a", fmt_name(fmt), 64, "GiB");
		if (i >= 0)
			ta[i] = x;
		table_close(&b);

		open_default(&b, fmt, false);
		region_begin();
		map(&b, PAGE, 64 * GiB - 2 * PAGE, 0);
		x = region_end(i >= 0, "W2b", fmt_name(fmt), 64, "GiB");
		if (i >= 0)
			tb[i] = x;
		memset(&s, 0, sizeof(s));
		must(slat_for_each(&b.t, slat_gpa(0), 1ull << 48, count_leaf, &s, NULL),
		     "for_each");
		r->table_bytes = table_bytes(&b);
		table_close(&b);
	}
	add_figure(r, "W2a", median(ta, bench.runs) / 64, "ns/GiB aligned");
	add_figure(r, "W2b", median(tb, bench.runs) / 64, "ns/GiB misaligned");
	/* [4 KiB, 64 GiB - 4 KiB): 511 + 511 4 KiB pages at the two ends,
	 * 511 + 511 2 MiB pages up to the 1 GiB boundaries, 62 1 GiB pages. */
	r->ok = s.n[12] == 1022 && s.n[21] == 1022 && s.n[30] == 62;
	snprintf(r->note, sizeof(r->note), "W2b leaves 4K=%llu 2M=%llu 1G=%llu",
		 (unsigned long long)s.n[12], (unsigned long long)s.n[21],
		 (unsigned long long)s.n[30]);
}

/* ---- W3 -------------------------------------------------------------------- */

static void w3(const struct slat_format *fmt, struct result *r)
{
	const uint64_t calls = bench.w3_calls;
	double t[BENCH_RUNS];
	struct slat_prot p;
	int i;

	r->id = "W3";
	r->name = "protect-split";
	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	for (i = -bench.warmups; i < bench.runs; i++) {
		struct bench_table b;
		uint64_t seed = SEED, k;
		double x;

		open_default(&b, fmt, false);
		map(&b, 0, 1 * GiB, 0);
		region_begin();
		for (k = 0; k < calls; k++) {
			uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;

			must(slat_protect(&b.t, slat_gpa(gpa), PAGE, &p, &b.g), "protect");
		}
		x = region_end(i >= 0, "W3", fmt_name(fmt), calls, "call");
		if (i >= 0)
			t[i] = x;
		/* Every page protected lost W; its neighbours kept it. */
		seed = SEED;
		for (k = 0; k < calls; k++) {
			uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;
			struct slat_mapping m;

			if (slat_translate(&b.t, slat_gpa(gpa), &m) ||
			    m.hpa.v != gpa + HPA_OFF || (m.attrs.perms & SLAT_PERM_W) ||
			    m.page_lg2 != 12)
				r->ok = 0;
		}
		if (bench.mode == MODE_CALLGRIND && i == bench.runs - 1) {
			seed = SEED;
			region_begin();
			for (k = 0; k < calls; k++) {
				uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;

				must(stand_in_protect(&b.t, slat_gpa(gpa), PAGE, &p, &b.g),
				     "protect");
			}
			region_end(true, "W3-loop", fmt_name(fmt), calls, "call");
		}
		r->table_bytes = table_bytes(&b);
		table_close(&b);
	}
	add_figure(r, NULL, median(t, bench.runs) / (double)calls, "ns/call");
}

/* ---- W4 -------------------------------------------------------------------- */

static void w4(const struct slat_format *fmt, struct result *r)
{
	const uint64_t calls = bench.w4b_calls;
	double ta[BENCH_RUNS], tb[BENCH_RUNS];
	int i;

	r->id = "W4";
	r->name = "unmap";
	for (i = -bench.warmups; i < bench.runs; i++) {
		struct bench_table b;
		uint64_t seed = SEED, k, gone = 0;
		struct sizes s;
		double x;

		open_default(&b, fmt, false);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		region_begin();
		must(slat_unmap(&b.t, slat_gpa(0), 1 * GiB, &b.g), "unmap");
		must(slat_gather_done(&b.t, &b.g), "gather_done");
		x = region_end(i >= 0, "W4a", fmt_name(fmt), W1_PAGES, "page");
		if (i >= 0)
			ta[i] = x;
		if (slat_table_pages(&b.t) != 1) /* the root only */
			r->ok = 0;
		table_close(&b);

		open_default(&b, fmt, false);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		region_begin();
		for (k = 0; k < calls; k++) {
			uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;

			must(slat_unmap(&b.t, slat_gpa(gpa), PAGE, &b.g), "unmap");
		}
		must(slat_gather_done(&b.t, &b.g), "gather_done");
		x = region_end(i >= 0, "W4b", fmt_name(fmt), calls, "call");
		if (i >= 0)
			tb[i] = x;
		/* Exactly the distinct pages drawn are gone. */
		seed = SEED;
		for (k = 0; k < calls; k++) {
			uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;
			struct slat_mapping m;

			if (slat_translate(&b.t, slat_gpa(gpa), &m) != SLAT_ENOENT)
				r->ok = 0;
		}
		memset(&s, 0, sizeof(s));
		must(slat_for_each(&b.t, slat_gpa(0), 1ull << 48, count_leaf, &s, NULL),
		     "for_each");
		gone = W1_PAGES - s.n[12];
		if (gone > calls || gone < calls * 9 / 10)
			r->ok = 0;
		if (bench.mode == MODE_CALLGRIND && i == bench.runs - 1) {
			seed = SEED;
			region_begin();
			for (k = 0; k < calls; k++) {
				uint64_t gpa = (xorshift64s(&seed) % W1_PAGES) * PAGE;

				must(stand_in_unmap(&b.t, slat_gpa(gpa), PAGE, &b.g), "unmap");
			}
			region_end(true, "W4b-loop", fmt_name(fmt), calls, "call");
		}
		r->table_bytes = table_bytes(&b);
		table_close(&b);
	}
	add_figure(r, "W4a", median(ta, bench.runs) / W1_PAGES, "ns/page");
	add_figure(r, "W4b", median(tb, bench.runs) / (double)calls, "ns/call");
	if (bench.mode == MODE_TIME) {
		double floor = memset_floor_ns(W1_TABLE_BYTES) / W1_PAGES;

		snprintf(r->fig[0].text, sizeof(r->fig[0].text),
			 "memset of W1's table bytes, warm: %.3f ns/page; W4a = %.2fx that",
			 floor, r->fig[0].value / floor);
	}
}

/* ---- W5 -------------------------------------------------------------------- */

static void w5(const struct slat_format *fmt, struct result *r)
{
	const uint64_t lookups = bench.w5_lookups;
	double t[BENCH_RUNS];
	struct bench_table b;
	uint64_t sum = 0;
	int i;

	r->id = "W5";
	r->name = "translate";
	open_default(&b, fmt, false);
	map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
	for (i = -bench.warmups; i < bench.runs; i++) {
		uint64_t seed = SEED, k, bad = 0;
		double x;

		region_begin();
		for (k = 0; k < lookups; k++) {
			uint64_t gpa = xorshift64s(&seed) % (1 * GiB);
			struct slat_translation m;

			bad |= slat_translate_perms(&b.t, slat_gpa(gpa), &m) |
			       (m.hpa.v != gpa + HPA_OFF) | !(m.perms & SLAT_PERM_W);
			sum += m.hpa.v;
		}
		x = region_end(i >= 0, "W5", fmt_name(fmt), lookups, "lookup");
		if (i >= 0)
			t[i] = x;
		if (bad)
			r->ok = 0;
	}
	if (bench.mode == MODE_CALLGRIND) {
		uint64_t seed = SEED, k, bad = 0;

		region_begin();
		for (k = 0; k < lookups; k++) {
			uint64_t gpa = xorshift64s(&seed) % (1 * GiB);
			struct slat_translation m;

			bad |= stand_in_translate(&b.t, slat_gpa(gpa), &m) |
			       (m.hpa.v != gpa + HPA_OFF) | !(m.perms & SLAT_PERM_W);
			sum += m.hpa.v;
		}
		region_end(true, "W5-loop", fmt_name(fmt), lookups, "lookup");
		if (bad)
			r->ok = 0;
	}
	__asm__ __volatile__("" : : "r"(sum));
	r->table_bytes = table_bytes(&b);
	table_close(&b);
	add_figure(r, NULL, median(t, bench.runs) / (double)lookups, "ns/lookup");
}

/* ---- W6 -------------------------------------------------------------------- */

static void w6(const struct slat_format *fmt, struct result *r)
{
	uint64_t *bm = malloc(W1_PAGES / 8);
	double t[BENCH_RUNS];
	int i;

	r->id = "W6";
	r->name = "dirty-harvest";
	if (!bm)
		exit(1);
	for (i = -bench.warmups; i < bench.runs; i++) {
		struct bench_table b;
		uint64_t seed = SEED, marked = 0, found = 0, k;
		double x;

		open_default(&b, fmt, true);
		map(&b, 0, 1 * GiB, SLAT_MAP_MAX_PAGE(12));
		/* 1% of the leaves, set as the hardware would. */
		for (k = 0; k < W1_PAGES / 100; k++) {
			uint64_t g = xorshift64s(&seed) % W1_PAGES;
			struct slat_mapping m;

			must(slat_translate(&b.t, slat_gpa(g * PAGE), &m), "translate");
			if (!m.dirty)
				marked++;
			must(slat_hw_access(&b.t, slat_gpa(g * PAGE), true), "hw_access");
		}
		prefault(bm, W1_PAGES / 8); /* the bitmap: written before timing */
		region_begin();
		must(slat_dirty_harvest(&b.t, slat_gpa(0), 1 * GiB, bm, W1_PAGES / 64, 0, &found, &b.g),
		     "harvest");
		x = region_end(i >= 0, "W6", fmt_name(fmt), W1_PAGES, "page scanned");
		if (i >= 0)
			t[i] = x;
		if (found != marked)
			r->ok = 0;
		r->table_bytes = table_bytes(&b);
		table_close(&b);
	}
	free(bm);
	add_figure(r, NULL, median(t, bench.runs), "ns/GiB scanned");
}

/* ---- W7 -------------------------------------------------------------------- */

static void w7(const struct slat_format *fmt, struct result *r)
{
	const uint64_t space = 64 * GiB / PAGE, ops = bench.w7_ops;
	uint64_t *live = malloc(ops * sizeof(uint64_t));
	struct slat_pool *pool = bench_pool();
	double t[BENCH_RUNS], allocs = 0;
	int i;

	r->id = "W7";
	r->name = "fault-churn";
	if (!live)
		exit(1);
	prefault(live, ops * sizeof(uint64_t));
	for (i = -bench.warmups; i < bench.runs; i++) {
		struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);
		struct bench_table b;
		uint64_t seed = SEED, n = 0, k, base, allocs0;
		struct sizes s;
		double dt;

		open_default(&b, fmt, false);
		/* The peak from the pool, not from a call inside the loop. */
		base = pool->in_use;
		pool->peak = base;
		allocs0 = pool->allocs;
		region_begin();
		for (k = 0; k < ops; k++) {
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
		}
		dt = region_end(i >= 0, "W7", fmt_name(fmt), ops, "op");
		if (i >= 0)
			t[i] = dt;
		memset(&s, 0, sizeof(s));
		must(slat_for_each(&b.t, slat_gpa(0), 1ull << 48, count_leaf, &s, NULL),
		     "for_each");
		if (s.n[12] != n)
			r->ok = 0;
		r->table_bytes = pool->peak - base + PAGE;
		allocs = (double)(pool->allocs - allocs0) / (double)ops;
		table_close(&b);
	}
	free(live);
	add_figure(r, NULL, median(t, bench.runs) / (double)ops, "ns/op");
	snprintf(r->note, sizeof(r->note), "table bytes = peak; %.3f table pages allocated per op",
		 allocs);
}

int bench_run(const struct slat_format *fmt, int w, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->ok = 1;
	switch (w) {
	case 1: w1(fmt, r); break;
	case 2: w2(fmt, r); break;
	case 3: w3(fmt, r); break;
	case 4: w4(fmt, r); break;
	case 5: w5(fmt, r); break;
	case 6: w6(fmt, r); break;
	case 7: w7(fmt, r); break;
	case 8: w8(fmt, r); break;
	case 9: w8b(fmt, r); break;
	default: return -1;
	}
	check_pool(r);
	return 0;
}
