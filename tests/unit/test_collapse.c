/* SPDX-License-Identifier: MIT */
/*
 * slat_collapse(): tables that repeat one large mapping become that
 * mapping. Every expected entry is written out from the manuals:
 *
 *  EPT (SDM vol. 3C 29.3.2, Tables 29-4 and 29-6): R bit 0, W bit 1, X
 *   bit 2, memory type bits 5:3 (WB = 6), "page" bit 7 in a PDE/PDPTE,
 *   accessed bit 8, dirty bit 9.
 *  NPT (APM vol. 2 15.25.5 and 5.4): P bit 0, R/W bit 1, U/S bit 2 (every
 *   nested access is a user access), A bit 5, D bit 6, PS bit 7, NX bit 63;
 *   WB is PAT index 0 (PWT = PCD = PAT = 0) with the host PAT used here.
 *  Stage-2 (Arm ARM D8.3, D8.4, D8.5): bits 1:0 = 01 block, 11 page;
 *   MemAttr[5:2] = 1111 (Normal WB, without FWB); S2AP[7:6] (bit 6 read,
 *   bit 7 write); SH[9:8] = 11; AF bit 10; DBM bit 51; XN bit 54. With
 *   hardware dirty state a writable leaf is DBM = 1, S2AP[1] = 0 while
 *   clean, and the hardware sets S2AP[1] on the first write. libslat's
 *   software dirty bit is the highest free of bits 58:55: bit 58 here.
 */
#include <string.h>

#include "harness.h"

#define G (1 * GiB)               /* guest range used throughout */
#define H 0x140000000ull          /* its host range: 5 GiB, 1 GiB aligned */
#define PG 0x1000ull

static const unsigned RW = SLAT_PERM_RW, R = SLAT_PERM_R;

static unsigned fmt_of(const struct fx *f)
{
	return slat_table_format(&f->t);
}

/* A large leaf (2 MiB or 1 GiB: the same bits) mapping WB memory without
 * execute, clean and, except on Arm, not accessed. */
static uint64_t block(const struct fx *f, unsigned perms, bool ad)
{
	switch (fmt_of(f)) {
	case SLAT_FORMAT_EPT:
		return (perms & SLAT_PERM_W ? 0x3 : 0x1) | 0x30 | 0x80;
	case SLAT_FORMAT_NPT:
		return (perms & SLAT_PERM_W ? 0x7 : 0x5) | 0x80 | (1ull << 63);
	default:
		if (!(perms & SLAT_PERM_W))
			return 0x1 | 0x3c | 0x40 | 0x300 | 0x400 | (1ull << 54);
		return ad ? 0x1 | 0x3c | 0x40 | 0x300 | 0x400 | (1ull << 51) | (1ull << 54)
			  : 0x1 | 0x3c | 0xc0 | 0x300 | 0x400 | (1ull << 54);
	}
}

/* The accessed and dirty bits of a large leaf (Arm: AF is set anyway). */
static uint64_t acc_bit(const struct fx *f)
{
	return fmt_of(f) == SLAT_FORMAT_EPT ? 0x100 : fmt_of(f) == SLAT_FORMAT_NPT ? 0x20 : 0x400;
}

static uint64_t dirty_bit(const struct fx *f)
{
	return fmt_of(f) == SLAT_FORMAT_EPT ? 0x200 : fmt_of(f) == SLAT_FORMAT_NPT ? 0x40 : 0x80;
}

static void map_pages(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		      unsigned perms, unsigned max_lg2)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  SLAT_MAP_MAX_PAGE(max_lg2), &f->g),
			 SLAT_OK);
}

static void collapse_ok(struct fx *f, uint64_t gpa, uint64_t size)
{
	assert_int_equal(slat_collapse(&f->t, slat_gpa(gpa), size, &f->g), SLAT_OK);
}

static void is_table_entry(const struct fx *f, uint64_t gpa, unsigned level)
{
	assert_non_null(entry_at(&f->t, gpa, level - 1));
}

/* Ready, mapped and flushed, with the sync counter at 0. */
static void start(struct fx *f, const struct slat_format *fmt, bool ad)
{
	fx_prepare(f, fmt);
	if (ad)
		f->cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(f), SLAT_OK);
}

static void settled(struct fx *f)
{
	fx_flush(f);
	f->syncs = 0;
}

