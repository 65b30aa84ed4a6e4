/* SPDX-License-Identifier: MIT */
/*
 * slat_map(): map a guest-physical range with the largest leaves possible.
 *
 * Two walks. The first changes nothing: it finds collisions and corrupt
 * entries and counts the tables the second walk will need; the pages are
 * then reserved. The second walk cannot fail, so a failed call leaves the
 * table exactly as it was.
 */

#include <slat/map.h>

#include "memo.h"
#include "walk.h"
#include "fill.h"

struct map_op {
	struct change c; /* first: the walker's op */
	uint64_t delta;           /* hpa - gpa */
	unsigned leafmask;        /* levels where this call may place leaves */
	bool replace;
	struct leaf_tmpl tmpl;
	uint64_t full_cost[SLAT_MAX_LEVELS]; /* tables to fill one whole entry */
};

/* Can the visited entry become one leaf of this mapping? */
static inline bool map_fits(const struct map_op *op, const struct walk *w)
{
	return (op->leafmask & (1u << w->level)) && walk_covers(w);
}

static uint64_t tables_for(const struct map_op *op, const struct slat_layout *l,
			   unsigned level, uint64_t a, uint64_t b);

/* Tables needed below one entry at `level` for [a, b) inside it. */
static uint64_t entry_cost(const struct map_op *op, const struct slat_layout *l,
			   unsigned level, uint64_t a, uint64_t b)
{
	if ((a & level_mask(l, level)) == 0 && b - a == level_size(l, level))
		return op->full_cost[level];
	return tables_for(op, l, level, a, b);
}

/*
 * Tables needed to map [a, b), which lies inside one entry at `level` that
 * cannot hold it as a single leaf: one table below it, plus what its
 * entries need. Only the first and last of them can be partly covered, so
 * this recurses at most twice per level.
 */
static uint64_t tables_for(const struct map_op *op, const struct slat_layout *l,
			   unsigned level, uint64_t a, uint64_t b)
{
	const unsigned cl = level - 1;
	const uint64_t csz = level_size(l, cl);
	const uint64_t first = a & ~(csz - 1), last = (b - 1) & ~(csz - 1);

	if (first == last)
		return 1 + entry_cost(op, l, cl, a, b);
	return 1 + entry_cost(op, l, cl, a, first + csz) +
	       entry_cost(op, l, cl, last, b) +
	       ((last - first) / csz - 1) * op->full_cost[cl];
}

