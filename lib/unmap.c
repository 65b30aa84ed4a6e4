/* SPDX-License-Identifier: MIT */
/*
 * slat_unmap(): remove every mapping in a range.
 *
 * The first walk reads only entries above level 0: it checks that every
 * entry the second walk will interpret is sound and counts the tables the
 * edge splits need (a large leaf only partly inside the range). Level 0
 * holds nothing to check or split, so it is left for the second walk.
 * A table whose whole span is unmapped is unlinked in one store; a table
 * the second walk empties is unlinked after it. Either goes to the gather.
 */

#include <slat/map.h>

#include "walk.h"

struct unmap_op {
	struct change c; /* first: the walker's op */
	uint32_t cleared; /* bit l: the walk cleared an entry in table[l] */
};

static SLAT_ALWAYS_INLINE int unmap_count_visit(struct walk *w, enum walk_visit how)
{
	struct unmap_op *op = (struct unmap_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE) {
		if (entry_check_walkable(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		return w->level > 1 ? WALK_DESCEND : WALK_NEXT;
	}
	if (w->level == 0 || !entry_present(l, e))
		return WALK_NEXT;
	if (entry_check_walkable(w->t, w->level, e))
		return -SLAT_ECORRUPT;
	if (!walk_covers(w)) {
		if (leaf_split_check(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		op->c.need += edge_split_cost(l, w->level, w->addr, walk_span_end(w));
	}
	return WALK_NEXT;
}

/* Clear the run of leaves that starts at the visited entry. */
static int unmap_run(struct walk *w, struct unmap_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const uint64_t end = walk_run_end(w, true);
	uint64_t *slot = w->slot;
	uint64_t addr = w->addr, first = 0, last = 0;

	for (; addr < end; addr += size, slot++) {
		uint64_t e = entry_load(slot);

		if (entry_payload(l, e)) {
			/* Absent to the hardware: nothing to invalidate, but
			 * the table may now be empty. */
			entry_store(slot, 0);
			op->cleared |= 1u << level;
			continue;
		}
		if (!entry_present(l, e))
			continue;
		if (entry_is_table(l, level, e))
			break;
		entry_store(slot, 0);
		if (!last)
			first = addr;
		last = addr + size;
	}
	if (last) {
		/* A fresh table's entries were never visible (see protect.c). */
		if (!walk_in_fresh(w)) {
			table_clean_run(w->t, w->slot + ((first - w->addr) >> l->shift[level]),
					w->slot + ((last - w->addr) >> l->shift[level]));
			gather_add(op->c.g, first, last, 1ull << l->shift[level], 0);
		}
		op->cleared |= 1u << level;
	}
	w->addr = addr;
	return WALK_SKIP;
}

/*
 * SLAT_FEAT_CONCURRENT: a table whose span reaches outside the range this
 * call holds may have another call inside it; conc_reclaim() unlinks it
 * later if it is still empty, holding its whole span.
 */
static inline bool unmap_may_unlink(struct walk *w, struct unmap_op *op,
				    const uint64_t *child)
{
	uint64_t end;

	if (!SLAT_UNLIKELY(w->t->concurrent))
		return true;
	end = w->base + level_size(w->lay, w->level);
	if (conc_holds(op->c.conc, w->base, end))
		return true;
	conc_defer_empty(w->t, op->c.conc, child, w->base, end, w->level);
	return false;
}

static SLAT_ALWAYS_INLINE int unmap_visit(struct walk *w, enum walk_visit how)
{
	struct unmap_op *op = (struct unmap_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t e = w->entry;
	int r;

	if (how == WALK_POST) {
		uint64_t *child = w->table[level - 1];
		uint64_t pa = w->table_pa[level - 1];

		if (walk_link_fresh(w, op->c.g)) {
			/* a split: part of the old leaf stays, so not empty */
		} else if ((op->cleared & (1u << (level - 1))) &&
			   unmap_may_unlink(w, op, child) &&
			   table_is_empty(w->t, child, level - 1)) {
			entry_store(w->slot, 0);
			/* The walker must stop reaching the table before it is freed. */
			table_clean(w->t, w->slot, sizeof(*w->slot));
			gather_defer_page(w->t, op->c.g, child, pa);
			gather_add(op->c.g, w->base, w->base + level_size(l, level),
				   0, 1ull << l->shift[level]);
			op->cleared |= 1u << level;
		}
		op->cleared &= ~(1u << (level - 1));
		return WALK_NEXT;
	}
	if (how == WALK_PRE) {
		if (!walk_covers(w))
			return WALK_DESCEND;
		/* The whole table goes: unlink it in one store. */
		entry_store(w->slot, 0);
		table_clean(w->t, w->slot, sizeof(*w->slot));
		gather_defer_tree(w->t, op->c.g,
				  (uint64_t *)table_va(w->t, entry_table_addr(l, e)),
				  entry_table_addr(l, e), level - 1);
		gather_add(op->c.g, w->base, w->base + level_size(l, level),
			   layout_sizes_upto(l, level - 1), 1ull << l->shift[level]);
		op->cleared |= 1u << level;
		return WALK_NEXT;
	}
	if (!entry_present(l, e) && !entry_payload(l, e))
		return WALK_NEXT;
	if (walk_covers(w))
		return unmap_run(w, op);
	if (!entry_present(l, e))
		return WALK_NEXT; /* a payload above level 0: never split */
	if (level == 0)
		return WALK_NEXT; /* cannot happen: ranges are page-aligned */
	r = change_take(w, &op->c);
	if (r < 0)
		return r;
	leaf_split_fill(w->t, level, e, w->child);
	w->replaced[level] = e;
	return WALK_DESCEND;
}

/* Any range: out of line, the one-page path below needs no frame of this size. */
static __attribute__((noinline)) int unmap_range(struct table_state *t, uint64_t gpa,
						 uint64_t size, struct gather_state *g)
{
	struct unmap_op op;
	int err = change_check(t, g, gpa, size);

	if (err)
		return err;
	change_init(&op.c, g);
	op.c.once_ok = true;
	op.cleared = 0;
	return walk_change(t, gpa, gpa + size, &op.c, unmap_count_visit, unmap_visit);
}

/*
 * Unlink the tables the path's leaf left empty, bottom up, each as the
 * range walk's WALK_POST does: one store, then the page to the gather.
 * The root stays.
 */
static __attribute__((noinline)) void unmap_path_unlink(struct table_state *t,
							 struct gather_state *g,
							 uint64_t gpa)
{
	const struct slat_layout *l = &t->lay;
	const unsigned levels = l->levels;
	struct walk_path p;
	unsigned level;

	/* Again, for the tables down to the empty one: walked with the
	 * layout's depth, not a constant, on this rare ending. */
	walk_path(t, gpa, levels, &p);
	for (level = 1; level < levels; level++) {
		uint64_t *slot = walk_step_slot(l, p.table[level], level, gpa, true,
						level == levels - 1u);
		const uint64_t base = gpa & ~level_mask(l, level);
		const uint64_t pa = entry_table_addr(l, entry_load(slot));

		entry_store(slot, 0);
		table_clean(t, slot, sizeof(*slot));
		gather_defer_page(t, g, p.table[level - 1], pa);
		gather_add(g, base, base + level_size(l, level), 0, 1ull << l->shift[level]);
		if (level + 1 == levels || !table_is_empty(t, p.table[level], level))
			return;
	}
}

/*
 * The rest of unmap_page() for the leaf at `slot`, now clear: the clean
 * for a walker that does not snoop, its gather entry unless
 * gather_add_inside() made it (`added`), and the tables it left empty.
 * Out of line, so that the common path calls nothing.
 */
static __attribute__((noinline)) int unmap_page_rest(struct table_state *t,
						     struct gather_state *g, uint64_t gpa,
						     const uint64_t *slot, bool added)
{
	const uint64_t *table = (const uint64_t *)((uintptr_t)slot & ~0xfffull);

	table_clean(t, slot, sizeof(*slot));
	if (!added)
		gather_add(g, gpa, gpa + (1ull << WALK_STD_GRANULE_LG2),
			   1ull << WALK_STD_GRANULE_LG2, 0);
	if (entry_load((const uint64_t *)((uintptr_t)slot ^ sizeof(*slot))) ||
	    !table_is_empty(t, table, 0))
		return SLAT_OK;
	unmap_path_unlink(t, g, gpa);
	return SLAT_OK;
}

/*
 * One base page on a READ_STD_* table (walk.h walk_path()): the leaf is
 * cleared and the tables it leaves empty are unlinked, in one walk down
 * and back. The endings this does not handle (a large leaf to split, a
 * payload, an entry the hardware would not read as a page) go to the range
 * walk before anything changed. Every call here is a tail call.
 */
static SLAT_ALWAYS_INLINE int unmap_page(struct table_state *t, uint64_t gpa,
					 struct gather_state *g, unsigned levels)
{
	const struct slat_layout *l = &t->lay;
	struct walk_path p;
	bool added;

	walk_path(t, gpa, levels, &p);
	if (p.entry && (p.level || !entry_is_page(l, p.entry)))
		return unmap_range(t, gpa, 1ull << WALK_STD_GRANULE_LG2, g);
	g->table = t;
	if (!p.entry)
		return SLAT_OK; /* nothing mapped there */
	entry_store(p.slot, 0);
	added = gather_add_inside(g, gpa, 1ull << WALK_STD_GRANULE_LG2);
	/* A neighbour still mapped answers for most of a full table. */
	if (SLAT_UNLIKELY(!added || t->clean ||
			  !entry_load((const uint64_t *)((uintptr_t)p.slot ^ sizeof(uint64_t)))))
		return unmap_page_rest(t, g, gpa, p.slot, added);
	return SLAT_OK;
}

/*
 * unmap_page() on a SLAT_FEAT_CONCURRENT table, under a hold of the page:
 * a table the leaf leaves empty may hold other calls' pages, so it is left
 * to conc_reclaim() at the end of the call (conc_defer_empty()), as the
 * range walk leaves it.
 */
static __attribute__((noinline)) int unmap_page_conc(struct table_state *t, uint64_t gpa,
						     struct gather_state *g, unsigned levels)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t page = 1ull << WALK_STD_GRANULE_LG2;
	const uint64_t base = gpa & ~level_mask(l, 1);
	struct conc_call cc;
	struct walk_path p;

	cc.nreclaim = 0;
	range_hold(t, &cc.hold, gpa, gpa + page);
	walk_path(t, gpa, levels, &p);
	if (p.entry && (p.level || !entry_is_page(l, p.entry))) {
		range_unlock(t, &cc.hold);
		return unmap_range(t, gpa, page, g);
	}
	g->table = t;
	if (p.entry) {
		entry_store(p.slot, 0);
		table_clean(t, p.slot, sizeof(*p.slot));
		gather_add(g, gpa, gpa + page, page, 0);
		conc_defer_empty(t, &cc, p.table[0], base, base + level_size(l, 1), 1);
	}
	conc_call_end(t, &cc, g);
	return SLAT_OK;
}

/* The paths of 3 and 5 levels and of a concurrent table, out of line: 4 is the common depth. */
static __attribute__((noinline)) int unmap_page_other(struct table_state *t, uint64_t gpa,
						      struct gather_state *g, unsigned levels)
{
	if (levels & PATH_CONC)
		return unmap_page_conc(t, gpa, g, levels & ~PATH_CONC);
	return levels == 3 ? unmap_page(t, gpa, g, 3) : unmap_page(t, gpa, g, 5);
}

int slat_unmap(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
	       struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	unsigned levels = 4;
	int err;

	if (!t || !g)
		return SLAT_ENULL;
	if (!walk_path_ok(t, gpa.v, size) && !(levels = walk_path_any(t, gpa.v, size)) &&
	    !(levels = walk_path_conc(t, gpa.v, size)))
		return unmap_range(t, gpa.v, size, g);
	err = gather_check(g, t);
	if (err)
		return err;
	if (SLAT_UNLIKELY(levels != 4))
		return unmap_page_other(t, gpa.v, g, levels);
	return unmap_page(t, gpa.v, g, 4);
}
