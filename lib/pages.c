/* SPDX-License-Identifier: MIT */
/* Table pages: reserving them before a change, releasing them after one. */

#include "walk.h"
#include "fill.h"
#include "range_lock.h"

/*
 * Reserved pages hold two words while they wait: the next reserved page and
 * their own physical address. Nothing but this list can reach them.
 */
/*
 * A table page from the embedder must be naturally aligned (a walker
 * ignores the low address bits) and inside the output width (a higher
 * address would spill into attribute bits of the entry pointing to it).
 */
int page_check(const struct slat_layout *l, uint64_t pa, unsigned lg2)
{
	if (pa & ((1ull << lg2) - 1))
		return SLAT_EALIGN;
	if (pa >> l->pa_bits) /* aligned, so its end is inside too */
		return SLAT_EHPA;
	return SLAT_OK;
}

int reserve_fill(struct table_state *t, struct reserve *r, uint64_t n)
{
	const unsigned lg2 = t->lay.granule_lg2;

	while (r->count < n) {
		uint64_t pa;
		uint64_t *page = (uint64_t *)t->alloc.alloc(t->alloc.ctx, lg2, &pa);
		int err;

		if (!page) {
			reserve_release(t, r);
			return SLAT_ENOMEM;
		}
		err = page_check(&t->lay, pa, lg2);
		if (err) {
			t->alloc.free(t->alloc.ctx, page, pa, lg2);
			reserve_release(t, r);
			return err;
		}
		page[0] = (uint64_t)(uintptr_t)r->head;
		page[1] = pa;
		r->head = page;
		r->count++;
	}
	return SLAT_OK;
}

uint64_t *reserve_take(struct reserve *r, uint64_t *pa)
{
	uint64_t *page = r->head;

	r->head = (uint64_t *)(uintptr_t)page[0];
	*pa = page[1];
	page[0] = 0;
	page[1] = 0;
	r->count--;
	return page;
}

void fresh_zero(const struct table_state *t, uint64_t *table, uint64_t from,
		uint64_t to)
{
	if ((t->features & SLAT_FEAT_ALLOC_UNZEROED) && from < to)
		fill_zero(table + from, to - from);
}

void reserve_release(struct table_state *t, struct reserve *r)
{
	while (r->count) {
		uint64_t pa;
		uint64_t *page = reserve_take(r, &pa);

		t->alloc.free(t->alloc.ctx, page, pa, t->lay.granule_lg2);
	}
}

/*
 * An unlinked table may still be walked by hardware that cached a pointer
 * to it, until the gather's invalidation is done. Its first two words carry
 * the free list meanwhile: both are page-aligned addresses, so their low
 * twelve bits are zero and every format reads them as not present (EPT bits
 * 2:0 and 10, NPT bit 0, Arm bit 0). Hardware only ever sets accessed or
 * dirty bits, all below bit 12, in entries it found present; those bits are
 * masked off when the list is read back.
 */
#define LINK_MASK (~0xfffull)

/*
 * A page on a free list also carries this mark in its second word, beside
 * its own address: bits 3 and 4, which no format reads in an entry that is
 * not present (EPT needs bits 2:0 or, under MBEC, bit 10; NPT and Arm bit 0)
 * and no hardware ever sets. A table address corrupted to point at a page
 * that is already on a list (two entries to one table) finds the mark, and
 * the page is neither walked again nor listed, so never freed, twice.
 */
#define DEFER_MARK 0x18ull

static bool deferred(const struct table_state *t, const uint64_t *va, uint64_t pa)
{
	uint64_t v = entry_load(&va[1]);

	/* A live leaf can carry the same bits (NPT PWT|PCD mapping the page
	 * of its own table: found by the fuzzer); a listed page's word is
	 * never present, so that one is not taken for the mark. */
	return (v & LINK_MASK) == pa && (v & DEFER_MARK) == DEFER_MARK &&
	       !entry_present(&t->lay, v);
}

/* Is `pa` inside the root block? No table entry may point there. */
static bool in_root(const struct table_state *t, uint64_t pa)
{
	return pa - t->root_pa < (1ull << t->lay.root_lg2);
}

