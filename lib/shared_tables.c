/* SPDX-License-Identifier: MIT */
/*
 * SLAT_FEAT_CONCURRENT: the structural changes to tables that several
 * calls share (range_lock.h has the protocol): linking a fresh table by
 * compare-exchange, and unlinking a table unmap left empty once its
 * whole span is held.
 */

#include "range_lock.h"

static void merge_into(struct table_state *t, const uint64_t *ours,
		       uint64_t *theirs, unsigned level);

bool fresh_link_shared(struct table_state *t, uint64_t *slot, uint64_t *child,
		       uint64_t child_pa, unsigned level)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t te = l->table_tmpl | addr_entry(l, child_pa);
	uint64_t cur = entry_load(slot);

	if (entry_present(l, cur) && !entry_is_table(l, level + 1, cur))
		return false; /* a leaf this call holds and splits */
	/*
	 * The entry was absent (or an embedder's payload inside this call's
	 * range) when the walk passed it. The only thing another call can
	 * have written there since is a table of its own: a leaf or payload
	 * would cover the whole span, which this call holds part of.
	 */
	while (!entry_is_table(l, level + 1, cur)) {
		/* Acquire on failure: the winner's table is read next. */
		if (__atomic_compare_exchange_n(slot, &cur, te, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			table_clean(t, slot, sizeof(*slot));
			return true;
		}
	}
	/*
	 * Lost: the winner's table has entries only where its own range
	 * was, ours only inside ours, so ours go into its absent entries.
	 * `child` was never reachable: no grace period, no invalidation.
	 */
	merge_into(t, child, (uint64_t *)table_va(t, entry_table_addr(l, cur)), level);
	pages_add(t, -1, (uint64_t)0 - page_tag(child_pa));
	t->alloc.free(t->alloc.ctx, child, child_pa, l->granule_lg2);
	return true;
}

/*
 * Move the entries of the fresh table `ours` into the live `theirs`
 * (both at `level`). A subtable of ours goes in the same way ours did
 * (a third call may be linking one at the same index); a leaf lies
 * wholly in this call's range, where theirs is absent, and is stored.
 * Each store is a release, so a subtree is complete when it is seen.
 */
static void merge_into(struct table_state *t, const uint64_t *ours,
		       uint64_t *theirs, unsigned level)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t n = table_entries(l, level);
	uint64_t i;

	for (i = 0; i < n; i++) {
		const uint64_t e = ours[i];

		if (!e)
			continue;
		if (entry_is_table(l, level, e)) {
			const uint64_t pa = entry_table_addr(l, e);

			fresh_link_shared(t, &theirs[i], (uint64_t *)table_va(t, pa),
					  pa, level - 1);
		} else {
			entry_store(&theirs[i], e);
			table_clean(t, &theirs[i], sizeof(theirs[i]));
		}
	}
}

/*
 * Is the table empty? Read with atomic loads: without the span held it is
 * a hint (other calls may be writing); with it, the answer.
 */
static bool seems_empty(const struct table_state *t, const uint64_t *table,
			unsigned level)
{
	uint64_t i, n = table_entries(&t->lay, level);

	/* Two calls clearing the last entries of one table each read the
	 * other's after their own stores: with the fence between, at least
	 * one of them sees both cleared (no store-buffer reordering). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Eight entries a step, one test (tables hold 2^n >= 16 entries). */
	for (i = 0; i < n; i += 8) {
		const uint64_t *p = &table[i];

		if (entry_load(&p[0]) | entry_load(&p[1]) | entry_load(&p[2]) |
		    entry_load(&p[3]) | entry_load(&p[4]) | entry_load(&p[5]) |
		    entry_load(&p[6]) | entry_load(&p[7]))
			return false;
	}
	return true;
}

