/* SPDX-License-Identifier: MIT */
/*
 * Two software mutators and the hardware's accessed/dirty updates meeting
 * on one SLAT_FEAT_CONCURRENT table (docs/concurrency.md). Like
 * test_race.c this links its own copy of the library built with
 * SLAT_TEST_RACE, so libslat calls slat__race_point() at the last moment
 * before it replaces a live leaf it has read. There, inside call A (which
 * holds its range), the hook below makes the guest write the page (the
 * hardware's atomic update) and starts call B on a second thread, then:
 *  - B's range is disjoint from A's: B must run to its end while A is
 *    stopped at the race point (calls on disjoint ranges do not wait for
 *    each other), even when both change one table;
 *  - B's range overlaps A's (or a leaf A is splitting): B must wait (it
 *    calls the table's wait hook) and must not have returned when A
 *    resumes; B then takes effect after A.
 * Each test checks the outcome of the order the semantics fix, that the
 * guest's dirty state survived, slat_validate(), that no page leaked, and
 * that the hook ran (so that a change of code path cannot turn a test into
 * a no-op).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static const unsigned RW = SLAT_PERM_RW, RWX = SLAT_PERM_RWX, R = SLAT_PERM_R;

/* Call B: what the second thread runs once the hook lets it go. */
struct call_b {
	int (*fn)(struct fx *f, const struct call_b *c, struct slat_gather *g);
	uint64_t gpa, size, hpa;
	unsigned perms;
	uint32_t flags;
};

static struct {
	struct fx *f;
	uint64_t *slot;       /* the live leaf A replaces */
	uint64_t gpa;         /* a page of it the guest writes */
	bool parallel;        /* B is disjoint: it must finish inside the hook */
	struct call_b b;
	struct fx *bf;        /* B's table, kept after the hook is disarmed */
	pthread_t b_thread;
	sem_t go, finished;
	/* Observations, asserted by the main thread afterwards. */
	unsigned hits;
	int hw_rc;
	bool b_done_in_hook;  /* B returned while A was stopped */
	unsigned b_waits;     /* wait-hook calls made by B */
	unsigned b_waits_in_hook;
	int b_rc;
	bool b_done;
	struct slat_gather bg;
} rc2;

void slat__race_point(uint64_t *slot);

/* Set on B's thread: its own calls pass the hooks by (they are A's). */
static __thread bool on_b;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

void slat__race_point(uint64_t *slot)
{
	unsigned i;

	if (on_b || !rc2.f || slot != rc2.slot || rc2.hits)
		return;
	rc2.hits++;
	/* The guest writes the page on another CPU. */
	rc2.hw_rc = slat_hw_access(&rc2.f->t, slat_gpa(rc2.gpa), true);
	sem_post(&rc2.go);
	if (rc2.parallel) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 20; /* valgrind runs one thread at a time, slowly */
		while (sem_timedwait(&rc2.finished, &ts) && errno == EINTR)
			;
		rc2.b_done_in_hook = __atomic_load_n(&rc2.b_done, __ATOMIC_ACQUIRE);
		return;
	}
	/* B must be waiting for A's range; give it time to show it is. */
	for (i = 0; i < 2000 && !__atomic_load_n(&rc2.b_waits, __ATOMIC_ACQUIRE); i++)
		sleep_ms(1);
	for (i = 0; i < 20; i++)
		sleep_ms(1); /* and time to (wrongly) finish */
	rc2.b_waits_in_hook = __atomic_load_n(&rc2.b_waits, __ATOMIC_ACQUIRE);
	rc2.b_done_in_hook = __atomic_load_n(&rc2.b_done, __ATOMIC_ACQUIRE);
}

/* The table's wait hook: counts the waits of thread B. */
static void count_wait(void *ctx)
{
	(void)ctx;
	if (on_b)
		__atomic_add_fetch(&rc2.b_waits, 1, __ATOMIC_RELEASE);
	sched_yield();
}

static void *b_main(void *arg)
{
	(void)arg;
	on_b = true;
	while (sem_wait(&rc2.go) && errno == EINTR)
		;
	rc2.b_rc = rc2.b.fn(rc2.bf, &rc2.b, &rc2.bg);
	__atomic_store_n(&rc2.b_done, true, __ATOMIC_RELEASE);
	sem_post(&rc2.finished);
	return NULL;
}