/*
 * tree_check(): every entry above level 0 that a later walk of the subtree
 * would interpret must be walkable. Level-0 tables hold nothing it reads,
 * so they are not entered.
 */
static int tree_check_visit(struct walk *w, enum walk_visit how)
{
	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_LEAF && !entry_present(w->lay, w->entry))
		return WALK_NEXT;
	if (entry_check_walkable(w->t, w->level, w->entry))
		return -SLAT_ECORRUPT;
	return how == WALK_PRE && w->level > 1 ? WALK_DESCEND : WALK_NEXT;
}

int tree_check(const struct table_state *t, const uint64_t *va, unsigned level)
{
	struct walk w;

	if (level == 0)
		return SLAT_OK;
	/* Only read: the walker's table pointers are not const. */
	walk_init_subtree(&w, (struct table_state *)t, (uint64_t *)va, 0, level, 0, 0);
	return walk_range(&w, tree_check_visit) ? SLAT_ECORRUPT : SLAT_OK;
}

void gather_defer_page(struct table_state *t, struct gather_state *g,
		       uint64_t *va, uint64_t pa)
{
	entry_store(&va[1], pa | DEFER_MARK);
	entry_store(&va[0], (uint64_t)(uintptr_t)g->free_list);
	g->free_list = va;
	g->live = g;
	g->free_pages++;
	pages_add(t, -1, (uint64_t)0 - page_tag(pa));
	held_add(t, 1);
}

/*
 * May the table the walkable table entry `e` points to be listed? Not when
 * a corrupted address makes it a page already listed, or the root.
 */
static inline bool defer_target(const struct table_state *t, uint64_t e,
				uint64_t **va, uint64_t *pa)
{
	*pa = entry_table_addr(&t->lay, e);
	*va = (uint64_t *)table_va(t, *pa);
	return !deferred(t, *va, *pa) && !in_root(t, *pa);
}

/*
 * A run of entries of a table at level 1: the level-0 tables they point
 * to hold no tables, so they are listed here without being entered.
 */
static int defer_run(struct walk *w, struct gather_state *g)
{
	const uint64_t *slot = w->slot;
	const uint64_t *end = slot + ((walk_run_end(w, false) - w->addr) >> w->lay->shift[1]);

	for (; slot < end; slot++) {
		uint64_t e = entry_load(slot);
		uint64_t *va;
		uint64_t pa;

		if (entry_is_table(w->lay, 1, e) && !entry_check_walkable(w->t, 1, e) &&
		    defer_target(w->t, e, &va, &pa))
			gather_defer_page(w->t, g, va, pa);
	}
	w->addr = walk_run_end(w, false);
	return WALK_SKIP;
}

/* Go on from the next table entry of the run: nothing else is listed. */
static int defer_skip(struct walk *w)
{
	const unsigned level = w->level;
	const uint64_t *slot = w->slot + 1;
	const uint64_t *end = w->slot + ((walk_run_end(w, false) - w->base) >> w->lay->shift[level]);

	while (slot < end && !entry_is_table(w->lay, level, entry_load(slot)))
		slot++;
	w->addr = w->base + ((uint64_t)(slot - w->slot) << w->lay->shift[level]);
	return WALK_SKIP;
}

/*
 * gather_defer_tree(): list every table of the subtree, each after the
 * tables below it (WALK_POST) so that its entries are read before its
 * first two words become the list's link. Unwalkable entries were refused
 * before an unlink (tree_check()); slat_table_destroy() skips them.
 */
static int defer_visit(struct walk *w, enum walk_visit how)
{
	struct gather_state *g = (struct gather_state *)w->op;
	uint64_t *va;
	uint64_t pa;

	if (w->level == 1 && how != WALK_POST)
		return defer_run(w, g);
	if (how == WALK_LEAF)
		return defer_skip(w);
	if (how == WALK_POST) {
		/* Still unlisted, unless a corrupted entry below pointed back at it. */
		va = w->table[w->level - 1];
		pa = w->table_pa[w->level - 1];
		if (!deferred(w->t, va, pa))
			gather_defer_page(w->t, g, va, pa);
		return WALK_NEXT;
	}
	if (entry_check_walkable(w->t, w->level, w->entry) ||
	    !defer_target(w->t, w->entry, &va, &pa))
		return WALK_NEXT;
	return WALK_DESCEND;
}

