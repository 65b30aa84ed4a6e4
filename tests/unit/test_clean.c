/* SPDX-License-Identifier: MIT */
/*
 * slat_config::clean_tables, for walkers that do not snoop the data cache.
 *
 * The test models such a walker: a shadow copy of the pool stands for
 * memory, the pool itself for the CPU's cache. The hook copies the range
 * it is given from the pool to the shadow, as DC CVAC / CLFLUSH would.
 * Whenever the walker could look (the synchronous-invalidation hook runs,
 * or a call returns and the embedder may complete its gather), every table
 * page reachable from the root must read the same in memory as in the
 * cache: a byte libslat wrote and did not clean fails it. The hook logs
 * its calls, so that tests count them (one per run of entries) and check
 * that a fresh table reached memory before the entry linking it did.
 */

#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PG (4 * KiB)
#define G (1 * GiB)       /* guest-physical base of the tests */
#define H (2 * GiB)       /* host-physical base */
#define LOG_MAX 4096

/* The formats that take SLAT_FEAT_WALK_NC (not NPT). */
#define ON_NC(fn)                                                           \
	cmocka_unit_test_prestate(fn, (void *)&slat_format_ept),            \
	cmocka_unit_test_prestate(fn, (void *)&slat_format_stage2)

struct clean_call {
	uintptr_t va;
	size_t len;
};

struct rec {
	struct fx f;               /* first: the sync hook gets a struct rec */
	unsigned char *shadow;     /* "memory" behind the pool */
	struct clean_call log[LOG_MAX];
	unsigned nlog;
	unsigned syncs;
	unsigned mark;             /* nlog when the current step began */
};

/* Every reachable table page: memory equals cache. */
static void expect_coherent(struct rec *r)
{
	struct snap s;
	size_t i;

	snap_take(&r->f.t, &s);
	for (i = 0; i < s.n; i++) {
		const unsigned char *mem = r->shadow + (s.pa[i] - POOL_PA);

		if (memcmp(mem, s.bytes + i * s.page, s.page) != 0)
			fail_msg("table page %#llx: a write was not cleaned",
				 (unsigned long long)s.pa[i]);
	}
	snap_free(&s);
}

static void rec_clean(void *ctx, void *va, size_t len)
{
	struct rec *r = ctx;
	uintptr_t base = (uintptr_t)r->f.pool.base, p = (uintptr_t)va;

	/* Inside the pool, 8-byte granular, within one page. */
	assert_true(p >= base && p + len <= base + r->f.pool.size);
	assert_true(len > 0 && len % 8 == 0 && p % 8 == 0);
	assert_true(p / PG == (p + len - 1) / PG);
	memcpy(r->shadow + (p - base), va, len);
	assert_true(r->nlog < LOG_MAX);
	r->log[r->nlog].va = p;
	r->log[r->nlog].len = len;
	r->nlog++;
}

static void rec_sync(void *ctx, const struct slat_table *t,
		     const struct slat_gather *g)
{
	struct rec *r = ctx;

	(void)t;
	(void)g;
	r->syncs++;
	/* The invalidation is about to happen: the walker refills from
	 * memory right after it. */
	expect_coherent(r);
}

static struct rec *rec_new(const struct slat_format *format, uint32_t features)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	fx_prepare(&r->f, format);
	r->shadow = calloc(1, r->f.pool.size);
	assert_non_null(r->shadow);
	r->f.cfg.clean_tables = rec_clean;
	r->f.cfg.clean_ctx = r;
	r->f.cfg.sync_invalidate = rec_sync;
	r->f.cfg.sync_ctx = r;
	r->f.cfg.features = features;
	return r;
}

static void rec_free(struct rec *r)
{
	fx_fini(&r->f);
	free(r->shadow);
	free(r);
}

static void step(struct rec *r)
{
	r->mark = r->nlog;
}

static unsigned calls(const struct rec *r)
{
	return r->nlog - r->mark;
}

