/* SPDX-License-Identifier: MIT */
/*
 * SLAT_FEAT_ALLOC_UNZEROED (slat/table.h, slat/alloc.h): the allocator
 * hands out blocks full of garbage, and libslat must write every entry of
 * a table before anything can read it.
 *
 * Two tables take the same random sequence of calls: a reference on a
 * zeroing pool, and the table under test with the feature on a pool whose
 * blocks are filled with garbage. Both pools have the same physical base
 * and see the same allocations and frees in the same order, so the blocks
 * in use (the table pages) must agree byte for byte: an entry libslat
 * forgot to write still holds garbage and differs. The garbage
 * alternates between two patterns that every format reads as a present
 * entry of the wrong kind, so that a walk reading one goes astray:
 *   0xa5 bytes: bit 0 set (present: EPT read, SDM vol. 3C 29.3.2; NPT P,
 *     APM vol. 2 5.3.3; Arm valid, Arm ARM D8.3) with bit 7 set (EPT and
 *     NPT page size: a large leaf) or bits 1:0 = 01 (Arm block);
 *   0x07 bytes: EPT bits 2:0 = 111 with bit 7 clear, NPT P with PS clear,
 *     Arm bits 1:0 = 11: a table entry above the last level, to an
 *     address outside the pool (whose phys_to_virt aborts on it).
 * After every call the table under test is validated. Every call is also
 * made with allocation failure at each allocation in turn, on both
 * tables alike: it must then fail with SLAT_ENOMEM and leave both tables
 * exactly as they were.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fill.h" /* lib/, white box */

/*
 * The hooks' context is the pool itself, as for every fixture (the
 * harness reads it to tell pool addresses from corrupted ones); the
 * allocation count that picks the pattern is a plain static.
 */
static uint64_t garbage_allocs;

static void *garbage_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	struct slat_allocator in = slat_pool_allocator_unzeroed(ctx);
	void *va = in.alloc(ctx, size_lg2, pa);

	if (va)
		memset(va, garbage_allocs++ & 1 ? 0x07 : 0xa5, (size_t)1 << size_lg2);
	return va;
}

static void garbage_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	struct slat_allocator in = slat_pool_allocator_unzeroed(ctx);

	/* What a freed block holds is garbage for its next user too. */
	memset(va, 0xa5, (size_t)1 << size_lg2);
	in.free(ctx, va, pa, size_lg2);
}

struct pair {
	struct fx ref, ug;
};

static void pair_init(struct pair *p, const struct slat_format *fmt, unsigned granule_lg2)
{
	fx_prepare(&p->ref, fmt);
	fx_prepare(&p->ug, fmt);
	p->ref.cfg.granule_lg2 = (uint8_t)granule_lg2;
	p->ug.cfg.granule_lg2 = (uint8_t)granule_lg2;
	p->ug.cfg.alloc.alloc = garbage_alloc;
	p->ug.cfg.alloc.free = garbage_free;
	garbage_allocs = 0;
	p->ug.cfg.features |= SLAT_FEAT_ALLOC_UNZEROED;
	assert_int_equal(fx_create(&p->ref), SLAT_OK);
	assert_int_equal(fx_create(&p->ug), SLAT_OK);
}

/*
 * What a pool holds in use: its bytes up to the bump pointer, less the
 * blocks on its free lists. Compared in 4 KiB units, the smallest block.
 */
struct used {
	uint64_t bytes;         /* the pool's bump */
	unsigned char *in_use;  /* per 4 KiB: 1 if not on a free list */
	unsigned char *copy;    /* the bytes, when kept for later */
};

static void used_take(const struct slat_pool *p, struct used *u, bool copy)
{
	unsigned c;

	u->bytes = p->bump;
	u->in_use = malloc(u->bytes / 4096 + 1);
	assert_non_null(u->in_use);
	memset(u->in_use, 1, u->bytes / 4096 + 1);
	for (c = 0; c < 10; c++) {
		const unsigned char *b;

		for (b = p->free_lists[c]; b; b = *(void *const *)b)
			memset(u->in_use + (b - p->base) / 4096, 0, 1u << c);
	}
	u->copy = NULL;
	if (copy) {
		u->copy = malloc(u->bytes + 1);
		assert_non_null(u->copy);
		memcpy(u->copy, p->base, u->bytes);
	}
}

static void used_free(struct used *u)
{
	free(u->in_use);
	free(u->copy);
}

