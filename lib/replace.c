/* SPDX-License-Identifier: MIT */
/*
 * Replacing live entries: break-before-make where the format demands it,
 * and never losing accessed/dirty state the hardware sets meanwhile.
 */

#include "core.h"

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

/* OR hardware-owned state into every leaf of a fresh subtree. */
static void fresh_add_hw(const struct table_state *t, uint64_t *table,
			 unsigned level, uint64_t hw)
{
	const struct slat_layout *l = &t->lay;
	uint64_t i, n = table_entries(l, level);

	for (i = 0; i < n; i++) {
		uint64_t e = table[i];

		if (!entry_present(l, e))
			continue;
		if (entry_is_table(l, level, e)) {
			fresh_add_hw(t, (uint64_t *)table_va(t, entry_table_addr(l, e)),
				     level - 1, hw);
			continue;
		}
		e |= hw & l->accessed;
		if ((e & l->dirty_gate) == l->dirty_gate)
			e |= hw & l->dirty;
		table[i] = e;
	}
	/* Changed after walk_link_fresh() cleaned it, still before the link. */
	table_clean(t, table, n * sizeof(*table));
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
			fresh_add_hw(t, child, level - 1, cur & l->hw_bits);
		entry_make(t, slot, te, base, level, false);
		return;
	}
	while (!entry_cmpxchg(slot, &cur, te))
		fresh_add_hw(t, child, level - 1, cur & l->hw_bits);
	table_clean(t, slot, sizeof(*slot));
	/* The old leaf may sit in a TLB at its old size. */
	gather_add(g, base, base + level_size(l, level), 1ull << l->shift[level], 0);
}
