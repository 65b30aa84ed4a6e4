/* SPDX-License-Identifier: MIT */
/*
 * slat_protect(): change the attributes of every mapping in a range.
 *
 * The new value of a leaf depends on its old attributes (permissions are
 * cleared and set relative to them), so it is computed through the backend,
 * but only once per distinct old attribute pattern and level: mappings in a
 * range mostly share attributes, so the loop over leaves rarely calls out.
 * The first walk computes the result for every leaf and refuses the call if
 * any result is inexpressible; it also counts the edge splits.
 *
 * The result for one level, old pattern and request is kept in the table
 * from call to call (memo.h): the write-protect rounds of dirty logging and
 * the per-fault protects repeat one request over leaves that share
 * attributes, and then decode nothing.
 */

#include <slat/map.h>

#include "memo.h"
#include "walk.h"

struct prot_op {
	struct change c; /* first: the walker's op */
	const struct slat_prot *p;
	uint64_t key[SLAT_MAX_LEVELS]; /* last old attribute bits seen */
	uint64_t val[SLAT_MAX_LEVELS]; /* and their new value */
	uint32_t have;                 /* bit l: key[l]/val[l] valid */
	uint64_t req;                  /* prot_req(p) */
};

/*
 * A request as one word, to compare it with the memo's: its eight bytes as
 * they are. Only equality matters (a memo key), and every field is in it.
 */
_Static_assert(sizeof(struct slat_prot) == sizeof(uint64_t),
	       "struct slat_prot is no longer one word");

static SLAT_ALWAYS_INLINE uint64_t prot_req(const struct slat_prot *p)
{
	uint64_t req;

	__builtin_memcpy(&req, p, sizeof(req));
	return req;
}

static SLAT_ALWAYS_INLINE bool memo_find(const struct table_state *t, unsigned level, uint64_t req,
		      uint64_t key, uint64_t *val)
{
	const struct prot_memo_level *m = &t->memo[level];
	uint64_t seq;
	bool hit;

	if (!memo_read_begin(t, &seq))
		return false;
	hit = (memo_get(&t->memo_have) & (1u << level)) && memo_get(&m->req) == req &&
	      memo_get(&m->key) == key;
	*val = memo_get(&m->val);
	return memo_read_end(t, seq) && hit;
}

static void memo_keep(struct table_state *t, unsigned level, uint64_t req,
		      uint64_t key, uint64_t val)
{
	struct prot_memo_level *m = &t->memo[level];
	uint64_t seq;

	if (!memo_write_begin(t, &seq))
		return;
	memo_put(&m->req, req);
	memo_put(&m->key, key);
	memo_put(&m->val, val);
	memo_put(&t->memo_have, memo_get(&t->memo_have) | (1u << level));
	memo_write_end(t, seq);
}

/* The backend's answer: decode the leaf, apply the request, encode. */
static int prot_compute(const struct table_state *t, const struct slat_prot *p,
			unsigned level, uint64_t e, uint64_t *tmpl)
{
	struct slat_attrs a;
	int err;

	if (leaf_faithful(t, level, e, &a))
		return SLAT_ECORRUPT;
	a.perms = (uint8_t)((a.perms & ~p->perm_clear) | p->perm_set);
	a.sw = (uint8_t)((a.sw & ~p->sw_clear) | p->sw_set);
	if (p->set_memtype) {
		a.memtype = p->memtype;
		a.flags = p->mt_flags;
		a.share = p->share;
	}
	err = attrs_check(t, &a);
	if (!err)
		err = attrs_encode(t, level, &a, tmpl);
	if (err)
		return err;
	return SLAT_OK;
}

/* Fill op's cache for `level` with the result for the leaf `e`. */
static int prot_lookup(struct table_state *t, struct prot_op *op,
		       unsigned level, uint64_t e)
{
	const uint64_t mask = t->lay.attr_mask[level];
	const uint64_t key = e & mask;
	uint64_t val;

	if (!memo_find(t, level, op->req, key, &val)) {
		int err = prot_compute(t, op->p, level, e, &val);

		if (err)
			return err;
		val &= mask;
		memo_keep(t, level, op->req, key, val);
	}
	op->key[level] = key;
	op->val[level] = val;
	op->have |= 1u << level;
	return SLAT_OK;
}