void conc_defer_empty(struct table_state *t, struct conc_call *cc,
		      const uint64_t *table, uint64_t base, uint64_t end,
		      unsigned level)
{
	unsigned i;

	if (!seems_empty(t, table, level - 1))
		return;
	for (i = 0; i < cc->nreclaim; i++)
		if (cc->reclaim_base[i] >= base && cc->reclaim_base[i] < end)
			return; /* a table below on this path: its reclaim climbs here */
	/* Only the two ends of a range can leave a partly held table
	 * empty; a third would be kept, not lost (freed at destroy). */
	if (cc->nreclaim < 2) {
		cc->reclaim_base[cc->nreclaim] = base;
		cc->reclaim_level[cc->nreclaim] = (uint8_t)level;
		cc->nreclaim++;
	}
}

/* The entry at `level` on the path to `addr`, or NULL where the path ends. */
static uint64_t *entry_at(const struct table_state *t, uint64_t addr,
			  unsigned level)
{
	const struct slat_layout *l = &t->lay;
	uint64_t *table = t->root;
	unsigned lv;

	for (lv = l->levels - 1u;; lv--) {
		uint64_t *p = &table[entry_index(l, lv, addr)];
		uint64_t e;

		if (lv == level)
			return p;
		e = entry_load(p);
		if (!entry_is_table(l, lv, e) || entry_check_walkable(t, lv, e))
			return 0;
		table = (uint64_t *)table_va(t, entry_table_addr(l, e));
	}
}

/*
 * Unlink the table below the entry at `level` for `base` if it is still
 * empty, then its parent if that became empty, and so on. Each step
 * holds the whole span of the entry it clears (and nothing else, so it
 * cannot deadlock): no other call is inside that table, and a reader
 * still in it is covered by the grace period before the page is freed.
 */
static void conc_reclaim(struct table_state *t, struct gather_state *g,
			 uint64_t base, unsigned level)
{
	const struct slat_layout *l = &t->lay;

	for (; level < l->levels; level++) {
		const uint64_t lo = base & ~level_mask(l, level);
		const uint64_t hi = lo + level_size(l, level);
		struct range_node n;
		uint64_t *slot, e, pa;
		bool done = false;

		range_lock(t, &n, lo, hi);
		slot = entry_at(t, base, level);
		e = slot ? entry_load(slot) : 0;
		if (slot && entry_is_table(l, level, e) &&
		    !entry_check_walkable(t, level, e)) {
			pa = entry_table_addr(l, e);
			/* Atomic loads: a hardware walker or slat_hw_access()
			 * may still set bits in a live entry of it. */
			if (seems_empty(t, (uint64_t *)table_va(t, pa), level - 1)) {
				entry_store(slot, 0);
				table_clean(t, slot, sizeof(*slot));
				/* Empty: nothing below it to list. */
				gather_defer_page(t, g, (uint64_t *)table_va(t, pa), pa);
				gather_add(g, lo, hi, 0, 1ull << l->shift[level]);
				done = true;
			}
		}
		if (done && l->bbm_mask)
			gather_settle(t, g); /* see conc_call_end() */
		range_unlock(t, &n);
		if (!done)
			return;
	}
}

void conc_call_end(struct table_state *t, struct conc_call *cc,
		   struct gather_state *g)
{
	unsigned i;

	/*
	 * Arm break-before-make (Arm ARM D8.16.1) across calls: once this
	 * call releases its range, another may write a valid entry where
	 * this one broke or changed one, and the TLBs may still hold the
	 * old translation until the invalidation completes. So it completes
	 * here, through the synchronous hook, before the release. x86 has
	 * no such rule: until an invalidation a processor may use either
	 * the old or the new translation (SDM vol. 3C 29.4 for EPT, APM
	 * vol. 2 15.25 for nested paging), so the embedder's flush of the
	 * gather after the call is enough.
	 */
	if (t->lay.bbm_mask && g->nranges)
		gather_settle(t, g);
	range_unlock(t, &cc->hold);
	for (i = 0; i < cc->nreclaim; i++)
		conc_reclaim(t, g, cc->reclaim_base[i], cc->reclaim_level[i]);
}
