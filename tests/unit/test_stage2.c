/* SPDX-License-Identifier: MIT */
/*
 * Arm VMSAv8-64 stage 2: raw descriptors, VTCR_EL2/VTTBR_EL2, capability
 * decoding, break-before-make and TLB maintenance sequences. Every
 * expected value is written by hand from the Arm ARM (DDI 0487, chapter
 * D8 and the system register descriptions) as a sum of named fields, not
 * taken from the code under test.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- descriptor fields (§D8.3) ------------------------------------------- */
#define TABLE 3ull                /* bits[1:0] = 0b11 above level 3 */
#define BLOCK 1ull                /* bits[1:0] = 0b01, levels 1 and 2 */
#define PAGE 3ull                 /* bits[1:0] = 0b11 at level 3 */
#define MA(v) ((uint64_t)(v) << 2) /* MemAttr[3:0], bits 5:2 */
#define S2AP_R (1ull << 6)        /* S2AP[0] */
#define S2AP_W (1ull << 7)        /* S2AP[1] */
#define SH_NS (0ull << 8)
#define SH_OS (2ull << 8)
#define SH_IS (3ull << 8)
#define AF (1ull << 10)
#define NT (1ull << 16)
#define DBM (1ull << 51)
#define CONTIG (1ull << 52)
#define XN0 (1ull << 53)          /* XN[0] */
#define XN1 (1ull << 54)          /* XN[1] */

/* MemAttr without FEAT_S2FWB: [3:2] outer, [1:0] inner; 00xx Device. */
#define MA_DEV_nGnRnE MA(0x0)     /* 0b0000 */
#define MA_DEV_nGnRE MA(0x1)      /* 0b0001 */
#define MA_NC MA(0x5)             /* outer 01 NC, inner 01 NC */
#define MA_WT MA(0xa)             /* outer 10 WT, inner 10 WT */
#define MA_WB MA(0xf)             /* outer 11 WB, inner 11 WB */
/* MemAttr with FEAT_S2FWB (§D8.6.6): [2:0]. */
#define FWB_DEV_nGnRnE MA(0x0)
#define FWB_DEV_nGnRE MA(0x1)
#define FWB_NC MA(0x5)
#define FWB_FORCE_WB MA(0x6)
#define FWB_S1 MA(0x7)

/* ---- VTCR_EL2 -------------------------------------------------------------- */
#define T0SZ(ia) ((uint64_t)(64 - (ia)))
#define SL0(v) ((uint64_t)(v) << 6)
#define IRGN0_WBWA (1ull << 8)
#define ORGN0_WBWA (1ull << 10)
#define SH0_IS (3ull << 12)
#define TG0_4K (0ull << 14)
#define TG0_64K (1ull << 14)
#define TG0_16K (2ull << 14)
#define PS_36 (1ull << 16)
#define PS_40 (2ull << 16)
#define PS_44 (4ull << 16)
#define PS_48 (5ull << 16)
#define PS_52 (6ull << 16)
#define VS (1ull << 19)
#define HA (1ull << 21)
#define HD (1ull << 22)
#define VTCR_RES1 (1ull << 31)

/* ---- TLBI operands (§D8.17 / TLBI instruction descriptions) --------------- */
#define TTL(tg, level) ((((uint64_t)(tg) << 2) | (level)) << 44)
#define TG_4K 1
#define TG_16K 2
#define TG_64K 3
#define RIPA(base, ttl, num, scale, tg)                                    \
	((uint64_t)(base) | ((uint64_t)(ttl) << 37) | ((uint64_t)(num) << 39) | \
	 ((uint64_t)(scale) << 44) | ((uint64_t)(tg) << 46))

#define R SLAT_PERM_R
#define W SLAT_PERM_W
#define XS SLAT_PERM_XS
#define XU SLAT_PERM_XU
#define X SLAT_PERM_X

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a)
{
	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  0, &f->g),
			 SLAT_OK);
}

static int map_err(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a)
{
	return slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, 0, &f->g);
}

static void prepare(struct fx *f, uint32_t features)
{
	fx_prepare(f, &slat_format_stage2);
	f->cfg.features = features;
}

static void create(struct fx *f, uint32_t features)
{
	prepare(f, features);
	assert_int_equal(fx_create(f), SLAT_OK);
}

/* ---- descriptors ------------------------------------------------------------ */

/* A 4 KiB read/write Normal WB page at level 3 of a 48-bit, 4-level table:
 * the three table descriptors above it are 0b11 plus the next table's
 * address and nothing else. */
static void test_page_4k(void **state)
{
	struct fx f;
	unsigned lv;

	(void)state;
	create(&f, 0);
	assert_int_equal(slat_table_levels(&f.t), 4);
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(R | W, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x1000, 0),
			 0x5000 | PAGE | MA_WB | S2AP_R | S2AP_W | SH_IS | AF | XN1);
	for (lv = 1; lv < 4; lv++) {
		uint64_t e = *entry_at(&f.t, 0x1000, lv);

		assert_int_equal(e & 0xfff, TABLE);
		assert_int_equal(e >> 48, 0);
		assert_true((e & ~0xfffull) >= POOL_PA);
	}
	expect_map(&f.t, 0x1abc, 0x5abc, R | W, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Blocks: 2 MiB at level 2 read+execute, 1 GiB at level 1 with everything. */
static void test_blocks_4k(void **state)
{
	struct fx f;

	(void)state;
	create(&f, 0);
	map_ok(&f, 0x200000, 2 * MiB, 0x80200000, slat_attrs_make(R | X, SLAT_MT_WB));
	map_ok(&f, 1 * GiB, 1 * GiB, 2 * GiB, slat_attrs_make(R | W | X, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x200000, 1),
			 0x80200000 | BLOCK | MA_WB | S2AP_R | SH_IS | AF);
	assert_int_equal(*entry_at(&f.t, 1 * GiB, 2),
			 0x80000000 | BLOCK | MA_WB | S2AP_R | S2AP_W | SH_IS | AF);
	expect_map(&f.t, 0x2fffff, 0x802fffff, R | X, 21);
	expect_map(&f.t, 1 * GiB + 0x12345678, 2 * GiB + 0x12345678, R | W | X, 30);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Memory types without FWB, and shareability: Device memory is treated as
 * Outer Shareable whatever SH says, so that is what the default writes. */
static void test_memtypes(void **state)
{
	static const struct {
		unsigned mt;
		uint64_t bits;
	} cases[] = {
		{ SLAT_MT_WB, MA_WB | SH_IS },
		{ SLAT_MT_WT, MA_WT | SH_IS },
		{ SLAT_MT_WC, MA_NC | SH_IS },
		{ SLAT_MT_UC, MA_DEV_nGnRnE | SH_OS },
		{ SLAT_MT_DEVICE, MA_DEV_nGnRE | SH_OS },
	};
	struct fx f;
	struct slat_attrs a;
	struct slat_mapping m;
	size_t i;

	(void)state;
	create(&f, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = 0x10000 + i * 0x1000, hpa = 0x90000 + i * 0x1000;

		map_ok(&f, gpa, 0x1000, hpa, slat_attrs_make(R, cases[i].mt));
		/* read-only, execute-never */
		assert_int_equal(*entry_at(&f.t, gpa, 0),
				 hpa | PAGE | cases[i].bits | S2AP_R | AF | XN1);
		assert_int_equal(slat_translate(&f.t, slat_gpa(gpa), &m), SLAT_OK);
		assert_int_equal(m.attrs.memtype, cases[i].mt);
		assert_int_equal(m.attrs.share, SLAT_SH_DEFAULT);
		assert_int_equal(m.attrs.flags, 0);
	}
	/* Explicit shareability. */
	a = slat_attrs_make(R | W, SLAT_MT_WB);
	a.share = SLAT_SH_NONE;
	map_ok(&f, 0x20000, 0x1000, 0xa0000, a);
	assert_int_equal(*entry_at(&f.t, 0x20000, 0),
			 0xa0000 | PAGE | MA_WB | SH_NS | S2AP_R | S2AP_W | AF | XN1);
	a.share = SLAT_SH_OUTER;
	map_ok(&f, 0x21000, 0x1000, 0xa1000, a);
	assert_int_equal(*entry_at(&f.t, 0x21000, 0),
			 0xa1000 | PAGE | MA_WB | SH_OS | S2AP_R | S2AP_W | AF | XN1);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x21000), &m), SLAT_OK);
	assert_int_equal(m.attrs.share, SLAT_SH_OUTER);
	/* x86 write-protect has no Arm type; forcing needs FEAT_S2FWB. */
	assert_int_equal(map_err(&f, 0x30000, 0x1000, 0, slat_attrs_make(R, SLAT_MT_WP)),
			 SLAT_EMEMTYPE);
	a = slat_attrs_make(R, SLAT_MT_WB);
	a.flags = SLAT_ATTR_MT_FORCE;
	assert_int_equal(map_err(&f, 0x30000, 0x1000, 0, a), SLAT_EMEMTYPE);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Device nGnRE, read-only, execute-never: the classic MMIO mapping. */
static void test_device_ro(void **state)
{
	struct fx f;

	(void)state;
	create(&f, 0);
	map_ok(&f, 0x09000000, 0x1000, 0x09000000, slat_attrs_make(R, SLAT_MT_DEVICE));
	assert_int_equal(*entry_at(&f.t, 0x09000000, 0),
			 0x09000000 | PAGE | MA_DEV_nGnRE | S2AP_R | SH_OS | AF | XN1);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* FEAT_S2FWB encodings (HCR_EL2.FWB = 1). */
static void test_fwb(void **state)
{
	static const struct {
		unsigned mt, flags;
		uint64_t bits;
	} ok[] = {
		{ SLAT_MT_WB, 0, FWB_S1 | SH_IS },
		{ SLAT_MT_WB, SLAT_ATTR_MT_FORCE, FWB_FORCE_WB | SH_IS },
		{ SLAT_MT_WC, 0, FWB_NC | SH_IS },
		{ SLAT_MT_UC, 0, FWB_DEV_nGnRnE | SH_OS },
		{ SLAT_MT_DEVICE, 0, FWB_DEV_nGnRE | SH_OS },
	};
	static const struct {
		unsigned mt, flags;
	} bad[] = {
		{ SLAT_MT_WT, 0 }, { SLAT_MT_WP, 0 },
		{ SLAT_MT_WC, SLAT_ATTR_MT_FORCE }, { SLAT_MT_UC, SLAT_ATTR_MT_FORCE },
		{ SLAT_MT_DEVICE, SLAT_ATTR_MT_FORCE }, { SLAT_MT_WT, SLAT_ATTR_MT_FORCE },
	};
	struct fx f;
	struct slat_mapping m;
	size_t i;

	(void)state;
	create(&f, SLAT_FEAT_FWB);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t gpa = 0x10000 + i * 0x1000, hpa = 0x90000 + i * 0x1000;
		struct slat_attrs a = slat_attrs_make(R | W, ok[i].mt);

		a.flags = (uint8_t)ok[i].flags;
		map_ok(&f, gpa, 0x1000, hpa, a);
		assert_int_equal(*entry_at(&f.t, gpa, 0),
				 hpa | PAGE | ok[i].bits | S2AP_R | S2AP_W | AF | XN1);
		assert_int_equal(slat_translate(&f.t, slat_gpa(gpa), &m), SLAT_OK);
		assert_int_equal(m.attrs.memtype, ok[i].mt);
		assert_int_equal(m.attrs.flags, ok[i].flags);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct slat_attrs a = slat_attrs_make(R, bad[i].mt);

		a.flags = (uint8_t)bad[i].flags;
		assert_int_equal(map_err(&f, 0x40000, 0x1000, 0x40000, a), SLAT_EMEMTYPE);
	}
	expect_valid(&f.t);
	fx_fini(&f);

	/* FWB needs the capability. */
	prepare(&f, SLAT_FEAT_FWB);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_FWB;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	slat_pool_fini(&f.pool);
}

