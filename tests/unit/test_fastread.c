/* SPDX-License-Identifier: MIT */
/*
 * Issue 8, W5 and W6: the linear phys-to-virt mode (SLAT_FEAT_LINEAR_MAP),
 * slat_translate_perms() against slat_translate() and against leaf bits
 * written by hand from the manuals, and the dirty harvest's group scan
 * with a dirty page at every position of a group.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <slat/slat.h>
#include <slat/hosted.h>
#include <slat/hwsim.h>

#include "harness.h"

/* ---- a phys_to_virt that counts its calls -------------------------------- */

static unsigned hook_calls;

static void *counting_p2v(void *ctx, uint64_t pa)
{
	struct slat_pool *p = ctx;

	hook_calls++;
	return p->base + (pa - p->pa_base);
}

/* fx_prepare() with the linear map of the test pool. */
static void linear_prepare(struct fx *f, const struct slat_format *fmt)
{
	fx_prepare(f, fmt);
	f->cfg.features |= SLAT_FEAT_LINEAR_MAP;
	f->cfg.linear_offset = slat_pool_linear_offset(&f->pool);
	f->cfg.alloc.phys_to_virt = counting_p2v;
}

static void map4k(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		  unsigned perms, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  flags, &f->g), SLAT_OK);
}

/* Both lookups of `gpa`: the same answer, and the one expected. */
static void expect_both(struct fx *f, uint64_t gpa, int err, uint64_t hpa,
			unsigned perms, unsigned page_lg2)
{
	struct slat_translation x;
	struct slat_mapping m;

	memset(&x, 0xa5, sizeof(x));
	assert_int_equal(slat_translate(&f->t, slat_gpa(gpa), &m), err);
	assert_int_equal(slat_translate_perms(&f->t, slat_gpa(gpa), &x), err);
	if (err)
		return;
	assert_int_equal(m.hpa.v, hpa);
	assert_int_equal(m.attrs.perms, perms);
	assert_int_equal(m.page_lg2, page_lg2);
	assert_int_equal(x.hpa.v, hpa);
	assert_int_equal(x.perms, perms);
	assert_int_equal(x.page_lg2, page_lg2);
}

/* ---- the linear map ------------------------------------------------------ */

/* Map, translate, split, unmap through a linear table: the hook is never
 * called, the tables are those the hook would have given (validator). */
static void linear_round_trip(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	linear_prepare(&f, fmt);
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* The common geometry: the constant-geometry lookup. */
	assert_int_equal(table_of(&f.t)->read.walk, READ_STD_4);
	hook_calls = 0;
	map4k(&f, 0x40000000, 1 * GiB, 0x80000000, SLAT_PERM_RW, 0);
	map4k(&f, 0x200000, 2 * MiB, 0x600000, SLAT_PERM_R, 0);
	map4k(&f, 0x1000, 0x3000, 0x7000, SLAT_PERM_RW, 0);
	expect_both(&f, 0x40000000 + 5 * MiB + 0x123, 0, 0x80000000 + 5 * MiB + 0x123,
		    SLAT_PERM_RW, 30);
	expect_both(&f, 0x200000 + 0x1fff, 0, 0x600000 + 0x1fff, SLAT_PERM_R, 21);
	expect_both(&f, 0x2008, 0, 0x8008, SLAT_PERM_RW, 12);
	expect_both(&f, 0x4000, SLAT_ENOENT, 0, 0, 0);
	expect_both(&f, 1ull << 48, SLAT_EGPA, 0, 0, 0);
	/* A protect of one page splits the 1 GiB and the 2 MiB leaves. */
	{
		struct slat_prot p = { 0 };

		p.perm_clear = SLAT_PERM_W;
		assert_int_equal(slat_protect(&f.t, slat_gpa(0x40000000 + 3 * MiB),
					      4 * KiB, &p, &f.g), SLAT_OK);
	}
	expect_both(&f, 0x40000000 + 3 * MiB, 0, 0x80000000 + 3 * MiB, SLAT_PERM_R, 12);
	expect_both(&f, 0x40000000 + 3 * MiB + 4 * KiB, 0,
		    0x80000000 + 3 * MiB + 4 * KiB, SLAT_PERM_RW, 12);
	expect_both(&f, 0x40000000 + 5 * MiB, 0, 0x80000000 + 5 * MiB, SLAT_PERM_RW, 21);
	expect_valid(&f.t);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 2 * GiB, &f.g), SLAT_OK);
	expect_both(&f, 0x2000, SLAT_ENOENT, 0, 0, 0);
	expect_both(&f, 0x40000000, SLAT_ENOENT, 0, 0, 0);
	assert_int_equal(hook_calls, 0);
	fx_fini(&f);
}

