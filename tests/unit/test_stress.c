/* SPDX-License-Identifier: MIT */
/*
 * Several threads changing one SLAT_FEAT_CONCURRENT table at once, checked
 * against a model of every page (docs/concurrency.md gives the rules).
 *
 * Guest-physical layout (4 KiB granule, 48-bit input, every format):
 *   private      1 GiB + k * 4 MiB: thread k alone, maps of 4 KiB runs and
 *                whole 2 MiB leaves, unmap, protect, split, guest accesses,
 *                dirty/accessed harvest, translate. The threads' ranges
 *                share their level-1 table (fresh tables linked side by
 *                side).
 *   interleaved  2 GiB, 4 MiB: page i belongs to thread i % N, so every
 *                level-0 table there is changed by all threads at once
 *                (a fresh table linked by two calls, a table emptied by
 *                one while another maps into it).
 *   shared       3 GiB, 2 MiB: every thread faults in every page (the same
 *                translation, as vCPUs of one guest would): exactly one
 *                map of each page succeeds, the others get SLAT_EEXIST;
 *                then all of them unmap overlapping runs.
 *   link races   8 GiB + j GiB: all threads released at once (a spin
 *                barrier) map a page each into a span with no tables yet,
 *                then check and unmap it: fresh tables linked into one
 *                absent entry by several calls, then reclaimed by several.
 *                On two more variants (link_race_*: WALK_NC tables, no
 *                A/D) the calls meet in clean_tables before linking, which
 *                makes the race certain, and split races follow: every
 *                thread protects its own page of one 2 MiB leaf at once.
 * Each round: the shared phase, OPS random operations, then a barrier at
 * which thread 0 alone checks the whole table against the models (every
 * page through slat_translate()), runs slat_validate(), and checks that the
 * pool balances (pages in use = table pages + pages the gathers hold).
 * The allocator fails every FAIL_EVERY-th attempt: a call that returns
 * SLAT_ENOMEM must be one that needed a page, and must have changed
 * nothing in its range.
 *
 *   test_stress [--seed S] [--rounds R] [--ops K] [--locked | --plain]
 * --seed reproduces each thread's operations (not their interleaving);
 * --locked runs the same load without SLAT_FEAT_CONCURRENT, every call
 * under one mutex (the embedder's lock), as a check of the harness;
 * --plain without either, which is wrong and must fail (or hang: a
 * table changed by unserialised calls may hold loops): a check that the
 * test can see a race.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* ---- parameters ------------------------------------------------------------ */

#define MAX_THREADS 4
#define PRIV_BASE (1 * GiB)
#define PRIV_SIZE (4 * MiB)
#define PRIV_PAGES (PRIV_SIZE / (4 * KiB))
#define IL_BASE (2 * GiB)
#define IL_SIZE (4 * MiB)
#define IL_PAGES (IL_SIZE / (4 * KiB))
#define SH_BASE (3 * GiB)
#define SH_SIZE (2 * MiB)
#define SH_PAGES (SH_SIZE / (4 * KiB))
/* Every shared page maps here, whichever thread's map wins. */
#define SH_HPA_DELTA (8 * GiB)
#define FAIL_EVERY 5

static uint64_t opt_seed = 1;
static unsigned opt_rounds = 6;
static unsigned opt_ops = 150;
static bool opt_locked;
/* --plain: no lock and no concurrent mode, to show what the test catches. */
static bool opt_plain;

/* The table's features, in one place. */
static uint32_t stress_features(void)
{
	return SLAT_FEAT_AD | (opt_locked || opt_plain ? 0 : SLAT_FEAT_CONCURRENT);
}

/* ---- an allocator for several threads, failing on purpose ------------------- */

static struct {
	pthread_mutex_t lock;
	struct slat_pool *pool;
	struct slat_allocator inner;
	unsigned attempts; /* under lock */
	unsigned fail_every; /* 0: never */
	unsigned failed;
} alloc_;

/*
 * Link races (link_races()) on a table with SLAT_FEAT_WALK_NC: libslat
 * cleans a whole fresh table page before it links it (slat_config::
 * clean_tables), after its walk found the entry absent. There a thread's
 * first clean of a race waits until every thread has made one, or a few
 * milliseconds have gone by: every call then links into the same absent
 * entry, so the race is certain, not a matter of scheduling.
 */
static __thread bool lr_first;
static unsigned lr_arrived, lr_threads, lr_met;

static bool lr_count = true; /* count meetings (link races, not split races) */

static void lr_rendezvous(void)
{
	struct timespec t0, now;
	unsigned spins = 0;

	lr_first = false;
	__atomic_add_fetch(&lr_arrived, 1, __ATOMIC_ACQ_REL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (__atomic_load_n(&lr_arrived, __ATOMIC_ACQUIRE) < lr_threads) {
		if (++spins < 1000)
			continue;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000l + (now.tv_nsec - t0.tv_nsec) > 20000000l)
			return;
	}
	if (lr_count)
		__atomic_add_fetch(&lr_met, 1, __ATOMIC_RELAXED);
}

static void *st_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	void *va = NULL;

	(void)ctx;
	pthread_mutex_lock(&alloc_.lock);
	if (alloc_.fail_every && ++alloc_.attempts % alloc_.fail_every == 0)
		alloc_.failed++;
	else
		va = alloc_.inner.alloc(alloc_.inner.ctx, size_lg2, pa);
	pthread_mutex_unlock(&alloc_.lock);
	return va;
}

static void st_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	(void)ctx;
	pthread_mutex_lock(&alloc_.lock);
	alloc_.inner.free(alloc_.inner.ctx, va, pa, size_lg2);
	pthread_mutex_unlock(&alloc_.lock);
}