/* FEAT_XNX: XN[1:0] = 00 EL1 and EL0, 01 EL0 only, 10 none, 11 EL1 only. */
static void test_xnx(void **state)
{
	static const struct {
		unsigned perms;
		uint64_t xn;
	} cases[] = {
		{ R | XS | XU, 0 },
		{ R | XU, XN0 },
		{ R, XN1 },
		{ R | XS, XN1 | XN0 },
		{ XS, XN1 | XN0 },    /* execute-only, EL1 */
	};
	struct fx f;
	struct slat_mapping m;
	size_t i;

	(void)state;
	create(&f, SLAT_FEAT_SPLIT_EXEC);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = 0x10000 + i * 0x1000, hpa = 0x90000 + i * 0x1000;
		uint64_t rd = (cases[i].perms & R) ? S2AP_R : 0;

		map_ok(&f, gpa, 0x1000, hpa, slat_attrs_make(cases[i].perms, SLAT_MT_WB));
		assert_int_equal(*entry_at(&f.t, gpa, 0),
				 hpa | PAGE | MA_WB | SH_IS | AF | rd | cases[i].xn);
		assert_int_equal(slat_translate(&f.t, slat_gpa(gpa), &m), SLAT_OK);
		assert_int_equal(m.attrs.perms, cases[i].perms);
	}
	expect_valid(&f.t);
	fx_fini(&f);

	/* Without FEAT_XNX one bit decides for both ELs. */
	create(&f, 0);
	assert_int_equal(map_err(&f, 0, 0x1000, 0, slat_attrs_make(R | XS, SLAT_MT_WB)),
			 SLAT_EPERM);
	assert_int_equal(map_err(&f, 0, 0x1000, 0, slat_attrs_make(R | XU, SLAT_MT_WB)),
			 SLAT_EPERM);
	fx_fini(&f);
	/* And the feature needs the capability. */
	prepare(&f, SLAT_FEAT_SPLIT_EXEC);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	slat_pool_fini(&f.pool);
}

/* S2AP has independent read and write bits, XN is independent of both. */
static void test_write_only_exec_only(void **state)
{
	struct fx f;

	(void)state;
	create(&f, 0);
	map_ok(&f, 0x1000, 0x1000, 0x7000, slat_attrs_make(W, SLAT_MT_WB));
	map_ok(&f, 0x2000, 0x1000, 0x8000, slat_attrs_make(X, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x1000, 0),
			 0x7000 | PAGE | MA_WB | S2AP_W | SH_IS | AF | XN1);
	assert_int_equal(*entry_at(&f.t, 0x2000, 0),
			 0x8000 | PAGE | MA_WB | SH_IS | AF);
	expect_map(&f.t, 0x1000, 0x7000, W, 12);
	expect_map(&f.t, 0x2000, 0x8000, X, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* FEAT_HAFDBS: writable leaves start writable-clean (DBM = 1, S2AP[1] = 0);
 * the hardware's first write sets S2AP[1]; harvesting clears it again. */
static void test_dbm(void **state)
{
	struct fx f;
	struct slat_mapping m;
	uint64_t bitmap = 0, found = 0, vtcr, *pte;

	(void)state;
	create(&f, SLAT_FEAT_AD);
	map_ok(&f, 0x1000, 0x1000, 0x7000, slat_attrs_make(R | W, SLAT_MT_WB));
	map_ok(&f, 0x2000, 0x1000, 0x8000, slat_attrs_make(W, SLAT_MT_WB));
	map_ok(&f, 0x3000, 0x1000, 0x9000, slat_attrs_make(R, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x1000, 0);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | DBM | SH_IS | AF | XN1);
	assert_int_equal(*entry_at(&f.t, 0x2000, 0),
			 0x8000 | PAGE | MA_WB | DBM | SH_IS | AF | XN1);
	assert_int_equal(*entry_at(&f.t, 0x3000, 0),
			 0x9000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1);
	expect_map(&f.t, 0x1000, 0x7000, R | W, 12);
	expect_map(&f.t, 0x2000, 0x8000, W, 12);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
	assert_false(m.dirty);
	assert_true(m.accessed);
	/* The hardware writes. */
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), true), SLAT_OK);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | S2AP_W | DBM | SH_IS | AF | XN1);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
	assert_true(m.dirty);
	assert_int_equal(m.attrs.perms, R | W);
	/* A read-only page cannot become dirty. */
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x3000), true), SLAT_EPERM);
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x4000, &bitmap, 1, 0,
					    &found, &f.g),
			 SLAT_OK);
	assert_int_equal(found, 1);
	assert_int_equal(bitmap, 1ull << 1);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | DBM | SH_IS | AF | XN1);
	/* Removing write turns DBM off too. */
	{
		struct slat_prot p = slat_prot_perms(R);

		assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &p, &f.g),
				 SLAT_OK);
		assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1);
	}
	/* VTCR_EL2 enables the hardware updates: HA and HD. */
	assert_int_equal(slat_stage2_vtcr(&f.t, &vtcr), SLAT_OK);
	assert_int_equal(vtcr & (HA | HD), HA | HD);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* 16 KiB and 64 KiB granules: page and block sizes and encodings. */
static void test_granules_16k_64k(void **state)
{
	struct fx f;

	(void)state;
	prepare(&f, 0);
	f.cfg.granule_lg2 = 14;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x4000, 0x4000, 0x84000, slat_attrs_make(R | W, SLAT_MT_WB));
	map_ok(&f, 32 * MiB, 32 * MiB, 0x40000000 + 32 * MiB, slat_attrs_make(R | X, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x4000, 0),
			 0x84000 | PAGE | MA_WB | S2AP_R | S2AP_W | SH_IS | AF | XN1);
	assert_int_equal(*entry_at(&f.t, 32 * MiB, 1),
			 (0x40000000 + 32 * MiB) | BLOCK | MA_WB | S2AP_R | SH_IS | AF);
	assert_int_equal(*entry_at(&f.t, 0x4000, 1) & 0x3fff, TABLE);
	expect_map(&f.t, 0x4000, 0x84000, R | W, 14);
	expect_map(&f.t, 33 * MiB, 0x40000000 + 33 * MiB, R | X, 25);
	assert_int_equal(slat_table_leaf_levels(&f.t), 0x3);
	expect_valid(&f.t);
	fx_fini(&f);

	prepare(&f, 0);
	f.cfg.granule_lg2 = 16;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x10000, 0x10000, 0x90000, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 512 * MiB, 512 * MiB, 1 * GiB, slat_attrs_make(R | W, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x10000, 0),
			 0x90000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1);
	assert_int_equal(*entry_at(&f.t, 512 * MiB, 1),
			 1 * GiB | BLOCK | MA_WB | S2AP_R | S2AP_W | SH_IS | AF | XN1);
	expect_map(&f.t, 0x10000, 0x90000, R, 16);
	expect_map(&f.t, 600 * MiB, 1 * GiB + 88 * MiB, R | W, 29);
	expect_valid(&f.t);
	fx_fini(&f);

	/* A granule the CPU lacks at stage 2, and one that does not exist. */
	prepare(&f, 0);
	f.cfg.granule_lg2 = 14;
	f.caps.granules &= (uint8_t)~SLAT_GRANULE_BIT(14);
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.granule_lg2 = 13;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	slat_pool_fini(&f.pool);
}

/* ---- geometry, VTCR_EL2, VTTBR_EL2 ----------------------------------------- */

/* The KVM default: 40-bit IPA, 4K granule, start at level 1 with two
 * concatenated level 1 tables (an 8 KiB root, aligned to 8 KiB). */
static void test_ipa40(void **state)
{
	struct fx f;
	struct slat_allocator al;
	uint64_t pad_pa, vtcr, vttbr, root, *slot, *rootva;
	void *pad;

	(void)state;
	prepare(&f, 0);
	f.cfg.ia_bits = 40;
	/* Take the pool's first 4 KiB so that only alignment puts the root
	 * at an 8 KiB boundary. */
	al = f.cfg.alloc;
	pad = al.alloc(al.ctx, 12, &pad_pa);
	assert_non_null(pad);
	assert_int_equal(pad_pa, POOL_PA);
	assert_int_equal(fx_create(&f), SLAT_OK);
	root = slat_table_root(&f.t).v;
	assert_int_equal(root, POOL_PA + 8 * KiB);
	assert_int_equal(slat_table_levels(&f.t), 3);
	assert_int_equal(slat_table_pages(&f.t), 2);
	/* T0SZ 24, SL0 1 (level 1), WBWA inner-shareable walks, 4K, PS 48,
	 * 16-bit VMIDs, RES1. */
	assert_int_equal(slat_stage2_vtcr(&f.t, &vtcr), SLAT_OK);
	assert_int_equal(vtcr, T0SZ(40) | SL0(1) | IRGN0_WBWA | ORGN0_WBWA | SH0_IS |
				       TG0_4K | PS_48 | VS | VTCR_RES1);
	assert_int_equal(vtcr, 0x800d3558ull);
	assert_int_equal(slat_stage2_vttbr(&f.t, 0x1234, &vttbr), SLAT_OK);
	assert_int_equal(vttbr, (POOL_PA + 8 * KiB) | (0x1234ull << 48));
	/* 768 GiB: level 1 index 768, in the second concatenated table. */
	map_ok(&f, 768 * GiB, 1 * GiB, 4 * GiB, slat_attrs_make(R | W | X, SLAT_MT_WB));
	rootva = table_of_c(&f.t)->alloc.phys_to_virt(table_of_c(&f.t)->alloc.ctx, root);
	slot = entry_at(&f.t, 768 * GiB, 2);
	assert_ptr_equal(slot, rootva + 768);
	assert_int_equal(*slot, 4 * GiB | BLOCK | MA_WB | S2AP_R | S2AP_W | SH_IS | AF);
	map_ok(&f, 1 * TiB - 4 * KiB, 4 * KiB, 0x1000, slat_attrs_make(R, SLAT_MT_WB));
	expect_map(&f.t, 1 * TiB - 1, 0x1fff, R, 12);
	assert_int_equal(map_err(&f, 1 * TiB, 4 * KiB, 0, slat_attrs_make(R, SLAT_MT_WB)),
			 SLAT_EGPA);
	expect_valid(&f.t);
	al.free(al.ctx, pad, pad_pa, 12);
	fx_fini(&f);
}

