/* SPDX-License-Identifier: MIT */
/*
 * slat_translate() and slat_translate_perms(): one guest-physical address,
 * walked as the hardware does.
 *
 * The lookup is the range walker's descent step (walk.h walk_step_*())
 * applied to one address, compiled twice: once with the layout's geometry
 * read at run time, once per level count with the common geometry as
 * constants (core.h READ_STD_*). Which one a call takes is chosen once,
 * from t->read.walk, which slat_table_init() sets.
 */

#include <slat/lookup.h>

#include "range_lock.h"
#include "walk.h"

/* Fill `m` from the leaf `e` at `level` for the address `gpa`. */
void mapping_fill(const struct table_state *t, unsigned level, uint64_t e,
		  uint64_t gpa, uint64_t end, struct slat_mapping *m)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t off = gpa & level_mask(l, level);
	const uint64_t leaf_end = (gpa | level_mask(l, level)) + 1;

	m->gpa = slat_gpa(gpa);
	m->hpa = slat_hpa(entry_leaf_addr(l, level, e) + off);
	m->size = (end && end < leaf_end ? end : leaf_end) - gpa;
	attrs_decode(t, level, e, &m->attrs);
	m->page_lg2 = l->shift[level];
	m->level = (uint8_t)level;
	m->accessed = l->accessed && (t->features & SLAT_FEAT_AD) &&
		      (e & l->accessed);
	/* The hardware's dirty state or the copy libslat keeps of it. */
	m->dirty = leaf_dirty(l, e);
	m->entry = e;
}

/* In t->read.leaf[]: not a valid leaf at level 0 (!entry_is_page()). */
#define READ_NOT_PAGE 0x80u

/* The leaf's index into t->read.leaf[] (read_setup()). */
static SLAT_ALWAYS_INLINE unsigned leaf_index(const struct read_state *r,
					      uint64_t e)
{
	return (unsigned)(((e & r->index_mask) * r->index_mul) >> 57);
}

/* A leaf a lookup found: `slot` holds `e`, a leaf at `level`. */
struct leaf_at {
	uint64_t *slot;
	uint64_t e;
	unsigned level;
};

/*
 * The lookup of `gpa` (already checked against the input width) from
 * `table` at `level` down, with the geometry the layout gives: the rule
 * for every entry the walk may meet. SLAT_ENOENT where nothing is mapped,
 * SLAT_ECORRUPT for an entry the walk cannot use.
 */
static SLAT_ALWAYS_INLINE int
lookup_layout(const struct table_state *t, uint64_t gpa, uint64_t *table,
	      unsigned level, struct leaf_at *r)
{
	const struct slat_layout *l = &t->lay;
	const unsigned top = l->levels - 1u;
	uint64_t *p;
	uint64_t e;

	for (; level > 0; level--) {
		p = walk_step_slot(l, table, level, gpa, false, level == top);
		e = entry_load(p);
		if (!entry_present(l, e))
			return SLAT_ENOENT;
		if (!entry_is_table(l, level, e)) {
			if (!(l->leaf_levels_hw & (1u << level)))
				return SLAT_ECORRUPT; /* a leaf where the hardware takes none */
			goto found;
		}
		if (e & l->addr_field & ~l->addr_mask)
			return SLAT_ECORRUPT;
		table = walk_step_table(t, e, false, 0, 0);
	}
	p = walk_step_slot(l, table, 0, gpa, false, top == 0);
	e = entry_load(p);
	if (!entry_is_page(l, e))
		return SLAT_ENOENT; /* nothing, or invalid to the hardware */
found:
	r->slot = p;
	r->e = e;
	r->level = level;
	return SLAT_OK;
}

/*
 * What a lookup does with the leaf it found: `slot` holds `e`, a leaf at
 * `level`, in a table of the common geometry when `std` (then `level` is
 * a constant in each inlined copy). Returns the call's result. With
 * `std` and level 0 the function also judges whether `e` is a leaf at
 * all (entry_is_page(), leaf_page()): it may read that from the same
 * table entry as the permissions.
 */
