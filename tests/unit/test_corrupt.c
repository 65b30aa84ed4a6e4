/* SPDX-License-Identifier: MIT */
/*
 * Corrupted tables do not corrupt the host (issue 11, item 5): a table
 * entry whose address was changed to another table page (a stray write, a
 * bit flip). Table pages come from malloc here, one block per page, and go
 * back to free(), so that valgrind (make check) and ASan (make sanitize)
 * see a double free or a read after free directly; the free hook also
 * refuses any page it already freed.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define HPA 0x100000000ull
#define MAX_PAGES 64

/*
 * Pages by their made-up physical address (slot i at HEAP_PA + i * 64 KiB,
 * aligned for every granule and inside every width), and what became of
 * them. A freed page's virtual address stays known so that a read through
 * a stale table address reaches the freed block, where valgrind sees it.
 */
#define HEAP_PA 0x40000000ull
struct heap {
	uint64_t pa[MAX_PAGES];
	void *va[MAX_PAGES];
	unsigned lg2[MAX_PAGES];
	bool freed[MAX_PAGES];
	unsigned n, allocs, frees;
};

static void *heap_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	struct heap *h = ctx;
	void *p = NULL;

	if (h->n == MAX_PAGES || posix_memalign(&p, 1ull << lg2, 1ull << lg2))
		return NULL;
	memset(p, 0, 1ull << lg2);
	*pa = HEAP_PA + ((uint64_t)h->n << 16);
	h->pa[h->n] = *pa;
	h->va[h->n] = p;
	h->lg2[h->n] = lg2;
	h->freed[h->n++] = false;
	h->allocs++;
	return p;
}

static int heap_find(const struct heap *h, uint64_t pa)
{
	if (pa < HEAP_PA || ((pa - HEAP_PA) & 0xffff) || ((pa - HEAP_PA) >> 16) >= h->n)
		return -1;
	return (int)((pa - HEAP_PA) >> 16);
}

static void heap_free(void *ctx, void *va, uint64_t pa, unsigned lg2)
{
	struct heap *h = ctx;
	int i = heap_find(h, pa);

	if (i < 0 || h->freed[i] || h->lg2[i] != lg2 || h->va[i] != va)
		fail_msg("free of %#llx (2^%u): %s", (unsigned long long)pa, lg2,
			 i < 0 ? "never allocated" : h->freed[i] ? "freed twice" : "wrong size");
	h->freed[i] = true;
	h->frees++;
	free(va);
}

static void *heap_p2v(void *ctx, uint64_t pa)
{
	struct heap *h = ctx;
	int i = heap_find(h, pa & ~0xfffull);

	if (i < 0)
		fail_msg("phys_to_virt of %#llx: not a table page", (unsigned long long)pa);
	return (char *)h->va[i] + (pa & 0xfff);
}

/* The physical address of the table holding `slot`. */
static uint64_t table_pa_of(struct heap *h, const uint64_t *slot)
{
	unsigned i;

	for (i = 0; i < h->n; i++)
		if ((const char *)slot >= (const char *)h->va[i] &&
		    (const char *)slot < (const char *)h->va[i] + (1u << h->lg2[i]))
			return h->pa[i];
	fail_msg("slot %p in no table page", (const void *)slot);
	return 0;
}

/* A table of `fmt` on the heap allocator, with 4 KiB mapped at 0 and at 2 MiB:
 * two level-0 tables under one level-1 table. */
static void setup(struct fx *f, struct heap *h, const struct slat_format *fmt)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	memset(h, 0, sizeof(*h));
	fx_prepare(f, fmt);
	f->cfg.alloc.alloc = heap_alloc;
	f->cfg.alloc.free = heap_free;
	f->cfg.alloc.phys_to_virt = heap_p2v;
	f->cfg.alloc.ctx = h;
	assert_int_equal(fx_create(f), SLAT_OK);
	assert_int_equal(slat_map(&f->t, slat_gpa(0), 0x1000, slat_hpa(HPA), &a, 0, &f->g),
			 SLAT_OK);
	assert_int_equal(slat_map(&f->t, slat_gpa(2 * MiB), 0x1000, slat_hpa(HPA), &a, 0,
				  &f->g), SLAT_OK);
	assert_int_equal(slat_gather_done(&f->t, &f->g), SLAT_OK);
	expect_valid(&f->t);
}

