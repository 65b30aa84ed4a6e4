/* SPDX-License-Identifier: MIT */
/*
 * Intel EPT target: configuration from raw capability MSRs, the encoding
 * rules the model expects (SDM vol. 3C §29.3: write without read is a
 * misconfiguration, execute-only needs the capability, one execute bit
 * without MBEC), and INVEPT interpreted from the instruction's definition:
 * single-context drops every cached mapping of the EPTP named in the
 * descriptor, all-context every mapping.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* IA32_VMX_EPT_VPID_CAP bits (SDM vol. 3D A.10), secondary controls. */
#define CAP_XO (1ull << 0)
#define CAP_PWL4 (1ull << 6)
#define CAP_PWL5 (1ull << 7)
#define CAP_UC (1ull << 8)
#define CAP_WB (1ull << 14)
#define CAP_2M (1ull << 16)
#define CAP_1G (1ull << 17)
#define CAP_INVEPT (1ull << 20)
#define CAP_AD (1ull << 21)
#define CAP_SINGLE (1ull << 25)
#define CAP_ALL (1ull << 26)
#define CTLS2_EPT (1ull << 33)
#define CTLS2_MBEC (1ull << 54)

static bool ept_setup(struct engine *e, struct rd *r)
{
	const uint8_t b0 = rd_u8(r), b1 = rd_u8(r), b2 = rd_u8(r), b3 = rd_u8(r);
	uint64_t cap = CAP_INVEPT, ctls2 = CTLS2_EPT;
	const bool five = b0 & 0x10;
	unsigned pa = 36 + b2 % 17, l;
	uint8_t max_page;

	if (b0 & 1)
		cap |= CAP_AD;
	if (b0 & 4)
		ctls2 |= CTLS2_MBEC;
	cap |= five ? (CAP_PWL5 | ((b1 & 0x80) ? CAP_PWL4 : 0)) : CAP_PWL4;
	if (b0 & 0x20)
		cap |= CAP_XO;
	if (!(b0 & 0x40))
		cap |= CAP_1G;
	if (!(b0 & 0x80))
		cap |= CAP_2M;
	switch (b3 & 3) {
	case 1: cap |= CAP_SINGLE; break;
	case 2: cap |= CAP_ALL; break;
	default: cap |= CAP_SINGLE | CAP_ALL; break;
	}
	cap |= (b2 & 0x80) ? CAP_UC : (CAP_WB | CAP_UC);
	if (slat_ept_caps(cap, ctls2, pa, &e->caps) != SLAT_OK)
		return false;
	memset(&e->cfg, 0, sizeof(e->cfg));
	if (five) {
		e->cfg.ia_bits = (uint8_t)(32 + (b1 & 0x7f) % 26);
		e->cfg.levels = (e->cfg.ia_bits <= 48 || (b1 & 0x40)) ? 5 : 0;
	} else {
		e->cfg.ia_bits = (uint8_t)(32 + (b1 & 0x7f) % 17);
		e->cfg.levels = (b1 & 0x40) ? 4 : 0;
	}
	if ((b0 & 3) == 3)
		e->cfg.features |= SLAT_FEAT_AD;
	if ((b0 & 0xc) == 0xc)
		e->cfg.features |= SLAT_FEAT_SPLIT_EXEC;
	/* The iTLB-multihit policy, which excludes split execute. */
	else if (b2 & 0x80)
		e->cfg.features |= SLAT_FEAT_NX_HUGE;
	e->cfg.sw_bits = (uint8_t)(((b3 >> 2) & 7) % 5);
	max_page = (uint8_t[]){ 0, 12, 21, 30 }[(b3 >> 5) & 3];
	if (b3 & 0x80)
		max_page = 0;
	e->cfg.max_page_lg2 = max_page;
	/* Now and then the software bits at positions of the embedder's
	 * choosing: a few of the bits the format leaves to software. */
	if (b2 & 0x40) {
		uint64_t allowed = (0x1full << 52) | (1ull << 59) | (1ull << 62) | ((e->cfg.features & SLAT_FEAT_SPLIT_EXEC) ? 0 : (1ull << 10)), pick = 0;
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

	e->granule_lg2 = 12;
	e->levels = e->cfg.levels ? e->cfg.levels : (e->cfg.ia_bits <= 48 ? 4 : 5);
	for (l = 0; l < e->levels; l++)
		e->level_shift[l] = 12 + 9 * l;
	/* Leaves only at levels contiguous from the base page: a split must
	 * be able to write leaves one level down (1 GiB without 2 MiB pages
	 * was fuzzer finding ept-1g-no-2m-split). */
	e->leaf_sizes = 1ull << 12;
	if (cap & CAP_2M) {
		e->leaf_sizes |= 1ull << 21;
		if (cap & CAP_1G)
			e->leaf_sizes |= 1ull << 30;
	}
	if (max_page)
		e->leaf_sizes &= (2ull << max_page) - 1;
	e->root_bytes = 4096;
	e->pa_top = 1ull << pa;
	return true;
}

static bool mbec(const struct engine *e)
{
	return e->cfg.features & SLAT_FEAT_SPLIT_EXEC;
}

static uint32_t ept_attrs_errors(const struct engine *e, const struct slat_attrs *a)
{
	const bool r = a->perms & SLAT_PERM_R, w = a->perms & SLAT_PERM_W;
	const bool xs = a->perms & SLAT_PERM_XS, xu = a->perms & SLAT_PERM_XU;
	uint32_t s = 0;

	if (w && !r)
		s |= ERR(SLAT_EPERM);
	if (!mbec(e) && xs != xu)
		s |= ERR(SLAT_EPERM);
	/* No permission is a not-present no-access leaf, not execute-only. */
	if (a->perms && !r && !(e->caps.flags & SLAT_CAP_EXEC_ONLY))
		s |= ERR(SLAT_ECAPS);
	if (a->share != SLAT_SH_DEFAULT)
		s |= ERR(SLAT_EMEMTYPE);
	return s;
}

static void ept_attrs_norm(const struct engine *e, struct slat_attrs *a)
{
	(void)e;
	/* EPT has one uncacheable type. */
	if (a->memtype == SLAT_MT_DEVICE)
		a->memtype = SLAT_MT_UC;
}

static bool ept_is_table(const struct engine *e, unsigned level, uint64_t ent)
{
	bool present = (ent & 7) || (mbec(e) && (ent & (1ull << 10)));

	return level > 0 && present && !(ent & (1ull << 7));
}

static uint64_t ept_table_addr(const struct engine *e, uint64_t ent)
{
	(void)e;
	return ent & 0x000ffffffffff000ull;
}

/* An EPTP the processor accepts for this table (SDM §25.6.11), naming its root. */
static void check_eptp(struct engine *e, uint64_t eptp, const char *what)
{
	unsigned mt = eptp & 7;

	FZ_CHECK((mt == 6 && (e->caps.flags & SLAT_CAP_WALK_WB)) ||
			 (mt == 0 && (e->caps.flags & SLAT_CAP_WALK_UC)), "eptp",
		 "%s: EPTP 0x%llx has walk memory type %u the CPU does not support", what,
		 (unsigned long long)eptp, mt);
	/* A walker that does not snoop reads tables as UC (SDM vol. 3C 29.3.7.1). */
	FZ_CHECK(!e->walk_nc || mt == 0, "eptp",
		 "%s: EPTP 0x%llx walk memory type %u with SLAT_FEAT_WALK_NC", what,
		 (unsigned long long)eptp, mt);
	FZ_CHECK(((eptp >> 3) & 7) == e->levels - 1, "eptp",
		 "%s: EPTP 0x%llx page-walk length %llu for %u levels", what,
		 (unsigned long long)eptp, (unsigned long long)((eptp >> 3) & 7) + 1, e->levels);
	FZ_CHECK(!!(eptp & (1ull << 6)) == e->ad, "eptp",
		 "%s: EPTP 0x%llx A/D enable %d, table A/D %d", what, (unsigned long long)eptp,
		 !!(eptp & (1ull << 6)), e->ad);
	FZ_CHECK(!(eptp & 0xf80) && !(eptp & ~(e->pa_top - 1) & ~0xfffull), "eptp",
		 "%s: EPTP 0x%llx has reserved bits set", what, (unsigned long long)eptp);
	FZ_CHECK((eptp & 0x000ffffffffff000ull) == slat_table_root(&e->t).v, "eptp",
		 "%s: EPTP 0x%llx does not point to the root 0x%llx", what,
		 (unsigned long long)eptp, (unsigned long long)slat_table_root(&e->t).v);
}

static void ept_flush(struct engine *e, const struct slat_gather *g, bool sync)
{
	struct slat_ept_flush op;
	int r;

	FZ_CHECK(!sync, "sync", "EPT tables never need break-before-make");
	memset(&op, 0xee, sizeof(op));
	r = slat_ept_flush(&e->t, g, &op);
	FZ_CHECK(r == SLAT_OK, "flush", "slat_ept_flush = %s", slat_errname(r));
	switch (op.type) {
	case SLAT_INVEPT_NONE:
		break;
	case SLAT_INVEPT_SINGLE:
		FZ_CHECK(e->caps.flags & SLAT_CAP_INV_SINGLE, "invept",
			 "single-context INVEPT on a CPU without it (VMfail: nothing invalidated)");
		check_eptp(e, op.desc[0], "INVEPT descriptor");
		FZ_CHECK(op.desc[1] == 0, "invept", "INVEPT descriptor bits 127:64 not zero");
		shadow_flush_all(&e->sh);
		break;
	case SLAT_INVEPT_ALL:
		FZ_CHECK(e->caps.flags & SLAT_CAP_INV_ALL, "invept",
			 "all-context INVEPT on a CPU without it (VMfail: nothing invalidated)");
		shadow_flush_all(&e->sh);
		break;
	default:
		fz_fail("invept", "INVEPT type %llu", (unsigned long long)op.type);
	}
}

/*
 * slat_ept_pml_drain() on a log built from the input: up to 7 entries
 * written from index 511 down (addresses drawn like the operations', with
 * any offset in bits 11:0), or a full log (index FFFFH) whose other
 * entries name nothing mapped, or an index no processor leaves. The
 * expected bitmap: each entry marks its 4 KiB page, or the whole leaf
 * that maps it (the leaf's one dirty flag was logged once), clipped to
 * the range; bits already set stay; a refused call changes nothing.
 */
static void ept_pml(struct engine *e, struct rd *r)
{
	static uint64_t log[SLAT_EPT_PML_ENTRIES];
	const uint64_t gpa = eng_gen_addr(e, r), size = eng_gen_size(e, r, gpa);
	const uint8_t b = rd_u8(r);
	const unsigned n = b & 7;
	uint64_t *bm, *want, words = 0, pages, in = ~0ull, out = ~0ull, valid, i;
	uint32_t errs = eng_range_errors(e, gpa, size);
	unsigned index = SLAT_EPT_PML_INDEX_START - n;
	int ret;

	for (i = 0; i < SLAT_EPT_PML_ENTRIES; i++)
		log[i] = ~0ull; /* beyond any input width: marks nothing */
	for (i = 0; i < n; i++)
		log[SLAT_EPT_PML_INDEX_START - i] = eng_gen_addr(e, r) | (rd_u8(r) & 0xfffu);
	if ((b & 0x18) == 0x18)
		index = SLAT_EPT_PML_INDEX_FULL;
	else if ((b & 0x18) == 0x10)
		index = SLAT_EPT_PML_ENTRIES + rd_u8(r) * 0x100u % (0xFFFFu - SLAT_EPT_PML_ENTRIES);
	valid = index == SLAT_EPT_PML_INDEX_FULL ? SLAT_EPT_PML_ENTRIES
						 : SLAT_EPT_PML_INDEX_START - index;
	if (!errs) {
		pages = size >> 12;
		if (pages > (1ull << 22))
			return; /* keep the bitmap small */
		words = (pages + 63) / 64;
		if (!e->ad)
			errs |= ERR(SLAT_ENOFEAT);
		else if (index >= SLAT_EPT_PML_ENTRIES && index != SLAT_EPT_PML_INDEX_FULL)
			errs |= ERR(SLAT_ECORRUPT);
		else if ((b & 0x60) == 0x60 && words)
			errs |= ERR(SLAT_ENOSPC);
	}
	bm = malloc((words ? words : 1) * 8);
	want = malloc((words ? words : 1) * 8);
	if (!bm || !want)
		abort();
	for (i = 0; i < (words ? words : 1); i++)
		bm[i] = want[i] = (b & 0x80) ? eng_rand(e) : 0;
	ret = slat_ept_pml_drain(&e->t, log, (uint16_t)index, slat_gpa(gpa), size, bm,
				 (b & 0x60) == 0x60 && words ? words - 1 : words, &in, &out);
	FZ_CHECK(errs ? (ret != SLAT_OK && (errs & ERR(ret))) : ret == SLAT_OK, "pml",
		 "slat_ept_pml_drain(0x%llx, 0x%llx, index %u) = %s", (unsigned long long)gpa,
		 (unsigned long long)size, index, slat_errname(ret));
	if (ret == SLAT_OK) {
		uint64_t marked = 0;

		for (i = SLAT_EPT_PML_ENTRIES - valid; i < SLAT_EPT_PML_ENTRIES; i++) {
			uint64_t lo = log[i] & ~0xfffull, hi = lo + 0x1000, p;
			struct slat_mapping m;

			if (lo < e->ia_top && slat_translate(&e->t, slat_gpa(lo), &m) == SLAT_OK) {
				lo &= ~((1ull << m.page_lg2) - 1);
				hi = lo + (1ull << m.page_lg2);
			}
			if (lo < gpa)
				lo = gpa;
			if (hi > gpa + size || hi == 0)
				hi = gpa + size;
			if (lo >= hi)
				continue;
			marked++;
			for (p = lo; p < hi; p += 0x1000) {
				uint64_t bit = (p - gpa) >> 12;

				want[bit / 64] |= 1ull << (bit % 64);
			}
		}
		FZ_CHECK(in == marked && in + out == valid, "pml",
			 "%llu entries marked pages, %llu did not; the model says %llu of %llu",
			 (unsigned long long)in, (unsigned long long)out,
			 (unsigned long long)marked, (unsigned long long)valid);
	}
	for (i = 0; i < words; i++)
		if (bm[i] != want[i])
			fz_fail("pml", "bitmap word %llu (pages from 0x%llx): 0x%016llx, the model "
				"says 0x%016llx", (unsigned long long)i,
				(unsigned long long)(gpa + (i * 64 << 12)), (unsigned long long)bm[i],
				(unsigned long long)want[i]);
	free(bm);
	free(want);
}

static void ept_misc(struct engine *e, struct rd *r)
{
	uint64_t eptp = 0, v;
	uint8_t tc;
	size_t n;
	struct slat_s2_op ops[8];
	struct slat_ept_flush op;
	struct slat_caps c;

	(void)r;
	FZ_CHECK(slat_ept_eptp(&e->t, &eptp) == SLAT_OK, "eptp", "slat_ept_eptp failed");
	check_eptp(e, eptp, "slat_ept_eptp");
	FZ_CHECK(slat_npt_ncr3(&e->t, &v) == SLAT_EFORMAT &&
			 slat_npt_flush(&e->t, &e->g, &tc) == SLAT_EFORMAT &&
			 slat_stage2_vtcr(&e->t, &v) == SLAT_EFORMAT &&
			 slat_stage2_vttbr(&e->t, 1, &v) == SLAT_EFORMAT &&
			 slat_stage2_flush(&e->t, &e->g, ops, 8, &n) == SLAT_EFORMAT &&
			 slat_ept_flush(&e->t, &e->g, NULL) == SLAT_ENULL &&
			 slat_ept_eptp(NULL, &v) == SLAT_ENULL,
		 "eformat", "a call with a table of another format or NULL was accepted");
	if (e->have_t2)
		FZ_CHECK(slat_ept_flush(&e->t, &e->g2, &op) == SLAT_EGATHER, "egather",
			 "slat_ept_flush with another table's gather");
	(void)slat_ept_caps(rd_u64(r), rd_u64(r), rd_u8(r), &c);
	ept_pml(e, r);
}

const struct target target_ept = {
	.name = "ept",
	.fmt = &slat_format_ept,
	.setup = ept_setup,
	.attrs_errors = ept_attrs_errors,
	.attrs_norm = ept_attrs_norm,
	.flush = ept_flush,
	.misc = ept_misc,
	.is_table = ept_is_table,
	.table_addr = ept_table_addr,
};
