/* SPDX-License-Identifier: MIT */
/*
 * W8 and W8b of ../shared/bench/WORKLOADS.md: several threads changing one
 * table.
 *
 * The table is created with SLAT_FEAT_CONCURRENT and the threads call
 * libslat without any lock of the embedder's: libslat serialises calls
 * whose ranges overlap itself (docs/concurrency.md). Build with
 * -DBENCH_EMBEDDER_LOCK=1 to measure the old rule instead (every call
 * under the table's mutex, a plain table): the speedups then measure that
 * lock and cannot exceed 1x.
 *
 * The pool is not thread-safe, so without the embedder's lock it gets a
 * thin layer of its own (below) that keeps it out of the measurement: a
 * page cache per thread, filled before the timed region, refilled in
 * batches under a short spinlock. A page is zeroed by the thread that
 * takes it, inside the timed region, as the pool does for W1.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads.h"

#ifndef BENCH_EMBEDDER_LOCK
#define BENCH_EMBEDDER_LOCK 0
#endif

#if BENCH_EMBEDDER_LOCK
const char *const concurrency_label =
	"serialised by the embedder's lock (plain table)";
#else
const char *const concurrency_label =
	"concurrent calls, no table lock (SLAT_FEAT_CONCURRENT)";
#endif

#define MAX_THREADS 64

static void table_lock(struct bench_table *b)
{
#if BENCH_EMBEDDER_LOCK
	pthread_mutex_lock(&b->lock);
#else
	(void)b;
#endif
}

static void table_unlock(struct bench_table *b)
{
#if BENCH_EMBEDDER_LOCK
	pthread_mutex_unlock(&b->lock);
#else
	(void)b;
#endif
}

static void open_shared(struct bench_table *b, const struct slat_format *fmt,
			struct slat_allocator a)
{
#if BENCH_EMBEDDER_LOCK
	table_open(b, fmt, false, a);
#else
	table_open_concurrent(b, fmt, a);
#endif
}

/* ---- the pool, shared by threads that no table lock serialises ------------- */

#define CACHE_PAGES 1024 /* per thread */
#define REFILL 64

struct cached_page {
	void *va;
	uint64_t pa;
	bool dirty; /* freed by libslat, or taken before the timed region */
};

struct page_cache {
	struct cached_page p[CACHE_PAGES];
	int n;
};

static struct page_cache caches[MAX_THREADS];
static __thread struct page_cache *my_cache; /* NULL: the main thread */
static uint32_t pool_spin;
static struct slat_allocator pool_inner;

static void spin_lock(void)
{
	while (__atomic_exchange_n(&pool_spin, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&pool_spin, __ATOMIC_RELAXED))
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#else
			;
#endif
}

static void spin_unlock(void)
{
	__atomic_store_n(&pool_spin, 0u, __ATOMIC_RELEASE);
}

static void *inner_alloc(unsigned lg2, uint64_t *pa)
{
	void *va;

	spin_lock();
	va = pool_inner.alloc(pool_inner.ctx, lg2, pa);
	spin_unlock();
	return va;
}

static void inner_free(void *va, uint64_t pa, unsigned lg2)
{
	spin_lock();
	pool_inner.free(pool_inner.ctx, va, pa, lg2);
	spin_unlock();
}

static void *shared_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	struct page_cache *c = my_cache;
	struct cached_page *pg;

	(void)ctx;
	if (!c || lg2 != 12)
		return inner_alloc(lg2, pa);
	if (!c->n) {
		spin_lock();
		while (c->n < REFILL) {
			pg = &c->p[c->n];
			pg->va = pool_inner.alloc(pool_inner.ctx, 12, &pg->pa);
			if (!pg->va)
				break;
			pg->dirty = false; /* the pool zeroed it */
			c->n++;
		}
		spin_unlock();
		if (!c->n)
			return NULL;
	}
	pg = &c->p[--c->n];
	if (pg->dirty)
		memset(pg->va, 0, PAGE);
	*pa = pg->pa;
	return pg->va;
}

static void shared_free(void *ctx, void *va, uint64_t pa, unsigned lg2)
{
	struct page_cache *c = my_cache;

	(void)ctx;
	if (!c || lg2 != 12 || c->n == CACHE_PAGES) {
		inner_free(va, pa, lg2);
		return;
	}
	c->p[c->n++] = (struct cached_page){ va, pa, true };
}

static void *shared_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pool_inner.phys_to_virt(pool_inner.ctx, pa); /* reads nothing that changes */
}

