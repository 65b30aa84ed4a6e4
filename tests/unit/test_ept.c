/* SPDX-License-Identifier: MIT */
/*
 * Intel EPT: raw entries, EPTP, INVEPT and capabilities, each expected value
 * written from the Intel SDM vol. 3C (rev. 080 numbering) by hand.
 */
#include <string.h>

#include "harness.h"

/* §29.3.2, entry layouts (Tables 29-1 to 29-7). */
#define R (1ull << 0)
#define W (1ull << 1)
#define X (1ull << 2)     /* XS under mode-based execute control */
#define XU (1ull << 10)   /* user-mode execute, MBEC only */
#define PS (1ull << 7)    /* PDPTE/PDE maps a page */
#define IPAT (1ull << 6)  /* ignore PAT */
#define A (1ull << 8)
#define D (1ull << 9)
/* §29.3.7: EPT memory type in bits 5:3. */
#define MT(v) ((uint64_t)(v) << 3)
#define MT_UC MT(0)
#define MT_WC MT(1)
#define MT_WT MT(4)
#define MT_WP MT(5)
#define MT_WB MT(6)

static uint64_t root_pa(const struct fx *f)
{
	return slat_table_root(&f->t).v;
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a)
{
	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  0, &f->g),
			 SLAT_OK);
}

/* A 4 KiB RW WB page: PML4E, PDPTE and PDE point down with RWX; the PTE
 * holds R, W and WB. */
static void test_page_4k(void **state)
{
	struct fx f;
	uint64_t *pml4e, *pdpte, *pde, *pte;

	(void)state;
	fx_init(&f, &slat_format_ept);
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	pml4e = entry_at(&f.t, 0x1000, 3);
	pdpte = entry_at(&f.t, 0x1000, 2);
	pde = entry_at(&f.t, 0x1000, 1);
	pte = entry_at(&f.t, 0x1000, 0);
	assert_non_null(pte);
	assert_int_equal(*pml4e & 0xfff, R | W | X);
	assert_int_equal(*pdpte & 0xfff, R | W | X);
	assert_int_equal(*pde & 0xfff, R | W | X);
	assert_int_equal(*pte, 0x5000 | R | W | MT_WB);
	/* Each table entry points at a page of the pool. */
	assert_true((*pml4e & ~0xfffull) >= POOL_PA);
	assert_int_equal(*pml4e >> 52, 0);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* 2 MiB and 1 GiB leaves set PS; memory types and ignore-PAT. */
static void test_large_pages(void **state)
{
	struct fx f;
	struct slat_attrs uc = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_UC);

	(void)state;
	fx_init(&f, &slat_format_ept);
	map_ok(&f, 0x200000, 2 * MiB, 0x40000000, slat_attrs_make(SLAT_PERM_RX, SLAT_MT_WB));
	uc.flags = SLAT_ATTR_MT_FORCE;
	map_ok(&f, 1 * GiB, 1 * GiB, 2 * GiB, uc);
	assert_int_equal(*entry_at(&f.t, 0x200000, 1), 0x40000000 | R | X | MT_WB | PS);
	assert_int_equal(*entry_at(&f.t, 1 * GiB, 2), 0x80000000 | R | W | X | MT_UC | IPAT | PS);
	expect_map(&f.t, 0x2ff123, 0x400ff123, SLAT_PERM_RX, 21);
	expect_map(&f.t, 1 * GiB + 0x12345678, 2 * GiB + 0x12345678, SLAT_PERM_RWX, 30);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_memtypes(void **state)
{
	static const struct { unsigned mt; uint64_t bits; } cases[] = {
		{ SLAT_MT_WB, MT_WB }, { SLAT_MT_WT, MT_WT }, { SLAT_MT_WC, MT_WC },
		{ SLAT_MT_WP, MT_WP }, { SLAT_MT_UC, MT_UC }, { SLAT_MT_DEVICE, MT_UC },
	};
	struct fx f;
	size_t i;

	(void)state;
	fx_init(&f, &slat_format_ept);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = 0x10000 + i * 0x1000;

		map_ok(&f, gpa, 0x1000, 0x90000 + i * 0x1000,
		       slat_attrs_make(SLAT_PERM_R, cases[i].mt));
		assert_int_equal(*entry_at(&f.t, gpa, 0),
				 (0x90000 + i * 0x1000) | R | cases[i].bits);
	}
	fx_fini(&f);
}

