/* SPDX-License-Identifier: MIT */
/*
 * Arm Stage-2 target: configuration from raw ID registers, the encoding
 * rules the model expects (independent S2AP read/write, XN[1:0] with or
 * without FEAT_XNX, MemAttr with or without FEAT_S2FWB, shareability), and
 * the TLB maintenance sequence interpreted from the Arm ARM (docs/formats.md
 * §3.9), not from libslat:
 *
 *  - TLBI IPAS2E1IS: IPA[51:12] in bits 39:0; TTL in 47:44, TTL[3:2] the
 *    granule (0: no hint, another granule: no invalidation), TTL[1:0] the
 *    Arm level of the leaf; with a hint only leaf entries at that level go,
 *    and no walk-cache entry; reserved levels mean no hint.
 *  - TLBI RIPAS2E1IS: BaseADDR (36:0, in granules), TTL (38:37: 0 any level,
 *    else leaf entries at Arm level 1-3 only), NUM (43:39), SCALE (45:44),
 *    TG (47:46, must be the granule): (NUM + 1) << (5 * SCALE + 1) granules.
 *  - Both drop stage-2-only entries; combined stage 1+2 entries go only with
 *    TLBI VMALLE1IS (refilled from whatever stage 2 entries remain cached
 *    when it completes, so it must complete after the IPA invalidations) or
 *    TLBI VMALLS12E1IS (everything of the VMID, walk caches included).
 *  - A TLBI completes at the next DSB ISH; TLBIs between two DSBs complete
 *    in any order. The sequence must start with DSB ISHST and end with no
 *    TLBI left incomplete.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static const uint8_t parange_bits[7] = { 32, 36, 40, 42, 44, 48, 52 };

/* 52-bit tables exist with the 64K granule only (FEAT_LPA); the 4K and
 * 16K layouts for them (FEAT_LPA2) are not built: those stay at 48. */
static unsigned table_pa_bits(unsigned g, unsigned parange_pa)
{
	return g != 16 && parange_pa > 48 ? 48 : parange_pa;
}

/* With FEAT_LPA and the 64K granule, address bits 51:48 sit in bits 15:12
 * of table, block and page descriptors (docs/formats.md §3.3). */
static bool lpa(const struct engine *e)
{
	return e->granule_lg2 == 16 && e->pa_top == 1ull << 52;
}

static unsigned s2_levels(unsigned g, unsigned ia)
{
	/* Fewest levels: docs/formats.md §3.5 (start level and legal IPA sizes). */
	switch (g) {
	case 12: return ia <= 34 ? 2 : ia <= 43 ? 3 : 4;
	case 14: return ia <= 40 ? 2 : 3;
	default: return ia <= 33 ? 1 : ia <= 46 ? 2 : 3;
	}
}

