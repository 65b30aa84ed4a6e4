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
 *
 * The same loop walks a subtree that hangs nowhere (walk_init_subtree():
 * one unlinked or fresh table with its level and base, all of its span),
 * which is how the core frees, checks and patches whole subtrees. Every
 * table below the walk's top table is visited once after its entries, in
 * the WALK_POST of the entry that points to it; the top table itself is
 * the caller's to finish after walk_range() returns.
 */
#ifndef SLAT_LIB_WALK_H
#define SLAT_LIB_WALK_H

#include "core.h"
#include "range_lock.h"

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
	unsigned top;    /* level of the table the walk starts in */
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
	const unsigned top = t->lay.levels - 1u;

	w->t = t;
	w->lay = &t->lay;
	w->addr = start;
	w->end = end;
	w->fresh = 0;
	w->child = 0;
	w->op = op;
	w->top = top;
	w->table[top] = t->root;
	w->table_pa[top] = t->root_pa;
}

/*
 * Walk the whole span of the table `table` (at `pa`, level `level`, its
 * first entry translating `base`) instead of a range from the root. The
 * table need not be linked; nothing above it is read.
 */
static inline void walk_init_subtree(struct walk *w, struct table_state *t,
				     uint64_t *table, uint64_t pa,
				     unsigned level, uint64_t base, void *op)
{
	walk_init(w, t, base, base + table_span(&t->lay, level), op);
	w->top = level;
	w->table[level] = table;
	w->table_pa[level] = pa;
}

/*
 * The common geometry, as constants: a 4 KiB granule, 9 index bits at
 * every level below the root, addresses at their own bit positions (EPT,
 * NPT, Stage-2 with 4 KiB pages). walk_range_() is compiled once with it
 * and once reading the layout, and each call picks one (table_state's
 * walk_std, from walk_std_geometry() when the table is made).
 * The root's index width varies with the input width: read once per walk.
 */
#define WALK_STD_GRANULE_LG2 12u
#define WALK_STD_BITS 9u

static inline bool walk_std_geometry(const struct slat_layout *l)
{
	unsigned level;

	if (l->granule_lg2 != WALK_STD_GRANULE_LG2 || l->oa_hi)
		return false;
	for (level = 0; level + 1u < l->levels; level++)
		if (l->bits[level] != WALK_STD_BITS)
			return false;
	return true;
}

static SLAT_ALWAYS_INLINE unsigned walk_shift(const struct slat_layout *l, unsigned level,
					      bool std)
{
	return std ? WALK_STD_GRANULE_LG2 + WALK_STD_BITS * level : l->shift[level];
}

/*
 * One step down the tree on the path of one address (walk_path() below,
 * and translate.c's lookup through the layout), by the rules
 * walk_range_() applies inline with its per-walk constants: the slot of
 * `addr` in `table` at `level`, and the table a table entry points to
 * (walk_range_() has the table's physical address at hand and calls
 * table_va() itself).
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

/*
 * The path of one base page, for the calls that change one (a fault's map,
 * a single unmap or protect) on a table whose walk is READ_STD_3, _4 or _5:
 * walk_path() follows the address from the root through every entry that
 * is a sound table (read_state::table_mask: present, of the table type, no
 * address bit outside the physical width) and stops at level 0 or at the
 * first entry that is anything else. Nothing is judged or changed: the
 * caller handles the common endings itself and hands every other one to
 * the range walk (walk_range()) before it changes anything. `levels` is a
 * constant: each operation compiles its path once per depth.
 *
 * The gates: read_state::std4_limit is 2^ia_bits on a READ_STD_4 table
 * that is alive and not SLAT_FEAT_CONCURRENT, 0 otherwise, so that one
 * comparison of the address says the 4-level path may be taken and the
 * address is inside the input width (walk_path_ok()); path_limit says the
 * same for every depth (walk_path_any()), asked only when the first fails.
 */
