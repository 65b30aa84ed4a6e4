/* SPDX-License-Identifier: MIT */
/*
 * All or nothing: every mutating call, with the allocator failing at each
 * allocation it makes in turn, must either succeed or leave the table bit
 * for bit as it was, hold no extra page, and leave the gather untouched.
 */
#include <string.h>

#include "harness.h"

#define HPA_OFF 0x100000000ull

struct scenario {
	const char *name;
	void (*setup)(struct fx *f);
	int (*op)(struct fx *f);
};

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   unsigned perms, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  flags, &f->g),
			 SLAT_OK);
}

static void setup_none(struct fx *f)
{
	(void)f;
}

static void setup_1g(struct fx *f)
{
	map_ok(f, 0, 2 * GiB, HPA_OFF, SLAT_PERM_RWX, 0);
}

static void setup_mixed(struct fx *f)
{
	map_ok(f, 0, 1 * GiB, HPA_OFF, SLAT_PERM_RWX, 0);
	map_ok(f, 1 * GiB, 8 * MiB, HPA_OFF + 1 * GiB, SLAT_PERM_RW, SLAT_MAP_MAX_PAGE(12));
	map_ok(f, 1 * GiB + 16 * MiB, 16 * MiB, HPA_OFF, SLAT_PERM_R, 0);
}

static int op_map_big(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);

	return slat_map(&f->t, slat_gpa(4 * KiB), 4 * GiB - 8 * KiB,
			slat_hpa(HPA_OFF + 4 * KiB), &a, 0, &f->g);
}

static int op_map_replace_misaligned(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	/* hpa is only 4 KiB aligned: every 1 GiB leaf it touches splits. */
	return slat_map(&f->t, slat_gpa(1 * GiB - 3 * MiB), 6 * MiB,
			slat_hpa(HPA_OFF + 0x5000), &a, SLAT_MAP_REPLACE, &f->g);
}

static int op_map_replace_merge(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);

	return slat_map(&f->t, slat_gpa(1 * GiB - 2 * MiB), 12 * MiB,
			slat_hpa(8 * GiB), &a, SLAT_MAP_REPLACE, &f->g);
}

static int op_unmap_middle(struct fx *f)
{
	return slat_unmap(&f->t, slat_gpa(1 * GiB - 0x3000), 0x7000, &f->g);
}

static int op_unmap_mixed(struct fx *f)
{
	return slat_unmap(&f->t, slat_gpa(0x1ff000), 1 * GiB + 20 * MiB, &f->g);
}

static int op_protect_edges(struct fx *f)
{
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);

	return slat_protect(&f->t, slat_gpa(0x3ff000), 1 * GiB + 0x3000, &p, &f->g);
}

static int op_protect_memtype(struct fx *f)
{
	struct slat_prot p;

	memset(&p, 0, sizeof(p));
	p.set_memtype = true;
	p.memtype = SLAT_MT_WC;
	return slat_protect(&f->t, slat_gpa(1 * GiB - 2 * MiB - 0x1000), 4 * MiB + 0x2000,
			    &p, &f->g);
}

static int op_split(struct fx *f)
{
	return slat_split(&f->t, slat_gpa(1 * GiB - 4 * MiB), 8 * MiB, 12, &f->g);
}

/*
 * One-page calls are walked once, allocating on the way down (walk.h
 * walk_change()): a failure at the second or third table must give back
 * the ones already taken and leave everything as it was.
 */
static int op_map_page_far(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	/* Three tables below the root, none there yet. */
	return slat_map(&f->t, slat_gpa(0x7f8012345000ull), 4 * KiB,
			slat_hpa(HPA_OFF), &a, 0, &f->g);
}

static int op_map_page_replace(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB);

	/* Inside a 1 GiB leaf: two splits. */
	return slat_map(&f->t, slat_gpa(1 * GiB + 0x345000), 4 * KiB,
			slat_hpa(8 * GiB), &a, SLAT_MAP_REPLACE, &f->g);
}

static int op_unmap_page(struct fx *f)
{
	return slat_unmap(&f->t, slat_gpa(0x2345000), 4 * KiB, &f->g);
}

static int op_protect_page(struct fx *f)
{
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);

	return slat_protect(&f->t, slat_gpa(1 * GiB + 0x7000), 4 * KiB, &p, &f->g);
}

static const struct scenario scenarios[] = {
	{ "map one page, three tables", setup_none, op_map_page_far },
	{ "map one page over a 1 GiB leaf, replacing", setup_1g, op_map_page_replace },
	{ "unmap one page inside a 1 GiB leaf", setup_1g, op_unmap_page },
	{ "protect one page inside a 1 GiB leaf", setup_1g, op_protect_page },
	{ "map into nothing", setup_none, op_map_big },
	{ "map over 1 GiB leaves, replacing", setup_1g, op_map_replace_misaligned },
	{ "map merging tables, replacing", setup_mixed, op_map_replace_merge },
	{ "unmap inside a leaf", setup_1g, op_unmap_middle },
	{ "unmap across mixed leaves", setup_mixed, op_unmap_mixed },
	{ "protect splitting both edges", setup_1g, op_protect_edges },
	{ "protect memory type", setup_mixed, op_protect_memtype },
	{ "split to 4 KiB", setup_1g, op_split },
};

/* Run one scenario with the k-th allocation failing, for every k. */
static void run(const struct slat_format *fmt, const struct scenario *s)
{
	uint64_t k;

	for (k = 0;; k++) {
		struct fx f;
		struct snap before, after;
		struct slat_gather g_before;
		uint64_t in_use, pages, attempts;
		int err;

		fx_init(&f, fmt);
		s->setup(&f);
		fx_flush(&f);
		snap_take(&f.t, &before);
		g_before = f.g;
		in_use = f.pool.in_use;
		pages = slat_table_pages(&f.t);
		attempts = f.pool.attempts;
		slat_pool_fail_after(&f.pool, (int64_t)k, false);
		err = s->op(&f);
		slat_pool_fail_after(&f.pool, -1, false);
		if (err == SLAT_OK) {
			/* The first success needed exactly k allocations. */
			assert_int_equal(f.pool.attempts - attempts, k);
			expect_valid(&f.t);
			snap_free(&before);
			fx_fini(&f);
			print_message("%s / %s: %llu allocation points\n", slat_format_name(fmt), s->name,
				      (unsigned long long)k);
			return;
		}
		assert_int_equal(err, SLAT_ENOMEM);
		snap_take(&f.t, &after);
		if (!snap_equal(&before, &after))
			fail_msg("%s / %s: table changed after allocation %llu failed",
				 slat_format_name(fmt), s->name, (unsigned long long)k);
		assert_int_equal(f.pool.in_use, in_use);
		assert_int_equal(slat_table_pages(&f.t), pages);
		assert_memory_equal(&f.g, &g_before, sizeof(g_before));
		assert_int_equal(f.syncs, 0);
		snap_free(&before);
		snap_free(&after);
		fx_fini(&f);
		assert_true(k < 100000);
	}
}

static void test_all_scenarios(void **state)
{
	const struct slat_format *fmt = *state;
	size_t i;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(fmt, &scenarios[i]);
}

/* The table creation itself: a failed root allocation holds nothing. */
static void test_init_fails(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	fx_prepare(&f, fmt);
	slat_pool_fail_after(&f.pool, 0, false);
	assert_int_equal(fx_create(&f), SLAT_ENOMEM);
	assert_int_equal(f.pool.in_use, 0);
	slat_pool_fini(&f.pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_all_scenarios),
		ON_ALL(test_init_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
