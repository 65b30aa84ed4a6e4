/* SPDX-License-Identifier: MIT */
/*
 * The fuzzing engine: decodes an input into a table configuration and a
 * sequence of operations, runs them on libslat, and checks every result
 * against the models (see fuzz.h for the overall design).
 *
 * Input layout: two engine bytes (table-memory budget, options), the
 * target's configuration bytes (target_*.c), then operations: one byte selects
 * the kind, the following bytes its arguments. Reads past the end yield
 * zeros, so every input is valid and the run ends when it is consumed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

struct fuzz_stats fuzz_stats;
static struct engine *cur; /* for messages */

#define MAX_OPS 512

/* State of the current operation. */
static struct {
	struct slat_gather g;
	uint64_t in_use;
	bool fail_active;
	bool fail_pending;
	int64_t fail_n;
	bool fail_sticky;
	uint64_t lo, hi; /* tracked pages a break-before-make may concern */
	bool ok;         /* the call succeeded */
	/* A guest access racing with the next call (see race_inject()). */
	bool race_armed, race_busy, race_done, race_write, race_dirty;
	bool race_at_point; /* at the k-th race point, not the k-th phys_to_virt */
	unsigned race_k;
	uint64_t race_gpa, race_lb, race_le;
} frame;

enum op_kind {
	OP_MAP, OP_UNMAP, OP_PROTECT, OP_SPLIT, OP_TRANSLATE, OP_ACCESS,
	OP_HARVEST, OP_ACCESSED, OP_FAIL, OP_DEFER, OP_MISC, OP_FOREIGN,
	OP_MAP2, OP_PAYLOAD, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"map", "unmap", "protect", "split", "translate", "hw_access",
	"dirty_harvest", "accessed", "fail_next", "defer_flush", "misc",
	"foreign_gather", "map", "payload",
};

/* ---- reporting --------------------------------------------------------- */

static bool stats_on;
static void stats_print(void);

void eng_note(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	if (!getenv("SLAT_FUZZ_VERBOSE"))
		return;
	(void)e;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fz_fail(const char *tag, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "\n==== SLAT-FUZZ FINDING [%s] ====\n", tag);
	if (cur)
		fprintf(stderr, "target %s, operation #%u (%s) on [0x%llx, 0x%llx)\n",
			cur->tg->name, cur->op_index,
			cur->op_name ? cur->op_name : "setup",
			(unsigned long long)cur->op_a, (unsigned long long)cur->op_b);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fuzz_stats.findings++;
	if (stats_on)
		stats_print();
	fflush(stderr);
	abort();
}

bool fz_avoid_known(const char *id)
{
	static int all = -1;

	(void)id;
	if (all < 0) {
		const char *v = getenv("SLAT_FUZZ_ALL");

		all = v && !strcmp(v, "1");
	}
	return !all;
}

static const char *target_name_for_stats;

static void stats_print(void)
{
	unsigned k;

	fprintf(stderr,
		"slat-fuzz stats [%s]: inputs %llu, tables %llu, operations %llu "
		"(mutating %llu, failed as expected %llu)\n",
		target_name_for_stats ? target_name_for_stats : "?",
		(unsigned long long)fuzz_stats.inputs,
		(unsigned long long)fuzz_stats.configs,
		(unsigned long long)fuzz_stats.ops,
		(unsigned long long)fuzz_stats.mutating,
		(unsigned long long)fuzz_stats.failed_calls);
	fprintf(stderr, "slat-fuzz ops by kind:");
	for (k = 0; k < OP_COUNT; k++)
		if (k != OP_MAP2)
			fprintf(stderr, " %s=%llu", op_names[k],
				(unsigned long long)(fuzz_stats.by_kind[k] +
						     (k == OP_MAP ? fuzz_stats.by_kind[OP_MAP2] : 0)));
	fputc('\n', stderr);
	fprintf(stderr, "slat-fuzz results of mutating calls:");
	for (k = 0; k < 32; k++)
		if (fuzz_stats.by_err[k])
			fprintf(stderr, " %s=%llu", slat_errname((int)k),
				(unsigned long long)fuzz_stats.by_err[k]);
	fputc('\n', stderr);
	fprintf(stderr, "slat-fuzz collapse: %llu calls, %llu new leaves seen with A/D on; "
		"exec faults (NX_HUGE): %llu, %llu split\n",
		(unsigned long long)fuzz_stats.collapses,
		(unsigned long long)fuzz_stats.collapsed,
		(unsigned long long)fuzz_stats.exec_faults,
		(unsigned long long)fuzz_stats.exec_splits);
	fprintf(stderr, "slat-fuzz concurrent: %llu tables with a second mutator, %llu calls of it\n",
		(unsigned long long)fuzz_stats.concurrent,
		(unsigned long long)fuzz_stats.concurrent_ops);
	fprintf(stderr, "slat-fuzz walk_nc: %llu tables, %llu clean_tables calls, %llu checks, "
		"%llu uncleaned entries invalid in cache and memory\n",
		(unsigned long long)fuzz_stats.walk_nc,
		(unsigned long long)fuzz_stats.nc_cleans,
		(unsigned long long)fuzz_stats.nc_checks,
		(unsigned long long)fuzz_stats.nc_absent_diffs);
}

void fuzz_stats_register(const char *target)
{
	static bool done;
	const char *v = getenv("SLAT_FUZZ_STATS");

	target_name_for_stats = target;
	if (done || !v || strcmp(v, "1"))
		return;
	done = true;
	stats_on = true;
	atexit(stats_print);
}

/* ---- small helpers ------------------------------------------------------ */

uint64_t eng_rand(struct engine *e)
{
	/* splitmix64: deterministic from the input */
	uint64_t z = (e->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t gmask(const struct engine *e)
{
	return (1ull << e->granule_lg2) - 1;
}

static const char *ename(int r)
{
	return slat_errname(r);
}

static char *errset_str(uint32_t s, char *buf, size_t n)
{
	int i;
	size_t used = 0;

	buf[0] = 0;
	if (!s)
		snprintf(buf, n, "{SLAT_OK}");
	for (i = 0; i < 32 && used < n; i++)
		if (s & (1u << i))
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
						 used ? "," : "{", ename(i));
	if (s && used < n)
		snprintf(buf + used, n - used, "}");
	return buf;
}

/* ---- the allocator, watched ---------------------------------------------- */

struct snap {
	uint64_t *pa;
	unsigned char *bytes;
	uint64_t *bytes_off;
	size_t n, cap, used, bcap;
	uint64_t *sorted; /* pa, sorted, for membership */
	uint64_t pages;   /* granules, the root counted in granules */
};

static struct snap snap_cur, snap_tmp;

static bool snap_has(const struct snap *s, uint64_t pa)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->sorted[mid] < pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->sorted[lo] == pa;
}

/*
 * With a second mutator (second.c) the pool is shared by two threads: its
 * hooks take a lock, and the second thread's pages are counted apart and
 * never fail on purpose (fail_next is for the engine's call).
 */
extern pthread_mutex_t second_pool_lock;

static void *second_alloc(struct engine *e, unsigned lg2, uint64_t *pa)
{
	int64_t fail_after = e->pool.fail_after;
	bool sticky = e->pool.fail_sticky;
	void *p;

	e->pool.fail_after = -1;
	p = e->palloc.alloc(e->palloc.ctx, lg2, pa);
	e->pool.fail_after = fail_after;
	e->pool.fail_sticky = sticky;
	if (p)
		second_account((int64_t)1 << lg2);
	return p;
}

/*
 * The pool's bytes in use, read under the second mutator's pool lock while
 * it may be allocating (the statistics read it right after a call, when the
 * second thread can still be inside its own).
 */
static uint64_t pool_in_use(struct engine *e)
{
	uint64_t v;

	if (!second_active())
		return e->pool.in_use;
	pthread_mutex_lock(&second_pool_lock);
	v = e->pool.in_use - (uint64_t)second_net_bytes();
	pthread_mutex_unlock(&second_pool_lock);
	return v;
}

static void *fz_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	struct engine *e = ctx;
	void *p;

	if (second_active()) {
		pthread_mutex_lock(&second_pool_lock);
		if (second_is_me()) {
			p = second_alloc(e, lg2, pa);
			pthread_mutex_unlock(&second_pool_lock);
			return p;
		}
		p = e->palloc.alloc(e->palloc.ctx, lg2, pa);
		pthread_mutex_unlock(&second_pool_lock);
	} else {
		p = e->palloc.alloc(e->palloc.ctx, lg2, pa);
	}
	if (!p) {
		e->alloc_fails++;
		return NULL;
	}
	/* Garbage every format reads as present: a large leaf (0xa5: bit 0
	 * and bit 7, Arm bits 1:0 = 01) or a table entry leading outside
	 * the pool (0x07). libslat must write each entry before a walk. */
	if (e->unzeroed)
		memset(p, e->garbage++ & 1 ? 0x07 : 0xa5, 1ull << lg2);
	if (e->have_table)
		FZ_CHECK(lg2 == e->granule_lg2, "alloc-size",
			 "table page of 2^%u bytes requested, granule 2^%u", lg2,
			 e->granule_lg2);
	return p;
}

static void fz_free(void *ctx, void *va, uint64_t pa, unsigned lg2)
{
	struct engine *e = ctx;

	if (second_active()) {
		/* The second thread's pages are in its own subtree, which the
		 * engine's snapshot and walk-cache model do not follow. */
		pthread_mutex_lock(&second_pool_lock);
		if (second_is_me())
			second_account(-((int64_t)1 << lg2));
		else if (e->free_check) {
			struct wce w;

			FZ_CHECK(!snap_has(&snap_cur, pa), "free-linked",
				 "table page pa 0x%llx freed while it is still reachable from the root",
				 (unsigned long long)pa);
			FZ_CHECK(!shadow_wc_has(&e->sh, pa, &w), "free-cached",
				 "table page pa 0x%llx (level %u) handed back while a cached walk "
				 "may still reach it", (unsigned long long)pa, w.level);
		}
		memset(va, 0xa5, 1ull << lg2);
		e->palloc.free(e->palloc.ctx, va, pa, lg2);
		pthread_mutex_unlock(&second_pool_lock);
		return;
	}
	if (e->free_check) {
		struct wce w;

		FZ_CHECK(!snap_has(&snap_cur, pa), "free-linked",
			 "table page pa 0x%llx freed while it is still reachable from the root",
			 (unsigned long long)pa);
		if (shadow_wc_has(&e->sh, pa, &w))
			fz_fail("free-cached",
				"table page pa 0x%llx (level %u, spanning [0x%llx, 0x%llx)) handed back "
				"to the allocator while a cached walk may still reach it: no "
				"invalidation of paging-structure caches covered its span",
				(unsigned long long)pa, w.level, (unsigned long long)w.base,
				(unsigned long long)(w.base + w.span));
		/* Poison: a later use by libslat reads garbage. */
		memset(va, 0xa5, 1ull << lg2);
	}
	e->palloc.free(e->palloc.ctx, va, pa, lg2);
}

static void race_inject(struct engine *e);

/*
 * libslat calls phys_to_virt in the middle of its walks, with entries it
 * has read but not yet replaced: the place where a guest access on
 * another CPU, setting accessed/dirty state, races with the call.
 */
static void *fz_p2v(void *ctx, uint64_t pa)
{
	struct engine *e = ctx;
	void *va = e->palloc.phys_to_virt(e->palloc.ctx, pa);

	if (e->in_op && !second_is_me() && frame.race_armed && !frame.race_at_point &&
	    !frame.race_busy && !frame.race_k--)
		race_inject(e);
	return va;
}

/*
 * The fuzzers build libslat with SLAT_TEST_RACE: it calls this at the last
 * moment before it replaces a live leaf it has read (lib/core.h), the
 * narrowest window for the racing access.
 */
void slat__race_point(uint64_t *slot);

void slat__race_point(uint64_t *slot)
{
	(void)slot;
	if (cur && cur->in_op && !second_is_me() && frame.race_armed && frame.race_at_point &&
	    !frame.race_busy && !frame.race_k--)
		race_inject(cur);
}

/* ---- walking the table independently ------------------------------------ */

static void snap_reset(struct snap *s)
{
	s->n = 0;
	s->used = 0;
	s->pages = 0;
}

static void snap_push(struct snap *s, uint64_t pa, const void *va, size_t bytes)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->pa = realloc(s->pa, s->cap * sizeof(*s->pa));
		s->sorted = realloc(s->sorted, s->cap * sizeof(*s->sorted));
		s->bytes_off = realloc(s->bytes_off, s->cap * sizeof(*s->bytes_off));
		if (!s->pa || !s->sorted || !s->bytes_off)
			abort();
	}
	if (s->used + bytes > s->bcap) {
		s->bcap = (s->used + bytes) * 2;
		s->bytes = realloc(s->bytes, s->bcap);
		if (!s->bytes)
			abort();
	}
	s->pa[s->n] = pa;
	s->bytes_off[s->n] = s->used;
	memcpy(s->bytes + s->used, va, bytes);
	s->used += bytes;
	s->n++;
}

