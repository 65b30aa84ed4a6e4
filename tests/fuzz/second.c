/* SPDX-License-Identifier: MIT */
/*
 * A second mutator on the fuzzed table (SLAT_FUZZ_CONCURRENT=1): the table
 * is created with SLAT_FEAT_CONCURRENT, and a second thread maps, unmaps,
 * protects and translates in a range of its own while the engine's thread
 * runs its operations. The second thread runs exactly while the engine is
 * inside a changing libslat call (released in op_begin(), parked in
 * op_result()), so that every check of the engine, which walks the table
 * and the pool, sees it quiescent.
 *
 * Its range, R2, is one entry of the root table that the engine's address
 * generators never reach (the input space's middle; inputs whose geometry
 * leaves no such entry run without the second thread). A page outside the
 * second thread's working area stays mapped from setup to teardown, so
 * that the root entry never changes: the engine's snapshots skip that
 * entry's subtree and count its pages apart. The second thread keeps a
 * per-page model of its working area; its operations come from the input
 * read backwards from its end, so the same input gives the same two
 * sequences (the interleaving varies from run to run).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define R2_PAGES_MAX 4096

static struct {
	bool on;
	struct engine *e;
	const struct target *tg;
	uint64_t base;      /* first address of the working area */
	uint64_t unit;      /* the level-1 leaf size: the working area is 4 of them */
	uint64_t g;         /* granule */
	unsigned npages;    /* granules in the working area (sampled when larger) */
	uint64_t root_lo, root_hi; /* span of R2's root entry */
	uint64_t pin;       /* the page that stays mapped */
	struct slat_gather gather;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool go, busy, stop;
	/* The input, read from its end. */
	const uint8_t *data;
	size_t left;
	uint64_t rng;
	uint64_t hpa[R2_PAGES_MAX]; /* 0: unmapped; else HPA | perms in bits 3:0 */
	int64_t net_bytes;  /* table memory the second thread holds (under pool lock) */
	unsigned ops, ok, eexist, nomem;
} s2;

/* The pool is not thread-safe: the engine's allocator hooks take this. */
pthread_mutex_t second_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool on_second;

bool second_active(void)
{
	return s2.on;
}

bool second_is_me(void)
{
	return on_second;
}

void second_account(int64_t bytes)
{
	s2.net_bytes += bytes;
}

int64_t second_net_bytes(void)
{
	return s2.net_bytes;
}

bool second_root_entry(uint64_t base, uint64_t span)
{
	return s2.on && base == s2.root_lo && base + span == s2.root_hi;
}

static uint8_t back_u8(void)
{
	if (!s2.left)
		return 0;
	return s2.data[--s2.left];
}

static uint64_t rnd(void)
{
	s2.rng ^= s2.rng >> 12;
	s2.rng ^= s2.rng << 25;
	s2.rng ^= s2.rng >> 27;
	return s2.rng * 0x2545F4914F6CDD1Dull;
}

/* The page the model holds for granule i of the working area. */
static uint64_t page_gpa(unsigned i)
{
	return s2.base + (uint64_t)i * s2.g;
}

static void check_page(unsigned i, const char *what)
{
	struct slat_mapping m;
	int r = slat_translate(&s2.e->t, slat_gpa(page_gpa(i)), &m);
	uint64_t want = s2.hpa[i];

	if (!want) {
		FZ_CHECK(r == SLAT_ENOENT, "second-model",
			 "second thread, after %s: 0x%llx should be unmapped, translate gives %d",
			 what, (unsigned long long)page_gpa(i), r);
		return;
	}
	FZ_CHECK(r == SLAT_OK && m.hpa.v == (want & ~0xfull) &&
			 (m.attrs.perms & SLAT_PERM_RW) == (want & 0xf),
		 "second-model",
		 "second thread, after %s: 0x%llx translates (%d) to 0x%llx perms %u, model 0x%llx perms %u",
		 what, (unsigned long long)page_gpa(i), r, (unsigned long long)m.hpa.v,
		 m.attrs.perms, (unsigned long long)(want & ~0xfull), (unsigned)(want & 0xf));
}

