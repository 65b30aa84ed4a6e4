/* SPDX-License-Identifier: MIT */
/* slat_hw_access(): the hardware's side of accessed/dirty tracking. */

#include <slat/hwsim.h>
#include <slat/lookup.h>

#include "core.h"
#include "range_lock.h"

static int hw_access(struct table_state *t, slat_gpa_t gpa, bool write);

/* Under SLAT_FEAT_CONCURRENT a lock-free reader, like the hardware walker
 * it stands for. */
int slat_hw_access(struct slat_table *t_pub, slat_gpa_t gpa, bool write)
{
	struct table_state *t = table_of(t_pub);
	unsigned tok;
	int err;

	if (!t)
		return SLAT_ENULL;
	tok = reader_enter(t);
	err = hw_access(t, gpa, write);
	reader_leave(t, tok);
	return err;
}

static int hw_access(struct table_state *t, slat_gpa_t gpa, bool write)
{
	const struct slat_layout *l;
	struct slat_attrs a;
	uint64_t *slot, e, set;
	unsigned level;
	int err;

	if (!t->root)
		return SLAT_EDEAD;
	l = &t->lay;
	if (gpa.v >> l->ia_bits)
		return SLAT_EGPA;
	err = leaf_find(t, gpa.v, &slot, &level);
	if (err)
		return err;
	e = entry_load(slot);
	attrs_decode(t, level, e, &a);
	if (!(a.perms & (write ? SLAT_PERM_W : SLAT_PERM_R)))
		return SLAT_EPERM;
	if (!(t->features & SLAT_FEAT_AD))
		return SLAT_OK;
	set = l->accessed;
	if (write && (e & l->dirty_gate) == l->dirty_gate)
		set |= l->dirty;
	/* One atomic OR, as the hardware's locked update. */
	__atomic_fetch_or(slot, set, __ATOMIC_RELAXED);
	return SLAT_OK;
}
