/* SPDX-License-Identifier: MIT */
/*
 * The iTLB-multihit policy (SLAT_FEAT_NX_HUGE, slat/multihit.h) on EPT.
 * Expected entries from the SDM (vol. 3C 29.3.2, Tables 29-4 and 29-6):
 * R bit 0, W bit 1, X bit 2, memory type 5:3 (WB = 6: 0x30), bit 7 = leaf
 * in a PDE/PDPTE; bits 11, 56:52, 59 and 62 are ignored, and libslat keeps
 * the execute request of a large leaf in the highest free one: bit 62.
 * NPT and Stage-2 refuse the feature: AMD and Arm are not affected.
 */
#include <string.h>

#include "harness.h"

#define G (1 * GiB)
#define H 0x140000000ull  /* 5 GiB */
#define G2 (4 * GiB)
#define H2 (8 * GiB)
#define PG 0x1000ull
#define REQ (1ull << 62)  /* the execute request */
#define RW_WB_2M 0xb3ull  /* R | W | WB | leaf */
#define RWX_WB_4K 0x37ull /* R | W | X | WB */

static const unsigned RW = SLAT_PERM_RW, RWX = SLAT_PERM_RWX;

static void nx_init(struct fx *f)
{
	fx_prepare(f, &slat_format_ept);
	f->cfg.features = SLAT_FEAT_NX_HUGE;
	assert_int_equal(fx_create(f), SLAT_OK);
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   unsigned perms, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, flags,
				  &f->g),
			 SLAT_OK);
}

static void unchanged(struct fx *f, int expect, uint64_t gpa)
{
	struct snap before, after;

	fx_flush(f);
	snap_take(&f->t, &before);
	assert_int_equal(slat_exec_fault(&f->t, slat_gpa(gpa), &f->g), expect);
	snap_take(&f->t, &after);
	assert_true(snap_equal(&before, &after));
	assert_true(slat_gather_empty(&f->g));
	snap_free(&before);
	snap_free(&after);
}

/* Without the policy a 2 MiB RWX leaf has X; with it, bit 62 instead. */
static void test_map(void **state)
{
	struct fx plain, f;

	(void)state;
	fx_init(&plain, &slat_format_ept);
	map_ok(&plain, G, 2 * MiB, H, RWX, 0);
	assert_int_equal(*entry_at(&plain.t, G, 1), H | 0xb7);
	fx_fini(&plain);

	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, RWX, 0);
	map_ok(&f, G + 2 * MiB, PG, H + 2 * MiB, RWX, 0);
	map_ok(&f, G + 4 * MiB, 2 * MiB, H + 4 * MiB, RW, 0);
	map_ok(&f, G2, 1 * GiB, H2, RWX, 0);
	assert_int_equal(*entry_at(&f.t, G, 1), H | RW_WB_2M | REQ);
	assert_int_equal(*entry_at(&f.t, G + 2 * MiB, 0), (H + 2 * MiB) | RWX_WB_4K);
	assert_int_equal(*entry_at(&f.t, G + 4 * MiB, 1), (H + 4 * MiB) | RW_WB_2M);
	assert_int_equal(*entry_at(&f.t, G2, 2), H2 | RW_WB_2M | REQ);
	/* The mapping's attributes are reported as asked. */
	expect_map(&f.t, G + 0x5000, H + 0x5000, RWX, 21);
	expect_map(&f.t, G2 + 0x12345000, H2 + 0x12345000, RWX, 30);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Execute-only has nothing to map large without X: base pages (X | WB). */
static void test_exec_only(void **state)
{
	struct fx f;

	(void)state;
	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, SLAT_PERM_X, 0);
	assert_int_equal(*entry_at(&f.t, G, 0), H | 0x34);
	assert_int_equal(*entry_at(&f.t, G + 0x1ff000, 0), (H + 0x1ff000) | 0x34);
	expect_map(&f.t, G + 0x7000, H + 0x7000, SLAT_PERM_X, 12);
	/* ... and collapse leaves them split */
	fx_flush(&f);
	assert_int_equal(slat_collapse(&f.t, slat_gpa(G), 2 * MiB, &f.g), SLAT_OK);
	assert_non_null(entry_at(&f.t, G, 0));
	fx_fini(&f);
}

