/* SPDX-License-Identifier: MIT */
/*
 * Arm VMSAv8-64 stage 2 descriptors: geometry, encoding, decoding, checking.
 * Section numbers are those of the Arm ARM (DDI 0487) rev. K.a as listed in
 * stage2_bits.h.
 */

#include <slat/error.h>
#include <slat/stage2.h>

#include "format.h"
#include "stage2_bits.h"

static bool xnx(const struct table_state *t)
{
	return t->features & SLAT_FEAT_SPLIT_EXEC;
}

static bool hw_dirty(const struct table_state *t)
{
	return t->features & SLAT_FEAT_AD;
}

static bool fwb(const struct table_state *t)
{
	return t->features & SLAT_FEAT_FWB;
}

/*
 * Output address widths VTCR_EL2.PS can encode, widest first (VTCR_EL2
 * register description, field PS). A CPU may be told a smaller output size
 * than it implements, so an odd width rounds down.
 */
static unsigned s2_pa_bits(unsigned pa)
{
	static const uint8_t ps[] = { 52, 48, 44, 42, 40, 36, 32 };
	unsigned i;

	for (i = 0; i < sizeof(ps); i++)
		if (pa >= ps[i])
			return ps[i];
	return 0;
}

/*
 * Fewest lookup levels for `ia` input bits with the `g`-bit granule.
 * Each level resolves g - 3 bits; the start level may concatenate up to
 * 16 tables and so resolve 4 bits more. The (SL0, T0SZ) pairs this
 * yields for 32..48-bit IPAs are all valid ones (pseudocode
 * AArch64.S2InvalidSL / AArch64.S2InconsistentSL, docs/formats.md §3.5):
 *   4K:  2 levels (start level 2) up to 34 bits, 3 (level 1) up to 43,
 *        4 (level 0) up to 48 (level 0 needs PARange >= 44: implied, as
 *        ia_bits never exceeds PARange);
 *   16K: 2 levels (level 2) up to 40 bits, 3 (level 1) up to 48 (level 1
 *        needs PARange >= 42: implied likewise); start level 0 would
 *        need FEAT_LPA2 and is never required;
 *   64K: 1 level (level 3) up to 33 bits, 2 (level 2) up to 46, 3
 *        (level 1) up to 48 (PARange >= 44, implied).
 */
static unsigned s2_levels(unsigned g, unsigned ia)
{
	unsigned n;

	for (n = 1; n < 4; n++)
		if (g + n * (g - 3) + 4 >= ia)
			break;
	return n;
}

