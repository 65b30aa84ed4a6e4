/* SPDX-License-Identifier: MIT */
/* slat_for_each(): the mappings of a range, in address order. */

#include <slat/lookup.h>

#include "walk.h"

struct each_op {
	slat_mapping_fn fn;
	void *ctx;
	int stopped;
};

/* A visitor return that stops the walk without being an error. */
#define EACH_STOP (-1000)

static int each_visit(struct walk *w, enum walk_visit how)
{
	struct each_op *op = (struct each_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry;
	struct slat_mapping m;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE)
		return entry_check_walkable(w->t, w->level, e) ? -SLAT_ECORRUPT
							       : WALK_DESCEND;
	if (!entry_present(l, e) || (w->level == 0 && !entry_is_page(l, e)))
		return WALK_NEXT;
	if (w->level > 0 && entry_check_walkable(w->t, w->level, e))
		return -SLAT_ECORRUPT;
	mapping_fill(w->t, w->level, e, w->addr, w->end, &m);
	op->stopped = op->fn(op->ctx, &m);
	return op->stopped ? EACH_STOP : WALK_NEXT;
}

int slat_for_each(const struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		  slat_mapping_fn fn, void *ctx, int *stopped)
{
	const struct table_state *t = table_of_c(t_pub);
	struct each_op op = { fn, ctx, 0 };
	struct walk w;
	int err;

	if (!t || !fn)
		return SLAT_ENULL;
	err = range_check(t, gpa.v, size);
	if (err)
		return err;
	/* The walker is shared with the mutating calls; this visitor only reads. */
	walk_init(&w, (struct table_state *)t, gpa.v, gpa.v + size, &op);
	if (SLAT_UNLIKELY(t->concurrent)) {
		/* A quiescent range: no call changes it while fn sees it. */
		struct range_node hold;

		range_lock((struct table_state *)t, &hold, gpa.v, gpa.v + size);
		err = walk_range(&w, each_visit);
		range_unlock((struct table_state *)t, &hold);
	} else {
		err = walk_range(&w, each_visit);
	}
	if (stopped)
		*stopped = op.stopped;
	return err == -EACH_STOP ? SLAT_OK : err;
}
