/* SPDX-License-Identifier: MIT */
/*
 * The pieces of SLAT_FEAT_CONCURRENT one at a time (lib/range_lock.h):
 * the range lock and its widening over a straddling leaf, the
 * compare-exchange link of fresh tables and the merge of a lost race,
 * the reclaim of a table unmap left empty, the grace period before
 * pages are freed, Arm's invalidation before a call lets go of its range.
 * Threads are made to meet at the point under test (barriers in the
 * allocator, the wait hook), so each test exercises its path every run.
 * Linked statically: it reaches the lock's internals.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "range_lock.h"

/* ---- a pool several threads may share ---------------------------------- */

struct cfx {
	struct fx f;
	struct slat_allocator inner;
	pthread_mutex_t lock;
	/* Rendezvous: the first allocation of each of `meet` threads waits
	 * at `barrier`, so that all of them have finished their first walk
	 * before any of them changes the table. */
	pthread_barrier_t barrier;
	int meet;
	/* Or a rendezvous that gives up after 200 ms (a thread the range
	 * lock holds back never comes). */
	int meet_timed, arrived;
	pthread_cond_t cv;
	/* Order of events, for the grace test. */
	int seq, grace_at, first_free_at, graces;
	/* The wait hook: how often a call waited. */
	int waits;
	/* Arm: was the call's range still held when the sync hook ran? */
	int syncs, syncs_held;
	uint64_t sync_lo, sync_hi;
};

static __thread int met, cleans;

/* Meet the other thread, or give up after 200 ms. */
static void meet_timed(struct cfx *c)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 200 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	c->arrived++;
	pthread_cond_broadcast(&c->cv);
	while (c->arrived < c->meet_timed &&
	       pthread_cond_timedwait(&c->cv, &c->lock, &until) == 0)
		;
	pthread_mutex_unlock(&c->lock);
}


/*
 * The clean hook of SLAT_FEAT_WALK_NC tables runs on each fresh table page
 * just before the entry linking it is written. The third fresh page of a
 * one-page map into an empty 4-level table is the one linked into the
 * root: meeting there, both threads have seen the root entry absent and
 * both are about to link.
 */
static void c_clean(void *ctx, void *va, size_t len)
{
	struct cfx *c = ctx;

	(void)va;
	if (c->meet && len == 4096 && ++cleans == 3)
		pthread_barrier_wait(&c->barrier);
	/* The first fresh page a split links: both threads have read the
	 * leaf and are about to replace it, unless one waits for the
	 * other's range. */
	if (c->meet_timed && len == 4096 && ++cleans == 1)
		meet_timed(c);
}

static void *c_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	struct cfx *c = ctx;
	void *va;

	if (c->meet && !c->f.cfg.clean_tables && !met) {
		met = 1;
		pthread_barrier_wait(&c->barrier);
	}
	pthread_mutex_lock(&c->lock);
	va = c->inner.alloc(c->inner.ctx, lg2, pa);
	pthread_mutex_unlock(&c->lock);
	return va;
}

static void c_free(void *ctx, void *va, uint64_t pa, unsigned lg2)
{
	struct cfx *c = ctx;

	pthread_mutex_lock(&c->lock);
	if (!c->first_free_at)
		c->first_free_at = ++c->seq;
	c->inner.free(c->inner.ctx, va, pa, lg2);
	pthread_mutex_unlock(&c->lock);
}

static void *c_p2v(void *ctx, uint64_t pa)
{
	struct cfx *c = ctx;

	return c->inner.phys_to_virt(c->inner.ctx, pa);
}

static void c_wait(void *ctx)
{
	struct cfx *c = ctx;

	__atomic_fetch_add(&c->waits, 1, __ATOMIC_RELAXED);
	sched_yield();
}

static void c_grace(void *ctx, const struct slat_table *t)
{
	struct cfx *c = ctx;

	(void)t;
	pthread_mutex_lock(&c->lock);
	c->graces++;
	c->grace_at = ++c->seq;
	pthread_mutex_unlock(&c->lock);
}

