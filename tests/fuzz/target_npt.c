/* SPDX-License-Identifier: MIT */
/*
 * AMD NPT target: configuration from raw CPUID values and a host PAT, the
 * encoding rules the model expects (a present nested entry is readable; NX
 * for every privilege without GMET; with GMET, U/S = 1 restricts execution
 * to CPL 3; the memory type comes from the host PAT and cannot be forced),
 * and TLB_CONTROL interpreted from the VMCB definition: 1 flushes every
 * ASID, 3 this guest's ASID (FlushByAsid only), 0 nothing.
 */
#include <string.h>

#include "fuzz.h"

static const uint8_t pat_types[6] = { 0, 1, 4, 5, 6, 7 };

static bool npt_setup(struct engine *e, struct rd *r)
{
	const uint8_t b0 = rd_u8(r), b1 = rd_u8(r), b2 = rd_u8(r), b3 = rd_u8(r);
	uint32_t edx = 1u, eax, ext = 0;
	uint64_t cr4 = 0;
	unsigned pa = 36 + b2 % 17, gpa_size = 0, l, cap_ia;
	uint8_t max_page;

	if (b0 & 1)
		edx |= 1u << 6; /* FlushByAsid */
	if (b0 & 2)
		edx |= 1u << 17; /* GMET */
	if (b0 & 0x10)
		cr4 |= 1ull << 12; /* the host runs with CR4.LA57: 5-level nested walks */
	if (!(b0 & 0x20))
		ext |= 1u << 26; /* Page1GB */
	if (b2 & 0x80)
		gpa_size = 32 + (b2 >> 1) % 26;
	eax = pa | (gpa_size << 16);
	if (slat_npt_caps(edx, eax, ext, cr4, &e->caps) != SLAT_OK)
		return false;
	cap_ia = e->caps.ia_bits;
	if (cap_ia < 32)
		return false;
	memset(&e->cfg, 0, sizeof(e->cfg));
	e->cfg.ia_bits = (uint8_t)(32 + b1 % (cap_ia - 31));
	/* The walk depth is the host's paging mode: 5 levels under LA57. */
	if (b1 & 0x40)
		e->cfg.levels = (b0 & 0x10) ? 5 : 4;
	if ((b0 & 6) == 6)
		e->cfg.features |= SLAT_FEAT_SPLIT_EXEC;
	if (b0 & 8)
		e->cfg.features |= SLAT_FEAT_AD;
	switch (b0 >> 6) {
	case 1: e->host_pat = 0x0407050600070106ull; break; /* Linux */
	case 2: {
		unsigned i;

		e->host_pat = 0;
		for (i = 0; i < 8; i++)
			e->host_pat |= (uint64_t)pat_types[rd_u8(r) % 6] << (8 * i);
		break;
	}
	default: e->host_pat = 0; break; /* the reset value */
	}
	e->cfg.host_pat = e->host_pat;
	if (!e->host_pat)
		e->host_pat = 0x0007040600070406ull;
	e->cfg.sw_bits = (uint8_t)((b3 & 7) % 5);
	max_page = (uint8_t[]){ 0, 12, 21, 30 }[(b3 >> 3) & 3];
	if (b3 & 0x80)
		max_page = 0;
	e->cfg.max_page_lg2 = max_page;
	/* Now and then the software bits at positions of the embedder's
	 * choosing: a few of the bits the format leaves to software. */
	if (b3 & 0x40) {
		uint64_t allowed = (0x7full << 52) | (0x3ull << 9), pick = 0;
		uint32_t bits = rd_u32(r);
		unsigned bit, n = 0;

		for (bit = 0; bit < 64 && n < 4; bit++)
			if ((allowed >> bit) & 1) {
				if (bits & 1) {
					pick |= 1ull << bit;
					n++;
				}
				bits >>= 1;
			}
		e->cfg.sw_positions = pick;
		e->cfg.sw_bits = 0;
	}

	/*
	 * Now and then a host with SME on (APM vol. 2 §7.10.1): the C-bit at
	 * the top of PhysAddrSize, 0 to 3 bits of reduction; the table uses
	 * the C-bit as key and only the reduced width for addresses.
	 */
	e->key_max = 0;
	if (b3 & 0x20) {
		unsigned reduce = (b2 >> 5) & 3;

		if (slat_npt_caps_sme(&e->caps, 1u, (pa - 1) | (reduce << 6), 1ull << 23) !=
		    SLAT_OK)
			return false;
		pa = e->caps.pa_bits;
		e->cfg.features |= SLAT_FEAT_KEYS;
		e->key_max = 1;
	}

	e->granule_lg2 = 12;
	e->levels = (b0 & 0x10) ? 5 : 4;
	for (l = 0; l < e->levels; l++)
		e->level_shift[l] = 12 + 9 * l;
	/* PDEs always map 2 MiB; PDPEs 1 GiB with Page1GB. */
	e->leaf_sizes = (1ull << 12) | (1ull << 21);
	if (ext & (1u << 26))
		e->leaf_sizes |= 1ull << 30;
	if (max_page)
		e->leaf_sizes &= (2ull << max_page) - 1;
	e->root_bytes = 4096;
	e->pa_top = 1ull << pa;
	return true;
}

