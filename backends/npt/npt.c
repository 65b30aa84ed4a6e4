/* SPDX-License-Identifier: MIT */
/* AMD nested page tables: geometry, encoding, decoding, checking. */

#include <slat/error.h>
#include <slat/npt.h>

#include "format.h"
#include "../x86/x86_key.h"
#include "../x86/x86_layout.h"
#include "npt_bits.h"

/*
 * Execute permissions (APM vol. 2 §15.25.5 "Nested Table Walk" and the
 * "Guest Mode Execute Trap Extension" section of chapter 15).
 *
 * Without GMET every access the nested walk checks is a user access,
 * whatever the guest's CPL, so U/S must be 1 at every level and NX alone
 * decides execution, for guest kernel and guest user code alike.
 *
 * With GMET on (VMCB 090h bit 3), an instruction fetch by guest code at
 * CPL < 3 from a page whose effective nested U/S is 1 takes #NPF, much as
 * SMEP does; data accesses and CPL 3 fetches ignore nested U/S = 0. So a
 * leaf with NX = 0 means:
 *   U/S = 0: executable at every CPL  (SLAT_PERM_XS | SLAT_PERM_XU)
 *   U/S = 1: executable at CPL 3 only (SLAT_PERM_XU)
 * and NX = 1 executable nowhere. Execution by supervisor code alone has no
 * encoding. Table entries keep U/S = 1, so the leaf alone decides.
 * Sources: docs/formats.md §2.3; Linux commits 3129c6b81cab (KVM's NPT
 * walker under GMET: nested U = 0 restricts only instruction fetches) and
 * fe080f58dec2 (KVM with GMET marks every nested page U = 0 and guest user
 * code keeps running, so CPL 3 fetches from U/S = 0 pages succeed). The
 * APM text itself was not available to check this against.
 *
 * The "supervisor" of SLAT_PERM_XS is thus the guest's CPL, not the U/S
 * bit of the guest's own page tables as under Intel MBEC.
 */
static bool gmet(const struct table_state *t)
{
	return t->features & SLAT_FEAT_SPLIT_EXEC;
}

/* PAT index bit 2: bit 7 in a 4 KiB PTE, bit 12 in a large leaf (§5.4). */
static uint64_t pat_bit(unsigned level)
{
	return level ? NPT_PAT_LARGE : NPT_PAT_4K;
}

static unsigned pat_type(uint64_t pat, unsigned index)
{
	return (unsigned)(pat >> (8 * index)) & 0xff;
}

/* Each PAT entry holds 0, 1, 4, 5, 6 or 7; anything else is reserved
 * and WRMSR of it faults (APM §7.8.1). */
static bool pat_valid(uint64_t pat)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		unsigned ty = pat_type(pat, i);

		if (ty == 2 || ty == 3 || ty > 7)
			return false;
	}
	return true;
}

