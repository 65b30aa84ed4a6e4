/* SPDX-License-Identifier: MIT */
/* AMD nested paging: capabilities, nCR3, TLB_CONTROL. */

#include <slat/error.h>
#include <slat/npt.h>

#include "format.h"
#include "inval.h"
#include "npt_bits.h"
#include "../x86/x86_key.h"

int slat_npt_caps(uint32_t cpuid_8000000a_edx, uint32_t cpuid_80000008_eax,
		  uint32_t cpuid_80000001_edx, uint64_t host_cr4,
		  struct slat_caps *out)
{
	struct slat_caps c = { 0 };
	unsigned ia;

	if (!out)
		return SLAT_ENULL;
	if (!(cpuid_8000000a_edx & CPUID_SVM_NP))
		return SLAT_ECAPS;
	c.format = SLAT_FORMAT_NPT;
	/*
	 * A nested walk has the host's paging mode at VMRUN (APM vol. 2
	 * §15.25.5): 4 levels, or 5 when the host runs with CR4.LA57 = 1. So
	 * the CPU's support for LA57 does not matter, the host's CR4 does,
	 * and a table has exactly one usable depth. The hardware always
	 * maintains nested A/D bits, and TLB_CONTROL 01h (flush every ASID)
	 * always exists (appendix B).
	 */
	c.flags = SLAT_CAP_AD | SLAT_CAP_WALK_WB | SLAT_CAP_INV_ALL;
	c.flags |= (host_cr4 & CR4_LA57) ? SLAT_CAP_LEVELS5 : SLAT_CAP_LEVELS4;
	if (cpuid_8000000a_edx & CPUID_SVM_FLUSHBYASID)
		c.flags |= SLAT_CAP_INV_SINGLE;
	if (cpuid_8000000a_edx & CPUID_SVM_GMET)
		c.flags |= SLAT_CAP_SPLIT_EXEC;
	/* PDEs always map 2 MiB; PDPEs 1 GiB with Page1GB. */
	c.page_sizes = (1ull << 12) | (1ull << 21);
	if (cpuid_80000001_edx & CPUID_EXT_PAGE1GB)
		c.page_sizes |= 1ull << 30;
	c.pa_bits = (uint8_t)(cpuid_80000008_eax >> CPUID_PHYS_SHIFT);
	if (c.pa_bits < 32 || c.pa_bits > 52)
		return SLAT_ECAPS;
	/* GuestPhysAddrSize; 0 means PhysAddrSize (APM vol. 3 §E.4.7). */
	ia = (cpuid_80000008_eax >> CPUID_GUEST_PHYS_SHIFT) & 0xff;
	if (!ia)
		ia = c.pa_bits;
	/* A 4-level nested walk translates at most 48 bits, a 5-level 57. */
	if (ia > ((c.flags & SLAT_CAP_LEVELS5) ? 57u : 48u))
		ia = (c.flags & SLAT_CAP_LEVELS5) ? 57u : 48u;
	c.ia_bits = (uint8_t)ia;
	c.granules = SLAT_GRANULE_BIT(12);
	*out = c;
	return SLAT_OK;
}

int slat_npt_caps_sme(struct slat_caps *caps, uint32_t cpuid_8000001f_eax,
		      uint32_t cpuid_8000001f_ebx, uint64_t syscfg)
{
	unsigned cbit, reduce, width;

	if (!caps)
		return SLAT_ENULL;
	if (caps->format != SLAT_FORMAT_NPT)
		return SLAT_EFORMAT;
	if (!(cpuid_8000001f_eax & CPUID_SME) || !(syscfg & SYSCFG_MEM_ENCRYPT))
		return SLAT_ECAPS;
	cbit = cpuid_8000001f_ebx & CPUID_SME_CBIT_MASK;
	reduce = (cpuid_8000001f_ebx >> CPUID_SME_REDUCE_SHIFT) & 0x3f;
	/*
	 * What is left for addresses: the width less the reduction, and in
	 * any case below the C-bit, which is never an address bit while
	 * encryption is on. Bits between that width and the C-bit are
	 * reserved (§7.10.1). The guest-physical width is not reduced
	 * (§15.34.6), so caps->ia_bits stays.
	 */
	width = caps->pa_bits > reduce ? caps->pa_bits - reduce : 0;
	if (width > cbit)
		width = cbit;
	if (width < 32 || cbit > 51)
		return SLAT_ECAPS;
	caps->pa_bits = (uint8_t)width;
	caps->key_shift = (uint8_t)cbit;
	caps->key_bits = 1;
	caps->key_max = 1;
	return SLAT_OK;
}

int slat_npt_ncr3(const struct slat_table *t_pub, uint64_t *ncr3)
{
	const struct table_state *t = table_of_c(t_pub);

	if (!t || !ncr3)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_npt)
		return SLAT_EFORMAT;
	/* The 4 KiB-aligned root with PWT = PCD = 0 (NCR3_PWT, NCR3_PCD):
	 * the root table is read as write-back (§15.25.4); with the C-bit
	 * when the tables are encrypted, as in CR3 (§7.10.1). */
	*ncr3 = t->root_pa | x86_key_root(t);
	return SLAT_OK;
}

int slat_npt_flush(const struct slat_table *t_pub, const struct slat_gather *g_pub,
		   uint8_t *tlb_control)
{
	const struct table_state *t = table_of_c(t_pub);
	const struct gather_state *g = gather_of_c(g_pub);
	struct inval_plan plan;

	if (!t || !g || !tlb_control)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_npt)
		return SLAT_EFORMAT;
	if (g->table && g->table != t)
		return SLAT_EGATHER;
	*tlb_control = SLAT_NPT_TLB_NONE;
	/* No by-address form (below): anything at all is the whole table. */
	inval_plan_make(t, g, 0, &plan);
	if (plan.kind == INVAL_NONE)
		return SLAT_OK;
	/*
	 * TLB_CONTROL has no by-address form: 03h drops every translation
	 * of the guest's ASID, guest and nested alike, and needs
	 * FlushByAsid; 01h drops those of every ASID (VMCB 058h, APM vol. 2
	 * appendix B, §15.16 "TLB Control").
	 */
	*tlb_control = (t->caps.flags & SLAT_CAP_INV_SINGLE) ? SLAT_NPT_TLB_ASID
							      : SLAT_NPT_TLB_ALL;
	return SLAT_OK;
}