typedef int (*lookup_leaf_fn)(const struct table_state *t, uint64_t gpa,
			      uint64_t *slot, uint64_t e, unsigned level,
			      bool std, void *ctx);

/*
 * The same from `table` at `level` down with lookup_layout(): a call of
 * its own (no registers saved on the common path), written per leaf
 * function with LOOKUP_REST().
 */
typedef int (*lookup_rest_fn)(const struct table_state *t, uint64_t gpa,
			      uint64_t *table, unsigned level, void *ctx);

#define LOOKUP_REST(name, leaf_fn)						\
	static __attribute__((noinline)) int					\
	name(const struct table_state *t, uint64_t gpa, uint64_t *table,	\
	     unsigned level, void *ctx)					\
	{									\
		struct leaf_at r;						\
		int err = lookup_layout(t, gpa, table, level, &r);		\
										\
		if (err)							\
			return err;						\
		return leaf_fn(t, gpa, r.slot, r.e, r.level, false, ctx);	\
	}

/*
 * READ_STD_*: the byte offset of the slot of `gpa` in its table at
 * `level` (walk.h walk_step_slot() with `std`, scaled to bytes so that
 * the shift and the mask give the offset directly).
 */
static SLAT_ALWAYS_INLINE uint64_t std_slot_offset(uint64_t gpa, unsigned level,
						   bool root)
{
	if (root)
		return (gpa >> (12u + 9u * level)) << 3;
	return (gpa >> (9u + 9u * level)) & (511u << 3);
}

/*
 * The lookup of `gpa` (already checked against the input width), its
 * leaf handed to `leaf`. With `std` (READ_STD_<std_levels>), a table entry
 * as libslat writes it is followed after one test on e ^ table_val (whose
 * address bits are e's: table_val holds none); at anything else the
 * lookup goes on from that table with lookup_layout(), which reads the
 * entry again and applies the whole rule, so the fast test changes no
 * answer. That is also the path of a large leaf.
 */
static SLAT_ALWAYS_INLINE int lookup(const struct table_state *t, uint64_t gpa,
				     bool std, unsigned std_levels,
				     lookup_leaf_fn leaf, lookup_rest_fn rest,
				     void *ctx)
{
	const struct slat_layout *l = &t->lay;

	if (std) {
		/*
		 * The masks and the offset are read again after each entry
		 * (the entry loads are acquires), as memory operands of the
		 * instructions that use them: no instruction of their own,
		 * where holding them in registers takes one each. Only the
		 * test's mask is held (a test takes no second memory operand).
		 */
		const uint64_t table_mask = t->read.table_mask;
		const unsigned top = std_levels - 1u;
		uintptr_t table = (uintptr_t)t->root;
		unsigned level;
		uint64_t *p;
		uint64_t e;

#pragma GCC unroll 5
		for (level = top; level > 0; level--) {
			const uint64_t *slot = (const uint64_t *)
				(table + std_slot_offset(gpa, level, level == top));
			uint64_t x = entry_load(slot) ^ t->read.table_val;

			if (__builtin_expect(x & table_mask, 0))
				return rest(t, gpa, (uint64_t *)table, level, ctx);
			table = (uintptr_t)((x & l->addr_mask) + t->linear_offset);
		}
		/* The table, then the slot: reassociated, the offset would be
		 * added last, one instruction more. */
		__asm__("" : "+r"(table));
		p = (uint64_t *)(table + std_slot_offset(gpa, 0, top == 0));
		e = entry_load(p);
		return leaf(t, gpa, p, e, 0, true, ctx);
	}
	return rest(t, gpa, t->root, l->levels - 1u, ctx);
}

/* entry_is_page() from the leaf index, for READ_STD_* (which has one). */
static SLAT_ALWAYS_INLINE bool leaf_page(const struct table_state *t, uint64_t e)
{
	return !(t->read.leaf[leaf_index(&t->read, e)] & READ_NOT_PAGE);
}