/* The pool's translation reads only its base addresses, which never change. */
static void *st_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	return alloc_.inner.phys_to_virt(alloc_.inner.ctx, pa);
}

/* The cache maintenance hook: nothing to clean in a test, a place to meet. */
static void lr_clean(void *ctx, void *va, size_t len)
{
	(void)ctx;
	(void)va;
	if (lr_first && len >= 4 * KiB)
		lr_rendezvous();
}

static void fail_every(unsigned n)
{
	pthread_mutex_lock(&alloc_.lock);
	alloc_.fail_every = n;
	pthread_mutex_unlock(&alloc_.lock);
}

/* ---- the model: one record per 4 KiB page ------------------------------------ */

struct page {
	uint64_t hpa; /* valid when mapped */
	uint8_t mapped, perms, lg2, accessed, dirty;
};

struct thr;

struct variant {
	const struct slat_format *fmt;
	unsigned threads;
	/* Only the link races, certain (a WALK_NC table without A/D). */
	bool link_only;
	/* Tables reached by the linear map: one-page calls take the path
	 * of lib/walk.h walk_path() under their hold, not the range walk. */
	bool linear;
};

struct run {
	const struct variant *v;
	const struct slat_format *fmt;
	unsigned n;
	struct fx f;
	pthread_barrier_t bar;
	pthread_mutex_t big_lock; /* --locked only */
	struct thr *thr[MAX_THREADS];
	/* Shared range: successful maps and attempts per page, this round. */
	unsigned sh_ok[SH_PAGES], sh_tries[SH_PAGES], sh_nomem[SH_PAGES];
	bool sh_big; /* a 2 MiB map of the shared range succeeded */
	unsigned sb_count, sb_gen; /* spin barrier */
	unsigned syncs;
	int failed;
	char why[512];
	/* What the threads did, so that a run that tests nothing fails. */
	unsigned ok_ops, nomem_ops, eexist_shared;
};

struct thr {
	struct run *r;
	unsigned k;
	uint64_t rng;
	struct slat_gather g;
	struct page priv[PRIV_PAGES];
	struct page il[IL_PAGES]; /* only pages i % n == k are ours */
	uint64_t bm[PRIV_PAGES / 64];
	unsigned round, op;
	unsigned ok_ops, nomem_ops, eexist_shared;
};

static uint64_t rnd(struct thr *t)
{
	/* xorshift64*: a seed gives the same sequence on every machine. */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545F4914F6CDD1Dull;
}

static unsigned below(struct thr *t, unsigned n)
{
	return (unsigned)(rnd(t) % n);
}

static void bad(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&r->failed, 1, __ATOMIC_ACQ_REL))
		return;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "test_stress: %s, %u threads, seed %llu: %s\n",
		slat_format_name(r->fmt), r->n, (unsigned long long)opt_seed, r->why);
}

#define CHECK(t, cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			bad((t)->r, __VA_ARGS__);                             \
			return;                                                \
		}                                                              \
	} while (0)

static bool failed(struct run *r)
{
	return __atomic_load_n(&r->failed, __ATOMIC_ACQUIRE);
}

/* Every call into libslat goes through these: --locked serialises them. */
static void enter(struct run *r)
{
	if (opt_locked)
		pthread_mutex_lock(&r->big_lock);
}

static void leave(struct run *r)
{
	if (opt_locked)
		pthread_mutex_unlock(&r->big_lock);
}

static const unsigned perm_set[4] = {
	SLAT_PERM_R, SLAT_PERM_RW, SLAT_PERM_RX, SLAT_PERM_RWX,
};

static uint64_t priv_base(const struct thr *t)
{
	return PRIV_BASE + t->k * PRIV_SIZE;
}

/*
 * A new Stage-2 leaf has AF = 1 (never an Access flag fault: Arm ARM
 * D8.5.1); a new EPT or NPT leaf has A = 0 (SDM 29.3.5, APM 15.25.x leave
 * it to the walker).
 */
static uint8_t fresh_accessed(const struct run *r)
{
	return r->fmt == &slat_format_stage2 && !r->v->link_only; /* A/D off there */
}

/* ---- comparing one page with the table --------------------------------------- */

static void check_page(struct run *r, uint64_t gpa, const struct page *p,
		       const char *where)
{
	struct slat_mapping m;
	int rc = slat_translate(&r->f.t, slat_gpa(gpa), &m);

	if (!p->mapped) {
		if (rc != SLAT_ENOENT)
			bad(r, "%s: %#llx should be unmapped, translate says %d (hpa %#llx)",
			     where, (unsigned long long)gpa, rc,
			     (unsigned long long)m.hpa.v);
		return;
	}
	if (rc != SLAT_OK) {
		bad(r, "%s: %#llx should map %#llx, translate says %d", where,
		     (unsigned long long)gpa, (unsigned long long)p->hpa, rc);
		return;
	}
	if (m.hpa.v != p->hpa || m.attrs.perms != p->perms ||
	    m.page_lg2 != p->lg2 || m.accessed != p->accessed || m.dirty != p->dirty)
		bad(r, "%s: %#llx maps %#llx perms %u leaf 2^%u A%u D%u, "
			"model %#llx perms %u leaf 2^%u A%u D%u", where,
		     (unsigned long long)gpa, (unsigned long long)m.hpa.v,
		     m.attrs.perms, m.page_lg2, m.accessed, m.dirty,
		     (unsigned long long)p->hpa, p->perms, p->lg2, p->accessed, p->dirty);
}

/* ---- the private range --------------------------------------------------------- */

/*
 * Pages [first, first + n) of the private range: does a 2 MiB leaf straddle
 * an end, one whose permissions are not @p perms (-1: any leaf)? A protect
 * leaves a leaf it would not change whole (lib/protect.c).
 */
