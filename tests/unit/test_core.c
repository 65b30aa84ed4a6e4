/* SPDX-License-Identifier: MIT */
/*
 * The portable core, on every format: page-size choice, splits, merges,
 * freeing of empty tables, protect, replace, iteration and dump. Expected
 * leaf counts and table counts are worked out by hand in the comments.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define RWX slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB)
#define RW slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB)
#define HPA_OFF 0x100000000ull /* guest page g maps to g + 4 GiB */

struct counts {
	uint64_t leaves[64]; /* by page_lg2 */
	uint64_t bytes;
};

static int count_leaf(void *ctx, const struct slat_mapping *m)
{
	struct counts *c = ctx;

	c->leaves[m->page_lg2]++;
	c->bytes += m->size;
	return 0;
}

static struct counts count_all(const struct slat_table *t, uint64_t gpa,
			       uint64_t size)
{
	struct counts c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(slat_for_each(t, slat_gpa(gpa), size, count_leaf, &c, NULL),
			 SLAT_OK);
	return c;
}

static void map_ok(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a, uint32_t flags)
{
	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  flags, &f->g),
			 SLAT_OK);
}

/* W2 of the benchmark workloads: 64 GiB at offset 4 GiB is 64 leaves of
 * 1 GiB; [4 KiB, 64 GiB - 4 KiB) needs 511 + 511 pages and 2 MiB blocks
 * at each end and 62 1 GiB blocks in the middle. */
static void test_largest_pages(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct counts c;

	fx_init(&f, fmt);
	map_ok(&f, 0, 64 * GiB, HPA_OFF, RWX, 0);
	c = count_all(&f.t, 0, 1ull << 48);
	assert_int_equal(c.leaves[30], 64);
	assert_int_equal(c.bytes, 64 * GiB);
	/* Root and one level-2 table (x86: PML4 + PDPT; Arm 48-bit: L0 + L1). */
	assert_int_equal(slat_table_pages(&f.t), 2);
	fx_fini(&f);

	fx_init(&f, fmt);
	map_ok(&f, 4 * KiB, 64 * GiB - 8 * KiB, HPA_OFF + 4 * KiB, RWX, 0);
	c = count_all(&f.t, 0, 1ull << 48);
	assert_int_equal(c.leaves[12], 511 * 2);
	assert_int_equal(c.leaves[21], 511 * 2);
	assert_int_equal(c.leaves[30], 62);
	/* root, level 2, two level 1 and two level 0 tables */
	assert_int_equal(slat_table_pages(&f.t), 6);
	expect_map(&f.t, 4 * KiB, HPA_OFF + 4 * KiB, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 2 * MiB, HPA_OFF + 2 * MiB, SLAT_PERM_RWX, 21);
	expect_map(&f.t, 1 * GiB, HPA_OFF + 1 * GiB, SLAT_PERM_RWX, 30);
	expect_map(&f.t, 64 * GiB - 8 * KiB, HPA_OFF + 64 * GiB - 8 * KiB, SLAT_PERM_RWX, 12);
	expect_unmapped(&f.t, 0);
	expect_unmapped(&f.t, 64 * GiB - 4 * KiB);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* The host address's alignment limits the leaf size as much as the guest's. */
static void test_hpa_alignment(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct counts c;

	fx_init(&f, fmt);
	map_ok(&f, 1 * GiB, 1 * GiB, HPA_OFF + 2 * MiB, RWX, 0);
	c = count_all(&f.t, 0, 4 * GiB);
	assert_int_equal(c.leaves[21], 512);
	assert_int_equal(c.leaves[30], 0);
	map_ok(&f, 2 * GiB, 4 * MiB, HPA_OFF + 0x3000, RWX, 0);
	c = count_all(&f.t, 2 * GiB, 4 * MiB);
	assert_int_equal(c.leaves[12], 1024);
	/* A size cap wins over alignment. */
	map_ok(&f, 4 * GiB, 2 * MiB, HPA_OFF, RWX, SLAT_MAP_MAX_PAGE(12));
	c = count_all(&f.t, 4 * GiB, 2 * MiB);
	assert_int_equal(c.leaves[12], 512);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Unmapping one page of a 1 GiB leaf splits it into 511 blocks of 2 MiB
 * and one table of 511 pages: two new tables. */
static void test_unmap_splits(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct counts c;
	uint64_t pages;

	fx_init(&f, fmt);
	map_ok(&f, 0, 1 * GiB, HPA_OFF, RWX, 0);
	pages = slat_table_pages(&f.t);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x12345000), 0x1000, &f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), pages + 2);
	c = count_all(&f.t, 0, 1 * GiB);
	assert_int_equal(c.leaves[21], 511);
	assert_int_equal(c.leaves[12], 511);
	assert_int_equal(c.bytes, 1 * GiB - 4 * KiB);
	expect_unmapped(&f.t, 0x12345000);
	expect_map(&f.t, 0x12344fff, HPA_OFF + 0x12344fff, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x12346000, HPA_OFF + 0x12346000, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x12600000, HPA_OFF + 0x12600000, SLAT_PERM_RWX, 21);
	/* The old 1 GiB leaf is invalidated: through the gather, or on Arm
	 * synchronously as part of break-before-make. */
	{
		const struct slat_gather *inv = fmt == &slat_format_stage2 ? &f.last_sync : &f.g;

		assert_int_equal(f.syncs, fmt == &slat_format_stage2 ? 1 : 0);
		assert_int_equal(slat_gather_nranges(inv), 1);
		assert_true(slat_gather_range(inv, 0).start <= 0x12345000);
		assert_true(slat_gather_range(inv, 0).end >= 0x12346000);
		assert_true(slat_gather_range(inv, 0).leaf_sizes & (1ull << 30));
	}
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Tables that become empty are unlinked and wait in the gather. */
static void test_empty_tables_freed(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	uint64_t levels;

	fx_init(&f, fmt);
	levels = slat_table_levels(&f.t);
	map_ok(&f, 5 * GiB + 0x7000, 0x1000, HPA_OFF, RW, 0);
	assert_int_equal(slat_table_pages(&f.t), levels);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(5 * GiB + 0x7000), 0x1000, &f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), 1);
	assert_int_equal(slat_gather_pages(&f.g), levels - 1);
	assert_true(slat_gather_flags(&f.g) & SLAT_GATHER_TABLES);
	/* Not freed before the caller says the invalidation is done. */
	assert_int_equal(f.pool.frees, 0);
	fx_flush(&f);
	assert_int_equal(f.pool.frees, levels - 1);
	assert_true(slat_gather_empty(&f.g));
	fx_fini(&f);
}