/* 512 4 KiB leaves -> one 2 MiB leaf; the table goes at gather_done. */
static void test_4k_to_2m(void **state)
{
	struct fx f;
	uint64_t pages, in_use;

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	settled(&f);
	is_table_entry(&f, G, 1);
	pages = slat_table_pages(&f.t);
	in_use = f.pool.in_use;

	collapse_ok(&f, G, 2 * MiB);
	assert_int_equal(*entry_at(&f.t, G, 1), H | block(&f, RW, false));
	expect_map(&f.t, G + 0x5000, H + 0x5000, RW, 21);
	assert_null(entry_at(&f.t, G, 0));
	assert_int_equal(slat_table_pages(&f.t), pages - 1);
	/* The hook (break-before-make) invalidated the table and its leaves
	 * once; the gather holds only the page. */
	assert_int_equal(f.syncs, 1);
	assert_int_equal(slat_gather_nranges(&f.last_sync), 1);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).start, G);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).end, G + 2 * MiB);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).leaf_sizes, 1ull << 12);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).table_sizes, 1ull << 21);
	assert_true(slat_gather_flags(&f.last_sync) & SLAT_GATHER_TABLES);
	assert_int_equal(slat_gather_nranges(&f.g), 0);
	assert_int_equal(slat_gather_pages(&f.g), 1);
	assert_int_equal(f.pool.in_use, in_use);
	fx_flush(&f);
	assert_int_equal(f.pool.in_use, in_use - 4096);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* 512 2 MiB leaves -> one 1 GiB leaf. */
static void test_2m_to_1g(void **state)
{
	struct fx f;
	uint64_t pages;

	start(&f, *state, false);
	map_pages(&f, G, 1 * GiB, H, RW, 21);
	settled(&f);
	is_table_entry(&f, G, 2);
	pages = slat_table_pages(&f.t);
	collapse_ok(&f, G, 1 * GiB);
	assert_int_equal(*entry_at(&f.t, G, 2), H | block(&f, RW, false));
	expect_map(&f.t, G + 0x3ff000, H + 0x3ff000, RW, 30);
	assert_int_equal(slat_table_pages(&f.t), pages - 1);
	assert_int_equal(f.syncs, 1);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).start, G);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).end, G + 1 * GiB);
	assert_int_equal(slat_gather_range(&f.last_sync, 0).leaf_sizes, (1ull << 21) | (1ull << 12));
	assert_int_equal(slat_gather_range(&f.last_sync, 0).table_sizes, 1ull << 30);
	assert_int_equal(slat_gather_pages(&f.g), 1);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * 512 tables of 4 KiB leaves under one table -> one 1 GiB leaf in one
 * call: 513 pages. The 512 breaks go in batches of 64 (8 hook calls), then
 * one for the 2 MiB table: 9.
 */
static void test_two_levels(void **state)
{
	struct fx f;
	uint64_t pages, in_use;

	start(&f, *state, false);
	map_pages(&f, G, 1 * GiB, H, RW, 12);
	settled(&f);
	pages = slat_table_pages(&f.t);
	in_use = f.pool.in_use;
	collapse_ok(&f, G, 1 * GiB);
	assert_int_equal(*entry_at(&f.t, G, 2), H | block(&f, RW, false));
	expect_map(&f.t, G + 0x12345000, H + 0x12345000, RW, 30);
	assert_int_equal(slat_table_pages(&f.t), pages - 513);
	assert_int_equal(f.syncs, 9);
	assert_int_equal(slat_gather_pages(&f.g), 513);
	assert_int_equal(f.pool.in_use, in_use);
	fx_flush(&f);
	assert_int_equal(f.pool.in_use, in_use - 513 * 4096);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Run collapse over [G, G + 2 MiB) and expect nothing to change. */
static void expect_stays(struct fx *f, uint64_t gpa, uint64_t size)
{
	struct snap before, after;
	uint64_t pages = slat_table_pages(&f->t);

	settled(f);
	snap_take(&f->t, &before);
	collapse_ok(f, gpa, size);
	snap_take(&f->t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	assert_int_equal(f->syncs, 0);
	assert_true(slat_gather_empty(&f->g));
	assert_int_equal(slat_table_pages(&f->t), pages);
	is_table_entry(f, G, 1);
	fx_fini(f);
}

static void test_differing_attrs_stay(void **state)
{
	struct fx f;
	struct slat_prot p = slat_prot_perms(R);

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	assert_int_equal(slat_protect(&f.t, slat_gpa(G + 0x3000), PG, &p, &f.g), SLAT_OK);
	expect_stays(&f, G, 2 * MiB);
}

static void test_differing_sw_bits_stay(void **state)
{
	struct fx f;
	struct slat_prot p = { .sw_set = 1 };

	fx_prepare(&f, *state);
	f.cfg.sw_bits = 1;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	assert_int_equal(slat_protect(&f.t, slat_gpa(G + 0x1ff000), PG, &p, &f.g), SLAT_OK);
	expect_stays(&f, G, 2 * MiB);
}

static void test_hole_stays(void **state)
{
	struct fx f;

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(G + 0x1ff000), PG, &f.g), SLAT_OK);
	expect_stays(&f, G, 2 * MiB);
}

