/* SPDX-License-Identifier: MIT */
/* slat_translate(): one guest-physical address, walked as the hardware does. */

#include <slat/lookup.h>

#include "core.h"
#include "range_lock.h"

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

/*
 * Find the leaf for `gpa`: its slot and level. Returns SLAT_ENOENT where
 * nothing is mapped and SLAT_ECORRUPT for an entry the walk cannot use.
 */
int leaf_find(const struct table_state *t, uint64_t gpa, uint64_t **slot,
	      unsigned *level_out)
{
	const struct slat_layout *l = &t->lay;
	/* Address bits a table entry may not have (entry_check_walkable()). */
	const uint64_t beyond = l->addr_field & ~l->addr_mask;
	unsigned level = l->levels - 1u;
	uint64_t *table = t->root;
	uint64_t *p;
	uint64_t e;

	for (;; level--) {
		p = &table[entry_index(l, level, gpa)];
		e = entry_load(p);
		if (!entry_present(l, e))
			return SLAT_ENOENT;
		if (level == 0 || !entry_is_table(l, level, e))
			break;
		if (e & beyond)
			return SLAT_ECORRUPT;
		table = (uint64_t *)table_va(t, entry_table_addr(l, e));
	}
	if (level == 0 && !entry_is_page(l, e))
		return SLAT_ENOENT; /* invalid to the hardware: nothing mapped */
	if (level > 0 && entry_check_walkable(t, level, e))
		return SLAT_ECORRUPT;
	*slot = p;
	*level_out = level;
	return SLAT_OK;
}

/* SLAT_FEAT_CONCURRENT: the same walk as a lock-free reader (range_lock.h). */
static __attribute__((noinline)) int translate_reader(const struct table_state *t,
						     uint64_t gpa,
						     struct slat_mapping *m)
{
	unsigned tok = reader_enter(t);
	uint64_t *slot;
	unsigned level;
	int err = leaf_find(t, gpa, &slot, &level);

	if (!err)
		mapping_fill(t, level, entry_load(slot), gpa, 0, m);
	reader_leave(t, tok);
	return err;
}

int slat_translate(const struct slat_table *t_pub, slat_gpa_t gpa,
		   struct slat_mapping *m)
{
	const struct table_state *t = table_of_c(t_pub);
	uint64_t *slot;
	unsigned level;
	int err;

	if (!t || !m)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (gpa.v >> t->lay.ia_bits)
		return SLAT_EGPA;
	if (SLAT_UNLIKELY(t->concurrent))
		return translate_reader(t, gpa.v, m);
	err = leaf_find(t, gpa.v, &slot, &level);
	if (err)
		return err;
	mapping_fill(t, level, entry_load(slot), gpa.v, 0, m);
	return SLAT_OK;
}