/* Unmapping a range that covers whole tables unlinks them in one go. */
static void test_unmap_whole_tables(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;

	fx_init(&f, fmt);
	map_ok(&f, 0, 1 * GiB, HPA_OFF, RW, SLAT_MAP_MAX_PAGE(12));
	/* root, level 2, level 1, 512 level-0 tables */
	assert_int_equal(slat_table_pages(&f.t), 1 + 1 + 1 + 512);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 1 * GiB, &f.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), 1);
	assert_int_equal(slat_gather_pages(&f.g), 514);
	expect_unmapped(&f.t, 0x4000);
	fx_fini(&f);
}

/* Protect clears and sets permissions relative to each mapping. */
static void test_protect_relative(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct slat_prot p;

	fx_init(&f, fmt);
	map_ok(&f, 0, 2 * MiB, HPA_OFF, RWX, 0);
	map_ok(&f, 2 * MiB, 2 * MiB, HPA_OFF + 2 * MiB, RW, 0);
	map_ok(&f, 4 * MiB, 0x1000, HPA_OFF + 4 * MiB,
	       slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB), 0);
	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 8 * MiB, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_RX, 21);
	expect_map(&f.t, 3 * MiB, HPA_OFF + 3 * MiB, SLAT_PERM_R, 21);
	expect_map(&f.t, 4 * MiB, HPA_OFF + 4 * MiB, SLAT_PERM_R, 12);
	/* Removing read too leaves nothing: no-access leaves that keep
	 * their output address and size, which setting read re-opens. */
	p.perm_clear = SLAT_PERM_R;
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB), 6 * MiB, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 3 * MiB, HPA_OFF + 3 * MiB, 0, 21);
	expect_map(&f.t, 4 * MiB, HPA_OFF + 4 * MiB, 0, 12);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_RX, 21);
	expect_valid(&f.t);
	p.perm_clear = 0;
	p.perm_set = SLAT_PERM_R;
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB), 6 * MiB, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 3 * MiB, HPA_OFF + 3 * MiB, SLAT_PERM_R, 21);
	expect_map(&f.t, 4 * MiB, HPA_OFF + 4 * MiB, SLAT_PERM_R, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Protecting one page inside a large leaf splits only down to that page. */
static void test_protect_splits(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct counts c;
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);

	fx_init(&f, fmt);
	map_ok(&f, 0, 1 * GiB, HPA_OFF, RWX, 0);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x3ff000), 0x2000, &p, &f.g), SLAT_OK);
	c = count_all(&f.t, 0, 1 * GiB);
	/* two 2 MiB blocks split (the range straddles them) */
	assert_int_equal(c.leaves[21], 510);
	assert_int_equal(c.leaves[12], 1024);
	expect_map(&f.t, 0x3ff000, HPA_OFF + 0x3ff000, SLAT_PERM_R, 12);
	expect_map(&f.t, 0x400000, HPA_OFF + 0x400000, SLAT_PERM_R, 12);
	expect_map(&f.t, 0x401000, HPA_OFF + 0x401000, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x3fe000, HPA_OFF + 0x3fe000, SLAT_PERM_RWX, 12);
	/* A protect that changes nothing splits nothing. */
	p = slat_prot_perms(SLAT_PERM_RWX);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x10000000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(count_all(&f.t, 0, 1 * GiB).leaves[21], 510);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Without the replace flag nothing mapped is touched; with it, mappings
 * are replaced and a table covered by one new leaf goes away. */