static bool straddles(const struct thr *t, unsigned first, unsigned n, int perms)
{
	unsigned ends[2] = { first, first + n - 1 }, i;

	for (i = 0; i < 2; i++) {
		const struct page *p = &t->priv[ends[i]];
		unsigned leaf = ends[i] & ~511u;

		if (p->mapped && p->lg2 == 21 && (leaf < first || leaf + 512 > first + n) &&
		    p->perms != perms)
			return true;
	}
	return false;
}

static bool any_mapped(const struct thr *t, unsigned first, unsigned n)
{
	unsigned i;

	for (i = first; i < first + n; i++)
		if (t->priv[i].mapped)
			return true;
	return false;
}

static bool any_big(const struct thr *t, unsigned first, unsigned n)
{
	unsigned i;

	for (i = first; i < first + n; i++)
		if (t->priv[i].mapped && t->priv[i].lg2 == 21)
			return true;
	return false;
}

/* Split the model's 2 MiB leaves at the ends of [first, first + n) (see straddles()). */
static void model_split_ends(struct thr *t, unsigned first, unsigned n, int perms)
{
	unsigned ends[2] = { first, first + n - 1 }, i, j;

	for (i = 0; i < 2; i++) {
		unsigned leaf = ends[i] & ~511u;
		const struct page *p = &t->priv[ends[i]];

		if (p->mapped && p->lg2 == 21 && (leaf < first || leaf + 512 > first + n) &&
		    p->perms != perms)
			for (j = leaf; j < leaf + 512; j++)
				t->priv[j].lg2 = 12;
	}
}

/* After a failed call: its range (and the leaves it reaches) as before. */
static void check_unchanged(struct thr *t, unsigned first, unsigned n, const char *op)
{
	unsigned lo = first & ~511u, hi = (first + n + 511) & ~511u, i;
	char where[64];

	snprintf(where, sizeof(where), "after a failed %s (round %u op %u, thread %u)",
		 op, t->round, t->op, t->k);
	for (i = lo; i < hi && !failed(t->r); i++)
		check_page(t->r, priv_base(t) + i * 4 * KiB, &t->priv[i], where);
}

static void op_result(struct thr *t, int rc, bool may_nomem, unsigned first,
		      unsigned n, const char *op)
{
	if (rc == SLAT_ENOMEM) {
		CHECK(t, may_nomem, "%s of pages %u+%u (thread %u) needed no page, got ENOMEM",
		      op, first, n, t->k);
		t->nomem_ops++;
		check_unchanged(t, first, n, op);
		return;
	}
	CHECK(t, rc == SLAT_OK, "%s of private pages %u+%u (thread %u, round %u op %u): %d",
	      op, first, n, t->k, t->round, t->op, rc);
	t->ok_ops++;
}

static void priv_map(struct thr *t, bool big)
{
	unsigned first, n, i, perms = perm_set[below(t, 4)];
	uint64_t delta = (1 + below(t, 8)) * GiB, gpa;
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);
	int rc;

	if (big) {
		first = below(t, PRIV_PAGES / 512) * 512;
		n = 512;
	} else {
		n = 1 + below(t, 16);
		first = below(t, PRIV_PAGES - n);
	}
	gpa = priv_base(t) + first * 4 * KiB;
	enter(t->r);
	rc = slat_map(&t->r->f.t, slat_gpa(gpa), n * 4 * KiB, slat_hpa(gpa + delta), &a, 0, &t->g);
	leave(t->r);
	if (any_mapped(t, first, n)) {
		CHECK(t, rc == SLAT_EEXIST, "map over a mapping at pages %u+%u (thread %u): %d",
		      first, n, t->k, rc);
		check_unchanged(t, first, n, "map");
		return;
	}
	if (rc == SLAT_OK)
		for (i = first; i < first + n; i++) {
			struct page *p = &t->priv[i];

			p->mapped = 1;
			p->hpa = priv_base(t) + i * 4 * KiB + delta;
			p->perms = (uint8_t)perms;
			p->lg2 = big ? 21 : 12;
			p->accessed = fresh_accessed(t->r);
			p->dirty = 0;
		}
	op_result(t, rc, true, first, n, "map");
}

static void random_run(struct thr *t, unsigned *first, unsigned *n)
{
	switch (below(t, 3)) {
	case 0: /* a whole 2 MiB region */
		*first = below(t, PRIV_PAGES / 512) * 512;
		*n = 512;
		break;
	case 1: /* a few pages */
		*n = 1 + below(t, 8);
		*first = below(t, PRIV_PAGES - *n);
		break;
	default: /* up to a region and a half, anywhere */
		*n = 1 + below(t, 768);
		*first = below(t, PRIV_PAGES - *n);
	}
}

static void priv_unmap(struct thr *t)
{
	unsigned first, n, i;
	bool split;
	int rc;

	random_run(t, &first, &n);
	split = straddles(t, first, n, -1);
	enter(t->r);
	rc = slat_unmap(&t->r->f.t, slat_gpa(priv_base(t) + first * 4 * KiB), n * 4 * KiB, &t->g);
	leave(t->r);
	if (rc == SLAT_OK) {
		model_split_ends(t, first, n, -1);
		for (i = first; i < first + n; i++)
			memset(&t->priv[i], 0, sizeof(t->priv[i]));
	}
	op_result(t, rc, split, first, n, "unmap");
}

static void priv_protect(struct thr *t)
{
	unsigned first, n, i, perms = perm_set[below(t, 4)];
	struct slat_prot p = slat_prot_perms(perms);
	bool split;
	int rc;

	random_run(t, &first, &n);
	split = straddles(t, first, n, (int)perms);
	enter(t->r);
	rc = slat_protect(&t->r->f.t, slat_gpa(priv_base(t) + first * 4 * KiB), n * 4 * KiB, &p,
			  &t->g);
	leave(t->r);
	if (rc == SLAT_OK) {
		model_split_ends(t, first, n, (int)perms);
		for (i = first; i < first + n; i++)
			if (t->priv[i].mapped)
				t->priv[i].perms = (uint8_t)perms;
	}
	op_result(t, rc, split, first, n, "protect");
}