static void teardown(struct fx *f, struct heap *h)
{
	unsigned i;

	assert_int_equal(slat_gather_done(&f->t, &f->g), SLAT_OK);
	assert_int_equal(slat_table_destroy(&f->t), SLAT_OK);
	/* Whatever libslat could not reach is still the embedder's. */
	for (i = 0; i < h->n; i++)
		if (!h->freed[i])
			heap_free(h, h->va[i], h->pa[i], h->lg2[i]);
	assert_int_equal(h->allocs, h->frees);
	slat_pool_fini(&f->pool);
}

struct tally {
	unsigned kinds[16];
	uint64_t alias_pa;
};

static void tally_problem(void *ctx, const struct slat_problem *p)
{
	struct tally *y = ctx;

	if (p->kind < 16)
		y->kinds[p->kind]++;
	if (p->kind == SLAT_PROB_TABLE_ALIAS)
		y->alias_pa = p->bits;
}

/* The level-1 entry for 2 MiB now points at the level-0 table for 0. */
static uint64_t alias_level0(struct fx *f, struct heap *h, uint64_t *orphan_pa)
{
	uint64_t *a = entry_at(&f->t, 0, 1), *b = entry_at(&f->t, 2 * MiB, 1);

	*orphan_pa = table_pa_of(h, entry_at(&f->t, 2 * MiB, 0));
	*b = *a;
	/* Both walks now end in the same level-0 slot. */
	assert_true(entry_at(&f->t, 2 * MiB, 0) == entry_at(&f->t, 0, 0));
	return table_pa_of(h, entry_at(&f->t, 0, 0));
}

/*
 * The validator finds the aliasing: the counts still agree (the shared
 * page is reached twice, the orphaned one never), which the old reference
 * count missed; both entries are named, with the shared page.
 */
static void test_validate_alias(void **state)
{
	const struct slat_format *fmt = *state;
	struct tally y;
	struct heap h;
	struct fx f;
	uint64_t n, orphan, shared;

	setup(&f, &h, fmt);
	shared = alias_level0(&f, &h, &orphan);
	memset(&y, 0, sizeof(y));
	assert_int_equal(slat_validate(&f.t, tally_problem, &y, &n), SLAT_OK);
	assert_int_equal(y.kinds[SLAT_PROB_TABLE_ALIAS], 2);
	assert_int_equal(y.kinds[SLAT_PROB_TABLE_COUNT], 0);
	assert_true(y.alias_pa == shared);
	assert_true(n == 2);
	/* Undo, and the table is sound again. */
	*entry_at(&f.t, 2 * MiB, 1) ^= shared ^ orphan;
	expect_valid(&f.t);
	teardown(&f, &h);
}

/*
 * Unmapping both aliasing entries hands the shared page to the gather
 * once; slat_gather_done() frees it once and reads nothing after. The
 * orphaned page is unreachable: libslat never frees it.
 */
static void test_unmap_alias(void **state)
{
	const struct slat_format *fmt = *state;
	struct heap h;
	struct fx f;
	uint64_t orphan;
	int i;

	setup(&f, &h, fmt);
	alias_level0(&f, &h, &orphan);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 4 * MiB, &f.g), SLAT_OK);
	expect_unmapped(&f.t, 0);
	expect_unmapped(&f.t, 2 * MiB);
	assert_int_equal(slat_gather_done(&f.t, &f.g), SLAT_OK);
	/* The shared level-0 table, the level-1 and the level-2 table: each once
	 * (heap_free fails on a second free); the root stays. */
	assert_int_equal(h.frees, 3);
	i = heap_find(&h, orphan);
	assert_true(i >= 0 && !h.freed[i]);
	/* The table itself no longer reaches the orphan; its count still
	 * includes it, which slat_validate() reports. */
	teardown(&f, &h);
}

/* Each entry unmapped by its own call: the second finds the page listed. */
static void test_unmap_alias_twice(void **state)
{
	const struct slat_format *fmt = *state;
	struct heap h;
	struct fx f;
	uint64_t orphan;

	setup(&f, &h, fmt);
	alias_level0(&f, &h, &orphan);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 2 * MiB, &f.g), SLAT_OK);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(2 * MiB), 2 * MiB, &f.g), SLAT_OK);
	assert_int_equal(slat_gather_done(&f.t, &f.g), SLAT_OK);
	assert_int_equal(h.frees, 3);
	teardown(&f, &h);
}