static void snap_release(struct snap *s)
{
	free(s->pa);
	free(s->bytes);
	free(s->bytes_off);
	free(s->sorted);
	memset(s, 0, sizeof(*s));
}

static struct snap snap_r2; /* the second mutator's subtree, counted apart */

static void walk_rec(struct engine *e, struct snap *s, uint64_t pa,
		     unsigned level, uint64_t base, bool root, bool record)
{
	const size_t bytes = root ? e->root_bytes : 1ull << e->granule_lg2;
	const uint64_t *va = e->palloc.phys_to_virt(e->palloc.ctx, pa);
	size_t i, n = bytes / 8;

	FZ_CHECK((pa & (bytes - 1)) == 0, "table-align",
		 "table at pa 0x%llx not aligned to its size 0x%zx",
		 (unsigned long long)pa, bytes);
	snap_push(s, pa, va, bytes);
	s->pages += bytes >> e->granule_lg2;
	if (!root && record)
		shadow_wc_add(&e->sh, pa, level, base,
			      1ull << (e->level_shift[level] + e->granule_lg2 - 3));
	if (level == 0)
		return;
	for (i = 0; i < n; i++) {
		uint64_t ent = va[i], b = base + ((uint64_t)i << e->level_shift[level]);

		if (!e->tg->is_table(e, level, ent))
			continue;
		if (root && second_root_entry(b, 1ull << e->level_shift[level])) {
			snap_reset(&snap_r2);
			walk_rec(e, &snap_r2, e->tg->table_addr(e, ent), level - 1, b, false,
				 false);
			s->pages += snap_r2.pages;
			continue;
		}
		walk_rec(e, s, e->tg->table_addr(e, ent), level - 1, b, false, record);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Walk into `s`; with `record`, note every table in the walk cache model. */
static void walk_table(struct engine *e, struct snap *s, bool record)
{
	size_t i;

	second_park();
	snap_reset(s);
	walk_rec(e, s, slat_table_root(&e->t).v, e->levels - 1, 0, true, record);
	memcpy(s->sorted, s->pa, s->n * sizeof(*s->pa));
	qsort(s->sorted, s->n, sizeof(*s->sorted), cmp_u64);
	for (i = 1; i < s->n; i++)
		FZ_CHECK(s->sorted[i] != s->sorted[i - 1], "table-shared",
			 "table page pa 0x%llx reachable twice",
			 (unsigned long long)s->sorted[i]);
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && a->used == b->used &&
	       !memcmp(a->pa, b->pa, a->n * sizeof(*a->pa)) &&
	       !memcmp(a->bytes, b->bytes, a->used);
}

static void snap_diff_report(const struct snap *a, const struct snap *b)
{
	size_t i, k;

	if (a->n != b->n) {
		fprintf(stderr, "  reachable tables: %zu before, %zu after\n", a->n, b->n);
		return;
	}
	for (i = 0; i < a->n; i++) {
		const uint64_t *x = (const uint64_t *)(a->bytes + a->bytes_off[i]);
		const uint64_t *y = (const uint64_t *)(b->bytes + b->bytes_off[i]);
		size_t words = ((i + 1 < a->n ? a->bytes_off[i + 1] : a->used) -
				a->bytes_off[i]) / 8;

		if (a->pa[i] != b->pa[i]) {
			fprintf(stderr, "  table %zu: pa 0x%llx before, 0x%llx after\n", i,
				(unsigned long long)a->pa[i], (unsigned long long)b->pa[i]);
			return;
		}
		for (k = 0; k < words; k++)
			if (x[k] != y[k])
				fprintf(stderr, "  table pa 0x%llx entry %zu: 0x%016llx -> 0x%016llx\n",
					(unsigned long long)a->pa[i], k,
					(unsigned long long)x[k], (unsigned long long)y[k]);
	}
}

/* ---- checks ---------------------------------------------------------------- */

static void print_problem(void *ctx, const struct slat_problem *p)
{
	(void)ctx;
	fprintf(stderr, "  problem: %s at gpa 0x%llx level %u entry 0x%llx bits 0x%llx\n",
		slat_problem_str(p->kind), (unsigned long long)p->gpa.v, p->level,
		(unsigned long long)p->entry, (unsigned long long)p->bits);
}

/*
 * The table's structure after a change: an independent walk (snapshot for
 * the next all-or-nothing check, table count, paging-structure cache
 * model), the pool's count, and slat_validate(). Validation costs a visit
 * of every entry, so on tables of more than 64 KiB it runs on every eighth
 * change only (and at the end of every input).
 */
static unsigned validate_tick;

static void check_structure(struct engine *e, bool validate)
{
	uint64_t problems = 0, pages, outstanding;

	walk_table(e, &snap_cur, true);
	pages = slat_table_pages(&e->t);
	FZ_CHECK(snap_cur.pages == pages, "table-count",
		 "slat_table_pages() = %llu, but %llu table pages are reachable",
		 (unsigned long long)pages, (unsigned long long)snap_cur.pages);
	outstanding = e->pool.in_use >> e->granule_lg2;
	FZ_CHECK(outstanding == pages + slat_gather_pages(&e->g), "pool-count",
		 "pool has %llu pages outstanding, table holds %llu and the gather %llu",
		 (unsigned long long)outstanding, (unsigned long long)pages,
		 (unsigned long long)slat_gather_pages(&e->g));
	if (!validate && snap_cur.used > (64u << 10) && (++validate_tick & 7))
		return;
	FZ_CHECK(slat_validate(&e->t, NULL, NULL, &problems) == SLAT_OK, "validate",
		 "slat_validate failed");
	if (problems) {
		slat_validate(&e->t, print_problem, NULL, &problems);
		fz_fail("validate", "slat_validate() reports %llu problems",
			(unsigned long long)problems);
	}
}

static void check_gather_shape(struct engine *e, const struct slat_gather *g)
{
	uint32_t i;

	FZ_CHECK(slat_gather_nranges(g) <= SLAT_GATHER_RANGES, "gather", "nranges %u", slat_gather_nranges(g));
	for (i = 0; i < slat_gather_nranges(g); i++) {
		FZ_CHECK(slat_gather_range(g, i).start < slat_gather_range(g, i).end, "gather",
			 "empty gather range %u", i);
		FZ_CHECK(i == 0 || slat_gather_range(g, i - 1).end < slat_gather_range(g, i).start, "gather",
			 "gather ranges %u and %u unsorted or touching", i - 1, i);
		FZ_CHECK(slat_gather_range(g, i).leaf_sizes || slat_gather_range(g, i).table_sizes, "gather",
			 "gather range %u records no size", i);
	}
	(void)e;
}

static bool attrs_equal(const struct slat_attrs *a, const struct slat_attrs *b)
{
	return a->perms == b->perms && a->memtype == b->memtype &&
	       a->flags == b->flags && a->share == b->share && a->sw == b->sw &&
	       a->key == b->key;
}

/* slat_translate(x) agrees with the model. */
/*
 * slat_payload_get() against the models: a mapped page answers EEXIST, a
 * page with a payload its value, anything else ENOENT.
 */
static void check_payload(struct engine *e, uint64_t x)
{
	const struct ext *px = model_find(&e->pl, x);
	uint64_t v = 1;
	int r = slat_payload_get(&e->t, slat_gpa(x), &v);

	if (model_find(&e->m, x))
		FZ_CHECK(r == SLAT_EEXIST && v == 0, "payload",
			 "payload_get(0x%llx) on a mapped page: %s", (unsigned long long)x,
			 ename(r));
	else if (px)
		FZ_CHECK(r == SLAT_OK && v == px->hpa - px->start, "payload",
			 "payload_get(0x%llx): %s, 0x%llx, model 0x%llx", (unsigned long long)x,
			 ename(r), (unsigned long long)v,
			 (unsigned long long)(px->hpa - px->start));
	else
		FZ_CHECK(r == SLAT_ENOENT && v == 0, "payload",
			 "payload_get(0x%llx) on nothing: %s, 0x%llx", (unsigned long long)x,
			 ename(r), (unsigned long long)v);
}

static void check_addr(struct engine *e, uint64_t x)
{
	struct slat_mapping m;
	const struct ext *ex;
	int r;

	memset(&m, 0x5a, sizeof(m));
	r = slat_translate(&e->t, slat_gpa(x), &m);
	if (x >= e->ia_top) {
		FZ_CHECK(r == SLAT_EGPA, "translate", "translate(0x%llx) beyond the input: %s",
			 (unsigned long long)x, ename(r));
		return;
	}
	check_payload(e, x);
	ex = model_find(&e->m, x);
	if (!ex) {
		FZ_CHECK(r == SLAT_ENOENT, "translate",
			 "translate(0x%llx) = %s (hpa 0x%llx), the model has nothing mapped",
			 (unsigned long long)x, ename(r), (unsigned long long)m.hpa.v);
		return;
	}
	FZ_CHECK(r == SLAT_OK, "translate",
		 "translate(0x%llx) = %s, the model maps it to 0x%llx",
		 (unsigned long long)x, ename(r),
		 (unsigned long long)(ex->hpa + (x - ex->start)));
	FZ_CHECK(m.gpa.v == x && m.hpa.v == ex->hpa + (x - ex->start), "translate",
		 "translate(0x%llx) -> 0x%llx, the model says 0x%llx",
		 (unsigned long long)x, (unsigned long long)m.hpa.v,
		 (unsigned long long)(ex->hpa + (x - ex->start)));
	FZ_CHECK(attrs_equal(&m.attrs, &ex->a), "translate-attrs",
		 "translate(0x%llx): perms %x mt %u flags %u share %u sw %x; model: perms %x mt %u "
		 "flags %u share %u sw %x", (unsigned long long)x, m.attrs.perms,
		 m.attrs.memtype, m.attrs.flags, m.attrs.share, m.attrs.sw, ex->a.perms,
		 ex->a.memtype, ex->a.flags, ex->a.share, ex->a.sw);
	FZ_CHECK(m.page_lg2 < 64 && (e->leaf_sizes & (1ull << m.page_lg2)) &&
		 m.level < e->levels && e->level_shift[m.level] == m.page_lg2, "leaf-size",
		 "translate(0x%llx): leaf of 2^%u at level %u not allowed",
		 (unsigned long long)x, m.page_lg2, m.level);
	{
		const uint64_t lsz = 1ull << m.page_lg2;
		const uint64_t lb = x & ~(lsz - 1), le = lb + lsz;
		size_t i = model_lower(&e->m, lb);
		uint64_t at = lb;

		FZ_CHECK(m.size == le - x, "translate", "size 0x%llx, leaf ends at 0x%llx",
			 (unsigned long long)m.size, (unsigned long long)le);
		FZ_CHECK(((m.hpa.v - (x - lb)) & (lsz - 1)) == 0, "leaf-align",
			 "leaf of 2^%u at 0x%llx maps to unaligned 0x%llx", m.page_lg2,
			 (unsigned long long)lb, (unsigned long long)(m.hpa.v - (x - lb)));
		/* The whole leaf translates as the model says. */
		for (; at < le; i++) {
			const struct ext *y = i < e->m.n ? &e->m.v[i] : NULL;

			FZ_CHECK(y && y->start <= at && y->hpa + (at - y->start) ==
							     m.hpa.v - x + at &&
					 attrs_equal(&y->a, &ex->a),
				 "leaf-extent",
				 "leaf [0x%llx, 0x%llx) of 0x%llx also covers 0x%llx, which the model "
				 "maps %s", (unsigned long long)lb, (unsigned long long)le,
				 (unsigned long long)x, (unsigned long long)at,
				 y && y->start <= at ? "differently" : "nowhere");
			at = y->end;
		}
	}
	if (e->ad) {
		bool d = iset_contains(&e->dirty, x), a = iset_contains(&e->acc, x);

		FZ_CHECK(m.dirty == d, "dirty-state",
			 "translate(0x%llx): dirty %d, the model says %d",
			 (unsigned long long)x, m.dirty, d);
		FZ_CHECK(m.accessed == a, "accessed-state",
			 "translate(0x%llx): accessed %d, the model says %d",
			 (unsigned long long)x, m.accessed, a);
	} else {
		FZ_CHECK(!m.dirty && !m.accessed, "ad-off",
			 "translate(0x%llx) reports A/D state without the feature",
			 (unsigned long long)x);
	}
}

static void tlbe_from(const struct slat_mapping *m, uint8_t kind, struct tlbe *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->level = m->level;
	t->lg2 = m->page_lg2;
	t->perms = m->attrs.perms;
	t->memtype = m->attrs.memtype;
	t->flags = m->attrs.flags;
	t->share = m->attrs.share;
	t->dirty = m->dirty;
	t->accessed = m->accessed;
	t->leaf_base = m->gpa.v & ~((1ull << m->page_lg2) - 1);
	t->hpa = m->hpa.v;
}

/* The translation of a tracked page is valid now: the hardware may cache it. */
static void observe(struct engine *e, struct tracked *tr)
{
	struct slat_mapping m;
	struct tlbe t;

	if (slat_translate(&e->t, slat_gpa(tr->gpa), &m) != SLAT_OK)
		return;
	tlbe_from(&m, TLB_S2, &t);
	shadow_add(tr, &t);
	if (e->tg == &target_stage2) {
		t.kind = TLB_COMB;
		shadow_add(tr, &t);
	}
}

void eng_observe_all(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->sh.ntr; i++)
		observe(e, &e->sh.tr[i]);
}

/* After an invalidation: nothing cached may differ from the table. */
static void check_stale(struct engine *e)
{
	unsigned i, k;

	for (i = 0; i < e->sh.ntr; i++) {
		struct tracked *tr = &e->sh.tr[i];
		struct slat_mapping m;
		int r;

		if (!tr->n)
			continue;
		r = slat_translate(&e->t, slat_gpa(tr->gpa), &m);
		for (k = 0; k < tr->n; k++) {
			const struct tlbe *c = &tr->e[k];
			const char *kind = c->kind == TLB_COMB ? "combined stage 1+2" : "TLB";

			FZ_CHECK(r == SLAT_OK, "stale-unmapped",
				 "gpa 0x%llx is unmapped (%s) but a %s entry (leaf 2^%u at 0x%llx -> "
				 "0x%llx, perms %x) was not invalidated",
				 (unsigned long long)tr->gpa, ename(r), kind, c->lg2,
				 (unsigned long long)c->leaf_base, (unsigned long long)c->hpa,
				 c->perms);
			FZ_CHECK(c->hpa == m.hpa.v, "stale-hpa",
				 "gpa 0x%llx now maps to 0x%llx, a %s entry (leaf 2^%u) still says 0x%llx",
				 (unsigned long long)tr->gpa, (unsigned long long)m.hpa.v, kind,
				 c->lg2, (unsigned long long)c->hpa);
			FZ_CHECK(c->memtype == m.attrs.memtype && c->flags == m.attrs.flags &&
					 c->share == m.attrs.share, "stale-memtype",
				 "gpa 0x%llx: memory type %u/%u/%u now, a %s entry (leaf 2^%u) still "
				 "has %u/%u/%u", (unsigned long long)tr->gpa, m.attrs.memtype,
				 m.attrs.flags, m.attrs.share, kind, c->lg2, c->memtype, c->flags,
				 c->share);
			FZ_CHECK(!(c->perms & ~m.attrs.perms), "stale-perm",
				 "gpa 0x%llx: permissions %x now, a %s entry (leaf 2^%u) still grants %x",
				 (unsigned long long)tr->gpa, m.attrs.perms, kind, c->lg2, c->perms);
			if (e->ad) {
				FZ_CHECK(!c->dirty || m.dirty, "stale-dirty",
					 "gpa 0x%llx was harvested clean but a %s entry (leaf 2^%u at "
					 "0x%llx) still holds it dirty: writes go unrecorded",
					 (unsigned long long)tr->gpa, kind, c->lg2,
					 (unsigned long long)c->leaf_base);
				FZ_CHECK(!c->accessed || m.accessed, "stale-accessed",
					 "gpa 0x%llx had its accessed flag cleared but a %s entry (leaf "
					 "2^%u) still holds it accessed", (unsigned long long)tr->gpa,
					 kind, c->lg2);
			}
		}
	}
}

/* Apply the invalidation of the gather, check, complete the gather. */
static void eng_flush(struct engine *e)
{
	uint64_t outstanding, pages;

	check_gather_shape(e, &e->g);
	e->tg->flush(e, &e->g, false);
	check_stale(e);
	e->free_check = true;
	FZ_CHECK(slat_gather_done(&e->t, &e->g) == SLAT_OK, "gather-done",
		 "slat_gather_done failed");
	e->free_check = false;
	FZ_CHECK(slat_gather_empty(&e->g), "gather-done", "gather not empty after done");
	pages = slat_table_pages(&e->t);
	outstanding = e->pool.in_use >> e->granule_lg2;
	FZ_CHECK(outstanding == pages, "pool-count",
		 "after slat_gather_done: pool has %llu pages outstanding, table holds %llu",
		 (unsigned long long)outstanding, (unsigned long long)pages);
}

/* ---- sampling ------------------------------------------------------------- */

static struct {
	uint64_t v[64];
	unsigned n;
} samples;

static void sample_add(struct engine *e, uint64_t x)
{
	unsigned i;

	if (x >= e->ia_top || (x & gmask(e)) || samples.n == 64)
		return;
	for (i = 0; i < samples.n; i++)
		if (samples.v[i] == x)
			return;
	samples.v[samples.n++] = x;
}

/* Sample addresses in and around [a, b): edges, large-page boundaries, random. */
static void sample_range(struct engine *e, uint64_t a, uint64_t b)
{
	const uint64_t g = 1ull << e->granule_lg2;
	unsigned l, i;

	samples.n = 0;
	a &= ~gmask(e);
	b = (b + gmask(e)) & ~gmask(e);
	if (b <= a || b > e->ia_top)
		b = a + g;
	sample_add(e, a);
	sample_add(e, b - g);
	sample_add(e, a - g);
	sample_add(e, b);
	sample_add(e, a + g);
	sample_add(e, b - 2 * g);
	for (l = 1; l < e->levels; l++) {
		uint64_t s = 1ull << e->level_shift[l];
		uint64_t A = a & ~(s - 1), B = (b - 1) & ~(s - 1);

		sample_add(e, A);
		sample_add(e, A - g);
		sample_add(e, A + s - g);
		sample_add(e, A + s);
		sample_add(e, B);
		sample_add(e, B + s - g);
		sample_add(e, B + s);
	}
	for (i = 0; i < 4; i++) {
		uint64_t pages = (b - a) >> e->granule_lg2;

		sample_add(e, a + ((eng_rand(e) % pages) << e->granule_lg2));
	}
	/* and a tracked page elsewhere, now and then */
	if (e->sh.ntr)
		sample_add(e, e->sh.tr[eng_rand(e) % e->sh.ntr].gpa);
}

/* ---- operation frame ------------------------------------------------------- */


static void observe(struct engine *e, struct tracked *tr);

/* The racing guest access: what the hardware walker does, now. */
static void race_inject(struct engine *e)
{
	struct slat_mapping m;

	frame.race_busy = true;
	frame.race_armed = false;
	if (slat_translate(&e->t, slat_gpa(frame.race_gpa), &m) == SLAT_OK &&
	    slat_hw_access(&e->t, slat_gpa(frame.race_gpa), frame.race_write) == SLAT_OK) {
		frame.race_done = true;
		frame.race_lb = frame.race_gpa & ~((1ull << m.page_lg2) - 1);
		frame.race_le = frame.race_lb + (1ull << m.page_lg2);
		frame.race_dirty = frame.race_write;
		eng_note(e, "   race: guest %s at 0x%llx, leaf [0x%llx, 0x%llx)",
			 frame.race_write ? "write" : "read", (unsigned long long)frame.race_gpa,
			 (unsigned long long)frame.race_lb, (unsigned long long)frame.race_le);
		observe(e, shadow_track(&e->sh, frame.race_gpa & ~gmask(e)));
		/* If the call fails, the table must be as it is now. */
		walk_table(e, &snap_cur, false);
	}
	frame.race_busy = false;
}

struct resync_ctx {
	struct engine *e;
};

static int resync_cb(void *ctx, const struct slat_mapping *m)
{
	struct engine *e = ((struct resync_ctx *)ctx)->e;

	if (m->dirty)
		iset_add(&e->dirty, m->gpa.v, m->gpa.v + m->size);
	else
		iset_remove(&e->dirty, m->gpa.v, m->gpa.v + m->size);
	if (m->accessed)
		iset_add(&e->acc, m->gpa.v, m->gpa.v + m->size);
	else
		iset_remove(&e->acc, m->gpa.v, m->gpa.v + m->size);
	return 0;
}

/*
 * The model after a call that a guest access raced with. Outside the
 * call's range the access's leaf keeps its state and gains the access's
 * (splits carry it into every part). Inside, a protect or a split keeps
 * it too, whether the access came before the change of its leaf or after;
 * for an unmap or a replacing map the order decides, which is the
 * hardware's choice: the model takes what the table says there.
 */
static void race_fixup(struct engine *e)
{
	const uint64_t lb = frame.race_lb, le = frame.race_le;
	uint64_t a = e->op_a, b = e->op_b, pieces[2][2];
	unsigned i;

	if (!frame.race_done || !e->ad)
		return;
	frame.race_done = false;
	if (!frame.ok || b <= a) {
		iset_add(&e->acc, lb, le);
		if (frame.race_dirty)
			iset_add(&e->dirty, lb, le);
		return;
	}
	pieces[0][0] = lb;
	pieces[0][1] = a < le ? (a > lb ? a : lb) : le;
	pieces[1][0] = b > lb ? (b < le ? b : le) : lb;
	pieces[1][1] = le;
	for (i = 0; i < 2; i++) {
		if (pieces[i][0] >= pieces[i][1])
			continue;
		iset_add(&e->acc, pieces[i][0], pieces[i][1]);
		if (frame.race_dirty)
			iset_add(&e->dirty, pieces[i][0], pieces[i][1]);
	}
	{
		uint64_t lo = a > lb ? a : lb, hi = b < le ? b : le;
		struct resync_ctx c = { e };

		if (lo >= hi)
			return;
		if (!strcmp(e->op_name, "protect") || !strcmp(e->op_name, "split") ||
		    !strcmp(e->op_name, "collapse") || !strcmp(e->op_name, "exec_fault")) {
			/* The pages stay mapped: whichever came first, the
			 * access's state is in each of them, also where the
			 * change took the write permission away. */
			iset_add(&e->acc, lo, hi);
			if (frame.race_dirty)
				iset_add(&e->dirty, lo, hi);
			return;
		}
		iset_remove(&e->dirty, lo, hi);
		iset_remove(&e->acc, lo, hi);
		slat_for_each(&e->t, slat_gpa(lo), hi - lo, resync_cb, &c, NULL);
	}
}

static uint64_t largest_leaf(const struct engine *e)
{
	return 1ull << (63 - __builtin_clzll(e->leaf_sizes));
}

static void op_begin(struct engine *e, const char *name, uint64_t a, uint64_t b)
{
	unsigned i;
	uint64_t big = largest_leaf(e);

	e->op_name = name;
	e->op_a = a;
	e->op_b = b;
	eng_note(e, "#%u %s [0x%llx, 0x%llx)", e->op_index, name, (unsigned long long)a,
		 (unsigned long long)b);
	samples.n = 0;
	if (b > a && b - a < (1ull << 40)) {
		sample_range(e, a, b);
		for (i = 0; i < samples.n; i++)
			shadow_track(&e->sh, samples.v[i]);
	}
	frame.lo = a & ~(big - 1);
	frame.hi = b + big < b ? ~0ull : ((b + big - 1) & ~(big - 1));
	if (frame.hi <= frame.lo)
		frame.hi = frame.lo + big;
	for (i = 0; i < e->sh.ntr; i++) {
		struct tracked *tr = &e->sh.tr[i];

		tr->bbm_done = false;
		tr->t0_valid = slat_translate(&e->t, slat_gpa(tr->gpa), &tr->t0) == SLAT_OK;
		observe(e, tr);
	}
	frame.g = e->g;
	frame.in_use = e->pool.in_use - (uint64_t)second_net_bytes();
	e->alloc_fails = 0;
	if (frame.fail_pending) {
		slat_pool_fail_after(&e->pool, frame.fail_n, frame.fail_sticky);
		frame.fail_pending = false;
		frame.fail_active = true;
	}
	e->syncs = 0;
	e->in_op = true;
	fuzz_stats.mutating++;
	second_release();
}

/* Check the result of a mutating call; true when it succeeded. */
static bool op_result(struct engine *e, int r, uint32_t errs)
{
	char b1[256];

	second_park();
	e->in_op = false;
	fuzz_stats.by_err[r & 31]++;
	eng_note(e, "   => %s (syncs %u, alloc fails %u)", ename(r), e->syncs, e->alloc_fails);
	if (frame.fail_active) {
		slat_pool_fail_after(&e->pool, -1, false);
		frame.fail_active = false;
	}
	frame.race_armed = false;
	if (e->alloc_fails) {
		FZ_CHECK(r == SLAT_ENOMEM, "enomem",
			 "an allocation failed but the call returned %s", ename(r));
	} else {
		FZ_CHECK(r != SLAT_ENOMEM, "enomem",
			 "SLAT_ENOMEM although no allocation failed");
	}
	if (r == SLAT_ENOMEM && !errs) {
		/* acceptable: checked below for no change */
	} else if (errs) {
		FZ_CHECK(r != SLAT_OK && (errs & ERR(r)), "errcode",
			 "returned %s, expected one of %s", ename(r),
			 errset_str(errs, b1, sizeof(b1)));
	} else {
		FZ_CHECK(r == SLAT_OK, "errcode", "returned %s, expected SLAT_OK", ename(r));
	}
	frame.ok = r == SLAT_OK;
	if (r == SLAT_OK) {
		if (memcmp(&e->g, &frame.g, sizeof(e->g)))
			FZ_CHECK(slat_gather_table(&e->g) == &e->t, "gather-bind",
				 "changed gather not bound to the table");
		return true;
	}
	fuzz_stats.failed_calls++;
	/* All-or-nothing: a failed call changed nothing. */
	FZ_CHECK(!memcmp(&e->g, &frame.g, sizeof(e->g)), "fail-gather",
		 "failed call (%s) changed the gather", ename(r));
	FZ_CHECK(e->pool.in_use - (uint64_t)second_net_bytes() == frame.in_use, "fail-memory",
		 "failed call (%s) kept %lld bytes of table memory", ename(r),
		 (long long)(e->pool.in_use - (uint64_t)second_net_bytes() - frame.in_use));
	FZ_CHECK(e->syncs == 0, "fail-sync",
		 "failed call (%s) ran the break-before-make hook %u times", ename(r),
		 e->syncs);
	walk_table(e, &snap_tmp, false);
	if (!snap_equal(&snap_cur, &snap_tmp)) {
		snap_diff_report(&snap_cur, &snap_tmp);
		fz_fail("fail-changed", "failed call (%s) changed the table", ename(r));
	}
	return false;
}

static bool shape_differs(const struct slat_mapping *a, const struct slat_mapping *b)
{
	return a->hpa.v != b->hpa.v || a->attrs.memtype != b->attrs.memtype ||
	       a->attrs.flags != b->attrs.flags || a->attrs.share != b->attrs.share ||
	       a->page_lg2 != b->page_lg2;
}

/*
 * SLAT_FEAT_WALK_NC: a walker that does not snoop the data cache. The pool
 * stands for the cache, e->nc_mem for memory; clean_tables copies a range
 * from one to the other, as DC CVAC or CLFLUSH would. Whenever the walker
 * may look (a sync_invalidate call, the end of a call), every table page
 * reachable from the root must read the same in both.
 */
static void fz_clean(void *ctx, void *va, size_t len)
{
	struct engine *e = ctx;
	const uintptr_t base = (uintptr_t)e->pool.base, p = (uintptr_t)va;

	FZ_CHECK(p >= base && p + len >= p && p + len <= base + e->pool.size, "walk-nc-range",
		 "clean_tables(%p, %zu) outside the table pool", va, len);
	FZ_CHECK(len > 0 && len % 8 == 0 && p % 8 == 0, "walk-nc-range",
		 "clean_tables(%p, %zu): not whole 8-byte entries", va, len);
	fuzz_stats.nc_cleans++;
	memcpy(e->nc_mem + (p - base), va, len);
}

/* An entry the walker takes for not present, whatever its other bits:
 * EPT bits 2:0 clear (and bit 10 under MBEC; SDM vol. 3C 29.3.2), Arm
 * bit 0 clear (Arm ARM, VMSAv8-64 descriptors: invalid). */
static bool nc_absent(const struct engine *e, uint64_t ent)
{
	if (e->tg == &target_ept)
		return !(ent & 7) && !(e->split_exec && (ent & (1ull << 10)));
	return !(ent & 1);
}

static void nc_check_rec(struct engine *e, uint64_t pa, unsigned level, bool root,
			 const char *where)
{
	const size_t bytes = root ? e->root_bytes : 1ull << e->granule_lg2;
	const uint64_t *va = e->palloc.phys_to_virt(e->palloc.ctx, pa);
	const uint64_t *mem = (const uint64_t *)(e->nc_mem + ((const unsigned char *)va - e->pool.base));
	size_t i, n = bytes / 8;

	for (i = 0; i < n; i++) {
		if (va[i] != mem[i] && nc_absent(e, va[i]) && nc_absent(e, mem[i])) {
			/* Invalid in both: the walker reads the same fault. A
			 * payload stored into a live table (slat_payload_set)
			 * is not cleaned; counted, not a finding. */
			fuzz_stats.nc_absent_diffs++;
			continue;
		}
		FZ_CHECK(va[i] == mem[i], "walk-nc-stale",
			 "%s: table pa 0x%llx entry %zu is 0x%016llx in the cache but 0x%016llx in "
			 "memory: written and not cleaned", where, (unsigned long long)pa, i,
			 (unsigned long long)va[i], (unsigned long long)mem[i]);
	}
	if (level == 0)
		return;
	for (i = 0; i < n; i++)
		if (e->tg->is_table(e, level, va[i]))
			nc_check_rec(e, e->tg->table_addr(e, va[i]), level - 1, false, where);
}

static void nc_check(struct engine *e, const char *where)
{
	if (!e->walk_nc || !e->have_table)
		return;
	fuzz_stats.nc_checks++;
	nc_check_rec(e, slat_table_root(&e->t).v, e->levels - 1, true, where);
}

/* Everything after a call that may have changed the table. */
static void op_end(struct engine *e)
{
	unsigned i;

	nc_check(e, e->op_name);

	race_fixup(e);
	/* A failed call was proven to leave the table bit for bit as it was. */
	if (frame.ok)
		check_structure(e, false);
	for (i = 0; i < e->sh.ntr; i++) {
		struct tracked *tr = &e->sh.tr[i];
		struct slat_mapping m;

		check_addr(e, tr->gpa);
		if (e->tg == &target_stage2 && tr->t0_valid &&
		    slat_translate(&e->t, slat_gpa(tr->gpa), &m) == SLAT_OK &&
		    shape_differs(&tr->t0, &m))
			FZ_CHECK(tr->bbm_done, "bbm",
				 "gpa 0x%llx changed from a valid leaf (2^%u -> 0x%llx, mt %u/%u/%u) to "
				 "another (2^%u -> 0x%llx, mt %u/%u/%u) without break-before-make: no "
				 "invalidation of it completed while it was invalid",
				 (unsigned long long)tr->gpa, tr->t0.page_lg2,
				 (unsigned long long)tr->t0.hpa.v, tr->t0.attrs.memtype,
				 tr->t0.attrs.flags, tr->t0.attrs.share, m.page_lg2,
				 (unsigned long long)m.hpa.v, m.attrs.memtype, m.attrs.flags,
				 m.attrs.share);
		/*
		 * Stage-2, across calls: a translation still cached (its
		 * invalidation pending in a deferred gather) and a different
		 * valid one now: break-before-make needs the invalidation of the
		 * old entry to complete before the new one is written.
		 */
		if (e->tg == &target_stage2 && tr->n &&
		    slat_translate(&e->t, slat_gpa(tr->gpa), &m) == SLAT_OK) {
			unsigned k;

			for (k = 0; k < tr->n; k++) {
				const struct tlbe *c = &tr->e[k];

				FZ_CHECK(c->hpa == m.hpa.v && c->lg2 == m.page_lg2 &&
						 c->memtype == m.attrs.memtype &&
						 c->flags == m.attrs.flags && c->share == m.attrs.share,
					 "bbm-deferred",
					 "gpa 0x%llx now translates through a leaf of 2^%u -> 0x%llx (mt "
					 "%u/%u/%u) while a %s entry of the old translation (2^%u -> 0x%llx, mt "
					 "%u/%u/%u) may still be cached: its invalidation is pending in the "
					 "gather, and no break-before-make invalidation completed before the "
					 "new entry was written", (unsigned long long)tr->gpa, m.page_lg2,
					 (unsigned long long)m.hpa.v, m.attrs.memtype, m.attrs.flags,
					 m.attrs.share, c->kind == TLB_COMB ? "combined" : "stage-2",
					 c->lg2, (unsigned long long)c->hpa, c->memtype, c->flags, c->share);
			}
		}
		observe(e, tr);
	}
	if (e->defer) {
		e->defer--;
		check_gather_shape(e, &e->g);
		return;
	}
	eng_flush(e);
}

/* The synchronous invalidation hook (Arm break-before-make). */
static void fz_sync(void *ctx, const struct slat_table *t, const struct slat_gather *g)
{
	struct engine *e = ctx;
	struct slat_mapping m;
	uint64_t lo, hi;
	bool settle;
	unsigned i;
	int r;

	if (second_is_me()) /* its range is not tracked by the cache model */
		return;
	FZ_CHECK(e->in_op && t == &e->t, "sync", "sync hook called outside an operation");
	e->syncs++;
	nc_check(e, "sync_invalidate");
	check_gather_shape(e, g);
	FZ_CHECK(slat_gather_nranges(g) >= 1, "sync", "sync hook with an empty gather");
	FZ_CHECK(slat_gather_pages(g) == 0, "sync", "sync hook with pages to free");
	/*
	 * Two kinds of call: break-before-make of one entry (it must be
	 * invalid already), or the completion of invalidations still pending
	 * in the caller's gather before a map over them (7b6e12d): the same
	 * ranges as the caller's gather, whose addresses may be mapped.
	 */
	settle = slat_gather_nranges(g) == slat_gather_nranges(&e->g);
	for (i = 0; settle && i < slat_gather_nranges(g); i++) {
		struct slat_gather_range a = slat_gather_range(g, i);
		struct slat_gather_range b = slat_gather_range(&e->g, i);

		settle = !memcmp(&a, &b, sizeof(a));
	}
	r = settle ? SLAT_ENOENT : slat_translate(t, slat_gpa(slat_gather_range(g, 0).start), &m);
	FZ_CHECK(r == SLAT_ENOENT, "bbm-valid",
		 "break-before-make hook for [0x%llx, 0x%llx) called while 0x%llx still "
		 "translates (%s, to 0x%llx)", (unsigned long long)slat_gather_range(g, 0).start,
		 (unsigned long long)slat_gather_range(g, 0).end, (unsigned long long)slat_gather_range(g, 0).start,
		 ename(r), (unsigned long long)m.hpa.v);
	/*
	 * Only the pages of the hook's ranges are invalid now: note what the
	 * others may cache at their next change, and which of these had every
	 * cached translation invalidated while invalid (break-before-make).
	 */
	lo = slat_gather_range(g, 0).start;
	hi = slat_gather_range(g, slat_gather_nranges(g) - 1).end;
	for (i = 0; i < e->sh.ntr; i++) {
		struct tracked *tr = &e->sh.tr[i];

		if (tr->gpa >= lo && tr->gpa < hi)
			observe(e, tr);
	}
	e->tg->flush(e, g, true);
	for (i = 0; i < e->sh.ntr; i++) {
		struct tracked *tr = &e->sh.tr[i];

		if (tr->gpa >= lo && tr->gpa < hi && !tr->n &&
		    slat_translate(t, slat_gpa(tr->gpa), &m) == SLAT_ENOENT)
			tr->bbm_done = true;
		if (tr->gpa >= lo && tr->gpa < hi && tr->n && getenv("SLAT_FUZZ_VERBOSE")) {
			unsigned k;

			for (k = 0; k < tr->n; k++)
				eng_note(e, "   still cached for 0x%llx: kind %u level %u 2^%u at 0x%llx -> 0x%llx",
					 (unsigned long long)tr->gpa, tr->e[k].kind, tr->e[k].level,
					 tr->e[k].lg2, (unsigned long long)tr->e[k].leaf_base,
					 (unsigned long long)tr->e[k].hpa);
		}
	}
}

/* ---- argument generation ---------------------------------------------------- */

static uint64_t unit_of(const struct engine *e, unsigned sel)
{
	const uint64_t g = 1ull << e->granule_lg2;

	switch (sel & 3) {
	case 0: return g;
	case 1: return e->levels > 1 ? 1ull << e->level_shift[1] : g * 16;
	case 2:
		if (e->levels > 2 && (1ull << e->level_shift[2]) <= e->window)
			return 1ull << e->level_shift[2];
		return e->levels > 1 ? 1ull << e->level_shift[1] : g * 64;
	default: return g * 16;
	}
}

static uint64_t gen_addr(struct engine *e, struct rd *r)
{
	const uint8_t b = rd_u8(r);
	const uint64_t g = 1ull << e->granule_lg2;
	const uint64_t unit = unit_of(e, b);
	uint64_t span = e->window / unit, k, base, addr;

	k = span ? rd_u16(r) % span : 0;
	switch ((b >> 5) & 3) {
	case 3: /* the last large pages of the input space */
		addr = e->ia_top - (1 + k % 4) * unit;
		break;
	case 2:
		base = e->ia_top - e->window;
		addr = base + k * unit;
		break;
	default:
		addr = k * unit;
		break;
	}
	switch ((b >> 2) & 7) {
	case 3: addr += g; break;
	case 4: addr -= g; break;
	case 5: addr += (uint64_t)rd_u8(r) * g; break;
	case 6: addr -= (uint64_t)rd_u8(r) * g; break;
	case 7: {
		uint8_t m = rd_u8(r);

		if ((m & 0xf0) == 0xf0)
			addr += 1 + m % (g - 1); /* misaligned */
		else
			addr += (uint64_t)m * g * 7;
		break;
	}
	default: break;
	}
	return addr;
}

static uint64_t gen_size(struct engine *e, struct rd *r, uint64_t addr)
{
	const uint8_t b = rd_u8(r);
	const uint64_t g = 1ull << e->granule_lg2;
	const uint64_t unit = unit_of(e, b);
	uint64_t span = e->window / unit, k, size;

	if (b & 0x10)
		k = 1 + (span ? rd_u16(r) % span : 0);
	else
		k = 1 + rd_u8(r) % 4;
	size = k * unit;
	switch ((b >> 5) & 7) {
	case 4: size += g; break;
	case 5: size -= g; break;
	case 6: {
		uint8_t m = rd_u8(r);

		if ((m & 0xf0) == 0xf0)
			size = (m & 1) ? 0 : ~0ull - g + 1; /* ESIZE / EWRAP */
		else
			size += (uint64_t)m * g;
		break;
	}
	case 7: {
		uint8_t m = rd_u8(r);

		if ((m & 0xf0) == 0xf0)
			size += 1 + m % (g - 1); /* misaligned */
		else
			size = (uint64_t)(1 + m) * g;
		break;
	}
	default: break;
	}
	/* Mostly inside the input space (beyond it is SLAT_EGPA). */
	if ((b & 0x88) != 0x88 && addr < e->ia_top && size && addr + size > e->ia_top &&
	    !(addr & gmask(e)))
		size = e->ia_top - addr;
	return size;
}

static uint64_t gen_hpa(struct engine *e, struct rd *r, uint64_t gpa, uint64_t size)
{
	const uint8_t b = rd_u8(r);
	const uint64_t g = 1ull << e->granule_lg2;
	uint64_t align, hpa;

	switch (b & 7) {
	case 0: case 1: case 2: case 3: {
		/* keep the guest address's alignment up to a large page */
		align = unit_of(e, b >> 3);
		hpa = (gpa + (uint64_t)rd_u16(r) * align) & (e->pa_top - 1);
		break;
	}
	case 4: /* any page: small leaves only */
		hpa = ((uint64_t)rd_u32(r) << e->granule_lg2) & (e->pa_top - 1);
		break;
	case 5: { /* where the model already maps gpa: an identical remap */
		const struct ext *x = model_find(&e->m, gpa);

		hpa = x ? x->hpa + (gpa - x->start) : gpa & (e->pa_top - 1);
		break;
	}
	case 6: /* against the top of the physical space */
		if (!(b & 0x20)) {
			hpa = (gpa & (e->pa_top / 2 - 1));
			break;
		}
		hpa = e->pa_top - size + ((b & 8) ? g : 0) - ((b & 16) ? g : 0);
		break;
	default:
		hpa = (gpa & (e->pa_top - 1)) + (((b & 0xf8) == 0xf8) ? 1 + rd_u8(r) % (g - 1) : 0);
		break;
	}
	return hpa;
}

static uint32_t common_attrs_errors(const struct engine *e, const struct slat_attrs *a)
{
	uint32_t s = 0;

	if (a->perms & ~SLAT_PERM_ALL)
		s |= ERR(SLAT_EFLAGS);
	/* No permission at all is a no-access mapping (issue 9 item 1): it
	 * keeps its address and type, and collides like any mapping. */
	if (a->memtype >= SLAT_MT_COUNT || a->share > SLAT_SH_NONE)
		s |= ERR(SLAT_EMEMTYPE);
	if (a->flags & ~SLAT_ATTR_MT_FORCE)
		s |= ERR(SLAT_EFLAGS);
	if (a->sw >> e->sw_count)
		s |= ERR(SLAT_ESWBITS);
	/* A key needs a table with keys and a CPU with that many. */
	if (a->key > e->key_max)
		s |= ERR(SLAT_EKEY);
	return s;
}

static uint32_t attrs_errors(const struct engine *e, const struct slat_attrs *a)
{
	uint32_t s = common_attrs_errors(e, a);

	/* Backends are only consulted for attributes the core accepts. */
	if (!s)
		s = e->tg->attrs_errors(e, a);
	return s;
}

static void gen_attrs(struct engine *e, struct rd *r, struct slat_attrs *a)
{
	const uint8_t p = rd_u8(r), mt = rd_u8(r), fl = rd_u8(r), sw = rd_u8(r);

	a->perms = p & 0xf;
	if ((p & 0xf0) == 0xf0)
		a->perms |= 0x10;
	a->memtype = (mt % 8) == 7 ? SLAT_MT_COUNT : (mt % 8) % 6;
	a->flags = fl & 1;
	if ((fl & 0xf8) == 0xf8)
		a->flags |= 2;
	a->share = (fl >> 1) & 3;
	if ((fl & 0xf8) == 0xf0)
		a->share = 4;
	a->sw = (uint8_t)(sw & ((1u << e->sw_count) - 1));
	if ((sw & 0xf0) == 0xf0)
		a->sw |= (uint8_t)(1u << e->sw_count);
	/* Half the time a host memory key, 1 to 4, from bits the memory
	 * type leaves unread. */
	a->key = (uint16_t)(((mt >> 3) & 7) >= 4 ? ((mt >> 3) & 7) - 3 : 0);
	/* Three times out of four, something the table accepts. */
	if ((p & 0x30) != 0x30 && attrs_errors(e, a)) {
		struct slat_attrs b = *a;

		b.flags &= 1;
		b.share = e->tg == &target_stage2 ? b.share & 3 : 0;
		b.sw &= (uint8_t)((1u << e->sw_count) - 1);
		if (b.key > e->key_max)
			b.key = e->key_max ? 1 : 0;
		if (b.memtype >= SLAT_MT_COUNT)
			b.memtype = SLAT_MT_WB;
		if (attrs_errors(e, &b))
			b.flags = 0;
		if (attrs_errors(e, &b))
			b.memtype = (p & 0x40) ? SLAT_MT_UC : SLAT_MT_WB;
		if (attrs_errors(e, &b))
			b.perms = (p & 0x80) ? SLAT_PERM_RW : SLAT_PERM_RWX;
		if (attrs_errors(e, &b))
			b.memtype = SLAT_MT_WB;
		if (!attrs_errors(e, &b))
			*a = b;
	}
}

static uint32_t range_errors(const struct engine *e, uint64_t a, uint64_t size)
{
	uint32_t s = 0;

	if (!size)
		s |= ERR(SLAT_ESIZE);
	if ((a | size) & gmask(e))
		s |= ERR(SLAT_EALIGN);
	/* By the last byte: a range ending exactly at 2^64 does not wrap. */
	if (size && a + (size - 1) < a)
		s |= ERR(SLAT_EWRAP);
	else if (size ? a + (size - 1) >= e->ia_top : a > e->ia_top)
		s |= ERR(SLAT_EGPA);
	return s;
}

uint64_t eng_gen_addr(struct engine *e, struct rd *r)
{
	return gen_addr(e, r);
}

uint64_t eng_gen_size(struct engine *e, struct rd *r, uint64_t addr)
{
	return gen_size(e, r, addr);
}

uint32_t eng_range_errors(const struct engine *e, uint64_t a, uint64_t size)
{
	return range_errors(e, a, size);
}

/* ---- operations ------------------------------------------------------------- */

static void largest_leaf_check(struct engine *e, uint64_t a, uint64_t b,
			       uint64_t delta, unsigned cap, unsigned perms)
{
	unsigned i;

	/* Under the iTLB-multihit policy an execute-only mapping has nothing
	 * to map large without X: base pages (slat/multihit.h). */
	if (e->nx && (perms & SLAT_PERM_X) && !(perms & SLAT_PERM_RW))
		cap = e->granule_lg2;

	for (i = 0; i < samples.n; i++) {
		uint64_t x = samples.v[i];
		struct slat_mapping m;
		unsigned l;

		if (x < a || x >= b)
			continue;
		if (slat_translate(&e->t, slat_gpa(x), &m) != SLAT_OK)
			fz_fail("map", "0x%llx unmapped right after mapping it",
				(unsigned long long)x);
		FZ_CHECK(!cap || m.page_lg2 <= cap, "map-cap",
			 "0x%llx got a leaf of 2^%u with SLAT_MAP_MAX_PAGE(%u)",
			 (unsigned long long)x, m.page_lg2, cap);
		for (l = 0; l < e->levels; l++) {
			uint64_t s = 1ull << e->level_shift[l];
			uint64_t lb = x & ~(s - 1);

			if (!(e->leaf_sizes & s) || (cap && e->level_shift[l] > cap) ||
			    (delta & (s - 1)) || lb < a || lb + s > b)
				continue;
			FZ_CHECK(m.page_lg2 >= e->level_shift[l], "map-largest",
				 "0x%llx got a leaf of 2^%u although [0x%llx, 0x%llx) fits a "
				 "leaf of 2^%u", (unsigned long long)x, m.page_lg2,
				 (unsigned long long)lb, (unsigned long long)(lb + s),
				 e->level_shift[l]);
		}
	}
}

static void do_map(struct engine *e, struct rd *r)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	const uint64_t hpa = gen_hpa(e, r, gpa, size);
	const uint8_t fb = rd_u8(r);
	struct slat_attrs a;
	uint32_t flags = 0, errs = 0;
	unsigned cap = 0;
	int ret;

	gen_attrs(e, r, &a);
	if (fb & 1)
		flags |= SLAT_MAP_REPLACE;
	switch ((fb >> 1) & 7) {
	case 1: cap = e->granule_lg2; break;
	case 2: cap = e->levels > 1 ? e->level_shift[1] : e->granule_lg2; break;
	case 3: cap = 12 + rd_u8(r) % 40; break;
	case 4: {
		uint8_t m = rd_u8(r);

		cap = (m & 0xf0) == 0xf0 ? m % 16 : e->granule_lg2 + m % 20;
		break;
	}
	default: break;
	}
	flags |= SLAT_MAP_MAX_PAGE(cap);
	if ((fb & 0xf0) == 0xf0)
		flags |= 1u << 4; /* unknown flag */

	errs |= range_errors(e, gpa, size);
	if (hpa & gmask(e))
		errs |= ERR(SLAT_EALIGN);
	if (size && hpa + (size - 1) < hpa)
		errs |= ERR(SLAT_EWRAP);
	else if (size ? hpa + (size - 1) >= e->pa_top : hpa > e->pa_top)
		errs |= ERR(SLAT_EHPA);
	if (flags & ~(uint32_t)(SLAT_MAP_REPLACE | SLAT_MAP_MAX_PAGE(0xff)))
		errs |= ERR(SLAT_EFLAGS);
	if (cap && cap < e->granule_lg2)
		errs |= ERR(SLAT_EPAGESIZE);
	errs |= attrs_errors(e, &a);
	if (!errs && !(flags & SLAT_MAP_REPLACE) &&
	    (model_overlaps(&e->m, gpa, gpa + size) || model_overlaps(&e->pl, gpa, gpa + size)))
		errs |= ERR(SLAT_EEXIST);

	op_begin(e, "map", gpa, gpa + size);
	eng_note(e, "   hpa 0x%llx flags 0x%x perms %x mt %u fl %u sh %u sw %x key %u",
		 (unsigned long long)hpa, flags, a.perms, a.memtype, a.flags, a.share, a.sw,
		 a.key);
	ret = slat_map(&e->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, flags, &e->g);
	if (op_result(e, ret, errs)) {
		struct slat_attrs n = a;

		e->tg->attrs_norm(e, &n);
		model_remove(&e->m, gpa, gpa + size);
		model_insert(&e->m, gpa, gpa + size, hpa, &n);
		model_remove(&e->pl, gpa, gpa + size); /* replace drops payload */
		iset_remove(&e->dirty, gpa, gpa + size);
		if (e->ad && e->tg == &target_stage2)
			iset_add(&e->acc, gpa, gpa + size);
		else
			iset_remove(&e->acc, gpa, gpa + size);
		largest_leaf_check(e, gpa, gpa + size, hpa - gpa, cap, a.perms);
	}
	op_end(e);
}