static int s2_configure(struct table_state *t, const struct slat_config *cfg)
{
	struct slat_layout *l = &t->lay;
	const struct slat_caps *c = &t->caps;
	const unsigned g = cfg->granule_lg2 ? cfg->granule_lg2 : 12;
	const unsigned ia = cfg->ia_bits;
	unsigned pa, levels, lv;
	uint64_t attrs, free_sw;
	int err;

	/* What the configuration itself gets wrong. */
	if (g != 12 && g != 14 && g != 16)
		return SLAT_ECONFIG;
	/* The number of levels follows from granule and input size. */
	if (cfg->levels)
		return SLAT_ECONFIG;
	/*
	 * 52 bits: with the 64 KiB granule through FEAT_LPA (descriptors
	 * keep OA[51:48] in bits 15:12). The 4 KiB and 16 KiB granules need
	 * FEAT_LPA2's other descriptor layout (VTCR_EL2.DS), which this
	 * backend does not build: 48 bits at most there.
	 */
	if (ia < 32 || ia > (g == 16 ? 52u : 48u))
		return SLAT_ECONFIG;
	/* Break-before-make cannot be done without the embedder's hook. */
	if (!cfg->sync_invalidate)
		return SLAT_ECONFIG;
	/* What the hardware lacks. */
	if (!(c->granules & SLAT_GRANULE_BIT(g)))
		return SLAT_ECAPS;
	if (ia > c->ia_bits)
		return SLAT_ECAPS;
	/* No Arm memory-encryption key lives in stage 2 descriptors (a
	 * Realm's PAS is RMM business, not an output-address field). */
	if (c->key_bits || c->key_max)
		return SLAT_ECAPS;
	pa = s2_pa_bits(g == 16 || c->pa_bits < 48 ? c->pa_bits : 48);
	if (!pa)
		return SLAT_ECAPS;

	levels = s2_levels(g, ia);
	slat_layout_geometry(l, g, ia, levels);
	l->pa_bits = (uint8_t)pa;
	/*
	 * Leaves (§D8.3, "block descriptor" rules per granule; pseudocode
	 * AArch64.BlockDescSupported): pages at Arm level 3 (our 0); blocks
	 * at levels 2 and 1 with 4K (2 MiB, 1 GiB), at level 2 only with
	 * 16K (32 MiB), and with 64K at level 2 (512 MiB) and, when the
	 * PA size is 52 bits, at level 1 (4 TiB). The 4K level 0 and 16K
	 * level 1 blocks need FEAT_LPA2.
	 */
	l->leaf_levels_hw = (uint8_t)((g == 12 || (g == 16 && pa == 52) ? 0x7u : 0x3u) &
				      ((1u << levels) - 1));
	l->leaf_levels = 0;
	for (lv = 0; lv < levels; lv++)
		if ((l->leaf_levels_hw & (1u << lv)) &&
		    (c->page_sizes & (1ull << l->shift[lv])))
			l->leaf_levels |= (uint8_t)(1u << lv);
	if (!(l->leaf_levels & 1))
		return SLAT_ECAPS;

	/* A descriptor is valid when bit 0 is set; bits 1:0 = 11 make a table
	 * above level 3 and a page at level 3, where 01 is reserved and so
	 * invalid (§D8.3). */
	l->present = S2_VALID;
	/*
	 * Payload (slat/payload.h) in bits 63:1 of an invalid descriptor: with
	 * bit 0 = 0 the walk ignores every other bit (Arm ARM D8.3, "Invalid
	 * descriptors"). A no-access leaf is a valid descriptor here, so there
	 * is no mark to keep clear.
	 */
	l->payload_mask = slat_bits(63, 1);
	l->payload_shift = 1;
	l->type_mask = S2_TYPE_MASK;
	l->table_type = S2_TYPE_TABLE;
	l->page_mask = S2_TYPE_MASK;
	l->page_type = S2_TYPE_PAGE;
	l->addr_mask = slat_bits(pa > 48 ? 47 : pa - 1, g);
	l->addr_field = slat_bits(S2_ADDR_TOP, g);
	if (pa == 52) {
		l->oa_hi = S2_OA_HI;
		l->oa_hi_shift = S2_OA_HI_SHIFT;
		l->addr_mask |= S2_OA_HI;
		l->addr_field |= S2_OA_HI;
	}
	/* Stage 2 table descriptors carry no attributes. */
	l->table_tmpl = S2_TYPE_TABLE;
	/*
	 * The core's leaf index: the descriptor type (bits 1:0; §D8.3),
	 * S2AP (bits 7:6; §D8.4), DBM, which keeps a writable-clean leaf
	 * writable under FEAT_HAFDBS (bit 51; §D8.5), and XN[1:0] (bits
	 * 54:53; §D8.4, XN[0] with FEAT_XNX). Seven bits in four runs: no
	 * multiplier moves them apart cleanly, this one (found by search)
	 * gives each of their 128 combinations its own value of bits 63:57,
	 * which the core checks at table creation.
	 */
	l->leaf_index_mask = S2_TYPE_MASK | S2_S2AP_R | S2_S2AP_W | S2_DBM | S2_XN_MASK;
	l->leaf_index_mul = (1ull << 59) | (1ull << 56) | (1ull << 7);
	if (hw_dirty(t)) {
		/*
		 * FEAT_HAFDBS with VTCR_EL2.HA/HD (§D8.5): the hardware sets
		 * AF on access, and on a write to a leaf with DBM = 1 it sets
		 * S2AP[1] instead of faulting. S2AP[1] is the dirty state,
		 * meaningful in leaves with DBM set.
		 */
		l->accessed = S2_AF;
		l->dirty = S2_S2AP_W;
		l->dirty_gate = S2_DBM;
		l->hw_bits = S2_AF | S2_S2AP_W;
	} else {
		l->accessed = 0;
		l->dirty = 0;
		l->dirty_gate = 0;
		l->hw_bits = 0;
	}
	/*
	 * Break-before-make ("Using break-before-make when updating
	 * translation table entries", chapter D8; docs/formats.md §3.10): a
	 * change between two valid descriptors of the output address, the
	 * memory type or cacheability (MemAttr), the shareability or the
	 * Contiguous bit needs an invalid step, as does any change of block
	 * size (the core's shape changes). Permissions (S2AP, XN), AF, DBM
	 * and software bits may change in place, as KVM changes them
	 * (pgtable.c: stage2_attr_walker for write-protection and permission
	 * relaxation, stage2_age_walker for AF).
	 */
	l->bbm_mask = l->addr_field | S2_MEMATTR_MASK | S2_SH_MASK | S2_CONTIG;
	attrs = S2_MEMATTR_MASK | S2_S2AP_R | S2_S2AP_W | S2_SH_MASK |
		S2_XN_MASK | S2_DBM;
	for (lv = 0; lv < levels; lv++)
		l->attr_mask[lv] = attrs;
	/* Bits 58:55 are reserved for software use in block and page
	 * descriptors (§D8.3.2; Linux KVM_PTE_LEAF_ATTR_HI_SW). */
	err = slat_layout_sw_bits(l, cfg, S2_SW_MASK, S2_SW_MASK);
	if (err || !hw_dirty(t))
		return err;
	/*
	 * With hardware dirty state the dirty state is S2AP[1] itself, and
	 * it means "dirty" only while DBM is set (§D8.5): removing write
	 * permission clears both, and the page would read clean. libslat
	 * keeps the state such a change takes away in one more software bit
	 * (core.h leaf_keep_hw()), the highest of 58:55 the embedder left,
	 * so that its sw_bits and sw_positions never meet it; with all four
	 * taken there is none.
	 */
	free_sw = S2_SW_MASK & ~l->sw_mask;
	if (!free_sw)
		return SLAT_ESWBITS;
	l->sw_dirty = 1ull << (63 - __builtin_clzll(free_sw));
	return SLAT_OK;
}