/* Start level and concatenation for every granule and common IPA size,
 * from the (SL0, T0SZ) table of the Arm ARM (VTCR_EL2.SL0; pseudocode
 * AArch64.S2InvalidSL / S2InconsistentSL). */
static void test_geometry(void **state)
{
	static const struct {
		unsigned g, ia, levels, sl0, concat;
		uint64_t tg;
	} cases[] = {
		/* 4K: SL0 0 = level 2 (IPA 22-34), 1 = level 1 (31-43), 2 = level 0 (40-52) */
		{ 12, 32, 2, 0, 4, TG0_4K },
		{ 12, 36, 3, 1, 1, TG0_4K },
		{ 12, 40, 3, 1, 2, TG0_4K },
		{ 12, 42, 3, 1, 8, TG0_4K },
		{ 12, 43, 3, 1, 16, TG0_4K },
		{ 12, 44, 4, 2, 1, TG0_4K },
		{ 12, 48, 4, 2, 1, TG0_4K },
		/* 16K: SL0 1 = level 2 (26-40), 2 = level 1 (37-51) */
		{ 14, 32, 2, 1, 1, TG0_16K },
		{ 14, 36, 2, 1, 1, TG0_16K },
		{ 14, 40, 2, 1, 16, TG0_16K },
		{ 14, 42, 3, 2, 1, TG0_16K },
		{ 14, 44, 3, 2, 1, TG0_16K },
		{ 14, 48, 3, 2, 2, TG0_16K },
		/* 64K: SL0 0 = level 3 (17-33), 1 = level 2 (30-46), 2 = level 1 (43-59) */
		{ 16, 32, 1, 0, 8, TG0_64K },
		{ 16, 36, 2, 1, 1, TG0_64K },
		{ 16, 42, 2, 1, 1, TG0_64K },
		{ 16, 44, 2, 1, 4, TG0_64K },
		{ 16, 46, 2, 1, 16, TG0_64K },
		{ 16, 48, 3, 2, 1, TG0_64K },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		uint64_t vtcr, top, root;

		prepare(&f, 0);
		f.caps.flags &= ~(uint32_t)SLAT_CAP_VMID16;
		f.cfg.granule_lg2 = (uint8_t)cases[i].g;
		f.cfg.ia_bits = (uint8_t)cases[i].ia;
		assert_int_equal(fx_create(&f), SLAT_OK);
		assert_int_equal(slat_table_levels(&f.t), cases[i].levels);
		assert_int_equal(slat_table_pages(&f.t), cases[i].concat);
		root = slat_table_root(&f.t).v;
		assert_int_equal(root % (cases[i].concat << cases[i].g), 0);
		assert_int_equal(slat_stage2_vtcr(&f.t, &vtcr), SLAT_OK);
		assert_int_equal(vtcr, T0SZ(cases[i].ia) | SL0(cases[i].sl0) | IRGN0_WBWA |
					       ORGN0_WBWA | SH0_IS | cases[i].tg | PS_48 |
					       VTCR_RES1);
		/* The last base page of the IPA space maps and validates. */
		top = (1ull << cases[i].ia) - (1ull << cases[i].g);
		map_ok(&f, top, 1ull << cases[i].g, 0x100000000ull,
		       slat_attrs_make(R | W, SLAT_MT_WB));
		expect_map(&f.t, top + 8, 0x100000008ull, R | W, cases[i].g);
		expect_valid(&f.t);
		fx_fini(&f);
	}
}

/* 64K granule with a 32-bit IPA: one level of eight concatenated tables,
 * so only 64 KiB pages exist; a 512 MiB range takes 8192 of them. */
static void test_single_level(void **state)
{
	struct fx f;

	(void)state;
	prepare(&f, 0);
	f.cfg.granule_lg2 = 16;
	f.cfg.ia_bits = 32;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_leaf_levels(&f.t), 1);
	map_ok(&f, 512 * MiB, 512 * MiB, 1 * GiB, slat_attrs_make(R | W, SLAT_MT_WB));
	assert_int_equal(slat_table_pages(&f.t), 8);
	/* Entry 8192 + 5 of the root (in its second table). */
	assert_int_equal(*entry_at(&f.t, 512 * MiB + 5 * 64 * KiB, 0),
			 (1 * GiB + 5 * 64 * KiB) | PAGE | MA_WB | S2AP_R | S2AP_W | SH_IS |
				 AF | XN1);
	expect_map(&f.t, 1 * GiB - 1, 1 * GiB + 512 * MiB - 1, R | W, 16);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(512 * MiB), 512 * MiB, &f.g), SLAT_OK);
	expect_unmapped(&f.t, 512 * MiB);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_vttbr(void **state)
{
	struct fx f;
	uint64_t v;

	(void)state;
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_VMID16;
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* 8-bit VMIDs: VMID[7:0] in 55:48, no VS in VTCR_EL2. */
	assert_int_equal(slat_stage2_vttbr(&f.t, 0xff, &v), SLAT_OK);
	assert_int_equal(v, slat_table_root(&f.t).v | (0xffull << 48));
	assert_int_equal(slat_stage2_vttbr(&f.t, 0x100, &v), SLAT_ECAPS);
	assert_int_equal(slat_stage2_vtcr(&f.t, &v), SLAT_OK);
	assert_int_equal(v & VS, 0);
	assert_int_equal(slat_stage2_vttbr(NULL, 1, &v), SLAT_ENULL);
	assert_int_equal(slat_stage2_vttbr(&f.t, 1, NULL), SLAT_ENULL);
	assert_int_equal(slat_stage2_vtcr(NULL, &v), SLAT_ENULL);
	assert_int_equal(slat_stage2_vtcr(&f.t, NULL), SLAT_ENULL);
	fx_fini(&f);

	/* Another format's table. */
	fx_init(&f, &slat_format_ept);
	assert_int_equal(slat_stage2_vtcr(&f.t, &v), SLAT_EFORMAT);
	assert_int_equal(slat_stage2_vttbr(&f.t, 1, &v), SLAT_EFORMAT);
	fx_fini(&f);
}

/* Every configuration error of the backend. */
static void test_config_errors(void **state)
{
	struct fx f;

	(void)state;
	prepare(&f, 0);
	f.cfg.levels = 4; /* derived on Arm */
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.levels = 0;
	f.cfg.ia_bits = 31;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 49; /* 52-bit IPAs are out of scope */
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 52;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 48;
	f.cfg.granule_lg2 = 15;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.granule_lg2 = 0;
	f.cfg.sync_invalidate = NULL; /* break-before-make needs the hook */
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	slat_pool_fini(&f.pool);

	/* Wider than PARange. */
	prepare(&f, 0);
	f.caps.ia_bits = 40;
	f.cfg.ia_bits = 42;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.ia_bits = 40;
	f.caps.pa_bits = 31;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	/* Hardware dirty state needs HAFDBS >= 2. */
	f.caps.pa_bits = 40;
	f.caps.flags &= ~(uint32_t)SLAT_CAP_AD;
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.features = 0;
	/* Software bits: only 58:55 exist. */
	f.cfg.sw_bits = 5;
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_bits = 0;
	f.cfg.sw_positions = 1ull << 54;
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 0;
	/* Capabilities of another format. */
	caps_ept_full(&f.caps);
	assert_int_equal(fx_create(&f), SLAT_EFORMAT);
	slat_pool_fini(&f.pool);
}

