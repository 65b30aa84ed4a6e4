/* SPDX-License-Identifier: MIT */
/*
 * Payload in absent entries (slat/payload.h, issue 9 item 2) on every
 * format. Expected entries are worked out by hand from the manuals:
 *
 * EPT (SDM vol. 3C §29.3.2: bits 2:0 = 0 is not present and bits 63:3 are
 *   ignored; bit 63 is still read as suppress #VE, §26.5.7.1; bit 11 is
 *   libslat's no-access mark): payload in 62:12, 51 bits. Value 5 =
 *   5 << 12 = 0x5000; the widest value 2^51 - 1 fills 62:12 =
 *   0x7ffffffffffff000; 2^51 would reach bit 63 and is refused.
 * NPT (APM vol. 2 §5.4.1: with P = 0 bits 63:1 are free; bit 11 is the
 *   mark): payload in 63:12, 52 bits. 5 -> 0x5000; 2^52 - 1 ->
 *   0xfffffffffffff000; 2^52 refused.
 * Stage-2 (Arm ARM D8.3: bit 0 = 0 is an invalid descriptor, bits 63:1
 *   ignored): payload in 63:1, 63 bits. 5 -> 0xa; 2^63 - 1 ->
 *   0xfffffffffffffffe; 2^63 refused.
 */

#include <stdio.h>
#include <string.h>

#include "harness.h"

struct want {
	unsigned bits;
	uint64_t five, widest;
};

static const struct want *want_of(const struct slat_format *fmt)
{
	static const struct want ept = { 51, 0x5000, 0x7ffffffffffff000ull };
	static const struct want npt = { 52, 0x5000, 0xfffffffffffff000ull };
	static const struct want s2 = { 63, 0xa, 0xfffffffffffffffeull };

	if (fmt == &slat_format_ept)
		return &ept;
	if (fmt == &slat_format_npt)
		return &npt;
	return &s2;
}

static struct slat_attrs rw(void)
{
	return slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
}

static int set(struct fx *f, uint64_t gpa, uint64_t size, uint64_t v)
{
	return slat_payload_set(&f->t, slat_gpa(gpa), size, v, &f->g);
}

static uint64_t get(struct fx *f, uint64_t gpa, int want_err)
{
	uint64_t v = 77;

	assert_int_equal(slat_payload_get(&f->t, slat_gpa(gpa), &v), want_err);
	return v;
}

static int count_each(void *ctx, const struct slat_mapping *m)
{
	(void)m;
	++*(unsigned *)ctx;
	return 0;
}

/* The exact entries; read back; translate and for_each see nothing. */
static void test_encode(void **state)
{
	const struct want *w = want_of(*state);
	const uint64_t widest = (1ull << w->bits) - 1;
	unsigned n = 0;
	struct fx f;

	fx_init(&f, *state);
	assert_int_equal(slat_table_payload_bits(&f.t), w->bits);
	assert_int_equal(set(&f, 0x200000, 0x1000, 5), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x200000, 0), w->five);
	assert_int_equal(get(&f, 0x200000, SLAT_OK), 5);
	assert_int_equal(get(&f, 0x200abc, SLAT_OK), 5); /* inside the page */
	assert_int_equal(get(&f, 0x201000, SLAT_ENOENT), 0);
	assert_int_equal(get(&f, 0x40000000, SLAT_ENOENT), 0); /* no table */
	expect_unmapped(&f.t, 0x200000);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x200000), false), SLAT_ENOENT);
	assert_int_equal(slat_for_each(&f.t, slat_gpa(0), 4 * MiB, count_each, &n, NULL),
			 SLAT_OK);
	assert_int_equal(n, 0);

	/* The widest value, over a value already there. */
	assert_int_equal(set(&f, 0x1ff000, 0x2000, widest), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x1ff000, 0), w->widest);
	assert_int_equal(*entry_at(&f.t, 0x200000, 0), w->widest);
	assert_int_equal(get(&f, 0x1ff000, SLAT_OK), widest);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* A table holding only payload stays; unmap clears payload and frees it. */