/* MemAttr[3:0] for a memory type, or an error. */
static int s2_memattr(const struct table_state *t, const struct slat_attrs *a,
		      uint64_t *ma)
{
	const bool force = a->flags & SLAT_ATTR_MT_FORCE;

	if (fwb(t)) {
		/*
		 * Only 0b110 overrides stage 1 outright (Normal Write-Back
		 * whatever stage 1 says). The Device and Non-cacheable
		 * encodings still yield to a stricter stage 1 Device type,
		 * and there is no Write-Through encoding at all, so FORCE is
		 * refused for them rather than promised and not kept.
		 */
		switch (a->memtype) {
		case SLAT_MT_WB:
			*ma = force ? S2_FWB_FORCE_WB : S2_FWB_S1;
			return SLAT_OK;
		case SLAT_MT_WC:
			*ma = S2_FWB_NC;
			break;
		case SLAT_MT_UC:
			*ma = S2_FWB_DEV_nGnRnE;
			break;
		case SLAT_MT_DEVICE:
			*ma = S2_FWB_DEV_nGnRE;
			break;
		default: /* WT, WP */
			return SLAT_EMEMTYPE;
		}
		return force ? SLAT_EMEMTYPE : SLAT_OK;
	}
	/* Without FWB stage 2 only limits what stage 1 chooses. */
	if (force)
		return SLAT_EMEMTYPE;
	switch (a->memtype) {
	case SLAT_MT_WB: *ma = S2_MA_NORMAL_WB; return SLAT_OK;
	case SLAT_MT_WT: *ma = S2_MA_NORMAL_WT; return SLAT_OK;
	case SLAT_MT_WC: *ma = S2_MA_NORMAL_NC; return SLAT_OK;
	case SLAT_MT_UC: *ma = S2_MA_DEV_nGnRnE; return SLAT_OK;
	case SLAT_MT_DEVICE: *ma = S2_MA_DEV_nGnRE; return SLAT_OK;
	default: return SLAT_EMEMTYPE; /* WP */
	}
}

static bool mt_is_device(unsigned memtype)
{
	return memtype == SLAT_MT_UC || memtype == SLAT_MT_DEVICE;
}

/*
 * SH[1:0] written for SLAT_SH_DEFAULT: inner shareable for Normal memory
 * (as KVM); for Device memory the field is ignored and the location is
 * treated as Outer Shareable (§D8.6.2; Arm DEN0024A §13.1 "Device
 * regions are always deemed to be non-cacheable and outer-shareable"),
 * so libslat writes that.
 */