/* Mode-based execute control: bit 2 is supervisor execute, bit 10 user
 * execute, and table entries must grant both (§29.3.3.2). */
static void test_mbec(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x0000, 0x1000, 0x10000, slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XS, SLAT_MT_WB));
	map_ok(&f, 0x1000, 0x1000, 0x11000, slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XU, SLAT_MT_WB));
	map_ok(&f, 0x2000, 0x1000, 0x12000, slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x0000, 0), 0x10000 | R | X | MT_WB);
	assert_int_equal(*entry_at(&f.t, 0x1000, 0), 0x11000 | R | XU | MT_WB);
	assert_int_equal(*entry_at(&f.t, 0x2000, 0), 0x12000 | R | W | X | XU | MT_WB);
	assert_int_equal(*entry_at(&f.t, 0, 3) & 0xfff, R | W | X | XU);
	expect_map(&f.t, 0x1000, 0x11000, SLAT_PERM_R | SLAT_PERM_XU, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_unexpressible(void **state)
{
	struct fx f;
	struct slat_attrs a;
	struct snap before, after;

	(void)state;
	fx_init(&f, &slat_format_ept);
	snap_take(&f.t, &before);
	/* Write without read is a misconfiguration (§29.3.3.1). */
	a = slat_attrs_make(SLAT_PERM_W, SLAT_MT_WB);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f.g), SLAT_EPERM);
	a = slat_attrs_make(SLAT_PERM_W | SLAT_PERM_X, SLAT_MT_WB);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f.g), SLAT_EPERM);
	/* Without MBEC one bit says "execute" for every mode. */
	a = slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XS, SLAT_MT_WB);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f.g), SLAT_EPERM);
	/* Shareability is an Arm notion. */
	a = slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB);
	a.share = SLAT_SH_OUTER;
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f.g), SLAT_EMEMTYPE);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	fx_fini(&f);
}

/* Execute-only needs IA32_VMX_EPT_VPID_CAP bit 0. */
static void test_exec_only(void **state)
{
	struct fx f;
	struct slat_attrs x = slat_attrs_make(SLAT_PERM_X, SLAT_MT_WB);

	(void)state;
	fx_init(&f, &slat_format_ept);
	map_ok(&f, 0, 0x1000, 0x7000, x);
	assert_int_equal(*entry_at(&f.t, 0, 0), 0x7000 | X | MT_WB);
	expect_valid(&f.t);
	fx_fini(&f);

	fx_prepare(&f, &slat_format_ept);
	f.caps.flags &= ~SLAT_CAP_EXEC_ONLY;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(0x7000), &x, 0, &f.g),
			 SLAT_ECAPS);
	fx_fini(&f);
}

/* EPTP (§25.6.11): memory type 6 (WB) in 2:0, walk length - 1 in 5:3,
 * A/D enable in bit 6, root address above. */
static void test_eptp(void **state)
{
	struct fx f;
	uint64_t eptp;

	(void)state;
	fx_init(&f, &slat_format_ept);
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, root_pa(&f) | 6 | (3 << 3));
	fx_fini(&f);

	fx_prepare(&f, &slat_format_ept);
	f.cfg.ia_bits = 57;
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_levels(&f.t), 5);
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, root_pa(&f) | 6 | (4 << 3) | (1 << 6));
	fx_fini(&f);

	/* Without WB walks the EPTP asks for UC (0). */
	fx_prepare(&f, &slat_format_ept);
	f.caps.flags &= ~SLAT_CAP_WALK_WB;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, root_pa(&f) | 0 | (3 << 3));
	fx_fini(&f);
}

