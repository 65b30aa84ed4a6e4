/* SPDX-License-Identifier: MIT */
/*
 * Hardware accessed/dirty updates racing with libslat's changes to live
 * leaves. This test links its own copy of the library, built with
 * SLAT_TEST_RACE: libslat then calls slat__race_point() at the last moment
 * before it replaces a live leaf it has already read, which is where a
 * guest write on another CPU setting the dirty flag would be lost by a
 * plain store. The hook below makes that write happen there, once, on the
 * leaf a test names (through slat_hw_access(), the hardware's update: one
 * atomic OR of accessed and dirty). Each test then checks that the state
 * the "hardware" set survived the change, and that the hook ran, so that a
 * change of code path cannot quietly turn a test into a no-op.
 */
#include <string.h>

#include "harness.h"

static struct {
	struct slat_table *t;
	uint64_t *slot; /* the leaf the guest writes to */
	uint64_t gpa;   /* an address it translates */
	unsigned hits;
} race;

void slat__race_point(uint64_t *slot);

void slat__race_point(uint64_t *slot)
{
	if (!race.t || slot != race.slot)
		return;
	race.hits++;
	assert_int_equal(slat_hw_access(race.t, slat_gpa(race.gpa), true), SLAT_OK);
	race.t = NULL; /* once */
}

static const unsigned RW = SLAT_PERM_RW, RWX = SLAT_PERM_RWX;

static void ad_init(struct fx *f, const struct slat_format *fmt)
{
	fx_prepare(f, fmt);
	f->cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(f), SLAT_OK);
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, unsigned perms,
		   uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(gpa + 4 * GiB),
				  &a, flags, &f->g),
			 SLAT_OK);
}

/* Dirty and accessed base pages of [gpa, gpa + size), cleared. */
static uint64_t harvest(struct fx *f, uint64_t gpa, uint64_t size, uint64_t *accessed)
{
	static uint64_t bm[1024 / 64 * 512];
	uint64_t dirty = 99;

	memset(bm, 0, sizeof(bm));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(gpa), size, bm, sizeof(bm) / sizeof(bm[0]), 0, &dirty,
					    &f->g),
			 SLAT_OK);
	assert_int_equal(slat_accessed(&f->t, slat_gpa(gpa), size, 0, accessed, &f->g),
			 SLAT_OK);
	return dirty;
}

/*
 * Clean the leaf at `level` that maps [gpa, gpa + size), then arm the race:
 * a guest write to `at`, inside it.
 */
static void arm(struct fx *f, uint64_t gpa, uint64_t size, unsigned level, uint64_t at)
{
	uint64_t acc;

	harvest(f, gpa, size, &acc);
	fx_flush(f);
	assert_int_equal(harvest(f, gpa, size, &acc), 0);
	assert_int_equal(acc, 0);
	race.t = &f->t;
	race.slot = entry_at(&f->t, gpa, level);
	race.gpa = at;
	race.hits = 0;
	assert_non_null(race.slot);
}

static void expect_state(struct fx *f, uint64_t gpa, uint64_t size, uint64_t pages)
{
	uint64_t acc;

	assert_int_equal(race.hits, 1);
	assert_int_equal(harvest(f, gpa, size, &acc), pages);
	assert_int_equal(acc, pages);
	expect_valid(&f->t);
}

/* Permissions of a live 4 KiB leaf change; it stays writable. */
static void test_protect(void **state)
{
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 0x5000, 0x1000, RWX, 0);
	arm(&f, 0x5000, 0x1000, 0, 0x5000);
	{
		struct slat_prot p = { .perm_clear = SLAT_PERM_X };

		assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g),
				 SLAT_OK);
	}
	expect_map(&f.t, 0x5000, 0x5000 + 4 * GiB, RW, 12);
	expect_state(&f, 0x5000, 0x1000, 1);
	fx_fini(&f);
}

/* A memory-type change: break-before-make on Arm, in place on x86. */
static void test_protect_memtype(void **state)
{
	struct slat_mapping m;
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 0x5000, 0x1000, RW, 0);
	arm(&f, 0x5000, 0x1000, 0, 0x5000);
	{
		struct slat_prot p = { .set_memtype = true, .memtype = SLAT_MT_WT };

		assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g),
				 SLAT_OK);
	}
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x5000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WT);
	assert_int_equal(m.attrs.perms, RW);
	expect_state(&f, 0x5000, 0x1000, 1);
	fx_fini(&f);
}