/* phys_to_virt may be NULL with the linear map, and only then. */
static void linear_without_hook(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	fx_prepare(&f, fmt);
	f.cfg.alloc.phys_to_virt = NULL;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	assert_int_equal(f.pool.in_use, 0);
	f.cfg.features |= SLAT_FEAT_LINEAR_MAP;
	f.cfg.linear_offset = slat_pool_linear_offset(&f.pool);
	assert_int_equal(fx_create(&f), SLAT_OK);
	map4k(&f, 0, 4 * MiB, 0x100000000ull, SLAT_PERM_RWX, SLAT_MAP_MAX_PAGE(12));
	expect_both(&f, 0x3ff123, 0, 0x1003ff123ull, SLAT_PERM_RWX, 12);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 4 * MiB, &f.g), SLAT_OK);
	fx_fini(&f);
}

/* An offset the allocator's root disagrees with: refused, nothing kept. */
static void linear_mismatch(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	linear_prepare(&f, fmt);
	f.cfg.linear_offset += 4096;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	assert_int_equal(f.pool.in_use, 0);
	assert_int_equal(f.pool.allocs, f.pool.frees);
	slat_pool_fini(&f.pool);
}

/* The offset is read only under its feature bit. */
static void linear_offset_ignored(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	fx_prepare(&f, fmt);
	f.cfg.linear_offset = 12345;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(table_of(&f.t)->read.walk, READ_GENERIC);
	hook_calls = 0;
	map4k(&f, 0, 8 * KiB, 0x5000, SLAT_PERM_RW, 0);
	expect_both(&f, 0x1004, 0, 0x6004, SLAT_PERM_RW, 12);
	fx_fini(&f);
}

/* The pool's offset is what its allocations say. */
static void pool_offset(void **state)
{
	struct slat_pool p;
	struct slat_allocator a;
	uint64_t pa;
	void *va;
	int i;

	(void)state;
	assert_int_equal(slat_pool_init(&p, 1 * MiB, POOL_PA), 0);
	a = slat_pool_allocator(&p);
	for (i = 0; i < 3; i++) {
		va = a.alloc(a.ctx, 12, &pa);
		assert_non_null(va);
		assert_int_equal((uint64_t)(uintptr_t)va, pa + slat_pool_linear_offset(&p));
	}
	slat_pool_fini(&p);
}

/* ---- permissions from hand-written leaves -------------------------------- */

/*
 * A leaf written by hand at level 0 of `gpa` (mapped first, so that the
 * tables exist): the output address 0x12345000 and `bits`.
 */
static void put_leaf(struct fx *f, uint64_t gpa, uint64_t bits)
{
	uint64_t *slot = entry_at(&f->t, gpa, 0);

	assert_non_null(slot);
	*slot = 0x12345000ull | bits;
}

struct leaf_case {
	uint64_t bits;
	int err;        /* SLAT_OK or SLAT_ENOENT */
	unsigned perms;
};

static void check_leaves(struct fx *f, const struct leaf_case *c, size_t n)
{
	const uint64_t gpa = 0x7000;
	size_t i;

	for (i = 0; i < n; i++) {
		put_leaf(f, gpa, c[i].bits);
		expect_both(f, gpa + 0x18, c[i].err, 0x12345018, c[i].perms, 12);
	}
	put_leaf(f, gpa, 0);
}

/* One table of each walk: linear (READ_STD_4) and through the hook. */
static void leaves_on_both(const struct slat_format *fmt, uint32_t features,
			   const struct leaf_case *c, size_t n)
{
	int linear;

	for (linear = 0; linear < 2; linear++) {
		struct fx f;

		if (linear)
			linear_prepare(&f, fmt);
		else
			fx_prepare(&f, fmt);
		f.cfg.features |= features;
		assert_int_equal(fx_create(&f), SLAT_OK);
		assert_int_equal(table_of(&f.t)->read.walk,
				 linear ? READ_STD_4 : READ_GENERIC);
		map4k(&f, 0, 64 * KiB, 0x100000, SLAT_PERM_RW, 0);
		check_leaves(&f, c, n);
		assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 64 * KiB, &f.g), SLAT_OK);
		fx_fini(&f);
	}
}