/*
 * slat_payload_set() (or, with bit 0 of the selector, slat_payload_get()
 * at a drawn address). The formats offer 51 (EPT: bits 62:12), 52 (NPT:
 * 63:12) and 63 (Stage-2: 63:1) bits, from the manuals (docs/formats.md).
 */
static void do_payload(struct engine *e, struct rd *r)
{
	const uint8_t sel = rd_u8(r);
	const unsigned bits = e->tg == &target_ept ? 51 : e->tg == &target_npt ? 52 : 63;
	const uint64_t max = (1ull << bits) - 1;
	uint64_t gpa, size, value;
	uint32_t errs;
	int ret;

	FZ_CHECK(slat_table_payload_bits(&e->t) == bits, "payload",
		 "slat_table_payload_bits() = %u, the manuals give %u",
		 slat_table_payload_bits(&e->t), bits);
	if (sel & 1) {
		gpa = gen_addr(e, r);
		e->op_name = "payload_get";
		if (gpa >= e->ia_top) {
			FZ_CHECK(slat_payload_get(&e->t, slat_gpa(gpa), &value) == SLAT_EGPA,
				 "payload", "payload_get beyond the input width");
			return;
		}
		check_payload(e, gpa);
		return;
	}
	gpa = gen_addr(e, r);
	size = gen_size(e, r, gpa);
	switch ((sel >> 1) & 3) {
	case 0: value = (sel & 0x80) ? 0 : 1 + (sel >> 3); break;
	case 1: value = max + 1 + (rd_u8(r) & 1) * (~0ull - max - 1); break;
	case 2: value = max; break;
	default: value = (rd_u64(r) & max) | 1; break;
	}
	errs = range_errors(e, gpa, size);
	if (value == 0 || value > max)
		errs |= ERR(SLAT_EPAYLOAD);
	if (!errs && model_overlaps(&e->m, gpa, gpa + size))
		errs |= ERR(SLAT_EEXIST);

	op_begin(e, "payload_set", gpa, gpa + size);
	eng_note(e, "   value 0x%llx", (unsigned long long)value);
	ret = slat_payload_set(&e->t, slat_gpa(gpa), size, value, &e->g);
	if (op_result(e, ret, errs)) {
		struct slat_attrs none;

		memset(&none, 0, sizeof(none));
		model_remove(&e->pl, gpa, gpa + size);
		/* model_cut() moves a piece's hpa with its start: keeping
		 * value + start there keeps the value under cuts. */
		model_insert(&e->pl, gpa, gpa + size, value + gpa, &none);
		check_payload(e, gpa);
		check_payload(e, gpa + size - 1);
	}
	op_end(e);
}