void gather_defer_tree(struct table_state *t, struct gather_state *g,
		       uint64_t *va, uint64_t pa, unsigned level)
{
	struct walk w;

	if (deferred(t, va, pa) || in_root(t, pa))
		return;
	if (level > 0) {
		walk_init_subtree(&w, t, va, pa, level, 0, g);
		walk_range(&w, defer_visit);
		if (deferred(t, va, pa)) /* an entry below pointed back at it */
			return;
	}
	gather_defer_page(t, g, va, pa);
}

/* Every table below the root, the root itself left alone. */
void gather_defer_below_root(struct table_state *t, struct gather_state *g)
{
	struct walk w;

	if (t->lay.levels < 2)
		return;
	walk_init(&w, t, 0, table_span(&t->lay, t->lay.levels - 1u), g);
	walk_range(&w, defer_visit);
}

int slat_gather_done(struct slat_table *t_pub, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);

	if (!t || !g)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (g->table && g->table != t)
		return SLAT_EGATHER;
	held_add(t, -(int64_t)g->free_pages);
	/* Lock-free readers may still be in the unlinked tables. */
	if (SLAT_UNLIKELY(t->concurrent) && g->free_pages)
		conc_grace(t);
	gather_free_pages(t, g);
	return SLAT_OK;
}

/* Each page was listed once (deferred()), so each is freed once. */
void gather_free_pages(struct table_state *t, struct gather_state *g)
{
	uint64_t *page = (uint64_t *)g->free_list;

	while (page) {
		uint64_t *next = (uint64_t *)(uintptr_t)(entry_load(&page[0]) & LINK_MASK);
		uint64_t pa = entry_load(&page[1]) & LINK_MASK;

		t->alloc.free(t->alloc.ctx, page, pa, t->lay.granule_lg2);
		page = next;
	}
	gather_clear(g);
}

/*
 * Entries OR-ed together per test. An empty table, the common case when
 * an unmap asks, must be read whole: one OR per entry (per two, with
 * 128-bit vectors) and one test per block, instead of a load, test and
 * branch per entry. Plain loads, which fold into the OR: a hardware
 * accessed/dirty update never turns zero into non-zero or back.
 */
#if defined(__SSE2__) || defined(__ARM_NEON)
#define EMPTY_BLOCK 32
/*
 * GCC's generic vectors, only where the compiler may use vector registers
 * (a kernel built with -mgeneral-regs-only defines neither macro and gets
 * the scalar loop). Table pages are at least 4 KiB aligned.
 */
typedef uint64_t empty_vec __attribute__((vector_size(16), may_alias));

static bool block_empty(const uint64_t *b)
{
	const empty_vec *v = (const empty_vec *)(const void *)b;
	empty_vec any = v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7] | v[8] |
			v[9] | v[10] | v[11] | v[12] | v[13] | v[14] | v[15];

	return (any[0] | any[1]) == 0;
}
#else
#define EMPTY_BLOCK 16

static bool block_empty(const uint64_t *b)
{
	return (b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6] | b[7] | b[8] | b[9] |
		b[10] | b[11] | b[12] | b[13] | b[14] | b[15]) == 0;
}
#endif

bool table_is_empty(const struct table_state *t, const uint64_t *table,
		    unsigned level)
{
	const uint64_t n = table_entries(&t->lay, level);
	uint64_t i;

	if (n % EMPTY_BLOCK) {
		/* A small root block: too few entries to gain anything. */
		for (i = 0; i < n; i++)
			if (table[i])
				return false;
		return true;
	}
	/* Blocks written out: -O2 does not unroll a loop by itself. */
	for (i = 0; i < n; i += EMPTY_BLOCK)
		if (!block_empty(table + i))
			return false;
	return true;
}