/* The new value of the leaf `e` at `level`. */
static SLAT_ALWAYS_INLINE int prot_leaf(struct table_state *t, struct prot_op *op,
					unsigned level, uint64_t e, uint64_t *out)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t mask = l->attr_mask[level];

	if (SLAT_UNLIKELY(!(op->have & (1u << level)) || op->key[level] != (e & mask))) {
		int err = prot_lookup(t, op, level, e);

		if (err) {
			*out = e;
			return err;
		}
	}
	*out = leaf_keep_hw(l, (e & ~mask) | op->val[level], e);
	return SLAT_OK;
}

static SLAT_ALWAYS_INLINE int prot_count_visit(struct walk *w, enum walk_visit how)
{
	struct prot_op *op = (struct prot_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry, new_;
	int err;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE)
		return entry_check_walkable(w->t, w->level, e) ? -SLAT_ECORRUPT
							       : WALK_DESCEND;
	if (!entry_present(l, e) || (w->level == 0 && !entry_is_page(l, e)))
		return WALK_NEXT;
	if (w->level > 0 && entry_check_walkable(w->t, w->level, e))
		return -SLAT_ECORRUPT;
	err = prot_leaf(w->t, op, w->level, e, &new_);
	if (err)
		return -err;
	/* A leaf that stays as it is needs no split. */
	if (!walk_covers(w) && new_ != e) {
		if (leaf_split_check(w->t, w->level, e))
			return -SLAT_ECORRUPT;
		op->c.need += edge_split_cost(l, w->level, w->addr, walk_span_end(w));
	}
	return WALK_NEXT;
}

/* Leaves broken together before one invalidation, at most. */
#define BBM_BATCH 64

enum { UNCHANGED, CHANGED, BROKEN };

/*
 * Update one live leaf. A change that needs break-before-make is only
 * begun here: the entry is made invalid by clearing its valid bit, keeping
 * the others (the hardware leaves invalid entries alone), so that
 * prot_make() can compute the new value from them after one invalidation
 * for a whole batch, instead of one per leaf.
 */
static int prot_update(struct walk *w, struct prot_op *op, uint64_t *slot,
		       uint64_t cur)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t new_;

	prot_leaf(w->t, op, level, cur, &new_); /* checked by the first walk */
	if (new_ == cur)
		return UNCHANGED;
	if (walk_in_fresh(w)) {
		*slot = new_;
		return CHANGED;
	}
	if (entry_needs_bbm(l, cur, new_, false)) {
		/* Invalid from the last value the hardware left: its
		 * accessed/dirty updates end when the valid bit goes. */
		while (!entry_cmpxchg(slot, &cur, cur & ~l->present))
			;
		return BROKEN;
	}
	/* The hardware may set accessed/dirty meanwhile: recompute from it. */
	while (!entry_cmpxchg(slot, &cur, new_))
		prot_leaf(w->t, op, level, cur, &new_);
	return CHANGED;
}

/*
 * Finish break-before-make for the entries of `win` (from `base`) in
 * `broken`. [written, upto) are the entries of the run changed so far
 * (also those changed in place after the last broken one): all of them
 * reach memory before the invalidation (slat_config::clean_tables).
 */
static void prot_make(struct walk *w, struct prot_op *op, uint64_t *win,
		      uint64_t base, uint64_t broken, const uint64_t *written,
		      const uint64_t *upto)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	unsigned lo = (unsigned)__builtin_ctzll(broken);
	unsigned hi = 63u - (unsigned)__builtin_clzll(broken);
	unsigned i;

	table_clean_run(w->t, written, upto);
	broken_sync(w->t, base + lo * size, base + (hi + 1) * size, level, false);
	for (i = lo; i <= hi; i++) {
		uint64_t new_;

		if (!(broken & (1ull << i)))
			continue;
		prot_leaf(w->t, op, level, entry_load(&win[i]) | l->present, &new_);
		entry_store(&win[i], new_);
	}
}

