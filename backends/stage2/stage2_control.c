/* SPDX-License-Identifier: MIT */
/* Arm stage 2: capabilities, VTCR_EL2, VTTBR_EL2. */

#include <slat/error.h>
#include <slat/stage2.h>

#include "format.h"
#include "stage2_bits.h"

static unsigned field(uint64_t reg, unsigned shift)
{
	return (unsigned)(reg >> shift) & 0xf;
}

/*
 * Stage 2 support of one granule: the TGranX_2 field, where 0 defers to
 * the stage 1 field TGranX (ID_AA64MMFR0_EL1 register description; docs/formats.md
 * §3.8). TGran4 and TGran64 are signed fields (0xf: not implemented),
 * TGran16 is unsigned (0: not implemented).
 */
static bool granule_s2(unsigned t2, unsigned t1, bool t1_signed)
{
	if (t2 == 0)
		return t1_signed ? t1 < 8 : t1 >= 1;
	return t2 >= 2;
}

int slat_stage2_caps(uint64_t mmfr0, uint64_t mmfr1, uint64_t mmfr2,
		     uint64_t isar0, struct slat_caps *out)
{
	static const uint8_t parange[] = { 32, 36, 40, 42, 44, 48, 52 };
	struct slat_caps c = { 0 };
	unsigned pa = field(mmfr0, MMFR0_PARANGE_SHIFT);

	if (!out)
		return SLAT_ENULL;
	c.format = SLAT_FORMAT_STAGE2;
	/*
	 * PARange: 0 32, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52 bits (6 is
	 * FEAT_LPA). Stage 2 input may be as wide as the implemented output
	 * (KVM's IPA limit is the same). Later encodings (56 bits, FEAT_D128)
	 * need 128-bit descriptors: taken as 52. A table of the 4K or 16K
	 * granule uses 48 bits at most (slat_table_init()).
	 */
	c.pa_bits = pa < sizeof(parange) ? parange[pa] : 52;
	c.ia_bits = c.pa_bits;
	if (granule_s2(field(mmfr0, MMFR0_TGRAN4_2_SHIFT),
		       field(mmfr0, MMFR0_TGRAN4_SHIFT), true)) {
		c.granules |= SLAT_GRANULE_BIT(12);
		c.page_sizes |= (1ull << 12) | (1ull << 21) | (1ull << 30);
	}
	if (granule_s2(field(mmfr0, MMFR0_TGRAN16_2_SHIFT),
		       field(mmfr0, MMFR0_TGRAN16_SHIFT), false)) {
		c.granules |= SLAT_GRANULE_BIT(14);
		c.page_sizes |= (1ull << 14) | (1ull << 25);
	}
	if (granule_s2(field(mmfr0, MMFR0_TGRAN64_2_SHIFT),
		       field(mmfr0, MMFR0_TGRAN64_SHIFT), true)) {
		c.granules |= SLAT_GRANULE_BIT(16);
		c.page_sizes |= (1ull << 16) | (1ull << 29);
		/* Level-1 blocks of 4 TiB exist with 52-bit PAs (§D8.3). */
		if (c.pa_bits == 52)
			c.page_sizes |= 1ull << 42;
	}
	if (!c.granules)
		return SLAT_ECAPS;
	/* HAFDBS: 1 Access flag only, 2 (and later values) also dirty state. */
	if (field(mmfr1, MMFR1_HAFDBS_SHIFT) >= 2)
		c.flags |= SLAT_CAP_AD;
	else if (field(mmfr1, MMFR1_HAFDBS_SHIFT) == 1)
		c.flags |= SLAT_CAP_AF_ONLY;
	if (field(mmfr1, MMFR1_VMIDBITS_SHIFT) == 2)
		c.flags |= SLAT_CAP_VMID16;
	if (field(mmfr1, MMFR1_XNX_SHIFT) >= 1)
		c.flags |= SLAT_CAP_SPLIT_EXEC;
	if (field(mmfr2, MMFR2_FWB_SHIFT) >= 1)
		c.flags |= SLAT_CAP_FWB;
	if (field(mmfr2, MMFR2_TTL_SHIFT) >= 1)
		c.flags |= SLAT_CAP_TLBI_TTL;
	if (field(isar0, ISAR0_TLB_SHIFT) >= 2)
		c.flags |= SLAT_CAP_TLBI_RANGE;
	/* S2AP and XN are independent: execute-only always works. TLBI by
	 * VMID (VMALLS12E1IS) always exists. */
	c.flags |= SLAT_CAP_EXEC_ONLY | SLAT_CAP_INV_SINGLE;
	*out = c;
	return SLAT_OK;
}

