/* SPDX-License-Identifier: MIT */
/*
 * Misuse gets an error, not silence (issue 11, item 4): a gather
 * re-initialised while it holds pages, a table destroyed under pending
 * gathers or used after it was destroyed, a dirty bitmap too short for its
 * range, the Stage-2 op array sized with the default threshold, software
 * bits beyond the documented four. Each test expects the documented error
 * and checks that nothing changed (table pages, pool balance, gather).
 */
#include <string.h>

#include "harness.h"

#define HPA 0x100000000ull

static struct slat_attrs rw(void)
{
	return slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
}

/*
 * Map 4 KiB at each of `n` 2 MiB-apart addresses from 1 GiB, then unmap
 * them all: each unmap empties a level-0 table, which goes to the gather.
 * Returns the number of table pages the gather holds afterwards.
 */
static uint64_t fill_gather(struct fx *f, unsigned n)
{
	struct slat_attrs a = rw();
	uint64_t before;
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(slat_map(&f->t, slat_gpa(1 * GiB + i * 2 * MiB), 0x1000,
					  slat_hpa(HPA), &a, 0, &f->g), SLAT_OK);
	fx_flush(f);
	before = slat_table_pages(&f->t);
	for (i = 0; i < n; i++)
		assert_int_equal(slat_unmap(&f->t, slat_gpa(1 * GiB + i * 2 * MiB), 0x1000,
					    &f->g), SLAT_OK);
	/* With 48 bits and 4 KiB granules (four levels): one level-0 table per
	 * page, the level-1 table of [1 GiB, 2 GiB) and the level-2 table of
	 * [0, 512 GiB) above it, all emptied; the root stays. */
	return before - slat_table_pages(&f->t);
}

/* slat_gather_init() refuses a gather that holds pages; nothing is lost. */
static void test_gather_init_busy(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_gather copy, zero;
	uint64_t held, in_use;
	struct fx f;

	fx_init(&f, fmt);
	held = fill_gather(&f, 4);
	assert_true(held == 4 + 2);
	in_use = f.pool.in_use;
	copy = f.g;
	assert_int_equal(slat_gather_init(&f.g), SLAT_EBUSY);
	assert_memory_equal(&f.g, &copy, sizeof(copy));
	assert_false(slat_gather_empty(&f.g));
	/* Completing it frees exactly the held pages and leaves it empty. */
	assert_int_equal(slat_gather_done(&f.t, &f.g), SLAT_OK);
	assert_true(f.pool.in_use == in_use - held * 4096);
	assert_true(slat_gather_empty(&f.g));
	assert_int_equal(slat_gather_init(&f.g), SLAT_OK);

	/* A pending invalidation without pages is refused too. */
	{
		struct slat_attrs a = rw();

		assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(HPA), &a, 0,
					  &f.g), SLAT_OK);
		/* A fresh map may need no invalidation on x86; a protect always does. */
		{
			struct slat_prot p = slat_prot_perms(SLAT_PERM_R);

			assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x1000, &p, &f.g),
					 SLAT_OK);
		}
		assert_false(slat_gather_empty(&f.g));
		assert_int_equal(slat_gather_init(&f.g), SLAT_EBUSY);
		fx_flush(&f);
	}

	/* Zero-filled storage is an empty gather; NULL is refused. */
	memset(&zero, 0, sizeof(zero));
	assert_true(slat_gather_empty(&zero));
	assert_int_equal(slat_gather_init(&zero), SLAT_OK);
	assert_int_equal(slat_gather_init(NULL), SLAT_ENULL);
	fx_fini(&f);
}

/* slat_table_destroy() refuses while a gather holds pages of the table. */
static void test_destroy_pending(void **state)
{
	const struct slat_format *fmt = *state;
	struct snap before, after;
	uint64_t pages, in_use, held;
	struct fx f;

	fx_init(&f, fmt);
	held = fill_gather(&f, 2);
	assert_true(held == 2 + 2);
	pages = slat_table_pages(&f.t);
	in_use = f.pool.in_use;
	snap_take(&f.t, &before);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_EBUSY);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	assert_true(slat_table_pages(&f.t) == pages);
	assert_true(f.pool.in_use == in_use);
	/* The table still works. */
	expect_unmapped(&f.t, 1 * GiB);
	snap_free(&before);
	snap_free(&after);
	/* fx_fini completes the gather, then destroys: no page left. */
	fx_fini(&f);
}

static int visit_nothing(void *ctx, const struct slat_mapping *m)
{
	(void)ctx;
	(void)m;
	return 0;
}

static void write_nothing(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
}