static void do_unmap(struct engine *e, struct rd *r)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	uint32_t errs = range_errors(e, gpa, size);
	int ret;

	op_begin(e, "unmap", gpa, gpa + size);
	ret = slat_unmap(&e->t, slat_gpa(gpa), size, &e->g);
	if (op_result(e, ret, errs)) {
		model_remove(&e->m, gpa, gpa + size);
		model_remove(&e->pl, gpa, gpa + size);
		iset_remove(&e->dirty, gpa, gpa + size);
		iset_remove(&e->acc, gpa, gpa + size);
	}
	op_end(e);
}

static void prot_apply(const struct slat_prot *p, struct slat_attrs *a)
{
	a->perms = (uint8_t)((a->perms & ~p->perm_clear) | p->perm_set);
	a->sw = (uint8_t)((a->sw & ~p->sw_clear) | p->sw_set);
	if (p->set_memtype) {
		a->memtype = p->memtype;
		a->flags = p->mt_flags;
		a->share = p->share;
	}
}

/* Would the protect leave some mapping of [gpa, gpa + size) execute-only? */
static bool nx_xonly(const struct engine *e, const struct slat_prot *p, uint64_t gpa,
		     uint64_t size)
{
	size_t i;

	for (i = model_lower(&e->m, gpa); i < e->m.n && e->m.v[i].start < gpa + size; i++) {
		struct slat_attrs n = e->m.v[i].a;

		prot_apply(p, &n);
		if ((n.perms & SLAT_PERM_X) && !(n.perms & SLAT_PERM_RW))
			return true;
	}
	return false;
}