/* Index in the log of the last call of this step covering [p, p + len); -1 if none. */
static int last_cover(const struct rec *r, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	int i;

	for (i = (int)r->nlog - 1; i >= (int)r->mark; i--)
		if (r->log[i].va <= a && r->log[i].va + r->log[i].len >= a + len)
			return i;
	return -1;
}

/*
 * The tables below levels top..1 on the walk to `gpa` are new in this
 * step: each reached memory whole before the entry linking it was
 * cleaned.
 */
static void expect_linked_after_fill(const struct rec *r, uint64_t gpa,
				     unsigned top)
{
	unsigned level;

	for (level = top; level >= 1; level--) {
		const uint64_t *link = entry_at(&r->f.t, gpa, level);
		const uint64_t *below = entry_at(&r->f.t, gpa, level - 1);
		const void *page = (const void *)((uintptr_t)below & ~(uintptr_t)(PG - 1));
		int child = last_cover(r, page, PG), parent = last_cover(r, link, 8);

		assert_non_null(link);
		assert_non_null(below);
		assert_true(child >= 0);
		assert_true(parent >= 0);
		assert_true(child < parent);
	}
}

static void map4k(struct rec *r, uint64_t gpa, uint64_t size, uint64_t hpa,
		  unsigned perms, unsigned mt, uint32_t flags)
{
	struct slat_attrs a = slat_attrs_make(perms, mt);

	assert_int_equal(slat_map(&r->f.t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  flags | SLAT_MAP_MAX_PAGE(12), &r->f.g),
			 SLAT_OK);
}

/* The hardware sets accessed/dirty state in memory, past the cache. */
static void hw_write(struct rec *r, uint64_t gpa)
{
	uint64_t *e;

	assert_int_equal(slat_hw_access(&r->f.t, slat_gpa(gpa), true), SLAT_OK);
	e = entry_at(&r->f.t, gpa, 0);
	memcpy(r->shadow + ((uintptr_t)e - (uintptr_t)r->f.pool.base), e, 8);
}

/*
 * The hook on a table with hardware accessed/dirty state, which
 * slat_table_init() refuses together with SLAT_FEAT_WALK_NC (the walker's
 * updates could be lost under a stale line). Set in the private state, so
 * that harvest's clearing of dirty state, written by the same code for any
 * embedder, is checked too.
 */
static void enable_hook(struct rec *r)
{
	struct table_state *ts = table_of(&r->f.t);

	ts->clean = rec_clean;
	ts->clean_ctx = r;
	ts->features |= SLAT_FEAT_WALK_NC;
}