static void priv_split(struct thr *t)
{
	unsigned first, n, i;
	bool split;
	int rc;

	random_run(t, &first, &n);
	split = any_big(t, first, n);
	enter(t->r);
	rc = slat_split(&t->r->f.t, slat_gpa(priv_base(t) + first * 4 * KiB), n * 4 * KiB, 12,
			&t->g);
	leave(t->r);
	if (rc == SLAT_OK) {
		model_split_ends(t, first, n, -1);
		for (i = first; i < first + n; i++)
			if (t->priv[i].mapped)
				t->priv[i].lg2 = 12;
	}
	op_result(t, rc, split, first, n, "split");
}

/* A guest access, as the hardware walker records it (slat/hwsim.h). */
static void guest_access(struct thr *t, struct page *pages, unsigned i, uint64_t gpa,
			 bool write)
{
	struct page *p = &pages[i];
	unsigned j, lo, hi;
	int rc;

	enter(t->r);
	rc = slat_hw_access(&t->r->f.t, slat_gpa(gpa), write);
	leave(t->r);
	if (!p->mapped) {
		CHECK(t, rc == SLAT_ENOENT, "guest access to unmapped %#llx: %d",
		      (unsigned long long)gpa, rc);
		return;
	}
	if (write && !(p->perms & SLAT_PERM_W)) {
		CHECK(t, rc == SLAT_EPERM, "guest write to read-only %#llx: %d",
		      (unsigned long long)gpa, rc);
		return;
	}
	CHECK(t, rc == SLAT_OK, "guest access to %#llx: %d", (unsigned long long)gpa, rc);
	lo = p->lg2 == 21 ? (i & ~511u) : i;
	hi = p->lg2 == 21 ? lo + 512 : i + 1;
	for (j = lo; j < hi; j++) {
		pages[j].accessed = 1;
		if (write)
			pages[j].dirty = 1;
	}
}

/* Harvest dirty and accessed state of [first, first + n) and compare with the model. */
static void harvest(struct thr *t, struct page *pages, unsigned first, unsigned n,
		    uint64_t gpa)
{
	uint64_t found = ~0ull, acc = ~0ull, want_d = 0, want_a = 0;
	unsigned i;
	int rc;

	memset(t->bm, 0, sizeof(t->bm));
	enter(t->r);
	rc = slat_dirty_harvest(&t->r->f.t, slat_gpa(gpa), n * 4 * KiB, t->bm,
				sizeof(t->bm) / 8, 0, &found, &t->g);
	leave(t->r);
	CHECK(t, rc == SLAT_OK, "harvest of %#llx+%u pages: %d", (unsigned long long)gpa, n, rc);
	for (i = 0; i < n; i++) {
		struct page *p = &pages[first + i];
		bool bit = t->bm[i / 64] >> (i % 64) & 1;

		CHECK(t, bit == (p->mapped && p->dirty),
		      "harvest of %#llx: page %u is %s, the model says %s (thread %u)",
		      (unsigned long long)gpa, i, bit ? "dirty" : "clean",
		      p->mapped && p->dirty ? "dirty" : "clean", t->k);
		want_d += bit;
		p->dirty = 0;
	}
	CHECK(t, found == want_d, "harvest found %llu, bitmap has %llu",
	      (unsigned long long)found, (unsigned long long)want_d);
	for (i = 0; i < n; i++)
		want_a += pages[first + i].mapped && pages[first + i].accessed;
	enter(t->r);
	rc = slat_accessed(&t->r->f.t, slat_gpa(gpa), n * 4 * KiB, 0, &acc, &t->g);
	leave(t->r);
	CHECK(t, rc == SLAT_OK && acc == want_a, "accessed of %#llx: %d, %llu pages, model %llu",
	      (unsigned long long)gpa, rc, (unsigned long long)acc, (unsigned long long)want_a);
	for (i = 0; i < n; i++)
		pages[first + i].accessed = 0;
}

/* A lock-free read of someone else's range: any answer but a broken one. */
static void translate_foreign(struct thr *t)
{
	uint64_t gpa = PRIV_BASE + (uint64_t)below(t, t->r->n * PRIV_PAGES) * 4 * KiB;
	struct slat_mapping m;
	int rc;

	enter(t->r);
	if (below(t, 2)) {
		/* The emulation path's lookup is a lock-free reader as well. */
		struct slat_translation tr;

		rc = slat_translate_perms(&t->r->f.t, slat_gpa(gpa), &tr);
		m.hpa = tr.hpa;
	} else {
		rc = slat_translate(&t->r->f.t, slat_gpa(gpa), &m);
	}
	leave(t->r);
	CHECK(t, rc == SLAT_OK || rc == SLAT_ENOENT, "translate of %#llx: %d",
	      (unsigned long long)gpa, rc);
	if (rc == SLAT_OK) {
		/* Every private map translates by a whole number of GiB, 1 to 8. */
		uint64_t d = m.hpa.v - gpa;

		CHECK(t, d % GiB == 0 && d >= GiB && d <= 8 * GiB,
		      "translate of %#llx gave %#llx", (unsigned long long)gpa,
		      (unsigned long long)m.hpa.v);
	}
}

/* ---- the interleaved range: 4 KiB pages, neighbours owned by other threads ---- */

static uint64_t il_gpa(unsigned i)
{
	return IL_BASE + (uint64_t)i * 4 * KiB;
}