static void do_exec_fault(struct engine *e, uint64_t x);

static void do_protect(struct engine *e, struct rd *r)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	const uint8_t b0 = rd_u8(r), b1 = rd_u8(r), b2 = rd_u8(r), b3 = rd_u8(r);
	const uint8_t swmask = (uint8_t)((2u << e->sw_count) - 1);
	struct slat_prot p;
	uint32_t errs;
	size_t i;
	int ret;

	memset(&p, 0, sizeof(p));
	p.perm_clear = b0 & 0xf;
	p.perm_set = b0 >> 4;
	if ((b1 & 0xe0) == 0xe0 && (b3 & 0x80))
		p.perm_set |= 0x10;
	p.sw_clear = (uint8_t)(b1 & swmask);
	p.sw_set = (uint8_t)((b1 >> 3) & swmask);
	if ((b3 & 0xc0) != 0xc0) {
		p.sw_clear &= (uint8_t)(swmask >> 1);
		p.sw_set &= (uint8_t)(swmask >> 1);
	}
	p.set_memtype = b2 & 1;
	p.memtype = (b2 >> 1) % 7;
	p.mt_flags = (b2 >> 4) & 1;
	if ((b3 & 0xf0) == 0xf0)
		p.mt_flags |= 2;
	p.share = (b3 & 3);
	if (e->tg != &target_stage2 && !(b3 & 4))
		p.share = 0;
	if ((b3 & 0x1c) == 0x1c)
		p.share = 4;

	errs = range_errors(e, gpa, size);
	if ((p.perm_clear | p.perm_set) & ~SLAT_PERM_ALL)
		errs |= ERR(SLAT_EFLAGS);
	if ((p.sw_clear | p.sw_set) >> e->sw_count)
		errs |= ERR(SLAT_ESWBITS);
	if (!errs) {
		for (i = model_lower(&e->m, gpa); i < e->m.n && e->m.v[i].start < gpa + size; i++) {
			struct slat_attrs n = e->m.v[i].a;

			prot_apply(&p, &n);
			errs |= attrs_errors(e, &n);
		}
	}
	op_begin(e, "protect", gpa, gpa + size);
	eng_note(e, "   clear %x set %x swc %x sws %x setmt %d mt %u fl %u sh %u", p.perm_clear,
		 p.perm_set, p.sw_clear, p.sw_set, p.set_memtype, p.memtype, p.mt_flags, p.share);
	ret = slat_protect(&e->t, slat_gpa(gpa), size, &p, &e->g);
	/* Under the iTLB-multihit policy a leaf above the base page cannot
	 * become execute-only: whether one is in the range is the table's
	 * shape, which the model does not know; a refusal must still change
	 * nothing (op_result checks). */
	if (ret == SLAT_EPAGESIZE && e->nx && nx_xonly(e, &p, gpa, size))
		errs = ERR(SLAT_EPAGESIZE);
	if (op_result(e, ret, errs)) {
		model_cut(&e->m, gpa, gpa + size);
		for (i = model_lower(&e->m, gpa); i < e->m.n && e->m.v[i].start < gpa + size; i++) {
			struct ext *x = &e->m.v[i];

			prot_apply(&p, &x->a);
			e->tg->attrs_norm(e, &x->a);
		}
		/* The dirty state stays, on every format: on Arm, where it
		 * was the write permission, libslat keeps a software copy. */
	}
	op_end(e);
}

