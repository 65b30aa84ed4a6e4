/* SPDX-License-Identifier: MIT */
/*
 * Issue 8: the one-page paths of map, unmap and protect (lib/walk.h
 * walk_path()) against the range walk they stand in for.
 *
 * Two tables of one format take the same calls: table `a` is reached
 * through the linear map, so its one-page calls take the paths; table `b`
 * through phys_to_virt, so its calls never do. Both allocate from pools at
 * the same physical base in the same order, so after every call the two
 * must hold byte-identical table pages at the same addresses, have
 * returned the same, hold the same gather (ranges, sizes, flags, pages to
 * free) and have asked for the same synchronous invalidations. Calls run
 * with the allocator failing at its first, second or third allocation as
 * well: a failed call must leave its table and gather as they were. At
 * the end both validate and give every page back (fx_fini()).
 *
 * The calls are random but seeded: single pages in a few 2 MiB regions
 * (low, in a second 1 GiB region, and at the top of the input space), a
 * few large leaves for protect to split on the path and for unmap to hand
 * to the range walk, payloads, the memo's misses and hits (requests that
 * alternate), a page protected twice, and gathers completed now and then.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <slat/slat.h>
#include <slat/hosted.h>

#include "harness.h"

/* ---- an allocator that fails on demand ------------------------------------ */

static struct slat_allocator pool_alloc; /* the hosted pool's, wrapped */
static int fail_in = -1;                 /* allocations left before one fails; -1: none */

static void *failing_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	if (fail_in == 0)
		return NULL;
	if (fail_in > 0)
		fail_in--;
	return pool_alloc.alloc(ctx, lg2, pa);
}

/* ---- the two tables --------------------------------------------------------- */

struct pair {
	struct fx a; /* linear map: the paths */
	struct fx b; /* phys_to_virt: the range walk */
	uint64_t rng;
};

static void pair_init(struct pair *p, const struct slat_format *fmt, unsigned ia_bits,
		      uint32_t features)
{
	struct fx *both[2] = { &p->a, &p->b };
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct fx *f = both[i];

		fx_prepare(f, fmt);
		pool_alloc = f->cfg.alloc;
		f->cfg.alloc.alloc = failing_alloc;
		f->cfg.ia_bits = ia_bits;
		f->cfg.features |= features;
		if (f == &p->a) {
			f->cfg.features |= SLAT_FEAT_LINEAR_MAP;
			f->cfg.linear_offset = slat_pool_linear_offset(&f->pool);
		}
		assert_int_equal(fx_create(f), SLAT_OK);
	}
	/* White-box: only `a` may take the paths. */
	assert_int_equal(table_of(&p->a.t)->read.path_limit, 1ull << ia_bits);
	assert_int_equal(table_of(&p->b.t)->read.path_limit, 0);
	p->rng = 0x5eed0000ull + ia_bits * 131 + features;
}

static uint64_t rnd(struct pair *p, uint64_t n)
{
	uint64_t x = p->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rng = x;
	return (x * 0x2545f4914f6cdd1dull) % n;
}

static void expect_same_gather(const struct slat_gather *a, const struct slat_gather *b)
{
	uint32_t i;

	assert_int_equal(slat_gather_flags(a), slat_gather_flags(b));
	assert_int_equal(slat_gather_pages(a), slat_gather_pages(b));
	assert_int_equal(slat_gather_nranges(a), slat_gather_nranges(b));
	assert_int_equal(slat_gather_table(a) != NULL, slat_gather_table(b) != NULL);
	for (i = 0; i < slat_gather_nranges(a); i++) {
		struct slat_gather_range x = slat_gather_range(a, i);
		struct slat_gather_range y = slat_gather_range(b, i);

		assert_int_equal(x.start, y.start);
		assert_int_equal(x.end, y.end);
		assert_int_equal(x.leaf_sizes, y.leaf_sizes);
		assert_int_equal(x.table_sizes, y.table_sizes);
	}
}

static void expect_same(struct pair *p)
{
	struct snap x, y;

	snap_take(&p->a.t, &x);
	snap_take(&p->b.t, &y);
	assert_true(snap_equal(&x, &y));
	snap_free(&x);
	snap_free(&y);
	expect_same_gather(&p->a.g, &p->b.g);
	assert_int_equal(p->a.syncs, p->b.syncs);
	assert_int_equal(slat_table_pages(&p->a.t), slat_table_pages(&p->b.t));
}

/* ---- the calls ---------------------------------------------------------------- */

enum call { MAP, MAP_2M, UNMAP, UNMAP_2M, PROTECT, PAYLOAD, CALLS };