static void il_op(struct thr *t)
{
	unsigned n = t->r->n, i = below(t, IL_PAGES / n) * n + t->k, perms = perm_set[below(t, 4)];
	struct page *p = &t->il[i];
	uint64_t delta = (1 + below(t, 8)) * GiB;
	int rc;

	switch (below(t, 6)) {
	case 0:
	case 1: {
		struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

		enter(t->r);
		rc = slat_map(&t->r->f.t, slat_gpa(il_gpa(i)), 4 * KiB,
			      slat_hpa(il_gpa(i) + delta), &a, 0, &t->g);
		leave(t->r);
		if (p->mapped) {
			CHECK(t, rc == SLAT_EEXIST, "interleaved map over %u: %d", i, rc);
			return;
		}
		if (rc == SLAT_ENOMEM) {
			t->nomem_ops++;
			check_page(t->r, il_gpa(i), p, "after a failed interleaved map");
			return;
		}
		CHECK(t, rc == SLAT_OK, "interleaved map of %u: %d", i, rc);
		t->ok_ops++;
		p->mapped = 1;
		p->hpa = il_gpa(i) + delta;
		p->perms = (uint8_t)perms;
		p->lg2 = 12;
		p->accessed = fresh_accessed(t->r);
		p->dirty = 0;
		return;
	}
	case 2:
		enter(t->r);
		rc = slat_unmap(&t->r->f.t, slat_gpa(il_gpa(i)), 4 * KiB, &t->g);
		leave(t->r);
		CHECK(t, rc == SLAT_OK, "interleaved unmap of %u: %d", i, rc);
		t->ok_ops++;
		memset(p, 0, sizeof(*p));
		return;
	case 3: {
		struct slat_prot pr = slat_prot_perms(perms);

		enter(t->r);
		rc = slat_protect(&t->r->f.t, slat_gpa(il_gpa(i)), 4 * KiB, &pr, &t->g);
		leave(t->r);
		CHECK(t, rc == SLAT_OK, "interleaved protect of %u: %d", i, rc);
		t->ok_ops++;
		if (p->mapped)
			p->perms = (uint8_t)perms;
		return;
	}
	case 4:
		guest_access(t, t->il, i, il_gpa(i), below(t, 2));
		return;
	default:
		harvest(t, t->il, i, 1, il_gpa(i));
		check_page(t->r, il_gpa(i), p, "interleaved page");
	}
}

static void one_op(struct thr *t)
{
	unsigned i = below(t, PRIV_PAGES);

	switch (below(t, 12)) {
	case 0:
	case 1:
		priv_map(t, false);
		break;
	case 2:
		priv_map(t, true);
		break;
	case 3:
		priv_unmap(t);
		break;
	case 4:
		priv_protect(t);
		break;
	case 5:
		priv_split(t);
		break;
	case 6:
		guest_access(t, t->priv, i, priv_base(t) + i * 4 * KiB, below(t, 3) != 0);
		break;
	case 7: {
		unsigned region = below(t, PRIV_PAGES / 512) * 512;

		harvest(t, t->priv, region, 512, priv_base(t) + region * 4 * KiB);
		break;
	}
	case 8:
		check_page(t->r, priv_base(t) + i * 4 * KiB, &t->priv[i], "translate");
		break;
	case 9:
		translate_foreign(t);
		break;
	default:
		il_op(t);
	}
	/* Sometimes the invalidation is done at once, sometimes pages wait. */
	if (below(t, 3) == 0) {
		int rc;

		enter(t->r);
		rc = slat_gather_done(&t->r->f.t, &t->g);
		leave(t->r);
		CHECK(t, rc == SLAT_OK, "gather_done: %d", rc);
	}
}

/* ---- the shared range: every thread faults on every page ----------------------- */

static void shared_fault_in(struct thr *t)
{
	struct run *r = t->r;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	bool reverse = t->k & 1;
	unsigned j;
	int rc;

	/* One thread in a round tries the whole region as one 2 MiB leaf first. */
	if (t->k == t->round % r->n && below(t, 2)) {
		enter(r);
		rc = slat_map(&r->f.t, slat_gpa(SH_BASE), SH_SIZE,
			      slat_hpa(SH_BASE + SH_HPA_DELTA), &a, 0, &t->g);
		leave(r);
		CHECK(t, rc == SLAT_OK || rc == SLAT_EEXIST || rc == SLAT_ENOMEM,
		      "shared 2 MiB map: %d", rc);
		if (rc == SLAT_OK) {
			__atomic_store_n(&r->sh_big, true, __ATOMIC_RELAXED);
			for (j = 0; j < SH_PAGES; j++)
				__atomic_add_fetch(&r->sh_ok[j], 1, __ATOMIC_RELAXED);
		}
	}
	for (j = 0; j < SH_PAGES && !failed(r); j++) {
		unsigned i = reverse ? SH_PAGES - 1 - j : j;
		uint64_t gpa = SH_BASE + (uint64_t)i * 4 * KiB;

		enter(r);
		rc = slat_map(&r->f.t, slat_gpa(gpa), 4 * KiB, slat_hpa(gpa + SH_HPA_DELTA), &a, 0,
			      &t->g);
		leave(r);
		__atomic_add_fetch(&r->sh_tries[i], 1, __ATOMIC_RELAXED);
		if (rc == SLAT_OK)
			__atomic_add_fetch(&r->sh_ok[i], 1, __ATOMIC_RELAXED);
		else if (rc == SLAT_ENOMEM)
			__atomic_add_fetch(&r->sh_nomem[i], 1, __ATOMIC_RELAXED);
		else if (rc == SLAT_EEXIST)
			t->eexist_shared++;
		else
			CHECK(t, 0, "shared map of page %u: %d", i, rc);
	}
}