/* Software bits live in 58:55 and survive a split. */
static void test_sw_bits(void **state)
{
	struct fx f;
	struct slat_attrs a = slat_attrs_make(R | W, SLAT_MT_WB);
	struct slat_mapping m;

	(void)state;
	prepare(&f, 0);
	f.cfg.sw_bits = 4;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_sw_positions(&f.t), 0xfull << 55);
	a.sw = 0x9;
	map_ok(&f, 2 * MiB, 2 * MiB, 4 * MiB, a);
	assert_int_equal(*entry_at(&f.t, 2 * MiB, 1),
			 4 * MiB | BLOCK | MA_WB | S2AP_R | S2AP_W | SH_IS | AF | XN1 |
				 (1ull << 55) | (1ull << 58));
	assert_int_equal(slat_split(&f.t, slat_gpa(2 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 2 * MiB + 0x3000, 0),
			 (4 * MiB + 0x3000) | PAGE | MA_WB | S2AP_R | S2AP_W | SH_IS | AF |
				 XN1 | (1ull << 55) | (1ull << 58));
	assert_int_equal(slat_translate(&f.t, slat_gpa(2 * MiB), &m), SLAT_OK);
	assert_int_equal(m.attrs.sw, 0x9);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* ---- capabilities ------------------------------------------------------------ */

static void test_caps_qemu_max(void **state)
{
	/*
	 * QEMU "-cpu max" (target/arm/tcg/cpu64.c, aarch64_max_tcg_initfn and
	 * arm_cpu_lpa2_finalize, on the Cortex-A57 base 0x1124): PARange 6
	 * (52 bits), ASIDBits 2, BigEnd 1, SNSMem 1, TGran16 2, TGran64 0,
	 * TGran4 1, TGran16_2 3, TGran64_2 2, TGran4_2 3, FGT 1, ECV 2.
	 */
	uint64_t mmfr0 = 6ull | (2ull << 4) | (1ull << 8) | (1ull << 12) | (2ull << 20) |
			 (0ull << 24) | (1ull << 28) | (3ull << 32) | (2ull << 36) |
			 (3ull << 40) | (1ull << 56) | (2ull << 60);
	/* HAFDBS 2, VMIDBits 2, VH 1, HPDS 2, LO 1, PAN 3, XNX 1, ETS 2,
	 * HCX 1, AFP 1, TIDCP1 1, CMOW 1. */
	uint64_t mmfr1 = 2ull | (2ull << 4) | (1ull << 8) | (2ull << 12) | (1ull << 16) |
			 (3ull << 20) | (1ull << 28) | (2ull << 36) | (1ull << 40) |
			 (1ull << 44) | (1ull << 52) | (1ull << 56);
	/* CnP 1, UAO 1, IESB 1, VARange 1, NV 2, ST 1, AT 1, IDS 1, FWB 1,
	 * TTL 1, BBM 2, EVT 2, E0PD 1. */
	uint64_t mmfr2 = 1ull | (1ull << 4) | (1ull << 12) | (1ull << 16) | (2ull << 24) |
			 (1ull << 28) | (1ull << 32) | (1ull << 36) | (1ull << 40) |
			 (1ull << 48) | (2ull << 52) | (2ull << 56) | (1ull << 60);
	/* AES 2, SHA1 1, SHA2 2, CRC32 1, atomics 2, TLB 2 (range), RNDR 1. */
	uint64_t isar0 = (2ull << 4) | (1ull << 8) | (2ull << 12) | (1ull << 16) |
			 (2ull << 20) | (2ull << 56) | (1ull << 60);
	struct slat_caps c;

	(void)state;
	assert_int_equal(slat_stage2_caps(mmfr0, mmfr1, mmfr2, isar0, &c), SLAT_OK);
	assert_int_equal(c.format, SLAT_FORMAT_STAGE2);
	assert_int_equal(c.pa_bits, 52);
	assert_int_equal(c.ia_bits, 52);
	assert_int_equal(c.granules, 0x7);
	/* With 52-bit PAs the 64K granule also has 4 TiB level-1 blocks. */
	assert_int_equal(c.page_sizes, (1ull << 12) | (1ull << 21) | (1ull << 30) |
					       (1ull << 14) | (1ull << 25) |
					       (1ull << 16) | (1ull << 29) | (1ull << 42));
	assert_int_equal(c.flags, SLAT_CAP_AD | SLAT_CAP_VMID16 | SLAT_CAP_SPLIT_EXEC |
					  SLAT_CAP_FWB | SLAT_CAP_TLBI_TTL |
					  SLAT_CAP_TLBI_RANGE | SLAT_CAP_EXEC_ONLY |
					  SLAT_CAP_INV_SINGLE);
}

static void test_caps_a72(void **state)
{
	/* Cortex-A72 (QEMU aarch64_a72_initfn, TRM): ID_AA64MMFR0_EL1
	 * 0x1124 = PARange 4 (44 bits), ASIDBits 2 (16), BigEnd 1, SNSMem 1,
	 * TGran16 0 (none), TGran64 0 and TGran4 0 (present), stage 2
	 * fields 0 (as stage 1). v8.0: MMFR1 = MMFR2 = 0; ISAR0 0x11120. */
	struct slat_caps c;

	(void)state;
	assert_int_equal(slat_stage2_caps(0x1124, 0, 0, 0x11120, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 44);
	assert_int_equal(c.ia_bits, 44);
	assert_int_equal(c.granules, SLAT_GRANULE_BIT(12) | SLAT_GRANULE_BIT(16));
	assert_int_equal(c.page_sizes, (1ull << 12) | (1ull << 21) | (1ull << 30) |
					       (1ull << 16) | (1ull << 29));
	assert_int_equal(c.flags, SLAT_CAP_EXEC_ONLY | SLAT_CAP_INV_SINGLE);
}

static void test_caps_fields(void **state)
{
	struct slat_caps c;

	(void)state;
	/* PARange 0..6, and a later encoding taken as 52. */
	assert_int_equal(slat_stage2_caps(6, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 52);
	assert_int_equal(slat_stage2_caps(7, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 52);
	assert_int_equal(slat_stage2_caps(0, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 32);
	assert_int_equal(slat_stage2_caps(2, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(slat_stage2_caps(3, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 42);
	assert_int_equal(slat_stage2_caps(5, 0, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.pa_bits, 48);
	/* HAFDBS 1: the Access flag only. */
	assert_int_equal(slat_stage2_caps(5, 1, 0, 0, &c), SLAT_OK);
	assert_int_equal(c.flags & (SLAT_CAP_AD | SLAT_CAP_AF_ONLY), SLAT_CAP_AF_ONLY);
	/* VMIDBits 0 (8 bits). TLB 1: outer shareable only, no range. */
	assert_int_equal(slat_stage2_caps(5, 2, 0, 1ull << 56, &c), SLAT_OK);
	assert_int_equal(c.flags & (SLAT_CAP_AD | SLAT_CAP_VMID16 | SLAT_CAP_TLBI_RANGE),
			 SLAT_CAP_AD);
	/* TGran4_2 = 1 (not at stage 2) overrides TGran4 = 0; TGran16 = 1
	 * with TGran16_2 = 0 gives 16K; TGran64 = 0xf without 64K. */
	assert_int_equal(slat_stage2_caps(5 | (1ull << 20) | (0xfull << 24) | (1ull << 40),
					  0, 0, 0, &c),
			 SLAT_OK);
	assert_int_equal(c.granules, SLAT_GRANULE_BIT(14));
	assert_int_equal(c.page_sizes, (1ull << 14) | (1ull << 25));
	/* TGran64_2 = 2 although stage 1 lacks 64K. */
	assert_int_equal(slat_stage2_caps(5 | (0xfull << 24) | (0xfull << 28) | (2ull << 36),
					  0, 0, 0, &c),
			 SLAT_OK);
	assert_int_equal(c.granules, SLAT_GRANULE_BIT(16));
	/* No granule at all: TGran4 0xf, TGran16 0, TGran64 0xf. */
	assert_int_equal(slat_stage2_caps(5 | (0xfull << 24) | (0xfull << 28), 0, 0, 0, &c),
			 SLAT_ECAPS);
	assert_int_equal(slat_stage2_caps(5, 0, 0, 0, NULL), SLAT_ENULL);
}

/* ---- break-before-make --------------------------------------------------- */

struct bbm {
	int level;                    /* level of the entries being replaced */
	unsigned calls;
	struct slat_gather seen;      /* the gather of the last call */
	struct slat_s2_op ops[16];    /* what it flushed with */
	size_t nops;
};

/* The embedder's hook: the old entry must already be invalid, then the
 * gather is turned into TLB maintenance as a hypervisor would. */
static void bbm_hook(void *ctx, const struct slat_table *t,
		     const struct slat_gather *g)
{
	struct bbm *b = ctx;
	const uint64_t *slot;

	/* The entry that translated the first address is invalid by now. */
	assert_true(b->level >= 0);
	assert_int_equal(slat_gather_nranges(g), 1);
	slot = entry_at(t, slat_gather_range(g, 0).start, (unsigned)b->level);
	assert_non_null(slot);
	assert_int_equal(*slot & 1, 0);
	b->calls++;
	b->seen = *g;
	assert_int_equal(slat_stage2_flush(t, g, b->ops, 16, &b->nops), SLAT_OK);
}

static void bbm_create(struct fx *f, struct bbm *b, uint32_t features)
{
	memset(b, 0, sizeof(*b));
	b->level = -1;
	prepare(f, features);
	f->cfg.sync_invalidate = bbm_hook;
	f->cfg.sync_ctx = b;
	assert_int_equal(fx_create(f), SLAT_OK);
}

/* The flush of one invalidated leaf with a TTL hint: DSB ISHST, TLBI
 * IPAS2E1IS, DSB ISH, TLBI VMALLE1IS, DSB ISH, ISB (KVM
 * __kvm_tlb_flush_vmid_ipa). */
static void expect_one_ipa(const struct slat_s2_op *ops, size_t n, uint64_t arg)
{
	assert_int_equal(n, 6);
	assert_int_equal(ops[0].kind, SLAT_S2_DSB_ISHST);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_IPAS2E1IS);
	assert_int_equal(ops[1].arg, arg);
	assert_int_equal(ops[2].kind, SLAT_S2_DSB_ISH);
	assert_int_equal(ops[3].kind, SLAT_S2_TLBI_VMALLE1IS);
	assert_int_equal(ops[4].kind, SLAT_S2_DSB_ISH);
	assert_int_equal(ops[5].kind, SLAT_S2_ISB);
}

/* Splitting a dirty writable 2 MiB block: invalid first, the old block
 * invalidated, then the table; every page keeps the attributes, DBM and
 * the dirty state. */
static void test_split_bbm(void **state)
{
	struct fx f;
	struct bbm b;
	uint64_t *pde, base = 0x40200000, out = 0x80400000, i;

	(void)state;
	bbm_create(&f, &b, SLAT_FEAT_AD);
	map_ok(&f, base, 2 * MiB, out, slat_attrs_make(R | W | X, SLAT_MT_WB));
	map_ok(&f, base + 2 * MiB, 2 * MiB, out + 2 * MiB, slat_attrs_make(R | W | X, SLAT_MT_WB));
	pde = entry_at(&f.t, base, 1);
	assert_int_equal(*pde, out | BLOCK | MA_WB | S2AP_R | DBM | SH_IS | AF);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(base + 0x1234), true), SLAT_OK);
	assert_int_equal(*pde, out | BLOCK | MA_WB | S2AP_R | S2AP_W | DBM | SH_IS | AF);
	fx_flush(&f);

	b.level = 1;
	assert_int_equal(slat_split(&f.t, slat_gpa(base), 4 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(b.calls, 2);
	/* The last call was for the second block: its whole 2 MiB. */
	assert_int_equal(slat_gather_nranges(&b.seen), 1);
	assert_int_equal(slat_gather_range(&b.seen, 0).start, base + 2 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).end, base + 4 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).leaf_sizes, 2 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).table_sizes, 0);
	expect_one_ipa(b.ops, b.nops, ((base + 2 * MiB) >> 12) | TTL(TG_4K, 2));
	assert_int_equal(*pde & 0xfff, TABLE);
	for (i = 0; i < 512; i += 97) {
		uint64_t off = i << 12;

		assert_int_equal(*entry_at(&f.t, base + off, 0),
				 (out + off) | PAGE | MA_WB | S2AP_R | S2AP_W | DBM | SH_IS | AF);
		/* the clean block's pages stay clean */
		assert_int_equal(*entry_at(&f.t, base + 2 * MiB + off, 0),
				 (out + 2 * MiB + off) | PAGE | MA_WB | S2AP_R | DBM | SH_IS | AF);
	}
	expect_valid(&f.t);
	fx_fini(&f);
}

/* A memory type change is break-before-make; a permission change is not. */
static void test_protect_bbm(void **state)
{
	struct fx f;
	struct bbm b;
	struct slat_prot p;
	uint64_t *pte;

	(void)state;
	bbm_create(&f, &b, 0);
	map_ok(&f, 0x3000, 0x1000, 0x13000, slat_attrs_make(R | W, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x3000, 0);
	fx_flush(&f);

	/* Permissions only: changed in place, left to the caller's flush. */
	p = slat_prot_perms(R);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x3000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(b.calls, 0);
	assert_int_equal(*pte, 0x13000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1);
	assert_int_equal(slat_gather_nranges(&f.g), 1);
	assert_int_equal(slat_gather_range(&f.g, 0).start, 0x3000);
	assert_int_equal(slat_gather_range(&f.g, 0).end, 0x4000);
	fx_flush(&f);

	/* Normal WB to Device-nGnRE. */
	memset(&p, 0, sizeof(p));
	p.set_memtype = true;
	p.memtype = SLAT_MT_DEVICE;
	b.level = 0;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x3000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(b.calls, 1);
	assert_int_equal(slat_gather_nranges(&b.seen), 1);
	assert_int_equal(slat_gather_range(&b.seen, 0).start, 0x3000);
	assert_int_equal(slat_gather_range(&b.seen, 0).end, 0x4000);
	assert_int_equal(slat_gather_range(&b.seen, 0).leaf_sizes, 4 * KiB);
	expect_one_ipa(b.ops, b.nops, (0x3000 >> 12) | TTL(TG_4K, 3));
	assert_int_equal(*pte, 0x13000 | PAGE | MA_DEV_nGnRE | S2AP_R | SH_OS | AF | XN1);

	/* Cacheability alone (Normal WB to Normal Non-cacheable, both inner
	 * shareable) is break-before-make too. */
	map_ok(&f, 0x5000, 0x1000, 0x15000, slat_attrs_make(R, SLAT_MT_WB));
	p.memtype = SLAT_MT_WC;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(b.calls, 2);
	assert_int_equal(slat_gather_range(&b.seen, 0).start, 0x5000);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0),
			 0x15000 | PAGE | MA_NC | S2AP_R | SH_IS | AF | XN1);
	/* Shareability alone as well. */
	p.memtype = SLAT_MT_WC;
	p.share = SLAT_SH_OUTER;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(b.calls, 3);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0),
			 0x15000 | PAGE | MA_NC | S2AP_R | SH_OS | AF | XN1);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Remapping to another output address with SLAT_MAP_REPLACE. */
static void test_remap_bbm(void **state)
{
	struct fx f;
	struct bbm b;
	struct slat_attrs a = slat_attrs_make(R | W, SLAT_MT_WB);
	uint64_t *pde;

	(void)state;
	bbm_create(&f, &b, 0);
	map_ok(&f, 2 * MiB, 2 * MiB, 6 * MiB, a);
	pde = entry_at(&f.t, 2 * MiB, 1);
	fx_flush(&f);
	/* The same mapping again changes nothing. */
	assert_int_equal(slat_map(&f.t, slat_gpa(2 * MiB), 2 * MiB, slat_hpa(6 * MiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	assert_int_equal(b.calls, 0);
	b.level = 1;
	assert_int_equal(slat_map(&f.t, slat_gpa(2 * MiB), 2 * MiB, slat_hpa(10 * MiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	assert_int_equal(b.calls, 1);
	assert_int_equal(slat_gather_range(&b.seen, 0).start, 2 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).leaf_sizes, 2 * MiB);
	expect_one_ipa(b.ops, b.nops, ((2 * MiB) >> 12) | TTL(TG_4K, 2));
	assert_int_equal(*pde, 10 * MiB | BLOCK | MA_WB | S2AP_R | S2AP_W | SH_IS | AF | XN1);
	/* Only permissions: in place again. */
	a = slat_attrs_make(R, SLAT_MT_WB);
	assert_int_equal(slat_map(&f.t, slat_gpa(2 * MiB), 2 * MiB, slat_hpa(10 * MiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	assert_int_equal(b.calls, 1);
	assert_int_equal(*pde, 10 * MiB | BLOCK | MA_WB | S2AP_R | SH_IS | AF | XN1);

	/* Merging 512 pages into one block: the table entry goes invalid
	 * first, and everything below it is invalidated (one range operation
	 * without TTL: 512 granules are NUM 7, SCALE 1). */
	assert_int_equal(slat_map(&f.t, slat_gpa(4 * MiB), 2 * MiB, slat_hpa(12 * MiB), &a,
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	fx_flush(&f);
	assert_int_equal(*entry_at(&f.t, 4 * MiB, 1) & 0xfff, TABLE);
	assert_int_equal(slat_map(&f.t, slat_gpa(4 * MiB), 2 * MiB, slat_hpa(12 * MiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	assert_int_equal(b.calls, 2);
	assert_int_equal(slat_gather_range(&b.seen, 0).start, 4 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).end, 6 * MiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).table_sizes, 2 * MiB);
	assert_int_equal(b.nops, 6);
	assert_int_equal(b.ops[1].arg, RIPA((4 * MiB) >> 12, 0, 7, 1, TG_4K));
	assert_int_equal(*entry_at(&f.t, 4 * MiB, 1),
			 12 * MiB | BLOCK | MA_WB | S2AP_R | SH_IS | AF | XN1);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * The hook for a batched break-before-make: every page of the range it is
 * asked to invalidate is invalid by then (valid bit 0 clear), not only the
 * first.
 */
static void bbm_batch_hook(void *ctx, const struct slat_table *t,
			   const struct slat_gather *g)
{
	struct bbm *b = ctx;
	struct slat_gather_range r;
	uint64_t gpa;

	assert_int_equal(slat_gather_nranges(g), 1);
	r = slat_gather_range(g, 0);
	assert_int_equal(r.leaf_sizes, 4 * KiB);
	for (gpa = r.start; gpa < r.end; gpa += 4 * KiB)
		assert_int_equal(*entry_at(t, gpa, 0) & 1, 0);
	b->calls++;
	b->seen = *g;
}

/*
 * Remapping 512 pages to new output addresses batches its
 * break-before-make as a memory-type change does (protect): 64 leaves
 * broken, one invalidation, 64 written, so 8 synchronous invalidations
 * instead of 512.
 */
static void test_remap_batch_bbm(void **state)
{
	struct fx f;
	struct bbm b;
	struct slat_attrs a = slat_attrs_make(R | W, SLAT_MT_WB);
	uint64_t base = 0x40000000, out = 0x80000000, out2 = 0x90000000, i;

	(void)state;
	memset(&b, 0, sizeof(b));
	prepare(&f, 0);
	f.cfg.sync_invalidate = bbm_batch_hook;
	f.cfg.sync_ctx = &b;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(base), 2 * MiB, slat_hpa(out), &a,
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_map(&f.t, slat_gpa(base), 2 * MiB, slat_hpa(out2), &a,
				  SLAT_MAP_REPLACE | SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	assert_int_equal(b.calls, 8);
	/* The last batch: the last 64 pages. */
	assert_int_equal(slat_gather_range(&b.seen, 0).start, base + 2 * MiB - 64 * 4 * KiB);
	assert_int_equal(slat_gather_range(&b.seen, 0).end, base + 2 * MiB);
	/* Every page translates to its new address: page descriptor (bits
	 * 1:0 = 3), MemAttr WB, S2AP read + write, inner shareable, AF. */
	for (i = 0; i < 512; i++)
		assert_int_equal(*entry_at(&f.t, base + (i << 12), 0),
				 (out2 + (i << 12)) | PAGE | MA_WB | S2AP_R | S2AP_W | SH_IS |
					 AF | XN1);
	/* Nothing was left to the caller's gather: all of it was invalidated. */
	assert_int_equal(slat_gather_nranges(&f.g), 0);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* ---- TLB maintenance sequences ---------------------------------------------- */

static void flush_ok(struct fx *f, struct slat_s2_op *ops, size_t cap, size_t *n)
{
	assert_int_equal(slat_stage2_flush(&f->t, &f->g, ops, cap, n), SLAT_OK);
}

static void unmap_ok(struct fx *f, uint64_t gpa, uint64_t size)
{
	assert_int_equal(slat_unmap(&f->t, slat_gpa(gpa), size, &f->g), SLAT_OK);
}

static void test_flush_page(void **state)
{
	struct fx f;
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	size_t n = 99;

	(void)state;
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)(SLAT_CAP_TLBI_TTL | SLAT_CAP_TLBI_RANGE);
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* Two pages, so that unmapping one leaves its table in place (a
	 * table entry change would widen the invalidation). */
	map_ok(&f, 0x12345000, 0x2000, 0x5000, slat_attrs_make(R, SLAT_MT_WB));
	/* Mapping into nothing leaves nothing to invalidate. */
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 0);
	unmap_ok(&f, 0x12345000, 0x1000);
	flush_ok(&f, ops, 70, &n);
	expect_one_ipa(ops, n, 0x12345); /* IPA >> 12, no TTL without FEAT_TTL */
	/* Too small a buffer. */
	n = 99;
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, ops, 5, &n), SLAT_ENOSPC);
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, NULL, 0, &n), SLAT_ENOSPC);
	assert_int_equal(slat_stage2_flush(NULL, &f.g, ops, 70, &n), SLAT_ENULL);
	assert_int_equal(slat_stage2_flush(&f.t, NULL, ops, 70, &n), SLAT_ENULL);
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, NULL, 70, &n), SLAT_ENULL);
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, ops, 70, NULL), SLAT_ENULL);
	fx_fini(&f);
}

static void test_flush_block_ttl(void **state)
{
	struct fx f;
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	size_t n;

	(void)state;
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_TLBI_RANGE;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x40000000, 4 * KiB, 0x80000000, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 0x40200000, 2 * MiB, 0x80200000, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 0x80000000, 1 * GiB, 0x80000000, slat_attrs_make(R, SLAT_MT_WB));
	unmap_ok(&f, 0x40200000, 2 * MiB);
	flush_ok(&f, ops, 70, &n);
	/* TTL: 4K granule (0b01), level 2 (0b10). */
	expect_one_ipa(ops, n, (0x40200000 >> 12) | TTL(TG_4K, 2));
	fx_flush(&f);
	unmap_ok(&f, 0x80000000, 1 * GiB);
	flush_ok(&f, ops, 70, &n);
	expect_one_ipa(ops, n, (0x80000000 >> 12) | TTL(TG_4K, 1));
	fx_fini(&f);

	/* 16K granule: a 32 MiB block is level 2 with TG 0b10; the IPA
	 * operand is still in 4 KiB units. */
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_TLBI_RANGE;
	f.cfg.granule_lg2 = 14;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0, 16 * KiB, 0, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 64 * MiB, 32 * MiB, 0, slat_attrs_make(R, SLAT_MT_WB));
	unmap_ok(&f, 64 * MiB, 32 * MiB);
	flush_ok(&f, ops, 70, &n);
	expect_one_ipa(ops, n, ((64 * MiB) >> 12) | TTL(TG_16K, 2));
	fx_fini(&f);
}

static void test_flush_range(void **state)
{
	struct fx f;
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	size_t n;

	(void)state;
	create(&f, 0);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x100000), 3 * MiB, slat_hpa(0x100000),
				  &(struct slat_attrs){ R, SLAT_MT_WB, 0, 0, 0, 0 },
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	/* 64 pages: NUM 0, SCALE 1 is (0 + 1) << 6 = 64 granules; TTL level 3,
	 * TG 4K. */
	unmap_ok(&f, 0x100000, 64 * 4 * KiB);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 6);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_RIPAS2E1IS);
	assert_int_equal(ops[1].arg, RIPA(0x100, 3, 0, 1, TG_4K));
	fx_flush(&f);
	/* 3 pages: rounded up to 4 granules, NUM 1, SCALE 0 (one op, not 3). */
	unmap_ok(&f, 0x140000, 3 * 4 * KiB);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 6);
	assert_int_equal(ops[1].arg, RIPA(0x140, 3, 1, 0, TG_4K));
	fx_flush(&f);
	/* 1 page: the single-address form with its TTL is as short. */
	unmap_ok(&f, 0x150000, 4 * KiB);
	flush_ok(&f, ops, 70, &n);
	expect_one_ipa(ops, n, 0x150 | TTL(TG_4K, 3));
	fx_flush(&f);
	/* 190 pages = 2 * 95: digit 31 at scale 0 (62 granules), digit 2 at
	 * scale 1 (128 granules): two ops, highest scale first. */
	unmap_ok(&f, 0x160000, 190 * 4 * KiB);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 7);
	assert_int_equal(ops[1].arg, RIPA(0x160, 3, 1, 1, TG_4K));
	assert_int_equal(ops[2].arg, RIPA(0x160 + 128, 3, 30, 0, TG_4K));
	assert_int_equal(ops[3].kind, SLAT_S2_DSB_ISH);
	fx_fini(&f);

	/* 64K granule: BaseADDR in 64 KiB units, TG 0b11; the single-address
	 * form keeps 4 KiB units with TTL granule 0b11. */
	prepare(&f, 0);
	f.cfg.granule_lg2 = 16;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x100000, 1 * MiB, 0x100000, slat_attrs_make(R, SLAT_MT_WB));
	unmap_ok(&f, 0x120000, 3 * 64 * KiB);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 6);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_RIPAS2E1IS);
	assert_int_equal(ops[1].arg, RIPA(0x12, 3, 1, 0, TG_64K));
	fx_flush(&f);
	unmap_ok(&f, 0x180000, 64 * KiB);
	flush_ok(&f, ops, 70, &n);
	expect_one_ipa(ops, n, (0x180000 >> 12) | TTL(TG_64K, 3));
	fx_fini(&f);
}