static int npt_configure(struct table_state *t, const struct slat_config *cfg)
{
	struct slat_layout *l = &t->lay;
	const struct slat_caps *c = &t->caps;
	unsigned levels = cfg->levels;
	unsigned lv;
	int err;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return SLAT_ECONFIG;
	if (cfg->ia_bits < 32 || cfg->ia_bits > 57)
		return SLAT_ECONFIG;
	/* Default: the one depth the host's paging mode allows. */
	if (!levels)
		levels = (c->flags & SLAT_CAP_LEVELS4) && cfg->ia_bits <= 48 ? 4 : 5;
	/*
	 * The nested walk has the host's paging mode at VMRUN: four levels
	 * translate 48 bits, five (host CR4.LA57 = 1) 57 bits. A host with
	 * LA57 on needs 5-level tables even for a narrow guest, so five
	 * levels are accepted for any input width.
	 */
	if ((levels != 4 && levels != 5) || (levels == 4 && cfg->ia_bits > 48))
		return SLAT_ECONFIG;
	if (!(c->flags & (levels == 4 ? SLAT_CAP_LEVELS4 : SLAT_CAP_LEVELS5)))
		return SLAT_ECAPS;
	if (c->pa_bits < 32 || c->pa_bits > 52)
		return SLAT_ECAPS;
	/* GuestPhysAddrSize (or PhysAddrSize) bounds the guest's addresses. */
	if (cfg->ia_bits > c->ia_bits)
		return SLAT_ECAPS;
	if (!t->host_pat)
		t->host_pat = NPT_PAT_RESET;
	if (!pat_valid(t->host_pat))
		return SLAT_ECONFIG;

	x86_layout(l, cfg, c, levels);
	/* PDEs always map 2 MiB; PDPEs map 1 GiB with Page1GB (§5.3). */
	l->leaf_levels_hw = 1u | (1u << 1);
	if (c->page_sizes & (1ull << 30))
		l->leaf_levels_hw |= 1u << 2;
	l->leaf_levels = 1;
	if (c->page_sizes & (1ull << 21))
		l->leaf_levels |= 1u << 1;
	if (c->page_sizes & (1ull << 30))
		l->leaf_levels |= 1u << 2;

	l->present = NPT_P;
	l->noaccess = NPT_NOACCESS;
	/* The core's leaf index: P, R/W, U/S (bits 2:0, to 59:57; APM vol. 2
	 * §5.4.1, U/S as nested accesses see it, §15.25.5, and under GMET,
	 * see above), the no-access mark (bit 11, to 60) and NX (bit 63,
	 * stays). */
	l->leaf_index_mask = NPT_P | NPT_RW | NPT_US | NPT_NOACCESS | NPT_NX;
	l->leaf_index_mul = (1ull << 57) | (1ull << 49) | 1ull;
	/*
	 * Payload (slat/payload.h) in bits 63:12 of an entry with P = 0: all
	 * its other bits are available to software (APM vol. 2 §5.4.1, which
	 * nested paging follows, §15.25.5). Bit 11 is the no-access mark;
	 * bits 10:1 are free as well but left clear so the field is one run.
	 */
	l->payload_mask = slat_bits(63, 12);
	l->payload_shift = 12;
	/* Tables grant everything (every access is a user access). */
	l->table_tmpl = NPT_P | NPT_RW | NPT_US;
	/* The hardware always sets A and D; libslat reports them on request. */
	if (t->features & SLAT_FEAT_AD) {
		l->accessed = NPT_A;
		l->dirty = NPT_D;
		l->hw_bits = NPT_A | NPT_D;
	}
	for (lv = 0; lv < levels; lv++)
		l->attr_mask[lv] = NPT_P | NPT_RW | NPT_US | NPT_PWT | NPT_PCD |
				   pat_bit(lv) | NPT_NX | NPT_NOACCESS;
	/*
	 * The SME C-bit (x86_key.h). Table entries may carry it too: it then
	 * says the table below is encrypted, as the C-bit in nCR3 does for
	 * the root (APM §7.10.1; Linux KVM sets it in both when the host runs
	 * with SME), so cfg->table_key follows the embedder's own mapping of
	 * its table pages.
	 */
	err = x86_key_configure(t, cfg);
	if (err)
		return err;
	return slat_layout_sw_bits(l, cfg, NPT_SW_PREFERRED, NPT_SW_ALLOWED);
}

/* PAT memory types of the portable ones (APM §7.8.1). */
static const uint8_t mt_encode[SLAT_MT_COUNT] = {
	[SLAT_MT_WB] = NPT_PAT_WB, [SLAT_MT_WT] = NPT_PAT_WT,
	[SLAT_MT_WC] = NPT_PAT_WC, [SLAT_MT_WP] = NPT_PAT_WP,
	[SLAT_MT_UC] = NPT_PAT_UC, [SLAT_MT_DEVICE] = NPT_PAT_UC,
};

static int npt_leaf_encode(const struct table_state *t, unsigned level,
			   const struct slat_attrs *a, uint64_t *tmpl)
{
	const bool r = a->perms & SLAT_PERM_R, w = a->perms & SLAT_PERM_W;
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	uint64_t e = NPT_P | NPT_US;
	unsigned index;

	/* No permission: a not-present no-access leaf (npt_bits.h). */
	if (!a->perms)
		e = NPT_NOACCESS | NPT_US | NPT_NX;
	/* A present entry is always readable: no write- or execute-only. */
	else if (!r)
		return SLAT_EPERM;
	/* Without GMET, NX is one bit for every privilege. */
	if (!gmet(t) && xs != xu)
		return SLAT_EPERM;
	/* With GMET, execution at CPL < 3 implies it at CPL 3 (see top). */
	if (gmet(t) && xs && !xu)
		return SLAT_EPERM;
	if (a->share != SLAT_SH_DEFAULT)
		return SLAT_EMEMTYPE;
	/* The nested type always combines with the guest's (§15.25.8). */
	if (a->flags & SLAT_ATTR_MT_FORCE)
		return SLAT_EMEMTYPE;
	/* The lowest host PAT entry of the type; UC is never UC-. */
	for (index = 0; index < 8; index++)
		if (pat_type(t->host_pat, index) == mt_encode[a->memtype])
			break;
	if (index == 8)
		return SLAT_EMEMTYPE;
	if (w)
		e |= NPT_RW;
	if (!xs && !xu)
		e |= NPT_NX;
	else if (xs && gmet(t))
		e &= ~NPT_US;
	if (index & 1)
		e |= NPT_PWT;
	if (index & 2)
		e |= NPT_PCD;
	if (index & 4)
		e |= pat_bit(level);
	if (level > 0)
		e |= NPT_PS;
	e |= x86_key_encode(t, a->key);
	*tmpl = e;
	return SLAT_OK;
}