static void test_invept(void **state)
{
	struct fx f;
	struct slat_ept_flush op;
	uint64_t eptp;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	(void)state;
	fx_init(&f, &slat_format_ept);
	/* Mapping over nothing asks for no invalidation. */
	map_ok(&f, 0, 4 * MiB, 0x100000000ull, a);
	assert_int_equal(slat_ept_flush(&f.t, &f.g, &op), SLAT_OK);
	assert_int_equal(op.type, SLAT_INVEPT_NONE);
	/* Unmapping does: single-context with the EPTP in the descriptor. */
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x1000), 0x1000, &f.g), SLAT_OK);
	assert_int_equal(slat_ept_flush(&f.t, &f.g, &op), SLAT_OK);
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(op.type, SLAT_INVEPT_SINGLE);
	assert_int_equal(op.desc[0], eptp);
	assert_int_equal(op.desc[1], 0);
	fx_fini(&f);

	fx_prepare(&f, &slat_format_ept);
	f.caps.flags &= ~SLAT_CAP_INV_SINGLE;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0, 0x2000, 0x100000000ull, a);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 0x1000, &f.g), SLAT_OK);
	assert_int_equal(slat_ept_flush(&f.t, &f.g, &op), SLAT_OK);
	assert_int_equal(op.type, SLAT_INVEPT_ALL);
	fx_fini(&f);
}

/* IA32_VMX_EPT_VPID_CAP as a Skylake server reports it (0xf0106734141):
 * execute-only (bit 0), PWL4 (6), UC (8), WB (14), 2M (16), 1G (17),
 * INVEPT (20), A/D (21), advanced exit information (22), single- (25) and
 * all-context (26) INVEPT; no PWL5 (7). */
static void test_caps_skylake(void **state)
{
	struct slat_caps c;
	uint64_t ctls2 = (1ull << 1) << 32; /* EPT, no MBEC */

	(void)state;
	assert_int_equal(slat_ept_caps(0xf0106734141ull, ctls2, 0x302e, &c), SLAT_OK);
	assert_int_equal(c.format, SLAT_FORMAT_EPT);
	assert_int_equal(c.flags, SLAT_CAP_LEVELS4 | SLAT_CAP_AD | SLAT_CAP_EXEC_ONLY |
				  SLAT_CAP_WALK_WB | SLAT_CAP_WALK_UC |
				  SLAT_CAP_INV_SINGLE | SLAT_CAP_INV_ALL |
				  SLAT_CAP_FAULT_MODE);
	assert_int_equal(c.page_sizes, (1ull << 12) | (1ull << 21) | (1ull << 30));
	assert_int_equal(c.pa_bits, 46);
	assert_int_equal(c.ia_bits, 48);
	/* MBEC from the secondary controls' allowed-1 half, bit 22. */
	ctls2 |= (1ull << 22) << 32;
	assert_int_equal(slat_ept_caps(0xf0106734141ull, ctls2, 0x302e, &c), SLAT_OK);
	assert_true(c.flags & SLAT_CAP_SPLIT_EXEC);
	/* No "enable EPT" allowed-1: no EPT at all. The allowed-0 half (low
	 * 32 bits) does not count. */
	assert_int_equal(slat_ept_caps(0xf0106734141ull, 1ull << 1, 0x302e, &c), SLAT_ECAPS);
	/* No page-walk length at all. */
	assert_int_equal(slat_ept_caps(0x4000, (1ull << 1) << 32, 0x302e, &c), SLAT_ECAPS);
	assert_int_equal(slat_ept_caps(0xf0106734141ull, (1ull << 1) << 32, 0x302e, NULL), SLAT_ENULL);
}

/* A request beyond the capabilities is refused when the table is made. */
static void test_caps_refused(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.caps.flags &= ~SLAT_CAP_LEVELS5;
	f.cfg.ia_bits = 57;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.ia_bits = 48;
	f.caps.flags &= ~SLAT_CAP_AD;
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	f.caps.flags &= ~SLAT_CAP_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.features = 0;
	f.cfg.levels = 4;
	f.cfg.ia_bits = 52;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.levels = 0;
	f.cfg.ia_bits = 48;
	f.cfg.granule_lg2 = 16;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.granule_lg2 = 0;
	/* Without 1 GiB pages, a 1 GiB aligned map uses 2 MiB leaves. */
	f.caps.page_sizes &= ~(1ull << 30);
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0, 1 * GiB, 1 * GiB, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	expect_map(&f.t, 0x12345000, 1 * GiB + 0x12345000, SLAT_PERM_RW, 21);
	fx_fini(&f);
}