/* The same blocks in use, holding the same bytes; free ones may differ. */
static void used_expect_equal(const struct used *a, const unsigned char *abytes,
			      const struct used *b, const unsigned char *bbytes)
{
	const uint64_t n = (a->bytes > b->bytes ? a->bytes : b->bytes) / 4096;
	uint64_t i;

	/* A failed call may have grown the pool by blocks it gave back. */
	for (i = 0; i < n; i++) {
		const int ua = i < a->bytes / 4096 && a->in_use[i];
		const int ub = i < b->bytes / 4096 && b->in_use[i];

		assert_int_equal(ua, ub);
		if (ua && memcmp(abytes + i * 4096, bbytes + i * 4096, 4096)) {
			const uint64_t *x = (const uint64_t *)(abytes + i * 4096);
			const uint64_t *y = (const uint64_t *)(bbytes + i * 4096);
			unsigned j;

			for (j = 0; j < 512 && x[j] == y[j]; j++)
				;
			print_error("pool offset %#llx, entry %u: %#llx, against %#llx\n",
				    (unsigned long long)(i * 4096), j, (unsigned long long)x[j],
				    (unsigned long long)y[j]);
			fail();
		}
	}
}

/*
 * Both tables byte for byte: both pools saw the same allocations and
 * frees, so every table page sits at the same place in each, and every
 * block in use is a table page (no call is in flight).
 */
static void expect_same(struct pair *p)
{
	struct used a, b;

	used_take(&p->ref.pool, &a, false);
	used_take(&p->ug.pool, &b, false);
	used_expect_equal(&a, p->ref.pool.base, &b, p->ug.pool.base);
	used_free(&a);
	used_free(&b);
	expect_valid(&p->ug.t);
}

/* One call, as drawn by the sequence. */
struct call {
	int kind;
	uint64_t gpa, size, hpa, value;
	uint32_t flags;
	unsigned perms, page_lg2;
};

enum { C_MAP, C_UNMAP, C_PROTECT, C_SPLIT, C_COLLAPSE, C_PAYLOAD, C_KINDS };