struct args {
	enum call call;
	uint64_t gpa;
	uint64_t hpa;
	struct slat_attrs attrs;
	struct slat_prot prot;
	uint64_t payload;
};

static int run(struct fx *f, const struct args *c)
{
	switch (c->call) {
	case MAP:
		return slat_map(&f->t, slat_gpa(c->gpa), 4 * KiB, slat_hpa(c->hpa), &c->attrs, 0,
				&f->g);
	case MAP_2M:
		return slat_map(&f->t, slat_gpa(c->gpa), 2 * MiB, slat_hpa(c->hpa), &c->attrs, 0,
				&f->g);
	case UNMAP:
		return slat_unmap(&f->t, slat_gpa(c->gpa), 4 * KiB, &f->g);
	case UNMAP_2M:
		return slat_unmap(&f->t, slat_gpa(c->gpa), 2 * MiB, &f->g);
	case PROTECT:
		return slat_protect(&f->t, slat_gpa(c->gpa), 4 * KiB, &c->prot, &f->g);
	default:
		return slat_payload_set(&f->t, slat_gpa(c->gpa), 4 * KiB, c->payload, &f->g);
	}
}

/* A page of one of the regions the calls share: tables fill and empty. */
static uint64_t pick_gpa(struct pair *p, unsigned ia_bits)
{
	static const uint64_t region[3] = { 0, 1 * GiB + 6 * MiB, 0 };
	unsigned r = (unsigned)rnd(p, 3);
	uint64_t base = r == 2 ? (1ull << ia_bits) - 4 * MiB : region[r];

	return base + rnd(p, 1024) * 4 * KiB;
}

static void pick(struct pair *p, unsigned ia_bits, struct args *c)
{
	static const uint8_t perms[3] = { SLAT_PERM_RWX, SLAT_PERM_R, SLAT_PERM_RW };
	unsigned k = (unsigned)rnd(p, 100);

	memset(c, 0, sizeof(*c));
	c->gpa = pick_gpa(p, ia_bits);
	c->hpa = (1 + rnd(p, 1 << 20)) * 4 * KiB;
	c->attrs = slat_attrs_make(perms[rnd(p, 3)], rnd(p, 8) ? SLAT_MT_WB : SLAT_MT_UC);
	if (k < 35) {
		c->call = MAP;
	} else if (k < 38) {
		c->call = MAP_2M;
		c->gpa &= ~(2 * MiB - 1);
		c->hpa &= ~(2 * MiB - 1);
	} else if (k < 63) {
		c->call = UNMAP;
	} else if (k < 65) {
		c->call = UNMAP_2M;
		c->gpa &= ~(2 * MiB - 1);
	} else if (k < 95) {
		c->call = PROTECT;
		switch (rnd(p, 5)) {
		case 0: c->prot.perm_set = SLAT_PERM_W; break;
		case 1: c->prot.perm_clear = SLAT_PERM_X; break;
		case 2:
			/* a memory-type change: break-before-make on Arm */
			c->prot.set_memtype = true;
			c->prot.memtype = SLAT_MT_UC;
			break;
		default: c->prot.perm_clear = SLAT_PERM_W; break;
		}
	} else {
		c->call = PAYLOAD;
		c->payload = 1 + rnd(p, 15);
	}
}

static void one_call(struct pair *p, unsigned ia_bits)
{
	struct snap before_a, before_b;
	struct slat_gather ga, gb;
	struct args c;
	int fail = rnd(p, 4) == 0 ? (int)rnd(p, 3) : -1;
	int ra, rb;

	pick(p, ia_bits, &c);
	snap_take(&p->a.t, &before_a);
	snap_take(&p->b.t, &before_b);
	ga = p->a.g;
	gb = p->b.g;
	fail_in = fail;
	ra = run(&p->a, &c);
	fail_in = fail;
	rb = run(&p->b, &c);
	fail_in = -1;
	assert_int_equal(ra, rb);
	if (ra != SLAT_OK) {
		/* Nothing changed: not the tables, not the gathers. */
		struct snap after;

		snap_take(&p->a.t, &after);
		assert_true(snap_equal(&before_a, &after));
		snap_free(&after);
		expect_same_gather(&p->a.g, &ga);
		snap_take(&p->b.t, &after);
		assert_true(snap_equal(&before_b, &after));
		snap_free(&after);
		expect_same_gather(&p->b.g, &gb);
	}
	snap_free(&before_a);
	snap_free(&before_b);
	expect_same(p);
	if (rnd(p, 16) == 0) {
		assert_int_equal(slat_gather_done(&p->a.t, &p->a.g), SLAT_OK);
		assert_int_equal(slat_gather_done(&p->b.t, &p->b.g), SLAT_OK);
		expect_same(p);
	}
}