static int prot_run(struct walk *w, struct prot_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const uint64_t end = walk_run_end(w, true);
	uint64_t *slot = w->slot, *win = w->slot;
	uint64_t addr = w->addr, win_base = w->addr, first = 0, last = 0;
	uint64_t broken = 0;

	for (; addr < end; addr += size, slot++) {
		uint64_t e;
		int r;

		if (slot - win == BBM_BATCH) {
			if (broken)
				prot_make(w, op, win, win_base, broken,
					  w->slot + ((first - w->addr) >> l->shift[level]),
					  w->slot + ((last - w->addr) >> l->shift[level]));
			win = slot;
			win_base = addr;
			broken = 0;
		}
		e = entry_load(slot);
		if (!entry_present(l, e) || (level == 0 && !entry_is_page(l, e)))
			continue;
		if (entry_is_table(l, level, e))
			break;
		r = prot_update(w, op, slot, e);
		if (r == UNCHANGED)
			continue;
		if (r == BROKEN)
			broken |= 1ull << (slot - win);
		if (!last)
			first = addr;
		last = addr + size;
	}
	if (broken)
		prot_make(w, op, win, win_base, broken,
			  w->slot + ((first - w->addr) >> l->shift[level]),
			  w->slot + ((last - w->addr) >> l->shift[level]));
	/* Nothing in a fresh table was ever visible: the leaf it replaces
	 * is invalidated as a whole when the table is linked. */
	if (last && !walk_in_fresh(w)) {
		/* Every entry changed, made included, in one call. */
		table_clean_run(w->t, w->slot + ((first - w->addr) >> l->shift[level]),
				w->slot + ((last - w->addr) >> l->shift[level]));
		gather_add(op->c.g, first, last, 1ull << l->shift[level], 0);
	}
	w->addr = addr;
	return WALK_SKIP;
}

static SLAT_ALWAYS_INLINE int prot_visit(struct walk *w, enum walk_visit how)
{
	struct prot_op *op = (struct prot_op *)w->op;
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	uint64_t e = w->entry, new_;
	int r;

	if (how == WALK_POST) {
		walk_link_fresh(w, op->c.g);
		return WALK_NEXT;
	}
	if (how == WALK_PRE)
		return WALK_DESCEND;
	if (!entry_present(l, e))
		return WALK_NEXT;
	if (walk_covers(w))
		return prot_run(w, op);
	prot_leaf(w->t, op, level, e, &new_);
	if (new_ == e)
		return WALK_NEXT;
	r = change_take(w, &op->c);
	if (r < 0)
		return r;
	leaf_split_fill(w->t, level, e, w->child);
	w->replaced[level] = e;
	return WALK_DESCEND;
}

/* Any range: out of line, the one-page path below needs no frame of this size. */
static __attribute__((noinline)) int prot_range(struct table_state *t, uint64_t gpa,
						uint64_t size, const struct slat_prot *p,
						struct gather_state *g)
{
	struct prot_op op;
	int err = range_check(t, gpa, size);

	if (err)
		return err;
	if ((p->perm_clear | p->perm_set) & ~SLAT_PERM_ALL)
		return SLAT_EFLAGS;
	if ((p->sw_clear | p->sw_set) >> t->lay.sw_count)
		return SLAT_ESWBITS;
	err = gather_check(g, t);
	if (err)
		return err;

	/* Not cleared whole: key[] and val[] are read only where `have`
	 * says they were written. */
	change_init(&op.c, g);
	op.c.once_ok = true;
	op.p = p;
	op.have = 0;
	op.req = prot_req(p);
	return walk_change(t, gpa, gpa + size, &op.c, prot_count_visit, prot_visit);
}

/*
 * The new value of the leaf `e` at `level` from the memo alone: the memo's
 * result for `e`'s pattern, or `e` kept when its pattern is that result
 * already (a request clears and then sets each field, so applying it to
 * its own result changes nothing: a page protected twice). False when the
 * memo has neither. Without `conc` the memo is read plainly (nothing else
 * writes it while a table without SLAT_FEAT_CONCURRENT changes); with it,
 * inside its count (memo.h).
 */
static SLAT_ALWAYS_INLINE bool prot_page_value(const struct table_state *t, unsigned level,
					       uint64_t req, uint64_t e, uint64_t *out,
					       bool conc)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t mask = l->attr_mask[level];
	const struct prot_memo_level *m = &t->memo[level];
	uint64_t val, key, seq = 0;
	bool hit;

	if (conc && !memo_read_begin(t, &seq))
		return false;
	hit = (memo_get(&t->memo_have) & (1u << level)) && memo_get(&m->req) == req;
	key = memo_get(&m->key);
	val = memo_get(&m->val);
	if ((conc && !memo_read_end(t, seq)) || !hit)
		return false;
	if ((e & mask) != key && (e & mask) != val)
		return false;
	*out = leaf_keep_hw(l, (e & ~mask) | val, e);
	return true;
}