/* Table entries changed: every base page of the range, without TTL. */
static void test_flush_tables(void **state)
{
	struct fx f;
	struct slat_s2_op *ops;
	size_t n, i;

	(void)state;
	ops = calloc(SLAT_S2_OPS_MAX(1024), sizeof(*ops));
	assert_non_null(ops);

	/* With range invalidation: 512 granules, NUM 7, SCALE 1, TTL 0. */
	create(&f, 0);
	map_ok(&f, 0x200000, 2 * MiB, 0x200000, slat_attrs_make(R, SLAT_MT_WB));
	assert_int_equal(slat_map(&f.t, slat_gpa(0x600000), 2 * MiB, slat_hpa(0),
				  &(struct slat_attrs){ R, SLAT_MT_WB, 0, 0, 0, 0 },
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	unmap_ok(&f, 0x600000, 2 * MiB);
	assert_true(slat_gather_flags(&f.g) & SLAT_GATHER_TABLES);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 6);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_RIPAS2E1IS);
	assert_int_equal(ops[1].arg, RIPA(0x600, 0, 7, 1, TG_4K));
	fx_fini(&f);

	/* Without it: 512 single-address operations exceed 64: whole VMID
	 * (KVM __kvm_tlb_flush_vmid: DSB ISHST, VMALLS12E1IS, DSB ISH, ISB). */
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_TLBI_RANGE;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x600000), 2 * MiB, slat_hpa(0),
				  &(struct slat_attrs){ R, SLAT_MT_WB, 0, 0, 0, 0 },
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	unmap_ok(&f, 0x600000, 2 * MiB);
	flush_ok(&f, ops, 70, &n);
	assert_int_equal(n, 4);
	assert_int_equal(ops[0].kind, SLAT_S2_DSB_ISHST);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_VMALLS12E1IS);
	assert_int_equal(ops[1].arg, 0);
	assert_int_equal(ops[2].kind, SLAT_S2_DSB_ISH);
	assert_int_equal(ops[3].kind, SLAT_S2_ISB);
	fx_fini(&f);

	/* With a threshold of 1024 they are issued one by one. */
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_TLBI_RANGE;
	f.cfg.tlbi_threshold = 1024;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x200000, 2 * MiB, 0x200000, slat_attrs_make(R, SLAT_MT_WB));
	assert_int_equal(slat_map(&f.t, slat_gpa(0x600000), 2 * MiB, slat_hpa(0),
				  &(struct slat_attrs){ R, SLAT_MT_WB, 0, 0, 0, 0 },
				  SLAT_MAP_MAX_PAGE(12), &f.g),
			 SLAT_OK);
	unmap_ok(&f, 0x600000, 2 * MiB);
	flush_ok(&f, ops, SLAT_S2_OPS_MAX(1024), &n);
	assert_int_equal(n, 512 + 5);
	for (i = 0; i < 512; i++) {
		assert_int_equal(ops[1 + i].kind, SLAT_S2_TLBI_IPAS2E1IS);
		assert_int_equal(ops[1 + i].arg, 0x600 + i);
	}
	assert_int_equal(ops[513].kind, SLAT_S2_DSB_ISH);
	assert_int_equal(ops[514].kind, SLAT_S2_TLBI_VMALLE1IS);
	fx_flush(&f);
	/* The only leaf of a level 2 table is a 2 MiB block: unmapping it
	 * also unlinks the table, whose entries may be cached for any address
	 * of its gigabyte, so 2 MiB steps are not enough: 2^18 base pages are
	 * over the threshold. */
	map_ok(&f, 0x40200000, 2 * MiB, 0x200000, slat_attrs_make(R, SLAT_MT_WB));
	fx_flush(&f);
	unmap_ok(&f, 0x40200000, 2 * MiB);
	assert_int_equal(slat_gather_nranges(&f.g), 1);
	assert_int_equal(slat_gather_range(&f.g, 0).start, 0x40000000);
	assert_int_equal(slat_gather_range(&f.g, 0).leaf_sizes, 2 * MiB);
	assert_int_equal(slat_gather_range(&f.g, 0).table_sizes, 1 * GiB);
	flush_ok(&f, ops, SLAT_S2_OPS_MAX(1024), &n);
	assert_int_equal(n, 4);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_VMALLS12E1IS);
	fx_fini(&f);

	/* The same with range invalidation: one operation without TTL covers
	 * the 2^18 granules of the gigabyte. */
	create(&f, 0);
	map_ok(&f, 0x40200000, 2 * MiB, 0x200000, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 0, 4 * KiB, 0, slat_attrs_make(R, SLAT_MT_WB)); /* keeps the level 1 table */
	unmap_ok(&f, 0x40200000, 2 * MiB);
	flush_ok(&f, ops, 70, &n);
	/* 2^18 = (NUM + 1) << (5 * SCALE + 1) with SCALE 3: NUM + 1 = 4 */
	assert_int_equal(n, 6);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_RIPAS2E1IS);
	assert_int_equal(ops[1].arg, RIPA(0x40000, 0, 3, 3, TG_4K));
	fx_fini(&f);
	free(ops);
}

