/* SPDX-License-Identifier: MIT */
/*
 * Replacing live entries: break-before-make where the format demands it,
 * and never losing accessed/dirty state the hardware sets meanwhile.
 */

#include "walk.h"

void broken_sync(struct table_state *t, uint64_t start, uint64_t end,
		 unsigned level, bool old_table)
{
	const struct slat_layout *l = &t->lay;
	struct slat_gather g_pub = SLAT_GATHER_INIT; /* whole: the hook may copy it */
	struct gather_state *g = gather_of(&g_pub);

	g->table = t;
	if (old_table)
		gather_add(g, start, end, layout_sizes_upto(l, level - 1),
			   1ull << l->shift[level]);
	else
		gather_add(g, start, end, 1ull << l->shift[level], 0);
	t->sync(t->sync_ctx, table_pub(t), &g_pub);
}

void entry_make(struct table_state *t, uint64_t *slot, uint64_t new_,
		uint64_t base, unsigned level, bool old_table)
{
	/* The broken entry must be in memory before the invalidation, or a
	 * non-snooping walker could refill its TLB from the old one. */
	table_clean(t, slot, sizeof(*slot));
	broken_sync(t, base, base + level_size(&t->lay, level), level, old_table);
	entry_store(slot, new_);
	table_clean(t, slot, sizeof(*slot));
}

/*
 * fresh_add_hw(): OR the hardware-owned state of the leaf w->op points to
 * (its latest value) into every leaf of a fresh subtree split from it.
 * Dirty state goes where the leaf can hold it in hardware form, and to the
 * software dirty bit where it cannot (a part whose write permission the
 * same call removed), as leaf_keep_hw() does: a write that raced with the
 * split is not lost. Nothing can see the subtree yet: plain stores, and
 * each table is cleaned once, after its entries (changed after
 * walk_link_fresh() cleaned it, still before the link).
 */
static int add_hw_visit(struct walk *w, enum walk_visit how)
{
	const struct slat_layout *l = w->lay;
	const uint64_t cur = *(const uint64_t *)w->op, hw = cur & l->hw_bits;
	uint64_t e = w->entry;

	if (how == WALK_PRE)
		return WALK_DESCEND;
	if (how == WALK_POST) {
		table_clean(w->t, w->table[w->level - 1],
			    table_entries(l, w->level - 1) * sizeof(uint64_t));
		return WALK_NEXT;
	}
	if (entry_present(l, e)) {
		e |= hw & l->accessed;
		if ((e & l->dirty_gate) == l->dirty_gate)
			e |= hw & l->dirty;
		else if (leaf_dirty(l, cur))
			e |= l->sw_dirty;
		*w->slot = e;
	}
	return WALK_NEXT;
}

static void fresh_add_hw(struct table_state *t, uint64_t *table,
			 unsigned level, uint64_t cur)
{
	struct walk w;

	walk_init_subtree(&w, t, table, 0, level, 0, &cur);
	walk_range(&w, add_hw_visit);
	table_clean(t, table, table_entries(&t->lay, level) * sizeof(*table));
}

void leaf_to_table(struct table_state *t, uint64_t *slot, uint64_t old,
		   uint64_t *child, uint64_t child_pa, unsigned level,
		   uint64_t base, bool live, struct gather_state *g)
{
	const struct slat_layout *l = &t->lay;
	uint64_t te = l->table_tmpl | addr_entry(l, child_pa);
	uint64_t cur = old;

	if (!live) {
		entry_store(slot, te);
		table_clean(t, slot, sizeof(*slot));
		return;
	}
	if (l->bbm_mask) {
		cur = entry_break(slot);
		if ((cur ^ old) & l->hw_bits)
			fresh_add_hw(t, child, level - 1, cur);
		entry_make(t, slot, te, base, level, false);
		return;
	}
	while (!entry_cmpxchg(slot, &cur, te))
		fresh_add_hw(t, child, level - 1, cur);
	table_clean(t, slot, sizeof(*slot));
	/* The old leaf may sit in a TLB at its old size. */
	gather_add(g, base, base + level_size(l, level), 1ull << l->shift[level], 0);
}