static int call_do(struct fx *f, const struct call *c)
{
	struct slat_attrs a = slat_attrs_make(c->perms, SLAT_MT_WB);
	struct slat_prot pr = slat_prot_perms(c->perms);

	switch (c->kind) {
	case C_MAP:
		return slat_map(&f->t, slat_gpa(c->gpa), c->size, slat_hpa(c->hpa), &a,
				c->flags, &f->g);
	case C_UNMAP:
		return slat_unmap(&f->t, slat_gpa(c->gpa), c->size, &f->g);
	case C_PROTECT:
		return slat_protect(&f->t, slat_gpa(c->gpa), c->size, &pr, &f->g);
	case C_SPLIT:
		return slat_split(&f->t, slat_gpa(c->gpa), c->size, c->page_lg2, &f->g);
	case C_COLLAPSE:
		return slat_collapse(&f->t, slat_gpa(c->gpa), c->size, &f->g);
	default:
		return slat_payload_set(&f->t, slat_gpa(c->gpa), c->size, c->value, &f->g);
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/*
 * A call inside [0, span), sized so that it needs a handful of tables
 * (each call is repeated once per allocation it makes): up to 8 MiB of
 * base pages, or whole pieces of the middle level, or 1 GiB.
 */
static void call_draw(uint64_t *s, unsigned granule_lg2, uint64_t span, struct call *c)
{
	const uint64_t page = 1ull << granule_lg2;
	const unsigned big_lg2 = granule_lg2 + 2 * (granule_lg2 - 3);
	/* 1 GiB at most: Arm 16K and 64K have 64 GiB and 4 TiB there. */
	const uint64_t big = 1ull << (big_lg2 < 30 ? big_lg2 : 30);
	const uint64_t mid = 1ull << (granule_lg2 + (granule_lg2 - 3));
	static const unsigned perms[] = { SLAT_PERM_RWX, SLAT_PERM_R, SLAT_PERM_RW,
					  SLAT_PERM_R | SLAT_PERM_X, 0 };

	memset(c, 0, sizeof(*c));
	c->kind = (int)(rnd(s) % (C_KINDS + 1));
	if (c->kind == C_KINDS)
		c->kind = C_MAP; /* maps twice as often: they build tables */
	switch (rnd(s) % 4) {
	case 0: /* a few base pages anywhere */
		c->gpa = (rnd(s) % (span / page)) * page;
		c->size = (1 + rnd(s) % 8) * page;
		break;
	case 1: /* up to 8 MiB of base pages, ends anywhere */
		c->gpa = (rnd(s) % (span / page)) * page;
		c->size = (1 + rnd(s) % ((8ull << 20) / page)) * page;
		break;
	case 2: /* whole middle-level pieces */
		c->gpa = (rnd(s) % (span / mid)) * mid;
		c->size = (1 + rnd(s) % 2) * mid;
		break;
	default: /* a whole top-level leaf (4 KiB granule) */
		c->gpa = (rnd(s) % (span / big)) * big;
		c->size = big;
		break;
	}
	if (c->gpa + c->size > span)
		c->size = span - c->gpa;
	c->hpa = c->gpa + (rnd(s) % 3 ? 0x100000000ull : 0x100000000ull + page);
	c->perms = perms[rnd(s) % 5];
	c->flags = rnd(s) % 2 ? SLAT_MAP_REPLACE : 0;
	if (rnd(s) % 4 == 0)
		c->flags |= SLAT_MAP_MAX_PAGE(granule_lg2);
	c->page_lg2 = rnd(s) % 2 ? granule_lg2 : granule_lg2 + (granule_lg2 - 3);
	c->value = 1 + rnd(s) % 7;
}

/*
 * The same call on both tables: first with allocation failing at the
 * first attempt, then the second..., until it goes through. Returns the
 * number of attempts that failed.
 */
static unsigned call_both(struct pair *p, const struct call *c)
{
	struct used before;
	unsigned k;
	int r1, r2;

	used_take(&p->ug.pool, &before, true);
	for (k = 0;; k++) {
		slat_pool_fail_after(&p->ref.pool, k, false);
		slat_pool_fail_after(&p->ug.pool, k, false);
		r1 = call_do(&p->ref, c);
		r2 = call_do(&p->ug, c);
		slat_pool_fail_after(&p->ref.pool, -1, false);
		slat_pool_fail_after(&p->ug.pool, -1, false);
		assert_int_equal(r1, r2);
		fx_flush(&p->ref);
		fx_flush(&p->ug);
		if (r2 != SLAT_ENOMEM)
			break;
		{
			/* All or nothing: the same pages in use, unchanged. */
			struct used after;

			used_take(&p->ug.pool, &after, false);
			used_expect_equal(&before, before.copy, &after, p->ug.pool.base);
			used_free(&after);
		}
	}
	used_free(&before);
	expect_same(p);
	return k;
}

static void run_sequence(const struct slat_format *fmt, unsigned granule_lg2,
			 unsigned steps)
{
	struct pair p;
	/* Room for 1 GiB leaves, and for more than one table of the
	 * middle level with the 64 KiB granule (512 MiB each). */
	const uint64_t span = granule_lg2 == 16 ? 4ull << 30 : 1ull << 30;
	uint64_t seed = 0x5eed5eed5eed5eedull ^ granule_lg2 ^
			((uint64_t)(uintptr_t)slat_format_name(fmt)[0] << 32);
	unsigned i, failures = 0, oks = 0;

	pair_init(&p, fmt, granule_lg2);
	expect_same(&p);
	for (i = 0; i < steps; i++) {
		struct call c;

		call_draw(&seed, granule_lg2, span, &c);
		failures += call_both(&p, &c);
		oks += slat_table_pages(&p.ug.t) > 1;
	}
	/* The sequence did build tables and did hit allocation failures:
	 * otherwise it proved nothing. */
	assert_true(oks > 0);
	assert_true(failures >= steps / 8);
	fx_fini(&p.ref);
	fx_fini(&p.ug);
}

static void random_calls(void **state)
{
	run_sequence(*state, 12, 100);
}

static void random_calls_arm_16k(void **state)
{
	(void)state;
	run_sequence(&slat_format_stage2, 14, 60);
}

static void random_calls_arm_64k(void **state)
{
	(void)state;
	run_sequence(&slat_format_stage2, 16, 60);
}

/*
 * W1's case by hand: a map that covers a whole last-level table with
 * leaves fills it, entry by entry, with the right leaves; one that covers
 * part of a table leaves the rest zero, not garbage (the reference table
 * is all zero there). Then a map whose first and last 2 MiB are partly
 * covered, with a whole 2 MiB leaf between them: the walker visits the
 * entry after the partial head before anything writes it. Each case runs
 * with either pattern first.
 */
static void map_fills_or_zeroes(void **state)
{
	unsigned first;

	for (first = 0; first < 2; first++) {
		struct pair p;
		struct call c;

		pair_init(&p, *state, 12);
		garbage_allocs = first;
		memset(&c, 0, sizeof(c));
		c.kind = C_MAP;
		c.perms = SLAT_PERM_RWX;
		c.flags = SLAT_MAP_MAX_PAGE(12);
		c.gpa = 0x200000; /* one whole 2 MiB span: a full table */
		c.size = 0x200000;
		c.hpa = 0x100200000ull;
		assert_int_equal(call_both(&p, &c), 1 + 1 + 1); /* L3, L2, L1 tables */
		expect_map(&p.ug.t, 0x200000, 0x100200000ull, SLAT_PERM_RWX, 12);
		expect_map(&p.ug.t, 0x3ff000, 0x1003ff000ull, SLAT_PERM_RWX, 12);
		c.gpa = 0x403000; /* part of the next table, both ends inside it */
		c.size = 0x5000;
		c.hpa = 0x100403000ull;
		assert_int_equal(call_both(&p, &c), 1);
		expect_unmapped(&p.ug.t, 0x402000);
		expect_map(&p.ug.t, 0x403000, 0x100403000ull, SLAT_PERM_RWX, 12);
		expect_map(&p.ug.t, 0x407000, 0x100407000ull, SLAT_PERM_RWX, 12);
		expect_unmapped(&p.ug.t, 0x408000);
		/* In the next 1 GiB: a 2 MiB table, two 4 KiB tables. Not from
		 * its first entry: reserve_take() zeroes the first two words. */
		c.flags = 0;
		c.gpa = 0x403ff000;
		c.size = 0x1000 + 0x200000 + 0x1000;
		c.hpa = 0x1403ff000ull;
		assert_int_equal(call_both(&p, &c), 3);
		expect_map(&p.ug.t, 0x403ff000, 0x1403ff000ull, SLAT_PERM_RWX, 12);
		expect_map(&p.ug.t, 0x40400000, 0x140400000ull, SLAT_PERM_RWX, 21);
		expect_map(&p.ug.t, 0x40600000, 0x140600000ull, SLAT_PERM_RWX, 12);
		expect_unmapped(&p.ug.t, 0x40601000);
		expect_unmapped(&p.ug.t, 0x403fe000);
		fx_fini(&p.ref);
		fx_fini(&p.ug);
	}
}

/* The root comes from the allocator too: zeroed by slat_table_init(). */
static void root_zeroed(void **state)
{
	struct pair p;

	pair_init(&p, *state, 12);
	expect_same(&p);
	expect_unmapped(&p.ug.t, 0);
	fx_fini(&p.ref);
	fx_fini(&p.ug);
}

/*
 * The fill loops against their definition, entry by entry: runs of every
 * length up to 40 at every start parity, steps of 4 KiB to 1 GiB, and
 * templates with and without bits inside the address field (the vector
 * loop must step aside for those), around the top of a 52-bit output.
 */
static void fill_loops(void **state)
{
	static const uint64_t tmpls[] = {
		0, 0x7, 0xfff, 0x8000000000000f77ull, 0x7ff0000000000001ull,
		0x0000000000010003ull,   /* bit 16: inside the address field */
		0x0008000000000003ull,   /* bit 51 */
	};
	static const uint64_t oas[] = { 0, 0x1000, 0x40000000ull, 0x000fffff00000000ull };
	uint64_t buf[48];
	unsigned ti, oi, lg2, n, off;

	(void)state;
	for (ti = 0; ti < sizeof(tmpls) / sizeof(tmpls[0]); ti++)
		for (oi = 0; oi < sizeof(oas) / sizeof(oas[0]); oi++)
			for (lg2 = 12; lg2 <= 30; lg2 += 9)
				for (n = 0; n <= 40; n++)
					for (off = 0; off < 2; off++) {
						const uint64_t step = 1ull << lg2;
						const uint64_t oa = oas[oi] & ~(step - 1);
						uint64_t i;

						memset(buf, 0xa5, sizeof(buf));
						fill_run(buf + off, n, tmpls[ti], oa, step);
						for (i = 0; i < off; i++)
							assert_int_equal(buf[i], 0xa5a5a5a5a5a5a5a5ull);
						for (i = 0; i < n; i++)
							assert_int_equal(buf[off + i],
									 tmpls[ti] | (oa + i * step));
						assert_int_equal(buf[off + n], 0xa5a5a5a5a5a5a5a5ull);
						memset(buf, 0xa5, sizeof(buf));
						fill_zero(buf + off, n);
						for (i = 0; i < n; i++)
							assert_int_equal(buf[off + i], 0);
						assert_int_equal(buf[off + n], 0xa5a5a5a5a5a5a5a5ull);
					}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fill_loops),
		ON_ALL(root_zeroed),
		ON_ALL(map_fills_or_zeroes),
		ON_ALL(random_calls),
		cmocka_unit_test(random_calls_arm_16k),
		cmocka_unit_test(random_calls_arm_64k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