/* The threshold, and SLAT_S2_OPS_MAX() being enough. */
static void test_flush_threshold(void **state)
{
	struct fx f;
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(4)];
	size_t n, i;

	(void)state;
	prepare(&f, 0);
	f.caps.flags &= ~(uint32_t)(SLAT_CAP_TLBI_RANGE | SLAT_CAP_TLBI_TTL);
	f.cfg.tlbi_threshold = 4;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x10000, 0x10000, 0x10000, slat_attrs_make(R, SLAT_MT_WB));
	/* Exactly the threshold: four single-address operations. */
	unmap_ok(&f, 0x10000, 0x4000);
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, ops, SLAT_S2_OPS_MAX(4) - 2, &n),
			 SLAT_ENOSPC);
	flush_ok(&f, ops, SLAT_S2_OPS_MAX(4), &n);
	assert_int_equal(n, 4 + 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(ops[1 + i].arg, 0x10 + i);
	fx_flush(&f);
	/* Five: one over, the whole VMID instead. Two separate ranges. */
	unmap_ok(&f, 0x14000, 0x2000);
	unmap_ok(&f, 0x18000, 0x3000);
	assert_int_equal(slat_gather_nranges(&f.g), 2);
	flush_ok(&f, ops, SLAT_S2_OPS_MAX(4), &n);
	assert_int_equal(n, 4);
	assert_int_equal(ops[1].kind, SLAT_S2_TLBI_VMALLS12E1IS);
	fx_fini(&f);

	/* Another format's table, a gather of another table. */
	{
		struct fx e, s;

		fx_init(&e, &slat_format_ept);
		assert_int_equal(slat_stage2_flush(&e.t, &e.g, ops, 9, &n), SLAT_EFORMAT);
		fx_fini(&e);
		create(&s, 0);
		create(&f, 0);
		map_ok(&f, 0, 0x1000, 0, slat_attrs_make(R, SLAT_MT_WB));
		unmap_ok(&f, 0, 0x1000);
		assert_int_equal(slat_stage2_flush(&s.t, &f.g, ops, 9, &n), SLAT_EGATHER);
		fx_fini(&f);
		fx_fini(&s);
	}
}

/* ---- the validator ------------------------------------------------------- */

struct probs {
	unsigned n;
	struct slat_problem p[16];
};

static void collect(void *ctx, const struct slat_problem *p)
{
	struct probs *c = ctx;

	if (c->n < 16)
		c->p[c->n] = *p;
	c->n++;
}