static bool s2_setup(struct engine *e, struct rd *r)
{
	const uint8_t b0 = rd_u8(r), b1 = rd_u8(r), b2 = rd_u8(r), b3 = rd_u8(r),
		      b4 = rd_u8(r);
	static const unsigned gr[3] = { 12, 14, 16 };
	static const unsigned t2_shift[3] = { 40, 32, 36 }; /* TGran4_2, 16_2, 64_2 */
	static const uint32_t thresholds[8] = { 0, 1, 2, 4, 16, 64, 100, 255 };
	const unsigned gi = b0 % 3, g = gr[gi];
	unsigned parange = b2 % 7, pa = table_pa_bits(g, parange_bits[parange]), ia, l, i, top;
	uint64_t mmfr0 = parange, mmfr1 = 0, mmfr2 = 0, isar0 = 0;
	uint8_t max_page;

	for (i = 0; i < 3; i++)
		mmfr0 |= (uint64_t)((i == gi || (b0 & (8u << i))) ? 2 : 1) << t2_shift[i];
	if (b0 & 0x40)
		mmfr1 |= 2; /* HAFDBS: access flag and dirty state */
	else if (b0 & 0x80)
		mmfr1 |= 1; /* access flag only */
	if (b1 & 2)
		mmfr1 |= 2ull << 4; /* 16-bit VMIDs */
	if (b1 & 4)
		mmfr1 |= 1ull << 28; /* XNX */
	if (b1 & 8)
		mmfr2 |= 1ull << 40; /* FWB */
	if (b1 & 0x10)
		mmfr2 |= 1ull << 48; /* TTL */
	if (b1 & 1)
		isar0 |= 2ull << 56; /* range TLBI */
	if (slat_stage2_caps(mmfr0, mmfr1, mmfr2, isar0, &e->caps) != SLAT_OK)
		return false;
	memset(&e->cfg, 0, sizeof(e->cfg));
	ia = 32 + b3 % (pa - 31);
	/* Half the time, a root of at most 256 KiB (16 concatenated 64 KiB
	 * tables make 1 MiB, which every check walks). */
	if (!(b3 & 0x80))
		while (ia > 32 && (8ull << (ia - (g + (s2_levels(g, ia) - 1) * (g - 3)))) >
					  (256ull << 10))
			ia--;
	e->cfg.ia_bits = (uint8_t)ia;
	e->cfg.granule_lg2 = (uint8_t)g;
	if ((b1 & 0x20) && (mmfr1 & 0xf) == 2)
		e->cfg.features |= SLAT_FEAT_AD;
	if ((b1 & 0x40) && (b1 & 4))
		e->cfg.features |= SLAT_FEAT_SPLIT_EXEC;
	if ((b1 & 0x80) && (b1 & 8))
		e->cfg.features |= SLAT_FEAT_FWB;
	e->cfg.tlbi_threshold = thresholds[b4 & 7];
	e->cfg.sw_bits = (uint8_t)(((b4 >> 3) & 7) % 5);
	max_page = 0;
	if ((b4 & 0xc0) == 0x40)
		max_page = (uint8_t)g;
	else if ((b4 & 0xc0) == 0x80)
		max_page = (uint8_t)(g + (g - 3));
	e->cfg.max_page_lg2 = max_page;
	/* Now and then the software bits at positions of the embedder's
	 * choosing: a few of the bits the format leaves to software. */
	if (b2 & 0x80) {
		uint64_t allowed = 0xfull << 55, pick = 0;
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
	/* With hardware dirty state libslat keeps one of 58:55 for its
	 * software dirty copy (unit tests check the refusal of all four). */
	if (e->cfg.features & SLAT_FEAT_AD) {
		if (e->cfg.sw_bits == 4)
			e->cfg.sw_bits = 3;
		if (e->cfg.sw_positions == 0xfull << 55)
			e->cfg.sw_positions &= ~(1ull << 58);
	}

	e->granule_lg2 = g;
	e->levels = s2_levels(g, ia);
	for (l = 0; l < e->levels; l++)
		e->level_shift[l] = g + l * (g - 3);
	/* Blocks (docs/formats.md §3.4): 4K at Arm levels 2 and 1, 16K at
	 * level 2, 64K at level 2 and, with 52-bit PAs, level 1 (4 TiB). */
	e->leaf_sizes = 1ull << g;
	if (e->levels > 1)
		e->leaf_sizes |= 1ull << e->level_shift[1];
	if ((g == 12 || (g == 16 && pa == 52)) && e->levels > 2)
		e->leaf_sizes |= 1ull << e->level_shift[2];
	if (max_page)
		e->leaf_sizes &= (2ull << max_page) - 1;
	top = e->level_shift[e->levels - 1];
	e->root_bytes = 8ull << (ia - top);
	if (e->root_bytes < (1ull << g))
		e->root_bytes = 1ull << g;
	e->pa_top = 1ull << pa;
	return true;
}

static bool xnx(const struct engine *e)
{
	return e->cfg.features & SLAT_FEAT_SPLIT_EXEC;
}

static bool is_device(unsigned mt)
{
	return mt == SLAT_MT_UC || mt == SLAT_MT_DEVICE;
}

static uint32_t s2_attrs_errors(const struct engine *e, const struct slat_attrs *a)
{
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	const bool force = a->flags & SLAT_ATTR_MT_FORCE;
	uint32_t s = 0;

	if (!xnx(e) && xs != xu)
		s |= ERR(SLAT_EPERM);
	if (e->fwb) {
		/* FWB: forced write-back or the stage 1 type for WB; NC and
		 * Device encodings cannot be forced; no write-through. */
		if (a->memtype == SLAT_MT_WT || a->memtype == SLAT_MT_WP)
			s |= ERR(SLAT_EMEMTYPE);
		else if (force && a->memtype != SLAT_MT_WB)
			s |= ERR(SLAT_EMEMTYPE);
	} else {
		if (force || a->memtype == SLAT_MT_WP)
			s |= ERR(SLAT_EMEMTYPE);
	}
	return s;
}

static void s2_attrs_norm(const struct engine *e, struct slat_attrs *a)
{
	(void)e;
	/* The default shareability reads back as the default. */
	if ((is_device(a->memtype) && a->share == SLAT_SH_OUTER) ||
	    (!is_device(a->memtype) && a->share == SLAT_SH_INNER))
		a->share = SLAT_SH_DEFAULT;
}

static bool s2_is_table(const struct engine *e, unsigned level, uint64_t ent)
{
	(void)e;
	return level > 0 && (ent & 3) == 3;
}

static uint64_t s2_table_addr(const struct engine *e, uint64_t ent)
{
	uint64_t a = ent & ((1ull << 48) - 1) & ~((1ull << e->granule_lg2) - 1);

	return lpa(e) ? a | ((ent >> 12) & 0xf) << 48 : a;
}

static unsigned tg_code(const struct engine *e)
{
	return e->granule_lg2 == 12 ? 1 : e->granule_lg2 == 14 ? 2 : 3;
}

#define MAX_INV 512

struct group {
	struct inval v[MAX_INV];
	size_t n;
	bool vmalle1, vmalls12;
	unsigned tlbis;
};

static void add_inval(struct group *gr, const struct inval *iv)
{
	if (gr->n) {
		/* Extend a series of consecutive points. */
		struct inval *p = &gr->v[gr->n - 1];

		if (p->step == iv->step && p->level == iv->level && p->walk == iv->walk &&
		    p->kinds == iv->kinds && iv->count == 1 &&
		    p->start + p->count * p->step == iv->start) {
			p->count++;
			return;
		}
	}
	if (gr->n == MAX_INV)
		fz_fail("tlbi", "more than %d TLBI operations between two DSBs", MAX_INV);
	gr->v[gr->n++] = *iv;
}

/* Arm TTL[1:0] level 0-3 valid as a leaf level hint for this granule? */
static bool level_hint_ok(const struct engine *e, unsigned arm_level)
{
	/* Level 0 is reserved without LPA2; level 1 too for 16K without
	 * LPA2, and for 64K where no level-1 block exists (below 52 bits). */
	if (arm_level == 0)
		return false;
	return e->granule_lg2 == 12 || arm_level >= 2 || lpa(e);
}

static void decode_op(struct engine *e, const struct slat_s2_op *op, struct group *gr)
{
	const uint64_t a = op->arg;
	struct inval iv;

	memset(&iv, 0, sizeof(iv));
	iv.kinds = TLB_S2;
	switch (op->kind) {
	case SLAT_S2_TLBI_IPAS2E1IS: {
		unsigned ttl = (unsigned)(a >> 44) & 0xf;

		FZ_CHECK(!(a & ~(((1ull << 48) - 1))) && !((a >> 40) & 0xf) &&
				 (e->cfg.ia_bits > 48 || !((a >> 36) & 0xf)),
			 "tlbi", "TLBI IPAS2E1IS operand 0x%llx has bits beyond the IPA and TTL",
			 (unsigned long long)a);
		gr->tlbis++;
		iv.start = (a & ((1ull << 40) - 1)) << 12;
		iv.step = 1ull << e->granule_lg2;
		iv.count = 1;
		iv.level = -1;
		iv.walk = true;
		if (ttl && (ttl >> 2)) {
			if ((ttl >> 2) != tg_code(e))
				return; /* a hint for another granule: may invalidate nothing */
			if (level_hint_ok(e, ttl & 3)) {
				iv.level = 3 - (int)(ttl & 3);
				iv.walk = false;
			}
		}
		if (iv.level >= (int)e->levels)
			return; /* no such level: nothing matches */
		add_inval(gr, &iv);
		break;
	}
	case SLAT_S2_TLBI_RIPAS2E1IS: {
		uint64_t base = a & ((1ull << 37) - 1);
		unsigned ttl = (unsigned)(a >> 37) & 3, num = (unsigned)(a >> 39) & 31;
		unsigned scale = (unsigned)(a >> 44) & 3, tg = (unsigned)(a >> 46) & 3;

		FZ_CHECK(e->caps.flags & SLAT_CAP_TLBI_RANGE, "tlbi",
			 "TLBI RIPAS2E1IS without FEAT_TLBIRANGE (undefined instruction)");
		FZ_CHECK(!(a >> 48), "tlbi", "TLBI RIPAS2E1IS operand 0x%llx has bits 63:48 set",
			 (unsigned long long)a);
		gr->tlbis++;
		if (tg != tg_code(e))
			return; /* another granule: no invalidation */
		iv.start = base << e->granule_lg2;
		iv.step = 1ull << e->granule_lg2;
		iv.count = (uint64_t)(num + 1) << (5 * scale + 1);
		iv.level = ttl ? 3 - (int)ttl : -1;
		iv.walk = ttl == 0;
		if (iv.level >= (int)e->levels)
			return;
		add_inval(gr, &iv);
		break;
	}
	case SLAT_S2_TLBI_VMALLE1IS:
		gr->tlbis++;
		gr->vmalle1 = true;
		break;
	case SLAT_S2_TLBI_VMALLS12E1IS:
		gr->tlbis++;
		gr->vmalls12 = true;
		break;
	default:
		fz_fail("tlbi", "unknown op kind %u", op->kind);
	}
}

/* DSB ISH: the group's TLBIs complete, in the least favourable order. */
static void complete(struct engine *e, struct group *gr)
{
	if (gr->vmalls12) {
		shadow_flush_all(&e->sh);
	} else {
		if (gr->vmalle1)
			shadow_comb_from_s2(&e->sh);
		shadow_apply(&e->sh, gr->v, gr->n);
	}
	gr->n = 0;
	gr->tlbis = 0;
	gr->vmalle1 = gr->vmalls12 = false;
}

static struct group grp;
static struct slat_s2_op *opbuf;
static size_t opbuf_cap;

static void s2_flush(struct engine *e, const struct slat_gather *g, bool sync)
{
	const uint32_t thr = e->cfg.tlbi_threshold ? e->cfg.tlbi_threshold : 64;
	size_t cap = SLAT_S2_OPS_MAX(thr), n = ~(size_t)0, i;
	struct slat_s2_op *ops;
	int r;

	/* Now and then, a buffer that may be too small. */
	if ((eng_rand(e) & 7) == 0) {
		size_t small = eng_rand(e) % cap;

		ops = malloc((small ? small : 1) * sizeof(*ops));
		if (!ops)
			abort();
		r = slat_stage2_flush(&e->t, g, small ? ops : NULL, small, &n);
		FZ_CHECK(r == SLAT_OK ? n <= small : (r == SLAT_ENOSPC || (!small && r == SLAT_ENULL)),
			 "flush", "slat_stage2_flush with room for %zu ops: %s, %zu ops", small,
			 slat_errname(r), n);
		free(ops);
	}
	/* One buffer of exactly the documented size, kept across calls. */
	if (opbuf_cap != cap) {
		free(opbuf);
		opbuf = malloc(cap * sizeof(*opbuf));
		if (!opbuf)
			abort();
		opbuf_cap = cap;
	}
	ops = opbuf;
	r = slat_stage2_flush(&e->t, g, ops, cap, &n);
	FZ_CHECK(r == SLAT_OK && n <= cap, "flush", "slat_stage2_flush = %s (%zu ops, room %zu)",
		 slat_errname(r), n, cap);
	memset(&grp, 0, sizeof(grp));
	if (getenv("SLAT_FUZZ_VERBOSE")) {
		uint32_t k;

		for (k = 0; k < slat_gather_nranges(g); k++)
			eng_note(e, "   %s gather [0x%llx, 0x%llx) leaves 0x%llx tables 0x%llx",
				 sync ? "sync" : "flush",
				 (unsigned long long)slat_gather_range(g, k).start,
				 (unsigned long long)slat_gather_range(g, k).end,
				 (unsigned long long)slat_gather_range(g, k).leaf_sizes,
				 (unsigned long long)slat_gather_range(g, k).table_sizes);
		for (i = 0; i < n; i++)
			eng_note(e, "     op %u arg 0x%llx", ops[i].kind,
				 (unsigned long long)ops[i].arg);
	}
	if (n) {
		FZ_CHECK(ops[0].kind == SLAT_S2_DSB_ISHST, "barrier",
			 "the sequence does not start with DSB ISHST: walkers may not see the "
			 "table writes before the invalidation");
	}
	for (i = 0; i < n; i++) {
		switch (ops[i].kind) {
		case SLAT_S2_DSB_ISHST:
			FZ_CHECK(!ops[i].arg, "barrier", "DSB with an operand");
			break;
		case SLAT_S2_DSB_ISH:
			FZ_CHECK(!ops[i].arg, "barrier", "DSB with an operand");
			complete(e, &grp);
			break;
		case SLAT_S2_ISB:
			break;
		default:
			decode_op(e, &ops[i], &grp);
			break;
		}
	}
	FZ_CHECK(grp.tlbis == 0, "barrier",
		 "%u TLBI operations not followed by DSB ISH: not known to be complete",
		 grp.tlbis);
	(void)sync;
}

/* VTCR_EL2 and VTTBR_EL2 against docs/formats.md §3.5-3.7. */
static void s2_misc(struct engine *e, struct rd *r)
{
	uint64_t vtcr = 0, vttbr = 0, v;
	unsigned sl0, tg, ps;
	uint16_t vmid = rd_u16(r);
	struct slat_ept_flush op;
	struct slat_s2_op ops[8];
	struct slat_caps c;
	uint8_t tc;
	size_t n;
	int ret;

	FZ_CHECK(slat_stage2_vtcr(&e->t, &vtcr) == SLAT_OK, "vtcr", "slat_stage2_vtcr failed");
	tg = e->granule_lg2 == 12 ? 0 : e->granule_lg2 == 16 ? 1 : 2;
	/* Start level 4 - levels; SL0 counts from level 2 (4K) or 3 (16K, 64K). */
	sl0 = e->granule_lg2 == 12 ? e->levels - 2 : e->levels - 1;
	for (ps = 0; ps < 7 && (1ull << parange_bits[ps]) != e->pa_top; ps++)
		;
	FZ_CHECK((vtcr & 0x3f) == 64u - e->cfg.ia_bits && ((vtcr >> 6) & 3) == sl0 &&
			 ((vtcr >> 14) & 3) == tg && ((vtcr >> 16) & 7) == ps &&
			 /* SH0 Inner Shareable; IRGN0 = ORGN0 = 0b01 (Write-Back
			  * Write-Allocate), or 0b00 (Non-cacheable) for a walker that
			  * does not snoop (Arm ARM VTCR_EL2) */
			 ((vtcr >> 8) & 0x3f) == (e->walk_nc ? 0x30 : 0x35) && (vtcr & (1ull << 31)) &&
			 !!(vtcr & (1ull << 21)) == e->ad && !!(vtcr & (1ull << 22)) == e->ad &&
			 !!(vtcr & (1ull << 19)) == !!(e->caps.flags & SLAT_CAP_VMID16) &&
			 !(vtcr >> 32),
		 "vtcr", "VTCR_EL2 0x%llx (T0SZ %u, SL0 %u, TG0 %u, PS %u expected)",
		 (unsigned long long)vtcr, 64u - e->cfg.ia_bits, sl0, tg, ps);
	ret = slat_stage2_vttbr(&e->t, vmid, &vttbr);
	if (vmid > 0xff && !(e->caps.flags & SLAT_CAP_VMID16)) {
		FZ_CHECK(ret == SLAT_ECAPS, "vttbr", "16-bit VMID without VMID16: %s",
			 slat_errname(ret));
	} else {
		/* The pool is below 2^48: no root bits 51:48 in BADDR[5:2]. */
		FZ_CHECK(ret == SLAT_OK && (vttbr >> 48) == vmid &&
				 (vttbr & ((1ull << 48) - 1)) == slat_table_root(&e->t).v &&
				 !(slat_table_root(&e->t).v & (e->root_bytes - 1)),
			 "vttbr", "VTTBR_EL2 0x%llx for VMID %u, root 0x%llx",
			 (unsigned long long)vttbr, vmid,
			 (unsigned long long)slat_table_root(&e->t).v);
	}
	FZ_CHECK(slat_ept_eptp(&e->t, &v) == SLAT_EFORMAT &&
			 slat_ept_flush(&e->t, &e->g, &op) == SLAT_EFORMAT &&
			 slat_npt_ncr3(&e->t, &v) == SLAT_EFORMAT &&
			 slat_npt_flush(&e->t, &e->g, &tc) == SLAT_EFORMAT &&
			 slat_stage2_flush(&e->t, &e->g, NULL, 8, &n) == SLAT_ENULL &&
			 slat_stage2_vtcr(NULL, &v) == SLAT_ENULL,
		 "eformat", "a call with a table of another format or NULL was accepted");
	if (e->have_t2)
		FZ_CHECK(slat_stage2_flush(&e->t, &e->g2, ops, 8, &n) == SLAT_EGATHER, "egather",
			 "slat_stage2_flush with another table's gather");
	(void)slat_stage2_caps(rd_u64(r), rd_u64(r), rd_u64(r), rd_u64(r), &c);
}

const struct target target_stage2 = {
	.name = "stage2",
	.fmt = &slat_format_stage2,
	.setup = s2_setup,
	.attrs_errors = s2_attrs_errors,
	.attrs_norm = s2_attrs_norm,
	.flush = s2_flush,
	.misc = s2_misc,
	.is_table = s2_is_table,
	.table_addr = s2_table_addr,
};