/* The leaves of a range before a collapse, in address order. */
static struct {
	uint64_t (*v)[2]; /* gpa, size as slat_for_each() reports them */
	size_t n, cap;
} pre_leaves;

static int pre_leaf_cb(void *ctx, const struct slat_mapping *m)
{
	(void)ctx;
	if (pre_leaves.n == pre_leaves.cap) {
		pre_leaves.cap = pre_leaves.cap ? 2 * pre_leaves.cap : 256;
		pre_leaves.v = realloc(pre_leaves.v, pre_leaves.cap * sizeof(*pre_leaves.v));
		if (!pre_leaves.v)
			abort();
	}
	pre_leaves.v[pre_leaves.n][0] = m->gpa.v;
	pre_leaves.v[pre_leaves.n][1] = m->size;
	pre_leaves.n++;
	return 0;
}

struct collapse_ctx {
	struct engine *e;
	size_t i;
	bool hook;
};

/*
 * A leaf that was not one before the collapse is made of children the
 * model knows: it is accessed if any was and dirty if any was. Without a
 * synchronous hook (x86 here), libslat also marks it accessed, and dirty
 * if writable, for what a stale walk could still write into the children
 * (slat/collapse.h).
 */
static int post_leaf_cb(void *ctx, const struct slat_mapping *m)
{
	struct collapse_ctx *c = ctx;
	struct engine *e = c->e;
	const uint64_t lb = m->gpa.v, le = lb + m->size;
	const struct ext *x;
	bool acc, dirty;

	while (c->i < pre_leaves.n && pre_leaves.v[c->i][0] < lb)
		c->i++;
	if (c->i < pre_leaves.n && pre_leaves.v[c->i][0] == lb &&
	    pre_leaves.v[c->i][1] == m->size)
		return 0;
	FZ_CHECK(m->size == 1ull << m->page_lg2 && !(lb & (m->size - 1)), "collapse",
		 "new leaf [0x%llx, 0x%llx) is not whole", (unsigned long long)lb,
		 (unsigned long long)le);
	x = model_find(&e->m, lb);
	{
		/* Every byte of it mapped in the model (by adjacent extents
		 * where earlier calls cut them). */
		size_t k = model_lower(&e->m, lb);
		uint64_t at = lb;

		while (at < le && k < e->m.n && e->m.v[k].start <= at)
			at = e->m.v[k++].end;
		FZ_CHECK(x && at >= le, "collapse", "new leaf [0x%llx, 0x%llx) over a hole at 0x%llx",
			 (unsigned long long)lb, (unsigned long long)le, (unsigned long long)at);
	}
	fuzz_stats.collapsed++;
	acc = iset_count(&e->acc, lb, le) || !c->hook;
	dirty = iset_count(&e->dirty, lb, le) || (!c->hook && (x->a.perms & SLAT_PERM_W));
	if (acc)
		iset_add(&e->acc, lb, le);
	if (dirty)
		iset_add(&e->dirty, lb, le);
	return 0;
}

static void race_fixup(struct engine *e);

/* slat_collapse(): translations unchanged, the model's state spread. */
static void do_collapse(struct engine *e, uint64_t gpa, uint64_t size)
{
	const uint32_t errs = range_errors(e, gpa, size);
	int ret;

	pre_leaves.n = 0;
	if (!errs)
		slat_for_each(&e->t, slat_gpa(gpa), size, pre_leaf_cb, NULL, NULL);
	fuzz_stats.collapses++;
	op_begin(e, "collapse", gpa, gpa + size);
	ret = slat_collapse(&e->t, slat_gpa(gpa), size, &e->g);
	if (op_result(e, ret, errs) && e->ad) {
		struct collapse_ctx c = { e, 0, e->tg == &target_stage2 };

		race_fixup(e);
		slat_for_each(&e->t, slat_gpa(gpa), size, post_leaf_cb, &c, NULL);
	}
	op_end(e);
}

static void do_split(struct engine *e, struct rd *r)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	const uint8_t b = rd_u8(r);
	unsigned lg2, i;
	uint32_t errs;
	int ret;

	/* Sizes 2^32 and up, which no table has, stand for a collapse. */
	if ((b & 0xe0) == 0xe0) {
		do_collapse(e, gpa, size);
		return;
	}
	if ((b & 0xc0) == 0xc0) {
		lg2 = b & 63;
	} else {
		/* one of the table's leaf sizes */
		unsigned n = (unsigned)__builtin_popcountll(e->leaf_sizes), k = b % n;
		uint64_t sz = e->leaf_sizes;

		while (k--)
			sz &= sz - 1;
		lg2 = (unsigned)__builtin_ctzll(sz);
	}
	errs = range_errors(e, gpa, size);
	if (lg2 >= 64 || !(e->leaf_sizes & (1ull << lg2)))
		errs |= ERR(SLAT_EPAGESIZE);
	op_begin(e, "split", gpa, gpa + size);
	eng_note(e, "   to 2^%u", lg2);
	ret = slat_split(&e->t, slat_gpa(gpa), size, lg2, &e->g);
	if (op_result(e, ret, 0 | errs)) {
		for (i = 0; i < samples.n; i++) {
			struct slat_mapping m;
			uint64_t x = samples.v[i], lb;

			if (slat_translate(&e->t, slat_gpa(x), &m) != SLAT_OK)
				continue;
			lb = x & ~((1ull << m.page_lg2) - 1);
			if (lb < gpa + size && lb + (1ull << m.page_lg2) > gpa)
				FZ_CHECK(m.page_lg2 <= lg2, "split",
					 "0x%llx: leaf of 2^%u overlaps the split range (to 2^%u)",
					 (unsigned long long)x, m.page_lg2, lg2);
		}
	}
	op_end(e);
}

static void do_translate(struct engine *e, struct rd *r)
{
	unsigned n = 1 + rd_u8(r) % 4, i;

	e->op_name = "translate";
	for (i = 0; i < n; i++) {
		uint64_t x = gen_addr(e, r) & ~gmask(e);

		e->op_a = x;
		e->op_b = x + 1;
		check_addr(e, x);
		check_addr(e, x + (eng_rand(e) & gmask(e)));
	}
}

static void do_access(struct engine *e, struct rd *r)
{
	unsigned n = 1 + rd_u8(r) % 4, i;

	e->op_name = "hw_access";
	for (i = 0; i < n; i++) {
		uint64_t x = gen_addr(e, r);
		const uint8_t how = rd_u8(r);
		bool write = how & 1;
		const struct ext *ex = model_find(&e->m, x);

		if (e->nx && (how & 6) == 6) {
			/* the accesses before it set flags: the snapshot a
			 * refused call is compared with starts from here */
			check_structure(e, false);
			do_exec_fault(e, x);
			e->op_name = "hw_access";
			continue;
		}
		int expect, ret;
		struct slat_mapping m;

		if (x >= e->ia_top)
			expect = SLAT_EGPA;
		else if (!ex)
			expect = SLAT_ENOENT;
		else if (!(ex->a.perms & (write ? SLAT_PERM_W : SLAT_PERM_R)))
			expect = SLAT_EPERM;
		else
			expect = SLAT_OK;
		e->op_a = x;
		e->op_b = x + 1;
		ret = slat_hw_access(&e->t, slat_gpa(x), write);
		FZ_CHECK(ret == expect, "hw_access", "slat_hw_access(0x%llx, %s) = %s, expected %s",
			 (unsigned long long)x, write ? "write" : "read", ename(ret),
			 ename(expect));
		if (ret != SLAT_OK)
			continue;
		if (e->ad && slat_translate(&e->t, slat_gpa(x), &m) == SLAT_OK) {
			uint64_t lb = x & ~((1ull << m.page_lg2) - 1);

			iset_add(&e->acc, lb, lb + (1ull << m.page_lg2));
			if (write)
				iset_add(&e->dirty, lb, lb + (1ull << m.page_lg2));
		}
		/* The access filled the TLB with the translation as it is now. */
		observe(e, shadow_track(&e->sh, x & ~gmask(e)));
	}
	check_structure(e, false);
}