/* Validate, expecting exactly one problem of `kind` with `bits`. */
static void expect_problem(const struct slat_table *t, unsigned kind, uint64_t bits)
{
	struct probs c;
	uint64_t count;

	memset(&c, 0, sizeof(c));
	assert_int_equal(slat_validate(t, collect, &c, &count), SLAT_OK);
	assert_int_equal(count, 1);
	assert_int_equal(c.p[0].kind, kind);
	assert_int_equal(c.p[0].bits, bits);
}

/*
 * Write protection of a dirty DBM leaf. The dirty state is S2AP[1] with DBM
 * set (Arm ARM D8.5); removing write clears both, so libslat records the
 * state in a bit that the architecture leaves to software: 58:55 in block
 * and page descriptors (§D8.3.2), the highest of them the embedder did not
 * ask for. A harvest reports and clears it.
 */
#define SWD58 (1ull << 58)
#define SWD57 (1ull << 57)

static void test_dbm_sw_dirty(void **state)
{
	struct slat_prot ro, rw;
	struct fx f;
	uint64_t bm, found, *pte, *pde;

	(void)state;
	memset(&ro, 0, sizeof(ro));
	ro.perm_clear = W;
	memset(&rw, 0, sizeof(rw));
	rw.perm_set = W;
	/* Four software bits leave none for the dirty copy. */
	prepare(&f, SLAT_FEAT_AD);
	f.cfg.sw_bits = 4;
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	f.cfg.sw_bits = 0;
	f.cfg.sw_positions = 0xfull << 55;
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	slat_pool_fini(&f.pool);
	/* Three: 57:55 for the embedder, 58 for the dirty copy. */
	prepare(&f, SLAT_FEAT_AD);
	f.cfg.sw_bits = 3;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_sw_positions(&f.t), 7ull << 55);
	map_ok(&f, 0x1000, 0x1000, 0x7000, slat_attrs_make(R | W, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x1000, 0);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), true), SLAT_OK);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | S2AP_W | DBM | SH_IS | AF | XN1);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &ro, &f.g), SLAT_OK);
	/* Read-only: S2AP[1] and DBM clear, the dirty state in bit 58. */
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1 | SWD58);
	expect_valid(&f.t);
	/* The embedder's software bits do not see it. */
	{
		struct slat_mapping m;

		assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
		assert_int_equal(m.attrs.sw, 0);
		assert_int_equal(m.attrs.perms, R);
		assert_true(m.dirty);
	}
	/* Clearing the Access flag leaves the copy alone. */
	{
		uint64_t acc = 0;

		assert_int_equal(slat_accessed(&f.t, slat_gpa(0x1000), 0x1000, 0, &acc, &f.g),
				 SLAT_OK);
		assert_int_equal(acc, 1);
		assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | SH_IS | XN1 | SWD58);
		assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), false), SLAT_OK);
	}
	/* Writable again before any harvest: DBM back, S2AP[1] clear (the
	 * next write sets it), the copy stays. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &rw, &f.g), SLAT_OK);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | DBM | SH_IS | AF | XN1 | SWD58);
	bm = 0;
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x4000, &bm, 1, 0, &found, &f.g),
			 SLAT_OK);
	assert_int_equal(found, 1);
	assert_int_equal(bm, 1ull << 1);
	assert_int_equal(*pte, 0x7000 | PAGE | MA_WB | S2AP_R | DBM | SH_IS | AF | XN1);
	fx_fini(&f);

	/* The embedder took bit 58: the copy goes to 57. A 2 MiB block
	 * written, protected, then split: every page carries the copy. */
	prepare(&f, SLAT_FEAT_AD);
	f.cfg.sw_positions = SWD58;
	assert_int_equal(fx_create(&f), SLAT_OK);
	{
		struct slat_attrs a = slat_attrs_make(R | W, SLAT_MT_WB);

		a.sw = 1;
		map_ok(&f, 2 * MiB, 2 * MiB, 4 * MiB, a);
	}
	pde = entry_at(&f.t, 2 * MiB, 1);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(2 * MiB + 0x3000), true), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB), 2 * MiB, &ro, &f.g), SLAT_OK);
	assert_int_equal(*pde, 4 * MiB | BLOCK | MA_WB | S2AP_R | SH_IS | AF | XN1 | SWD58 | SWD57);
	assert_int_equal(slat_split(&f.t, slat_gpa(2 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 2 * MiB + 0x1ff000, 0),
			 (4 * MiB + 0x1ff000) | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1 | SWD58 |
				 SWD57);
	/* The validator knows the bit in leaves; in a table entry, where no
	 * harvest looks, it is an attribute libslat never writes. */
	expect_valid(&f.t);
	pde = entry_at(&f.t, 2 * MiB, 1);
	*pde |= SWD57;
	expect_problem(&f.t, SLAT_PROB_TABLE_ATTR, SWD57);
	*pde &= ~SWD57;
	fx_fini(&f);

	/* Without hardware dirty state there is no copy: all four are free. */
	prepare(&f, 0);
	f.cfg.sw_bits = 4;
	assert_int_equal(fx_create(&f), SLAT_OK);
	fx_fini(&f);
}

/* ---- 52-bit addresses with the 64K granule (FEAT_LPA) ----------------------- */

/* Descriptor bits 15:12 that hold OA[51:48] (§D8.3, 64KB granule, 52-bit OA). */
#define OA_HI(pa) ((((uint64_t)(pa) >> 48) & 0xf) << 12)
#define OA_LO_64K(pa) ((uint64_t)(pa) & 0x0000ffffffff0000ull) /* OA[47:16] */

/* A CPU with PARange 0b0110 (52 bits), the three granules at stage 2,
 * HAFDBS 2, 16-bit VMIDs, XNX, FWB, TTL, range TLBI. */
static void lpa_prepare(struct fx *f, uint64_t pool_pa)
{
	uint64_t mmfr0 = 6ull | (2ull << 32) | (2ull << 36) | (2ull << 40);
	uint64_t mmfr1 = 2ull | (2ull << 4) | (1ull << 28);
	uint64_t mmfr2 = (1ull << 40) | (1ull << 48);

	prepare(f, 0);
	assert_int_equal(slat_stage2_caps(mmfr0, mmfr1, mmfr2, 2ull << 56, &f->caps), SLAT_OK);
	slat_pool_fini(&f->pool);
	assert_int_equal(slat_pool_init(&f->pool, 16 * MiB, pool_pa), 0);
	f->cfg.alloc = slat_pool_allocator(&f->pool);
	f->cfg.granule_lg2 = 16;
	f->cfg.ia_bits = 52;
}

/*
 * A 52-bit IPA and output with 64 KiB pages, the tables themselves above
 * 2^48: three levels (1, 2, 3; level 1 resolves IPA[51:42], 1024
 * entries), T0SZ 12, SL0 2, PS 0b110, and every address split into
 * OA[47:16] in place and OA[51:48] in bits 15:12, table addresses too.
 */
static void test_lpa_64k(void **state)
{
	const uint64_t pool_pa = 0xaull << 48;
	const uint64_t gpa = 0x000f123456780000ull, hpa = 0x000bcdef01230000ull;
	const uint64_t bgpa = 0x000c000000000000ull, bhpa = 0x00090c0000000000ull;
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	uint64_t v, e, pa;
	unsigned level;
	size_t n;
	struct fx f;

	(void)state;
	lpa_prepare(&f, pool_pa);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_levels(&f.t), 3);
	/* Level 1 holds 4 TiB blocks, level 2 512 MiB blocks, level 3 pages. */
	assert_int_equal(slat_table_leaf_levels(&f.t), 0x7);
	assert_int_equal(slat_table_level_shift(&f.t, 2), 42);
	assert_int_equal(slat_stage2_vtcr(&f.t, &v), SLAT_OK);
	assert_int_equal(v, T0SZ(52) | SL0(2) | IRGN0_WBWA | ORGN0_WBWA | SH0_IS |
				    TG0_64K | PS_52 | VS | VTCR_RES1);
	/* The root is the pool's first page, at 0xa << 48: BADDR[47:1] = 0
	 * and root bits 51:48 = 0xa in VTTBR_EL2 bits 5:2. */
	assert_int_equal(slat_table_root(&f.t).v, pool_pa);
	assert_int_equal(slat_stage2_vttbr(&f.t, 5, &v), SLAT_OK);
	assert_int_equal(v, (0xaull << 2) | (5ull << 48));

	map_ok(&f, gpa, 64 * KiB, hpa, slat_attrs_make(R | W, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, gpa, 0),
			 OA_LO_64K(hpa) | OA_HI(hpa) | PAGE | MA_WB | S2AP_R | S2AP_W |
				 SH_IS | AF | XN1);
	expect_map(&f.t, gpa + 0x1234, hpa + 0x1234, R | W, 16);
	/* Both table descriptors on the way point into the pool above 2^48. */
	for (level = 2; level >= 1; level--) {
		e = *entry_at(&f.t, gpa, level);
		assert_int_equal(e & 3, TABLE);
		pa = OA_LO_64K(e) | (((e >> 12) & 0xf) << 48);
		assert_int_equal(e & ~(OA_LO_64K(e) | (0xfull << 12) | 3), 0);
		assert_true(pa > pool_pa && pa < pool_pa + 16 * MiB);
		assert_int_equal(pa & 0xffff, 0);
	}

	/* A 4 TiB block at level 1: OA[47:42] in place, OA[51:48] in 15:12. */
	map_ok(&f, bgpa, 4 * TiB, bhpa, slat_attrs_make(R | X, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, bgpa, 2),
			 0x00000c0000000000ull | OA_HI(bhpa) | BLOCK | MA_WB | S2AP_R |
				 SH_IS | AF);
	expect_map(&f.t, bgpa + 3 * TiB + 0x10000, bhpa + 3 * TiB + 0x10000, R | X, 42);
	expect_valid(&f.t);

	/* Splitting the block keeps the split address field in every part. */
	assert_int_equal(slat_split(&f.t, slat_gpa(bgpa), 4 * TiB, 29, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, bgpa + 1 * TiB + 512 * MiB, 1),
			 OA_LO_64K(bhpa + 1 * TiB + 512 * MiB) | OA_HI(bhpa) | BLOCK | MA_WB |
				 S2AP_R | SH_IS | AF);
	expect_valid(&f.t);
	fx_flush(&f);

	/* TLBI IPAS2E1IS takes IPA[51:12] in bits 39:0, with the TTL hint
	 * 64K (0b11), level 3. A second page keeps the tables in place, so
	 * that only the leaf is invalidated, and one page is one TLBI even
	 * with range TLBI. */
	map_ok(&f, gpa + 64 * KiB, 64 * KiB, hpa, slat_attrs_make(R, SLAT_MT_WB));
	fx_flush(&f);
	unmap_ok(&f, gpa, 64 * KiB);
	flush_ok(&f, ops, 70, &n);
	/* gpa >> 12 = 0xf123456780: IPA[51:48] = 0xf lands in bits 39:36. */
	expect_one_ipa(ops, n, 0xf123456780ull | TTL(TG_64K, 3));
	fx_fini(&f);

	/* An output address beyond 52 bits; and 52 bits are only for 64K. */
	lpa_prepare(&f, pool_pa);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map_err(&f, 0, 64 * KiB, 1ull << 52, slat_attrs_make(R, SLAT_MT_WB)),
			 SLAT_EHPA);
	fx_fini(&f);
	lpa_prepare(&f, POOL_PA);
	f.cfg.granule_lg2 = 12;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 48;
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* A 4K table of this CPU keeps the 48-bit layout: PS 0b101. */
	assert_int_equal(slat_stage2_vtcr(&f.t, &v), SLAT_OK);
	assert_int_equal(v & (7ull << 16), PS_48);
	fx_fini(&f);
}