/* A 2 MiB leaf split into 512 pages: all of them inherit its state. */
static void test_split(void **state)
{
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_split(&f.t, slat_gpa(2 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	expect_map(&f.t, 3 * MiB, 3 * MiB + 4 * GiB, RW, 12);
	expect_state(&f, 2 * MiB, 2 * MiB, 512);
	fx_fini(&f);
}

/*
 * A table of 4 KiB leaves collapses into a 2 MiB leaf: the guest writes a
 * child just before the table entry is broken. The children are read only
 * after the break and the invalidation, so the write is in the leaf.
 */
static void test_collapse(void **state)
{
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, SLAT_MAP_MAX_PAGE(12));
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_collapse(&f.t, slat_gpa(2 * MiB), 2 * MiB, &f.g), SLAT_OK);
	expect_map(&f.t, 3 * MiB, 3 * MiB + 4 * GiB, RW, 21);
	expect_state(&f, 2 * MiB, 2 * MiB, 512);
	fx_fini(&f);
}

/* One page of a 2 MiB leaf protected: the split keeps every page's state. */
static void test_protect_splits(void **state)
{
	struct slat_prot p = { .perm_clear = SLAT_PERM_X };
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RWX, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB + 0x7000), 0x1000, &p, &f.g),
			 SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x7000, 2 * MiB + 0x7000 + 4 * GiB, RW, 12);
	expect_map(&f.t, 2 * MiB + 0x8000, 2 * MiB + 0x8000 + 4 * GiB, RWX, 12);
	expect_state(&f, 2 * MiB, 2 * MiB, 512);
	fx_fini(&f);
}

/* One page of a 2 MiB leaf unmapped: the other 511 keep their state. */
static void test_unmap_splits(void **state)
{
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(2 * MiB + 0x7000), 0x1000, &f.g), SLAT_OK);
	expect_unmapped(&f.t, 2 * MiB + 0x7000);
	expect_state(&f, 2 * MiB, 2 * MiB, 511);
	fx_fini(&f);
}

/* A replacing map of part of a 2 MiB leaf: the rest keeps its state. */
static void test_replace_splits(void **state)
{
	struct slat_attrs a = slat_attrs_make(RW, SLAT_MT_WB);
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_map(&f.t, slat_gpa(2 * MiB), 0x1000, slat_hpa(8 * GiB), &a,
				  SLAT_MAP_REPLACE, &f.g),
			 SLAT_OK);
	expect_map(&f.t, 2 * MiB, 8 * GiB, RW, 12);
	/* The 511 pages left of the old leaf carry its state. The new page
	 * may be reported as well: the write set the one dirty flag that
	 * stood for its guest page too, and reporting too much is safe. */
	{
		uint64_t bm[512 / 64], dirty, acc, i;

		assert_int_equal(race.hits, 1);
		memset(bm, 0, sizeof(bm));
		assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(2 * MiB), 2 * MiB, bm, sizeof(bm) / sizeof(bm[0]), 0,
						    &dirty, &f.g),
				 SLAT_OK);
		for (i = 1; i < 512; i++)
			assert_true(bm[i / 64] & (1ull << (i % 64)));
		assert_in_range(dirty, 511, 512);
		assert_int_equal(slat_accessed(&f.t, slat_gpa(2 * MiB), 2 * MiB, 0, &acc, &f.g),
				 SLAT_OK);
		assert_in_range(acc, 511, 512);
		expect_valid(&f.t);
	}
	fx_fini(&f);
}

/*
 * Write protection of a live leaf, the write landing just before it: on
 * Arm that write sets the very permission bit the protect removes, and
 * the software copy must be made from the value with the write in it.
 */
static void test_protect_readonly(void **state)
{
	struct slat_prot p = { .perm_clear = SLAT_PERM_W };
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 0x5000, 0x1000, RW, 0);
	arm(&f, 0x5000, 0x1000, 0, 0x5000);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 0x5000, 0x5000 + 4 * GiB, SLAT_PERM_R, 12);
	expect_state(&f, 0x5000, 0x1000, 1);
	fx_fini(&f);
}

/* The same with a memory-type change: break-before-make on Arm. */
static void test_protect_readonly_memtype(void **state)
{
	struct slat_prot p = { .perm_clear = SLAT_PERM_W, .set_memtype = true,
			       .memtype = SLAT_MT_WT };
	struct fx f;

	ad_init(&f, *state);
	map_ok(&f, 2 * MiB, 2 * MiB, RW, 0);
	arm(&f, 2 * MiB, 2 * MiB, 1, 2 * MiB + 0x9000);
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB), 2 * MiB, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 2 * MiB, 2 * MiB + 4 * GiB, SLAT_PERM_R, 21);
	expect_state(&f, 2 * MiB, 2 * MiB, 512);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_protect),
		ON_ALL(test_protect_memtype),
		ON_ALL(test_protect_readonly),
		ON_ALL(test_protect_readonly_memtype),
		ON_ALL(test_split),
		ON_ALL(test_collapse),
		ON_ALL(test_protect_splits),
		ON_ALL(test_unmap_splits),
		ON_ALL(test_replace_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
