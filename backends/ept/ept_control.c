/* SPDX-License-Identifier: MIT */
/* Intel EPT: capabilities, the EPT pointer, INVEPT. */

#include <slat/ept.h>
#include <slat/error.h>

#include "ept_bits.h"
#include "format.h"
#include "inval.h"
#include "../x86/x86_key.h"

int slat_ept_caps(uint64_t cap, uint64_t ctls2, uint32_t cpuid_80000008_eax,
		  struct slat_caps *out)
{
	struct slat_caps c = { 0 };

	if (!out)
		return SLAT_ENULL;
	if (!(ctls2 & CTLS2_EPT))
		return SLAT_ECAPS;
	c.format = SLAT_FORMAT_EPT;
	if (cap & EPTCAP_PWL4)
		c.flags |= SLAT_CAP_LEVELS4;
	if (cap & EPTCAP_PWL5)
		c.flags |= SLAT_CAP_LEVELS5;
	if (!(c.flags & (SLAT_CAP_LEVELS4 | SLAT_CAP_LEVELS5)))
		return SLAT_ECAPS;
	if (cap & EPTCAP_AD)
		c.flags |= SLAT_CAP_AD;
	if (cap & EPTCAP_EXIT_INFO)
		c.flags |= SLAT_CAP_FAULT_MODE;
	if (ctls2 & CTLS2_MBEC)
		c.flags |= SLAT_CAP_SPLIT_EXEC;
	if (cap & EPTCAP_EXEC_ONLY)
		c.flags |= SLAT_CAP_EXEC_ONLY;
	if (cap & EPTCAP_WB)
		c.flags |= SLAT_CAP_WALK_WB;
	if (cap & EPTCAP_UC)
		c.flags |= SLAT_CAP_WALK_UC;
	if ((cap & EPTCAP_INVEPT) && (cap & EPTCAP_INVEPT_SINGLE))
		c.flags |= SLAT_CAP_INV_SINGLE;
	if ((cap & EPTCAP_INVEPT) && (cap & EPTCAP_INVEPT_ALL))
		c.flags |= SLAT_CAP_INV_ALL;
	c.page_sizes = 1ull << 12;
	if (cap & EPTCAP_2M)
		c.page_sizes |= 1ull << 21;
	if (cap & EPTCAP_1G)
		c.page_sizes |= 1ull << 30;
	/* CPUID.80000008H:EAX[7:0] is MAXPHYADDR. */
	c.pa_bits = (uint8_t)(cpuid_80000008_eax & 0xff);
	if (c.pa_bits < 32 || c.pa_bits > 52)
		return SLAT_ECAPS;
	c.ia_bits = (c.flags & SLAT_CAP_LEVELS5) ? 57 : 48;
	c.granules = SLAT_GRANULE_BIT(12);
	*out = c;
	return SLAT_OK;
}

int slat_ept_caps_mktme(struct slat_caps *caps, uint64_t tme_activate,
			uint64_t keyid_partitioning)
{
	unsigned bits, width;
	uint64_t ids, mktme, tdx;

	if (!caps)
		return SLAT_ENULL;
	if (caps->format != SLAT_FORMAT_EPT)
		return SLAT_EFORMAT;
	/* Unlocked, the MSR is not yet what the memory controller uses. */
	if ((tme_activate & (TME_ACTIVATE_LOCKED | TME_ACTIVATE_ENABLED)) !=
	    (TME_ACTIVATE_LOCKED | TME_ACTIVATE_ENABLED))
		return SLAT_ECAPS;
	bits = (unsigned)((tme_activate >> TME_ACTIVATE_KEYID_SHIFT) & TME_ACTIVATE_KEYID_MASK);
	/* Plain TME (one key for everything) takes no address bits. */
	if (!bits)
		return SLAT_ECAPS;
	width = caps->pa_bits > bits ? caps->pa_bits - bits : 0;
	if (width < 32)
		return SLAT_ECAPS;
	ids = (1ull << bits) - 1; /* KeyID 0 is TME's own */
	mktme = ids;
	if (keyid_partitioning) {
		mktme = keyid_partitioning & 0xffffffffull;
		tdx = keyid_partitioning >> 32;
		if (mktme + tdx > ids)
			return SLAT_ECAPS;
	}
	caps->pa_bits = (uint8_t)width;
	caps->key_shift = (uint8_t)width;
	caps->key_bits = (uint8_t)bits;
	caps->key_max = (uint16_t)mktme;
	return SLAT_OK;
}

int slat_ept_eptp(const struct slat_table *t_pub, uint64_t *eptp)
{
	const struct table_state *t = table_of_c(t_pub);
	uint64_t v;

	if (!t || !eptp)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_ept)
		return SLAT_EFORMAT;
	/* Walks of the tables use WB where allowed, else UC (§25.6.11);
	 * UC always with SLAT_FEAT_WALK_NC, whose tables the core writes
	 * back to memory after every store (slat_config::clean_tables). */
	/* The root's KeyID is part of its address (x86_key.h). */
	v = t->root_pa | x86_key_root(t);
	v |= (uint64_t)((t->caps.flags & SLAT_CAP_WALK_WB) &&
			!(t->features & SLAT_FEAT_WALK_NC) ? EPT_MT_WB : EPT_MT_UC)
	     << EPTP_MT_SHIFT;
	v |= (uint64_t)(t->lay.levels - 1) << EPTP_PWL_SHIFT;
	if (t->features & SLAT_FEAT_AD)
		v |= EPTP_AD;
	*eptp = v;
	return SLAT_OK;
}

int slat_ept_flush(const struct slat_table *t_pub, const struct slat_gather *g_pub,
		   struct slat_ept_flush *op)
{
	const struct table_state *t = table_of_c(t_pub);
	const struct gather_state *g = gather_of_c(g_pub);
	struct inval_plan plan;

	if (!t || !g || !op)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_ept)
		return SLAT_EFORMAT;
	if (g->table && g->table != t)
		return SLAT_EGATHER;
	op->type = SLAT_INVEPT_NONE;
	op->desc[0] = 0;
	op->desc[1] = 0;
	/* No by-address form (below): anything at all is the whole table. */
	inval_plan_make(t, g, 0, &plan);
	if (plan.kind == INVAL_NONE)
		return SLAT_OK;
	/*
	 * INVEPT has no by-address form: single-context drops every
	 * translation tagged with this EPTP, guest-physical and combined
	 * (SDM vol. 3C §29.4.3.1 "Operations that Invalidate Cached Mappings").
	 */
	if (t->caps.flags & SLAT_CAP_INV_SINGLE) {
		op->type = SLAT_INVEPT_SINGLE;
		slat_ept_eptp(t_pub, &op->desc[0]);
	} else if (t->caps.flags & SLAT_CAP_INV_ALL) {
		op->type = SLAT_INVEPT_ALL;
	} else {
		return SLAT_ECAPS;
	}
	return SLAT_OK;
}