/*
 * The rest of prot_page() for the leaf at `slot`, just changed: the clean
 * for a walker that does not snoop and its gather entry unless
 * gather_add_inside() made it (`added`). Out of line, so that the common
 * path calls nothing.
 */
static __attribute__((noinline)) int prot_page_rest(struct table_state *t,
						    struct gather_state *g, uint64_t gpa,
						    const uint64_t *slot, bool added)
{
	table_clean(t, slot, sizeof(*slot));
	if (!added)
		gather_add(g, gpa, gpa + (1ull << WALK_STD_GRANULE_LG2),
			   1ull << WALK_STD_GRANULE_LG2, 0);
	return SLAT_OK;
}

/*
 * prot_page() on a leaf at level 1 (`path` stopped there): split it into a
 * fresh table of base pages with the one page changed, and link that in
 * its place, as the range walk would, but without walking. What the range
 * walk decides before it allocates is decided first, from the memo of
 * level 1 (a leaf that stays as it is needs no split; one the memo does
 * not know goes to the range walk, which computes and keeps it); so a
 * call allocates exactly what the range walk would. Returns PROT_RANGE,
 * having changed nothing, where the range walk must do it.
 */
#define PROT_RANGE 1
static __attribute__((noinline)) int prot_page_split(struct table_state *t, uint64_t gpa,
						     const struct slat_prot *p,
						     struct gather_state *g,
						     const struct walk_path *path, bool conc)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t e = path->entry, req = prot_req(p);
	const uint64_t i = (gpa >> WALK_STD_GRANULE_LG2) & ((1u << WALK_STD_BITS) - 1);
	struct reserve res = { 0, 0 };
	uint64_t *child, pa, new_, tmpl;
	int err;

	if (entry_check_walkable(t, 1, e) || !prot_page_value(t, 1, req, e, &new_, conc))
		return PROT_RANGE;
	if (new_ == e) {
		g->table = t;
		return SLAT_OK; /* the leaf stays as it is: no split */
	}
	if (leaf_split_tmpl(t, 1, e, &tmpl))
		return PROT_RANGE;
	err = reserve_fill(t, &res, 1);
	if (err)
		return err;
	child = reserve_take(&res, &pa);
	leaf_split_write(t, 1, e, tmpl, child);
	if (!prot_page_value(t, 0, req, child[i], &new_, conc)) {
		/* What the range walk computes and keeps next, and where it
		 * would fail (an error gives the fresh page back). */
		uint64_t val;

		err = prot_compute(t, p, 0, child[i], &val);
		if (err) {
			t->alloc.free(t->alloc.ctx, child, pa, l->granule_lg2);
			return err;
		}
		val &= l->attr_mask[0];
		memo_keep(t, 0, req, child[i] & l->attr_mask[0], val);
		new_ = leaf_keep_hw(l, (child[i] & ~l->attr_mask[0]) | val, child[i]);
	}
	g->table = t;
	child[i] = new_;
	pages_add(t, 1, page_tag(pa));
	/* Filling was plain stores: the page reaches memory before the
	 * entry that makes it reachable. */
	table_clean(t, child, 1ull << l->granule_lg2);
	leaf_to_table(t, path->slot, e, child, pa, 1, gpa & ~level_mask(l, 1), true, g);
	return SLAT_OK;
}

/*
 * One base page on a READ_STD_* table (walk.h walk_path()), when the
 * page is a base-page leaf whose new value the memo holds and whose
 * change needs no break-before-make: one walk down and one
 * compare-exchange (the hardware may set accessed or dirty meanwhile).
 * A leaf of level 1 is split on the same path (prot_page_split()). Every
 * other ending (a larger leaf, a pattern not in the memo, a lost
 * exchange) goes to the range walk before anything changed.
 */