/* Software bits avoid 57-63 (VGP, PW, SSS, SPP, #VE) and bit 10 under MBEC. */
static void test_sw_bits(void **state)
{
	struct fx f;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_mapping m;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.sw_bits = 3;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_sw_positions(&f.t), 7ull << 52);
	a.sw = 5;
	map_ok(&f, 0, 0x1000, 0x3000, a);
	assert_int_equal(*entry_at(&f.t, 0, 0), 0x3000 | R | W | MT_WB | (1ull << 52) | (1ull << 54));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0), &m), SLAT_OK);
	assert_int_equal(m.attrs.sw, 5);
	a.sw = 8; /* a fourth bit the table does not have */
	assert_int_equal(slat_map(&f.t, slat_gpa(0x1000), 0x1000, slat_hpa(0), &a, 0, &f.g), SLAT_ESWBITS);
	fx_fini(&f);

	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	f.cfg.sw_positions = 1ull << 10; /* XU under MBEC */
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 1ull << 63; /* suppress #VE */
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 1ull << 61; /* SPP */
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.features = 0;
	f.cfg.sw_positions = 1ull << 11; /* marks a no-access leaf */
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = (1ull << 10) | (1ull << 62);
	assert_int_equal(fx_create(&f), SLAT_OK);
	fx_fini(&f);
}

/* Accessed/dirty: the hardware sets A and D (§29.3.5); a split keeps them;
 * harvest reads and clears D. */
static void test_dirty(void **state)
{
	struct fx f;
	uint64_t bm[9], found;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0, 2 * MiB, 0x200000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	map_ok(&f, 2 * MiB, 64 * KiB, 0x600000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0, 1), 0x200000 | R | W | MT_WB | PS);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x5000), true), SLAT_OK);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(2 * MiB + 0x3000), true), SLAT_OK);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(2 * MiB + 0x4000), false), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0, 1), 0x200000 | R | W | MT_WB | PS | A | D);
	assert_int_equal(*entry_at(&f.t, 2 * MiB + 0x4000, 0), 0x604000 | R | W | MT_WB | A);

	/* Split the dirty 2 MiB leaf: every 4 KiB piece inherits A and D. */
	assert_int_equal(slat_split(&f.t, slat_gpa(0), 2 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x1ff000, 0), 0x3ff000 | R | W | MT_WB | A | D);

	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 2 * MiB + 64 * KiB, bm, sizeof(bm) / sizeof(bm[0]), 0,
					    &found, &f.g), SLAT_OK);
	assert_int_equal(found, 512 + 1);
	assert_int_equal(bm[0], ~0ull);
	assert_int_equal(bm[7], ~0ull);
	assert_int_equal(bm[8], 1ull << 3); /* of the 64 KiB run, page 3 only */
	/* Cleared: a second look finds nothing. */
	{
		uint64_t bm2[9];

		memset(bm2, 0, sizeof(bm2));
		assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(2 * MiB), 64 * KiB, bm2, sizeof(bm2) / sizeof(bm2[0]),
						    SLAT_HARVEST_KEEP, &found, &f.g), SLAT_OK);
		assert_int_equal(found, 0);
	}
	assert_int_equal(*entry_at(&f.t, 0x1ff000, 0), 0x3ff000 | R | W | MT_WB | A);
	assert_true(slat_gather_nranges(&f.g) > 0);
	fx_fini(&f);
}

/* The validator finds what the hardware would reject (§29.3.3.1). */
static void count_kind(void *ctx, const struct slat_problem *p)
{
	unsigned *seen = ctx;

	seen[p->kind]++;
}

