/* SPDX-License-Identifier: MIT */
/* Recording what must be invalidated. */

#include <slat/gather.h>

#include "core.h"

/*
 * The gather's storage must be defined (zero-filled or a gather) so that a
 * gather still holding pages is refused rather than forgotten: its pages
 * would leak, and its invalidation would never be done.
 */
int slat_gather_init(struct slat_gather *g_pub)
{
	struct gather_state *g = gather_of(g_pub);

	if (!g)
		return SLAT_ENULL;
	if (g->live == g && !slat_gather_empty(g_pub))
		return SLAT_EBUSY;
	gather_reset(g);
	return SLAT_OK;
}

void gather_reset(struct gather_state *g)
{
	__builtin_memset(g, 0, sizeof(*g));
}

/*
 * Ranges past nranges are never read (slat_gather_range() and every
 * loop stop at nranges), so they need not be cleared: 6 stores instead
 * of the gather's 300 bytes.
 */
void gather_clear(struct gather_state *g)
{
	g->table = 0;
	g->flags = 0;
	g->nranges = 0;
	g->free_list = 0;
	g->free_pages = 0;
	g->live = 0;
}

bool slat_gather_empty(const struct slat_gather *g_pub)
{
	const struct gather_state *g = gather_of_c(g_pub);

	return !g || (g->nranges == 0 && g->free_pages == 0 && g->flags == 0);
}

static void range_merge(struct slat_gather_range *into,
			const struct slat_gather_range *r)
{
	if (r->start < into->start)
		into->start = r->start;
	if (r->end > into->end)
		into->end = r->end;
	into->leaf_sizes |= r->leaf_sizes;
	into->table_sizes |= r->table_sizes;
}

/*
 * gather_add() of `r` past the last range of a full gather, which is how
 * an upward walk that changes scattered pages (a dirty harvest) fills
 * it: the same choice as the general case below, the first of the
 * closest neighbours (the new range last), made in place.
 */
static void gather_append_full(struct gather_state *g,
			       const struct slat_gather_range *r)
{
	struct slat_gather_range *rs = g->ranges;
	const uint32_t n = SLAT_GATHER_RANGES;
	uint64_t best_gap = ~0ull;
	uint32_t k, best = 0;

#pragma GCC unroll 8
	for (k = 0; k + 1 < n; k++) {
		uint64_t gap = rs[k + 1].start - rs[k].end;

		if (gap < best_gap) {
			best_gap = gap;
			best = k;
		}
	}
	g->flags |= SLAT_GATHER_MERGED;
	if (r->start - rs[n - 1].end < best_gap) {
		range_merge(&rs[n - 1], r);
		return;
	}
	range_merge(&rs[best], &rs[best + 1]);
	for (k = best + 1; k + 1 < n; k++)
		rs[k] = rs[k + 1];
	rs[n - 1] = *r;
}

/*
 * gather_add() once r is neither an extension of the last range nor inside
 * one: `i` is the first range that does not end before it. Ranges stay
 * sorted and disjoint. Overlapping or touching ranges merge. When the
 * array is full, the two closest neighbours merge: the gap between them is
 * invalidated needlessly, but nothing is ever left out.
 */
static __attribute__((noinline)) void gather_insert(struct gather_state *g,
						    struct slat_gather_range r,
						    uint32_t i)
{
	const uint64_t end = r.end;
	uint32_t j;

	/* Absorb every range r touches. */
	j = i;
	while (j < g->nranges && g->ranges[j].start <= end) {
		range_merge(&r, &g->ranges[j]);
		j++;
	}
	if (j > i) {
		g->ranges[i++] = r;
		while (j < g->nranges)
			g->ranges[i++] = g->ranges[j++];
		g->nranges = i;
		return;
	}
	if (g->nranges == SLAT_GATHER_RANGES && i == g->nranges) {
		gather_append_full(g, &r);
		return;
	}
	if (g->nranges == SLAT_GATHER_RANGES) {
		/* Insert, then merge the closest pair back down to the limit. */
		struct slat_gather_range tmp[SLAT_GATHER_RANGES + 1];
		uint32_t n = 0, k, best = 0;
		uint64_t best_gap = ~0ull;

		for (k = 0; k < i; k++)
			tmp[n++] = g->ranges[k];
		tmp[n++] = r;
		for (k = i; k < g->nranges; k++)
			tmp[n++] = g->ranges[k];
		for (k = 0; k + 1 < n; k++) {
			uint64_t gap = tmp[k + 1].start - tmp[k].end;

			if (gap < best_gap) {
				best_gap = gap;
				best = k;
			}
		}
		range_merge(&tmp[best], &tmp[best + 1]);
		for (k = best + 1; k + 1 < n; k++)
			tmp[k] = tmp[k + 1];
		for (k = 0; k < SLAT_GATHER_RANGES; k++)
			g->ranges[k] = tmp[k];
		g->flags |= SLAT_GATHER_MERGED;
		return;
	}
	for (j = g->nranges; j > i; j--)
		g->ranges[j] = g->ranges[j - 1];
	g->ranges[i] = r;
	g->nranges++;
}