static void test_tables(void **state)
{
	struct slat_attrs a = rw();
	uint64_t root_only, with_tables;
	struct fx f;

	fx_init(&f, *state);
	root_only = slat_table_pages(&f.t);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x200000), 0x1000, slat_hpa(0x7000), &a, 0,
				  &f.g), SLAT_OK);
	with_tables = slat_table_pages(&f.t);
	assert_true(with_tables > root_only);
	assert_int_equal(set(&f, 0x201000, 0x1000, 9), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), with_tables); /* same table */

	/* Unmapping the neighbour leaves a table of payload alone: kept. */
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x200000), 0x1000, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), with_tables);
	assert_int_equal(get(&f, 0x201000, SLAT_OK), 9);
	expect_valid(&f.t);

	/* Unmapping the payload empties the table: freed, down to the root. */
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x201000), 0x1000, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), root_only);
	assert_int_equal(get(&f, 0x201000, SLAT_ENOENT), 0);
	expect_valid(&f.t);

	/* A whole table's span unlinked in one store takes payload with it. */
	assert_int_equal(set(&f, 0x40000000, 8 * MiB, 3), SLAT_OK);
	assert_true(slat_table_pages(&f.t) > root_only);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 2 * GiB, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), root_only);
	assert_int_equal(get(&f, 0x40400000, SLAT_ENOENT), 0);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * Payload over [1 GiB, 1 GiB + 4 MiB) fills two base-page tables. Unmapping
 * [1 GiB + 1 MiB, 1 GiB + 3 MiB) clears half of each: both stay. Unmapping
 * the rest of the first 2 MiB frees that table alone (one page fewer).
 */
static void test_partial(void **state)
{
	uint64_t pages;
	struct fx f;

	fx_init(&f, *state);
	assert_int_equal(set(&f, 1 * GiB, 4 * MiB, 7), SLAT_OK);
	pages = slat_table_pages(&f.t);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(1 * GiB + 1 * MiB), 2 * MiB, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), pages);
	assert_int_equal(get(&f, 1 * GiB + 1 * MiB - 0x1000, SLAT_OK), 7);
	assert_int_equal(get(&f, 1 * GiB + 1 * MiB, SLAT_ENOENT), 0);
	assert_int_equal(get(&f, 1 * GiB + 3 * MiB - 0x1000, SLAT_ENOENT), 0);
	assert_int_equal(get(&f, 1 * GiB + 3 * MiB, SLAT_OK), 7);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(1 * GiB), 1 * MiB, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), pages - 1);
	assert_null(entry_at(&f.t, 1 * GiB, 0)); /* no table below */
	assert_int_equal(get(&f, 1 * GiB + 3 * MiB, SLAT_OK), 7);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Mapped things refuse a payload and payloads refuse a plain map; the
 * table is unchanged by each refusal. */