/* Arm: the sync hook, checking that the calling call still holds a range
 * covering what it asks to invalidate (settled before release). */
static void c_sync(void *ctx, const struct slat_table *t_pub, const struct slat_gather *g)
{
	struct cfx *c = ctx;
	struct table_state *t = (struct table_state *)(void *)(uintptr_t)t_pub;
	const struct range_node *n;
	uint32_t i, nr = slat_gather_nranges(g);
	int held = nr > 0;

	/* The list of held ranges is read under the table's spinlock, as
	 * range_lock.c reads it; the counters under the fixture's mutex
	 * (several threads' calls sync at once in the churn test). */
	pthread_mutex_lock(&c->lock);
	c->syncs++;
	while (__atomic_exchange_n(&t->holds_lock, 1u, __ATOMIC_ACQUIRE))
		sched_yield();
	for (i = 0; i < nr; i++) {
		struct slat_gather_range r = slat_gather_range(g, i);
		int in = 0;

		for (n = t->holds; n; n = n->next)
			in |= n->start <= r.start && r.end <= n->end;
		held &= in;
		c->sync_lo = r.start;
		c->sync_hi = r.end;
	}
	__atomic_store_n(&t->holds_lock, 0u, __ATOMIC_RELEASE);
	c->syncs_held += held;
	pthread_mutex_unlock(&c->lock);
}

static void cfx_init_nc(struct cfx *c, const struct slat_format *fmt,
			bool own_grace, bool walk_nc)
{
	memset(c, 0, sizeof(*c));
	fx_prepare(&c->f, fmt);
	if (walk_nc) {
		c->f.cfg.features |= SLAT_FEAT_WALK_NC;
		c->f.cfg.clean_tables = c_clean;
		c->f.cfg.clean_ctx = c;
	}
	c->inner = c->f.cfg.alloc;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->f.cfg.alloc.alloc = c_alloc;
	c->f.cfg.alloc.free = c_free;
	c->f.cfg.alloc.phys_to_virt = c_p2v;
	c->f.cfg.alloc.ctx = c;
	c->f.cfg.features |= SLAT_FEAT_CONCURRENT;
	c->f.cfg.wait = c_wait;
	c->f.cfg.wait_ctx = c;
	c->f.cfg.sync_invalidate = c_sync;
	c->f.cfg.sync_ctx = c;
	if (own_grace) {
		c->f.cfg.grace = c_grace;
		c->f.cfg.grace_ctx = c;
	}
	assert_int_equal(fx_create(&c->f), SLAT_OK);
}

static void cfx_init(struct cfx *c, const struct slat_format *fmt, bool own_grace)
{
	cfx_init_nc(c, fmt, own_grace, false);
}

static void cfx_fini(struct cfx *c)
{
	fx_fini(&c->f);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->lock);
}

static uint64_t problems(struct cfx *c)
{
	uint64_t n = ~0ull;

	assert_int_equal(slat_validate(&c->f.t, NULL, NULL, &n), SLAT_OK);
	return n;
}

static struct table_state *ts(struct cfx *c)
{
	return table_of(&c->f.t);
}


static int map4k(struct cfx *c, uint64_t gpa, struct slat_gather *g)
{
	const struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	return slat_map(&c->f.t, slat_gpa(gpa), 4096, slat_hpa(gpa + 0x100000000ull),
			&rw, 0, g);
}

static void sleep_ms(long ms)
{
	struct timespec d = { 0, ms * 1000000L };

	nanosleep(&d, NULL);
}

/* Pages of a 48-bit table: the root and one table per level below it. */
static uint64_t root_pages(struct cfx *c)
{
	return 1ull << (ts(c)->lay.root_lg2 - ts(c)->lay.granule_lg2);
}

/* ---- the range lock ------------------------------------------------------ */

struct locker {
	struct table_state *t;
	uint64_t start, end;
	int done;
};