static void test_validate(void **state)
{
	struct fx f;
	unsigned seen[16];
	uint64_t n, *pte, *pde, *pml4e;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.caps.flags &= ~SLAT_CAP_EXEC_ONLY;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0, 0x4000, 0x10000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	map_ok(&f, 2 * MiB, 2 * MiB, 0x400000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	pte = entry_at(&f.t, 0, 0);
	pde = entry_at(&f.t, 2 * MiB, 1);
	pml4e = entry_at(&f.t, 0, 3);
	pte[0] = 0x10000 | W | MT_WB;          /* write without read */
	pte[1] = 0x11000 | X | MT_WB;          /* execute-only, no capability */
	pte[2] = 0x12000 | R | MT(2);          /* reserved memory type */
	pte[3] = (1ull << 50) | 0x13000 | R | MT_WB; /* above MAXPHYADDR (46) */
	*pde |= 1ull << 12;                    /* below the 2 MiB alignment */
	*pml4e |= 1ull << 3;                   /* reserved in a PML4E */
	memset(seen, 0, sizeof(seen));
	assert_int_equal(slat_validate(&f.t, count_kind, seen, &n), SLAT_OK);
	assert_int_equal(seen[SLAT_PROB_WRITE_ONLY], 1);
	assert_int_equal(seen[SLAT_PROB_EXEC_ONLY], 1);
	assert_int_equal(seen[SLAT_PROB_MEMTYPE], 1);
	assert_int_equal(seen[SLAT_PROB_ADDR_RANGE], 1);
	assert_int_equal(seen[SLAT_PROB_RESERVED], 2);
	assert_int_equal(n, 6);
	/* Put it right again so that the table can be torn down. */
	pte[0] = pte[1] = pte[2] = pte[3] = 0;
	*pde &= ~(1ull << 12);
	*pml4e &= ~(1ull << 3);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 4 * MiB, &f.g), SLAT_OK);
	fx_fini(&f);
}

/*
 * A PML4E whose table address has bit 47 set, above MAXPHYADDR (46): the
 * CPU would take the entry as a misconfiguration (SDM §29.3.3.1, reserved
 * address bits). Walks refuse it, the validator reports it without
 * following it, and nothing changes.
 */
static void test_table_beyond_width(void **state)
{
	struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_mapping m;
	struct snap before, after;
	unsigned seen[16];
	uint64_t n, *pml4e;
	struct fx f;

	(void)state;
	fx_init(&f, &slat_format_ept);
	map_ok(&f, 0, 0x1000, 0x10000, rw);
	pml4e = entry_at(&f.t, 0, 3);
	*pml4e |= 1ull << 47;
	snap_take(&f.t, &before);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0), &m), SLAT_ECORRUPT);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0), false), SLAT_ECORRUPT);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x1000), 0x1000, slat_hpa(0), &rw, 0, &f.g),
			 SLAT_ECORRUPT);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 0x1000, &f.g), SLAT_ECORRUPT);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(slat_validate(&f.t, count_kind, seen, &n), SLAT_OK);
	assert_int_equal(seen[SLAT_PROB_ADDR_RANGE], 1);
	/* Not followed: the PDPT, PD and PT below it are not reached. */
	assert_int_equal(seen[SLAT_PROB_TABLE_COUNT], 1);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	*pml4e &= ~(1ull << 47);
	expect_map(&f.t, 0, 0x10000, SLAT_PERM_RW, 12);
	fx_fini(&f);
}

/* ---- page-modification logging (SDM §29.3.6, believed; 2016 §28.2.5) ---- */

/*
 * A table for the PML tests: [1 MiB, 2 MiB) in 4 KiB pages (the host
 * address is only 4 KiB aligned), [2 MiB, 4 MiB) as one 2 MiB leaf. The
 * range drained is [1 MiB, 5 MiB): 1024 pages, 16 bitmap words; bit i is
 * the page at 1 MiB + i * 4 KiB.
 */
#define PML_BASE (1 * MiB)
#define PML_SIZE (4 * MiB)
#define PML_WORDS 16

