/* SPDX-License-Identifier: MIT */
/*
 * The core's invalidation policy (lib/inval.h), apart from any format's
 * operations: when nothing, the whole table or per-address ranges; how a
 * range is widened to the translations that may be cached for it; the
 * threshold. Expected values follow from the rules in inval.h: the step
 * is the smallest changed leaf, or the base page where a table entry
 * changed, and the level is named only when every changed leaf has it.
 */
#include <string.h>

#include "harness.h"
#include "inval.h"

/* A by-address form that takes one operation per step. */
static uint64_t per_step(const struct table_state *t, const struct inval_range *r)
{
	(void)t;
	return (r->end - r->start) >> r->step_lg2;
}

static void add(struct fx *f, uint64_t start, uint64_t end, uint64_t leaf_sizes,
		uint64_t table_sizes)
{
	struct gather_state *g = gather_of(&f->g);
	struct slat_gather_range r = { start, end, leaf_sizes, table_sizes };

	g->ranges[g->nranges++] = r;
	if (table_sizes)
		g->flags |= SLAT_GATHER_TABLES;
}

static void plan(struct fx *f, inval_cost_fn cost, struct inval_plan *p)
{
	inval_plan_make(table_of(&f->t), gather_of(&f->g), cost, p);
}

static void clear(struct fx *f)
{
	memset(&f->g, 0, sizeof(f->g));
}

static void test_nothing_or_whole(void **state)
{
	struct fx f;
	struct inval_plan p;

	(void)state;
	fx_init(&f, &slat_format_stage2);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_NONE);
	/* Table entries changed, no range says where. */
	gather_of(&f.g)->flags = SLAT_GATHER_TABLES;
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_WHOLE);
	clear(&f);
	/* A format without a by-address form. */
	add(&f, 0x1000, 0x2000, 1ull << 12, 0);
	plan(&f, 0, &p);
	assert_int_equal(p.kind, INVAL_WHOLE);
	clear(&f);
	fx_fini(&f);
}

/* Step, widening and level of a range, 4 KiB granule, 4 levels. */
static void test_range_shape(void **state)
{
	struct fx f;
	struct inval_plan p;

	(void)state;
	fx_prepare(&f, &slat_format_stage2);
	f.cfg.tlbi_threshold = 1000; /* room for every range below */
	assert_int_equal(fx_create(&f), SLAT_OK);
	add(&f, 0x40201000, 0x40203000, 1ull << 12, 0);  /* two base pages */
	add(&f, 2 * MiB * 8, 2 * MiB * 10, 1ull << 21, 0); /* two 2 MiB blocks */
	add(&f, 1 * GiB, 1 * GiB + 2 * MiB + 0x1000, (1ull << 12) | (1ull << 21), 0);
	add(&f, 3 * GiB + 0x1800, 3 * GiB + 0x2800, 0, 1ull << 21); /* a table entry, unaligned */
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_RANGES);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.range[0].start, 0x40201000);
	assert_int_equal(p.range[0].end, 0x40203000);
	assert_int_equal(p.range[0].step_lg2, 12);
	assert_int_equal(p.range[0].level, 0);
	assert_int_equal(p.range[1].step_lg2, 21);
	assert_int_equal(p.range[1].level, 1);
	assert_int_equal(p.range[2].step_lg2, 12); /* mixed sizes: the smallest */
	assert_int_equal(p.range[2].level, -1);
	assert_int_equal(p.range[3].start, 3 * GiB + 0x1000); /* widened to base pages */
	assert_int_equal(p.range[3].end, 3 * GiB + 0x3000);
	assert_int_equal(p.range[3].step_lg2, 12);
	assert_int_equal(p.range[3].level, -1);
	/* 2 + 2 + 513 + 2 steps */
	assert_int_equal(p.ops, 519);
	clear(&f);
	fx_fini(&f);
}

/* With the 64 KiB granule the base page, and so the least step, is 64 KiB. */
static void test_range_shape_64k(void **state)
{
	struct fx f;
	struct inval_plan p;

	(void)state;
	fx_prepare(&f, &slat_format_stage2);
	f.cfg.granule_lg2 = 16;
	assert_int_equal(fx_create(&f), SLAT_OK);
	add(&f, 0x50000, 0x60000, 1ull << 16, 0);
	add(&f, 512 * MiB, 512 * MiB + 0x8000, 0, 1ull << 29);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_RANGES);
	assert_int_equal(p.range[0].step_lg2, 16);
	assert_int_equal(p.range[0].level, 0);
	assert_int_equal(p.range[1].start, 512 * MiB);
	assert_int_equal(p.range[1].end, 512 * MiB + 0x10000);
	assert_int_equal(p.range[1].step_lg2, 16);
	assert_int_equal(p.ops, 2);
	clear(&f);
	fx_fini(&f);
}

/* Per address up to the threshold, the whole table beyond it. */
static void test_threshold(void **state)
{
	struct fx f;
	struct inval_plan p;

	(void)state;
	fx_init(&f, &slat_format_stage2); /* 0: SLAT_S2_TLBI_THRESHOLD_DEFAULT, 64 */
	add(&f, 0, 64 * 0x1000, 1ull << 12, 0);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_RANGES);
	assert_int_equal(p.ops, 64);
	clear(&f);
	add(&f, 0, 65 * 0x1000, 1ull << 12, 0);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_WHOLE);
	clear(&f);
	fx_fini(&f);

	fx_prepare(&f, &slat_format_stage2);
	f.cfg.tlbi_threshold = 2;
	assert_int_equal(fx_create(&f), SLAT_OK);
	add(&f, 0, 0x1000, 1ull << 12, 0);
	add(&f, 0x10000, 0x11000, 1ull << 12, 0);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_RANGES);
	add(&f, 0x20000, 0x21000, 1ull << 12, 0);
	plan(&f, per_step, &p);
	assert_int_equal(p.kind, INVAL_WHOLE);
	clear(&f);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_or_whole),
		cmocka_unit_test(test_range_shape),
		cmocka_unit_test(test_range_shape_64k),
		cmocka_unit_test(test_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