static SLAT_ALWAYS_INLINE int leaf_at_fill(const struct table_state *t,
					  uint64_t gpa, uint64_t *slot,
					  uint64_t e, unsigned level, bool std,
					  void *ctx)
{
	struct leaf_at *r = (struct leaf_at *)ctx;

	(void)gpa;
	if (std && level == 0 && !leaf_page(t, e))
		return SLAT_ENOENT; /* nothing, or invalid to the hardware */
	r->slot = slot;
	r->e = e;
	r->level = level;
	return SLAT_OK;
}

LOOKUP_REST(leaf_at_rest, leaf_at_fill)

int leaf_find(const struct table_state *t, uint64_t gpa, uint64_t **slot,
	      unsigned *level_out)
{
	struct leaf_at r;
	int err;

	switch (t->read.walk) {
	case READ_STD_3: err = lookup(t, gpa, true, 3, leaf_at_fill, leaf_at_rest, &r); break;
	case READ_STD_4: err = lookup(t, gpa, true, 4, leaf_at_fill, leaf_at_rest, &r); break;
	case READ_STD_5: err = lookup(t, gpa, true, 5, leaf_at_fill, leaf_at_rest, &r); break;
	default: err = leaf_at_rest(t, gpa, t->root, t->lay.levels - 1u, &r); break;
	}
	if (err)
		return err;
	*slot = r.slot;
	*level_out = r.level;
	return SLAT_OK;
}

static SLAT_ALWAYS_INLINE int mapping_leaf(const struct table_state *t,
					  uint64_t gpa, uint64_t *slot,
					  uint64_t e, unsigned level, bool std,
					  void *ctx)
{
	(void)slot;
	if (std && level == 0 && !leaf_page(t, e))
		return SLAT_ENOENT; /* nothing, or invalid to the hardware */
	mapping_fill(t, level, e, gpa, 0, (struct slat_mapping *)ctx);
	return SLAT_OK;
}

LOOKUP_REST(mapping_rest, mapping_leaf)

static SLAT_ALWAYS_INLINE int translate_any(const struct table_state *t, uint64_t gpa,
					    struct slat_mapping *m)
{
	switch (t->read.walk) {
	case READ_STD_3: return lookup(t, gpa, true, 3, mapping_leaf, mapping_rest, m);
	case READ_STD_4: return lookup(t, gpa, true, 4, mapping_leaf, mapping_rest, m);
	case READ_STD_5: return lookup(t, gpa, true, 5, mapping_leaf, mapping_rest, m);
	default: return mapping_rest(t, gpa, t->root, t->lay.levels - 1u, m);
	}
}

/* SLAT_FEAT_CONCURRENT: the same lookup as a lock-free reader (range_lock.h). */
static __attribute__((noinline)) int translate_reader(const struct table_state *t,
						     uint64_t gpa, struct slat_mapping *m)
{
	unsigned tok = reader_enter(t);
	int err = translate_any(t, gpa, m);

	reader_leave(t, tok);
	return err;
}

int slat_translate(const struct slat_table *t_pub, slat_gpa_t gpa,
		   struct slat_mapping *m)
{
	const struct table_state *t = table_of_c(t_pub);

	if (!t || !m)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (gpa.v >> t->lay.ia_bits)
		return SLAT_EGPA;
	if (SLAT_UNLIKELY(t->concurrent))
		return translate_reader(t, gpa.v, m);
	return translate_any(t, gpa.v, m);
}

/*
 * The permissions of the leaf `e` at `level`, as attrs_decode() gives
 * them: from t->read.leaf[] without a call into the backend; through
 * the backend where the format gives no leaf index.
 */