static void test_replace(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct slat_attrs a = RW;
	struct counts c;

	fx_init(&f, fmt);
	map_ok(&f, 2 * MiB, 2 * MiB, HPA_OFF, RW, SLAT_MAP_MAX_PAGE(12));
	assert_int_equal(slat_table_pages(&f.t), 4);
	assert_int_equal(slat_map(&f.t, slat_gpa(0), 8 * MiB, slat_hpa(HPA_OFF), &a, 0, &f.g),
			 SLAT_EEXIST);
	map_ok(&f, 0, 8 * MiB, 8 * GiB, RWX, SLAT_MAP_REPLACE);
	c = count_all(&f.t, 0, 8 * MiB);
	assert_int_equal(c.leaves[21], 4);
	assert_int_equal(c.leaves[12], 0);
	expect_map(&f.t, 3 * MiB, 8 * GiB + 3 * MiB, SLAT_PERM_RWX, 21);
	/* The level-0 table waits in the gather. */
	assert_int_equal(slat_table_pages(&f.t), 3);
	assert_int_equal(slat_gather_pages(&f.g), 1);
	/* Replacing part of a block splits it and keeps the rest. */
	map_ok(&f, 5 * MiB, 0x1000, 9 * GiB, RW, SLAT_MAP_REPLACE);
	expect_map(&f.t, 5 * MiB, 9 * GiB, SLAT_PERM_RW, 12);
	expect_map(&f.t, 5 * MiB + 0x1000, 8 * GiB + 5 * MiB + 0x1000, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 4 * MiB, 8 * GiB + 4 * MiB, SLAT_PERM_RWX, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

static int stop_at_second(void *ctx, const struct slat_mapping *m)
{
	int *n = ctx;

	(void)m;
	return ++*n == 2 ? 42 : 0;
}

struct first_maps {
	int n;
	struct slat_mapping m[4];
};

static int record(void *ctx, const struct slat_mapping *m)
{
	struct first_maps *r = ctx;

	if (r->n < 4)
		r->m[r->n] = *m;
	r->n++;
	return 0;
}

/* Iteration clips leaves to the range and can stop early. */
static void test_for_each(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct first_maps r;
	int n = 0, stopped = 0;

	fx_init(&f, fmt);
	map_ok(&f, 0, 4 * MiB, HPA_OFF, RW, 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(slat_for_each(&f.t, slat_gpa(1 * MiB), 2 * MiB, record, &r, NULL),
			 SLAT_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.m[0].gpa.v, 1 * MiB);
	assert_int_equal(r.m[0].hpa.v, HPA_OFF + 1 * MiB);
	assert_int_equal(r.m[0].size, 1 * MiB);
	assert_int_equal(r.m[0].page_lg2, 21);
	assert_int_equal(r.m[1].gpa.v, 2 * MiB);
	assert_int_equal(r.m[1].size, 1 * MiB);
	assert_int_equal(slat_for_each(&f.t, slat_gpa(0), 4 * MiB, stop_at_second, &n,
				       &stopped), SLAT_OK);
	assert_int_equal(n, 2);
	assert_int_equal(stopped, 42);
	fx_fini(&f);
}

static void to_buf(void *ctx, const char *s, size_t n)
{
	char *buf = ctx;
	size_t len = strlen(buf);

	memcpy(buf + len, s, n);
	buf[len + n] = 0;
}

/* The dump coalesces runs that are contiguous on both sides. */
static void first_problem(void *ctx, const struct slat_problem *p)
{
	*(struct slat_problem *)ctx = *p;
}

static void test_dump(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	char buf[1024] = "";
	struct slat_attrs ro = slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB);

	fx_init(&f, fmt);
	map_ok(&f, 0, 4 * MiB, HPA_OFF, RW, 0);
	map_ok(&f, 4 * MiB, 0x3000, HPA_OFF + 4 * MiB, RW, 0);
	map_ok(&f, 4 * MiB + 0x3000, 0x1000, 0x1000, ro, 0);
	assert_int_equal(slat_dump(&f.t, slat_gpa(0), 1 * GiB, to_buf, buf), SLAT_OK);
	assert_string_equal(buf,
		"0x0000000000000000-0x00000000003fffff -> 0x0000000100000000 rw-- WB 2M x2\n"
		"0x0000000000400000-0x0000000000402fff -> 0x0000000100400000 rw-- WB 4K x3\n"
		"0x0000000000403000-0x0000000000403fff -> 0x0000000000001000 r--- WB 4K x1\n");
	/* The hosted slat_dump_file() writes the same text to a FILE. */
	{
		char fbuf[1024];
		FILE *fp = tmpfile();
		size_t got;

		assert_non_null(fp);
		assert_int_equal(slat_dump_file(&f.t, slat_gpa(0), 1 * GiB, fp), SLAT_OK);
		rewind(fp);
		got = fread(fbuf, 1, sizeof(fbuf) - 1, fp);
		fbuf[got] = 0;
		fclose(fp);
		assert_string_equal(fbuf, buf);
	}
	fx_fini(&f);
}

/*
 * The validator's structural checks: a linked table with nothing in it
 * (libslat unlinks those), made by clearing a leaf by hand. And a table
 * destroyed twice: the second call frees nothing and says so.
 */
static void test_validate_structure(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_problem seen;
	uint64_t n, *leaf, saved;
	struct fx f;

	fx_init(&f, fmt);
	map_ok(&f, 4 * MiB, 0x1000, HPA_OFF, RW, 0);
	leaf = entry_at(&f.t, 4 * MiB, 0);
	saved = *leaf;
	*leaf = 0;
	assert_int_equal(slat_validate(&f.t, first_problem, &seen, &n), SLAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(seen.kind, SLAT_PROB_EMPTY_TABLE);
	assert_int_equal(seen.level, 1);
	assert_int_equal(seen.gpa.v, 4 * MiB);
	*leaf = saved;
	expect_valid(&f.t);
	fx_fini(&f);
	assert_int_equal(slat_table_destroy(&f.t), SLAT_EDEAD);
	assert_int_equal(slat_table_pages(&f.t), 0);
}

/* Splitting down to 2 MiB leaves 4 KiB leaves alone. */
static void test_split(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct counts c;

	fx_init(&f, fmt);
	map_ok(&f, 0, 2 * GiB, HPA_OFF, RW, 0);
	assert_int_equal(slat_split(&f.t, slat_gpa(1 * GiB - 2 * MiB), 4 * MiB, 21, &f.g),
			 SLAT_OK);
	c = count_all(&f.t, 0, 2 * GiB);
	assert_int_equal(c.leaves[30], 0);
	assert_int_equal(c.leaves[21], 1024);
	assert_int_equal(slat_split(&f.t, slat_gpa(0), 2 * GiB, 12, &f.g), SLAT_OK);
	c = count_all(&f.t, 0, 2 * GiB);
	assert_int_equal(c.leaves[12], 2 * 512 * 512);
	assert_int_equal(slat_split(&f.t, slat_gpa(0), 2 * GiB, 13, &f.g), SLAT_EPAGESIZE);
	expect_map(&f.t, 0x7654321, HPA_OFF + 0x7654321, SLAT_PERM_RW, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* Gathers keep at most SLAT_GATHER_RANGES ranges, sorted and disjoint,
 * and merge rather than drop. */
static void test_gather_merge(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	unsigned i;

	fx_init(&f, fmt);
	map_ok(&f, 0, 64 * MiB, HPA_OFF, RW, SLAT_MAP_MAX_PAGE(12));
	for (i = 0; i < 12; i++) {
		uint64_t gpa = (11 - i) * 4 * MiB + 0x5000;

		assert_int_equal(slat_unmap(&f.t, slat_gpa(gpa), 0x1000, &f.g), SLAT_OK);
	}
	assert_int_equal(slat_gather_nranges(&f.g), SLAT_GATHER_RANGES);
	assert_true(slat_gather_flags(&f.g) & SLAT_GATHER_MERGED);
	for (i = 0; i < slat_gather_nranges(&f.g); i++) {
		assert_true(slat_gather_range(&f.g, i).start < slat_gather_range(&f.g, i).end);
		if (i)
			assert_true(slat_gather_range(&f.g, i - 1).end < slat_gather_range(&f.g, i).start);
	}
	/* Every unmapped page is covered by some range. */
	for (i = 0; i < 12; i++) {
		uint64_t gpa = i * 4 * MiB + 0x5000;
		unsigned k, hit = 0;

		for (k = 0; k < slat_gather_nranges(&f.g); k++)
			hit |= gpa >= slat_gather_range(&f.g, k).start && gpa < slat_gather_range(&f.g, k).end;
		assert_true(hit);
	}
	/* A gather belongs to one table. */
	{
		struct fx other;

		fx_init(&other, fmt);
		struct slat_attrs a = RW;
		assert_int_equal(slat_map(&other.t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f.g),
				 SLAT_EGATHER);
		assert_int_equal(slat_gather_done(&other.t, &f.g), SLAT_EGATHER);
		fx_fini(&other);
	}
	fx_fini(&f);
}

/* A replacing map that would unlink a whole subtree checks the subtree
 * first: a table entry pointing beyond the physical width is refused
 * rather than followed (x86: address bit 50 with a 46/48-bit MAXPHYADDR). */
static void test_merge_checks_subtree(void **state)
{
	const struct slat_format *fmt = *state;
	struct fx f;
	struct snap before, after;
	struct slat_attrs a = RW;
	uint64_t *slot, old;

	fx_init(&f, fmt);
	map_ok(&f, 1 * GiB + 0x5000, 0x1000, HPA_OFF, RW, 0);
	slot = entry_at(&f.t, 1 * GiB, 1); /* level 1 entry pointing to a page table */
	old = *slot;
	*slot |= 1ull << 50;
	snap_take(&f.t, &before);
	assert_int_equal(slat_map(&f.t, slat_gpa(1 * GiB), 1 * GiB, slat_hpa(2 * GiB), &a,
				  SLAT_MAP_REPLACE, &f.g), SLAT_ECORRUPT);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	*slot = old;
	map_ok(&f, 1 * GiB, 1 * GiB, 2 * GiB, RW, SLAT_MAP_REPLACE);
	expect_map(&f.t, 1 * GiB + 0x5000, 2 * GiB + 0x5000, SLAT_PERM_RW, 30);
	snap_free(&before);
	snap_free(&after);
	fx_fini(&f);
}

/* Unmapping then mapping again with the invalidation still pending: on
 * Arm the new valid entry may not be written while the old translation can
 * still be cached, so the map completes the pending invalidation first
 * (and the gather no longer asks for it); x86 just keeps gathering. */
static void test_remap_pending(void **state)
{
	const struct slat_format *fmt = *state;
	const bool arm = fmt == &slat_format_stage2;
	struct fx f;

	fx_init(&f, fmt);
	/* Base pages, so that the unmap leaves a pending invalidation (a
	 * split on Arm would have invalidated synchronously already). */
	map_ok(&f, 0, 4 * MiB, HPA_OFF, RW, SLAT_MAP_MAX_PAGE(12));
	map_ok(&f, 8 * MiB, 0x1000, HPA_OFF, RW, 0);
	fx_flush(&f);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0x3000), 0x1000, &f.g), SLAT_OK);
	f.syncs = 0;
	/* Elsewhere: nothing pending there, nothing to settle. */
	map_ok(&f, 16 * MiB, 0x1000, HPA_OFF, RW, 0);
	assert_int_equal(f.syncs, 0);
	/* Over the pending range. */
	map_ok(&f, 0x3000, 0x1000, 8 * GiB, RWX, 0);
	assert_int_equal(f.syncs, arm ? 1 : 0);
	if (arm) {
		assert_int_equal(slat_gather_nranges(&f.last_sync), 1);
		assert_true(slat_gather_range(&f.last_sync, 0).start <= 0x3000);
		assert_true(slat_gather_range(&f.last_sync, 0).end >= 0x4000);
		assert_int_equal(slat_gather_nranges(&f.g), 0);
	} else {
		assert_int_equal(slat_gather_nranges(&f.g), 1);
	}
	expect_map(&f.t, 0x3000, 8 * GiB, SLAT_PERM_RWX, 12);
	fx_fini(&f);
}

/* A memory-type change needs break-before-make on Arm; over 512 leaves it
 * breaks them in batches of 64 with one synchronous invalidation each,
 * not one per leaf, and every leaf ends with the new type. */
static void test_bbm_batches(void **state)
{
	struct fx f;
	struct slat_prot p;
	struct slat_mapping m;
	uint64_t a;

	(void)state;
	fx_init(&f, &slat_format_stage2);
	map_ok(&f, 0, 2 * MiB, HPA_OFF, RW, SLAT_MAP_MAX_PAGE(12));
	fx_flush(&f);
	memset(&p, 0, sizeof(p));
	p.set_memtype = true;
	p.memtype = SLAT_MT_WC;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 2 * MiB - 0x2000, &p, &f.g),
			 SLAT_OK);
	/* 510 leaves in batches of 64: 8 invalidations. */
	assert_int_equal(f.syncs, 8);
	for (a = 0; a < 2 * MiB; a += 0x1000) {
		assert_int_equal(slat_translate(&f.t, slat_gpa(a), &m), SLAT_OK);
		assert_int_equal(m.hpa.v, HPA_OFF + a);
		assert_int_equal(m.attrs.memtype,
				 a == 0 || a == 2 * MiB - 0x1000 ? SLAT_MT_WB : SLAT_MT_WC);
	}
	expect_valid(&f.t);
	fx_fini(&f);
}

