/* SPDX-License-Identifier: MIT */
/* Intel EPT entries: geometry, encoding, decoding, checking. */

#include <slat/ept.h>
#include <slat/error.h>

#include "ept_bits.h"
#include "format.h"
#include "../x86/x86_key.h"
#include "../x86/x86_layout.h"

static bool mbec(const struct table_state *t)
{
	return t->features & SLAT_FEAT_SPLIT_EXEC;
}

static int ept_configure(struct table_state *t, const struct slat_config *cfg)
{
	struct slat_layout *l = &t->lay;
	const struct slat_caps *c = &t->caps;
	unsigned levels = cfg->levels;
	uint64_t exec = EPT_X | (mbec(t) ? EPT_XU : 0);
	uint64_t free_sw;
	unsigned lv;
	int err;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return SLAT_ECONFIG;
	if (cfg->ia_bits < 32 || cfg->ia_bits > 57)
		return SLAT_ECONFIG;
	if (!levels)
		levels = cfg->ia_bits <= 48 ? 4 : 5;
	/* A 4-level walk translates 48 bits, a 5-level one 57 (§29.3.2). */
	if ((levels != 4 && levels != 5) || (levels == 4 && cfg->ia_bits > 48))
		return SLAT_ECONFIG;
	if (!(c->flags & (levels == 4 ? SLAT_CAP_LEVELS4 : SLAT_CAP_LEVELS5)))
		return SLAT_ECAPS;
	if (c->pa_bits < 32 || c->pa_bits > 52)
		return SLAT_ECAPS;

	if (cfg->ia_bits > c->ia_bits)
		return SLAT_ECAPS;

	x86_layout(l, cfg, c, levels);
	l->leaf_levels_hw = 1;
	if (c->page_sizes & (1ull << 21))
		l->leaf_levels_hw |= 1u << 1;
	if (c->page_sizes & (1ull << 30))
		l->leaf_levels_hw |= 1u << 2;
	l->leaf_levels = l->leaf_levels_hw;

	/* Present when any of bits 2:0 is set, or bit 10 under MBEC (§29.3.2). */
	l->present = EPT_R | EPT_W | EPT_X | (mbec(t) ? EPT_XU : 0);
	l->noaccess = EPT_NOACCESS;
	/* The core's leaf index: R, W, X (bits 2:0, to 59:57), XU under MBEC
	 * (§29.3.2) and the no-access mark (bits 11:10, to 61:60). */
	l->leaf_index_mask = EPT_R | EPT_W | EPT_X | EPT_XU | EPT_NOACCESS;
	l->leaf_index_mul = (1ull << 57) | (1ull << 50);
	/*
	 * Payload (slat/payload.h) in bits 62:12 of a not-present entry: the
	 * processor ignores the bits of an entry with bits 2:0 = 0 (and bit 10
	 * = 0 under MBEC) (SDM vol. 3C §29.3.2), except bit 63, suppress #VE,
	 * which it reads when EPT-violation #VE is on (§26.5.7.1):
	 * keep 63 clear. Bit 11 is the no-access mark; 10:3 stay clear too, so
	 * the field is one run above the mark.
	 */
	l->payload_mask = slat_bits(62, 12);
	l->payload_shift = 12;
	/* Tables grant everything; leaves alone decide. */
	l->table_tmpl = EPT_R | EPT_W | exec;
	if (t->features & SLAT_FEAT_AD) {
		l->accessed = EPT_A;
		l->dirty = EPT_D;
		l->hw_bits = EPT_A | EPT_D;
	}
	for (lv = 0; lv < levels; lv++)
		l->attr_mask[lv] = EPT_R | EPT_W | exec | EPT_MT_MASK | EPT_IPAT |
				   EPT_NOACCESS;
	/* MKTME/TDX KeyIDs: the top bits of the address field (x86_key.h). */
	err = x86_key_configure(t, cfg);
	if (err)
		return err;
	/* Bit 10 is free for software only while MBEC is off. */
	err = slat_layout_sw_bits(l, cfg, EPT_SW_PREFERRED,
				  EPT_SW_ALLOWED | (mbec(t) ? 0 : EPT_XU));
	if (err || !(t->features & SLAT_FEAT_NX_HUGE))
		return err;
	/*
	 * The iTLB-multihit policy writes large leaves without X (bit 2)
	 * where execute was asked for, and records the request in one more
	 * ignored bit (SDM vol. 3C Tables 29-4 and 29-6: 11, 56:52, 59 and 62
	 * are ignored in leaves whatever the controls), the highest one the
	 * embedder's software bits left: bit 62 unless it took that.
	 */
	free_sw = EPT_SW_ALLOWED & ~l->sw_mask;
	if (!free_sw)
		return SLAT_ESWBITS;
	l->sw_exec = 1ull << (63 - __builtin_clzll(free_sw));
	return SLAT_OK;
}

static const uint8_t mt_encode[SLAT_MT_COUNT] = {
	[SLAT_MT_WB] = EPT_MT_WB, [SLAT_MT_WT] = EPT_MT_WT,
	[SLAT_MT_WC] = EPT_MT_WC, [SLAT_MT_WP] = EPT_MT_WP,
	[SLAT_MT_UC] = EPT_MT_UC, [SLAT_MT_DEVICE] = EPT_MT_UC,
};