static SLAT_ALWAYS_INLINE int map_count_visit(struct walk *w, enum walk_visit how)
{
	struct map_op *op = (struct map_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE) {
		if (entry_check_walkable(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		/* With replace, a whole table may give way to one leaf; its
		 * subtree is then unlinked whole and must be sound. */
		if (op->replace && map_fits(op, w))
			return tree_check(w->t, (uint64_t *)table_va(w->t, entry_table_addr(l, e)),
					  w->level - 1) ? -SLAT_ECORRUPT : WALK_NEXT;
		return WALK_DESCEND;
	}
	if (entry_present(l, e) && (w->level > 0 || entry_is_page(l, e))) {
		if (w->level > 0 && entry_check_walkable(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		if (!op->replace)
			return -SLAT_EEXIST;
		if (!map_fits(op, w) && leaf_split_check(w->t, w->level, e))
			return -SLAT_ECORRUPT;
	}
	/* A payload (slat/payload.h) is the embedder's: kept unless told. */
	if (entry_payload(l, e) && !op->replace)
		return -SLAT_EEXIST;
	if (!map_fits(op, w) && !op->c.once)
		op->c.need += tables_for(op, l, w->level, w->addr, walk_span_end(w));
	return WALK_NEXT;
}

/*
 * Write leaves into the run of absent entries that starts at the visited
 * one. Compiled twice: `split` is a constant, and without a split address
 * field (every format but Arm 64K with 52 bits) the loops only OR the
 * address into the template.
 */
static SLAT_ALWAYS_INLINE int map_run_(struct walk *w, struct map_op *op, bool split)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const uint64_t tmpl = op->tmpl.bits[level];
	const uint64_t present = l->present | l->noaccess, hi = split ? l->oa_hi : 0;
	const unsigned hs = split ? l->oa_hi_shift : 0;
	/* Whole leaves only: a partial tail needs a table. */
	const uint64_t n = (walk_run_end(w, true) - w->addr) >> l->shift[level];
	uint64_t *slot = w->slot;
	uint64_t oa = w->addr + op->delta;
	uint64_t i;

	if (walk_in_fresh(w)) {
		/* Nothing can see a fresh table yet: plain stores. */
		if (split) {
			for (i = 0; i < n; i++)
				slot[i] = tmpl | addr_entry_split(oa + i * size, hi, hs);
		} else {
			fill_run(slot, n, tmpl, oa, size);
			i = n;
		}
	} else {
		for (i = 0; i < n; i++) {
			if (i && (entry_load(&slot[i]) & present))
				break;
			entry_store(&slot[i], tmpl | addr_entry_split(oa + i * size, hi, hs));
		}
		if (i)
			table_clean_run(w->t, slot, slot + i);
	}
	w->addr += i * size;
	return WALK_SKIP;
}

static SLAT_ALWAYS_INLINE int map_run(struct walk *w, struct map_op *op)
{
	return w->lay->oa_hi ? map_run_(w, op, true) : map_run_(w, op, false);
}

/* Leaves broken together before one invalidation, at most (as protect.c). */
#define BBM_BATCH 64

/*
 * Break-before-make for the leaves of `win` (from `base`) in `broken`,
 * already made invalid: one invalidation for all of them, then their new
 * leaves. The new leaf of a replacing map does not depend on the old one.
 * [written, upto) are the entries of the run changed so far: all of them
 * reach memory before the invalidation (slat_config::clean_tables).
 */
static void map_make(struct walk *w, const struct map_op *op, uint64_t *win,
		     uint64_t base, uint64_t broken, const uint64_t *written,
		     const uint64_t *upto)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const uint64_t tmpl = op->tmpl.bits[level];
	unsigned lo = (unsigned)__builtin_ctzll(broken);
	unsigned hi = 63u - (unsigned)__builtin_clzll(broken);
	unsigned i;

	table_clean_run(w->t, written, upto);
	broken_sync(w->t, base + lo * size, base + (hi + 1) * size, level, false);
	for (i = lo; i <= hi; i++)
		if (broken & (1ull << i))
			entry_store(&win[i], tmpl | addr_entry(l, base + i * size + op->delta));
}

/*
 * Replace the run of leaves and holes of one table that starts at the
 * visited entry, a present leaf, by leaves of this mapping. Where a change
 * needs break-before-make, up to BBM_BATCH leaves are broken, invalidated
 * together and then written (map_make()), the way protect batches, instead
 * of one synchronous invalidation per leaf. Other changed leaves go to the
 * gather one by one, as before; holes take their leaf directly.
 */
static int map_replace_run(struct walk *w, struct map_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const uint64_t end = walk_run_end(w, true);
	const uint64_t tmpl = op->tmpl.bits[level];
	const bool fresh = walk_in_fresh(w);
	uint64_t *slot = w->slot, *win = w->slot, *written = 0, *written_end = 0;
	uint64_t addr = w->addr, win_base = w->addr, broken = 0;

	for (; addr < end; addr += size, slot++) {
		uint64_t e, new_;

		if (slot - win == BBM_BATCH) {
			if (broken)
				map_make(w, op, win, win_base, broken, written, slot);
			win = slot;
			win_base = addr;
			broken = 0;
		}
		e = entry_load(slot);
		if (entry_is_table(l, level, e))
			break;
		new_ = tmpl | addr_entry(l, addr + op->delta);
		if (new_ == e)
			continue;
		if (fresh) {
			/* Nothing can see a fresh table yet: plain stores. */
			*slot = new_;
			continue;
		}
		if (level == 0 && entry_present(l, e) && !entry_is_page(l, e))
			e = 0; /* invalid to the hardware: treat as absent */
		if (entry_present(l, e) && entry_needs_bbm(l, e, new_, false)) {
			entry_break(slot);
			broken |= 1ull << (slot - win);
		} else {
			entry_store(slot, new_);
			if (entry_present(l, e))
				gather_add(op->c.g, addr, addr + size,
					   1ull << l->shift[level], 0);
		}
		if (!written)
			written = slot;
		written_end = slot + 1;
	}
	if (broken)
		map_make(w, op, win, win_base, broken, written, written_end);
	if (written)
		table_clean_run(w->t, written, written_end);
	w->addr = addr;
	return WALK_SKIP;
}

/* Replace the table at the visited entry by one leaf. */
static void map_replace_table(struct walk *w, struct map_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t new_ = op->tmpl.bits[level] | addr_entry(l, w->base + op->delta);
	uint64_t pa = entry_table_addr(l, w->entry);

	if (l->bbm_mask) {
		entry_break(w->slot);
		entry_make(w->t, w->slot, new_, w->base, level, true);
	} else {
		entry_store(w->slot, new_);
		table_clean(w->t, w->slot, sizeof(*w->slot));
	}
	gather_defer_tree(w->t, op->c.g, (uint64_t *)table_va(w->t, pa), pa,
			  level - 1);
	gather_add(op->c.g, w->base, w->base + level_size(l, level),
		   layout_sizes_upto(l, level - 1), 1ull << l->shift[level]);
}

/*
 * Under SLAT_FEAT_ALLOC_UNZEROED, a fresh table that is not a split leaf
 * holds garbage. This walk writes every entry of it inside the range (a
 * leaf run, or a fresh table below linked on the climb); the walker reads
 * an entry before its visitor writes it only where a visit begins. Those
 * entries and the ones outside the range are zeroed here; the rest are
 * left to the fill. Where the level below holds leaves, visits begin at
 * most at the first entry, the one after it (when the first is partly
 * covered and descended into) and the last (a partly covered tail: the
 * run stops before it); elsewhere at every entry.
 */
static void map_fresh_zero(const struct walk *w, const struct map_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned cl = w->level - 1;
	const uint64_t n = table_entries(l, cl);
	const uint64_t i0 = entry_index(l, cl, w->addr);
	const uint64_t i1 = entry_index(l, cl, walk_span_end(w) - 1) + 1;
	uint64_t *child = w->child;

	if (!(w->t->features & SLAT_FEAT_ALLOC_UNZEROED))
		return;
	if (!(op->leafmask & (1u << cl))) {
		fresh_zero(w->t, child, 0, n);
		return;
	}
	fresh_zero(w->t, child, 0, i0 + 1);
	if (i0 + 1 < i1)
		child[i0 + 1] = 0;
	fresh_zero(w->t, child, i1 - 1, n);
}

static SLAT_ALWAYS_INLINE int map_visit(struct walk *w, enum walk_visit how)
{
	struct map_op *op = (struct map_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t e = w->entry;
	int r;

	if (how == WALK_POST) {
		walk_link_fresh(w, op->c.g);
		return WALK_NEXT;
	}
	if (how == WALK_PRE) {
		if (op->replace && map_fits(op, w)) {
			map_replace_table(w, op);
			return WALK_NEXT;
		}
		return WALK_DESCEND;
	}
	if (level == 0 && entry_present(l, e) && !entry_is_page(l, e))
		e = 0; /* invalid to the hardware: treat as absent */
	if (map_fits(op, w)) {
		if (!entry_present(l, e))
			return map_run(w, op);
		return map_replace_run(w, op);
	}
	r = change_take(w, &op->c);
	if (r < 0)
		return r;
	if (entry_present(l, e)) {
		leaf_split_fill(w->t, level, e, w->child);
		w->replaced[level] = e;
	} else {
		map_fresh_zero(w, op);
	}
	return WALK_DESCEND;
}

/*
 * The attributes as one word, to compare them with the memo's: their
 * bytes as they are, the one byte of padding zeroed. Only equality matters
 * (a memo key), and every field is in it.
 */
_Static_assert(sizeof(struct slat_attrs) == sizeof(uint64_t) &&
		       __builtin_offsetof(struct slat_attrs, key) == 6,
	       "struct slat_attrs is no longer five bytes, a pad and a key");

static SLAT_ALWAYS_INLINE uint64_t attrs_req(const struct slat_attrs *a)
{
	uint8_t b[sizeof(uint64_t)];
	uint64_t req;

	__builtin_memcpy(b, a, sizeof(b));
	b[5] = 0;
	__builtin_memcpy(&req, b, sizeof(req));
	return req;
}

/*
 * leaf_templates() for the levels in `mask`, from the table's memo when it
 * holds them for these attributes (memo.h), else from the backend, and
 * kept for the next call.
 */
static int map_templates(struct table_state *t, const struct slat_attrs *a,
			 unsigned mask, struct leaf_tmpl *out)
{
	const uint64_t req = attrs_req(a);
	uint64_t seq, have;
	unsigned level;
	int err;

	if (memo_read_begin(t, &seq)) {
		bool hit = memo_get(&t->tmpl_req) == req &&
			   (memo_get(&t->tmpl_have) & mask) == mask;

		for (level = 0; hit && level < t->lay.levels; level++)
			if (mask & (1u << level))
				out->bits[level] = memo_get(&t->tmpl_bits[level]);
		if (memo_read_end(t, seq) && hit)
			return SLAT_OK;
	}
	err = leaf_templates(t, a, mask, out);
	if (err || !memo_write_begin(t, &seq))
		return err;
	have = memo_get(&t->tmpl_req) == req ? memo_get(&t->tmpl_have) : 0;
	for (level = 0; level < t->lay.levels; level++)
		if (mask & (1u << level))
			memo_put(&t->tmpl_bits[level], out->bits[level]);
	memo_put(&t->tmpl_req, req);
	memo_put(&t->tmpl_have, have | mask);
	memo_write_end(t, seq);
	return SLAT_OK;
}

/* Any range: out of line, the one-page path below needs no frame of this size. */
static __attribute__((noinline)) int map_range(struct table_state *t, slat_gpa_t gpa,
					       uint64_t size, slat_hpa_t hpa,
					       const struct slat_attrs *attrs, uint32_t flags,
					       struct gather_state *g)
{
	const struct slat_layout *l = &t->lay;
	unsigned max_lg2, level;
	struct map_op op;
	int err;

	err = range_check(t, gpa.v, size);
	if (err)
		return err;
	if (hpa.v & level_mask(l, 0))
		return SLAT_EALIGN;
	/* By the last byte, as range_check(): ending at 2^64 is not a wrap. */
	if (hpa.v + (size - 1) < hpa.v)
		return SLAT_EWRAP;
	if ((hpa.v + (size - 1)) >> l->pa_bits)
		return SLAT_EHPA;
	if (flags & ~(uint32_t)(SLAT_MAP_REPLACE | SLAT_MAP_MAX_PAGE(0xff)))
		return SLAT_EFLAGS;
	max_lg2 = (flags >> 8) & 0xff;
	if (max_lg2 && max_lg2 < l->granule_lg2)
		return SLAT_EPAGESIZE;
	/* Not cleared whole: tmpl.bits[] is written for the levels in
	 * leafmask, the only ones read. */
	change_init(&op.c, g);
	op.c.once_ok = true;
	op.delta = hpa.v - gpa.v;
	op.leafmask = 0;
	op.full_cost[0] = 0;
	op.replace = flags & SLAT_MAP_REPLACE;
	/*
	 * Break-before-make across calls: an earlier call may have unmapped
	 * (part of) this range with its invalidation still pending in the
	 * gather. The hardware may then still hold the old translation, and
	 * writing a new valid entry before that invalidation completes is
	 * the valid-to-valid change the rule forbids. Complete it first.
	 */
	op.c.settle = l->bbm_mask && gather_overlaps(g, gpa.v, gpa.v + size);
	for (level = 0; level < l->levels; level++) {
		bool ok = (l->leaf_levels & (1u << level)) &&
			  (op.delta & level_mask(l, level)) == 0 &&
			  (!max_lg2 || l->shift[level] <= max_lg2) &&
			  /* execute-only under the multihit policy: a large
			   * leaf without X would map nothing (leaf.c); a
			   * no-access leaf asks for no X and may be large */
			  !(level > 0 && l->sw_exec && (attrs->perms & SLAT_PERM_X) &&
			    !(attrs->perms & SLAT_PERM_RW));

		if (ok)
			op.leafmask |= 1u << level;
		if (level > 0)
			op.full_cost[level] = ok ? 0 : 1 + table_entries(l, level - 1) *
								   op.full_cost[level - 1];
	}
	err = map_templates(t, attrs, op.leafmask, &op.tmpl);
	if (err)
		return err;
	err = gather_check(g, t);
	if (err)
		return err;

	return walk_change(t, gpa.v, gpa.v + size, &op.c, map_count_visit, map_visit);
}

/*
 * The tables a one-page map makes below the absent entry `path` stopped
 * at, level `path->level`: one per level down to the base-page leaf
 * `leaf`, each holding one entry, filled bottom up and linked by one
 * store at the top, so no walker sees a part of the chain. All are
 * allocated first; a failure gives them back and changes nothing. On a
 * concurrent table (`conc`) the entry at the top may be another call's
 * too: the chain is linked by compare-exchange, and merged into a table
 * another call linked there first (fresh_link_shared()).
 */
static __attribute__((noinline)) int map_page_chain(struct table_state *t, uint64_t gpa,
						    uint64_t leaf, const struct walk_path *path,
						    struct gather_state *g, bool conc)
{
	const struct slat_layout *l = &t->lay;
	struct reserve res = { 0, 0 };
	uint64_t entry = leaf, *table = 0, pa = 0;
	unsigned level;
	int err = reserve_fill(t, &res, path->level);

	if (err)
		return err;
	g->table = t;
	for (level = 0; level < path->level; level++) {
		table = reserve_take(&res, &pa);
		fresh_zero(t, table, 0, table_entries(l, level));
		*walk_step_slot(l, table, level, gpa, true, false) = entry;
		pages_add(t, 1, page_tag(pa));
		/* Plain stores: the page reaches memory before the entry
		 * that makes it reachable. */
		table_clean(t, table, 1ull << l->granule_lg2);
		entry = l->table_tmpl | addr_entry(l, pa);
	}
	/* Not a leaf there: one covering this page would be this call's,
	 * which holds it, and the walk found the entry absent. */
	if (conc && fresh_link_shared(t, path->slot, table, pa, path->level - 1))
		return SLAT_OK;
	entry_store(path->slot, entry);
	table_clean(t, path->slot, sizeof(*path->slot));
	return SLAT_OK;
}

/*
 * The base-page template for `attrs` from the memo into `tmpl`; false
 * when it has none. A concurrent table's memo is read inside its count
 * (memo.h): another call may be writing it.
 */
static SLAT_ALWAYS_INLINE bool map_page_tmpl(const struct table_state *t,
					     const struct slat_attrs *attrs, bool conc,
					     uint64_t *tmpl)
{
	uint64_t seq;
	bool hit;

	if (!conc) {
		*tmpl = t->tmpl_bits[0];
		return (t->tmpl_have & 1u) && t->tmpl_req == attrs_req(attrs);
	}
	if (!memo_read_begin(t, &seq))
		return false;
	hit = (memo_get(&t->tmpl_have) & 1u) && memo_get(&t->tmpl_req) == attrs_req(attrs);
	*tmpl = memo_get(&t->tmpl_bits[0]);
	return memo_read_end(t, seq) && hit;
}

/*
 * One base page on a READ_STD_* table (walk.h walk_path()) with
 * attributes whose base-page template the memo holds: one walk down, then
 * the leaf written into an absent entry (no invalidation: nothing was
 * mapped), or the missing tables made below the absent entry the walk
 * stopped at (map_page_chain()). Every other case (a collision, a
 * payload, anything to replace, break-before-make to settle) goes to the
 * range walk, which also gives every error, before anything changed.
 * With `conc` (a SLAT_FEAT_CONCURRENT table) all of it happens under a
 * hold of the page, released before the range walk or an error; a chain
 * is linked as the range walk links a fresh table.
 */
static SLAT_ALWAYS_INLINE int map_page(struct table_state *t, slat_gpa_t gpa,
				       slat_hpa_t hpa, const struct slat_attrs *attrs,
				       uint32_t flags, struct gather_state *g,
				       unsigned levels, bool conc)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t page = 1ull << WALK_STD_GRANULE_LG2;
	struct conc_call cc;
	struct walk_path path;
	uint64_t leaf;
	int err;

	if (!map_page_tmpl(t, attrs, conc, &leaf) ||
	    (l->bbm_mask && gather_overlaps(g, gpa.v, gpa.v + page)))
		return map_range(t, gpa, page, hpa, attrs, flags, g);
	leaf |= addr_entry(l, hpa.v);
	if (conc) {
		cc.nreclaim = 0;
		range_hold(t, &cc.hold, gpa.v, gpa.v + page);
	}
	walk_path(t, gpa.v, levels, &path);
	if (path.entry) {
		if (conc)
			range_unlock(t, &cc.hold);
		return map_range(t, gpa, page, hpa, attrs, flags, g);
	}
	if (path.level) {
		err = map_page_chain(t, gpa.v, leaf, &path, g, conc);
		if (!conc)
			return err;
		if (err) {
			range_unlock(t, &cc.hold);
			return err;
		}
	} else {
		g->table = t;
		entry_store(path.slot, leaf);
		if (conc || SLAT_UNLIKELY(t->clean))
			table_clean(t, path.slot, sizeof(*path.slot));
	}
	if (conc)
		conc_call_end(t, &cc, g);
	return SLAT_OK;
}

/* The paths of 3 and 5 levels and of a concurrent table, out of line: 4 is the common depth. */
static __attribute__((noinline)) int map_page_other(struct table_state *t, slat_gpa_t gpa,
						    slat_hpa_t hpa, const struct slat_attrs *attrs,
						    uint32_t flags, struct gather_state *g,
						    unsigned levels)
{
	if (levels & PATH_CONC)
		return map_page(t, gpa, hpa, attrs, flags, g, levels & ~PATH_CONC, true);
	return levels == 3 ? map_page(t, gpa, hpa, attrs, flags, g, 3, false)
			   : map_page(t, gpa, hpa, attrs, flags, g, 5, false);
}

int slat_map(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
	     slat_hpa_t hpa, const struct slat_attrs *attrs, uint32_t flags,
	     struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	unsigned levels = 4;

	if (!t || !attrs || !g)
		return SLAT_ENULL;
	/* One page: any page-size limit allows it, a replace does not. */
	if ((!walk_path_ok(t, gpa.v, size) && !(levels = walk_path_any(t, gpa.v, size)) &&
	     !(levels = walk_path_conc(t, gpa.v, size))) ||
	    (hpa.v & (size - 1)) || (hpa.v >> t->lay.pa_bits) ||
	    (flags & ~(uint32_t)SLAT_MAP_MAX_PAGE(0xff)) ||
	    (flags && ((flags >> 8) & 0xff) < WALK_STD_GRANULE_LG2) || gather_check(g, t))
		return map_range(t, gpa, size, hpa, attrs, flags, g);
	if (SLAT_UNLIKELY(levels != 4))
		return map_page_other(t, gpa, hpa, attrs, flags, g, levels);
	return map_page(t, gpa, hpa, attrs, flags, g, 4, false);
}