/* ---- dirty state that a change of the leaf must not drop ---------------- */

static void ad_init(struct fx *f, const struct slat_format *fmt)
{
	fx_prepare(f, fmt);
	f->cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(f), SLAT_OK);
}

/* Harvest [gpa, gpa + size) (at most 512 pages) into a zeroed bitmap. */
static uint64_t harvest_bm(struct fx *f, uint64_t gpa, uint64_t size, uint32_t flags,
			   uint64_t bm[8])
{
	uint64_t found = 99;

	memset(bm, 0, 8 * sizeof(bm[0]));
	assert_int_equal(slat_dirty_harvest(&f->t, slat_gpa(gpa), size, bm, 8, flags, &found,
					    &f->g),
			 SLAT_OK);
	return found;
}

static bool dirty_at(const struct slat_table *t, uint64_t gpa)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(t, slat_gpa(gpa), &m), SLAT_OK);
	return m.dirty;
}

static void write_at(struct fx *f, uint64_t gpa)
{
	assert_int_equal(slat_hw_access(&f->t, slat_gpa(gpa), true), SLAT_OK);
}

/*
 * A write, then write protection, then a harvest: the page is dirty on
 * every format, once. On EPT and NPT the D flag simply stays (SDM
 * §29.3.5, APM vol. 2 §5.4 (believed): only software clears it); on Arm the
 * dirty state was the write permission (S2AP[1] with DBM, Arm ARM D8.5),
 * which the protect removes, so libslat must keep it elsewhere.
 */