/*
 * The common cases inline, in a function with no frame: walks go upwards,
 * so most ranges extend the last one; random single pages, once the ranges
 * have merged to the limit, mostly fall inside one, where only its sizes
 * can grow.
 */
void gather_add(struct gather_state *g, uint64_t start, uint64_t end,
		uint64_t leaf_sizes, uint64_t table_sizes)
{
	struct slat_gather_range *rs = g->ranges;
	const uint32_t n = g->nranges;
	uint32_t i;

	g->live = g;
	if (table_sizes)
		g->flags |= SLAT_GATHER_TABLES;
	if (n && start >= rs[n - 1].start && start <= rs[n - 1].end) {
		if (end > rs[n - 1].end)
			rs[n - 1].end = end;
		rs[n - 1].leaf_sizes |= leaf_sizes;
		rs[n - 1].table_sizes |= table_sizes;
		return;
	}
	/* Past the last range (an upward walk of scattered pages): no search. */
	i = n && start > rs[n - 1].end ? n : 0;
	for (; i < n && rs[i].end < start; i++)
		;
	if (i < n && rs[i].start <= start && end <= rs[i].end) {
		rs[i].leaf_sizes |= leaf_sizes;
		rs[i].table_sizes |= table_sizes;
		return;
	}
	gather_insert(g, (struct slat_gather_range){ start, end, leaf_sizes, table_sizes }, i);
}

bool gather_overlaps(const struct gather_state *g, uint64_t start, uint64_t end)
{
	uint32_t i;

	for (i = 0; i < g->nranges; i++)
		if (g->ranges[i].start < end && start < g->ranges[i].end)
			return true;
	return false;
}

void gather_settle(struct table_state *t, struct gather_state *g)
{
	struct slat_gather now_pub; /* whole: the hook may copy all of it */
	struct gather_state *now = gather_of(&now_pub);

	/* The hook is told what to invalidate, not handed the pages. */
	__builtin_memset(&now_pub, 0, sizeof(now_pub));
	*now = *g;
	now->free_list = 0;
	now->free_pages = 0;
	t->sync(t->sync_ctx, table_pub(t), gather_pub(now));
	g->nranges = 0;
	g->flags &= ~(uint32_t)(SLAT_GATHER_TABLES | SLAT_GATHER_MERGED);
}

/* ---- reading a gather (its storage is opaque to embedders) ------------ */

const struct slat_table *slat_gather_table(const struct slat_gather *g_pub)
{
	const struct gather_state *g = gather_of_c(g_pub);

	return g && g->table ? table_pub_c(g->table) : 0;
}

uint32_t slat_gather_flags(const struct slat_gather *g_pub)
{
	const struct gather_state *g = gather_of_c(g_pub);

	return g ? g->flags : 0;
}

uint32_t slat_gather_nranges(const struct slat_gather *g_pub)
{
	const struct gather_state *g = gather_of_c(g_pub);

	return g ? g->nranges : 0;
}

struct slat_gather_range slat_gather_range(const struct slat_gather *g_pub, uint32_t i)
{
	const struct gather_state *g = gather_of_c(g_pub);
	struct slat_gather_range none = { 0, 0, 0, 0 };

	return g && i < g->nranges ? g->ranges[i] : none;
}

uint64_t slat_gather_pages(const struct slat_gather *g_pub)
{
	const struct gather_state *g = gather_of_c(g_pub);

	return g ? g->free_pages : 0;
}