/*
 * A fetch from a 2 MiB leaf that asked for X: one table, every 4 KiB piece
 * executable; the gather invalidates the 2 MiB leaf. A second fault on the
 * same page (a stale translation) changes nothing.
 */
static void test_fault_2m(void **state)
{
	struct fx f;
	uint64_t pages;

	(void)state;
	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, RWX, 0);
	fx_flush(&f);
	pages = slat_table_pages(&f.t);
	assert_int_equal(slat_exec_fault(&f.t, slat_gpa(G + 0x5123), &f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), pages + 1);
	assert_int_equal(*entry_at(&f.t, G + 0x5000, 0), (H + 0x5000) | RWX_WB_4K);
	assert_int_equal(*entry_at(&f.t, G, 0), H | RWX_WB_4K);
	assert_int_equal(*entry_at(&f.t, G + 0x1ff000, 0), (H + 0x1ff000) | RWX_WB_4K);
	assert_int_equal(slat_gather_nranges(&f.g), 1);
	assert_int_equal(slat_gather_range(&f.g, 0).start, G);
	assert_int_equal(slat_gather_range(&f.g, 0).end, G + 2 * MiB);
	assert_int_equal(slat_gather_range(&f.g, 0).leaf_sizes, 1ull << 21);
	unchanged(&f, SLAT_OK, G + 0x5000);
	expect_valid(&f.t);

	/* Collapse recovers the 2 MiB leaf, without X again. */
	assert_int_equal(slat_collapse(&f.t, slat_gpa(G), 2 * MiB, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, G, 1), H | RW_WB_2M | REQ);
	expect_map(&f.t, G + 0x5000, H + 0x5000, RWX, 21);
	assert_int_equal(slat_table_pages(&f.t), pages);
	fx_fini(&f);
}

/* A 1 GiB leaf: split along the address only, two tables. */
static void test_fault_1g(void **state)
{
	struct fx f;
	uint64_t pages;

	(void)state;
	nx_init(&f);
	map_ok(&f, G2, 1 * GiB, H2, RWX, 0);
	fx_flush(&f);
	pages = slat_table_pages(&f.t);
	assert_int_equal(slat_exec_fault(&f.t, slat_gpa(G2 + 0x12345678), &f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), pages + 2);
	assert_int_equal(*entry_at(&f.t, G2 + 0x12345000, 0), (H2 + 0x12345000) | RWX_WB_4K);
	/* the other 2 MiB pieces stay large, non-executable, with the request */
	assert_int_equal(*entry_at(&f.t, G2, 1), H2 | RW_WB_2M | REQ);
	assert_int_equal(*entry_at(&f.t, G2 + 0x12400000, 1), (H2 + 0x12400000) | RW_WB_2M | REQ);
	expect_map(&f.t, G2 + 0x12200000, H2 + 0x12200000, RWX, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_fault_refused(void **state)
{
	struct fx f, plain;

	(void)state;
	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, RW, 0);
	map_ok(&f, G + 2 * MiB, PG, H + 2 * MiB, RW, 0);
	unchanged(&f, SLAT_EPERM, G);             /* execute never asked */
	unchanged(&f, SLAT_EPERM, G + 2 * MiB);
	unchanged(&f, SLAT_ENOENT, G + 4 * MiB);
	unchanged(&f, SLAT_EGPA, 1ull << 48);
	assert_int_equal(slat_exec_fault(NULL, slat_gpa(G), &f.g), SLAT_ENULL);
	assert_int_equal(slat_exec_fault(&f.t, slat_gpa(G), NULL), SLAT_ENULL);
	fx_fini(&f);

	fx_init(&plain, &slat_format_ept);
	map_ok(&plain, G, 2 * MiB, H, RWX, 0);
	unchanged(&plain, SLAT_ENOFEAT, G);
	fx_fini(&plain);
}

/* protect adds and removes the request, never X on a large leaf. */
static void test_protect(void **state)
{
	struct fx f;
	struct slat_prot add_x = { .perm_set = SLAT_PERM_X };
	struct slat_prot drop_x = { .perm_clear = SLAT_PERM_X };
	struct slat_prot x_only = slat_prot_perms(SLAT_PERM_X);

	(void)state;
	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, RW, 0);
	assert_int_equal(slat_protect(&f.t, slat_gpa(G), 2 * MiB, &add_x, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, G, 1), H | RW_WB_2M | REQ);
	assert_int_equal(slat_protect(&f.t, slat_gpa(G), 2 * MiB, &drop_x, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, G, 1), H | RW_WB_2M);
	/* a large leaf cannot become execute-only: split it first */
	unchanged(&f, SLAT_EPERM, G);
	{
		struct snap before, after;

		snap_take(&f.t, &before);
		assert_int_equal(slat_protect(&f.t, slat_gpa(G), 2 * MiB, &x_only, &f.g),
				 SLAT_EPAGESIZE);
		snap_take(&f.t, &after);
		assert_true(snap_equal(&before, &after));
		snap_free(&before);
		snap_free(&after);
	}
	fx_fini(&f);
}