static void test_dirty_write_protect(void **state)
{
	struct slat_prot ro, rw;
	struct fx f;
	uint64_t bm[8];

	ad_init(&f, *state);
	memset(&ro, 0, sizeof(ro));
	ro.perm_clear = SLAT_PERM_W;
	memset(&rw, 0, sizeof(rw));
	rw.perm_set = SLAT_PERM_W;
	/* Pages 0-3 of [0, 16 KiB): 1 written, 2 only read. */
	map_ok(&f, 0, 0x4000, HPA_OFF, RW, 0);
	write_at(&f, 0x1000);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x2000), false), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x4000, &ro, &f.g), SLAT_OK);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_R, 12);
	assert_true(dirty_at(&f.t, 0x1000));
	assert_false(dirty_at(&f.t, 0x2000));
	/* A read-only page cannot be written any more. */
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), true), SLAT_EPERM);
	/* KEEP reports without clearing. */
	assert_int_equal(harvest_bm(&f, 0, 0x4000, SLAT_HARVEST_KEEP, bm), 1);
	assert_int_equal(bm[0], 1ull << 1);
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 1);
	assert_int_equal(bm[0], 1ull << 1);
	/* Reported once: the second harvest finds it clean. */
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 0);
	assert_int_equal(bm[0], 0);
	assert_false(dirty_at(&f.t, 0x1000));
	expect_valid(&f.t);

	/* Writable again: clean until written, then dirty. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x4000, &rw, &f.g), SLAT_OK);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_RW, 12);
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 0);
	write_at(&f, 0x3000);
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 1);
	assert_int_equal(bm[0], 1ull << 3);

	/* Write, protect, re-enable without a harvest between: still dirty,
	 * and a new write to the same page is still one dirty page. */
	write_at(&f, 0x0000);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x1000, &ro, &f.g), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x1000, &rw, &f.g), SLAT_OK);
	assert_true(dirty_at(&f.t, 0x0000));
	write_at(&f, 0x0000);
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 1);
	assert_int_equal(bm[0], 1ull << 0);
	assert_int_equal(harvest_bm(&f, 0, 0x4000, 0, bm), 0);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * The other changes that rewrite a dirty leaf: write protection of one
 * page inside a dirty 2 MiB leaf (a split, then the protect of one part),
 * a memory-type change together with write protection (break-before-make
 * on Arm), and a split of a protected dirty leaf. Every page of the dirty
 * leaf stays dirty: 512 pages.
 */
