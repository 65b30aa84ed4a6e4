/* SPDX-License-Identifier: MIT */
/*
 * slat_exec_fault(): the fetch that the iTLB-multihit policy deferred.
 *
 * A large leaf written without X records in the layout's sw_exec bit that
 * its mapping asked for execute (leaf.c). Splitting it down to the base
 * page hands that request to the pieces, and the base-page pieces get X
 * itself; slat_split() already does all of that, all-or-nothing, with the
 * edge splits only (one new table per level along the address).
 */

#include <slat/map.h>
#include <slat/multihit.h>

#include "core.h"
#include "range_lock.h"

int slat_exec_fault(struct slat_table *t_pub, slat_gpa_t gpa, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	const struct slat_layout *l;
	struct slat_attrs a;
	uint64_t *slot, e, page;
	unsigned level, tok;
	int err;

	if (!t || !g)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	l = &t->lay;
	if (!(t->features & SLAT_FEAT_NX_HUGE))
		return SLAT_ENOFEAT;
	if (gpa.v >> l->ia_bits)
		return SLAT_EGPA;
	/* A lock-free look first (SLAT_FEAT_CONCURRENT); slat_split() below
	 * takes the range and splits whatever it finds then. */
	tok = reader_enter(t);
	err = leaf_find(t, gpa.v, &slot, &level);
	e = err ? 0 : entry_load(slot);
	reader_leave(t, tok);
	if (err)
		return err;
	if (leaf_faithful(t, level, e, &a))
		return SLAT_ECORRUPT;
	if (!(a.perms & SLAT_PERM_X))
		return SLAT_EPERM;
	if (level == 0)
		return SLAT_OK; /* executable already: a stale translation */
	page = gpa.v & ~level_mask(l, 0);
	return slat_split(t_pub, slat_gpa(page), level_size(l, 0), l->granule_lg2, g_pub);
}
