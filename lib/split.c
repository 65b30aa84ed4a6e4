/* SPDX-License-Identifier: MIT */
/* slat_split(): break large leaves of a range down to a given size. */

#include <slat/map.h>

#include "walk.h"

struct split_op {
	struct change c; /* first: the walker's op */
	unsigned target;                /* level of the wanted leaf size */
	uint64_t full[SLAT_MAX_LEVELS]; /* tables to split a whole leaf */
};

static uint64_t split_to_cost(const struct split_op *op,
			      const struct slat_layout *l, unsigned level,
			      uint64_t a, uint64_t b);

static uint64_t child_cost(const struct split_op *op,
			   const struct slat_layout *l, unsigned level,
			   uint64_t a, uint64_t b)
{
	if (level <= op->target)
		return 0;
	if ((a & level_mask(l, level)) == 0 && b - a == level_size(l, level))
		return op->full[level];
	return split_to_cost(op, l, level, a, b);
}

/*
 * Tables to split the leaf at `level` until every leaf overlapping [a, b)
 * is at the target level: one below it, the whole cost of every child
 * fully inside the range, and the cost of the (at most two) partial ones.
 */
static uint64_t split_to_cost(const struct split_op *op,
			      const struct slat_layout *l, unsigned level,
			      uint64_t a, uint64_t b)
{
	const unsigned cl = level - 1;
	const uint64_t csz = level_size(l, cl);
	const uint64_t first = a & ~(csz - 1), last = (b - 1) & ~(csz - 1);

	if (first == last)
		return 1 + child_cost(op, l, cl, a, b);
	return 1 + child_cost(op, l, cl, a, first + csz) +
	       child_cost(op, l, cl, last, b) +
	       ((last - first) / csz - 1) * child_cost(op, l, cl, first + csz,
						       first + 2 * csz);
}

static int split_count_visit(struct walk *w, enum walk_visit how)
{
	struct split_op *op = (struct split_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE) {
		if (entry_check_walkable(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		return w->level - 1 > op->target ? WALK_DESCEND : WALK_NEXT;
	}
	if (w->level <= op->target) {
		/* Nothing at or below the target level changes. */
		w->addr = walk_run_end(w, false);
		return WALK_SKIP;
	}
	if (!entry_present(l, e))
		return WALK_NEXT;
	if (entry_check_walkable(w->t, w->level, e) ||
	    leaf_split_check(w->t, w->level, e))
		return -SLAT_ECORRUPT;
	op->c.need += split_to_cost(op, l, w->level, w->addr, walk_span_end(w));
	return WALK_NEXT;
}

static int split_visit(struct walk *w, enum walk_visit how)
{
	struct split_op *op = (struct split_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t e = w->entry;
	int r;

	if (how == WALK_POST) {
		walk_link_fresh(w, op->c.g);
		return WALK_NEXT;
	}
	if (how == WALK_PRE)
		return level - 1 > op->target ? WALK_DESCEND : WALK_NEXT;
	if (level <= op->target) {
		w->addr = walk_run_end(w, false);
		return WALK_SKIP;
	}
	if (!entry_present(l, e))
		return WALK_NEXT;
	r = change_take(w, &op->c);
	if (r < 0)
		return r;
	leaf_split_fill(w->t, level, e, w->child);
	w->replaced[level] = e;
	return WALK_DESCEND;
}

int slat_split(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
	       unsigned page_lg2, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	const struct slat_layout *l;
	struct split_op op;
	unsigned level;
	int err;

	if (!t || !g)
		return SLAT_ENULL;
	l = &t->lay;
	err = range_check(t, gpa.v, size);
	if (err)
		return err;
	__builtin_memset(&op, 0, sizeof(op));
	op.target = SLAT_MAX_LEVELS;
	for (level = 0; level < l->levels; level++)
		if (l->shift[level] == page_lg2 && (l->leaf_levels & (1u << level)))
			op.target = level;
	if (op.target == SLAT_MAX_LEVELS)
		return SLAT_EPAGESIZE;
	err = gather_check(g, t);
	if (err)
		return err;
	for (level = op.target + 1; level < l->levels; level++)
		op.full[level] = 1 + table_entries(l, level - 1) * op.full[level - 1];
	op.c.g = g;

	return walk_change(t, gpa.v, gpa.v + size, &op.c, split_count_visit, split_visit);
}