static int ept_leaf_encode(const struct table_state *t, unsigned level,
			   const struct slat_attrs *a, uint64_t *tmpl)
{
	const bool r = a->perms & SLAT_PERM_R, w = a->perms & SLAT_PERM_W;
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	uint64_t e = 0;

	/* Write without read is a misconfiguration (§29.3.3.1). */
	if (w && !r)
		return SLAT_EPERM;
	/* Without MBEC one bit controls execution at every privilege. */
	if (!mbec(t) && xs != xu)
		return SLAT_EPERM;
	/* Execute without read needs the execute-only capability; no
	 * permission at all is a not-present no-access leaf (ept_bits.h). */
	if (!a->perms)
		e |= EPT_NOACCESS;
	else if (!r && !(t->caps.flags & SLAT_CAP_EXEC_ONLY))
		return SLAT_ECAPS;
	if (a->share != SLAT_SH_DEFAULT)
		return SLAT_EMEMTYPE;
	if (r)
		e |= EPT_R;
	if (w)
		e |= EPT_W;
	if (xs)
		e |= EPT_X;
	if (xu && mbec(t))
		e |= EPT_XU;
	e |= (uint64_t)mt_encode[a->memtype] << EPT_MT_SHIFT;
	if (a->flags & SLAT_ATTR_MT_FORCE)
		e |= EPT_IPAT;
	if (level > 0)
		e |= EPT_PS;
	e |= x86_key_encode(t, a->key);
	*tmpl = e;
	return SLAT_OK;
}

static void ept_leaf_decode(const struct table_state *t, unsigned level,
			    uint64_t e, struct slat_attrs *a)
{
	unsigned perms = 0;

	(void)level;
	if (e & EPT_R)
		perms |= SLAT_PERM_R;
	if (e & EPT_W)
		perms |= SLAT_PERM_W;
	if (mbec(t)) {
		if (e & EPT_X)
			perms |= SLAT_PERM_XS;
		if (e & EPT_XU)
			perms |= SLAT_PERM_XU;
	} else if (e & EPT_X) {
		perms |= SLAT_PERM_X;
	}
	a->perms = (uint8_t)perms;
	switch ((e & EPT_MT_MASK) >> EPT_MT_SHIFT) {
	case EPT_MT_WB: a->memtype = SLAT_MT_WB; break;
	case EPT_MT_WT: a->memtype = SLAT_MT_WT; break;
	case EPT_MT_WC: a->memtype = SLAT_MT_WC; break;
	case EPT_MT_WP: a->memtype = SLAT_MT_WP; break;
	default: a->memtype = SLAT_MT_UC; break;
	}
	a->flags = (e & EPT_IPAT) ? SLAT_ATTR_MT_FORCE : 0;
	a->share = SLAT_SH_DEFAULT;
	a->key = x86_key_decode(t, e);
}

static unsigned ept_check(const struct table_state *t, unsigned level,
			  uint64_t e, bool leaf, struct slat_problem *out)
{
	const uint64_t exec = EPT_X | (mbec(t) ? EPT_XU : 0);
	unsigned n = 0;
	uint64_t rsvd;

	/* The no-access mark in an entry the hardware sees: libslat never
	 * writes one (ept_bits.h). */
	if ((e & EPT_NOACCESS) && (e & t->lay.present)) {
		out[n].kind = SLAT_PROB_RESERVED;
		out[n++].bits = EPT_NOACCESS;
	}
	/* §29.3.3.1: these hold for every entry, leaf or not. */
	if ((e & EPT_W) && !(e & EPT_R)) {
		out[n].kind = SLAT_PROB_WRITE_ONLY;
		out[n++].bits = EPT_W;
	}
	if (!(e & (EPT_R | EPT_W)) && (e & exec) &&
	    !(t->caps.flags & SLAT_CAP_EXEC_ONLY)) {
		out[n].kind = SLAT_PROB_EXEC_ONLY;
		out[n++].bits = e & exec;
	}
	if (leaf) {
		unsigned mt = (unsigned)((e & EPT_MT_MASK) >> EPT_MT_SHIFT);

		if (mt == 2 || mt == 3 || mt == 7) {
			out[n].kind = SLAT_PROB_MEMTYPE;
			out[n++].bits = e & EPT_MT_MASK;
		}
		/* Address bits below a large page's alignment are reserved. */
		rsvd = level ? e & slat_bits(t->lay.shift[level] - 1, 12) : 0;
	} else {
		rsvd = e & (level >= 3 ? EPT_RSVD_TOP_TABLE : EPT_RSVD_MID_TABLE);
		if ((e & (EPT_R | EPT_W | exec)) != (EPT_R | EPT_W | exec)) {
			out[n].kind = SLAT_PROB_TABLE_ATTR;
			out[n++].bits = ~e & (EPT_R | EPT_W | exec);
		}
	}
	if (rsvd) {
		out[n].kind = SLAT_PROB_RESERVED;
		out[n++].bits = rsvd;
	}
	return n + x86_key_check(t, e, leaf, &out[n]);
}

const struct slat_format slat_format_ept = {
	.id = SLAT_FORMAT_EPT,
	.name = "ept",
	.configure = ept_configure,
	.leaf_encode = ept_leaf_encode,
	.leaf_decode = ept_leaf_decode,
	.check = ept_check,
};