static void pml_table(struct fx *f, uint32_t features)
{
	fx_prepare(f, &slat_format_ept);
	f->cfg.features = features;
	assert_int_equal(fx_create(f), SLAT_OK);
	map_ok(f, 1 * MiB, 1 * MiB, 0x40001000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	map_ok(f, 2 * MiB, 2 * MiB, 0x40200000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	assert_non_null(entry_at(&f->t, 2 * MiB, 1));
	assert_null(entry_at(&f->t, 2 * MiB, 0)); /* a leaf at level 1 */
}

static int drain(struct fx *f, const uint64_t *log, unsigned index, uint64_t gpa,
		 uint64_t size, uint64_t *bm, uint64_t words, uint64_t *in, uint64_t *out)
{
	return slat_ept_pml_drain(&f->t, log, (uint16_t)index, slat_gpa(gpa), size, bm, words,
				  in, out);
}

/* A partly filled log: index 508 left by the processor, entries 509-511 valid. */
static void test_pml_partial(void **state)
{
	static uint64_t log[512];
	uint64_t bm[PML_WORDS], in = 99, out = 99, i;
	struct fx f;

	(void)state;
	pml_table(&f, SLAT_FEAT_AD);
	for (i = 0; i < 512; i++)
		log[i] = 0x104000; /* stale: page 4, never valid below 509 */
	log[511] = 0x100000;  /* page 0 */
	log[510] = 0x103abc;  /* page 3, with the offset Bochs leaves in 11:0 */
	log[509] = 0x900000;  /* 9 MiB: outside the range */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(drain(&f, log, 508, PML_BASE, PML_SIZE, bm, PML_WORDS, &in, &out),
			 SLAT_OK);
	assert_int_equal(bm[0], (1ull << 0) | (1ull << 3));
	for (i = 1; i < PML_WORDS; i++)
		assert_int_equal(bm[i], 0);
	assert_int_equal(in, 2);
	assert_int_equal(out, 1);
	/* An empty log (index 511): nothing, and bits already set stay. */
	assert_int_equal(drain(&f, log, 511, PML_BASE, PML_SIZE, bm, PML_WORDS, &in, &out),
			 SLAT_OK);
	assert_int_equal(bm[0], (1ull << 0) | (1ull << 3));
	assert_int_equal(in, 0);
	assert_int_equal(out, 0);
	fx_fini(&f);
}

/*
 * A full log (index wrapped to FFFFH): all 512 entries. Entries 0-255 name
 * the 256 pages of [1 MiB, 2 MiB); entry 300 a page inside the 2 MiB leaf,
 * which stands for the whole leaf, bits 256-767; the others 0 (outside).
 */
static void test_pml_full(void **state)
{
	static uint64_t log[512];
	uint64_t bm[PML_WORDS], in, out, i;
	struct fx f;

	(void)state;
	pml_table(&f, SLAT_FEAT_AD);
	memset(log, 0, sizeof(log));
	for (i = 0; i < 256; i++)
		log[i] = PML_BASE + i * 0x1000;
	log[300] = 2 * MiB + 0x5000 + 0x10;
	memset(bm, 0, sizeof(bm));
	assert_int_equal(drain(&f, log, 0xFFFF, PML_BASE, PML_SIZE, bm, PML_WORDS, &in, &out),
			 SLAT_OK);
	for (i = 0; i < 12; i++) /* bits 0-767 */
		assert_int_equal(bm[i], ~0ull);
	for (; i < PML_WORDS; i++)
		assert_int_equal(bm[i], 0);
	assert_int_equal(in, 257);
	assert_int_equal(out, 255);

	/* The range [3 MiB, 5 MiB) cuts the leaf: its pages from 3 MiB only,
	 * bits 0-255; the 4 KiB pages below are outside now. */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(drain(&f, log, 0xFFFF, 3 * MiB, 2 * MiB, bm, 8, &in, &out), SLAT_OK);
	for (i = 0; i < 4; i++)
		assert_int_equal(bm[i], ~0ull);
	for (; i < 8; i++)
		assert_int_equal(bm[i], 0);
	assert_int_equal(in, 1);
	assert_int_equal(out, 511);

	/* Entry 0 alone, as the processor leaves it with index FFFFH after
	 * the one-entry log of index 0: nothing else was written. */
	memset(log, 0, sizeof(log));
	log[0] = PML_BASE + 1023 * 0x1000; /* the last page of the range */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(drain(&f, log, 0xFFFF, PML_BASE, PML_SIZE, bm, PML_WORDS, &in, NULL),
			 SLAT_OK);
	assert_int_equal(bm[15], 1ull << 63);
	assert_int_equal(in, 1);
	fx_fini(&f);
}

/* Bad input: a distinct code each, and the bitmap untouched. */
static void test_pml_refused(void **state)
{
	static uint64_t log[512];
	uint64_t bm[PML_WORDS], i;
	struct fx f, n;

	(void)state;
	pml_table(&f, SLAT_FEAT_AD);
	for (i = 0; i < 512; i++)
		log[i] = PML_BASE + (i % 1024) * 0x1000;
	memset(bm, 0, sizeof(bm));
	/* No processor leaves 512 ... FFFEH. */
	assert_int_equal(drain(&f, log, 512, PML_BASE, PML_SIZE, bm, PML_WORDS, NULL, NULL),
			 SLAT_ECORRUPT);
	assert_int_equal(drain(&f, log, 0xFFFE, PML_BASE, PML_SIZE, bm, PML_WORDS, NULL, NULL),
			 SLAT_ECORRUPT);
	/* 1024 pages need 16 words. */
	assert_int_equal(drain(&f, log, 0, PML_BASE, PML_SIZE, bm, PML_WORDS - 1, NULL, NULL),
			 SLAT_ENOSPC);
	assert_int_equal(drain(&f, NULL, 0, PML_BASE, PML_SIZE, bm, PML_WORDS, NULL, NULL),
			 SLAT_ENULL);
	assert_int_equal(drain(&f, log, 0, PML_BASE, PML_SIZE, NULL, PML_WORDS, NULL, NULL),
			 SLAT_ENULL);
	assert_int_equal(slat_ept_pml_drain(NULL, log, 0, slat_gpa(0), 0x1000, bm, 1, NULL, NULL),
			 SLAT_ENULL);
	assert_int_equal(drain(&f, log, 0, PML_BASE + 0x800, PML_SIZE, bm, PML_WORDS, NULL, NULL),
			 SLAT_EALIGN);
	assert_int_equal(drain(&f, log, 0, PML_BASE, 0, bm, PML_WORDS, NULL, NULL), SLAT_ESIZE);
	assert_int_equal(drain(&f, log, 0, ~0ull << 12, 0x2000, bm, PML_WORDS, NULL, NULL),
			 SLAT_EWRAP);
	assert_int_equal(drain(&f, log, 0, 1ull << 48, 0x1000, bm, PML_WORDS, NULL, NULL),
			 SLAT_EGPA);
	for (i = 0; i < PML_WORDS; i++)
		assert_int_equal(bm[i], 0);
	fx_fini(&f);

	/* Without EPT A/D flags nothing is ever logged. */
	pml_table(&f, 0);
	assert_int_equal(drain(&f, log, 0, PML_BASE, PML_SIZE, bm, PML_WORDS, NULL, NULL),
			 SLAT_ENOFEAT);
	fx_fini(&f);
	/* Another format. */
	fx_init(&n, &slat_format_npt);
	assert_int_equal(slat_ept_pml_drain(&n.t, log, 0, slat_gpa(PML_BASE), PML_SIZE, bm,
					    PML_WORDS, NULL, NULL),
			 SLAT_EFORMAT);
	fx_fini(&n);
}

/*
 * What re-arms logging: the harvest clears D (bit 9) and nothing else, the
 * page stays writable, and the gather it fills asks for a single-context
 * INVEPT of this EPTP (SDM INVEPT reference; §29.4.3.1).
 */
static void test_pml_rearm(void **state)
{
	struct slat_ept_flush op;
	uint64_t bm[PML_WORDS], found, eptp, *pte;
	struct fx f;

	(void)state;
	pml_table(&f, SLAT_FEAT_AD);
	fx_flush(&f);
	pte = entry_at(&f.t, PML_BASE + 0x3000, 0);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(PML_BASE + 0x3000), true), SLAT_OK);
	assert_int_equal(*pte, 0x40004000 | R | W | MT_WB | A | D);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(PML_BASE), PML_SIZE, bm, PML_WORDS, 0, &found,
					    &f.g),
			 SLAT_OK);
	assert_int_equal(found, 1);
	assert_int_equal(bm[0], 1ull << 3);
	assert_int_equal(*pte, 0x40004000 | R | W | MT_WB | A);
	assert_int_equal(slat_ept_flush(&f.t, &f.g, &op), SLAT_OK);
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(op.type, SLAT_INVEPT_SINGLE);
	assert_int_equal(op.desc[0], eptp);
	assert_int_equal(op.desc[1], 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_4k),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_memtypes),
		cmocka_unit_test(test_mbec),
		cmocka_unit_test(test_unexpressible),
		cmocka_unit_test(test_exec_only),
		cmocka_unit_test(test_eptp),
		cmocka_unit_test(test_invept),
		cmocka_unit_test(test_caps_skylake),
		cmocka_unit_test(test_caps_refused),
		cmocka_unit_test(test_sw_bits),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_table_beyond_width),
		cmocka_unit_test(test_pml_partial),
		cmocka_unit_test(test_pml_full),
		cmocka_unit_test(test_pml_refused),
		cmocka_unit_test(test_pml_rearm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