#define PATH_LEVELS_MAX 5u

struct walk_path {
	uint64_t *table[PATH_LEVELS_MAX]; /* the table at each level, down to `level` */
	uint64_t *slot;                   /* where the walk stopped */
	uint64_t entry;                   /* its value */
	unsigned level;
};

static SLAT_ALWAYS_INLINE bool walk_path_ok(const struct table_state *t,
					    uint64_t addr, uint64_t size)
{
	return size == 1ull << WALK_STD_GRANULE_LG2 && addr < t->read.std4_limit &&
	       !(addr & (size - 1));
}

/* Any depth: the levels of the path, 0 when there is none. */
static SLAT_ALWAYS_INLINE unsigned walk_path_any(const struct table_state *t,
						 uint64_t addr, uint64_t size)
{
	if (size != 1ull << WALK_STD_GRANULE_LG2 || addr >= t->read.path_limit ||
	    (addr & (size - 1)))
		return 0;
	return 3u + (t->read.walk - READ_STD_3);
}

/*
 * A SLAT_FEAT_CONCURRENT table of the same geometry: PATH_CONC and the
 * levels of the path, 0 when there is none. Its calls take the path under
 * a hold of their page (range_lock.h), as the range walk does, and leave
 * what concerns shared tables to the same helpers.
 */
#define PATH_CONC 8u

static SLAT_ALWAYS_INLINE unsigned walk_path_conc(const struct table_state *t,
						  uint64_t addr, uint64_t size)
{
	if (!SLAT_UNLIKELY(t->concurrent) || t->read.walk == READ_GENERIC ||
	    size != 1ull << WALK_STD_GRANULE_LG2 || (addr & (size - 1)) ||
	    (addr >> t->lay.ia_bits))
		return 0;
	return PATH_CONC | (3u + (t->read.walk - READ_STD_3));
}

static SLAT_ALWAYS_INLINE void walk_path(const struct table_state *t, uint64_t addr,
					 unsigned levels, struct walk_path *p)
{
	const struct slat_layout *l = &t->lay;
	/* Read once: the entry loads would have them loaded again. */
	const uint64_t table_mask = t->read.table_mask, table_val = t->read.table_val;
	const uint64_t addr_mask = l->addr_mask, offset = t->linear_offset;
	uint64_t *table = t->root;
	unsigned level;

#pragma GCC unroll 5
	for (level = levels - 1u; level > 0; level--) {
		uint64_t *slot = walk_step_slot(l, table, level, addr, true,
						level == levels - 1u);
		/* table_val's bits are outside addr_mask: x holds the address. */
		uint64_t x = entry_load(slot) ^ table_val;

		p->table[level] = table;
		if (SLAT_UNLIKELY(x & table_mask)) {
			p->slot = slot;
			p->entry = x ^ table_val;
			p->level = level;
			return;
		}
		table = walk_step_table(t, x, true, addr_mask, offset);
	}
	p->table[0] = table;
	p->slot = walk_step_slot(l, table, 0, addr, true, levels == 1u);
	p->entry = entry_load(p->slot);
	p->level = 0;
}

/*
 * The loop itself, `std` a constant. The layout's masks are read into
 * locals first: entries are stored through uint64_t pointers, which the
 * compiler must otherwise assume may change the layout.
 */