/* Output address 4 KiB past a 2 MiB boundary: contiguous, not aligned. */
static void test_misaligned_stays(void **state)
{
	struct fx f;

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H + PG, RW, 30);
	expect_stays(&f, G, 2 * MiB);
}

/* Contiguous and aligned, but one page maps out of order. */
static void test_discontiguous_stays(void **state)
{
	struct fx f;
	struct slat_attrs a = slat_attrs_make(RW, SLAT_MT_WB);

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	assert_int_equal(slat_map(&f.t, slat_gpa(G + 0x7000), PG, slat_hpa(H + 0x8000), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	expect_stays(&f, G, 2 * MiB);
}

/* A range that does not cover the whole 2 MiB leaves its table alone. */
static void test_partial_range_stays(void **state)
{
	struct fx f;

	start(&f, *state, false);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	expect_stays(&f, G + PG, 2 * MiB);
}

/* One 2 MiB region collapses, its neighbour with a hole stays, and the
 * 1 GiB table above them stays too. */
static void test_mixed(void **state)
{
	struct fx f;

	start(&f, *state, false);
	map_pages(&f, G, 4 * MiB, H, RW, 12);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(G + 3 * MiB), PG, &f.g), SLAT_OK);
	settled(&f);
	collapse_ok(&f, G, 1 * GiB);
	assert_int_equal(*entry_at(&f.t, G, 1), H | block(&f, RW, false));
	assert_non_null(entry_at(&f.t, G + 2 * MiB, 0));
	expect_map(&f.t, G + 2 * MiB, H + 2 * MiB, RW, 12);
	expect_unmapped(&f.t, G + 3 * MiB);
	assert_int_equal(f.syncs, 1);
	assert_int_equal(slat_gather_pages(&f.g), 1);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Accessed and dirty state of any child ends in the large leaf. */
static void test_dirty_carried(void **state)
{
	struct fx f;
	uint64_t bm[16], n = 0, acc = 0; /* 1024 pages */

	start(&f, *state, true);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	map_pages(&f, G + 2 * MiB, 2 * MiB, H + 2 * MiB, RW, 12);
	settled(&f);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(G + 5 * PG), true), SLAT_OK);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(G + 9 * PG), false), SLAT_OK);
	collapse_ok(&f, G, 4 * MiB);
	assert_int_equal(*entry_at(&f.t, G, 1),
			 H | block(&f, RW, true) | acc_bit(&f) | dirty_bit(&f));
	/* The untouched neighbour stays clean (and, on x86, not accessed). */
	assert_int_equal(*entry_at(&f.t, G + 2 * MiB, 1),
			 (H + 2 * MiB) | block(&f, RW, true) |
				 (fmt_of(&f) == SLAT_FORMAT_STAGE2 ? acc_bit(&f) : 0));
	fx_flush(&f);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(G), 4 * MiB, bm, sizeof(bm) / sizeof(bm[0]), 0, &n, &f.g),
			 SLAT_OK);
	assert_int_equal(n, 512);
	assert_int_equal(bm[0], ~0ull);
	assert_int_equal(bm[7], ~0ull);
	assert_int_equal(bm[8], 0);
	assert_int_equal(slat_accessed(&f.t, slat_gpa(G), 2 * MiB, 0, &acc, &f.g), SLAT_OK);
	assert_int_equal(acc, 512);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * Dirty, then write-protected: x86 keeps D in the read-only leaf, Arm
 * keeps it in the software dirty bit (bit 58). Collapsing read-only
 * children keeps it the same way, and harvest finds the whole leaf dirty
 * on every format.
 */
