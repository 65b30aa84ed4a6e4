/* SPDX-License-Identifier: MIT */
/*
 * slat_collapse(): put large leaves back where tables only repeat them.
 *
 * A table whose entries are leaves of one contiguous run of output
 * addresses, aligned to the size of the entry above it and with the same
 * attributes, says nothing that one leaf in that entry would not say. The
 * walk finds such tables bottom-up (WALK_POST comes after a table's own
 * tables were handled, so 512 tables that each collapse into a 2 MiB leaf
 * can collapse again into a 1 GiB one in the same call).
 *
 * The hardware may set accessed/dirty flags in the children until the old
 * table entry is invalid and every walker has forgotten it. Where a
 * synchronous invalidation hook exists (always on Arm, where a change of
 * shape needs break-before-make anyway, Arm ARM D8.16.1), the entry is
 * broken, the hook run, and only then are the children read for the last
 * time: nothing the hardware writes can be missed. The breaks are batched,
 * one hook call for up to COLLAPSE_BATCH tables. Without a hook (x86
 * only), the new leaf is written at once and the children may still be
 * written through a stale paging-structure cache until the gather's
 * invalidation is done, so the new leaf takes every state they could
 * still reach: accessed, and dirty if writable (over-reporting a page as
 * dirty is harmless to dirty logging; missing one is not).
 */

#include <slat/collapse.h>

#include "walk.h"

/* Tables broken before one call of the synchronous hook, at most. */
#define COLLAPSE_BATCH 64

struct pending {
	uint64_t *slot;   /* the broken table entry */
	uint64_t *child;  /* the table it pointed to */
	uint64_t child_pa;
	uint64_t base;    /* first address the entry translates */
	uint64_t tmpl;    /* the new leaf, without hardware state */
	unsigned level;   /* the entry's level */
};

struct collapse_op {
	struct change c; /* first: the walker's op */
	uint64_t start, end;
	/* Prepare: the last leaf attribute bits found faithful, per level. */
	uint64_t key[SLAT_MAX_LEVELS];
	uint32_t have;
	unsigned npend;
	struct pending pend[COLLAPSE_BATCH];
};

/*
 * The bits in which the children of a collapsible table must agree: every
 * attribute bit of their level, but not the state the hardware sets
 * (accessed, and dirty where the children track it: on Arm without DBM
 * the dirty bit is the write permission itself) nor its software copy.
 * Bits outside the attributes are not compared: the accessed/dirty flags
 * NPT sets also on tables created without SLAT_FEAT_AD, and what the
 * validator reports (the new leaf is written from the attributes alone).
 */
static uint64_t collapse_same_bits(const struct slat_layout *l, unsigned level,
				   uint64_t first)
{
	uint64_t same = l->attr_mask[level] & ~(l->accessed | l->sw_dirty);

	if ((first & l->dirty_gate) == l->dirty_gate)
		same &= ~l->dirty;
	return same;
}

/* A present entry at `level` the hardware uses as a leaf. */
static bool is_leaf(const struct slat_layout *l, unsigned level, uint64_t e)
{
	if (!entry_present(l, e))
		return false;
	return level == 0 ? entry_is_page(l, e) : !entry_is_table(l, level, e);
}

/*
 * Can the table `child` below the entry at `level` become one leaf? If so,
 * `*tmpl` is that leaf, address included, with the attributes of the
 * children and no hardware state yet.
 */
static bool collapse_plan(const struct table_state *t, const uint64_t *child,
			  unsigned level, uint64_t *tmpl)
{
	const struct slat_layout *l = &t->lay;
	const unsigned cl = level - 1;
	const uint64_t step = level_size(l, cl), n = table_entries(l, cl);
	const uint64_t first = entry_load(&child[0]);
	const uint64_t oa = entry_addr(l, first);
	uint64_t same, i;
	struct slat_attrs a;

	if (!is_leaf(l, cl, first) || (oa & level_mask(l, level)))
		return false;
	same = collapse_same_bits(l, cl, first);
	for (i = 1; i < n; i++) {
		uint64_t e = entry_load(&child[i]);

		if (!is_leaf(l, cl, e) || ((e ^ first) & same) ||
		    entry_addr(l, e) != oa + i * step)
			return false;
	}
	/* The attributes of the children, neither widened nor narrowed. */
	if (leaf_faithful(t, cl, first, &a))
		return false;
	if (attrs_encode(t, level, &a, tmpl))
		return false;
	*tmpl |= addr_entry(l, oa);
	return true;
}

/*
 * The new leaf `tmpl` with the hardware state of all children: accessed if
 * any was, dirty if any was (in hardware form where the leaf tracks dirty
 * state, else in the software dirty bit). `reachable`: the children may
 * still be written after this read (no synchronous hook), so add what the
 * hardware could still set.
 */
static uint64_t collapse_leaf(const struct table_state *t, const uint64_t *child,
			      unsigned level, uint64_t tmpl, bool reachable)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t n = table_entries(l, level - 1);
	const bool tracked = (tmpl & l->dirty_gate) == l->dirty_gate;
	uint64_t acc = 0, sw = 0, i;
	bool dirty = false;

	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&child[i]);

		acc |= e & l->accessed;
		sw |= e & l->sw_dirty;
		dirty = dirty || leaf_dirty(l, e);
	}
	if (reachable && l->hw_bits) {
		struct slat_attrs a;

		attrs_decode(t, level, tmpl, &a);
		acc = l->accessed;
		dirty = dirty || (tracked && (a.perms & SLAT_PERM_W));
	}
	tmpl = (tmpl & ~(l->accessed | l->sw_dirty)) | acc | sw;
	if (dirty)
		tmpl |= tracked && l->dirty ? l->dirty : l->sw_dirty;
	return tmpl;
}