static bool gmet(const struct engine *e)
{
	return e->cfg.features & SLAT_FEAT_SPLIT_EXEC;
}

static unsigned x86_type(unsigned mt)
{
	static const uint8_t t[SLAT_MT_COUNT] = { 6, 4, 1, 5, 0, 0 };

	return t[mt];
}

static uint32_t npt_attrs_errors(const struct engine *e, const struct slat_attrs *a)
{
	const bool r = a->perms & SLAT_PERM_R;
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	uint32_t s = 0;
	unsigned i;

	/* No permission at all is a P = 0 no-access leaf; anything else
	 * present is readable. */
	if (a->perms && !r)
		s |= ERR(SLAT_EPERM);
	if (!gmet(e) && xs != xu)
		s |= ERR(SLAT_EPERM);
	if (gmet(e) && xs && !xu)
		s |= ERR(SLAT_EPERM);
	if (a->share != SLAT_SH_DEFAULT || (a->flags & SLAT_ATTR_MT_FORCE))
		s |= ERR(SLAT_EMEMTYPE);
	for (i = 0; i < 8; i++)
		if (((e->host_pat >> (8 * i)) & 0xff) == x86_type(a->memtype))
			break;
	if (i == 8)
		s |= ERR(SLAT_EMEMTYPE);
	return s;
}

static void npt_attrs_norm(const struct engine *e, struct slat_attrs *a)
{
	(void)e;
	if (a->memtype == SLAT_MT_DEVICE)
		a->memtype = SLAT_MT_UC;
}

static bool npt_is_table(const struct engine *e, unsigned level, uint64_t ent)
{
	(void)e;
	return level > 0 && (ent & 1) && !(ent & (1ull << 7));
}

static uint64_t npt_table_addr(const struct engine *e, uint64_t ent)
{
	(void)e;
	return ent & 0x000ffffffffff000ull;
}

static void npt_flush(struct engine *e, const struct slat_gather *g, bool sync)
{
	uint8_t tc = 0xee;
	int r;

	FZ_CHECK(!sync, "sync", "NPT tables never need break-before-make");
	r = slat_npt_flush(&e->t, g, &tc);
	FZ_CHECK(r == SLAT_OK, "flush", "slat_npt_flush = %s", slat_errname(r));
	switch (tc) {
	case SLAT_NPT_TLB_NONE:
		break;
	case SLAT_NPT_TLB_ALL:
		shadow_flush_all(&e->sh);
		break;
	case SLAT_NPT_TLB_ASID:
		FZ_CHECK(e->caps.flags & SLAT_CAP_INV_SINGLE, "tlb_control",
			 "TLB_CONTROL 3 without FlushByAsid (undefined: nothing invalidated)");
		shadow_flush_all(&e->sh);
		break;
	default:
		fz_fail("tlb_control", "TLB_CONTROL value %u", tc);
	}
}

static void npt_misc(struct engine *e, struct rd *r)
{
	uint64_t ncr3 = 1, v;
	size_t n;
	struct slat_s2_op ops[8];
	struct slat_ept_flush op;
	struct slat_caps c;
	uint8_t tc;

	FZ_CHECK(slat_npt_ncr3(&e->t, &ncr3) == SLAT_OK &&
			 ncr3 == slat_table_root(&e->t).v && !(ncr3 & 0x18), "ncr3",
		 "nCR3 0x%llx for root 0x%llx", (unsigned long long)ncr3,
		 (unsigned long long)slat_table_root(&e->t).v);
	FZ_CHECK(slat_ept_eptp(&e->t, &v) == SLAT_EFORMAT &&
			 slat_ept_flush(&e->t, &e->g, &op) == SLAT_EFORMAT &&
			 slat_stage2_vtcr(&e->t, &v) == SLAT_EFORMAT &&
			 slat_stage2_flush(&e->t, &e->g, ops, 8, &n) == SLAT_EFORMAT &&
			 slat_npt_flush(&e->t, NULL, &tc) == SLAT_ENULL &&
			 slat_npt_ncr3(&e->t, NULL) == SLAT_ENULL,
		 "eformat", "a call with a table of another format or NULL was accepted");
	if (e->have_t2)
		FZ_CHECK(slat_npt_flush(&e->t, &e->g2, &tc) == SLAT_EGATHER, "egather",
			 "slat_npt_flush with another table's gather");
	(void)slat_npt_caps(rd_u32(r), rd_u32(r), rd_u32(r), rd_u64(r), &c);
}

const struct target target_npt = {
	.name = "npt",
	.fmt = &slat_format_npt,
	.setup = npt_setup,
	.attrs_errors = npt_attrs_errors,
	.attrs_norm = npt_attrs_norm,
	.flush = npt_flush,
	.misc = npt_misc,
	.is_table = npt_is_table,
	.table_addr = npt_table_addr,
};