static void shared_tear_down(struct thr *t)
{
	struct run *r = t->r;
	unsigned k, first, n;
	int rc;

	for (k = 0; k < 4 && !failed(r); k++) {
		n = 1 + below(t, 64);
		first = below(t, SH_PAGES - n);
		enter(r);
		rc = slat_unmap(&r->f.t, slat_gpa(SH_BASE + first * 4 * KiB), n * 4 * KiB, &t->g);
		leave(r);
		/* Only a split of the 2 MiB leaf needs a page. */
		CHECK(t, rc == SLAT_OK || (rc == SLAT_ENOMEM && r->sh_big),
		      "shared unmap of pages %u+%u: %d", first, n, rc);
	}
	enter(r);
	rc = slat_unmap(&r->f.t, slat_gpa(SH_BASE), SH_SIZE, &t->g);
	leave(r);
	CHECK(t, rc == SLAT_OK, "shared unmap of the whole range: %d", rc);
}

/* ---- link races: every thread's first page in a span with no table yet ---- */

/*
 * All threads leave together, within a few hundred nanoseconds where a
 * blocking barrier's wake-ups would spread them over tens of
 * microseconds: each then links a fresh table into the same absent entry.
 */
static void spin_barrier(struct run *r)
{
	unsigned gen = __atomic_load_n(&r->sb_gen, __ATOMIC_ACQUIRE), spins = 0;

	if (__atomic_add_fetch(&r->sb_count, 1, __ATOMIC_ACQ_REL) == r->n) {
		__atomic_store_n(&r->sb_count, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&r->sb_gen, 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&r->sb_gen, __ATOMIC_ACQUIRE) == gen)
		if (++spins > 2000)
			sched_yield(); /* valgrind runs one thread at a time */
}

#define LR_BASE (8 * GiB)
#define LR_RACES 24

/*
 * Race j maps one page per thread into the 2 MiB span at LR_BASE + j GiB,
 * whose level-0 and level-1 tables do not exist (the last race's were
 * reclaimed): a call that linked its table with a plain store would drop
 * another's. Each thread then finds its page, and unmaps it again, which
 * empties the tables for several reclaims at once.
 */
static void link_races(struct thr *t)
{
	struct run *r = t->r;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	unsigned j;

	for (j = 0; j < LR_RACES; j++) {
		uint64_t gpa = LR_BASE + (uint64_t)(j % 8) * GiB + t->k * 8 * 4 * KiB;
		struct page p = { 0 };
		int rc = SLAT_OK;

		if (t->k == 0) {
			__atomic_store_n(&lr_arrived, 0, __ATOMIC_RELAXED);
			lr_threads = opt_locked ? 1 : r->n; /* under one lock nobody can meet */
		}
		spin_barrier(r);
		if (!failed(r)) {
			lr_first = true;
			enter(r);
			rc = slat_map(&r->f.t, slat_gpa(gpa), 4 * KiB, slat_hpa(gpa + GiB), &a, 0, &t->g);
			leave(r);
			lr_first = false;
			if (rc != SLAT_OK && rc != SLAT_ENOMEM)
				bad(r, "link race %u: map of %#llx: %d", j, (unsigned long long)gpa, rc);
		}
		spin_barrier(r);
		if (!failed(r)) {
			p.mapped = rc == SLAT_OK;
			p.hpa = gpa + GiB;
			p.perms = SLAT_PERM_RW;
			p.lg2 = 12;
			p.accessed = fresh_accessed(r);
			check_page(r, gpa, &p, "link race, every thread mapped");
			enter(r);
			rc = slat_unmap(&r->f.t, slat_gpa(gpa), 4 * KiB, &t->g);
			leave(r);
			if (rc != SLAT_OK)
				bad(r, "link race %u: unmap of %#llx: %d", j, (unsigned long long)gpa, rc);
			enter(r);
			rc = slat_gather_done(&r->f.t, &t->g);
			leave(r);
			if (rc != SLAT_OK)
				bad(r, "link race: gather_done: %d", rc);
		}
	}
	spin_barrier(r);
}

#define SR_GPA (LR_BASE + 16 * GiB)
#define SR_RACES 2

/*
 * Split races (link-only variants): one 2 MiB leaf, every thread protects
 * a page of its own inside it at once. Their ranges are disjoint, but each
 * must split the same leaf, so each must hold the whole leaf (the range
 * widened over it): the first splits, the others wait and then change the
 * 4 KiB leaves. A call that did not widen would split the leaf again from
 * the value it read and drop the other's change; here each call waits in
 * clean_tables for the others (a few milliseconds when they are rightly
 * held back), so a missing widening fails for certain.
 */
static void split_races(struct thr *t)
{
	struct run *r = t->r;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_prot ro = slat_prot_perms(SLAT_PERM_R);
	uint64_t mine = SR_GPA + t->k * 8 * 4 * KiB;
	unsigned j;
	int rc;

	for (j = 0; j < SR_RACES; j++) {
		struct page p = { .mapped = 1, .perms = SLAT_PERM_R, .lg2 = 12 };

		if (t->k == 0 && !failed(r)) {
			__atomic_store_n(&lr_arrived, 0, __ATOMIC_RELAXED);
			lr_threads = opt_locked ? 1 : r->n;
			lr_count = false;
			enter(r);
			rc = slat_map(&r->f.t, slat_gpa(SR_GPA), 2 * MiB, slat_hpa(SR_GPA + GiB), &a, 0,
				      &t->g);
			leave(r);
			if (rc != SLAT_OK)
				bad(r, "split race: map of the 2 MiB leaf: %d", rc);
		}
		spin_barrier(r);
		if (!failed(r)) {
			lr_first = true;
			enter(r);
			rc = slat_protect(&r->f.t, slat_gpa(mine), 4 * KiB, &ro, &t->g);
			leave(r);
			lr_first = false;
			if (rc != SLAT_OK)
				bad(r, "split race: protect of %#llx: %d", (unsigned long long)mine, rc);
		}
		spin_barrier(r);
		if (!failed(r)) {
			p.hpa = mine + GiB;
			check_page(r, mine, &p, "split race, every thread protected its page");
			p.hpa += 4 * KiB;
			p.perms = SLAT_PERM_RW;
			check_page(r, mine + 4 * KiB, &p, "split race, the page next to a protected one");
		}
		spin_barrier(r);
		if (t->k == 0 && !failed(r)) {
			enter(r);
			rc = slat_unmap(&r->f.t, slat_gpa(SR_GPA), 2 * MiB, &t->g);
			leave(r);
			if (rc != SLAT_OK)
				bad(r, "split race: unmap: %d", rc);
			lr_count = true;
		}
		enter(r);
		rc = slat_gather_done(&r->f.t, &t->g);
		leave(r);
		if (rc != SLAT_OK)
			bad(r, "split race: gather_done: %d", rc);
		spin_barrier(r);
	}
}