/* Before the timed region, in the thread: `n` pages, to be zeroed when taken. */
static void cache_attach(int k, int n)
{
	struct page_cache *c = &caches[k];

	my_cache = BENCH_EMBEDDER_LOCK ? NULL : c;
	if (!my_cache)
		return;
	if (n > CACHE_PAGES)
		n = CACHE_PAGES;
	while (c->n < n) {
		struct cached_page *pg = &c->p[c->n];

		pg->va = inner_alloc(12, &pg->pa);
		if (!pg->va)
			break;
		pg->dirty = true;
		c->n++;
	}
}

/* After the timed region: every cached page back to the pool. */
static void caches_drain(int threads)
{
	int k;

	for (k = 0; k < threads; k++)
		while (caches[k].n) {
			struct cached_page *pg = &caches[k].p[--caches[k].n];

			inner_free(pg->va, pg->pa, 12);
		}
}

static struct slat_allocator shared_allocator(void)
{
	struct slat_allocator a = { shared_alloc, shared_free, shared_phys_to_virt, NULL };

	pool_inner = bench_allocator();
	return BENCH_EMBEDDER_LOCK ? pool_inner : a;
}

/* ---- W8: W1 in two halves from two threads --------------------------------- */

struct w8_arg {
	struct bench_table *b;
	int k;
	pthread_barrier_t *start;
	uint64_t gpa, size;
	struct slat_gather g; /* each thread reports its own invalidations */
	int err;
	/* Timing: both threads are running before the clock starts (below). */
	bool spin;
	unsigned *ready, *go, *done;
	bool record;
	const char *format;
	double t;
};

/*
 * Start thread `k` of a workload on its own CPU: the k-th of those the
 * process may run on (round robin past their number). Left to itself the
 * scheduler may start two threads on one CPU and move one only after a
 * few milliseconds, when W8 (about 100 us) is long over: the figure then
 * measures the scheduler, in about one run of three on a 2-CPU machine.
 */
static void thread_create_on_cpu(pthread_t *th, int k, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t allowed, one;
	int cpu, n = 0, want;

	pthread_attr_init(&attr);
	if (!sched_getaffinity(0, sizeof(allowed), &allowed) && CPU_COUNT(&allowed) > 1) {
		want = k % CPU_COUNT(&allowed);
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, &allowed) || n++ != want)
				continue;
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
			break;
		}
	}
	if (pthread_create(th, &attr, fn, arg)) {
		fprintf(stderr, "slat-bench: pthread_create failed\n");
		exit(1);
	}
	pthread_attr_destroy(&attr);
}

static void spin_until(unsigned *word, unsigned value)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) < value)
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#else
		;
#endif
}

static void *w8_thread(void *p)
{
	struct w8_arg *a = p;
	struct slat_attrs at = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);

	a->g = (struct slat_gather)SLAT_GATHER_INIT;
	cache_attach(a->k, 300); /* W1's half: 256 level-0 tables and two above */
	if (!a->spin) {
		pthread_barrier_wait(a->start);
	} else {
		/*
		 * W1 takes about 100 us: waking two threads from a futex costs
		 * a sizeable part of that, which is the operating system's time,
		 * not libslat's. So thread 0 starts the clock once both threads
		 * are running, and stops it when both are done.
		 */
		__atomic_fetch_add(a->ready, 1, __ATOMIC_ACQ_REL);
		spin_until(a->ready, 2);
		if (a->k == 0) {
			region_begin();
			__atomic_store_n(a->go, 1, __ATOMIC_RELEASE);
		} else {
			spin_until(a->go, 1);
		}
	}
	table_lock(a->b);
	a->err = slat_map(&a->b->t, slat_gpa(a->gpa), a->size, slat_hpa(a->gpa + HPA_OFF),
			  &at, SLAT_MAP_MAX_PAGE(12), &a->g);
	if (!a->err)
		a->err = slat_gather_done(&a->b->t, &a->g);
	table_unlock(a->b);
	if (a->spin) {
		__atomic_fetch_add(a->done, 1, __ATOMIC_ACQ_REL);
		if (a->k == 0) {
			spin_until(a->done, 2);
			a->t = region_end(a->record, "W8", a->format, GiB / PAGE, "page");
		}
	}
	return NULL;
}