static void test_every_write_cleaned(void **state)
{
	const struct slat_format *format = *state;
	struct rec *r = rec_new(format, SLAT_FEAT_AD);
	struct slat_prot p;
	const bool arm = format == &slat_format_stage2;
	unsigned levels, s0;
	uint64_t found = 0, bm[8] = { 0 };

	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	enable_hook(r);
	levels = slat_table_levels(&r->f.t);
	assert_int_equal(levels, 4);
	/* The root is all zero in both copies: coherent from the start. */
	expect_coherent(r);

	/* Fresh tables: each one page, then its link: 2 calls a level. */
	step(r);
	map4k(r, G + 511 * PG, PG, H + 511 * PG, SLAT_PERM_R | SLAT_PERM_W, SLAT_MT_WB, 0);
	assert_int_equal(calls(r), 2 * (levels - 1));
	expect_linked_after_fill(r, G + 511 * PG, levels - 1);
	expect_coherent(r);

	/* 511 live leaves of one table: one call over all of them. */
	step(r);
	map4k(r, G, 511 * PG, H, SLAT_PERM_R | SLAT_PERM_W, SLAT_MT_WB, 0);
	assert_int_equal(calls(r), 1);
	assert_int_equal(r->log[r->mark].va, (uintptr_t)entry_at(&r->f.t, G, 0));
	assert_int_equal(r->log[r->mark].len, 511 * 8);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Harvest clears dirty state of entries 5 and 9: one call, 5..9. */
	hw_write(r, G + 5 * PG);
	hw_write(r, G + 9 * PG);
	step(r);
	assert_int_equal(slat_dirty_harvest(&r->f.t, slat_gpa(G), 2 * MiB, bm, 8, 0,
					    &found, &r->f.g),
			 SLAT_OK);
	assert_int_equal(found, 2);
	assert_int_equal(calls(r), 1);
	assert_int_equal(r->log[r->mark].va, (uintptr_t)entry_at(&r->f.t, G + 5 * PG, 0));
	assert_int_equal(r->log[r->mark].len, 5 * 8);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Protect the whole table's 512 leaves: one call of the page. */
	step(r);
	assert_int_equal(slat_protect(&r->f.t, slat_gpa(G), 2 * MiB, &p, &r->f.g), SLAT_OK);
	assert_int_equal(calls(r), 1);
	assert_int_equal(r->log[r->mark].va, (uintptr_t)entry_at(&r->f.t, G, 0));
	assert_int_equal(r->log[r->mark].len, PG);
	expect_coherent(r);
	fx_flush(&r->f);

	/* A new memory type: break-before-make on Arm for a batch of ten,
	 * cleaned before the one invalidation (rec_sync), then made and
	 * cleaned again; x86 writes them in place, one call. */
	step(r);
	s0 = r->syncs;
	memset(&p, 0, sizeof(p));
	p.set_memtype = true;
	p.memtype = SLAT_MT_WT;
	assert_int_equal(slat_protect(&r->f.t, slat_gpa(G + 10 * PG), 10 * PG, &p, &r->f.g),
			 SLAT_OK);
	assert_int_equal(calls(r), arm ? 2 : 1);
	assert_int_equal(r->syncs - s0, arm ? 1 : 0);
	assert_int_equal(r->log[r->nlog - 1].va, (uintptr_t)entry_at(&r->f.t, G + 10 * PG, 0));
	assert_int_equal(r->log[r->nlog - 1].len, 10 * 8);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Break-before-make on Arm (new output address): the broken entry
	 * is cleaned before the invalidation (checked in rec_sync), the
	 * new one after. x86: one store, one clean. */
	step(r);
	s0 = r->syncs;
	map4k(r, G + 200 * PG, PG, H + 4 * MiB, SLAT_PERM_R, SLAT_MT_WB, SLAT_MAP_REPLACE);
	assert_int_equal(calls(r), arm ? 2 : 1);
	assert_int_equal(r->syncs - s0, arm ? 1 : 0);
	assert_int_equal(last_cover(r, entry_at(&r->f.t, G + 200 * PG, 0), 8),
			 (int)r->nlog - 1);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Unmap a run of 100 leaves: one call. */
	step(r);
	assert_int_equal(slat_unmap(&r->f.t, slat_gpa(G + 100 * PG), 100 * PG, &r->f.g),
			 SLAT_OK);
	assert_int_equal(calls(r), 1);
	assert_int_equal(r->log[r->mark].va, (uintptr_t)entry_at(&r->f.t, G + 100 * PG, 0));
	assert_int_equal(r->log[r->mark].len, 100 * 8);
	expect_coherent(r);
	fx_flush(&r->f);

	/* A 2 MiB leaf in the live level-1 table, then split it: the new
	 * table reaches memory before the entry that replaces the leaf. */
	{
		struct slat_attrs a = slat_attrs_make(SLAT_PERM_R | SLAT_PERM_W, SLAT_MT_WB);

		step(r);
		assert_int_equal(slat_map(&r->f.t, slat_gpa(G + 2 * MiB), 2 * MiB,
					  slat_hpa(H + 2 * MiB), &a, 0, &r->f.g),
				 SLAT_OK);
		assert_int_equal(calls(r), 1);
		assert_int_equal(r->log[r->mark].va,
				 (uintptr_t)entry_at(&r->f.t, G + 2 * MiB, 1));
		assert_int_equal(r->log[r->mark].len, 8);
		expect_coherent(r);
		fx_flush(&r->f);
	}
	step(r);
	s0 = r->syncs;
	assert_int_equal(slat_split(&r->f.t, slat_gpa(G + 2 * MiB), 2 * MiB, 12, &r->f.g),
			 SLAT_OK);
	/* Page, then the link (Arm: the break and the make). */
	assert_int_equal(calls(r), arm ? 3 : 2);
	assert_int_equal(r->syncs - s0, arm ? 1 : 0);
	expect_linked_after_fill(r, G + 2 * MiB, 1);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Collapse it again: break (cleaned before rec_sync checks), make. */
	step(r);
	s0 = r->syncs;
	assert_int_equal(slat_collapse(&r->f.t, slat_gpa(G + 2 * MiB), 2 * MiB, &r->f.g),
			 SLAT_OK);
	assert_null(entry_at(&r->f.t, G + 2 * MiB, 0));
	assert_int_equal(calls(r), 2);
	assert_int_equal(r->syncs - s0, 1);
	assert_int_equal(last_cover(r, entry_at(&r->f.t, G + 2 * MiB, 1), 8),
			 (int)r->nlog - 1);
	expect_coherent(r);
	fx_flush(&r->f);

	/* Unlinking a whole table (the range covers its span): the one
	 * entry that pointed to it, before the table can be freed. */
	{
		uintptr_t link = (uintptr_t)entry_at(&r->f.t, G, 1);

		step(r);
		assert_int_equal(slat_unmap(&r->f.t, slat_gpa(G), 2 * MiB, &r->f.g), SLAT_OK);
		assert_int_equal(calls(r), 1);
		assert_int_equal(r->log[r->mark].va, link);
		assert_int_equal(r->log[r->mark].len, 8);
		expect_coherent(r);
		fx_flush(&r->f);
	}
	/* A table emptied by the unmap of its last leaf: the leaf, then the
	 * entry that linked the table (the level-1 table keeps its 2 MiB
	 * leaf, so it stays). */
	map4k(r, G + 4 * MiB, PG, H, SLAT_PERM_R, SLAT_MT_WB, 0);
	fx_flush(&r->f);
	{
		uintptr_t leaf = (uintptr_t)entry_at(&r->f.t, G + 4 * MiB, 0);
		uintptr_t link = (uintptr_t)entry_at(&r->f.t, G + 4 * MiB, 1);

		step(r);
		assert_int_equal(slat_unmap(&r->f.t, slat_gpa(G + 4 * MiB), PG, &r->f.g),
				 SLAT_OK);
		assert_null(entry_at(&r->f.t, G + 4 * MiB, 0));
		assert_int_equal(calls(r), 2);
		assert_int_equal(r->log[r->mark].va, leaf);
		assert_int_equal(r->log[r->mark + 1].va, link);
		expect_coherent(r);
	}

	rec_free(r);
}