/* A CPU with PARange 0b0001 (36 bits): a 36-bit IPA, PS 0b001, and an
 * output address at 2^36 refused. */
static void test_pa36(void **state)
{
	struct fx f;
	uint64_t v;

	(void)state;
	prepare(&f, 0);
	assert_int_equal(slat_stage2_caps(1ull | (2ull << 40), 0, 0, 0, &f.caps), SLAT_OK);
	f.cfg.ia_bits = 36;
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* 4K, 36 bits: start level 1 (SL0 1), a level-1 table of 64 entries. */
	assert_int_equal(slat_stage2_vtcr(&f.t, &v), SLAT_OK);
	assert_int_equal(v, T0SZ(36) | SL0(1) | IRGN0_WBWA | ORGN0_WBWA | SH0_IS | TG0_4K |
				    PS_36 | VTCR_RES1);
	assert_int_equal(map_err(&f, 0, 0x1000, 1ull << 36, slat_attrs_make(R, SLAT_MT_WB)),
			 SLAT_EHPA);
	fx_fini(&f);
}

/* Without 52-bit PAs, bits 15:12 of a 64K descriptor are RES0, and a 4 TiB
 * block does not exist; with them, the validator takes them as address. */
static void test_lpa_res0(void **state)
{
	struct slat_mapping m;
	uint64_t *slot;
	struct fx f;

	(void)state;
	prepare(&f, 0); /* PARange 48 bits */
	f.cfg.granule_lg2 = 16;
	f.cfg.ia_bits = 48;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_table_leaf_levels(&f.t), 0x3);
	map_ok(&f, 0x10000, 64 * KiB, 0x20000, slat_attrs_make(R, SLAT_MT_WB));
	slot = entry_at(&f.t, 0x10000, 0);
	*slot |= 0x3ull << 12;
	{
		uint64_t n = 0;

		assert_int_equal(slat_validate(&f.t, NULL, NULL, &n), SLAT_OK);
		assert_int_equal(n, 1);
	}
	/* ... and they are no part of the address. */
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x10000), &m), SLAT_OK);
	assert_int_equal(m.hpa.v, 0x20000);
	*slot &= ~(0x3ull << 12);
	fx_fini(&f);

	lpa_prepare(&f, POOL_PA);
	f.cfg.ia_bits = 48;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x10000, 64 * KiB, 0x0003000000020000ull, slat_attrs_make(R, SLAT_MT_WB));
	assert_int_equal(*entry_at(&f.t, 0x10000, 0) & (0xfull << 12), 0x3ull << 12);
	expect_map(&f.t, 0x10000, 0x0003000000020000ull, R, 16);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_validate(void **state)
{
	struct fx f;
	uint64_t *pte, *pde, *pud, *pgd, good_pte, good_pde, good_pud, good_pgd;
	const uint64_t page = 0x5000 | PAGE | MA_WB | S2AP_R | SH_IS | AF | XN1;
	const uint64_t block = 0x80200000 | BLOCK | MA_WB | S2AP_R | SH_IS | AF | XN1;

	(void)state;
	prepare(&f, 0);
	f.caps.pa_bits = 40;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(R, SLAT_MT_WB));
	map_ok(&f, 0x200000, 2 * MiB, 0x80200000, slat_attrs_make(R, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x1000, 0);
	pde = entry_at(&f.t, 0x200000, 1);
	pud = entry_at(&f.t, 0, 2);
	pgd = entry_at(&f.t, 0, 3);
	good_pte = *pte;
	good_pde = *pde;
	good_pud = *pud;
	good_pgd = *pgd;
	assert_int_equal(good_pte, page);
	assert_int_equal(good_pde, block);
	expect_valid(&f.t);

	/* Level 3 descriptor 0b01: reserved, the walk faults. */
	*pte = (page & ~3ull) | BLOCK;
	expect_problem(&f.t, SLAT_PROB_LEAF_LEVEL, BLOCK);
	/* MemAttr 0b0100: outer Non-cacheable, inner 00 is reserved. */
	*pte = (page & ~MA(0xf)) | MA(0x4);
	expect_problem(&f.t, SLAT_PROB_MEMTYPE, MA(0x4));
	/* SH 0b01 is reserved. */
	*pte = (page & ~(3ull << 8)) | (1ull << 8);
	expect_problem(&f.t, SLAT_PROB_RESERVED, 1ull << 8);
	/* XN[0] without FEAT_XNX, DBM without hardware dirty state. */
	*pte = page | XN0;
	expect_problem(&f.t, SLAT_PROB_FEATURE, XN0);
	*pte = page | DBM;
	expect_problem(&f.t, SLAT_PROB_FEATURE, DBM);
	/* FnXS (bit 11) exists only with FEAT_XS, which libslat does not use. */
	*pte = page | (1ull << 11);
	expect_problem(&f.t, SLAT_PROB_FEATURE, 1ull << 11);
	/* Bits 50:48 are RES0 without 52-bit addresses. */
	*pte = page | (1ull << 49);
	expect_problem(&f.t, SLAT_PROB_RESERVED, 1ull << 49);
	/* Output address beyond the 40-bit PA size. */
	*pte = page | (1ull << 41);
	expect_problem(&f.t, SLAT_PROB_ADDR_RANGE, 1ull << 41);
	*pte = good_pte;

	/* A 2 MiB block with output address bits below 2 MiB (RES0), and
	 * the nT bit without FEAT_BBM. */
	*pde = block | (1ull << 12);
	expect_problem(&f.t, SLAT_PROB_RESERVED, 1ull << 12);
	*pde = block | NT;
	expect_problem(&f.t, SLAT_PROB_FEATURE, NT);
	*pde = good_pde;

	/* Table descriptors: 63:59 and 50:48 reserved, 58:51 and 11:2 ignored. */
	*pud = good_pud | (1ull << 59);
	expect_problem(&f.t, SLAT_PROB_RESERVED, 1ull << 59);
	*pud = good_pud | (1ull << 48);
	expect_problem(&f.t, SLAT_PROB_RESERVED, 1ull << 48);
	*pud = good_pud | (1ull << 55) | (1ull << 51) | (0x3ffull << 2);
	expect_valid(&f.t);
	*pud = good_pud;

	/* A block at level 0 (4K granule): only the core's report. */
	*pgd = 0x8000000000ull | BLOCK | MA_WB | S2AP_R | SH_IS | AF;
	{
		struct probs c;
		uint64_t count;

		memset(&c, 0, sizeof(c));
		assert_int_equal(slat_validate(&f.t, collect, &c, &count), SLAT_OK);
		/* the orphaned table below it is counted too */
		assert_true(count >= 1);
		assert_int_equal(c.p[0].kind, SLAT_PROB_LEAF_LEVEL);
		assert_int_equal(c.p[0].level, 3);
	}
	*pgd = good_pgd;
	expect_valid(&f.t);
	fx_fini(&f);

	/* With FEAT_S2FWB: MemAttr[3] and 0b100 are reserved. */
	create(&f, SLAT_FEAT_FWB);
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(R, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x1000, 0);
	good_pte = *pte;
	assert_int_equal(good_pte, 0x5000 | PAGE | FWB_S1 | S2AP_R | SH_IS | AF | XN1);
	*pte = (good_pte & ~MA(0xf)) | MA(0x4);
	expect_problem(&f.t, SLAT_PROB_MEMTYPE, MA(0x4));
	*pte = good_pte | MA(0x8);
	expect_problem(&f.t, SLAT_PROB_MEMTYPE, MA(0xf));
	*pte = good_pte;
	expect_valid(&f.t);
	fx_fini(&f);
}

/* A level 3 descriptor 0b01 is invalid to the hardware: the core reads it
 * as absent. */
static void test_page_type_01_absent(void **state)
{
	struct fx f;
	uint64_t *pte;

	(void)state;
	create(&f, 0);
	map_ok(&f, 0x1000, 0x2000, 0x5000, slat_attrs_make(R, SLAT_MT_WB));
	pte = entry_at(&f.t, 0x1000, 0);
	*pte = (*pte & ~3ull) | BLOCK;
	expect_unmapped(&f.t, 0x1000);
	/* mapping over it needs no SLAT_MAP_REPLACE */
	map_ok(&f, 0x1000, 0x1000, 0x9000, slat_attrs_make(R, SLAT_MT_WB));
	expect_map(&f.t, 0x1000, 0x9000, R, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_4k),
		cmocka_unit_test(test_blocks_4k),
		cmocka_unit_test(test_memtypes),
		cmocka_unit_test(test_device_ro),
		cmocka_unit_test(test_fwb),
		cmocka_unit_test(test_xnx),
		cmocka_unit_test(test_write_only_exec_only),
		cmocka_unit_test(test_dbm),
		cmocka_unit_test(test_dbm_sw_dirty),
		cmocka_unit_test(test_granules_16k_64k),
		cmocka_unit_test(test_ipa40),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_single_level),
		cmocka_unit_test(test_vttbr),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_sw_bits),
		cmocka_unit_test(test_caps_qemu_max),
		cmocka_unit_test(test_caps_a72),
		cmocka_unit_test(test_caps_fields),
		cmocka_unit_test(test_split_bbm),
		cmocka_unit_test(test_protect_bbm),
		cmocka_unit_test(test_remap_bbm),
		cmocka_unit_test(test_remap_batch_bbm),
		cmocka_unit_test(test_flush_page),
		cmocka_unit_test(test_flush_block_ttl),
		cmocka_unit_test(test_flush_range),
		cmocka_unit_test(test_flush_tables),
		cmocka_unit_test(test_flush_threshold),
		cmocka_unit_test(test_lpa_64k),
		cmocka_unit_test(test_lpa_res0),
		cmocka_unit_test(test_pa36),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_page_type_01_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
