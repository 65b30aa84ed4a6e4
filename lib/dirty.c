/* SPDX-License-Identifier: MIT */
/*
 * Accessed and dirty state: slat_dirty_harvest() and slat_accessed().
 *
 * Both read the hardware-owned bits of every leaf in a range and, unless
 * asked to keep them, clear them with one atomic AND each, so that a bit the
 * hardware sets at the same moment is either reported now or kept for the
 * next harvest, never lost. A large leaf only partly inside the range is
 * reported but not cleared: its flag also stands for pages outside the
 * range.
 *
 * Dirty state also lives in the layout's software dirty bit, where a change
 * of the leaf left the hardware no way to hold it (core.h leaf_keep_hw()).
 * A harvest reports and clears it like the hardware's, and records the
 * page in the gather all the same: a page is then harvested the same way
 * whichever bit held its state, and the few pages that were protected
 * while dirty cost one invalidation more.
 */

#include <slat/dirty.h>

#include "walk.h"

struct harvest_op {
	uint64_t start;   /* first address of the range (bit 0 of the bitmap) */
	uint64_t *bitmap; /* NULL when only counting */
	size_t words;     /* 64-bit words in the bitmap */
	uint64_t flag;    /* the bit tested and cleared */
	uint64_t gate;    /* bits that must be set for `flag` to count */
	uint64_t swd;     /* the software copy of `flag`, counted ungated; 0: none */
	bool keep;
	uint64_t found;   /* base pages found */
	struct gather_state *g;
};

/* Set bits [i, j) of the bitmap. */
static void bitmap_set(uint64_t *bm, uint64_t i, uint64_t j)
{
	while (i < j && (i & 63)) {
		bm[i >> 6] |= 1ull << (i & 63);
		i++;
	}
	for (; i + 64 <= j; i += 64)
		bm[i >> 6] = ~0ull;
	for (; i < j; i++)
		bm[i >> 6] |= 1ull << (i & 63);
}

/* First walk: only check what the second will interpret. */
static int harvest_check_visit(struct walk *w, enum walk_visit how)
{
	if (how == WALK_POST || w->level == 0)
		return WALK_NEXT;
	if (!entry_present(w->lay, w->entry))
		return WALK_NEXT;
	if (entry_check_walkable(w->t, w->level, w->entry))
		return -SLAT_ECORRUPT;
	if (how == WALK_PRE)
		return w->level > 1 ? WALK_DESCEND : WALK_NEXT;
	return WALK_NEXT;
}

/*
 * A run of base pages: one bit each, and in a live-migration loop most of
 * them clean, so the common case is one load and one test per entry.
 */
static int harvest_pages(struct walk *w, struct harvest_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned page_lg2 = l->granule_lg2;
	const uint64_t end = walk_run_end(w, false);
	/* Read once: the atomic ANDs below could alias them. */
	const uint64_t flag = op->flag, gate = op->gate, swd = op->swd;
	const uint64_t any = flag | swd;
	uint64_t *slot = w->slot;
	uint64_t addr = w->addr, first = 0, last = 0;

	for (; addr < end; addr += 1ull << page_lg2, slot++) {
		uint64_t e = entry_load(slot), i, hw;

		if (!(e & any))
			continue;
		hw = (e & gate) == gate ? e & flag : 0;
		if (!(hw | (e & swd)) || !entry_is_page(l, e))
			continue;
		i = (addr - op->start) >> page_lg2;
		if (op->bitmap)
			op->bitmap[i >> 6] |= 1ull << (i & 63);
		op->found++;
		if (!op->keep) {
			__atomic_fetch_and(slot, ~(hw | swd), __ATOMIC_RELAXED);
			if (!last)
				first = addr;
			last = addr + (1ull << page_lg2);
		}
	}
	if (last) {
		table_clean_run(w->t, w->slot + ((first - w->base) >> page_lg2),
				w->slot + ((last - w->base) >> page_lg2));
		gather_add(op->g, first, last, 1ull << page_lg2, 0);
	}
	w->addr = addr;
	return WALK_SKIP;
}