/* ---- quiescent checks (thread 0, every other thread at the barrier) ----------- */

static void count_problem(void *ctx, const struct slat_problem *p)
{
	struct run *r = ctx;

	bad(r, "slat_validate: %s at %#llx level %u", slat_problem_str(p->kind),
	     (unsigned long long)p->gpa.v, p->level);
}

static void check_quiescent(struct run *r, bool faulted_in, unsigned round)
{
	uint64_t problems = 0, held = 0, used;
	unsigned k, i;
	char where[48];

	snprintf(where, sizeof(where), "end of round %u", round);
	for (k = 0; k < r->n && !failed(r); k++) {
		struct thr *t = r->thr[k];

		for (i = 0; i < PRIV_PAGES && !failed(r); i++)
			check_page(r, priv_base(t) + i * 4 * KiB, &t->priv[i], where);
		for (i = k; i < IL_PAGES && !failed(r); i += r->n)
			check_page(r, il_gpa(i), &t->il[i], where);
		held += slat_gather_pages(&t->g);
	}
	for (i = 0; i < SH_PAGES && !failed(r); i++) {
		struct page p = { 0 };

		if (faulted_in) {
			if (r->sh_ok[i] > 1 ||
			    (r->sh_ok[i] == 0 && r->sh_nomem[i] != r->sh_tries[i])) {
				bad(r, "shared page %u: %u maps succeeded, %u of %u ENOMEM",
				     i, r->sh_ok[i], r->sh_nomem[i], r->sh_tries[i]);
				break;
			}
			p.mapped = r->sh_ok[i] == 1;
			p.hpa = SH_BASE + i * 4 * KiB + SH_HPA_DELTA;
			p.perms = SLAT_PERM_RW;
			p.lg2 = r->sh_big ? 21 : 12;
			p.accessed = fresh_accessed(r);
		}
		check_page(r, SH_BASE + i * 4 * KiB, &p, faulted_in ? "shared, faulted in" : "shared, torn down");
	}
	if (slat_validate(&r->f.t, count_problem, r, &problems) != SLAT_OK || problems)
		bad(r, "slat_validate found %llu problems", (unsigned long long)problems);
	used = r->f.pool.in_use >> 12;
	if (used != slat_table_pages(&r->f.t) + held)
		bad(r, "pool balance at round %u: %llu pages in use, %llu in the table, %llu in gathers",
		     round, (unsigned long long)used,
		     (unsigned long long)slat_table_pages(&r->f.t), (unsigned long long)held);
}

/* ---- the threads ---------------------------------------------------------------- */

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct run *r = t->r;
	unsigned round, op;

	for (round = 0; round < opt_rounds; round++) {
		bool fault_in = round % 2 == 0;

		t->round = round;
		link_races(t);
		if (r->v->link_only) {
			split_races(t);
			pthread_barrier_wait(&r->bar);
			if (t->k == 0 && !failed(r))
				check_quiescent(r, false, round);
			pthread_barrier_wait(&r->bar);
			continue;
		}
		if (!failed(r)) {
			if (fault_in)
				shared_fault_in(t);
			else
				shared_tear_down(t);
		}
		for (op = 0; op < opt_ops && !failed(r); op++) {
			t->op = op;
			one_op(t);
		}
		pthread_barrier_wait(&r->bar);
		if (t->k == 0) {
			if (!failed(r))
				check_quiescent(r, fault_in, round);
			memset(r->sh_ok, 0, sizeof(r->sh_ok));
			memset(r->sh_tries, 0, sizeof(r->sh_tries));
			memset(r->sh_nomem, 0, sizeof(r->sh_nomem));
			if (!fault_in)
				r->sh_big = false;
		}
		pthread_barrier_wait(&r->bar);
	}
	__atomic_add_fetch(&r->ok_ops, t->ok_ops, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->nomem_ops, t->nomem_ops, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->eexist_shared, t->eexist_shared, __ATOMIC_RELAXED);
	return NULL;
}

static void count_sync(void *ctx, const struct slat_table *t, const struct slat_gather *g)
{
	struct run *r = ctx;

	(void)t;
	(void)g;
	__atomic_add_fetch(&r->syncs, 1, __ATOMIC_RELAXED);
}