static void *lock_thread(void *p)
{
	struct locker *k = p;
	struct range_node n;

	range_lock(k->t, &n, k->start, k->end);
	__atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
	range_unlock(k->t, &n);
	return NULL;
}

/* Disjoint ranges are held together; an overlapping one waits for both. */
static void lock_overlap_disjoint(void **state)
{
	struct cfx c;
	struct range_node a, b;
	struct locker k;
	pthread_t th;

	(void)state;
	cfx_init(&c, &slat_format_ept, false);
	range_lock(ts(&c), &a, 0, 8192);
	range_lock(ts(&c), &b, 8192, 16384); /* touching, not overlapping: no wait */
	k = (struct locker){ ts(&c), 4096, 12288, 0 };
	assert_int_equal(pthread_create(&th, NULL, lock_thread, &k), 0);
	sleep_ms(50);
	assert_int_equal(__atomic_load_n(&k.done, __ATOMIC_ACQUIRE), 0);
	assert_true(c.waits > 0);
	range_unlock(ts(&c), &a);
	sleep_ms(50);
	/* Still overlapping b. */
	assert_int_equal(__atomic_load_n(&k.done, __ATOMIC_ACQUIRE), 0);
	range_unlock(ts(&c), &b);
	pthread_join(th, NULL);
	assert_int_equal(k.done, 1);
	assert_null(ts(&c)->holds);
	cfx_fini(&c);
}

/* A range inside a 2 MiB leaf holds the whole leaf; one across two leaves
 * holds both. */
static void lock_widens_over_leaf(void **state)
{
	struct cfx c;
	struct range_node n;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	(void)state;
	cfx_init(&c, &slat_format_ept, false);
	assert_int_equal(slat_map(&c.f.t, slat_gpa(2 * MiB), 4 * MiB,
				  slat_hpa(0x80000000ull), &a, 0, &c.f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&c.f.t), root_pages(&c) + 2); /* two 2 MiB leaves */
	range_hold(ts(&c), &n, 3 * MiB, 3 * MiB + 4096);
	assert_int_equal(n.start, 2 * MiB);
	assert_int_equal(n.end, 4 * MiB);
	range_unlock(ts(&c), &n);
	range_hold(ts(&c), &n, 3 * MiB, 5 * MiB);
	assert_int_equal(n.start, 2 * MiB);
	assert_int_equal(n.end, 6 * MiB);
	range_unlock(ts(&c), &n);
	/* Nothing mapped at the ends: exactly the range. */
	range_hold(ts(&c), &n, 7 * MiB, 7 * MiB + 8192);
	assert_int_equal(n.start, 7 * MiB);
	assert_int_equal(n.end, 7 * MiB + 8192);
	range_unlock(ts(&c), &n);
	cfx_fini(&c);
}

/* ---- two threads linking tables into one absent entry --------------------- */

struct mapper {
	struct cfx *c;
	uint64_t gpa;
	int err;
	struct slat_gather g;
	pthread_barrier_t *start; /* if set: met before the call */
};

static void *map_thread(void *p)
{
	struct mapper *m = p;

	slat_gather_init(&m->g);
	if (m->start)
		pthread_barrier_wait(m->start);
	m->err = map4k(m->c, m->gpa, &m->g);
	return NULL;
}

/*
 * Both threads build their three tables (the table is empty) and meet
 * just before linking the top one into the root (c_clean()), so one of
 * them loses the compare-exchange, merges its tables into the winner's
 * and frees them. Afterwards: one table per level, both pages mapped,
 * the pool holding exactly the table's pages. On EPT and Stage-2, the
 * formats with SLAT_FEAT_WALK_NC, whose hook gives the meeting point.
 */