static int b_map(struct fx *f, const struct call_b *c, struct slat_gather *g)
{
	struct slat_attrs a = slat_attrs_make(c->perms, SLAT_MT_WB);

	return slat_map(&f->t, slat_gpa(c->gpa), c->size, slat_hpa(c->hpa), &a, c->flags, g);
}

static int b_protect(struct fx *f, const struct call_b *c, struct slat_gather *g)
{
	struct slat_prot p = slat_prot_perms(c->perms);

	return slat_protect(&f->t, slat_gpa(c->gpa), c->size, &p, g);
}

/* Synchronous invalidations (Stage-2), from either thread. */
static unsigned syncs;

static void count_sync(void *ctx, const struct slat_table *t, const struct slat_gather *g)
{
	(void)ctx;
	(void)t;
	(void)g;
	__atomic_add_fetch(&syncs, 1, __ATOMIC_RELAXED);
}

static void conc_prepare(struct fx *f, const struct slat_format *fmt)
{
	fx_prepare(f, fmt);
	f->cfg.features = SLAT_FEAT_AD | SLAT_FEAT_CONCURRENT;
	f->cfg.wait = count_wait;
	f->cfg.sync_invalidate = count_sync;
	f->cfg.sync_ctx = NULL;
}

static void conc_init(struct fx *f, const struct slat_format *fmt)
{
	conc_prepare(f, fmt);
	assert_int_equal(fx_create(f), SLAT_OK);
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, unsigned perms,
		   uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(gpa + 4 * GiB),
				  &a, flags, &f->g),
			 SLAT_OK);
}

/* Dirty base pages of [gpa, gpa + size), cleared. */
static uint64_t dirty_pages(struct fx *f, uint64_t gpa, uint64_t size)
{
	static uint64_t bm[512 / 64];
	uint64_t dirty = ~0ull;

	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(gpa), size, bm, 8, 0, &dirty, &f->g),
			 SLAT_OK);
	return dirty;
}

/*
 * Arm the race on the leaf at `level` over `gpa` (cleaned first), B ready
 * on its thread; `parallel`: B is disjoint from the call A the test makes.
 */
static void arm(struct fx *f, uint64_t gpa, uint64_t size, unsigned level,
		const struct call_b *b, bool parallel)
{
	dirty_pages(f, gpa, size);
	fx_flush(f);
	assert_int_equal(dirty_pages(f, gpa, size), 0);
	fx_flush(f);
	memset(&rc2, 0, sizeof(rc2));
	rc2.slot = entry_at(&f->t, gpa, level);
	assert_non_null(rc2.slot);
	rc2.gpa = gpa;
	rc2.parallel = parallel;
	rc2.b = *b;
	rc2.hw_rc = -1;
	rc2.b_rc = -1;
	slat_gather_init(&rc2.bg);
	assert_int_equal(sem_init(&rc2.go, 0, 0), 0);
	assert_int_equal(sem_init(&rc2.finished, 0, 0), 0);
	rc2.bf = f;
	assert_int_equal(pthread_create(&rc2.b_thread, NULL, b_main, NULL), 0);
	rc2.f = f;
}

/* After call A returned: B finished, with `b_rc`; what the hook saw. */
static void settle(struct fx *f, int b_rc)
{
	rc2.f = NULL;
	if (!rc2.hits) /* A never reached the race point: let B go, then fail. */
		sem_post(&rc2.go);
	pthread_join(rc2.b_thread, NULL);
	sem_destroy(&rc2.go);
	sem_destroy(&rc2.finished);
	assert_int_equal(rc2.hits, 1);
	assert_int_equal(rc2.hw_rc, SLAT_OK);
	if (rc2.parallel) {
		assert_true(rc2.b_done_in_hook);
	} else {
		assert_false(rc2.b_done_in_hook);
		assert_true(rc2.b_waits_in_hook > 0);
	}
	assert_int_equal(rc2.b_rc, b_rc);
	assert_int_equal(slat_gather_done(&f->t, &rc2.bg), SLAT_OK);
}

static void finish(struct fx *f)
{
	uint64_t problems = ~0ull;

	assert_int_equal(slat_validate(&f->t, NULL, NULL, &problems), SLAT_OK);
	assert_int_equal(problems, 0);
	fx_fini(f); /* every page back */
}

/*
 * A protects page P of a level-0 table; B maps page Q, absent, of the same
 * table: disjoint, B runs to its end while A is stopped before its write.
 * A's protect lands on the value with the guest's write in it.
 */