static SLAT_ALWAYS_INLINE unsigned leaf_perms(const struct table_state *t,
					      unsigned level, uint64_t e,
					      bool have_index)
{
	unsigned perms;

	if (!have_index) {
		struct slat_attrs a;

		attrs_decode(t, level, e, &a);
		return a.perms;
	}
	perms = t->read.leaf[leaf_index(&t->read, e)] & ~READ_NOT_PAGE;
	/* The iTLB-multihit policy's remembered execute (leaf.c nx_huge()). */
	if (level > 0 && (e & t->lay.sw_exec))
		perms |= SLAT_PERM_X;
	return perms;
}

static SLAT_ALWAYS_INLINE int perms_fill(const struct table_state *t,
					 uint64_t gpa, uint64_t *slot,
					 uint64_t e, unsigned level, bool std,
					 void *ctx)
{
	const struct slat_layout *l = &t->lay;
	struct slat_translation *out = (struct slat_translation *)ctx;
	const unsigned shift = std ? 12u + 9u * level : l->shift[level];
	const uint64_t mask = (1ull << shift) - 1;
	/* READ_STD_* layouts keep no address bits below the granule. */
	const uint64_t oa = std ? e & l->addr_mask : entry_addr(l, e);

	(void)slot;
	if (std && level == 0) {
		/* Validity and permissions from one byte of the leaf table. */
		const unsigned v = t->read.leaf[leaf_index(&t->read, e)];

		if (__builtin_expect(v & READ_NOT_PAGE, 0))
			return SLAT_ENOENT; /* nothing, or invalid to the hardware */
		out->hpa = slat_hpa(oa | (gpa & mask));
		out->perms = (uint8_t)v;
		out->page_lg2 = (uint8_t)shift;
		return SLAT_OK;
	}
	out->hpa = slat_hpa((level || !std ? oa & ~mask : oa) | (gpa & mask));
	out->perms = (uint8_t)leaf_perms(t, level, e, std || t->read.index_mask);
	out->page_lg2 = (uint8_t)shift;
	return SLAT_OK;
}

LOOKUP_REST(perms_rest, perms_fill)

static SLAT_ALWAYS_INLINE int translate_perms(const struct table_state *t,
					      uint64_t gpa, bool std,
					      unsigned std_levels,
					      struct slat_translation *out)
{
	if (gpa >> t->lay.ia_bits)
		return SLAT_EGPA;
	return lookup(t, gpa, std, std_levels, perms_fill, perms_rest, out);
}

/* Every walk but the most common one, out of line so that it costs that
 * one nothing (no registers saved). */
static __attribute__((noinline)) int
translate_perms_any(const struct table_state *t, uint64_t gpa,
		    struct slat_translation *out)
{
	switch (t->read.walk) {
	case READ_STD_3: return translate_perms(t, gpa, true, 3, out);
	case READ_STD_4: return translate_perms(t, gpa, true, 4, out); /* EGPA */
	case READ_STD_5: return translate_perms(t, gpa, true, 5, out);
	default: break;
	}
	if (!t->root)
		return SLAT_EDEAD;
	return translate_perms(t, gpa, false, 0, out);
}

/*
 * Everything but the common 4-level walk of a single-thread table; under
 * SLAT_FEAT_CONCURRENT the lookup as a lock-free reader (range_lock.h).
 */
static __attribute__((noinline)) int
translate_perms_other(const struct table_state *t, uint64_t gpa,
		      struct slat_translation *out)
{
	unsigned tok;
	int err;

	if (!t->root || !SLAT_UNLIKELY(t->concurrent))
		return translate_perms_any(t, gpa, out);
	tok = reader_enter(t);
	err = translate_perms_any(t, gpa, out);
	reader_leave(t, tok);
	return err;
}

int slat_translate_perms(const struct slat_table *t_pub, slat_gpa_t gpa,
			 struct slat_translation *out)
{
	const struct table_state *t = table_of_c(t_pub);