/*
 * An execute fault under the iTLB-multihit policy: where the model's
 * mapping asked for execute, slat_exec_fault() must leave the page a base
 * page that translates as before (a split: the model does not change).
 */
static void do_exec_fault(struct engine *e, uint64_t x)
{
	const struct ext *ex = model_find(&e->m, x);
	const uint64_t page = x & ~gmask(e);
	uint32_t errs = 0;
	int ret;

	if (x >= e->ia_top)
		errs = ERR(SLAT_EGPA);
	else if (!ex)
		errs = ERR(SLAT_ENOENT);
	else if (!(ex->a.perms & SLAT_PERM_X))
		errs = ERR(SLAT_EPERM);
	fuzz_stats.exec_faults++;
	op_begin(e, "exec_fault", page, page + (1ull << e->granule_lg2));
	ret = slat_exec_fault(&e->t, slat_gpa(x), &e->g);
	if (ret == SLAT_OK && pool_in_use(e) > frame.in_use)
		fuzz_stats.exec_splits++;
	if (op_result(e, ret, errs)) {
		struct slat_mapping m;

		/* nx is EPT only: X is entry bit 2 (SDM vol. 3C 29.3.2). */
		memset(&m, 0, sizeof(m));
		FZ_CHECK(slat_translate(&e->t, slat_gpa(x), &m) == SLAT_OK &&
				 m.page_lg2 == e->granule_lg2 && (m.attrs.perms & SLAT_PERM_X) &&
				 (m.entry & 4),
			 "exec-fault", "0x%llx after slat_exec_fault(): leaf of 2^%u, perms %x, "
			 "entry 0x%llx: not an executable base page", (unsigned long long)x,
			 m.page_lg2, m.attrs.perms, (unsigned long long)m.entry);
	}
	op_end(e);
}

/* Leaves at the ends of [a, b) that are only partly inside keep their state. */
static void clear_whole_leaves(struct engine *e, struct iset *s, uint64_t a, uint64_t b)
{
	struct slat_mapping m;
	uint64_t lo = a, hi = b;

	if (slat_translate(&e->t, slat_gpa(a), &m) == SLAT_OK) {
		uint64_t lb = a & ~((1ull << m.page_lg2) - 1);

		if (lb < a)
			lo = lb + (1ull << m.page_lg2);
	}
	if (slat_translate(&e->t, slat_gpa(b - 1), &m) == SLAT_OK) {
		uint64_t lb = (b - 1) & ~((1ull << m.page_lg2) - 1);

		if (lb + (1ull << m.page_lg2) > b)
			hi = lb;
	}
	if (lo < hi)
		iset_remove(s, lo, hi);
}

static void do_harvest(struct engine *e, struct rd *r, bool dirty)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	const uint8_t b = rd_u8(r);
	uint32_t flags = (b & 1) ? SLAT_HARVEST_KEEP : 0, errs;
	uint64_t *bitmap = NULL, *expect = NULL, found = ~0ull, words = 0, pages, i;
	int ret;

	if ((b & 0xce) == 0xce)
		flags |= 4; /* unknown */
	if (!e->ad && (b & 0xc0)) {
		/* Without A/D mostly something else: the address, translated. */
		check_addr(e, gpa & ~gmask(e));
		return;
	}
	errs = range_errors(e, gpa, size);
	if (flags & ~(uint32_t)SLAT_HARVEST_KEEP)
		errs |= ERR(SLAT_EFLAGS);
	if (!e->ad)
		errs |= ERR(SLAT_ENOFEAT);
	pages = size >> e->granule_lg2;
	if (!errs) {
		if (pages > (1ull << 22))
			return; /* keep the bitmap small */
		words = (pages + 63) / 64;
	}
	bitmap = malloc((words ? words : 1) * 8);
	expect = malloc((words ? words : 1) * 8);
	if (!bitmap || !expect)
		abort();
	for (i = 0; i < words; i++)
		bitmap[i] = expect[i] = (b & 0x10) ? eng_rand(e) : 0;
	op_begin(e, dirty ? "dirty_harvest" : "accessed", gpa, gpa + size);
	if (dirty)
		ret = slat_dirty_harvest(&e->t, slat_gpa(gpa), size, bitmap, words, flags,
					 (b & 0x20) ? NULL : &found, &e->g);
	else
		ret = slat_accessed(&e->t, slat_gpa(gpa), size, flags, &found, &e->g);
	if (op_result(e, ret, errs)) {
		struct iset *s = dirty ? &e->dirty : &e->acc;
		uint64_t want = iset_count(s, gpa, gpa + size) >> e->granule_lg2;
		/* A guest access racing with the harvest on a leaf in the range
		 * is seen or not, as it happens: the model takes the table's word
		 * for that leaf afterwards (race_fixup()). */
		bool racy = frame.race_done && frame.race_lb < gpa + size &&
			    frame.race_le > gpa;
		size_t k;

		FZ_CHECK(found == want || (dirty && (b & 0x20)) || racy,
			 dirty ? "harvest" : "accessed",
			 "%llu pages found, the model says %llu", (unsigned long long)found,
			 (unsigned long long)want);
		if (dirty && !racy) {
			for (k = 0; k < s->n; k++) {
				uint64_t lo = s->v[k].a > gpa ? s->v[k].a : gpa;
				uint64_t hi = s->v[k].b < gpa + size ? s->v[k].b : gpa + size;
				uint64_t p;

				for (p = lo; p < hi; p += 1ull << e->granule_lg2) {
					uint64_t bit = (p - gpa) >> e->granule_lg2;

					expect[bit / 64] |= 1ull << (bit % 64);
				}
			}
			for (i = 0; i < words; i++)
				if (bitmap[i] != expect[i])
					fz_fail("harvest",
						"bitmap word %llu (pages from 0x%llx): 0x%016llx, the model "
						"says 0x%016llx", (unsigned long long)i,
						(unsigned long long)(gpa + (i * 64 << e->granule_lg2)),
						(unsigned long long)bitmap[i], (unsigned long long)expect[i]);
		}
		if (!(flags & SLAT_HARVEST_KEEP))
			clear_whole_leaves(e, s, gpa, gpa + size);
	}
	free(bitmap);
	free(expect);
	op_end(e);
}

struct each_ctx {
	struct engine *e;
	uint64_t next, end, bytes;
	unsigned calls, stop;
};

static int each_cb(void *ctx, const struct slat_mapping *m)
{
	struct each_ctx *c = ctx;
	struct slat_mapping t;

	FZ_CHECK(m->gpa.v >= c->next && m->size && m->gpa.v + m->size <= c->end,
		 "for_each", "mapping [0x%llx, +0x%llx) out of order or range",
		 (unsigned long long)m->gpa.v, (unsigned long long)m->size);
	FZ_CHECK(slat_translate(&c->e->t, m->gpa, &t) == SLAT_OK &&
			 t.hpa.v == m->hpa.v && attrs_equal(&t.attrs, &m->attrs) &&
			 t.page_lg2 == m->page_lg2, "for_each",
		 "mapping at 0x%llx disagrees with slat_translate", (unsigned long long)m->gpa.v);
	c->next = m->gpa.v + m->size;
	c->bytes += m->size;
	return ++c->calls == c->stop;
}

static void dump_sink(void *ctx, const char *s, size_t n)
{
	(void)s;
	*(size_t *)ctx += n;
}

static void do_misc(struct engine *e, struct rd *r)
{
	const uint8_t b = rd_u8(r);
	uint64_t gpa, size;

	e->op_name = "misc";
	switch (b & 3) {
	case 0: { /* slat_for_each against the model */
		struct each_ctx c;
		int stopped = -1, ret;
		uint32_t errs;
		size_t i;
		uint64_t want = 0;

		gpa = gen_addr(e, r);
		size = gen_size(e, r, gpa);
		errs = range_errors(e, gpa, size);
		memset(&c, 0, sizeof(c));
		c.e = e;
		c.next = gpa;
		c.end = gpa + size;
		c.stop = (b & 4) ? 1 + rd_u8(r) % 8 : 0;
		e->op_a = gpa;
		e->op_b = gpa + size;
		ret = slat_for_each(&e->t, slat_gpa(gpa), size, each_cb, &c, &stopped);
		FZ_CHECK(errs ? (ret != SLAT_OK && (errs & ERR(ret))) : ret == SLAT_OK,
			 "for_each", "slat_for_each returned %s", ename(ret));
		if (ret || (c.stop && c.calls == c.stop))
			break;
		FZ_CHECK(stopped == 0, "for_each", "stopped = %d", stopped);
		for (i = model_lower(&e->m, gpa); i < e->m.n && e->m.v[i].start < gpa + size; i++) {
			uint64_t lo = e->m.v[i].start > gpa ? e->m.v[i].start : gpa;
			uint64_t hi = e->m.v[i].end < gpa + size ? e->m.v[i].end : gpa + size;

			want += hi - lo;
		}
		FZ_CHECK(c.bytes == want, "for_each", "iterated 0x%llx bytes, the model maps 0x%llx",
			 (unsigned long long)c.bytes, (unsigned long long)want);
		break;
	}
	case 1: { /* slat_dump */
		size_t n = 0;
		int ret;

		gpa = gen_addr(e, r);
		size = gen_size(e, r, gpa);
		ret = slat_dump(&e->t, slat_gpa(gpa), size, dump_sink, &n);
		FZ_CHECK(range_errors(e, gpa, size) ? ret != SLAT_OK : ret == SLAT_OK, "dump",
			 "slat_dump returned %s", ename(ret));
		break;
	}
	case 2: { /* names, NULL arguments */
		struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
		struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
		struct slat_mapping m;
		uint64_t n;
		int k = rd_u8(r) % 30;

		(void)slat_errname(k);
		(void)slat_strerror(k);
		(void)slat_problem_str((unsigned)k % 12);
		(void)slat_fault_kind_str((unsigned)k % 7);
		FZ_CHECK(slat_map(&e->t, slat_gpa(0), 0, slat_hpa(0), NULL, 0, &e->g) == SLAT_ENULL &&
				 slat_map(NULL, slat_gpa(0), 0, slat_hpa(0), &a, 0, &e->g) == SLAT_ENULL &&
				 slat_unmap(&e->t, slat_gpa(0), 0, NULL) == SLAT_ENULL &&
				 slat_protect(&e->t, slat_gpa(0), 0, NULL, &e->g) == SLAT_ENULL &&
				 slat_protect(NULL, slat_gpa(0), 0, &p, &e->g) == SLAT_ENULL &&
				 slat_split(&e->t, slat_gpa(0), 0, 12, NULL) == SLAT_ENULL &&
				 slat_translate(&e->t, slat_gpa(0), NULL) == SLAT_ENULL &&
				 slat_translate(NULL, slat_gpa(0), &m) == SLAT_ENULL &&
				 slat_validate(&e->t, NULL, NULL, NULL) == SLAT_ENULL &&
				 slat_for_each(&e->t, slat_gpa(0), 4096, NULL, NULL, NULL) == SLAT_ENULL &&
				 slat_dirty_harvest(&e->t, slat_gpa(0), 4096, NULL, 0, 0, NULL, &e->g) == SLAT_ENULL &&
				 slat_accessed(&e->t, slat_gpa(0), 4096, 0, NULL, &e->g) == SLAT_ENULL &&
				 slat_accessed(&e->t, slat_gpa(0), 4096, 0, &n, NULL) == SLAT_ENULL &&
				 slat_hw_access(NULL, slat_gpa(0), false) == SLAT_ENULL &&
				 slat_gather_done(NULL, &e->g) == SLAT_ENULL,
			 "enull", "a call with a NULL argument did not return SLAT_ENULL");
		(void)slat_table_level_shift(&e->t, 9);
		(void)slat_table_sw_positions(&e->t);
		(void)slat_format_name(e->tg->fmt);
		FZ_CHECK(slat_table_format(&e->t) == e->caps.format, "format", "table format");
		break;
	}
	default:
		e->tg->misc(e, r);
		break;
	}
}