static void test_disjoint_map(void **state)
{
	struct call_b b = { b_map, 2 * MiB + 0x40000, 0x1000, 12 * GiB, RW, 0 };
	struct slat_prot p = { .perm_clear = SLAT_PERM_X };
	struct fx f;

	conc_init(&f, *state);
	map_ok(&f, 2 * MiB, 0x10000, RWX, 0);
	arm(&f, 2 * MiB + 0x5000, 0x1000, 0, &b, true);
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB + 0x5000), 0x1000, &p, &f.g), SLAT_OK);
	settle(&f, SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x5000, 2 * MiB + 0x5000 + 4 * GiB, RW, 12);
	expect_map(&f.t, 2 * MiB + 0x40000, 12 * GiB, RW, 12);
	expect_map(&f.t, 2 * MiB + 0x4000, 2 * MiB + 0x4000 + 4 * GiB, RWX, 12);
	assert_int_equal(dirty_pages(&f, 2 * MiB, 2 * MiB), 1);
	finish(&f);
}

/*
 * The same page: A removes X, B (waiting for A's range) then removes W.
 * Linearizable in the order A, B: R only; the guest's write inside A is
 * still reported dirty after both.
 */
static void test_overlap_protect(void **state)
{
	struct call_b b = { b_protect, 2 * MiB + 0x5000, 0x1000, 0, R, 0 };
	struct slat_prot p = { .perm_clear = SLAT_PERM_X };
	struct fx f;

	conc_init(&f, *state);
	map_ok(&f, 2 * MiB, 0x10000, RWX, 0);
	arm(&f, 2 * MiB + 0x5000, 0x1000, 0, &b, false);
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB + 0x5000), 0x1000, &p, &f.g), SLAT_OK);
	settle(&f, SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x5000, 2 * MiB + 0x5000 + 4 * GiB, R, 12);
	assert_int_equal(dirty_pages(&f, 2 * MiB, 2 * MiB), 1);
	finish(&f);
}

/*
 * A protects one page of a 2 MiB leaf (a split); B protects another page
 * of the same leaf. Their ranges are disjoint, but both change the leaf:
 * B waits for A's range widened to it. Every page keeps the guest's write.
 */
static void test_straddled_leaf(void **state)
{
	struct call_b b = { b_protect, 2 * MiB + 0x100000, 0x1000, 0, R, 0 };
	struct slat_prot p = { .perm_clear = SLAT_PERM_X };
	struct fx f;

	conc_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RWX, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, &b, false);
	rc2.gpa = 2 * MiB + 0x9000;
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB + 0x7000), 0x1000, &p, &f.g), SLAT_OK);
	settle(&f, SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x7000, 2 * MiB + 0x7000 + 4 * GiB, RW, 12);
	expect_map(&f.t, 2 * MiB + 0x100000, 2 * MiB + 0x100000 + 4 * GiB, R, 12);
	expect_map(&f.t, 2 * MiB + 0x9000, 2 * MiB + 0x9000 + 4 * GiB, RWX, 12);
	assert_int_equal(dirty_pages(&f, 2 * MiB, 2 * MiB), 512);
	finish(&f);
}

/*
 * A vCPU faults on a page while another call replaces its mapping: A's
 * replacing map of one page of a 2 MiB leaf is stopped at the race point
 * (the leaf's split), B's plain map of the page waits, then finds A's leaf
 * and returns SLAT_EEXIST. A's mapping stands; the rest of the old leaf
 * keeps the guest's write.
 */
