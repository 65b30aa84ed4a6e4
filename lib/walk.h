/* SPDX-License-Identifier: MIT */
/*
 * The range walker: one loop that every range operation shares.
 *
 * walk_range() visits, in address order, every entry that intersects
 * [w->addr, w->end), from the root down. An operation is a visitor: it is
 * called
 *   - WALK_LEAF for an entry that is not a table (absent or a leaf),
 *   - WALK_PRE for a table entry, before its table is walked,
 *   - WALK_POST for an entry that was descended through, after its table
 *     was walked (also when the visitor made up the table, see below).
 * The visitor answers
 *   - WALK_NEXT: go on with the next entry,
 *   - WALK_SKIP: go on from w->addr, which the visitor advanced itself
 *     (to handle a run of entries of the same table in one go),
 *   - WALK_DESCEND: walk the table below; for WALK_PRE that is the table the
 *     entry points to, for WALK_LEAF the visitor supplies one in w->child
 *     (a fresh, not yet linked table: it links it in WALK_POST, once it is
 *     complete, so no walker ever sees a half-built table),
 *   - a negative value: stop, and return it negated.
 *
 * The walker is always inlined into its operation with the visitor as a
 * constant, so each operation compiles to its own loop with the visitor
 * inlined: no indirect call per entry.
 */
#ifndef SLAT_LIB_WALK_H
#define SLAT_LIB_WALK_H

#include "core.h"

enum walk_visit { WALK_LEAF, WALK_PRE, WALK_POST };

enum walk_answer { WALK_NEXT = 0, WALK_SKIP = 1, WALK_DESCEND = 2 };

struct walk {
	struct table_state *t;
	const struct slat_layout *lay;
	uint64_t addr;   /* first address of the range not yet visited */
	uint64_t end;    /* end of the range */
	unsigned level;  /* level of the entry being visited */
	uint64_t *slot;  /* the entry being visited */
	uint64_t entry;  /* its value when the visit began */
	uint64_t base;   /* first address the entry translates */
	uint64_t *child; /* WALK_LEAF + WALK_DESCEND: the fresh table */
	uint64_t child_pa;
	/* Per level, the table on the current path and where it hangs. */
	uint64_t *table[SLAT_MAX_LEVELS];
	uint64_t *parent[SLAT_MAX_LEVELS];
	uint64_t table_pa[SLAT_MAX_LEVELS];
	uint32_t fresh;  /* bit l: table[l] is fresh, not yet linked */
	/* Per level, the leaf a fresh table below it was split from. */
	uint64_t replaced[SLAT_MAX_LEVELS];
	void *op;        /* the operation's own state */
};

typedef int (*walk_visitor)(struct walk *w, enum walk_visit how);

static inline void walk_init(struct walk *w, struct table_state *t,
			     uint64_t start, uint64_t end, void *op)
{
	w->t = t;
	w->lay = &t->lay;
	w->addr = start;
	w->end = end;
	w->fresh = 0;
	w->child = 0;
	w->op = op;
}

/*
 * One step down the tree, shared by walk_range() and the lookup of one
 * address (translate.c lookup()): the slot of `addr` in `table` at
 * `level`, and the table a table entry points to (walk_range() has the
 * table's physical address at hand and calls table_va() itself).
 * With `std` the table is READ_STD_* (table_state.h: 4 KiB granule, 9
 * bits per level, no split address field, a linear map) and the shifts,
 * masks and table addresses are constants and adds (the caller passes
 * t->lay.addr_mask and t->linear_offset, read once: an atomic load of an
 * entry would make the compiler load them again at every level); `root`
 * then says `table` is the root, whose index is all that is left of an
 * address already checked against the input width (a concatenated root
 * has more than 9 bits of it).
 */
static SLAT_ALWAYS_INLINE uint64_t *walk_step_slot(const struct slat_layout *l,
						  uint64_t *table, unsigned level,
						  uint64_t addr, bool std, bool root)
{
	if (!std)
		return &table[entry_index(l, level, addr)];
	if (root)
		return &table[addr >> (12u + 9u * level)];
	return &table[(addr >> (12u + 9u * level)) & 511u];
}

static SLAT_ALWAYS_INLINE uint64_t *walk_step_table(const struct table_state *t,
						   uint64_t e, bool std,
						   uint64_t addr_mask,
						   uint64_t linear_offset)
{
	if (!std)
		return (uint64_t *)table_va(t, entry_table_addr(&t->lay, e));
	return (uint64_t *)(uintptr_t)((e & addr_mask) + linear_offset);
}