/* EPT (SDM vol. 3C 29.3.2): R bit 0, W bit 1, X bit 2, memory type 5:3
 * (6 = WB), bit 10 user execute under MBEC, else ignored; libslat's
 * no-access mark bit 11 with bits 2:0 clear. */
#define EPT_WB (6ull << 3)

static void ept_leaves(void **state)
{
	static const struct leaf_case plain[] = {
		{ 0x7 | EPT_WB, SLAT_OK, SLAT_PERM_RWX },
		{ 0x1 | EPT_WB, SLAT_OK, SLAT_PERM_R },
		{ 0x3 | EPT_WB, SLAT_OK, SLAT_PERM_RW },
		{ 0x5 | EPT_WB, SLAT_OK, SLAT_PERM_RX },
		{ 0x4 | EPT_WB, SLAT_OK, SLAT_PERM_X },
		{ 0x1 | EPT_WB | (1ull << 10), SLAT_OK, SLAT_PERM_R },
		{ 0x7 | EPT_WB | (1ull << 10) | (1ull << 6), SLAT_OK, SLAT_PERM_RWX },
		{ EPT_WB | (1ull << 11), SLAT_OK, 0 },
		{ EPT_WB, SLAT_ENOENT, 0 },
		{ 0, SLAT_ENOENT, 0 },
	};
	static const struct leaf_case mbec[] = {
		{ 0x7 | EPT_WB, SLAT_OK, SLAT_PERM_RW | SLAT_PERM_XS },
		{ 0x3 | EPT_WB | (1ull << 10), SLAT_OK, SLAT_PERM_RW | SLAT_PERM_XU },
		{ 0x7 | EPT_WB | (1ull << 10), SLAT_OK, SLAT_PERM_RWX },
		{ 0x1 | EPT_WB, SLAT_OK, SLAT_PERM_R },
		/* Bit 10 alone makes the entry present under MBEC (29.3.2). */
		{ EPT_WB | (1ull << 10), SLAT_OK, SLAT_PERM_XU },
		{ EPT_WB | (1ull << 11), SLAT_OK, 0 },
		{ 0, SLAT_ENOENT, 0 },
	};

	(void)state;
	leaves_on_both(&slat_format_ept, 0, plain, sizeof(plain) / sizeof(plain[0]));
	leaves_on_both(&slat_format_ept, SLAT_FEAT_SPLIT_EXEC, mbec,
		       sizeof(mbec) / sizeof(mbec[0]));
}

/* NPT (APM vol. 2 §5.4.1, §15.25.5): P bit 0, R/W bit 1, U/S bit 2,
 * NX bit 63; every nested access is a user access without GMET; under
 * GMET a U/S = 1 page is not executable by supervisor code. libslat's
 * no-access mark: bit 11 with P clear. */
#define NPT_NX_BIT (1ull << 63)

static void npt_leaves(void **state)
{
	static const struct leaf_case plain[] = {
		{ 0x7, SLAT_OK, SLAT_PERM_RWX },
		{ 0x5, SLAT_OK, SLAT_PERM_RX },
		{ 0x5 | NPT_NX_BIT, SLAT_OK, SLAT_PERM_R },
		{ 0x7 | NPT_NX_BIT, SLAT_OK, SLAT_PERM_RW },
		{ 0x3, SLAT_OK, 0 }, /* supervisor: no nested access at all */
		{ 1ull << 11, SLAT_OK, 0 },
		{ 0x6, SLAT_ENOENT, 0 },
		{ 0, SLAT_ENOENT, 0 },
	};
	static const struct leaf_case gmet[] = {
		{ 0x3, SLAT_OK, SLAT_PERM_RWX },
		{ 0x7, SLAT_OK, SLAT_PERM_RW | SLAT_PERM_XU },
		{ 0x5 | NPT_NX_BIT, SLAT_OK, SLAT_PERM_R },
		{ 0x1, SLAT_OK, SLAT_PERM_RX },
		{ 1ull << 11, SLAT_OK, 0 },
		{ 0, SLAT_ENOENT, 0 },
	};

	(void)state;
	leaves_on_both(&slat_format_npt, 0, plain, sizeof(plain) / sizeof(plain[0]));
	leaves_on_both(&slat_format_npt, SLAT_FEAT_SPLIT_EXEC, gmet,
		       sizeof(gmet) / sizeof(gmet[0]));
}