static SLAT_ALWAYS_INLINE int prot_page(struct table_state *t, uint64_t gpa,
					const struct slat_prot *p, struct gather_state *g,
					unsigned levels)
{
	const struct slat_layout *l = &t->lay;
	struct walk_path path;
	uint64_t e, new_;
	bool added;

	walk_path(t, gpa, levels, &path);
	e = path.entry;
	if (path.level || !entry_is_page(l, e)) {
		/* Nothing to change: absent, or invalid to the hardware. */
		if (!e || !path.level) {
			g->table = t;
			return SLAT_OK;
		}
		if (path.level == 1 && entry_present(l, e) && !entry_is_table(l, 1, e)) {
			int r = prot_page_split(t, gpa, p, g, &path, false);

			if (r != PROT_RANGE)
				return r;
		}
		return prot_range(t, gpa, 1ull << WALK_STD_GRANULE_LG2, p, g);
	}
	if (!prot_page_value(t, 0, prot_req(p), e, &new_, false))
		return prot_range(t, gpa, 1ull << WALK_STD_GRANULE_LG2, p, g);
	if (new_ != e) {
		if (entry_needs_bbm(l, e, new_, false) || !entry_cmpxchg(path.slot, &e, new_))
			return prot_range(t, gpa, 1ull << WALK_STD_GRANULE_LG2, p, g);
		g->table = t;
		added = gather_add_inside(g, gpa, 1ull << WALK_STD_GRANULE_LG2);
		if (SLAT_UNLIKELY(!added || t->clean))
			return prot_page_rest(t, g, gpa, path.slot, added);
	}
	g->table = t;
	return SLAT_OK;
}

/*
 * prot_page() on a SLAT_FEAT_CONCURRENT table, under a hold of the page
 * (widened to a leaf of level 1 that holds it, which the call then owns
 * and may split), the memo read inside its count. Whatever goes to the
 * range walk releases the hold first; a failed call changes nothing.
 */
static __attribute__((noinline)) int prot_page_conc(struct table_state *t, uint64_t gpa,
						    const struct slat_prot *p,
						    struct gather_state *g, unsigned levels)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t page = 1ull << WALK_STD_GRANULE_LG2;
	struct conc_call cc;
	struct walk_path path;
	uint64_t e, new_;
	int r = SLAT_OK;

	cc.nreclaim = 0;
	range_hold(t, &cc.hold, gpa, gpa + page);
	walk_path(t, gpa, levels, &path);
	e = path.entry;
	if (path.level || !entry_is_page(l, e)) {
		/* Nothing to change where absent or invalid to the hardware. */
		if (e && path.level)
			r = path.level == 1 && entry_present(l, e) && !entry_is_table(l, 1, e)
				    ? prot_page_split(t, gpa, p, g, &path, true)
				    : PROT_RANGE;
	} else if (!prot_page_value(t, 0, prot_req(p), e, &new_, true)) {
		r = PROT_RANGE;
	} else if (new_ != e) {
		if (entry_needs_bbm(l, e, new_, false) || !entry_cmpxchg(path.slot, &e, new_)) {
			r = PROT_RANGE;
		} else {
			table_clean(t, path.slot, sizeof(*path.slot));
			gather_add(g, gpa, gpa + page, page, 0);
		}
	}
	if (r) {
		range_unlock(t, &cc.hold);
		return r == PROT_RANGE ? prot_range(t, gpa, page, p, g) : r;
	}
	g->table = t;
	conc_call_end(t, &cc, g);
	return SLAT_OK;
}

/* The paths of 3 and 5 levels and of a concurrent table, out of line: 4 is the common depth. */
static __attribute__((noinline)) int prot_page_other(struct table_state *t, uint64_t gpa,
						     const struct slat_prot *p,
						     struct gather_state *g, unsigned levels)
{
	if (levels & PATH_CONC)
		return prot_page_conc(t, gpa, p, g, levels & ~PATH_CONC);
	return levels == 3 ? prot_page(t, gpa, p, g, 3) : prot_page(t, gpa, p, g, 5);
}

int slat_protect(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		 const struct slat_prot *p, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	unsigned levels = 4;

	if (!t || !p || !g)
		return SLAT_ENULL;
	if ((!walk_path_ok(t, gpa.v, size) && !(levels = walk_path_any(t, gpa.v, size)) &&
	     !(levels = walk_path_conc(t, gpa.v, size))) ||
	    ((p->perm_clear | p->perm_set) & ~SLAT_PERM_ALL) ||
	    ((p->sw_clear | p->sw_set) >> t->lay.sw_count) || gather_check(g, t))
		return prot_range(t, gpa.v, size, p, g);
	if (SLAT_UNLIKELY(levels != 4))
		return prot_page_other(t, gpa.v, p, g, levels);
	return prot_page(t, gpa.v, p, g, 4);
}