	if (!t || !out)
		return SLAT_ENULL;
	/* One test for the walk and the input width (read_state::std4_limit). */
	if (__builtin_expect(gpa.v < t->read.std4_limit, 1))
		return lookup(t, gpa.v, true, 4, perms_fill, perms_rest, out);
	return translate_perms_other(t, gpa.v, out);
}

/* ---- set-up ----------------------------------------------------------- */

/*
 * The leaf table: for each value of the leaf index the backend defines
 * (slat_layout::leaf_index_mask and leaf_index_mul), the permissions its
 * own decoder gives and whether entry_is_page() holds. Every combination
 * of the mask's bits is tried: the index is used only when the mask
 * holds every bit those answers depend on that the core knows of, and
 * no two combinations with different answers share an index. Returns
 * whether the index is usable.
 */
static bool index_setup(struct table_state *t)
{
	const struct slat_layout *l = &t->lay;
	struct read_state *r = &t->read;
	const uint64_t m = l->leaf_index_mask;
	const uint64_t mul = l->leaf_index_mul;
	uint8_t seen[128];
	unsigned k = 0, i, j;

	for (i = 0; i < 64; i++)
		k += (unsigned)((m >> i) & 1);
	if (!m || k > 7 || (l->present | l->noaccess | l->page_mask) & ~m)
		return false;
	__builtin_memset(seen, 0, sizeof(seen));
	for (i = 0; i < (1u << k); i++) {
		uint64_t e = 0, rest = i;
		struct slat_attrs a;
		unsigned idx, v;

		/* The i-th combination of the mask's bits. */
		for (j = 0; j < 64 && rest; j++) {
			if (m & (1ull << j)) {
				if (rest & 1)
					e |= 1ull << j;
				rest >>= 1;
			}
		}
		idx = (unsigned)(((e & m) * mul) >> 57);
		__builtin_memset(&a, 0, sizeof(a));
		t->fmt->leaf_decode(t, 0, e, &a);
		v = a.perms | (entry_is_page(l, e) ? 0 : READ_NOT_PAGE);
		if (seen[idx] && r->leaf[idx] != v)
			return false;
		seen[idx] = 1;
		r->leaf[idx] = (uint8_t)v;
	}
	r->index_mask = m;
	r->index_mul = mul;
	return true;
}

/* The common geometry: READ_STD_* in core.h. */
static bool std_geometry(const struct slat_layout *l)
{
	unsigned lv;

	if (l->granule_lg2 != 12 || l->oa_hi || l->levels < 3 || l->levels > 5)
		return false;
	for (lv = 0; lv < l->levels; lv++)
		if (l->shift[lv] != 12u + 9u * lv ||
		    (lv + 1u < l->levels && l->bits[lv] != 9))
			return false;
	return true;
}

void read_setup(struct table_state *t)
{
	const struct slat_layout *l = &t->lay;
	struct read_state *r = &t->read;
	const uint64_t tmpl_present = l->table_tmpl & l->present;

	__builtin_memset(r, 0, sizeof(*r));
	if (tmpl_present) {
		r->table_mask = l->type_mask | tmpl_present |
				(l->addr_field & ~l->addr_mask);
		r->table_val = l->table_type | tmpl_present;
	} else {
		r->table_mask = 0;
		r->table_val = 1; /* never: every entry takes the full rule */
	}
	r->walk = READ_GENERIC;
	/* table_mask 0 (a format whose tables have no present bit) would
	 * take every entry for a table on the fast walks: none then. */
	if (r->table_mask && index_setup(t) && std_geometry(l) && !(l->addr_mask & 0xfff) &&
	    (t->features & SLAT_FEAT_LINEAR_MAP))
		r->walk = (uint8_t)(READ_STD_3 + (l->levels - 3u));
	/* A concurrent table's readers register (translate_perms_other()). */
	if (r->walk == READ_STD_4 && !t->concurrent)
		r->std4_limit = 1ull << l->ia_bits;
	if (r->walk != READ_GENERIC && !t->concurrent)
		r->path_limit = 1ull << l->ia_bits;
}