static void test_sw_dirty_carried(void **state)
{
	struct fx f;
	struct slat_prot p = slat_prot_perms(R);
	uint64_t bm[8], n = 0, want;

	start(&f, *state, true);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	settled(&f);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(G + 0x1ff000), true), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(G), 2 * MiB, &p, &f.g), SLAT_OK);
	settled(&f);
	collapse_ok(&f, G, 2 * MiB);
	want = H | block(&f, R, true) | acc_bit(&f);
	want |= fmt_of(&f) == SLAT_FORMAT_STAGE2 ? 1ull << 58 : dirty_bit(&f);
	assert_int_equal(*entry_at(&f.t, G, 1), want);
	expect_map(&f.t, G, H, R, 21);
	fx_flush(&f);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(G), 2 * MiB, bm, sizeof(bm) / sizeof(bm[0]), 0, &n, &f.g),
			 SLAT_OK);
	assert_int_equal(n, 512);
	fx_fini(&f);
}

/*
 * x86 without a synchronous hook: the leaf replaces the table at once, the
 * gather asks for the table and its leaves, and the leaf takes every state
 * the children could still reach through a stale walk: accessed, and
 * dirty when writable.
 */
static void test_x86_no_hook(void **state)
{
	struct fx f;

	fx_prepare(&f, *state);
	f.cfg.features = SLAT_FEAT_AD;
	f.cfg.sync_invalidate = NULL;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_pages(&f, G, 2 * MiB, H, RW, 12);
	map_pages(&f, G + 2 * MiB, 2 * MiB, H + 2 * MiB, R, 12);
	settled(&f);
	collapse_ok(&f, G, 4 * MiB);
	assert_int_equal(*entry_at(&f.t, G, 1),
			 H | block(&f, RW, true) | acc_bit(&f) | dirty_bit(&f));
	assert_int_equal(*entry_at(&f.t, G + 2 * MiB, 1),
			 (H + 2 * MiB) | block(&f, R, true) | acc_bit(&f));
	assert_int_equal(f.syncs, 0);
	assert_int_equal(slat_gather_nranges(&f.g), 1);
	assert_int_equal(slat_gather_range(&f.g, 0).start, G);
	assert_int_equal(slat_gather_range(&f.g, 0).end, G + 4 * MiB);
	assert_int_equal(slat_gather_range(&f.g, 0).leaf_sizes, 1ull << 12);
	assert_int_equal(slat_gather_range(&f.g, 0).table_sizes, 1ull << 21);
	assert_true(slat_gather_flags(&f.g) & SLAT_GATHER_TABLES);
	assert_int_equal(slat_gather_pages(&f.g), 2);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * A leaf libslat would not reproduce, after a table that would collapse:
 * refused before anything changed.
 */
static void test_corrupt_refused(void **state)
{
	struct fx f;
	struct snap before, after;
	uint64_t *e;

	start(&f, *state, false);
	map_pages(&f, G, 4 * MiB, H, RW, 12);
	settled(&f);
	e = entry_at(&f.t, G + 2 * MiB + 0x10000, 0);
	switch (fmt_of(&f)) {
	case SLAT_FORMAT_EPT:
		*e &= ~1ull; /* write-only: a misconfiguration (SDM 29.3.3.1) */
		break;
	case SLAT_FORMAT_NPT:
		*e &= ~4ull; /* U/S clear: libslat always sets it */
		break;
	default:
		*e |= 1ull << 53; /* XN[0] without FEAT_XNX in use */
		break;
	}
	snap_take(&f.t, &before);
	assert_int_equal(slat_collapse(&f.t, slat_gpa(G), 1 * GiB, &f.g), SLAT_ECORRUPT);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	assert_int_equal(f.syncs, 0);
	assert_true(slat_gather_empty(&f.g));
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_4k_to_2m),
		ON_ALL(test_2m_to_1g),
		ON_ALL(test_two_levels),
		ON_ALL(test_differing_attrs_stay),
		ON_ALL(test_differing_sw_bits_stay),
		ON_ALL(test_hole_stays),
		ON_ALL(test_misaligned_stays),
		ON_ALL(test_discontiguous_stays),
		ON_ALL(test_partial_range_stays),
		ON_ALL(test_mixed),
		ON_ALL(test_dirty_carried),
		ON_ALL(test_sw_dirty_carried),
		cmocka_unit_test_prestate(test_x86_no_hook, (void *)&slat_format_ept),
		cmocka_unit_test_prestate(test_x86_no_hook, (void *)&slat_format_npt),
		ON_ALL(test_corrupt_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
