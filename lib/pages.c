/* SPDX-License-Identifier: MIT */
/* Table pages: reserving them before a change, releasing them after one. */

#include "core.h"
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

static bool deferred(const uint64_t *va, uint64_t pa)
{
	uint64_t v = entry_load(&va[1]);

	return (v & LINK_MASK) == pa && (v & DEFER_MARK) == DEFER_MARK;
}

/* Is `pa` inside the root block? No table entry may point there. */
static bool in_root(const struct table_state *t, uint64_t pa)
{
	return pa - t->root_pa < (1ull << t->lay.root_lg2);
}

int tree_check(const struct table_state *t, const uint64_t *va, unsigned level)
{
	const struct slat_layout *l = &t->lay;
	uint64_t i, n = table_entries(l, level);

	if (level == 0)
		return SLAT_OK;
	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&va[i]);

		if (!entry_present(l, e))
			continue;
		if (entry_check_walkable(t, level, e))
			return SLAT_ECORRUPT;
		if (entry_is_table(l, level, e) &&
		    tree_check(t, (const uint64_t *)table_va(t, entry_table_addr(l, e)),
			       level - 1))
			return SLAT_ECORRUPT;
	}
	return SLAT_OK;
}

void gather_defer_tree(struct table_state *t, struct gather_state *g,
		       uint64_t *va, uint64_t pa, unsigned level)
{
	const struct slat_layout *l = &t->lay;

	/* Corrupted table addresses: a page already listed, or the root. */
	if (deferred(va, pa) || in_root(t, pa))
		return;
	if (level > 0) {
		uint64_t i, n = table_entries(l, level);

		for (i = 0; i < n; i++) {
			uint64_t e = entry_load(&va[i]);
			uint64_t cpa;

			/* Unwalkable entries were refused before an unlink
			 * (tree_check()); slat_table_destroy() skips them. */
			if (!entry_present(l, e) || !entry_is_table(l, level, e) ||
			    entry_check_walkable(t, level, e))
				continue;
			cpa = entry_table_addr(l, e);
			gather_defer_tree(t, g, (uint64_t *)table_va(t, cpa),
					  cpa, level - 1);
		}
	}
	entry_store(&va[1], pa | DEFER_MARK);
	entry_store(&va[0], (uint64_t)(uintptr_t)g->free_list);
	g->free_list = va;
	g->live = g;
	g->free_pages++;
	pages_add(t, -1, (uint64_t)0 - page_tag(pa));
	held_add(t, 1);
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
	gather_reset(g);
}

bool table_is_empty(const struct table_state *t, const uint64_t *table,
		    unsigned level)
{
	uint64_t i, n = table_entries(&t->lay, level);

	for (i = 0; i < n; i++)
		if (table[i])
			return false;
	return true;
}