/* Stage 2 (Arm ARM D8.3, D8.4, D8.5): a page descriptor has bits 1:0 =
 * 0b11 (0b01 at level 3 is invalid); S2AP bit 6 read, bit 7 write; XN
 * bits 54:53 (FEAT_XNX: 00 all, 01 EL0 only, 10 none, 11 EL1 only;
 * without it XN[1] alone); DBM bit 51 keeps a leaf writable under HAFDBS
 * (SLAT_FEAT_AD); AF bit 10; MemAttr 5:2. */
#define S2_PAGE (3ull | (1ull << 10) | (0xfull << 2))
#define S2_R (1ull << 6)
#define S2_W (1ull << 7)
#define S2_XN(v) ((uint64_t)(v) << 53)
#define S2_DBM_BIT (1ull << 51)

static void stage2_leaves(void **state)
{
	static const struct leaf_case plain[] = {
		{ S2_PAGE | S2_R | S2_W, SLAT_OK, SLAT_PERM_RWX },
		{ S2_PAGE | S2_R | S2_XN(2), SLAT_OK, SLAT_PERM_R },
		{ S2_PAGE | S2_R | S2_W | S2_XN(2), SLAT_OK, SLAT_PERM_RW },
		{ S2_PAGE | S2_R | S2_XN(1), SLAT_OK, SLAT_PERM_RX },
		{ S2_PAGE | S2_W | S2_XN(2), SLAT_OK, SLAT_PERM_W },
		{ S2_PAGE | S2_XN(2), SLAT_OK, 0 },
		{ S2_PAGE | S2_R | S2_DBM_BIT | S2_XN(2), SLAT_OK, SLAT_PERM_R },
		{ (S2_PAGE & ~2ull) | S2_R | S2_W, SLAT_ENOENT, 0 },
		{ 0, SLAT_ENOENT, 0 },
	};
	static const struct leaf_case xnx[] = {
		{ S2_PAGE | S2_R, SLAT_OK, SLAT_PERM_RX },
		{ S2_PAGE | S2_R | S2_XN(1), SLAT_OK, SLAT_PERM_R | SLAT_PERM_XU },
		{ S2_PAGE | S2_R | S2_XN(2), SLAT_OK, SLAT_PERM_R },
		{ S2_PAGE | S2_R | S2_XN(3), SLAT_OK, SLAT_PERM_R | SLAT_PERM_XS },
	};
	static const struct leaf_case ad[] = {
		/* Writable-clean: DBM with S2AP[1] clear is still writable. */
		{ S2_PAGE | S2_R | S2_DBM_BIT | S2_XN(2), SLAT_OK, SLAT_PERM_RW },
		{ S2_PAGE | S2_R | S2_W | S2_DBM_BIT, SLAT_OK, SLAT_PERM_RWX },
		{ S2_PAGE | S2_R | S2_XN(2), SLAT_OK, SLAT_PERM_R },
	};

	(void)state;
	leaves_on_both(&slat_format_stage2, 0, plain, sizeof(plain) / sizeof(plain[0]));
	leaves_on_both(&slat_format_stage2, SLAT_FEAT_SPLIT_EXEC, xnx,
		       sizeof(xnx) / sizeof(xnx[0]));
	leaves_on_both(&slat_format_stage2, SLAT_FEAT_AD, ad, sizeof(ad) / sizeof(ad[0]));
}

/* Every permission set the format maps, at every leaf size: both lookups
 * give back what was mapped. */