static void test_collide(void **state)
{
	const struct want *w = want_of(*state);
	struct slat_attrs a = rw(), none = slat_attrs_make(0, SLAT_MT_WB);
	struct snap before, after;
	struct fx f;

	fx_init(&f, *state);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x200000), 0x2000, slat_hpa(0x7000), &a, 0,
				  &f.g), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x300000), 0x1000, slat_hpa(0x9000), &none, 0,
				  &f.g), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x600000), 2 * MiB, slat_hpa(0x400000), &a,
				  0, &f.g), SLAT_OK);
	assert_int_equal(set(&f, 0x202000, 0x1000, 5), SLAT_OK);
	snap_take(&f.t, &before);
	/* A range that reaches a mapping, a no-access leaf, a large leaf. */
	assert_int_equal(set(&f, 0x1ff000, 0x3000, 5), SLAT_EEXIST);
	assert_int_equal(set(&f, 0x2ff000, 0x2000, 5), SLAT_EEXIST);
	assert_int_equal(set(&f, 0x7ff000, 0x1000, 5), SLAT_EEXIST);
	/* A plain map over the payload. */
	assert_int_equal(slat_map(&f.t, slat_gpa(0x201000), 0x2000, slat_hpa(0x100000), &a, 0,
				  &f.g), SLAT_EEXIST);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&after);
	snap_free(&before);

	/* Reading a mapped page says so. */
	assert_int_equal(get(&f, 0x200000, SLAT_EEXIST), 0);
	assert_int_equal(get(&f, 0x300000, SLAT_EEXIST), 0);
	assert_int_equal(get(&f, 0x600000, SLAT_EEXIST), 0);
	assert_int_equal(*entry_at(&f.t, 0x202000, 0), w->five);

	/* Replace drops the payload. */
	assert_int_equal(slat_map(&f.t, slat_gpa(0x202000), 0x1000, slat_hpa(0x100000), &a,
				  SLAT_MAP_REPLACE, &f.g), SLAT_OK);
	expect_map(&f.t, 0x202000, 0x100000, SLAT_PERM_RW, 12);
	assert_int_equal(get(&f, 0x202000, SLAT_EEXIST), 0);
	/* ... also when a large leaf takes the place of a table of payload. */
	assert_int_equal(set(&f, 0xa00000, 2 * MiB, 6), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(0xa00000), 2 * MiB, slat_hpa(0x800000), &a,
				  SLAT_MAP_REPLACE, &f.g), SLAT_OK);
	expect_map(&f.t, 0xa00000, 0x800000, SLAT_PERM_RW, 21);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Calls that walk mappings leave payload as it is. */
static void test_others(void **state)
{
	const struct want *w = want_of(*state);
	struct slat_attrs a = rw();
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
	uint64_t pages;
	struct fx f;

	fx_init(&f, *state);
	/* 511 contiguous pages and a payload in the 512th: no collapse. */
	assert_int_equal(slat_map(&f.t, slat_gpa(0x200000), 2 * MiB - 0x1000,
				  slat_hpa(0x400000), &a, SLAT_MAP_MAX_PAGE(12), &f.g), SLAT_OK);
	assert_int_equal(set(&f, 0x3ff000, 0x1000, 5), SLAT_OK);
	pages = slat_table_pages(&f.t);
	assert_int_equal(slat_collapse(&f.t, slat_gpa(0x200000), 2 * MiB, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_pages(&f.t), pages);
	assert_int_equal(*entry_at(&f.t, 0x3ff000, 0), w->five);
	/* Protect and split over it. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x200000), 2 * MiB, &p, &f.g), SLAT_OK);
	assert_int_equal(slat_split(&f.t, slat_gpa(0x200000), 2 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x3ff000, 0), w->five);
	assert_int_equal(get(&f, 0x3ff000, SLAT_OK), 5);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void sink(void *ctx, const char *text, size_t n)
{
	size_t *len = ctx;

	(void)text;
	*len += n;
}

/* Dump prints no line for payload, harvest finds nothing in it: a table of
 * payload dumps as an empty one does. */
static void test_read_only(void **state)
{
	const struct want *w = want_of(*state);
	size_t empty = 0, with = 0;
	uint64_t bm[8], found = 99;
	struct fx f;

	fx_prepare(&f, *state);
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_dump(&f.t, slat_gpa(0), 2 * MiB, sink, &empty), SLAT_OK);
	assert_int_equal(set(&f, 0x1000, 0x3000, 5), SLAT_OK);
	assert_int_equal(slat_dump(&f.t, slat_gpa(0), 2 * MiB, sink, &with), SLAT_OK);
	assert_int_equal(with, empty);
	memset(bm, 0, sizeof(bm)); /* harvest only sets bits */
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x40000, bm, 1, 0, &found,
					    &f.g), SLAT_OK);
	assert_int_equal(found, 0);
	assert_int_equal(bm[0], 0);
	assert_int_equal(*entry_at(&f.t, 0x2000, 0), w->five);
	fx_fini(&f);
}

