/* SPDX-License-Identifier: MIT */
/*
 * The shape Intel EPT and AMD nested tables share with x86-64 long-mode
 * paging (Intel SDM vol. 3A §4.5 and vol. 3C §29.3.2; AMD APM vol. 2 §5.3):
 * 512-entry tables, 4 levels translating 48 bits or 5 translating 57, bit 7
 * of a PDPTE / PDE set for a 1 GiB / 2 MiB page, addresses in bits 51:12,
 * and no break-before-make.
 */
#ifndef SLAT_X86_LAYOUT_H
#define SLAT_X86_LAYOUT_H

#include "format.h"

#define X86_PS (1ull << 7) /* PDPTE/PDE: maps a page */

static inline void x86_layout(struct slat_layout *l, const struct slat_config *cfg,
			      const struct slat_caps *c, unsigned levels)
{
	/* Every table is a full page of 512 entries, the root included;
	 * only the input width limits which root entries are used. */
	slat_layout_geometry(l, 12, levels == 4 ? 48 : 57, levels);
	l->ia_bits = cfg->ia_bits;
	l->pa_bits = c->pa_bits;
	l->type_mask = X86_PS;
	l->table_type = 0;
	l->page_mask = 0;
	l->page_type = 0;
	l->addr_mask = slat_bits(c->pa_bits - 1, 12);
	l->addr_field = slat_bits(51, 12);
	l->dirty_gate = 0;
	l->bbm_mask = 0;
}

#endif