static void mapped_perms(void **state)
{
	const struct slat_format *fmt = *state;
	static const unsigned sets[] = {
		SLAT_PERM_R, SLAT_PERM_RW, SLAT_PERM_RX, SLAT_PERM_RWX, SLAT_PERM_X, 0,
	};
	int linear;

	for (linear = 0; linear < 2; linear++) {
		struct fx f;
		size_t i;
		unsigned lg2;

		if (linear)
			linear_prepare(&f, fmt);
		else
			fx_prepare(&f, fmt);
		assert_int_equal(fx_create(&f), SLAT_OK);
		for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			for (lg2 = 12; lg2 <= 30; lg2 += 9) {
				const uint64_t gpa = (uint64_t)(i + 1) << 32 | (1ull << lg2);
				const uint64_t hpa = 4 * GiB + ((uint64_t)i << 31);
				struct slat_attrs a = slat_attrs_make(sets[i], SLAT_MT_WB);
				int err = slat_map(&f.t, slat_gpa(gpa), 1ull << lg2,
						   slat_hpa(hpa), &a,
						   SLAT_MAP_MAX_PAGE(lg2), &f.g);

				if (err == SLAT_EPERM || err == SLAT_ECAPS)
					continue; /* the format has no such set */
				assert_int_equal(err, SLAT_OK);
				expect_both(&f, gpa + 0x888, 0, hpa + 0x888, sets[i], lg2);
				expect_both(&f, gpa - 0x1000, SLAT_ENOENT, 0, 0, 0);
			}
		}
		assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 1ull << 40, &f.g), SLAT_OK);
		fx_fini(&f);
	}
}

/* Argument errors, and a table entry with an address beyond the width. */
static void perms_errors(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_translation x;
	int linear;

	assert_int_equal(slat_translate_perms(NULL, slat_gpa(0), &x), SLAT_ENULL);
	for (linear = 0; linear < 2; linear++) {
		struct fx f;
		uint64_t *slot;

		if (linear)
			linear_prepare(&f, fmt);
		else
			fx_prepare(&f, fmt);
		assert_int_equal(fx_create(&f), SLAT_OK);
		assert_int_equal(slat_translate_perms(&f.t, slat_gpa(0), NULL), SLAT_ENULL);
		map4k(&f, 0, 4 * KiB, 0x9000, SLAT_PERM_RW, 0);
		expect_both(&f, 0, 0, 0x9000, SLAT_PERM_RW, 12);
		/* x86: bit 51 in the level-1 table entry, an address bit
		 * beyond the output width (46 or 48 bits here; SDM 29.3.2,
		 * APM 5.3.3). */
		if (fmt != &slat_format_stage2) {
			slot = entry_at(&f.t, 0, 1);
			*slot |= 1ull << 51;
			expect_both(&f, 0, SLAT_ECORRUPT, 0, 0, 0);
			*slot &= ~(1ull << 51);
		}
		/* A leaf in the root, where none may be: PS (bit 7) in a
		 * PML4E is reserved (SDM 29.3.2, APM 5.3.3); a block at level
		 * 0 of a 4 KiB Stage-2 walk is invalid (Arm ARM D8.3). */
		slot = entry_at(&f.t, 0, 3);
		if (fmt == &slat_format_stage2)
			*slot &= ~2ull;
		else
			*slot |= 1ull << 7;
		expect_both(&f, 0, SLAT_ECORRUPT, 0, 0, 0);
		if (fmt == &slat_format_stage2)
			*slot |= 2ull;
		else
			*slot &= ~(1ull << 7);
		expect_both(&f, 0, 0, 0x9000, SLAT_PERM_RW, 12);
		assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 4 * KiB, &f.g), SLAT_OK);
		fx_fini(&f);
		assert_int_equal(slat_translate_perms(&f.t, slat_gpa(0), &x), SLAT_EDEAD);
	}
}

/* ---- harvest -------------------------------------------------------------- */

/*
 * A dirty page at each position of the groups the scan tests at once
 * (64 entries: four blocks of 16, each in an even and an odd lane) and
 * beyond, alone and with its neighbours, from ranges that start and end
 * inside a group: exactly the dirty pages are found, cleared once,
 * recorded in the gather; slat_accessed() (the same scan without a
 * bitmap) counts exactly the pages accessed.
 */
