/* SPDX-License-Identifier: MIT */
/* Deciding how a gather is invalidated (inval.h). */

#include "inval.h"

static unsigned lowest_set(uint64_t v)
{
	unsigned n = 0;

	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

static void range_of(const struct slat_layout *l, const struct slat_gather_range *g,
		     struct inval_range *r)
{
	const bool leaves_only = !g->table_sizes && g->leaf_sizes;
	unsigned step = l->granule_lg2, lv;
	uint64_t m;

	if (leaves_only && lowest_set(g->leaf_sizes) > step)
		step = lowest_set(g->leaf_sizes);
	m = (1ull << step) - 1;
	r->start = g->start & ~m;
	r->end = (g->end + m) & ~m;
	r->step_lg2 = (uint8_t)step;
	r->level = -1;
	if (leaves_only && !(g->leaf_sizes & (g->leaf_sizes - 1)))
		for (lv = 0; lv < l->levels; lv++)
			if (g->leaf_sizes == 1ull << l->shift[lv])
				r->level = (int8_t)lv;
}

void inval_plan_make(const struct table_state *t, const struct gather_state *g,
		     inval_cost_fn cost, struct inval_plan *p)
{
	uint32_t i;

	p->n = 0;
	p->ops = 0;
	if (g->nranges == 0 && !(g->flags & SLAT_GATHER_TABLES)) {
		p->kind = INVAL_NONE;
		return;
	}
	p->kind = INVAL_WHOLE;
	if (!cost || g->nranges == 0)
		return;
	for (i = 0; i < g->nranges; i++) {
		range_of(&t->lay, &g->ranges[i], &p->range[i]);
		p->ops += cost(t, &p->range[i]);
	}
	if (p->ops > t->tlbi_threshold)
		return;
	p->n = g->nranges;
	p->kind = INVAL_RANGES;
}
