/* SPDX-License-Identifier: MIT */
/*
 * Leaf encoding through the backend, plus the software bits, which the core
 * owns: the backend only says which entry bits are free for them.
 */

#include "fill.h"

static uint64_t sw_encode(const struct slat_layout *l, unsigned sw)
{
	uint64_t bits = 0;
	unsigned i;

	for (i = 0; i < l->sw_count; i++)
		if (sw & (1u << i))
			bits |= 1ull << l->sw_pos[i];
	return bits;
}

static uint8_t sw_decode(const struct slat_layout *l, uint64_t e)
{
	unsigned i, sw = 0;

	for (i = 0; i < l->sw_count; i++)
		if (e & (1ull << l->sw_pos[i]))
			sw |= 1u << i;
	return (uint8_t)sw;
}

/* Checks of an attribute set that do not depend on the format. */
int attrs_check(const struct table_state *t, const struct slat_attrs *a)
{
	if (a->perms & ~SLAT_PERM_ALL)
		return SLAT_EFLAGS;
	if (a->memtype >= SLAT_MT_COUNT || a->share > SLAT_SH_NONE)
		return SLAT_EMEMTYPE;
	if (a->flags & ~SLAT_ATTR_MT_FORCE)
		return SLAT_EFLAGS;
	if (a->sw >> t->lay.sw_count)
		return SLAT_ESWBITS;
	if (a->key && (!(t->features & SLAT_FEAT_KEYS) || a->key > t->caps.key_max))
		return SLAT_EKEY;
	return SLAT_OK;
}

/*
 * Under the iTLB-multihit policy (SLAT_FEAT_NX_HUGE) a leaf above the base
 * page never grants execute: asked-for execute is written as the layout's
 * sw_exec bit instead, and decoded back from it, so that every operation
 * sees the mapping's attributes as they were asked (a protect keeps the
 * request, a split hands it to the pieces, which at the base page get X
 * itself). Without read or write there would be nothing left to map
 * large: such a mapping takes base pages (SLAT_EPAGESIZE here).
 */
static bool nx_huge(const struct slat_layout *l, unsigned level,
		    const struct slat_attrs *a)
{
	return l->sw_exec && level > 0 && (a->perms & SLAT_PERM_X);
}

int attrs_encode(const struct table_state *t, unsigned level,
		const struct slat_attrs *a, uint64_t *tmpl)
{
	const struct slat_layout *l = &t->lay;
	struct slat_attrs nx;
	int err;

	if (nx_huge(l, level, a)) {
		/* What the format cannot express at all is refused as it
		 * would be without the policy, whatever the leaf size. */
		nx = *a;
		nx.perms &= (uint8_t)~SLAT_PERM_X;
		err = t->fmt->leaf_encode(t, level, a, tmpl);
		if (!err && !nx.perms)
			err = SLAT_EPAGESIZE;
		if (!err)
			err = t->fmt->leaf_encode(t, level, &nx, tmpl);
		*tmpl |= l->sw_exec;
	} else {
		err = t->fmt->leaf_encode(t, level, a, tmpl);
	}
	if (err)
		return err;
	*tmpl |= sw_encode(l, a->sw);
	return SLAT_OK;
}

void attrs_decode(const struct table_state *t, unsigned level, uint64_t e,
		 struct slat_attrs *a)
{
	a->key = 0; /* for formats without keys */
	t->fmt->leaf_decode(t, level, e, a);
	a->sw = sw_decode(&t->lay, e);
	if (level > 0 && (e & t->lay.sw_exec))
		a->perms |= SLAT_PERM_X;
}

int leaf_templates(const struct table_state *t, const struct slat_attrs *a,
		   unsigned levels_mask, struct leaf_tmpl *out)
{
	unsigned level;
	int err = attrs_check(t, a);

	if (err)
		return err;
	for (level = 0; level < t->lay.levels; level++) {
		if (!(levels_mask & (1u << level)))
			continue;
		err = attrs_encode(t, level, a, &out->bits[level]);
		if (err)
			return err;
	}
	return SLAT_OK;
}

/* With a split address field (Arm 64K, 52 bits); fill_run() otherwise. */
static void fill_leaves(uint64_t *child, uint64_t n, uint64_t tmpl,
			uint64_t oa, uint64_t step, uint64_t hi, unsigned hs)
{
	uint64_t i;

	for (i = 0; i < n; i++, oa += step)
		child[i] = tmpl | addr_entry_split(oa, hi, hs);
}

void leaf_split_write(const struct table_state *t, unsigned level, uint64_t old,
		      uint64_t tmpl, uint64_t *child)
{
	const struct slat_layout *l = &t->lay;
	const unsigned cl = level - 1;
	const uint64_t step = level_size(l, cl);
	uint64_t oa = entry_leaf_addr(l, level, old);
	const uint64_t n = table_entries(l, cl);

	if (l->oa_hi)
		fill_leaves(child, n, tmpl, oa, step, l->oa_hi, l->oa_hi_shift);
	else
		fill_run(child, n, tmpl, oa, step);
}

void leaf_split_fill(const struct table_state *t, unsigned level, uint64_t old,
		     uint64_t *child)
{
	struct slat_attrs a;
	uint64_t tmpl;

	attrs_decode(t, level, old, &a);
	/* Cannot fail: the attributes come from a leaf of the same table,
	 * and every format expresses the same attributes at every level. */
	if (attrs_encode(t, level - 1, &a, &tmpl))
		__builtin_trap();
	leaf_split_write(t, level, old, leaf_keep_hw(&t->lay, tmpl, old), child);
}

int leaf_faithful(const struct table_state *t, unsigned level, uint64_t e,
		  struct slat_attrs *a)
{
	const struct slat_layout *l = &t->lay;
	uint64_t tmpl;

	attrs_decode(t, level, e, a);
	if (attrs_check(t, a) || attrs_encode(t, level, a, &tmpl))
		return SLAT_ECORRUPT;
	tmpl = leaf_keep_hw(l, tmpl, e);
	if ((tmpl ^ e) & l->attr_mask[level])
		return SLAT_ECORRUPT;
	return SLAT_OK;
}

int leaf_split_tmpl(const struct table_state *t, unsigned level, uint64_t old,
		    uint64_t *tmpl)
{
	struct slat_attrs a;

	/* The pieces are leaves one level down: that level must hold them
	 * (a hand-written leaf above a hole in the leaf levels cannot be
	 * split; libslat never writes one). */
	if (!(t->lay.leaf_levels_hw & (1u << (level - 1))))
		return SLAT_ECORRUPT;
	if (leaf_faithful(t, level, old, &a) || attrs_encode(t, level - 1, &a, tmpl))
		return SLAT_ECORRUPT;
	*tmpl = leaf_keep_hw(&t->lay, *tmpl, old);
	return SLAT_OK;
}

int leaf_split_check(const struct table_state *t, unsigned level, uint64_t old)
{
	uint64_t tmpl;

	return leaf_split_tmpl(t, level, old, &tmpl);
}