static int harvest_visit(struct walk *w, enum walk_visit how)
{
	struct harvest_op *op = (struct harvest_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const unsigned page_lg2 = l->granule_lg2;
	const uint64_t end = walk_run_end(w, false);
	uint64_t *slot = w->slot;
	uint64_t addr = w->addr, first = 0, last = 0;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE)
		return WALK_DESCEND;
	if (level == 0)
		return harvest_pages(w, op);
	/* The run of entries of this table: leaves are read in one loop. */
	while (addr < end) {
		uint64_t e = entry_load(slot);
		uint64_t base = addr & ~(size - 1);
		uint64_t stop = base + size < w->end ? base + size : w->end;
		uint64_t hw = (e & op->gate) == op->gate ? e & op->flag : 0;

		if (entry_present(l, e) && entry_is_table(l, level, e))
			break;
		if ((hw | (e & op->swd)) &&
		    entry_present(l, e) && (level > 0 || entry_is_page(l, e))) {
			if (op->bitmap)
				bitmap_set(op->bitmap, (addr - op->start) >> page_lg2,
					   (stop - op->start) >> page_lg2);
			op->found += (stop - addr) >> page_lg2;
			if (!op->keep && addr == base && stop == base + size) {
				__atomic_fetch_and(slot, ~(hw | op->swd), __ATOMIC_RELAXED);
				if (!last)
					first = base;
				last = base + size;
			}
		}
		addr = stop;
		slot++;
	}
	if (last) {
		/* w->addr may sit inside the first entry: count from its base. */
		table_clean_run(w->t, w->slot + ((first - w->base) >> l->shift[level]),
				w->slot + ((last - w->base) >> l->shift[level]));
		gather_add(op->g, first, last, 1ull << l->shift[level], 0);
	}
	w->addr = addr;
	return WALK_SKIP;
}

static int harvest_walks(struct table_state *t, uint64_t gpa, uint64_t size,
			 struct harvest_op *op)
{
	struct walk w;
	int err;

	walk_init(&w, t, gpa, gpa + size, op);
	err = walk_range(&w, harvest_check_visit);
	if (err)
		return err;
	op->g->table = t;
	walk_init(&w, t, gpa, gpa + size, op);
	return walk_range(&w, harvest_visit);
}

/* SLAT_FEAT_CONCURRENT: the walks under the range lock (range_lock.h). */
static int harvest_held(struct table_state *t, uint64_t gpa, uint64_t size,
			struct harvest_op *op)
{
	struct range_node hold;
	int err;

	range_hold(t, &hold, gpa, gpa + size);
	err = harvest_walks(t, gpa, size, op);
	range_unlock(t, &hold);
	return err;
}

static int harvest(struct table_state *t, uint64_t gpa, uint64_t size,
		   uint32_t flags, struct harvest_op *op)
{
	int err;

	if (!t || !op->g)
		return SLAT_ENULL;
	err = range_check(t, gpa, size);
	if (err)
		return err;
	if (flags & ~(uint32_t)SLAT_HARVEST_KEEP)
		return SLAT_EFLAGS;
	if (!(t->features & SLAT_FEAT_AD))
		return SLAT_ENOFEAT;
	/* One bit per base page; the walk must never write past the caller's words. */
	if (op->bitmap &&
	    op->words < (((size >> t->lay.granule_lg2) + 63) >> 6))
		return SLAT_ENOSPC;
	err = gather_check(op->g, t);
	if (err)
		return err;
	op->start = gpa;
	op->keep = flags & SLAT_HARVEST_KEEP;
	if (SLAT_UNLIKELY(t->concurrent))
		return harvest_held(t, gpa, size, op);
	return harvest_walks(t, gpa, size, op);
}

int slat_dirty_harvest(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		       uint64_t *bitmap, size_t bitmap_words, uint32_t flags,
		       uint64_t *found, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct harvest_op op;
	int err;

	if (!bitmap)
		return SLAT_ENULL;
	__builtin_memset(&op, 0, sizeof(op));
	op.bitmap = bitmap;
	op.words = bitmap_words;
	op.g = g;
	if (t) {
		op.flag = t->lay.dirty;
		op.gate = t->lay.dirty_gate;
		op.swd = t->lay.sw_dirty;
	}
	err = harvest(t, gpa.v, size, flags, &op);
	if (!err && found)
		*found = op.found;
	return err;
}

int slat_accessed(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		  uint32_t flags, uint64_t *accessed, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct harvest_op op;
	int err;

	if (!accessed)
		return SLAT_ENULL;
	__builtin_memset(&op, 0, sizeof(op));
	op.g = g;
	if (t)
		op.flag = t->lay.accessed;
	err = harvest(t, gpa.v, size, flags, &op);
	if (!err)
		*accessed = op.found;
	return err;
}