/* Pages [first, first + n) and their neighbours, sampled. */
static void check_run(unsigned first, unsigned n, const char *what)
{
	unsigned lo = first ? first - 1 : 0, hi = first + n < s2.npages ? first + n + 1 : s2.npages;
	unsigned i, step = (hi - lo) / 16 + 1;

	for (i = lo; i < hi; i += step)
		check_page(i, what);
	check_page(hi - 1, what);
}

static void one_op(void)
{
	const uint8_t b = back_u8();
	unsigned n, first, i, perms = (b & 0x10) ? SLAT_PERM_RW : SLAT_PERM_R;
	const unsigned per_unit = (unsigned)(s2.unit / s2.g);
	const char *what;
	uint64_t gpa;
	int r;

	if (b & 0x20) { /* a whole level-1 leaf */
		first = (unsigned)(rnd() % (s2.npages / per_unit)) * per_unit;
		n = per_unit;
	} else {
		n = 1 + back_u8() % 32;
		first = (unsigned)(rnd() % (s2.npages - n));
	}
	gpa = page_gpa(first);
	s2.ops++;
	switch (b % 4) {
	case 0:
	case 1: {
		struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);
		uint64_t hpa = gpa - s2.base + (1 + rnd() % 3) * 4 * s2.unit;
		bool any = false;

		what = "map";
		r = slat_map(&s2.e->t, slat_gpa(gpa), (uint64_t)n * s2.g, slat_hpa(hpa), &a, 0,
			     &s2.gather);
		for (i = first; i < first + n; i++)
			any |= s2.hpa[i] != 0;
		if (any) {
			FZ_CHECK(r == SLAT_EEXIST, "second-errcode",
				 "second thread: map over a mapping at 0x%llx returned %d",
				 (unsigned long long)gpa, r);
			s2.eexist++;
		} else if (r == SLAT_OK) {
			for (i = first; i < first + n; i++)
				s2.hpa[i] = (hpa + (uint64_t)(i - first) * s2.g) | perms;
		}
		break;
	}
	case 2:
		what = "unmap";
		r = slat_unmap(&s2.e->t, slat_gpa(gpa), (uint64_t)n * s2.g, &s2.gather);
		if (r == SLAT_OK)
			for (i = first; i < first + n; i++)
				s2.hpa[i] = 0;
		break;
	default: {
		struct slat_prot p = slat_prot_perms(perms);

		what = "protect";
		r = slat_protect(&s2.e->t, slat_gpa(gpa), (uint64_t)n * s2.g, &p, &s2.gather);
		if (r == SLAT_OK)
			for (i = first; i < first + n; i++)
				if (s2.hpa[i])
					s2.hpa[i] = (s2.hpa[i] & ~0xfull) | perms;
	}
	}
	/* The table memory may run out (small budgets); nothing else may fail. */
	FZ_CHECK(r == SLAT_OK || r == SLAT_ENOMEM || r == SLAT_EEXIST, "second-errcode",
		 "second thread: %s of [0x%llx, +%u pages) returned %d", what,
		 (unsigned long long)gpa, n, r);
	if (r == SLAT_OK)
		s2.ok++;
	if (r == SLAT_ENOMEM)
		s2.nomem++;
	check_run(first, n, what);
	r = slat_gather_done(&s2.e->t, &s2.gather);
	FZ_CHECK(r == SLAT_OK, "second-errcode", "second thread: gather_done returned %d", r);
}

static void *second_main(void *arg)
{
	(void)arg;
	on_second = true;
	pthread_mutex_lock(&s2.lock);
	for (;;) {
		while (!s2.go && !s2.stop)
			pthread_cond_wait(&s2.cv, &s2.lock);
		if (s2.stop)
			break;
		s2.go = false;
		pthread_mutex_unlock(&s2.lock);
		one_op();
		pthread_mutex_lock(&s2.lock);
		s2.busy = false;
		pthread_cond_broadcast(&s2.cv);
	}
	pthread_mutex_unlock(&s2.lock);
	return NULL;
}