/* A mutating call with a gather bound to another table. */
static void do_foreign(struct engine *e, struct rd *r)
{
	const uint64_t gpa = gen_addr(e, r), size = gen_size(e, r, gpa);
	const uint8_t b = rd_u8(r);
	uint32_t errs = range_errors(e, gpa, size) | ERR(SLAT_EGATHER);
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
	uint64_t bm[4], n;
	int ret;

	if (!e->have_t2)
		return;
	op_begin(e, "foreign_gather", gpa, gpa + size);
	switch (b % 6) {
	case 0:
		ret = slat_map(&e->t, slat_gpa(gpa), size, slat_hpa(gpa & (e->pa_top - 1)), &a,
			       SLAT_MAP_REPLACE, &e->g2);
		errs |= ERR(SLAT_EHPA) | ERR(SLAT_EALIGN) | ERR(SLAT_EWRAP);
		break;
	case 1: ret = slat_unmap(&e->t, slat_gpa(gpa), size, &e->g2); break;
	case 2: ret = slat_protect(&e->t, slat_gpa(gpa), size, &p, &e->g2); break;
	case 3: ret = slat_split(&e->t, slat_gpa(gpa), size, e->granule_lg2, &e->g2); break;
	case 4:
		if (size >> e->granule_lg2 > 256 && !range_errors(e, gpa, size)) {
			ret = slat_dirty_harvest(&e->t, slat_gpa(gpa), 1ull << e->granule_lg2, bm, 4,
						 0, NULL, &e->g2);
			errs = ERR(SLAT_EGATHER);
		} else {
			ret = slat_dirty_harvest(&e->t, slat_gpa(gpa), size, bm, 4, 0, NULL, &e->g2);
		}
		if (!e->ad)
			errs |= ERR(SLAT_ENOFEAT);
		break;
	default:
		ret = slat_accessed(&e->t, slat_gpa(gpa), size, 0, &n, &e->g2);
		if (!e->ad)
			errs |= ERR(SLAT_ENOFEAT);
		break;
	}
	op_result(e, ret, errs);
	FZ_CHECK(slat_gather_done(&e->t, &e->g2) == SLAT_EGATHER, "egather",
		 "slat_gather_done with another table's gather");
	op_end(e);
}

/* ---- setup and the run ------------------------------------------------------ */

static bool engine_setup(struct engine *e, const struct target *tg, struct rd *r)
{
	const uint8_t budget = rd_u8(r), opts = rd_u8(r);
	unsigned l, levels;
	int err;

	memset(e, 0, sizeof(*e));
	e->tg = tg;
	e->rng = 0x1234567;
	if (!tg->setup(e, r))
		return false;
	e->ia_top = 1ull << e->cfg.ia_bits;
	e->window = e->ia_top < (8ull << 30) ? e->ia_top : 8ull << 30;
	/* Table memory: usually 1 MiB, sometimes less (allocation failures
	 * half-way through large changes), now and then 4 MiB (splitting a
	 * whole 1 GiB leaf into base pages). */
	switch (budget & 7) {
	case 0: e->pool_bytes = 4ull << 20; break;
	case 1: e->pool_bytes = 64ull << 10; break;
	case 2: e->pool_bytes = 256ull << 10; break;
	default: e->pool_bytes = 1ull << 20; break;
	}
	e->pool_bytes += e->root_bytes + (64ull << 10);
	e->pool_bytes = (e->pool_bytes + 0xffff) & ~0xffffull;
	if (slat_pool_init(&e->pool, e->pool_bytes, 0x40000000ull))
		abort();
	e->palloc = slat_pool_allocator(&e->pool);
	/* Engine option bit 2: an allocator that does not zero. */
	if (opts & 4) {
		e->unzeroed = true;
		e->palloc = slat_pool_allocator_unzeroed(&e->pool);
	}
	e->cfg.alloc.alloc = fz_alloc;
	e->cfg.alloc.free = fz_free;
	e->cfg.alloc.phys_to_virt = fz_p2v;
	e->cfg.alloc.ctx = e;
	e->cfg.caps = &e->caps;
	e->cfg.format = tg->fmt;
	if (tg == &target_stage2) {
		e->cfg.sync_invalidate = fz_sync;
		e->cfg.sync_ctx = e;
	}
	/* Engine option bit 1: a walker that does not snoop the data cache,
	 * where libslat allows it (not with A/D, not on NPT, EPT only with
	 * UC walks). */
	if ((opts & 2) && !(e->cfg.features & SLAT_FEAT_AD) && tg != &target_npt &&
	    (tg != &target_ept || (e->caps.flags & SLAT_CAP_WALK_UC))) {
		e->walk_nc = true;
		e->cfg.features |= SLAT_FEAT_WALK_NC;
		e->cfg.clean_tables = fz_clean;
		e->cfg.clean_ctx = e;
		e->nc_mem = malloc(e->pool.size);
		if (!e->nc_mem)
			abort();
		/* memory and cache agree before the table exists */
		memcpy(e->nc_mem, e->pool.base, e->pool.size);
	}
	if (e->unzeroed)
		e->cfg.features |= SLAT_FEAT_ALLOC_UNZEROED;
	/* Engine option bit 3: tables reached by the pool's linear offset,
	 * not through phys_to_virt. A 4-level table with 4 KiB pages then
	 * takes the one-page paths of map, unmap and protect (lib/walk.h
	 * walk_path4()); a guest access armed to race at the k-th
	 * phys_to_virt never fires there, one armed at a race point does. */
	if (opts & 8) {
		e->cfg.features |= SLAT_FEAT_LINEAR_MAP;
		e->cfg.linear_offset = slat_pool_linear_offset(&e->pool);
	}
	e->ad = e->cfg.features & SLAT_FEAT_AD;
	e->split_exec = e->cfg.features & SLAT_FEAT_SPLIT_EXEC;
	e->nx = e->cfg.features & SLAT_FEAT_NX_HUGE;
	e->fwb = e->cfg.features & SLAT_FEAT_FWB;
	e->rng ^= (uint64_t)budget << 8 | opts;
	model_init(&e->m);
	model_init(&e->pl);
	iset_init(&e->dirty);
	iset_init(&e->acc);
	shadow_init(&e->sh);
	if (second_want(e)) {
		e->cfg.features |= SLAT_FEAT_CONCURRENT;
		e->cfg.wait = slat_wait_yield;
	}
	err = slat_table_init(&e->t, &e->cfg);
	if (err) {
		eng_note(e, "config refused: %s", ename(err));
		return false;
	}
	e->have_table = true;
	fuzz_stats.configs++;
	if (e->walk_nc)
		fuzz_stats.walk_nc++;
	nc_check(e, "slat_table_init");
	eng_note(e, "config %s: ia %u pa_top 2^%d levels %u granule %u leaves 0x%llx features %x "
		 "sw %u max_page %u caps flags %x pages 0x%llx pool %llu",
		 tg->name, e->cfg.ia_bits, __builtin_ctzll(e->pa_top), e->levels,
		 e->granule_lg2, (unsigned long long)e->leaf_sizes, e->cfg.features,
		 e->cfg.sw_bits, e->cfg.max_page_lg2, e->caps.flags,
		 (unsigned long long)e->caps.page_sizes, (unsigned long long)e->pool_bytes);
	/* The geometry is what the architecture says. */
	levels = slat_table_levels(&e->t);
	FZ_CHECK(levels == e->levels, "config", "%u levels, expected %u", levels, e->levels);
	for (l = 0; l < levels; l++) {
		bool leaf = slat_table_leaf_levels(&e->t) & (1u << l);

		FZ_CHECK(slat_table_level_shift(&e->t, l) == e->level_shift[l], "config",
			 "level %u shift %u, expected %u", l, slat_table_level_shift(&e->t, l),
			 e->level_shift[l]);
		FZ_CHECK(leaf == !!(e->leaf_sizes & (1ull << e->level_shift[l])), "config",
			 "leaves at level %u: %d, expected %d", l, leaf,
			 !!(e->leaf_sizes & (1ull << e->level_shift[l])));
	}
	FZ_CHECK(slat_table_pages(&e->t) == e->root_bytes >> e->granule_lg2, "config",
		 "root of %llu pages, expected %llu",
		 (unsigned long long)slat_table_pages(&e->t),
		 (unsigned long long)(e->root_bytes >> e->granule_lg2));
	{
		unsigned sw = 0;
		uint64_t pos = slat_table_sw_positions(&e->t);

		for (; pos; pos &= pos - 1)
			sw++;
		e->sw_count = sw;
	}
	slat_gather_init(&e->g);
	/* A second table binds a second gather. */
	if (opts & 1) {
		struct slat_config c2 = e->cfg;
		struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

		/* its pool has no shadow: a walker that snoops */
		c2.features &= ~(uint32_t)SLAT_FEAT_WALK_NC;
		c2.clean_tables = NULL;
		c2.clean_ctx = NULL;

		if (slat_pool_init(&e->pool2, ((e->root_bytes + 0xffff) & ~0xffffull) + (256ull << 10),
				   0x80000000ull))
			abort();
		c2.alloc = slat_pool_allocator(&e->pool2);
		if (c2.features & SLAT_FEAT_LINEAR_MAP)
			c2.linear_offset = slat_pool_linear_offset(&e->pool2);
		if (slat_table_init(&e->t2, &c2) == SLAT_OK) {
			slat_gather_init(&e->g2);
			if (slat_map(&e->t2, slat_gpa(0), 1ull << e->granule_lg2, slat_hpa(0), &a,
				     0, &e->g2) == SLAT_OK)
				e->have_t2 = true;
			else
				slat_table_destroy(&e->t2);
		}
		if (!e->have_t2)
			slat_pool_fini(&e->pool2);
	}
	check_structure(e, true);
	return true;
}

static void engine_teardown(struct engine *e)
{
	second_stop();
	if (e->have_table) {
		check_structure(e, true);
		if (!slat_gather_empty(&e->g)) {
			e->op_name = "final flush";
			eng_flush(e);
		}
		slat_table_destroy(&e->t);
		FZ_CHECK(e->pool.in_use == 0, "leak",
			 "%llu bytes of table memory not freed by slat_table_destroy",
			 (unsigned long long)e->pool.in_use);
		FZ_CHECK(e->pool.allocs == e->pool.frees, "leak", "allocs %llu, frees %llu",
			 (unsigned long long)e->pool.allocs, (unsigned long long)e->pool.frees);
	}
	if (e->have_t2) {
		slat_gather_done(&e->t2, &e->g2);
		slat_table_destroy(&e->t2);
		slat_pool_fini(&e->pool2);
	}
	if (e->pool.base)
		slat_pool_fini(&e->pool);
	free(e->nc_mem);
	e->nc_mem = NULL;
	model_free(&e->m);
	model_free(&e->pl);
	iset_free(&e->dirty);
	iset_free(&e->acc);
	shadow_free(&e->sh);
}

int fuzz_run(const struct target *tg, const uint8_t *data, size_t size)
{
	static struct engine eng;
	static time_t last;
	struct engine *e = &eng;
	struct rd r = { data, size };
	unsigned k;

	fuzz_stats.inputs++;
	/* Progress: totals every minute as well (a crash skips the atexit). */
	if (stats_on && time(NULL) - last >= 60) {
		if (last)
			stats_print();
		last = time(NULL);
	}
	cur = e;
	memset(&frame, 0, sizeof(frame));
	if (!engine_setup(e, tg, &r)) {
		engine_teardown(e);
		cur = NULL;
		return 0;
	}
	/* Before the first snapshot: the pin of its root entry is mapped. */
	second_start(e, data, size);
	if (second_active())
		check_structure(e, true);
	for (e->op_index = 0; r.n && e->op_index < MAX_OPS; e->op_index++) {
		k = rd_u8(&r) % OP_COUNT;
		e->op_name = op_names[k];
		e->op_a = e->op_b = 0;
		fuzz_stats.ops++;
		fuzz_stats.by_kind[k]++;
		switch (k) {
		case OP_MAP: case OP_MAP2: do_map(e, &r); break;
		case OP_UNMAP: do_unmap(e, &r); break;
		case OP_PROTECT: do_protect(e, &r); break;
		case OP_SPLIT: do_split(e, &r); break;
		case OP_TRANSLATE: do_translate(e, &r); break;
		case OP_ACCESS: do_access(e, &r); break;
		case OP_HARVEST: do_harvest(e, &r, true); break;
		case OP_ACCESSED: do_harvest(e, &r, false); break;
		case OP_FAIL: {
			uint8_t b = rd_u8(&r);

			if ((b & 0x30) == 0x30) {
				/* a guest access racing with the next call */
				frame.race_armed = true;
				frame.race_k = rd_u8(&r) % 6;
				frame.race_write = b & 1;
				frame.race_at_point = b & 2;
				frame.race_gpa = gen_addr(e, &r) & ~gmask(e);
				frame.race_done = false;
				break;
			}
			frame.fail_pending = true;
			frame.fail_n = (b & 0x80) ? rd_u8(&r) : b % 8;
			frame.fail_sticky = b & 0x40;
			break;
		}
		case OP_DEFER: e->defer = 1 + rd_u8(&r) % 4; break;
		case OP_MISC: do_misc(e, &r); break;
		case OP_PAYLOAD: do_payload(e, &r); break;
		default: do_foreign(e, &r); break;
		}
		nc_check(e, e->op_name);
	}
	e->op_name = "teardown";
	e->defer = 0;
	engine_teardown(e);
	cur = NULL;
	return 0;
}

void fuzz_release_buffers(void)
{
	snap_release(&snap_r2);
	snap_release(&snap_cur);
	snap_release(&snap_tmp);
}