/* VTCR_EL2.PS for an output width s2_configure() accepted. */
static uint64_t ps_code(unsigned pa)
{
	switch (pa) {
	case 32: return 0;
	case 36: return 1;
	case 40: return 2;
	case 42: return 3;
	case 44: return 4;
	case 48: return 5;
	default: return 6; /* 52, FEAT_LPA */
	}
}

int slat_stage2_vtcr(const struct slat_table *t_pub, uint64_t *vtcr)
{
	const struct table_state *t = table_of_c(t_pub);
	const struct slat_layout *l;
	uint64_t v, sl0, tg, rgn;

	if (!t || !vtcr)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_stage2)
		return SLAT_EFORMAT;
	l = &t->lay;
	/*
	 * SL0 names the start level, counted per granule (VTCR_EL2 register
	 * description, SL0; Linux VTCR_EL2_LVLS_TO_SL0): with 4K, 0 = level 2, 1 = level
	 * 1, 2 = level 0; with 16K and 64K, 0 = level 3, 1 = level 2, 2 =
	 * level 1. With n lookup levels the start level is 4 - n.
	 */
	switch (l->granule_lg2) {
	case 12:
		tg = VTCR_TG0_4K;
		sl0 = l->levels - 2u;
		break;
	case 14:
		tg = VTCR_TG0_16K;
		sl0 = l->levels - 1u;
		break;
	default:
		tg = VTCR_TG0_64K;
		sl0 = l->levels - 1u;
		break;
	}
	v = (uint64_t)(64 - l->ia_bits) << VTCR_T0SZ_SHIFT;
	v |= sl0 << VTCR_SL0_SHIFT;
	/*
	 * Walks of the tables: inner shareable, write-back cacheable; with
	 * SLAT_FEAT_WALK_NC non-cacheable (IRGN0 = ORGN0 = 0b00), and the
	 * core cleans every table write to the PoC (slat_config::clean_tables).
	 * SH0 stays Inner Shareable: the architecture treats Normal
	 * Non-cacheable memory as Outer Shareable whatever SH0 says.
	 */
	rgn = (t->features & SLAT_FEAT_WALK_NC) ? VTCR_RGN_NC : VTCR_RGN_WBWA;
	v |= rgn << VTCR_IRGN0_SHIFT;
	v |= rgn << VTCR_ORGN0_SHIFT;
	v |= VTCR_SH_INNER << VTCR_SH0_SHIFT;
	v |= tg << VTCR_TG0_SHIFT;
	v |= ps_code(l->pa_bits) << VTCR_PS_SHIFT;
	if (t->caps.flags & SLAT_CAP_VMID16)
		v |= VTCR_VS;
	if (t->features & SLAT_FEAT_AD)
		v |= VTCR_HA | VTCR_HD;
	v |= VTCR_RES1;
	*vtcr = v;
	return SLAT_OK;
}

int slat_stage2_vttbr(const struct slat_table *t_pub, uint16_t vmid,
		      uint64_t *vttbr)
{
	const struct table_state *t = table_of_c(t_pub);

	if (!t || !vttbr)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_stage2)
		return SLAT_EFORMAT;
	if (vmid > 0xff && !(t->caps.flags & SLAT_CAP_VMID16))
		return SLAT_ECAPS;
	/*
	 * BADDR (47:1) is the root, which the allocator aligned to its whole
	 * size as concatenated tables require (VTTBR_EL2 register description, BADDR);
	 * with a 52-bit output size, root bits 51:48 go to bits 5:2. VMID in
	 * 55:48, or 63:48 with VTCR_EL2.VS; CnP (bit 0) stays 0.
	 */
	*vttbr = (t->root_pa & VTTBR_BADDR_MASK) |
		 ((t->root_pa >> VTTBR_BADDR_HI_SHIFT) & (0xfull << 2)) |
		 ((uint64_t)vmid << VTTBR_VMID_SHIFT);
	return SLAT_OK;
}