static void test_fault_vs_replace(void **state)
{
	struct call_b b = { b_map, 2 * MiB + 0x5000, 0x1000, 16 * GiB, RW, 0 };
	struct slat_attrs a = slat_attrs_make(RW, SLAT_MT_WB);
	struct fx f;

	conc_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, &b, false);
	rc2.gpa = 2 * MiB + 0x9000;
	assert_int_equal(slat_map(&f.t, slat_gpa(2 * MiB + 0x5000), 0x1000, slat_hpa(8 * GiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	settle(&f, SLAT_EEXIST);
	expect_map(&f.t, 2 * MiB + 0x5000, 8 * GiB, RW, 12);
	expect_map(&f.t, 2 * MiB + 0x9000, 2 * MiB + 0x9000 + 4 * GiB, RW, 12);
	/* 511 pages of the old leaf; the new page may be reported as well
	 * (test_race.c, test_replace_splits). */
	assert_in_range(dirty_pages(&f, 2 * MiB, 2 * MiB), 511, 512);
	finish(&f);
}

/*
 * The reclaim of a table an unmap emptied is not at a race point: it runs
 * after the unmap's own change, with the range released and taken again
 * (docs/concurrency.md). So B is started at each table access of A in
 * turn (the allocator's phys_to_virt(), called at every descent): A unmaps
 * the only page of a level-0 table, B maps another page of the same 2 MiB
 * span. Wherever B lands, B's page stays mapped (A must not unlink the
 * table B's page is in), A's is gone, and no page is lost or leaked.
 */
static struct {
	unsigned calls, at; /* A's phys_to_virt calls so far; B goes at call `at` */
	bool armed;
} p2v;

static void *p2v_pool(void *ctx, uint64_t pa)
{
	struct slat_pool *pool = ctx;

	if (!on_b && p2v.armed && ++p2v.calls == p2v.at && rc2.f) {
		unsigned i;

		rc2.hits++;
		sem_post(&rc2.go);
		/* B finishes, or shows that it waits for A. */
		for (i = 0; i < 5000 && !__atomic_load_n(&rc2.b_done, __ATOMIC_ACQUIRE) &&
			    !__atomic_load_n(&rc2.b_waits, __ATOMIC_ACQUIRE); i++)
			sleep_ms(1);
		rc2.b_done_in_hook = __atomic_load_n(&rc2.b_done, __ATOMIC_ACQUIRE);
		rc2.b_waits_in_hook = __atomic_load_n(&rc2.b_waits, __ATOMIC_ACQUIRE);
	}
	return (unsigned char *)pool->base + (pa - pool->pa_base);
}

/* A's unmap with B let go at A's `at`-th table access (0: never; counts them). */
static unsigned unmap_with_b_at(const struct slat_format *fmt, unsigned at)
{
	struct call_b b = { b_map, 2 * MiB + 0x80000, 0x1000, 12 * GiB, RW, 0 };
	struct fx f;
	unsigned calls;

	conc_prepare(&f, fmt);
	f.cfg.alloc.phys_to_virt = p2v_pool;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 2 * MiB + 0x5000, 0x1000, RW, 0);
	fx_flush(&f);
	memset(&rc2, 0, sizeof(rc2));
	rc2.b = b;
	rc2.b_rc = -1;
	slat_gather_init(&rc2.bg);
	assert_int_equal(sem_init(&rc2.go, 0, 0), 0);
	assert_int_equal(sem_init(&rc2.finished, 0, 0), 0);
	rc2.bf = &f;
	assert_int_equal(pthread_create(&rc2.b_thread, NULL, b_main, NULL), 0);
	rc2.f = at ? &f : NULL;
	p2v.calls = 0;
	p2v.at = at;
	p2v.armed = true;
	assert_int_equal(slat_unmap(&f.t, slat_gpa(2 * MiB + 0x5000), 0x1000, &f.g), SLAT_OK);
	p2v.armed = false;
	calls = p2v.calls;
	if (!at)
		sem_post(&rc2.go); /* the counting run: B after A */
	rc2.f = NULL;
	pthread_join(rc2.b_thread, NULL);
	sem_destroy(&rc2.go);
	sem_destroy(&rc2.finished);
	if (at) {
		assert_int_equal(rc2.hits, 1);
		/* Either B ran beside A, or it waited for A's range. */
		assert_true(rc2.b_done_in_hook || rc2.b_waits_in_hook > 0);
	}
	assert_int_equal(rc2.b_rc, SLAT_OK);
	assert_int_equal(slat_gather_done(&f.t, &rc2.bg), SLAT_OK);
	expect_unmapped(&f.t, 2 * MiB + 0x5000);
	expect_map(&f.t, 2 * MiB + 0x80000, 12 * GiB, RW, 12);
	fx_flush(&f);
	/* Nothing held back: the pool has exactly the tables in use. */
	assert_int_equal(f.pool.in_use / 4096, slat_table_pages(&f.t));
	finish(&f);
	return calls;
}

static void test_unmap_empties_vs_map(void **state)
{
	unsigned n = unmap_with_b_at(*state, 0), k;

	assert_true(n >= 2); /* at least the walk down to the level-0 table */
	for (k = 1; k <= n; k++)
		unmap_with_b_at(*state, k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_disjoint_map),
		ON_ALL(test_overlap_protect),
		ON_ALL(test_straddled_leaf),
		ON_ALL(test_fault_vs_replace),
		ON_ALL(test_unmap_empties_vs_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