/* Bad arguments: distinct codes, table unchanged. */
static void test_errors(void **state)
{
	const struct want *w = want_of(*state);
	struct slat_gather g2 = SLAT_GATHER_INIT;
	struct snap before, after;
	uint64_t v;
	struct fx f, other;

	fx_init(&f, *state);
	assert_int_equal(set(&f, 0x5000, 0x1000, 1), SLAT_OK);
	snap_take(&f.t, &before);
	assert_int_equal(slat_payload_set(NULL, slat_gpa(0), 0x1000, 1, &f.g), SLAT_ENULL);
	assert_int_equal(slat_payload_set(&f.t, slat_gpa(0), 0x1000, 1, NULL), SLAT_ENULL);
	assert_int_equal(slat_payload_get(NULL, slat_gpa(0), &v), SLAT_ENULL);
	assert_int_equal(slat_payload_get(&f.t, slat_gpa(0), NULL), SLAT_ENULL);
	assert_int_equal(slat_table_payload_bits(NULL), 0);
	assert_int_equal(set(&f, 0x1001, 0x1000, 1), SLAT_EALIGN);
	assert_int_equal(set(&f, 0x1000, 0x800, 1), SLAT_EALIGN);
	assert_int_equal(set(&f, 0x1000, 0, 1), SLAT_ESIZE);
	assert_int_equal(set(&f, ~0xfffull, 0x2000, 1), SLAT_EWRAP);
	assert_int_equal(set(&f, (1ull << 48) - 0x1000, 0x2000, 1), SLAT_EGPA);
	assert_int_equal(get(&f, 1ull << 48, SLAT_EGPA), 0);
	assert_int_equal(set(&f, 0x1000, 0x1000, 0), SLAT_EPAYLOAD);
	assert_int_equal(set(&f, 0x1000, 0x1000, 1ull << w->bits), SLAT_EPAYLOAD);
	assert_int_equal(set(&f, 0x1000, 0x1000, ~0ull), SLAT_EPAYLOAD);
	/* A gather bound to another table. */
	fx_init(&other, *state);
	assert_int_equal(slat_payload_set(&other.t, slat_gpa(0x1000), 0x1000, 1, &g2), SLAT_OK);
	assert_int_equal(slat_payload_set(&f.t, slat_gpa(0x1000), 0x1000, 1, &g2), SLAT_EGATHER);
	assert_int_equal(slat_gather_done(&other.t, &g2), SLAT_OK);
	fx_fini(&other);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&after);
	snap_free(&before);
	fx_fini(&f);
}

/* A destroyed table answers SLAT_EDEAD. */
static void test_dead(void **state)
{
	struct fx f;
	uint64_t v = 1;

	fx_init(&f, *state);
	assert_int_equal(set(&f, 0x5000, 0x1000, 1), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_OK);
	assert_int_equal(set(&f, 0x5000, 0x1000, 1), SLAT_EDEAD);
	assert_int_equal(slat_payload_get(&f.t, slat_gpa(0x5000), &v), SLAT_EDEAD);
	assert_int_equal(v, 0);
	assert_int_equal(slat_table_payload_bits(&f.t), 0);
	assert_int_equal(f.pool.in_use, 0);
	slat_pool_fini(&f.pool);
}

/*
 * Allocation failure at each allocation the call makes. [1 GiB - 4 KiB,
 * 1 GiB + 4 KiB) on an empty 4-level table (48-bit input, 4 KiB pages on
 * every format here) needs, below the root, one table at level 2 (both
 * halves lie in the first 512 GiB), two at level 1 (two 1 GiB spans) and
 * two at level 0: five pages. Every failing call leaves the table as it
 * was and holds no page.
 */