static void test_dirty_split_memtype(void **state)
{
	struct slat_prot p;
	struct fx f;
	uint64_t bm[8], i;

	ad_init(&f, *state);
	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	map_ok(&f, 2 * MiB, 2 * MiB, HPA_OFF, RW, 0);
	map_ok(&f, 4 * MiB, 2 * MiB, HPA_OFF + 2 * MiB, RW, 0);
	write_at(&f, 2 * MiB + 0x5000);
	write_at(&f, 4 * MiB + 0x6000);
	/* One page of the first block: it is split, the rest stays writable. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB + 0x7000), 0x1000, &p, &f.g),
			 SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x7000, HPA_OFF + 0x7000, SLAT_PERM_R, 12);
	expect_map(&f.t, 2 * MiB + 0x8000, HPA_OFF + 0x8000, SLAT_PERM_RW, 12);
	/* The whole second block, read-only and uncacheable at once. */
	p.set_memtype = true;
	p.memtype = SLAT_MT_UC;
	assert_int_equal(slat_protect(&f.t, slat_gpa(4 * MiB), 2 * MiB, &p, &f.g), SLAT_OK);
	expect_map(&f.t, 4 * MiB, HPA_OFF + 2 * MiB, SLAT_PERM_R, 21);
	assert_true(dirty_at(&f.t, 4 * MiB));
	/* And then split. */
	assert_int_equal(slat_split(&f.t, slat_gpa(4 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	expect_map(&f.t, 5 * MiB, HPA_OFF + 3 * MiB, SLAT_PERM_R, 12);
	expect_valid(&f.t);
	for (i = 0; i < 2; i++) {
		uint64_t k;

		assert_int_equal(harvest_bm(&f, (2 + 2 * i) * MiB, 2 * MiB, 0, bm), 512);
		for (k = 0; k < 8; k++)
			assert_int_equal(bm[k], ~0ull);
		assert_int_equal(harvest_bm(&f, (2 + 2 * i) * MiB, 2 * MiB, 0, bm), 0);
	}
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * map and protect keep the backend's results in the table from call to
 * call (lib/memo.h). One-page calls that alternate attributes, requests and
 * levels must each get their own result, never the last call's.
 */
static void test_memo_requests(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_prot clear_w, clear_x, only_r, wc;
	struct slat_mapping m;
	struct fx f;

	fx_init(&f, fmt);
	map_ok(&f, 0x0000, 0x1000, HPA_OFF, RWX, 0);
	map_ok(&f, 0x1000, 0x1000, HPA_OFF + 0x1000, RW, 0);
	map_ok(&f, 0x2000, 0x1000, HPA_OFF + 0x2000, RWX, 0);
	map_ok(&f, 0x3000, 0x1000, HPA_OFF + 0x3000, RW, 0);
	map_ok(&f, 2 * MiB, 2 * MiB, HPA_OFF + 2 * MiB, RWX, 0);
	map_ok(&f, 4 * MiB, 2 * MiB, HPA_OFF + 4 * MiB, RWX, 0);
	expect_map(&f.t, 0x0000, HPA_OFF, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_RW, 12);
	expect_map(&f.t, 0x2000, HPA_OFF + 0x2000, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x3000, HPA_OFF + 0x3000, SLAT_PERM_RW, 12);
	expect_map(&f.t, 2 * MiB, HPA_OFF + 2 * MiB, SLAT_PERM_RWX, 21);

	memset(&clear_w, 0, sizeof(clear_w));
	clear_w.perm_clear = SLAT_PERM_W;
	clear_x = clear_w;
	clear_x.perm_clear = SLAT_PERM_X;
	only_r = slat_prot_perms(SLAT_PERM_R);
	memset(&wc, 0, sizeof(wc));
	wc.set_memtype = true;
	wc.memtype = SLAT_MT_WC;
	/* Same old attributes, different requests. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x0000), 0x1000, &clear_w, &f.g), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x2000), 0x1000, &clear_x, &f.g), SLAT_OK);
	expect_map(&f.t, 0x0000, HPA_OFF, SLAT_PERM_RX, 12);
	expect_map(&f.t, 0x2000, HPA_OFF + 0x2000, SLAT_PERM_RW, 12);
	/* Same request, different old attributes. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &clear_w, &f.g), SLAT_OK);
	expect_map(&f.t, 0x1000, HPA_OFF + 0x1000, SLAT_PERM_R, 12);
	/* Same request and attributes, another level: a 2 MiB leaf stays one. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(2 * MiB), 2 * MiB, &clear_w, &f.g), SLAT_OK);
	expect_map(&f.t, 2 * MiB + 0x5000, HPA_OFF + 2 * MiB + 0x5000, SLAT_PERM_RX, 21);
	/* And back at level 0 after it. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x3000), 0x1000, &only_r, &f.g), SLAT_OK);
	expect_map(&f.t, 0x3000, HPA_OFF + 0x3000, SLAT_PERM_R, 12);
	/* A memory type change, twice on pages of different permissions. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x0000), 0x1000, &wc, &f.g), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x2000), 0x1000, &wc, &f.g), SLAT_OK);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x0000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WC);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RX);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x2000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WC);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RW);
	/* One page inside the other 2 MiB leaf: split, only that page loses W. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(4 * MiB + 0x7000), 0x1000, &clear_w, &f.g),
			 SLAT_OK);
	expect_map(&f.t, 4 * MiB + 0x7000, HPA_OFF + 4 * MiB + 0x7000, SLAT_PERM_RX, 12);
	expect_map(&f.t, 4 * MiB + 0x8000, HPA_OFF + 4 * MiB + 0x8000, SLAT_PERM_RWX, 12);
	/* Maps alternate attributes too. */
	map_ok(&f, 0x10000, 0x1000, HPA_OFF + 0x10000, RW, 0);
	map_ok(&f, 0x11000, 0x1000, HPA_OFF + 0x11000, RWX, 0);
	map_ok(&f, 0x12000, 0x1000, HPA_OFF + 0x12000, slat_attrs_make(SLAT_PERM_R, SLAT_MT_UC), 0);
	expect_map(&f.t, 0x10000, HPA_OFF + 0x10000, SLAT_PERM_RW, 12);
	expect_map(&f.t, 0x11000, HPA_OFF + 0x11000, SLAT_PERM_RWX, 12);
	expect_map(&f.t, 0x12000, HPA_OFF + 0x12000, SLAT_PERM_R, 12);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x12000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_UC);
	expect_valid(&f.t);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_largest_pages),
		ON_ALL(test_hpa_alignment),
		ON_ALL(test_unmap_splits),
		ON_ALL(test_empty_tables_freed),
		ON_ALL(test_unmap_whole_tables),
		ON_ALL(test_protect_relative),
		ON_ALL(test_protect_splits),
		ON_ALL(test_replace),
		ON_ALL(test_for_each),
		ON_ALL(test_dump),
		ON_ALL(test_validate_structure),
		ON_ALL(test_split),
		ON_ALL(test_gather_merge),
		ON_ALL(test_remap_pending),
		ON_ALL(test_dirty_write_protect),
		ON_ALL(test_dirty_split_memtype),
		ON_ALL(test_memo_requests),
		cmocka_unit_test(test_bbm_batches),
		cmocka_unit_test_prestate(test_merge_checks_subtree, (void *)&slat_format_ept),
		cmocka_unit_test_prestate(test_merge_checks_subtree, (void *)&slat_format_npt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