static uint64_t sh_default(unsigned memtype)
{
	return mt_is_device(memtype) ? S2_SH_OUTER : S2_SH_INNER;
}

static int s2_leaf_encode(const struct table_state *t, unsigned level,
			  const struct slat_attrs *a, uint64_t *tmpl)
{
	const bool r = a->perms & SLAT_PERM_R, w = a->perms & SLAT_PERM_W;
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	uint64_t e, ma, sh;
	int err;

	/* AF = 1: a new leaf never takes an Access flag fault. */
	e = S2_AF | (level ? S2_TYPE_BLOCK : S2_TYPE_PAGE);
	/*
	 * Execute (§D8.4, stage 2 execute-never; QEMU get_S2prot). Without
	 * FEAT_XNX only XN[1] counts and XN[0] is RES0. With it, XN[1:0] =
	 * 00 executable at EL1 and EL0, 01 at EL0 only, 10 nowhere, 11 at
	 * EL1 only; XS is EL1 and XU is EL0.
	 */
	if (!xnx(t)) {
		if (xs != xu)
			return SLAT_EPERM;
		if (!xs)
			e |= S2_XN1;
	} else if (!xs) {
		e |= xu ? S2_XN0 : S2_XN1;
	} else if (!xu) {
		e |= S2_XN1 | S2_XN0;
	}
	/* S2AP (§D8.4): each of read and write stands alone, so write-only
	 * and execute-only are both expressible. */
	if (r)
		e |= S2_S2AP_R;
	/* With hardware dirty state a writable leaf starts writable-clean:
	 * DBM = 1 and S2AP[1] = 0, the first write sets S2AP[1]. */
	if (w)
		e |= hw_dirty(t) ? S2_DBM : S2_S2AP_W;
	err = s2_memattr(t, a, &ma);
	if (err)
		return err;
	e |= ma << S2_MEMATTR_SHIFT;
	switch (a->share) {
	case SLAT_SH_INNER: sh = S2_SH_INNER; break;
	case SLAT_SH_OUTER: sh = S2_SH_OUTER; break;
	case SLAT_SH_NONE: sh = S2_SH_NONE; break;
	default: sh = sh_default(a->memtype); break;
	}
	e |= sh << S2_SH_SHIFT;
	*tmpl = e;
	return SLAT_OK;
}

/* The memory type of MemAttr; encodings libslat never writes map to the
 * nearest type no less restrictive. */
static unsigned s2_memtype(const struct table_state *t, uint64_t ma,
			   bool *forced)
{
	*forced = false;
	if (fwb(t)) {
		switch (ma & 7) {
		case S2_FWB_DEV_nGnRnE:
		case S2_FWB_RESERVED:
			return SLAT_MT_UC;
		case S2_FWB_NC:
			return SLAT_MT_WC;
		case S2_FWB_FORCE_WB:
			*forced = true;
			return SLAT_MT_WB;
		case S2_FWB_S1:
			return SLAT_MT_WB;
		default: /* nGRE, GRE */
			return SLAT_MT_DEVICE;
		}
	}
	if ((ma & 0xc) == 0)
		return ma == S2_MA_DEV_nGnRnE ? SLAT_MT_UC : SLAT_MT_DEVICE;
	/* Normal: the less cacheable of outer ([3:2]) and inner ([1:0]). */
	{
		unsigned o = (unsigned)(ma >> 2) & 3, i = (unsigned)ma & 3;
		unsigned m = o < i ? o : i;

		return m == 3 ? SLAT_MT_WB : m == 2 ? SLAT_MT_WT : SLAT_MT_WC;
	}
}