/*
 * Break every pending table entry, have the embedder invalidate them all in
 * one call, then write the leaves from the children's final state and hand
 * the tables to the gather.
 */
static void collapse_flush(struct table_state *t, struct collapse_op *op)
{
	const struct slat_layout *l = &t->lay;
	struct slat_gather now_pub = SLAT_GATHER_INIT; /* whole: the hook may copy it */
	struct gather_state *now = gather_of(&now_pub);
	unsigned i;

	if (!op->npend)
		return;
	now->table = t;
	for (i = 0; i < op->npend; i++) {
		const struct pending *p = &op->pend[i];

		entry_break(p->slot);
		table_clean(t, p->slot, sizeof(*p->slot));
		gather_add(now, p->base, p->base + level_size(l, p->level),
			   layout_sizes_upto(l, p->level - 1),
			   1ull << l->shift[p->level]);
	}
	t->sync(t->sync_ctx, table_pub(t), &now_pub);
	for (i = 0; i < op->npend; i++) {
		const struct pending *p = &op->pend[i];

		entry_store(p->slot, collapse_leaf(t, p->child, p->level, p->tmpl, false));
		table_clean(t, p->slot, sizeof(*p->slot));
		gather_defer_tree(t, op->c.g, p->child, p->child_pa, p->level - 1);
	}
	op->npend = 0;
}

static int collapse_check_visit(struct walk *w, enum walk_visit how)
{
	struct collapse_op *op = (struct collapse_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t e = w->entry, key;
	struct slat_attrs a;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE)
		return entry_check_walkable(w->t, level, e) ? -SLAT_ECORRUPT
							    : WALK_DESCEND;
	if (!is_leaf(l, level, e))
		return WALK_NEXT;
	if (level > 0 && entry_check_walkable(w->t, level, e))
		return -SLAT_ECORRUPT;
	/* A leaf collapse would copy must say what it decodes to. */
	key = e & ~l->addr_field;
	if ((op->have & (1u << level)) && op->key[level] == key)
		return WALK_NEXT;
	if (leaf_faithful(w->t, level, e, &a))
		return -SLAT_ECORRUPT;
	op->key[level] = key;
	op->have |= 1u << level;
	return WALK_NEXT;
}

static int collapse_visit(struct walk *w, enum walk_visit how)
{
	struct collapse_op *op = (struct collapse_op *)w->op;
	struct table_state *t = w->t;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t *child;
	uint64_t tmpl;

	if (how == WALK_LEAF) {
		if (level == 0)
			w->addr = walk_run_end(w, false); /* nothing below */
		return level == 0 ? WALK_SKIP : WALK_NEXT;
	}
	if (how == WALK_PRE)
		return WALK_DESCEND;
	/* WALK_POST: the tables below this entry are done. */
	if (op->npend && op->pend[op->npend - 1].level < level)
		collapse_flush(t, op);
	if (!entry_present(l, w->entry) || !entry_is_table(l, level, w->entry) ||
	    !(l->leaf_levels & (1u << level)) || w->base < op->start ||
	    w->base + level_size(l, level) > op->end)
		return WALK_NEXT;
	child = w->table[level - 1];
	if (!collapse_plan(t, child, level, &tmpl))
		return WALK_NEXT;
	if (t->sync) {
		struct pending *p = &op->pend[op->npend++];

		p->slot = w->slot;
		p->child = child;
		p->child_pa = w->table_pa[level - 1];
		p->base = w->base;
		p->tmpl = tmpl;
		p->level = level;
		if (op->npend == COLLAPSE_BATCH)
			collapse_flush(t, op);
		return WALK_NEXT;
	}
	/* No hook, so x86 (Arm requires one). x86 has no break-before-make
	 * rule: until the invalidation (SDM vol. 3C 29.4 for EPT, APM vol. 2
	 * 15.25 for nested paging) a walker may use the old table or the new
	 * leaf, which translate alike; the old table stays allocated until
	 * the gather is done. */
	slat__race_point(w->slot);
	__atomic_exchange_n(w->slot, collapse_leaf(t, child, level, tmpl, true),
			    __ATOMIC_ACQ_REL);
	table_clean(t, w->slot, sizeof(*w->slot));
	gather_defer_tree(t, op->c.g, child, w->table_pa[level - 1], level - 1);
	gather_add(op->c.g, w->base, w->base + level_size(l, level),
		   layout_sizes_upto(l, level - 1), 1ull << l->shift[level]);
	return WALK_NEXT;
}

int slat_collapse(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		  struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct collapse_op op;
	int err;

	if (!t || !g)
		return SLAT_ENULL;
	err = change_check(t, g, gpa.v, size);
	if (err)
		return err;

	__builtin_memset(&op, 0, sizeof(op));
	op.c.g = g;
	op.start = gpa.v;
	op.end = gpa.v + size;
	err = walk_change(t, op.start, op.end, &op.c, collapse_check_visit,
			  collapse_visit);
	/* Tables still broken when the walk ended at a level it did not
	 * climb out of. */
	collapse_flush(t, &op);
	return err;
}