static void npt_leaf_decode(const struct table_state *t, unsigned level,
			    uint64_t e, struct slat_attrs *a)
{
	unsigned perms = SLAT_PERM_R, index = 0;

	if (!(e & NPT_P))
		perms = 0; /* a no-access leaf (npt_bits.h) */
	else if (e & NPT_RW)
		perms |= SLAT_PERM_W;
	if (perms && !(e & NPT_NX)) {
		if (!gmet(t) || !(e & NPT_US))
			perms |= SLAT_PERM_X;
		else
			perms |= SLAT_PERM_XU;
	}
	/* Without GMET a supervisor page refuses every nested access. */
	if (!gmet(t) && !(e & NPT_US))
		perms = 0;
	a->perms = (uint8_t)perms;
	if (e & NPT_PWT)
		index |= 1;
	if (e & NPT_PCD)
		index |= 2;
	if (e & pat_bit(level))
		index |= 4;
	switch (pat_type(t->host_pat, index)) {
	case NPT_PAT_WB: a->memtype = SLAT_MT_WB; break;
	case NPT_PAT_WT: a->memtype = SLAT_MT_WT; break;
	case NPT_PAT_WC: a->memtype = SLAT_MT_WC; break;
	case NPT_PAT_WP: a->memtype = SLAT_MT_WP; break;
	default: a->memtype = SLAT_MT_UC; break; /* UC, and UC- (stronger on re-encoding) */
	}
	a->flags = 0;
	a->share = SLAT_SH_DEFAULT;
	a->key = x86_key_decode(t, e);
}

static unsigned npt_check(const struct table_state *t, unsigned level,
			  uint64_t e, bool leaf, struct slat_problem *out)
{
	const struct slat_layout *l = &t->lay;
	unsigned n = 0;
	uint64_t rsvd = 0;

	/* The no-access mark in an entry the hardware sees: libslat never
	 * writes one (npt_bits.h). */
	if ((e & NPT_NOACCESS) && (e & NPT_P)) {
		out[n].kind = SLAT_PROB_RESERVED;
		out[n++].bits = NPT_NOACCESS;
	}

	if (leaf && !(l->leaf_levels_hw & (1u << level))) {
		/*
		 * PS = 1 where the hardware has no large page: MBZ in a
		 * PML4E/PML5E, and in a PDPE without Page1GB (§5.4). The core
		 * reports the entry as SLAT_PROB_LEAF_LEVEL as well; nothing
		 * else about it is meaningful.
		 */
		rsvd = NPT_PS | (level >= 3 ? e & NPT_G : 0);
	} else if (leaf) {
		/* Large pages: address bits below the alignment, above the
		 * PAT bit (20:13 or 29:13), are reserved (§5.4). */
		if (level > 0)
			rsvd = e & slat_bits(l->shift[level] - 1, 13);
		/* A supervisor leaf blocks every nested access unless GMET
		 * gives U/S its meaning (see top). */
		if (!gmet(t) && !(e & NPT_US)) {
			out[n].kind = SLAT_PROB_FEATURE;
			out[n++].bits = NPT_US;
		}
	} else {
		const uint64_t need = NPT_RW | NPT_US, never = NPT_NX | NPT_PWT | NPT_PCD;
		uint64_t odd = (~e & need) | (e & never);

		/* Bit 8 is MBZ in a PML4E and a PML5E on AMD (npt_bits.h). */
		if (level >= 3)
			rsvd = e & NPT_G;
		/* Restricting a table (R/W or U/S clear, NX set) or choosing
		 * an uncached walk are attributes libslat never writes. */
		if (odd) {
			out[n].kind = SLAT_PROB_TABLE_ATTR;
			out[n++].bits = odd;
		}
	}
	/*
	 * A PAT index selecting a reserved host PAT type cannot occur: the
	 * host PAT was validated when the table was created.
	 */
	if (rsvd) {
		out[n].kind = SLAT_PROB_RESERVED;
		out[n++].bits = rsvd;
	}
	return n + x86_key_check(t, e, leaf, &out[n]);
}

const struct slat_format slat_format_npt = {
	.id = SLAT_FORMAT_NPT,
	.name = "npt",
	.configure = npt_configure,
	.leaf_encode = npt_leaf_encode,
	.leaf_decode = npt_leaf_decode,
	.check = npt_check,
};