static void harvest_one_range(struct fx *f, uint64_t start, uint64_t pages,
			      const uint64_t *dirty, size_t nd)
{
	uint64_t bm[8], found = 9999, want[8], accessed = 9999, n_in = 0;
	size_t i;

	/* No accessed flag left anywhere in the table. */
	assert_int_equal(slat_accessed(&f->t, slat_gpa(0), 2 * MiB, 0, &accessed, &f->g),
			 SLAT_OK);
	fx_flush(f);
	memset(want, 0, sizeof(want));
	for (i = 0; i < nd; i++) {
		assert_int_equal(slat_hw_access(&f->t, slat_gpa(dirty[i] * 4096), true),
				 SLAT_OK);
		if (dirty[i] >= start && dirty[i] < start + pages) {
			want[(dirty[i] - start) / 64] |= 1ull << ((dirty[i] - start) % 64);
			n_in++;
		}
	}
	assert_int_equal(slat_accessed(&f->t, slat_gpa(start * 4096), pages * 4096,
				       SLAT_HARVEST_KEEP, &accessed, &f->g),
			 SLAT_OK);
	assert_int_equal(accessed, n_in);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(start * 4096), pages * 4096,
					    bm, 8, SLAT_HARVEST_KEEP, &found, &f->g),
			 SLAT_OK);
	assert_memory_equal(bm, want, sizeof(bm));
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(start * 4096), pages * 4096,
					    bm, 8, 0, &found, &f->g),
			 SLAT_OK);
	assert_memory_equal(bm, want, sizeof(bm));
	{
		uint64_t n = 0;

		for (i = 0; i < 8; i++)
			n += (uint64_t)__builtin_popcountll(want[i]);
		assert_int_equal(found, n);
		if (n) {
			/* Every cleared page is in the gather. */
			for (i = 0; i < nd; i++) {
				uint64_t gpa = dirty[i] * 4096;
				uint32_t k, hit = 0;

				if (dirty[i] < start || dirty[i] >= start + pages)
					continue;
				for (k = 0; k < slat_gather_nranges(&f->g); k++)
					hit |= gpa >= slat_gather_range(&f->g, k).start &&
					       gpa < slat_gather_range(&f->g, k).end;
				assert_true(hit);
			}
		}
	}
	fx_flush(f);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(start * 4096), pages * 4096,
					    bm, 8, 0, &found, &f->g),
			 SLAT_OK);
	assert_int_equal(found, 0);
	/* Pages outside the range stay dirty: clear them for the next round. */
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(0), 2 * MiB, bm, 8, 0,
					    &found, &f->g),
			 SLAT_OK);
	fx_flush(f);
}

static void harvest_positions(void **state)
{
	const struct slat_format *fmt = *state;
	int linear;

	for (linear = 0; linear < 2; linear++) {
		struct fx f;
		uint64_t p, all[160];

		if (linear)
			linear_prepare(&f, fmt);
		else
			fx_prepare(&f, fmt);
		f.cfg.features |= SLAT_FEAT_AD;
		assert_int_equal(fx_create(&f), SLAT_OK);
		map4k(&f, 0, 2 * MiB, 0x40000000, SLAT_PERM_RW, SLAT_MAP_MAX_PAGE(12));
		for (p = 0; p < 160; p++) {
			uint64_t two[2] = { p, p + 33 };
			/* Neighbours in the two lanes of one block: the scan
			 * meets the even one first whatever their order. */
			uint64_t adj[2] = { p, p + 1 };

			harvest_one_range(&f, 0, 512, &p, 1);
			harvest_one_range(&f, 0, 512, adj, 2);
			harvest_one_range(&f, 64, 128, two, 2);
			/* Ranges starting and ending inside a group. */
			harvest_one_range(&f, 5, 100, &p, 1);
			harvest_one_range(&f, 17, 47, two, 2);
			harvest_one_range(&f, 1, 200, two, 2);
			all[p] = p;
		}
		/* Every page of several groups dirty at once. */
		harvest_one_range(&f, 0, 512, all, 160);
		harvest_one_range(&f, 3, 90, all, 160);
		harvest_one_range(&f, 63, 130, all, 160);
		assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 2 * MiB, &f.g), SLAT_OK);
		fx_fini(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(linear_round_trip),
		ON_ALL(linear_without_hook),
		ON_ALL(linear_mismatch),
		ON_ALL(linear_offset_ignored),
		cmocka_unit_test(pool_offset),
		cmocka_unit_test(ept_leaves),
		cmocka_unit_test(npt_leaves),
		cmocka_unit_test(stage2_leaves),
		ON_ALL(mapped_perms),
		ON_ALL(perms_errors),
		ON_ALL(harvest_positions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