static double w8_once(const struct slat_format *fmt, bool record, int *ok)
{
	struct bench_table b;
	pthread_barrier_t start;
	pthread_t th[2];
	struct w8_arg a[2];
	/* Under callgrind, which runs one thread at a time, spinning would
	 * be counted: there the main thread times the barrier and the joins. */
	const bool spin = bench.mode != MODE_CALLGRIND;
	unsigned ready = 0, go = 0, done = 0;
	uint64_t pg;
	double t;
	int k;

	open_shared(&b, fmt, shared_allocator());
	pthread_barrier_init(&start, NULL, 3);
	for (k = 0; k < 2; k++) {
		a[k].b = &b;
		a[k].k = k;
		a[k].start = &start;
		a[k].gpa = k * (GiB / 2);
		a[k].size = GiB / 2;
		a[k].spin = spin;
		a[k].ready = &ready;
		a[k].go = &go;
		a[k].done = &done;
		a[k].record = record;
		a[k].format = slat_format_name(fmt);
		thread_create_on_cpu(&th[k], k, w8_thread, &a[k]);
	}
	if (!spin) {
		region_begin();
		pthread_barrier_wait(&start);
	}
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	t = spin ? a[0].t : region_end(record, "W8", slat_format_name(fmt), GiB / PAGE, "page");
	caches_drain(2);
	pthread_barrier_destroy(&start);
	must(a[0].err, "W8 map (thread 0)");
	must(a[1].err, "W8 map (thread 1)");
	/* The table is W1's, page for page. */
	for (pg = 0; pg < GiB / PAGE; pg++) {
		struct slat_mapping m;

		if (slat_translate(&b.t, slat_gpa(pg * PAGE), &m) ||
		    m.hpa.v != pg * PAGE + HPA_OFF || m.page_lg2 != 12 ||
		    m.attrs.perms != SLAT_PERM_RWX) {
			*ok = 0;
			break;
		}
	}
	if (slat_table_pages(&b.t) != 1 + 1 + 1 + 512)
		*ok = 0;
	table_close(&b);
	return t;
}

void w8(const struct slat_format *fmt, struct result *r)
{
	double t1[BENCH_RUNS], t2[BENCH_RUNS];
	int i;

	r->id = "W8";
	r->name = "concurrent";
	/* W1 on one thread and W8 interleaved, so that both see the same machine. */
	for (i = -bench.warmups; i < bench.runs; i++) {
		double x = bench.mode == MODE_CALLGRIND ? 0 : w1_once(fmt, false);
		double y = w8_once(fmt, i >= 0, &r->ok);

		if (i >= 0) {
			t1[i] = x;
			t2[i] = y;
		}
	}
	r->table_bytes = (1 + 1 + 1 + 512) * PAGE;
	add_figure(r, NULL, median(t2, bench.runs) / (GiB / PAGE), "ns/page");
	if (bench.mode != MODE_TIME)
		return;
	add_figure(r, "W8", median(t1, bench.runs) / median(t2, bench.runs),
		   "x over W1");
	snprintf(r->fig[1].text, sizeof(r->fig[1].text), "2 threads; %s",
		 BENCH_EMBEDDER_LOCK ? "serialised by the embedder's lock" :
				       "no table lock");
	snprintf(r->note, sizeof(r->note), "%s", concurrency_label);
}

/* ---- W8b: W7 from N threads in one shared range ---------------------------- */

struct w8b_arg {
	struct bench_table *b;
	int k;
	pthread_barrier_t *start;
	uint64_t seed, ops;
	uint64_t *live, n;    /* pages this thread mapped and still holds */
	struct slat_gather g;
	int err;
};

static void *w8b_thread(void *p)
{
	const uint64_t space = 64 * GiB / PAGE;
	struct w8b_arg *a = p;
	struct slat_attrs at = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);
	uint64_t seed = a->seed, k;

	a->g = (struct slat_gather)SLAT_GATHER_INIT;
	cache_attach(a->k, 256);
	pthread_barrier_wait(a->start);
	for (k = 0; k < a->ops && !a->err; k++) {
		uint64_t x = xorshift64s(&seed);
		int err;

		if ((x & 1) || a->n == 0) {
			uint64_t gpa = ((x >> 1) % space) * PAGE;

			table_lock(a->b);
			err = slat_map(&a->b->t, slat_gpa(gpa), PAGE, slat_hpa(gpa + HPA_OFF),
				       &at, 0, &a->g);
			table_unlock(a->b);
			if (err == SLAT_OK)
				a->live[a->n++] = gpa;
			else if (err != SLAT_EEXIST) /* mapped already, by anyone */
				a->err = err;
		} else {
			uint64_t j = (x >> 1) % a->n;

			table_lock(a->b);
			err = slat_unmap(&a->b->t, slat_gpa(a->live[j]), PAGE, &a->g);
			if (!err)
				err = slat_gather_done(&a->b->t, &a->g);
			table_unlock(a->b);
			a->live[j] = a->live[--a->n];
			a->err = err;
		}
	}
	return NULL;
}