/* slat_table_destroy() of an aliased table frees the shared page once. */
static void test_destroy_alias(void **state)
{
	const struct slat_format *fmt = *state;
	struct heap h;
	struct fx f;
	uint64_t orphan;
	int i;

	setup(&f, &h, fmt);
	alias_level0(&f, &h, &orphan);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_OK);
	/* Root, level 2, level 1, shared level 0: all but the orphan. */
	assert_int_equal(h.frees, h.allocs - 1);
	i = heap_find(&h, orphan);
	assert_true(i >= 0 && !h.freed[i]);
	heap_free(&h, h.va[i], orphan, 12);
	assert_int_equal(h.allocs, h.frees);
	slat_pool_fini(&f.pool);
}

/* Replace the table address in entry `e` (heap addresses are below 2^36). */
static uint64_t with_addr(uint64_t e, uint64_t pa)
{
	return (e & ~0x0000000ffffff000ull) | pa;
}

/* An entry pointing at the root: reported; unmapping it frees nothing; the
 * root is freed once, by slat_table_destroy(). */
static void test_alias_root(void **state)
{
	const struct slat_format *fmt = *state;
	struct tally y;
	struct heap h;
	struct fx f;
	uint64_t n, *b, root;

	setup(&f, &h, fmt);
	root = slat_table_root(&f.t).v;
	b = entry_at(&f.t, 2 * MiB, 1);
	*b = with_addr(*b, root);
	memset(&y, 0, sizeof(y));
	assert_int_equal(slat_validate(&f.t, tally_problem, &y, &n), SLAT_OK);
	assert_true(y.kinds[SLAT_PROB_TABLE_ALIAS] >= 1);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(2 * MiB), 2 * MiB, &f.g), SLAT_OK);
	assert_int_equal(slat_gather_done(&f.t, &f.g), SLAT_OK);
	assert_int_equal(h.frees, 0);
	teardown(&f, &h); /* heap_free refuses a second free of the root */
}

/* An entry moved to a page the table never allocated (with the same
 * content, so that nothing else looks wrong): no aliasing, but the pages
 * are not the table's. */
static void test_foreign_page(void **state)
{
	const struct slat_format *fmt = *state;
	struct tally y;
	struct heap h;
	struct fx f;
	uint64_t n, *b, saved, own, stranger;
	void *page;

	setup(&f, &h, fmt);
	b = entry_at(&f.t, 2 * MiB, 1);
	saved = *b;
	own = table_pa_of(&h, entry_at(&f.t, 2 * MiB, 0));
	page = heap_alloc(&h, 12, &stranger);
	assert_non_null(page);
	memcpy(page, heap_p2v(&h, own), 4096);
	*b = with_addr(saved, stranger);
	memset(&y, 0, sizeof(y));
	assert_int_equal(slat_validate(&f.t, tally_problem, &y, &n), SLAT_OK);
	assert_int_equal(y.kinds[SLAT_PROB_TABLE_SET], 1);
	assert_int_equal(y.kinds[SLAT_PROB_TABLE_ALIAS], 0);
	assert_true(n == 1);
	*b = saved;
	expect_valid(&f.t);
	teardown(&f, &h);
}

/*
 * Every entry of every table pointing at one level-0 table: the validator
 * and unmap stay bounded (the walk would otherwise visit 512^3 entries)
 * and nothing is freed twice.
 */
static void test_alias_everywhere(void **state)
{
	const struct slat_format *fmt = *state;
	uint64_t *l1, e, n;
	struct heap h;
	struct fx f;
	unsigned i;

	setup(&f, &h, fmt);
	l1 = entry_at(&f.t, 0, 1);
	e = *l1;
	for (i = 0; i < 512; i++)
		l1[i] = e;
	assert_int_equal(slat_validate(&f.t, NULL, NULL, &n), SLAT_OK);
	assert_true(n >= 512);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 1 * GiB, &f.g), SLAT_OK);
	assert_int_equal(slat_gather_done(&f.t, &f.g), SLAT_OK);
	assert_int_equal(h.frees, 3); /* shared level 0, level 1, level 2 */
	teardown(&f, &h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_validate_alias),
		ON_ALL(test_unmap_alias),
		ON_ALL(test_unmap_alias_twice),
		ON_ALL(test_destroy_alias),
		ON_ALL(test_alias_root),
		ON_ALL(test_foreign_page),
		ON_ALL(test_alias_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