/* After slat_table_destroy() every call that takes the table says so. */
static void test_use_after_destroy(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_attrs a = rw();
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
	struct slat_gather g = SLAT_GATHER_INIT;
	struct slat_mapping m;
	uint64_t n, bm[1];
	struct fx f;

	fx_init(&f, fmt);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(HPA), &a, 0, &f.g),
			 SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_OK);
	assert_true(f.pool.in_use == 0);

	assert_int_equal(slat_translate(&f.t, slat_gpa(0), &m), SLAT_EDEAD);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(HPA), &a, 0, &g),
			 SLAT_EDEAD);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 0x1000, &g), SLAT_EDEAD);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x1000, &p, &g), SLAT_EDEAD);
	assert_int_equal(slat_split(&f.t, slat_gpa(0), 2 * MiB, 12, &g), SLAT_EDEAD);
	assert_int_equal(slat_collapse(&f.t, slat_gpa(0), 2 * MiB, &g), SLAT_EDEAD);
	assert_int_equal(slat_exec_fault(&f.t, slat_gpa(0), &g), SLAT_EDEAD);
	assert_int_equal(slat_validate(&f.t, NULL, NULL, &n), SLAT_EDEAD);
	assert_int_equal(slat_for_each(&f.t, slat_gpa(0), 0x1000, visit_nothing, NULL, NULL),
			 SLAT_EDEAD);
	assert_int_equal(slat_dump(&f.t, slat_gpa(0), 0x1000, write_nothing, NULL),
			 SLAT_EDEAD);
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x1000, bm, 1, 0, NULL, &g),
			 SLAT_EDEAD);
	assert_int_equal(slat_accessed(&f.t, slat_gpa(0), 0x1000, 0, &n, &g), SLAT_EDEAD);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0), false), SLAT_EDEAD);
	assert_int_equal(slat_gather_done(&f.t, &g), SLAT_EDEAD);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_EDEAD);
	switch (slat_table_format(&f.t)) {
	case SLAT_FORMAT_EPT: {
		struct slat_ept_flush op;

		assert_int_equal(slat_ept_eptp(&f.t, &n), SLAT_EDEAD);
		assert_int_equal(slat_ept_flush(&f.t, &g, &op), SLAT_EDEAD);
		break;
	}
	case SLAT_FORMAT_NPT: {
		uint8_t tc;

		assert_int_equal(slat_npt_ncr3(&f.t, &n), SLAT_EDEAD);
		assert_int_equal(slat_npt_flush(&f.t, &g, &tc), SLAT_EDEAD);
		break;
	}
	default: {
		struct slat_s2_op ops[SLAT_S2_OPS_MAX(0)];
		size_t k;

		assert_int_equal(slat_stage2_vttbr(&f.t, 1, &n), SLAT_EDEAD);
		assert_int_equal(slat_stage2_vtcr(&f.t, &n), SLAT_EDEAD);
		assert_int_equal(slat_stage2_flush(&f.t, &g, ops, SLAT_S2_OPS_MAX(0), &k),
				 SLAT_EDEAD);
		break;
	}
	}
	/* The accessors read nothing through the freed root. */
	assert_true(slat_table_pages(&f.t) == 0);
	assert_true(slat_table_root(&f.t).v == 0);
	assert_true(slat_gather_empty(&g));
	assert_true(f.pool.in_use == 0);
	/* The storage can hold a new table. */
	assert_int_equal(fx_create(&f), SLAT_OK);
	fx_fini(&f);
}

/* A bitmap shorter than the range is refused before anything is read or cleared. */
static void test_harvest_bitmap_length(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_attrs a = rw();
	struct snap before, after;
	uint64_t bm[3], found = 77;
	struct fx f;

	fx_prepare(&f, fmt);
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 65 * 0x1000, slat_hpa(HPA), &a, 0,
				  &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(64 * 0x1000), true), SLAT_OK);
	snap_take(&f.t, &before);
	/* 65 pages need two words; one is not enough. */
	memset(bm, 0xa5, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 65 * 0x1000, bm, 1, 0, &found,
					    &f.g), SLAT_ENOSPC);
	assert_true(bm[0] == 0xa5a5a5a5a5a5a5a5ull && bm[1] == 0xa5a5a5a5a5a5a5a5ull);
	assert_true(found == 77);
	assert_true(slat_gather_empty(&f.g));
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	/* A NULL bitmap with a length is still NULL. */
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x1000, NULL, 1, 0, NULL, &f.g),
			 SLAT_ENULL);
	/* Two words: page 64 is bit 0 of word 1, and word 2 is not touched. */
	memset(bm, 0, sizeof(bm));
	bm[2] = 0x5a;
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 65 * 0x1000, bm, 2, 0, &found,
					    &f.g), SLAT_OK);
	assert_true(found == 1);
	assert_true(bm[0] == 0 && bm[1] == 1 && bm[2] == 0x5a);
	snap_free(&before);
	snap_free(&after);
	fx_fini(&f);
}

/*
 * SLAT_S2_OPS_MAX(0) is sized for the default threshold that a zero
 * tlbi_threshold means (64 per-address TLBIs), not for a threshold of 0:
 * the array the issue describes (6 slots) overflowed on a 4-page unmap.
 */