/* The embedder's software bit at 62: the request moves to bit 59. */
static void test_sw_positions(void **state)
{
	struct fx f;
	struct slat_attrs a = slat_attrs_make(RWX, SLAT_MT_WB);

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_NX_HUGE;
	f.cfg.sw_positions = 1ull << 62;
	assert_int_equal(fx_create(&f), SLAT_OK);
	a.sw = 1;
	assert_int_equal(slat_map(&f.t, slat_gpa(G), 2 * MiB, slat_hpa(H), &a, 0, &f.g),
			 SLAT_OK);
	assert_int_equal(*entry_at(&f.t, G, 1), H | RW_WB_2M | (1ull << 62) | (1ull << 59));
	fx_fini(&f);
}

static void test_config(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_npt);
	f.cfg.features = SLAT_FEAT_NX_HUGE;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	slat_pool_fini(&f.pool);
	fx_prepare(&f, &slat_format_stage2);
	f.cfg.features = SLAT_FEAT_NX_HUGE;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	slat_pool_fini(&f.pool);
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_NX_HUGE | SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	slat_pool_fini(&f.pool);
}

static unsigned nx_problems, nx_last_level;
static uint64_t nx_last_bits;

static void on_problem(void *ctx, const struct slat_problem *p)
{
	(void)ctx;
	if (p->kind == SLAT_PROB_EXEC_HUGE) {
		nx_problems++;
		nx_last_level = p->level;
		nx_last_bits = p->bits;
	}
}

/* The validator finds what the policy forbids, written by hand. */
static void test_validate(void **state)
{
	struct fx f;
	uint64_t n = 0, *big, *small;

	(void)state;
	nx_init(&f);
	map_ok(&f, G, 2 * MiB, H, RWX, 0);
	map_ok(&f, G + 2 * MiB, PG, H + 2 * MiB, RWX, 0);
	big = entry_at(&f.t, G, 1);
	small = entry_at(&f.t, G + 2 * MiB, 0);
	assert_int_equal(slat_validate(&f.t, on_problem, NULL, &n), SLAT_OK);
	assert_int_equal(nx_problems, 0);
	*big |= 0x4; /* X in a 2 MiB leaf */
	assert_int_equal(slat_validate(&f.t, on_problem, NULL, &n), SLAT_OK);
	assert_int_equal(nx_problems, 1);
	assert_int_equal(nx_last_level, 1);
	*big &= ~0x4ull;
	*small |= REQ; /* the request bit in a 4 KiB leaf */
	assert_int_equal(slat_validate(&f.t, on_problem, NULL, &n), SLAT_OK);
	assert_int_equal(nx_problems, 2);
	assert_int_equal(nx_last_level, 0);
	assert_int_equal(nx_last_bits, REQ);
	*small &= ~REQ;
	fx_fini(&f);
}

/* IA32_ARCH_CAPABILITIES bit 6 (PSCHANGE_MC_NO) decides. */
static void test_affected(void **state)
{
	(void)state;
	assert_true(slat_multihit_affected(false, 0));
	assert_true(slat_multihit_affected(false, 1ull << 6));
	assert_true(slat_multihit_affected(true, 0));
	assert_true(slat_multihit_affected(true, 0xffbf));
	assert_false(slat_multihit_affected(true, 0x40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_exec_only),
		cmocka_unit_test(test_fault_2m),
		cmocka_unit_test(test_fault_1g),
		cmocka_unit_test(test_fault_refused),
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_sw_positions),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_affected),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