static void same_as_range_walk(const struct slat_format *fmt, unsigned ia_bits,
			       uint32_t features)
{
	struct pair p;
	unsigned i;

	pair_init(&p, fmt, ia_bits, features);
	for (i = 0; i < 1500; i++)
		one_call(&p, ia_bits);
	expect_valid(&p.a.t);
	expect_valid(&p.b.t);
	fx_fini(&p.a);
	fx_fini(&p.b);
}

/* ---- the tests: each depth the paths are compiled for ----------------------- */

static void four_levels(void **state)
{
	same_as_range_walk(*state, 48, 0);
}

static void four_levels_ad(void **state)
{
	same_as_range_walk(*state, 48, SLAT_FEAT_AD);
}

/* Stage-2 with a 40-bit input: 3 levels below a root of two tables. */
static void three_levels(void **state)
{
	(void)state;
	same_as_range_walk(&slat_format_stage2, 40, 0);
}

/* EPT with 5 levels (57-bit input). */
static void five_levels(void **state)
{
	same_as_range_walk(*state, 57, 0);
}

/*
 * The cases a fault handler meets most, by hand on one table: a one-page
 * map below an absent root entry makes every table down to the page and
 * links them with one store; unmapping the page unlinks them all again,
 * bottom up, into the gather; a page protected twice changes once.
 */
static void chain_and_unlink(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_attrs at = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_prot ro = { 0 };
	struct pair p;
	const uint64_t gpa = 0x123456789000ull;
	unsigned n;

	pair_init(&p, fmt, 48, 0);
	ro.perm_clear = SLAT_PERM_W;
	/* Every allocation of the chain fails in turn, then none. */
	for (n = 0; n < 3; n++) {
		fail_in = (int)n;
		assert_int_equal(slat_map(&p.a.t, slat_gpa(gpa), 4 * KiB, slat_hpa(0x5000), &at, 0,
					  &p.a.g), SLAT_ENOMEM);
		fail_in = -1;
		assert_int_equal(slat_table_pages(&p.a.t), 1);
		assert_null(slat_gather_table(&p.a.g));
	}
	/* The memo has the base-page template after one range walk. */
	assert_int_equal(slat_map(&p.a.t, slat_gpa(0), 4 * KiB, slat_hpa(0x4000), &at, 0,
				  &p.a.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&p.a.t), 4);
	assert_int_equal(slat_map(&p.a.t, slat_gpa(gpa), 4 * KiB, slat_hpa(0x5000), &at, 0,
				  &p.a.g), SLAT_OK);
	assert_int_equal(slat_table_pages(&p.a.t), 7);
	expect_map(&p.a.t, gpa, 0x5000, SLAT_PERM_RW, 12);
	assert_int_equal(slat_map(&p.a.t, slat_gpa(gpa), 4 * KiB, slat_hpa(0x6000), &at, 0,
				  &p.a.g), SLAT_EEXIST);
	/* Protected twice: the second call finds it done. */
	assert_int_equal(slat_protect(&p.a.t, slat_gpa(gpa), 4 * KiB, &ro, &p.a.g), SLAT_OK);
	assert_int_equal(slat_protect(&p.a.t, slat_gpa(gpa + 4 * KiB), 4 * KiB, &ro, &p.a.g),
			 SLAT_OK);
	assert_int_equal(slat_gather_nranges(&p.a.g), 1);
	assert_int_equal(slat_gather_range(&p.a.g, 0).start, gpa);
	assert_int_equal(slat_gather_range(&p.a.g, 0).end, gpa + 4 * KiB);
	fx_flush(&p.a);
	assert_int_equal(slat_protect(&p.a.t, slat_gpa(gpa), 4 * KiB, &ro, &p.a.g), SLAT_OK);
	assert_int_equal(slat_gather_nranges(&p.a.g), 0);
	expect_map(&p.a.t, gpa, 0x5000, SLAT_PERM_R, 12);
	/* The unmap takes the three tables below the root with it. */
	assert_int_equal(slat_unmap(&p.a.t, slat_gpa(gpa), 4 * KiB, &p.a.g), SLAT_OK);
	expect_unmapped(&p.a.t, gpa);
	assert_int_equal(slat_gather_pages(&p.a.g), 3);
	assert_true(slat_gather_flags(&p.a.g) & SLAT_GATHER_TABLES);
	assert_int_equal(slat_table_pages(&p.a.t), 4);
	expect_valid(&p.a.t);
	fx_fini(&p.a);
	fx_fini(&p.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(four_levels),
		ON_ALL(four_levels_ad),
		cmocka_unit_test(three_levels),
		cmocka_unit_test_prestate(five_levels, (void *)&slat_format_ept),
		ON_ALL(chain_and_unlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