static void test_s2_ops_max_default(void **state)
{
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(0)];
	struct slat_attrs a = rw();
	size_t n = 0;
	struct fx f;
	unsigned i;

	(void)state;
	assert_true(SLAT_S2_OPS_MAX(0) == 64 + 6);
	assert_true(SLAT_S2_OPS_MAX(0) == SLAT_S2_OPS_MAX(SLAT_S2_TLBI_THRESHOLD_DEFAULT));
	assert_true(SLAT_S2_OPS_MAX(3) == 3 + 6);
	fx_init(&f, &slat_format_stage2); /* cfg.tlbi_threshold = 0: the default */
	/* A fifth page keeps the level-0 table: only leaves change. */
	for (i = 0; i < 5; i++)
		assert_int_equal(slat_map(&f.t, slat_gpa(i * 0x3000), 0x1000, slat_hpa(HPA),
					  &a, 0, &f.g), SLAT_OK);
	fx_flush(&f);
	for (i = 0; i < 4; i++)
		assert_int_equal(slat_unmap(&f.t, slat_gpa(i * 0x3000), 0x1000, &f.g),
				 SLAT_OK);
	/* The old size, threshold + 6 = 6, is too small for this gather. */
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, ops, 6, &n), SLAT_ENOSPC);
	assert_int_equal(slat_stage2_flush(&f.t, &f.g, ops, SLAT_S2_OPS_MAX(0), &n), SLAT_OK);
	/* DSB ISHST, a TLBI per page, DSB ISH, TLBI VMALLE1IS, DSB ISH, ISB. */
	assert_true(n == 4 + 5);
	assert_int_equal(ops[0].kind, SLAT_S2_DSB_ISHST);
	for (i = 1; i <= 4; i++)
		assert_true(ops[i].kind == SLAT_S2_TLBI_IPAS2E1IS ||
			    ops[i].kind == SLAT_S2_TLBI_RIPAS2E1IS);
	assert_int_equal(ops[8].kind, SLAT_S2_ISB);
	fx_fini(&f);
}

/* The header allows 0 to 4 software bits; 5 to 8 are refused. */
static void test_sw_bits_limit(void **state)
{
	const struct slat_format *fmt = *state;
	unsigned n;
	struct fx f;

	for (n = 0; n <= 8; n++) {
		uint8_t pattern[sizeof(f.t)];
		int err;

		fx_prepare(&f, fmt);
		f.cfg.sw_bits = (uint8_t)n;
		memset(&f.t, 0x3c, sizeof(f.t));
		memcpy(pattern, &f.t, sizeof(f.t));
		err = fx_create(&f);
		if (n <= SLAT_SW_BITS_MAX) {
			assert_int_equal(err, SLAT_OK);
			assert_int_equal(__builtin_popcountll(slat_table_sw_positions(&f.t)), n);
			fx_fini(&f);
		} else {
			assert_int_equal(err, SLAT_ESWBITS);
			assert_memory_equal(&f.t, pattern, sizeof(f.t));
			assert_true(f.pool.in_use == 0);
			slat_pool_fini(&f.pool);
		}
	}
	/* Explicit positions count the same: five bits are too many. */
	fx_prepare(&f, fmt);
	f.cfg.sw_positions = 0x1full << 55; /* five positions */
	assert_int_equal(fx_create(&f), SLAT_ESWBITS);
	slat_pool_fini(&f.pool);
}

/*
 * The last page of the input width is an ordinary range (its end, 2^ia_bits,
 * is representable); a range ending at 2^64 is refused as beyond the width,
 * not as a wrap (test_errors.c has the rows for every call).
 */
static void test_range_ends(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_attrs a = rw();
	const uint64_t top = 1ull << 48; /* the fixture's input width */
	struct fx f;

	fx_init(&f, fmt);
	assert_int_equal(slat_map(&f.t, slat_gpa(top - 0x1000), 0x1000, slat_hpa(HPA), &a, 0,
				  &f.g), SLAT_OK);
	expect_map(&f.t, top - 0x1000, HPA, SLAT_PERM_RW, 12);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(top - 0x1000), 0x1000, &f.g), SLAT_OK);
	expect_unmapped(&f.t, top - 0x1000);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), top, &f.g), SLAT_OK);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(~0xfffull), 0x1000, &f.g), SLAT_EGPA);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(~0xfffull), 0x2000, &f.g), SLAT_EWRAP);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x1000, slat_hpa(~0xfffull), &a, 0, &f.g),
			 SLAT_EHPA);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 0x2000, slat_hpa(~0xfffull), &a, 0, &f.g),
			 SLAT_EWRAP);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_gather_init_busy),
		ON_ALL(test_destroy_pending),
		ON_ALL(test_use_after_destroy),
		ON_ALL(test_harvest_bitmap_length),
		cmocka_unit_test(test_s2_ops_max_default),
		ON_ALL(test_sw_bits_limit),
		ON_ALL(test_range_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