static void merge_on_lost_link(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;
	struct mapper m[2];
	pthread_t th[2];
	struct slat_mapping mp;
	int k;

	if (fmt == &slat_format_npt)
		return;
	cfx_init_nc(&c, fmt, false, true);
	c.meet = 2;
	pthread_barrier_init(&c.barrier, NULL, 2);
	for (k = 0; k < 2; k++) {
		m[k] = (struct mapper){ &c, 2 * MiB + (uint64_t)k * 8192, -1, { { 0 } }, NULL };
		assert_int_equal(pthread_create(&th[k], NULL, map_thread, &m[k]), 0);
	}
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	pthread_barrier_destroy(&c.barrier);
	c.meet = 0;
	assert_int_equal(m[0].err, SLAT_OK);
	assert_int_equal(m[1].err, SLAT_OK);
	/* The 48-bit tables have 4 levels: root + 3 (the loser's 3 freed). */
	assert_int_equal(slat_table_pages(&c.f.t), root_pages(&c) + 3);
	assert_int_equal(c.f.pool.allocs - c.f.pool.frees, root_pages(&c) + 3);
	assert_int_equal(c.f.pool.frees, 3);
	assert_int_equal(problems(&c), 0);
	for (k = 0; k < 2; k++) {
		assert_int_equal(slat_translate(&c.f.t, slat_gpa(m[k].gpa), &mp), SLAT_OK);
		assert_int_equal(mp.hpa.v, m[k].gpa + 0x100000000ull);
		assert_int_equal(slat_gather_done(&c.f.t, &m[k].g), SLAT_OK);
	}
	cfx_fini(&c);
}