/* 512 base pages into a new table: one clean of the page, one of its link. */
static void test_fresh_run_batched(void **state)
{
	const struct slat_format *format = *state;
	struct rec *r = rec_new(format, SLAT_FEAT_WALK_NC);

	assert_int_equal(fx_create(&r->f), SLAT_OK);
	/* The root, zeroed by the allocator, once. */
	assert_int_equal(r->nlog, 1);
	assert_int_equal(r->log[0].len, PG);
	assert_int_equal(r->log[0].va,
			 (uintptr_t)r->f.pool.base + (slat_table_root(&r->f.t).v - POOL_PA));
	map4k(r, G + 511 * PG, PG, H, SLAT_PERM_R, SLAT_MT_WB, 0);
	fx_flush(&r->f);
	step(r);
	/* The host address is not 2 MiB aligned: 512 leaves of 4 KiB. */
	map4k(r, G + 2 * MiB, 2 * MiB, H + PG, SLAT_PERM_R, SLAT_MT_WB, 0);
	assert_int_equal(calls(r), 2);
	expect_linked_after_fill(r, G + 2 * MiB, 1);
	expect_coherent(r);
	rec_free(r);
}

/*
 * Without SLAT_FEAT_WALK_NC the hook is not even read (a program built
 * against an older header has no such field): nothing is called.
 */