static SLAT_ALWAYS_INLINE int walk_range(struct walk *w, walk_visitor visit)
{
	const struct slat_layout *l = w->lay;
	const unsigned top = l->levels - 1u;
	unsigned level = top;
	uint64_t *table = w->t->root;
	int r;

	w->table[top] = table;
	w->table_pa[top] = w->t->root_pa;
	for (;;) {
		uint64_t *slot = walk_step_slot(l, table, level, w->addr, false, false);
		uint64_t e = entry_load(slot);

		w->level = level;
		w->slot = slot;
		w->entry = e;
		w->base = w->addr & ~level_mask(l, level);
		if (entry_present(l, e) && entry_is_table(l, level, e)) {
			r = visit(w, WALK_PRE);
			if (r == WALK_DESCEND) {
				w->child_pa = entry_table_addr(l, e);
				w->child = (uint64_t *)table_va(w->t, w->child_pa);
			}
		} else {
			r = visit(w, WALK_LEAF);
			if (r == WALK_DESCEND)
				w->fresh |= 1u << (level - 1);
		}
		if (r < 0)
			return -r;
		if (r == WALK_DESCEND) {
			level--;
			w->parent[level] = slot;
			w->table[level] = w->child;
			w->table_pa[level] = w->child_pa;
			table = w->child;
			continue;
		}
		if (r == WALK_NEXT)
			w->addr = w->base + level_size(l, level);

		/* Climb out of every table this step finished. */
		while (level < top &&
		       (w->addr >= w->end ||
			(w->addr & (table_span(l, level) - 1)) == 0)) {
			level++;
			w->level = level;
			w->slot = w->parent[level - 1];
			w->entry = entry_load(w->slot);
			w->base = (w->addr - 1) & ~level_mask(l, level);
			r = visit(w, WALK_POST);
			w->fresh &= ~(1u << (level - 1));
			if (r < 0)
				return -r;
			table = w->table[level];
		}
		if (w->addr >= w->end)
			return SLAT_OK;
	}
}

/*
 * Is the visited entry in a fresh table? Nothing can see such an entry
 * yet: it is changed with plain stores, needs no break-before-make and no
 * invalidation (the leaf the fresh table replaces is invalidated as a
 * whole when the table is linked).
 */
static inline bool walk_in_fresh(const struct walk *w)
{
	return w->fresh & (1u << w->level);
}

/*
 * In WALK_POST: if the table below the visited entry is fresh, link it now
 * that it is complete (in place of the leaf it was split from, if any) and
 * count it as the table's. Returns whether it did.
 */
static inline bool walk_link_fresh(struct walk *w, struct gather_state *g)
{
	const unsigned level = w->level;
	uint64_t *child = w->table[level - 1];
	uint64_t pa = w->table_pa[level - 1];

	if (!(w->fresh & (1u << (level - 1))))
		return false;
	w->t->pages++;
	w->t->page_sum += page_tag(pa);
	/* Zeroing and filling were plain stores: the whole page reaches
	 * memory before the entry that makes it reachable. */
	table_clean(w->t, child, 1ull << w->lay->granule_lg2);
	if (entry_present(w->lay, w->entry)) {
		leaf_to_table(w->t, w->slot, w->replaced[level], child, pa, level,
			      w->base, !walk_in_fresh(w), g);
	} else {
		entry_store(w->slot, w->lay->table_tmpl | addr_entry(w->lay, pa));
		table_clean(w->t, w->slot, sizeof(*w->slot));
	}
	return true;
}

/* The part of the visited entry's span inside the range. */
static inline uint64_t walk_span_start(const struct walk *w)
{
	return w->addr;
}

static inline uint64_t walk_span_end(const struct walk *w)
{
	uint64_t end = w->base + level_size(w->lay, w->level);

	return end < w->end ? end : w->end;
}

/* Does the range cover the visited entry's whole span? */
static inline bool walk_covers(const struct walk *w)
{
	return w->addr == w->base &&
	       w->end - w->base >= level_size(w->lay, w->level);
}

/*
 * What every changing operation shares: its first walk adds up the pages
 * it `need`s, which are reserved in `res`; its second walk takes them from
 * there and records what it changed in `g`. Operations embed it first in
 * their own state.
 */
struct change {
	uint64_t need;
	struct reserve res;
	struct gather_state *g;
	bool settle; /* complete g's pending invalidation before changing */
};

/*
 * The all-or-nothing rule, in one place: walk once with `prepare`, which
 * changes nothing and may fail (collisions, corrupt entries, what the
 * format cannot express) and counts pages; reserve them (may fail); then
 * walk again with `apply`, which cannot fail, and give back any surplus.
 * Only when the second walk starts is the gather bound to the table.
 */
static SLAT_ALWAYS_INLINE int walk_change(struct table_state *t, uint64_t start,
					  uint64_t end, struct change *c,
					  walk_visitor prepare, walk_visitor apply)
{
	struct walk w;
	int err;

	walk_init(&w, t, start, end, c);
	err = walk_range(&w, prepare);
	if (err)
		return err;
	err = reserve_fill(t, &c->res, c->need);
	if (err)
		return err;
	c->g->table = t;
	if (c->settle)
		gather_settle(t, c->g);
	walk_init(&w, t, start, end, c);
	walk_range(&w, apply);
	reserve_release(t, &c->res);
	return SLAT_OK;
}

/*
 * End of the run of entries of the visited table starting at the visited
 * entry: the range's end or the table's end, whichever comes first; with
 * `whole`, rounded down to whole entries.
 */
static inline uint64_t walk_run_end(const struct walk *w, bool whole)
{
	const struct slat_layout *l = w->lay;
	uint64_t table_end = (w->base | (table_span(l, w->level) - 1)) + 1;
	uint64_t end = w->end < table_end ? w->end : table_end;

	return whole ? end & ~level_mask(l, w->level) : end;
}

#endif