static void s2_leaf_decode(const struct table_state *t, unsigned level,
			   uint64_t e, struct slat_attrs *a)
{
	unsigned perms = 0, sh;
	bool forced;

	(void)level;
	if (e & S2_S2AP_R)
		perms |= SLAT_PERM_R;
	if ((e & S2_S2AP_W) || (hw_dirty(t) && (e & S2_DBM)))
		perms |= SLAT_PERM_W;
	if (xnx(t)) {
		switch ((e & S2_XN_MASK) >> 53) {
		case 0: perms |= SLAT_PERM_XS | SLAT_PERM_XU; break;
		case 1: perms |= SLAT_PERM_XU; break;
		case 3: perms |= SLAT_PERM_XS; break;
		default: break;
		}
	} else if (!(e & S2_XN1)) {
		perms |= SLAT_PERM_X;
	}
	a->perms = (uint8_t)perms;
	a->memtype = (uint8_t)s2_memtype(t, (e & S2_MEMATTR_MASK) >> S2_MEMATTR_SHIFT,
					 &forced);
	a->flags = forced ? SLAT_ATTR_MT_FORCE : 0;
	sh = (unsigned)((e & S2_SH_MASK) >> S2_SH_SHIFT);
	if (sh == sh_default(a->memtype) || sh == S2_SH_RESERVED)
		a->share = SLAT_SH_DEFAULT;
	else if (sh == S2_SH_INNER)
		a->share = SLAT_SH_INNER;
	else if (sh == S2_SH_OUTER)
		a->share = SLAT_SH_OUTER;
	else
		a->share = SLAT_SH_NONE;
}

static unsigned s2_check(const struct table_state *t, unsigned level,
			 uint64_t e, bool leaf, struct slat_problem *out)
{
	const struct slat_layout *l = &t->lay;
	const unsigned g = l->granule_lg2;
	/* Address bits between bit 12 and the granule: RES0 unless they are
	 * the 64K OA[51:48] field of FEAT_LPA (§D8.3). */
	const uint64_t low = g > 12 ? slat_bits(g - 1, 12) & ~l->oa_hi : 0;
	uint64_t rsvd, feat = 0, ma;
	unsigned n = 0;

	if (!leaf) {
		/* Table descriptor (§D8.3.1): next-level address 47:g, bits
		 * 11:2 and 58:51 ignored, the rest RES0 (63:59: see
		 * stage2_bits.h). */
		rsvd = e & (S2_TABLE_RES0_TOP | S2_RES0_HI | low);
		if (rsvd) {
			out[n].kind = SLAT_PROB_RESERVED;
			out[n++].bits = rsvd;
		}
		return n;
	}
	if (level == 0 && (e & S2_TYPE_MASK) != S2_TYPE_PAGE) {
		/* 0b01 at level 3 is a reserved encoding: the walk faults as
		 * if the descriptor were invalid. */
		out[n].kind = SLAT_PROB_LEAF_LEVEL;
		out[n++].bits = e & S2_TYPE_MASK;
		return n;
	}
	/* A block where none may be: the core reports it; its other bits
	 * mean nothing to the hardware. */
	if (!(l->leaf_levels_hw & (1u << level)))
		return 0;

	/* Block and page descriptors (§D8.3.2). */
	rsvd = e & S2_RES0_HI;
	if (level == 0)
		rsvd |= e & low;
	else /* below the block's alignment; bit 16 is nT (FEAT_BBM) */
		rsvd |= e & slat_bits(l->shift[level] - 1, 12) & ~S2_NT & ~l->oa_hi;
	if (((e & S2_SH_MASK) >> S2_SH_SHIFT) == S2_SH_RESERVED)
		rsvd |= e & S2_SH_MASK;
	if (rsvd) {
		out[n].kind = SLAT_PROB_RESERVED;
		out[n++].bits = rsvd;
	}
	ma = (e & S2_MEMATTR_MASK) >> S2_MEMATTR_SHIFT;
	if (fwb(t) ? ((ma & 8) || ma == S2_FWB_RESERVED)
		   : ((ma & 0xc) && !(ma & 3))) {
		out[n].kind = SLAT_PROB_MEMTYPE;
		out[n++].bits = e & S2_MEMATTR_MASK;
	}
	/* Bits of features the table did not enable (or libslat does not
	 * know): XN[0] without FEAT_XNX, DBM without hardware dirty state,
	 * nT (FEAT_BBM, blocks only), FnXS (FEAT_XS). */
	if (!xnx(t))
		feat |= e & S2_XN0;
	if (!hw_dirty(t))
		feat |= e & S2_DBM;
	if (level > 0)
		feat |= e & S2_NT;
	feat |= e & S2_FNXS;
	if (feat) {
		out[n].kind = SLAT_PROB_FEATURE;
		out[n++].bits = feat;
	}
	return n;
}

const struct slat_format slat_format_stage2 = {
	.id = SLAT_FORMAT_STAGE2,
	.name = "stage2",
	.configure = s2_configure,
	.leaf_encode = s2_leaf_encode,
	.leaf_decode = s2_leaf_decode,
	.check = s2_check,
};
