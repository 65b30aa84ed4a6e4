/* SPDX-License-Identifier: MIT */
/*
 * The core against a made-up format whose attribute bits sit at a
 * different place at every level (an idea from Hafnium's host tests): code
 * that applies one level's encoding at another level produces entries that
 * decode to the wrong permissions, and these tests see it. The fake format
 * also has no large pages at level 2, so leaf choice must skip a level.
 */
#include <string.h>

#include "harness.h"
#include "format.h"

/* 32-bit physical addresses; bits 63:32 carry the attributes. */
#define FAKE_VALID (1ull << 0)
#define FAKE_TABLE (1ull << 1) /* above level 0: set for a table */
#define FAKE_PAGE (1ull << 1)  /* at level 0: set for a page */
#define R_AT(l) (1ull << (32 + 6 * (l)))
#define W_AT(l) (1ull << (33 + 6 * (l)))
#define XS_AT(l) (1ull << (34 + 6 * (l)))
#define XU_AT(l) (1ull << (35 + 6 * (l)))
#define UC_AT(l) (1ull << (36 + 6 * (l)))
#define ATTRS_AT(l) (0x1full << (32 + 6 * (l)))

static int fake_configure(struct table_state *t, const struct slat_config *cfg)
{
	struct slat_layout *l = &t->lay;
	unsigned lv;

	slat_layout_geometry(l, 12, 48, 4);
	l->ia_bits = cfg->ia_bits;
	l->pa_bits = 32;
	/* leaves at levels 0, 1 and 3 (an odd hole at level 2) */
	l->leaf_levels_hw = (1u << 0) | (1u << 1) | (1u << 3);
	l->leaf_levels = l->leaf_levels_hw;
	l->present = FAKE_VALID;
	l->type_mask = FAKE_TABLE;
	l->table_type = FAKE_TABLE;
	l->page_mask = FAKE_PAGE;
	l->page_type = FAKE_PAGE;
	l->addr_mask = slat_bits(31, 12);
	l->addr_field = slat_bits(31, 12);
	l->table_tmpl = FAKE_VALID | FAKE_TABLE;
	for (lv = 0; lv < 4; lv++)
		l->attr_mask[lv] = ATTRS_AT(lv);
	return slat_layout_sw_bits(l, cfg, 0, 0);
}

static int fake_encode(const struct table_state *t, unsigned level,
		       const struct slat_attrs *a, uint64_t *tmpl)
{
	uint64_t e = FAKE_VALID | (level == 0 ? FAKE_PAGE : 0);

	(void)t;
	if (a->memtype != SLAT_MT_WB && a->memtype != SLAT_MT_UC)
		return SLAT_EMEMTYPE;
	if (a->perms & SLAT_PERM_R)
		e |= R_AT(level);
	if (a->perms & SLAT_PERM_W)
		e |= W_AT(level);
	if (a->perms & SLAT_PERM_XS)
		e |= XS_AT(level);
	if (a->perms & SLAT_PERM_XU)
		e |= XU_AT(level);
	if (a->memtype == SLAT_MT_UC)
		e |= UC_AT(level);
	*tmpl = e;
	return SLAT_OK;
}

static void fake_decode(const struct table_state *t, unsigned level, uint64_t e,
			struct slat_attrs *a)
{
	(void)t;
	memset(a, 0, sizeof(*a));
	a->perms = (uint8_t)(((e & R_AT(level)) ? SLAT_PERM_R : 0) |
			     ((e & W_AT(level)) ? SLAT_PERM_W : 0) |
			     ((e & XS_AT(level)) ? SLAT_PERM_XS : 0) |
			     ((e & XU_AT(level)) ? SLAT_PERM_XU : 0));
	a->memtype = (e & UC_AT(level)) ? SLAT_MT_UC : SLAT_MT_WB;
}

/* Any attribute bit of another level is a problem. */
static unsigned fake_check(const struct table_state *t, unsigned level, uint64_t e,
			   bool leaf, struct slat_problem *out)
{
	uint64_t other = (e >> 32) << 32 & ~(leaf ? ATTRS_AT(level) : 0);

	(void)t;
	if (!other)
		return 0;
	out[0].kind = SLAT_PROB_RESERVED;
	out[0].bits = other;
	return 1;
}

static const struct slat_format fake_format = {
	.id = 99,
	.name = "fake",
	.configure = fake_configure,
	.leaf_encode = fake_encode,
	.leaf_decode = fake_decode,
	.check = fake_check,
};

static void fake_init(struct fx *f)
{
	fx_prepare(f, &slat_format_ept);
	f->caps.format = 99;
	f->cfg.format = &fake_format;
	assert_int_equal(fx_create(f), SLAT_OK);
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   unsigned perms, unsigned mt, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, mt);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  flags, &f->g),
			 SLAT_OK);
}