/*
 * Whether this table gets a second mutator: SLAT_FUZZ_CONCURRENT=1, and a
 * root entry in the middle of the input space that the engine cannot
 * reach (its generators stay within about twice the window of the bottom
 * and a window plus a little of the top). Called before the table exists.
 */
bool second_want(struct engine *e)
{
	const char *env = getenv("SLAT_FUZZ_CONCURRENT");
	unsigned top = e->levels - 1;
	uint64_t span, g = 1ull << e->granule_lg2, unit;

	memset(&s2, 0, sizeof(s2));
	if (!env || *env != '1' || e->walk_nc || e->levels < 2)
		return false;
	span = 1ull << e->level_shift[top];
	unit = 1ull << e->level_shift[1];
	s2.root_lo = (e->ia_top / 2) & ~(span - 1);
	s2.root_hi = s2.root_lo + span;
	if (s2.root_lo < 2 * e->window + (1ull << 30) ||
	    s2.root_hi + e->window + (1ull << 30) > e->ia_top || s2.root_hi <= s2.root_lo)
		return false;
	/* The working area and the pin inside the entry; HPAs below the width. */
	if (6 * unit > span || 16 * unit > e->pa_top)
		return false;
	s2.g = g;
	s2.unit = unit;
	s2.base = s2.root_lo;
	s2.npages = (unsigned)(4 * unit / g);
	if (s2.npages > R2_PAGES_MAX) /* 16K and 64K granules: fewer units */
		return false;
	s2.pin = s2.base + 5 * unit;
	s2.on = true;
	return true;
}

/* The table exists: map the pin, start the thread. */
void second_start(struct engine *e, const uint8_t *data, size_t size)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB);
	int r;

	if (!s2.on)
		return;
	s2.e = e;
	s2.data = data;
	s2.left = size;
	s2.rng = 0x9E3779B97F4A7C15ull ^ size;
	slat_gather_init(&s2.gather);
	on_second = true; /* its pages are the second thread's */
	r = slat_map(&e->t, slat_gpa(s2.pin), s2.g, slat_hpa(8 * s2.unit), &a, 0, &s2.gather);
	on_second = false;
	if (r != SLAT_OK) {
		/* no room for it: run without the second thread */
		s2.on = false;
		return;
	}
	pthread_mutex_init(&s2.lock, NULL);
	pthread_cond_init(&s2.cv, NULL);
	if (pthread_create(&s2.th, NULL, second_main, NULL))
		abort();
	fuzz_stats.concurrent++;
}

void second_release(void)
{
	if (!s2.on)
		return;
	pthread_mutex_lock(&s2.lock);
	s2.go = true;
	s2.busy = true;
	pthread_cond_broadcast(&s2.cv);
	pthread_mutex_unlock(&s2.lock);
}

void second_park(void)
{
	if (!s2.on)
		return;
	pthread_mutex_lock(&s2.lock);
	while (s2.busy)
		pthread_cond_wait(&s2.cv, &s2.lock);
	pthread_mutex_unlock(&s2.lock);
}

/* Stop the thread, check its whole area, and unmap it (the pin too). */
void second_stop(void)
{
	unsigned i;

	if (!s2.on)
		return;
	pthread_mutex_lock(&s2.lock);
	s2.stop = true;
	pthread_cond_broadcast(&s2.cv);
	pthread_mutex_unlock(&s2.lock);
	pthread_join(s2.th, NULL);
	for (i = 0; i < s2.npages; i++)
		check_page(i, "the last operation");
	fuzz_stats.concurrent_ops += s2.ops;
	pthread_cond_destroy(&s2.cv);
	pthread_mutex_destroy(&s2.lock);
	s2.on = false;
}