static void test_ignored_without_flag(void **state)
{
	const struct slat_format *format = *state;
	struct rec *r = rec_new(format, 0);
	struct slat_prot p;

	memset(&p, 0, sizeof(p));
	p.perm_clear = SLAT_PERM_W;
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	map4k(r, G, 2 * MiB, H + PG, SLAT_PERM_R | SLAT_PERM_W, SLAT_MT_WB, 0);
	assert_int_equal(slat_protect(&r->f.t, slat_gpa(G), 2 * MiB, &p, &r->f.g), SLAT_OK);
	assert_int_equal(slat_unmap(&r->f.t, slat_gpa(G), PG, &r->f.g), SLAT_OK);
	assert_int_equal(r->nlog, 0);
	rec_free(r);
}

/* The flag needs the hook; NPT has no walk setting; EPT needs UC walks. */
static void test_config(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_stage2);
	f.cfg.features = SLAT_FEAT_WALK_NC;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	assert_int_equal(f.pool.allocs, 0);
	slat_pool_fini(&f.pool);

	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_WALK_NC;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	f.cfg.clean_tables = rec_clean; /* never called: creation fails */
	f.caps.flags &= ~(uint32_t)SLAT_CAP_WALK_UC;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	assert_int_equal(f.pool.allocs, 0);
	slat_pool_fini(&f.pool);

	fx_prepare(&f, &slat_format_stage2);
	f.cfg.features = SLAT_FEAT_WALK_NC | SLAT_FEAT_AD;
	f.cfg.clean_tables = rec_clean;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	assert_int_equal(f.pool.allocs, 0);
	slat_pool_fini(&f.pool);

	fx_prepare(&f, &slat_format_npt);
	f.cfg.features = SLAT_FEAT_WALK_NC;
	f.cfg.clean_tables = rec_clean;
	assert_int_equal(fx_create(&f), SLAT_ECONFIG);
	assert_int_equal(f.pool.allocs, 0);
	slat_pool_fini(&f.pool);
}

/*
 * Register values, by hand. VTCR_EL2 (Arm ARM, register description):
 * T0SZ 5:0 = 64 - 48 = 16 (0x10); SL0 7:6 = 2 (4K, start at level 0:
 * 0x80); IRGN0 9:8 and ORGN0 11:10 = 0b00, Normal Non-cacheable; SH0
 * 13:12 = 0b11 (0x3000); TG0 15:14 = 0 (4K); PS 18:16 = 0b101, 48 bits
 * (0x50000); VS bit 19 (0x80000); RES1 bit 31. Sum 0x800d3090; the same
 * table with cacheable walks has IRGN0 = ORGN0 = 0b01: 0x800d3590.
 */
static void test_vtcr(void **state)
{
	struct rec *r = rec_new(&slat_format_stage2, SLAT_FEAT_WALK_NC);
	uint64_t vtcr;

	(void)state;
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	assert_int_equal(slat_stage2_vtcr(&r->f.t, &vtcr), SLAT_OK);
	assert_int_equal(vtcr, 0x800d3090ull);
	rec_free(r);

	r = rec_new(&slat_format_stage2, 0);
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	assert_int_equal(slat_stage2_vtcr(&r->f.t, &vtcr), SLAT_OK);
	assert_int_equal(vtcr, 0x800d3590ull);
	rec_free(r);
}

/*
 * EPTP (SDM vol. 3C 25.6.11): bits 2:0 memory type of the walks, 0 = UC
 * even where WB (6) is offered; bits 5:3 walk length - 1 = 3.
 */
static void test_eptp(void **state)
{
	struct rec *r = rec_new(&slat_format_ept, SLAT_FEAT_WALK_NC);
	uint64_t eptp;

	(void)state;
	assert_true(r->f.caps.flags & SLAT_CAP_WALK_WB);
	assert_int_equal(fx_create(&r->f), SLAT_OK);
	assert_int_equal(slat_ept_eptp(&r->f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, slat_table_root(&r->f.t).v | 0x18);
	rec_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_NC(test_every_write_cleaned),
		ON_NC(test_fresh_run_batched),
		ON_ALL(test_ignored_without_flag),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_vtcr),
		cmocka_unit_test(test_eptp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