static void expect(const struct fx *f, uint64_t gpa, uint64_t hpa, unsigned perms,
		   unsigned mt, unsigned page_lg2)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(&f->t, slat_gpa(gpa), &m), SLAT_OK);
	assert_int_equal(m.hpa.v, hpa);
	assert_int_equal(m.attrs.perms, perms);
	assert_int_equal(m.attrs.memtype, mt);
	assert_int_equal(m.page_lg2, page_lg2);
}

/* 1 GiB aligned but level 2 holds no leaves: 2 MiB leaves instead. */
static void test_level_hole(void **state)
{
	struct fx f;

	(void)state;
	fake_init(&f);
	map_ok(&f, 1 * GiB, 1 * GiB, 2 * GiB, SLAT_PERM_RW, SLAT_MT_UC, 0);
	expect(&f, 1 * GiB + 0x345678, 2 * GiB + 0x345678, SLAT_PERM_RW, SLAT_MT_UC, 21);
	assert_int_equal(*entry_at(&f.t, 1 * GiB, 1),
			 (2 * GiB) | FAKE_VALID | R_AT(1) | W_AT(1) | UC_AT(1));
	expect_valid(&f.t);
	fx_fini(&f);
}

/* The hardware accepts leaves at level 3 but there is none at level 2:
 * libslat never writes one there, translates one written by hand, and
 * refuses to split it (the pieces could not be leaves). */
static void test_leaf_above_hole(void **state)
{
	struct fx f;
	struct slat_mapping m;
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
	uint64_t *slot;

	(void)state;
	fake_init(&f);
	assert_int_equal(slat_table_leaf_levels(&f.t), 3);
	map_ok(&f, 0, 0x1000, 0x1000, SLAT_PERM_R, SLAT_MT_WB, 0);
	slot = entry_at(&f.t, 1ull << 39, 3);
	*slot = FAKE_VALID | R_AT(3) | W_AT(3); /* 512 GiB at HPA 0 */
	assert_int_equal(slat_translate(&f.t, slat_gpa((1ull << 39) + 0x5000), &m), SLAT_OK);
	assert_int_equal(m.hpa.v, 0x5000);
	assert_int_equal(m.page_lg2, 39);
	assert_int_equal(slat_protect(&f.t, slat_gpa(1ull << 39), 0x1000, &p, &f.g),
			 SLAT_ECORRUPT);
	assert_int_equal(slat_split(&f.t, slat_gpa(1ull << 39), 0x1000, 12, &f.g),
			 SLAT_ECORRUPT);
	*slot = 0;
	fx_fini(&f);
}

/* Splits re-encode each piece at its own level. */
static void test_split_reencodes(void **state)
{
	struct fx f;
	struct slat_prot p = slat_prot_perms(SLAT_PERM_RX);

	(void)state;
	fake_init(&f);
	map_ok(&f, 0, 2 * MiB, 0x200000, SLAT_PERM_RWX, SLAT_MT_WB, 0);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x3000), 0x1000, &p, &f.g), SLAT_OK);
	expect(&f, 0x3000, 0x203000, SLAT_PERM_RX, SLAT_MT_WB, 12);
	expect(&f, 0x4000, 0x204000, SLAT_PERM_RWX, SLAT_MT_WB, 12);
	assert_int_equal(*entry_at(&f.t, 0x4000, 0),
			 0x204000 | FAKE_VALID | FAKE_PAGE | R_AT(0) | W_AT(0) | XS_AT(0) | XU_AT(0));
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x100000), 0x1000, &f.g), SLAT_OK);
	assert_int_equal(slat_split(&f.t, slat_gpa(0), 2 * MiB, 12, &f.g), SLAT_OK);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* A merge by a replacing map writes the template of the merged level. */
static void test_merge_reencodes(void **state)
{
	struct fx f;

	(void)state;
	fake_init(&f);
	map_ok(&f, 2 * MiB, 2 * MiB, 0x400000, SLAT_PERM_R, SLAT_MT_UC, SLAT_MAP_MAX_PAGE(12));
	map_ok(&f, 0, 8 * MiB, 0x800000, SLAT_PERM_RWX, SLAT_MT_WB, SLAT_MAP_REPLACE);
	expect(&f, 3 * MiB, 0xb00000, SLAT_PERM_RWX, SLAT_MT_WB, 21);
	/* Relative protect over mixed levels: each level's own bits. */
	map_ok(&f, 8 * MiB, 0x1000, 0x10000, SLAT_PERM_RW, SLAT_MT_UC, 0);
	{
		struct slat_prot p;

		memset(&p, 0, sizeof(p));
		p.perm_clear = SLAT_PERM_W;
		assert_int_equal(slat_protect(&f.t, slat_gpa(0), 8 * MiB + 0x1000, &p, &f.g),
				 SLAT_OK);
	}
	expect(&f, 5 * MiB, 0xd00000, SLAT_PERM_RX, SLAT_MT_WB, 21);
	expect(&f, 8 * MiB, 0x10000, SLAT_PERM_R, SLAT_MT_UC, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_hole),
		cmocka_unit_test(test_leaf_above_hole),
		cmocka_unit_test(test_split_reencodes),
		cmocka_unit_test(test_merge_reencodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