static int count_leaf(void *ctx, const struct slat_mapping *m)
{
	(void)m;
	++*(uint64_t *)ctx;
	return 0;
}

/* N threads, bench.w8b_ops operations each; returns the ns taken. Each
 * thread makes as many operations as W7 (WORKLOADS.md: "each doing W7's
 * operations"): its live set then follows the same random walk as W7's,
 * and an operation costs the same work at every N (splitting a fixed total
 * would shorten the walks and make each operation cheaper as N grows). */
static double w8b_once(const struct slat_format *fmt, int n, bool record, uint64_t **live,
		       int *ok)
{
	struct w8b_arg a[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	pthread_barrier_t start;
	struct bench_table b;
	uint64_t held = 0, leaves = 0, k;
	char id[16];
	double t;
	int i;

	open_shared(&b, fmt, shared_allocator());
	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].b = &b;
		a[i].k = i;
		a[i].start = &start;
		a[i].seed = SEED + (uint64_t)i;
		a[i].ops = bench.w8b_ops;
		a[i].live = live[i];
		thread_create_on_cpu(&th[i], i, w8b_thread, &a[i]);
	}
	snprintf(id, sizeof(id), "W8b-%d", n);
	region_begin();
	pthread_barrier_wait(&start);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	t = region_end(record, id, slat_format_name(fmt),
		       a[0].ops * (uint64_t)n, "op");
	caches_drain(n);
	pthread_barrier_destroy(&start);
	for (i = 0; i < n; i++) {
		must(a[i].err, "W8b");
		held += a[i].n;
	}
	/* The table holds exactly the pages the threads hold... */
	must(slat_for_each(&b.t, slat_gpa(0), 1ull << 48, count_leaf, &leaves, NULL),
	     "for_each");
	if (leaves != held)
		*ok = 0;
	/* ...and once they are unmapped, nothing but the root. */
	for (i = 0; i < n; i++)
		for (k = 0; k < a[i].n; k++)
			must(slat_unmap(&b.t, slat_gpa(a[i].live[k]), PAGE, &b.g), "unmap");
	must(slat_gather_done(&b.t, &b.g), "gather_done");
	if (slat_table_pages(&b.t) != 1)
		*ok = 0;
	table_close(&b);
	return t;
}

void w8b(const struct slat_format *fmt, struct result *r)
{
	static const char *const units[] = { "ops/s, 1 thread", "x, 2 threads",
					     "x, 3 threads", "x, 4 threads" };
	double t[MAX_THREADS + 1][BENCH_RUNS], ops_s[MAX_THREADS + 1];
	uint64_t *live[MAX_THREADS];
	int n, i, max = bench.max_threads;

	r->id = "W8b";
	r->name = "concurrent-churn";
	if (max > MAX_THREADS)
		max = MAX_THREADS;
	for (i = 0; i < max; i++) {
		live[i] = malloc(bench.w8b_ops * sizeof(uint64_t));
		if (!live[i])
			exit(1);
		prefault(live[i], bench.w8b_ops * sizeof(uint64_t));
	}
	/* The thread counts interleaved, run by run. */
	for (i = -bench.warmups; i < bench.runs; i++)
		for (n = 1; n <= max; n++) {
			double x = w8b_once(fmt, n, i >= 0, live, &r->ok);

			if (i >= 0)
				t[n][i] = x;
		}
	for (n = 1; n <= max; n++) {
		uint64_t ops = bench.w8b_ops * (uint64_t)n;

		ops_s[n] = ops / (median(t[n], bench.runs) * 1e-9);
		if (n == 1) {
			add_figure(r, "W8b-1", ops_s[1], units[0]);
		} else {
			struct figure *f;

			add_figure(r, NULL, ops_s[n] / ops_s[1],
				   n - 1 < (int)(sizeof(units) / sizeof(units[0])) ?
				   units[n - 1] : "x, N threads");
			f = &r->fig[r->nfig - 1];
			snprintf(f->text, sizeof(f->text), "%d threads: %.0f ops/s", n,
				 ops_s[n]);
			f->id = n == 2 ? "W8b-2" : "W8b-N";
		}
		if (r->nfig == MAX_FIGURES)
			break;
	}
	for (i = 0; i < max; i++)
		free(live[i]);
	snprintf(r->note, sizeof(r->note), "%s", concurrency_label);
}