static void test_nomem(void **state)
{
	const uint64_t gpa = 1 * GiB - 0x1000;
	struct snap before, after;
	uint64_t pages, in_use;
	int64_t n;
	struct fx f;

	fx_init(&f, *state);
	assert_int_equal(slat_table_levels(&f.t), 4);
	pages = slat_table_pages(&f.t);
	in_use = f.pool.in_use;
	snap_take(&f.t, &before);
	for (n = 0; n < 5; n++) {
		slat_pool_fail_after(&f.pool, n, true);
		assert_int_equal(set(&f, gpa, 0x2000, 4), SLAT_ENOMEM);
		slat_pool_fail_after(&f.pool, -1, false);
		snap_take(&f.t, &after);
		assert_true(snap_equal(&before, &after));
		snap_free(&after);
		assert_int_equal(f.pool.in_use, in_use);
		assert_int_equal(slat_table_pages(&f.t), pages);
	}
	snap_free(&before);
	slat_pool_fail_after(&f.pool, 5, true);
	assert_int_equal(set(&f, gpa, 0x2000, 4), SLAT_OK);
	slat_pool_fail_after(&f.pool, -1, false);
	assert_int_equal(slat_table_pages(&f.t), pages + 5);
	assert_int_equal(get(&f, gpa, SLAT_OK), 4);
	assert_int_equal(get(&f, 1 * GiB, SLAT_OK), 4);
	/* Refilling it allocates nothing. */
	slat_pool_fail_after(&f.pool, 0, true);
	assert_int_equal(set(&f, gpa, 0x2000, 8), SLAT_OK);
	slat_pool_fail_after(&f.pool, -1, false);
	assert_int_equal(get(&f, 1 * GiB, SLAT_OK), 8);
	expect_valid(&f.t);
	fx_fini(&f);
}

struct found {
	unsigned n;
	struct slat_problem p;
};

static void on_problem(void *ctx, const struct slat_problem *p)
{
	struct found *fo = ctx;

	fo->n++;
	fo->p = *p;
}

/* The validator accepts payload and reports bits beside it. */
static void test_validate(void **state)
{
	const struct slat_format *fmt = *state;
	struct found fo;
	uint64_t count, *slot, keep, stray;
	struct fx f;

	fx_init(&f, fmt);
	assert_int_equal(set(&f, 0x200000, 0x2000, 5), SLAT_OK);
	expect_valid(&f.t);

	/* Above the base level libslat writes no payload: any bit is stray.
	 * Bit 12 alone is not present on every format (bit 0 clear, and on
	 * EPT bits 2:0 clear). */
	slot = entry_at(&f.t, 0x40000000, 2);
	assert_non_null(slot);
	*slot = 1ull << 12;
	memset(&fo, 0, sizeof(fo));
	assert_int_equal(slat_validate(&f.t, on_problem, &fo, &count), SLAT_OK);
	assert_int_equal(fo.n, 1);
	assert_int_equal(fo.p.kind, SLAT_PROB_ABSENT_BITS);
	assert_int_equal(fo.p.level, 2);
	assert_int_equal(fo.p.bits, 1ull << 12);
	*slot = 0;

	/* At level 0: EPT bit 63 (suppress #VE, read by the CPU), NPT bit 1
	 * (free, but outside the field); Stage-2's field is all of 63:1. */
	if (fmt != &slat_format_stage2) {
		stray = fmt == &slat_format_ept ? 1ull << 63 : 1ull << 1;
		slot = entry_at(&f.t, 0x201000, 0);
		keep = *slot;
		*slot = keep | stray;
		memset(&fo, 0, sizeof(fo));
		assert_int_equal(slat_validate(&f.t, on_problem, &fo, &count), SLAT_OK);
		assert_int_equal(fo.n, 1);
		assert_int_equal(fo.p.kind, SLAT_PROB_ABSENT_BITS);
		assert_int_equal(fo.p.bits, stray);
		*slot = keep;
	}
	expect_valid(&f.t);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_encode),
		ON_ALL(test_tables),
		ON_ALL(test_partial),
		ON_ALL(test_collide),
		ON_ALL(test_others),
		ON_ALL(test_read_only),
		ON_ALL(test_errors),
		ON_ALL(test_dead),
		ON_ALL(test_nomem),
		ON_ALL(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