static SLAT_ALWAYS_INLINE int walk_range_(struct walk *w, walk_visitor check,
					  walk_visitor visit, bool std)
{
	const struct slat_layout *l = w->lay;
	const unsigned top = w->top;
	const unsigned top_bits = l->bits[top];
	const uint64_t present = l->present, type_mask = l->type_mask;
	const uint64_t table_type = l->table_type, addr_mask = l->addr_mask;
	unsigned level = top;
	uint64_t *table = w->table[top];
	int r;

	for (;;) {
		const unsigned shift = walk_shift(l, level, std);
		const unsigned bits = level == top ? top_bits
						   : std ? WALK_STD_BITS : l->bits[level];
		uint64_t *slot = &table[(w->addr >> shift) & ((1ull << bits) - 1)];
		uint64_t e = entry_load(slot);

		w->level = level;
		w->slot = slot;
		w->entry = e;
		w->base = w->addr & ~((1ull << shift) - 1);
		/* entry_is_table(): a table is present to the hardware. */
		if (level > 0 && (e & present) && (e & type_mask) == table_type) {
			if (check && (r = check(w, WALK_PRE)) < 0)
				return -r;
			r = visit(w, WALK_PRE);
			if (r == WALK_DESCEND) {
				w->child_pa = std ? e & addr_mask : entry_table_addr(l, e);
				w->child = (uint64_t *)table_va(w->t, w->child_pa);
			}
		} else {
			if (check && (r = check(w, WALK_LEAF)) < 0)
				return -r;
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
			w->addr = w->base + (1ull << shift);

		/* Climb out of every table this step finished. */
		while (level < top &&
		       (w->addr >= w->end ||
			(w->addr & ((1ull << (walk_shift(l, level, std) +
					      (std ? WALK_STD_BITS : l->bits[level]))) - 1)) == 0)) {
			level++;
			w->level = level;
			w->slot = w->parent[level - 1];
			w->entry = entry_load(w->slot);
			w->base = (w->addr - 1) & ~((1ull << walk_shift(l, level, std)) - 1);
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
 * walk_range() with a `check` visitor (or 0) asked first at every WALK_PRE
 * and WALK_LEAF: its negative answer stops the walk before `visit` sees
 * the entry; any other answer is ignored. walk_change() uses it to walk a
 * one-page call once.
 */
static SLAT_ALWAYS_INLINE int walk_range_checked(struct walk *w, walk_visitor check,
						 walk_visitor visit)
{
	if (w->t->walk_std) /* walk_std_geometry(), when the table was made */
		return walk_range_(w, check, visit, true);
	return walk_range_(w, check, visit, false);
}

static SLAT_ALWAYS_INLINE int walk_range(struct walk *w, walk_visitor visit)
{
	return walk_range_checked(w, 0, visit);
}

/*
 * Give back the fresh tables on the path of a walk that stopped with an
 * error. None was linked (a fresh table is linked in WALK_POST, once it is
 * complete), so no walker has seen them and they go straight back.
 */
static inline void walk_drop_fresh(struct walk *w)
{
	uint32_t fresh = w->fresh;

	while (fresh) {
		unsigned level = (unsigned)__builtin_ctz(fresh);

		fresh &= fresh - 1;
		w->t->alloc.free(w->t->alloc.ctx, w->table[level],
				 w->table_pa[level], w->lay->granule_lg2);
	}
	w->fresh = 0;
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
static void walk_link_fresh_(struct walk *w, struct gather_state *g);

/* Inline, the test: most climbs link nothing. */
static SLAT_ALWAYS_INLINE bool walk_link_fresh(struct walk *w, struct gather_state *g)
{
	if (!(w->fresh & (1u << (w->level - 1))))
		return false;
	walk_link_fresh_(w, g);
	return true;
}

static __attribute__((unused)) void walk_link_fresh_(struct walk *w,
						     struct gather_state *g)
{
	const unsigned level = w->level;
	uint64_t *child = w->table[level - 1];
	uint64_t pa = w->table_pa[level - 1];

	pages_add(w->t, 1, page_tag(pa));
	/* Zeroing and filling were plain stores: the whole page reaches
	 * memory before the entry that makes it reachable. */
	table_clean(w->t, child, 1ull << w->lay->granule_lg2);
	if (SLAT_UNLIKELY(w->t->concurrent) && !walk_in_fresh(w) &&
	    fresh_link_shared(w->t, w->slot, child, pa, level - 1)) {
		/* An absent entry of a table other calls may share. */
	} else if (entry_present(w->lay, w->entry)) {
		leaf_to_table(w->t, w->slot, w->replaced[level], child, pa, level,
			      w->base, !walk_in_fresh(w), g);
	} else {
		entry_store(w->slot, w->lay->table_tmpl | addr_entry(w->lay, pa));
		table_clean(w->t, w->slot, sizeof(*w->slot));
	}
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
	bool once_ok; /* the visitors may walk a one-page call once (below) */
	bool once;    /* it is walked once: `need` is not used */
	struct conc_call *conc; /* SLAT_FEAT_CONCURRENT only: walk_change()'s */
};

static inline void change_init(struct change *c, struct gather_state *g)
{
	c->need = 0;
	c->res.head = 0;
	c->res.count = 0;
	c->g = g;
	c->settle = false;
	c->once_ok = false;
	c->once = false;
}

/*
 * The next fresh table of an applying walk: one the counting walk
 * reserved, or, when there is none, one allocated now. That is the rule of
 * a call walked once (below), where the error return changes nothing; with
 * two walks it is reached only if the count was wrong, which must not trap
 * the host (the call then returns the allocator's error with the part
 * already applied in place, still a valid table).
 */
static inline int change_take(struct walk *w, struct change *c)
{
	if (SLAT_UNLIKELY(!c->res.count)) {
		int err = reserve_fill(w->t, &c->res, 1);

		if (err)
			return -err;
	}
	w->child = reserve_take(&c->res, &w->child_pa);
	return WALK_DESCEND;
}

/*
 * The all-or-nothing rule, in one place: walk once with `prepare`, which
 * changes nothing and may fail (collisions, corrupt entries, what the
 * format cannot express) and counts pages; reserve them (may fail); then
 * walk again with `apply`, which cannot fail, and give back any surplus.
 * Only when the second walk starts is the gather bound to the table.
 *
 * A call of one base page (a fault, a single unmap) is walked once, with
 * `prepare` asked first at every entry: the range lies under one entry at
 * every level, so each entry is checked before anything below it changes,
 * and every change (the leaf, then the links and unlinks while climbing)
 * comes after the last check. Tables are allocated as the walk needs them
 * (change_take()); a failure on the way down has changed nothing but
 * fresh tables no walker has seen, which go straight back. Not with
 * `settle`, which must invalidate before the first change but only when
 * the call will succeed.
 */
static SLAT_ALWAYS_INLINE int walk_change_(struct table_state *t, uint64_t start,
					   uint64_t end, struct change *c,
					   walk_visitor prepare, walk_visitor apply)
{
	const struct table_state *bound = c->g->table;
	struct walk w;
	int err;

	if (c->once_ok && end - start == level_size(&t->lay, 0) && !c->settle) {
		c->once = true;
		c->g->table = t;
		walk_init(&w, t, start, end, c);
		err = walk_range_checked(&w, prepare, apply);
		if (err) {
			walk_drop_fresh(&w);
			c->g->table = bound;
		}
		reserve_release(t, &c->res);
		return err;
	}
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
	err = walk_range(&w, apply);
	if (err)
		walk_drop_fresh(&w);
	reserve_release(t, &c->res);
	return err;
}

/* With SLAT_FEAT_CONCURRENT, under the call's range lock (range_lock.h). */
static SLAT_ALWAYS_INLINE int walk_change(struct table_state *t, uint64_t start,
					  uint64_t end, struct change *c,
					  walk_visitor prepare, walk_visitor apply)
{
	const bool conc = SLAT_UNLIKELY(t->concurrent);
	struct conc_call cc;
	int err;

	if (conc) {
		cc.nreclaim = 0;
		c->conc = &cc;
		range_hold(t, &cc.hold, start, end);
	}
	err = walk_change_(t, start, end, c, prepare, apply);
	if (conc)
		conc_call_end(t, &cc, c->g);
	return err;
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