/* Two vCPUs fault on one page: one maps it, the other finds its leaf. */
static void same_page_eexist(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;
	struct mapper m[2];
	pthread_t th[2];
	int k, round;
	pthread_barrier_t start;

	cfx_init(&c, fmt, false);
	for (round = 0; round < 20; round++) {
		uint64_t gpa = (uint64_t)round * 2 * MiB + 4096;

		pthread_barrier_init(&start, NULL, 2);
		for (k = 0; k < 2; k++) {
			m[k] = (struct mapper){ &c, gpa, -1, { { 0 } }, &start };
			assert_int_equal(pthread_create(&th[k], NULL, map_thread, &m[k]), 0);
		}
		for (k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
		pthread_barrier_destroy(&start);
		assert_true((m[0].err == SLAT_OK && m[1].err == SLAT_EEXIST) ||
			    (m[1].err == SLAT_OK && m[0].err == SLAT_EEXIST));
		for (k = 0; k < 2; k++)
			assert_int_equal(slat_gather_done(&c.f.t, &m[k].g), SLAT_OK);
	}
	assert_int_equal(problems(&c), 0);
	cfx_fini(&c);
}

struct protector {
	struct cfx *c;
	uint64_t gpa;
	int err;
	struct slat_gather g;
};

static void *protect_thread(void *p)
{
	struct protector *k = p;
	const struct slat_prot ro = slat_prot_perms(SLAT_PERM_R);

	memset(&k->g, 0, sizeof(k->g));
	k->err = slat_protect(&k->c->f.t, slat_gpa(k->gpa), 4096, &ro, &k->g);
	return NULL;
}

/*
 * Two threads protect different pages of one 2 MiB leaf: each must split
 * it, so each widens its range to the whole leaf and the second waits.
 * The clean hook gives them 200 ms to meet just before each links its
 * split table, which only calls that are not serialised can do; met,
 * both would replace the same leaf and one split would be lost (one page
 * left writable). Afterwards: one level-0 table, each page read-only,
 * the rest of the leaf as it was. EPT and Stage-2 (the clean hook).
 */
static void split_same_leaf_serialised(void **state)
{
	const struct slat_format *fmt = *state;
	const struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct cfx c;
	struct protector k[2];
	pthread_t th[2];
	struct slat_mapping mp;
	uint64_t pages;
	int i;

	if (fmt == &slat_format_npt)
		return;
	cfx_init_nc(&c, fmt, false, true);
	assert_int_equal(slat_map(&c.f.t, slat_gpa(2 * MiB), 2 * MiB,
				  slat_hpa(0x80000000ull), &a, 0, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	pages = slat_table_pages(&c.f.t);
	c.meet_timed = 2;
	for (i = 0; i < 2; i++) {
		k[i] = (struct protector){ &c, 2 * MiB + 4096 + (uint64_t)i * 64 * 4096, -1,
					   { { 0 } } };
		assert_int_equal(pthread_create(&th[i], NULL, protect_thread, &k[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	c.meet_timed = 0;
	for (i = 0; i < 2; i++) {
		assert_int_equal(k[i].err, SLAT_OK);
		assert_int_equal(slat_translate(&c.f.t, slat_gpa(k[i].gpa), &mp), SLAT_OK);
		assert_int_equal(mp.attrs.perms, SLAT_PERM_R);
		assert_int_equal(mp.page_lg2, 12);
		assert_int_equal(mp.hpa.v, 0x80000000ull + (k[i].gpa - 2 * MiB));
		assert_int_equal(slat_gather_done(&c.f.t, &k[i].g), SLAT_OK);
	}
	assert_int_equal(slat_translate(&c.f.t, slat_gpa(2 * MiB + 8192), &mp), SLAT_OK);
	assert_int_equal(mp.attrs.perms, SLAT_PERM_RW);
	assert_int_equal(slat_table_pages(&c.f.t), pages + 1);
	assert_int_equal(c.f.pool.allocs - c.f.pool.frees, pages + 1);
	assert_int_equal(problems(&c), 0);
	cfx_fini(&c);
}

/* ---- tables unmap leaves empty ------------------------------------------- */

/*
 * One page in a 2 MiB region, then unmapped: its level-0 table spans more
 * than the unmap holds, so the walk leaves it and the reclaim after the
 * release unlinks it, and the tables above that became empty, into the
 * call's gather.
 */
static void reclaim_after_unmap(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;

	cfx_init(&c, fmt, false);
	assert_int_equal(map4k(&c, 2 * MiB + 4096, &c.f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&c.f.t), root_pages(&c) + 3);
	fx_flush(&c.f);
	assert_int_equal(slat_unmap(&c.f.t, slat_gpa(2 * MiB + 4096), 4096, &c.f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&c.f.t), root_pages(&c));
	assert_int_equal(slat_gather_pages(&c.f.g), 3);
	assert_null(ts(&c)->holds);
	assert_int_equal(problems(&c), 0);
	cfx_fini(&c);
}

struct unmapper {
	struct cfx *c;
	uint64_t gpa;
	int err;
	struct slat_gather g;
};

static void *unmap_thread(void *p)
{
	struct unmapper *u = p;

	slat_gather_init(&u->g);
	u->err = slat_unmap(&u->c->f.t, slat_gpa(u->gpa), 4096, &u->g);
	return NULL;
}

/*
 * The reclaim must not unlink a table another call filled meanwhile. The
 * test holds a page of the region itself, so the unmapping thread, its
 * walk done, waits in the reclaim for the region's span; while it waits
 * the test maps another page of the region (disjoint from everything
 * held). When the test lets go, the reclaim finds the table in use and
 * leaves it.
 */
static void reclaim_spares_refilled_table(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;
	struct unmapper u;
	struct range_node mine;
	struct slat_mapping mp;
	pthread_t th;
	uint64_t pages;

	cfx_init(&c, fmt, false);
	assert_int_equal(map4k(&c, 2 * MiB, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	pages = slat_table_pages(&c.f.t);
	range_lock(ts(&c), &mine, 2 * MiB + 64 * 4096, 2 * MiB + 65 * 4096);
	u = (struct unmapper){ &c, 2 * MiB, -1, { { 0 } } };
	assert_int_equal(pthread_create(&th, NULL, unmap_thread, &u), 0);
	while (!__atomic_load_n(&c.waits, __ATOMIC_RELAXED))
		sched_yield();
	/* The unmap is done with its own range: the page is gone, but the
	 * table is still linked. */
	assert_int_equal(slat_translate(&c.f.t, slat_gpa(2 * MiB), &mp), SLAT_ENOENT);
	assert_int_equal(slat_table_pages(&c.f.t), pages);
	assert_int_equal(map4k(&c, 2 * MiB + 8192, &c.f.g), SLAT_OK);
	range_unlock(ts(&c), &mine);
	pthread_join(th, NULL);
	assert_int_equal(u.err, SLAT_OK);
	assert_int_equal(slat_gather_pages(&u.g), 0);
	assert_int_equal(slat_table_pages(&c.f.t), pages);
	assert_int_equal(slat_translate(&c.f.t, slat_gpa(2 * MiB + 8192), &mp), SLAT_OK);
	assert_int_equal(problems(&c), 0);
	assert_int_equal(slat_gather_done(&c.f.t, &u.g), SLAT_OK);
	cfx_fini(&c);
}

/* ---- the grace period ---------------------------------------------------- */

/* The embedder's hook runs once, before the first page is freed, and only
 * when the gather holds pages. */
static void grace_hook_before_free(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;

	cfx_init(&c, fmt, true);
	assert_int_equal(map4k(&c, 2 * MiB, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	assert_int_equal(c.graces, 0); /* nothing unlinked */
	assert_int_equal(slat_unmap(&c.f.t, slat_gpa(2 * MiB), 4096, &c.f.g), SLAT_OK);
	assert_int_equal(slat_gather_pages(&c.f.g), 3);
	assert_int_equal(c.first_free_at, 0);
	fx_flush(&c.f);
	assert_int_equal(c.graces, 1);
	assert_true(c.first_free_at > c.grace_at);
	assert_int_equal(c.f.pool.frees, 3);
	cfx_fini(&c);
}

struct doner {
	struct cfx *c;
	struct slat_gather *g;
	int done;
};

static void *done_thread(void *p)
{
	struct doner *d = p;

	assert_int_equal(slat_gather_done(&d->c->f.t, d->g), SLAT_OK);
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Without a hook, libslat's reader epoch: a reader that was walking when
 * the pages were unlinked keeps them until it leaves. */
static void default_grace_waits_for_reader(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;
	struct doner d;
	pthread_t th;
	unsigned tok;

	cfx_init(&c, fmt, false);
	assert_int_equal(map4k(&c, 2 * MiB, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	tok = reader_enter(ts(&c));
	assert_true(tok != ~0u);
	assert_int_equal(slat_unmap(&c.f.t, slat_gpa(2 * MiB), 4096, &c.f.g), SLAT_OK);
	assert_int_equal(slat_gather_pages(&c.f.g), 3);
	d = (struct doner){ &c, &c.f.g, 0 };
	assert_int_equal(pthread_create(&th, NULL, done_thread, &d), 0);
	sleep_ms(50);
	assert_int_equal(__atomic_load_n(&d.done, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(c.f.pool.frees, 0);
	reader_leave(ts(&c), tok);
	pthread_join(th, NULL);
	assert_int_equal(d.done, 1);
	assert_int_equal(c.f.pool.frees, 3);
	/* A reader entering after the flip does not hold up the next one. */
	tok = reader_enter(ts(&c));
	reader_leave(ts(&c), tok);
	cfx_fini(&c);
}

/* ---- Arm: invalidation complete before the range is let go --------------- */

static void arm_settles_before_release(void **state)
{
	struct cfx c;
	struct slat_prot ro = slat_prot_perms(SLAT_PERM_R);

	(void)state;
	cfx_init(&c, &slat_format_stage2, false);
	assert_int_equal(map4k(&c, 2 * MiB, &c.f.g), SLAT_OK);
	assert_int_equal(map4k(&c, 2 * MiB + 4096, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	c.syncs = c.syncs_held = 0;
	assert_int_equal(slat_unmap(&c.f.t, slat_gpa(2 * MiB), 4096, &c.f.g), SLAT_OK);
	/* One sync, inside the call, with the unmapped page held. */
	assert_int_equal(c.syncs, 1);
	assert_int_equal(c.syncs_held, 1);
	assert_int_equal(c.sync_lo, 2 * MiB);
	assert_int_equal(c.sync_hi, 2 * MiB + 4096);
	assert_int_equal(slat_gather_nranges(&c.f.g), 0);
	/* A protect changes a live leaf: settled the same way. */
	assert_int_equal(slat_protect(&c.f.t, slat_gpa(2 * MiB + 4096), 4096, &ro, &c.f.g),
			 SLAT_OK);
	assert_int_equal(c.syncs, 2);
	assert_int_equal(c.syncs_held, 2);
	assert_int_equal(slat_gather_nranges(&c.f.g), 0);
	fx_flush(&c.f);
	cfx_fini(&c);
}

/* x86 has no break-before-make rule: the gather keeps its ranges for the
 * embedder's flush after the call. */
static void x86_leaves_invalidation_to_embedder(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;

	if (fmt == &slat_format_stage2)
		return;
	cfx_init(&c, fmt, false);
	assert_int_equal(map4k(&c, 2 * MiB, &c.f.g), SLAT_OK);
	assert_int_equal(map4k(&c, 2 * MiB + 4096, &c.f.g), SLAT_OK);
	fx_flush(&c.f);
	assert_int_equal(slat_unmap(&c.f.t, slat_gpa(2 * MiB), 4096, &c.f.g), SLAT_OK);
	assert_int_equal(c.syncs, 0);
	assert_int_equal(slat_gather_nranges(&c.f.g), 1);
	cfx_fini(&c);
}

/* ---- a short mixed run: threads in their own and in shared regions ------- */

struct churner {
	struct cfx *c;
	unsigned seed, id;
	int bad;
};

static void *churn_thread(void *p)
{
	struct churner *k = p;
	struct slat_gather g;
	int i;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < 400; i++) {
		unsigned r = rand_r(&k->seed);
		/* Pages 0..15 of region 1 are shared, the rest per thread. */
		uint64_t gpa = (r & 1) ? 2 * MiB + ((r >> 1) % 16) * 4096
				       : (uint64_t)(k->id + 2) * 2 * MiB + ((r >> 1) % 64) * 4096;
		int err;

		if ((r >> 8) & 1) {
			err = map4k(k->c, gpa, &g);
			k->bad |= err != SLAT_OK && err != SLAT_EEXIST;
		} else {
			err = slat_unmap(&k->c->f.t, slat_gpa(gpa), 4096, &g);
			k->bad |= err != SLAT_OK;
		}
		if (!((r >> 9) & 3))
			k->bad |= slat_gather_done(&k->c->f.t, &g) != SLAT_OK;
	}
	k->bad |= slat_gather_done(&k->c->f.t, &g) != SLAT_OK;
	return NULL;
}

static void churn_then_quiescent(void **state)
{
	const struct slat_format *fmt = *state;
	struct cfx c;
	struct churner k[3];
	pthread_t th[3];
	int i;

	cfx_init(&c, fmt, false);
	for (i = 0; i < 3; i++) {
		k[i] = (struct churner){ &c, 1234u + (unsigned)i, (unsigned)i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, churn_thread, &k[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(k[i].bad, 0);
	}
	assert_int_equal(problems(&c), 0);
	/* Every table page the pool handed out is in the table. */
	assert_int_equal(c.f.pool.allocs - c.f.pool.frees, slat_table_pages(&c.f.t));
	cfx_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lock_overlap_disjoint),
		cmocka_unit_test(lock_widens_over_leaf),
		ON_ALL(merge_on_lost_link),
		ON_ALL(same_page_eexist),
		ON_ALL(split_same_leaf_serialised),
		ON_ALL(reclaim_after_unmap),
		ON_ALL(reclaim_spares_refilled_table),
		ON_ALL(grace_hook_before_free),
		ON_ALL(default_grace_waits_for_reader),
		cmocka_unit_test(arm_settles_before_release),
		ON_ALL(x86_leaves_invalidation_to_embedder),
		ON_ALL(churn_then_quiescent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