static void run_stress(void **state)
{
	const struct variant *v = *state;

	lr_met = 0;
	struct run *r = calloc(1, sizeof(*r));
	pthread_t th[MAX_THREADS];
	unsigned k;

	assert_non_null(r);
	r->v = v;
	r->fmt = v->fmt;
	r->n = v->threads;
	fx_prepare(&r->f, v->fmt);
	r->f.cfg.features = stress_features();
	if (v->link_only) {
		r->f.cfg.features ^= SLAT_FEAT_AD | SLAT_FEAT_WALK_NC;
		r->f.cfg.clean_tables = lr_clean;
	}
	r->f.cfg.sync_ctx = r;
	r->f.cfg.sync_invalidate = count_sync;
	/* valgrind runs one thread at a time: a waiter that only spins would
	 * hold the CPU its lock holder needs. */
	r->f.cfg.wait = slat_wait_yield;
	pthread_mutex_init(&alloc_.lock, NULL);
	alloc_.pool = &r->f.pool;
	alloc_.inner = slat_pool_allocator(&r->f.pool);
	alloc_.attempts = alloc_.failed = alloc_.fail_every = 0;
	r->f.cfg.alloc.alloc = st_alloc;
	r->f.cfg.alloc.free = st_free;
	r->f.cfg.alloc.phys_to_virt = st_p2v;
	if (v->linear) {
		r->f.cfg.features |= SLAT_FEAT_LINEAR_MAP;
		r->f.cfg.linear_offset = slat_pool_linear_offset(&r->f.pool);
	}
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	pthread_mutex_init(&r->big_lock, NULL);
	pthread_barrier_init(&r->bar, NULL, r->n);
	for (k = 0; k < r->n; k++) {
		struct thr *t = calloc(1, sizeof(*t));

		assert_non_null(t);
		t->r = r;
		t->k = k;
		t->rng = (opt_seed * 0x9E3779B97F4A7C15ull) ^
			 ((uint64_t)slat_table_format(&r->f.t) << 40) ^
			 ((uint64_t)r->n << 32) ^ (k + 1);
		rnd(t);
		slat_gather_init(&t->g);
		r->thr[k] = t;
	}
	fail_every(v->link_only ? 0 : FAIL_EVERY);
	for (k = 0; k < r->n; k++)
		assert_int_equal(pthread_create(&th[k], NULL, worker, r->thr[k]), 0);
	for (k = 0; k < r->n; k++)
		pthread_join(th[k], NULL);
	fail_every(0);
	if (r->failed)
		fail_msg("%s", r->why);
	printf("test_stress: %s, %u threads: %u calls succeeded, %u failed for want of memory "
	       "(%u allocations refused), %u shared maps lost the race, %u synchronous invalidations\n",
	       slat_format_name(r->fmt), r->n, r->ok_ops, r->nomem_ops, alloc_.failed,
	       r->eexist_shared, r->syncs);
	/* Something happened: calls succeeded, failed for want of memory, and
	 * lost the race for a shared page; the link races met. */
	if (v->link_only) {
		printf("test_stress: %s, %u threads: %u of %u calls met the others before linking\n",
		       slat_format_name(r->fmt), r->n, lr_met, opt_rounds * LR_RACES * r->n);
		assert_true(opt_locked || opt_plain || lr_met > 0);
	} else {
		assert_true(r->ok_ops > r->n * opt_rounds * opt_ops / 4);
		assert_true(r->nomem_ops > 0);
		assert_true(r->eexist_shared > 0);
		if (slat_table_format(&r->f.t) == SLAT_FORMAT_STAGE2)
			assert_true(r->syncs > 0);
	}
	for (k = 0; k < r->n; k++) {
		assert_int_equal(slat_gather_done(&r->f.t, &r->thr[k]->g), SLAT_OK);
		free(r->thr[k]);
	}
	/* Every page back once the table is gone (fx_fini checks the pool). */
	fx_fini(&r->f);
	pthread_barrier_destroy(&r->bar);
	pthread_mutex_destroy(&r->big_lock);
	pthread_mutex_destroy(&alloc_.lock);
	free(r);
}

static const struct variant variants[] = {
	{ &slat_format_ept, 2, false },    { &slat_format_ept, 4, false },
	{ &slat_format_npt, 2, false },    { &slat_format_npt, 4, false },
	{ &slat_format_stage2, 2, false }, { &slat_format_stage2, 4, false },
	/* NPT has no SLAT_FEAT_WALK_NC. */
	{ &slat_format_ept, 2, true },     { &slat_format_stage2, 4, true },
	{ &slat_format_ept, 4, false, true }, { &slat_format_npt, 4, false, true },
	{ &slat_format_stage2, 4, false, true },
	{ &slat_format_ept, 2, true, true }, { &slat_format_stage2, 4, true, true },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

int main(int argc, char **argv)
{
	struct CMUnitTest tests[NVARIANTS];
	static char names[NVARIANTS][40];
	unsigned i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			opt_seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--rounds") && a + 1 < argc)
			opt_rounds = (unsigned)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--ops") && a + 1 < argc)
			opt_ops = (unsigned)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--locked"))
			opt_locked = true;
		else if (!strcmp(argv[a], "--plain"))
			opt_plain = true;
		else {
			fprintf(stderr, "usage: %s [--seed S] [--rounds R] [--ops K] [--locked | --plain]\n",
				argv[0]);
			return 2;
		}
	}
	if (opt_rounds < 2)
		opt_rounds = 2;
	printf("test_stress: seed %llu, %u rounds of %u operations per thread%s\n",
	       (unsigned long long)opt_seed, opt_rounds, opt_ops,
	       opt_locked ? ", every call under one lock" : "");
	for (i = 0; i < NVARIANTS; i++) {
		snprintf(names[i], sizeof(names[i]), "%s_%s_%u%s",
			 variants[i].link_only ? "link_race" : "stress",
			 slat_format_name(variants[i].fmt), variants[i].threads,
			 variants[i].linear ? "_linear" : "");
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = names[i];
		tests[i].test_func = run_stress;
		tests[i].initial_state = (void *)&variants[i];
	}
	return _cmocka_run_group_tests("test_stress", tests, NVARIANTS, NULL, NULL);
}
