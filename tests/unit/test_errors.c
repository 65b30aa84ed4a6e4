/* SPDX-License-Identifier: MIT */
/*
 * Hostile input: every public entry point against every class of bad
 * input, on every format. Each row checks the documented error code and
 * that the table is bit for bit unchanged afterwards. docs/errors.md is the
 * same table in prose.
 */
#include <string.h>

#include "harness.h"

#define HPA 0x100000000ull

/* A table with something in it: [0, 4 MiB) as 2 MiB leaves, one page at
 * 1 GiB and a read-only one after it. */
static void populate(struct fx *f)
{
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_attrs ro = slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB);

	assert_int_equal(slat_map(&f->t, slat_gpa(1 * GiB + 0x1000), 0x1000, slat_hpa(HPA),
				  &ro, 0, &f->g), SLAT_OK);
	assert_int_equal(slat_map(&f->t, slat_gpa(0), 4 * MiB, slat_hpa(HPA), &a, 0, &f->g),
			 SLAT_OK);
	assert_int_equal(slat_map(&f->t, slat_gpa(1 * GiB), 0x1000, slat_hpa(HPA), &a, 0,
				  &f->g), SLAT_OK);
	fx_flush(f);
}

/* Make the top-level entry for GPA 1 GiB something no walk may interpret:
 * a leaf at the root level, where no format allows one. */
static uint64_t corrupt(struct fx *f)
{
	uint64_t *slot = entry_at(&f->t, 1 * GiB, slat_table_levels(&f->t) - 1);
	uint64_t old = *slot;

	switch (slat_table_format(&f->t)) {
	case SLAT_FORMAT_EPT:
	case SLAT_FORMAT_NPT:
		*slot |= 1ull << 7; /* PS in a PML4E: reserved */
		break;
	default:
		*slot &= ~2ull; /* a block descriptor at Arm level 0 */
		break;
	}
	return old;
}

static struct slat_attrs rw(void)
{
	return slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
}

static int noop_each(void *ctx, const struct slat_mapping *m)
{
	(void)ctx;
	(void)m;
	return 0;
}

static void noop_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
}

struct row {
	const char *call;
	const char *input;
	int expect;
	int (*run)(struct fx *f);
};

/* ---- null handles ------------------------------------------------------- */
static int null_map_table(struct fx *f) { struct slat_attrs a = rw(); return slat_map(NULL, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int null_map_attrs(struct fx *f) { return slat_map(&f->t, slat_gpa(0), 0x1000, slat_hpa(0), NULL, 0, &f->g); }
static int null_map_gather(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(0), 0x1000, slat_hpa(0), &a, 0, NULL); }
static int null_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(0), 0x1000, NULL); }
static int null_protect(struct fx *f) { return slat_protect(&f->t, slat_gpa(0), 0x1000, NULL, &f->g); }
static int null_split(struct fx *f) { return slat_split(NULL, slat_gpa(0), 0x1000, 12, &f->g); }
static int null_translate(struct fx *f) { return slat_translate(&f->t, slat_gpa(0), NULL); }
static int null_each(struct fx *f) { return slat_for_each(&f->t, slat_gpa(0), 0x1000, NULL, NULL, NULL); }
static int null_harvest(struct fx *f) { return slat_dirty_harvest(&f->t, slat_gpa(0), 0x1000, NULL, 0, 0, NULL, &f->g); }
static int null_accessed(struct fx *f) { return slat_accessed(&f->t, slat_gpa(0), 0x1000, 0, NULL, &f->g); }
static int null_validate(struct fx *f) { return slat_validate(&f->t, NULL, NULL, NULL); }
static int null_dump(struct fx *f) { return slat_dump(&f->t, slat_gpa(0), 0x1000, NULL, NULL); }
static int null_done(struct fx *f) { return slat_gather_done(&f->t, NULL); }
static int null_hw(struct fx *f) { (void)f; return slat_hw_access(NULL, slat_gpa(0), false); }
static int null_init(struct fx *f) { return slat_table_init(NULL, &f->cfg); }

/* ---- ranges ------------------------------------------------------------- */
static int align_map_gpa(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(0x800), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int align_map_hpa(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0x10), &a, 0, &f->g); }
static int align_map_size(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1001, slat_hpa(0), &a, 0, &f->g); }
static int align_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(0x10), 0x1000, &f->g); }
static int align_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(0), 0x10, &p, &f->g); }
static int align_split(struct fx *f) { return slat_split(&f->t, slat_gpa(0x1), 2 * MiB, 12, &f->g); }
static int align_each(struct fx *f) { return slat_for_each(&f->t, slat_gpa(0x1), 0x1000, noop_each, NULL, NULL); }
static int zero_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0, slat_hpa(0), &a, 0, &f->g); }
static int zero_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(0), 0, &f->g); }
static int zero_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(0), 0, &p, &f->g); }
static int zero_split(struct fx *f) { return slat_split(&f->t, slat_gpa(0), 0, 12, &f->g); }
static int zero_harvest(struct fx *f) { uint64_t bm[1]; return slat_dirty_harvest(&f->t, slat_gpa(0), 0, bm, 1, 0, NULL, &f->g); }
static int wrap_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(~0xfffull), 0x2000, slat_hpa(0), &a, 0, &f->g); }
static int wrap_map_hpa(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x2000, slat_hpa(~0xfffull), &a, 0, &f->g); }
static int wrap_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa((1ull << 63) + 0x1000), 1ull << 63, &f->g); }
/* A range whose end is exactly 2^64 does not wrap: it is beyond every input width. */
static int end64_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(~0xfffull), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int end64_map_hpa(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(~0xfffull), &a, 0, &f->g); }
static int end64_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(1ull << 63), 1ull << 63, &f->g); }
static int end64_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(~0xfffull), 0x1000, &p, &f->g); }
static int end64_split(struct fx *f) { return slat_split(&f->t, slat_gpa(~0x1fffffull), 2 * MiB, 12, &f->g); }
static int end64_each(struct fx *f) { return slat_for_each(&f->t, slat_gpa(~0xfffull), 0x1000, noop_each, NULL, NULL); }
static int end64_harvest(struct fx *f) { uint64_t bm[1]; return slat_dirty_harvest(&f->t, slat_gpa(~0xfffull), 0x1000, bm, 1, 0, NULL, &f->g); }
static int wrap_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(~0xfffull), 0x2000, &p, &f->g); }
static int gpa_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa((1ull << 48) - 0x1000), 0x2000, slat_hpa(0), &a, 0, &f->g); }
static int gpa_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(1ull << 48), 0x1000, &f->g); }
static int gpa_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(1ull << 48), 0x1000, &p, &f->g); }
static int gpa_split(struct fx *f) { return slat_split(&f->t, slat_gpa(1ull << 48), 0x1000, 12, &f->g); }
static int gpa_translate(struct fx *f) { struct slat_mapping m; return slat_translate(&f->t, slat_gpa(1ull << 48), &m); }
static int gpa_harvest(struct fx *f) { uint64_t bm[1]; return slat_dirty_harvest(&f->t, slat_gpa(1ull << 48), 0x1000, bm, 1, 0, NULL, &f->g); }
static int gpa_hw(struct fx *f) { return slat_hw_access(&f->t, slat_gpa(1ull << 48), false); }
static int hpa_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(1ull << 52), &a, 0, &f->g); }

/* ---- content -------------------------------------------------------------- */
static int exist_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(2 * MiB - 0x1000), 0x3000, slat_hpa(0), &a, 0, &f->g); }
static int noent_translate(struct fx *f) { struct slat_mapping m; return slat_translate(&f->t, slat_gpa(8 * MiB), &m); }
static int noent_hw(struct fx *f) { return slat_hw_access(&f->t, slat_gpa(8 * MiB), true); }
static int perm_split_exec(struct fx *f) { struct slat_attrs a = slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XS, SLAT_MT_WB); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int perm_hw_write(struct fx *f) { return slat_hw_access(&f->t, slat_gpa(1 * GiB + 0x1000), true); }
static int mt_range(struct fx *f) { struct slat_attrs a = rw(); a.memtype = 99; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int mt_share(struct fx *f) { struct slat_attrs a = rw(); a.share = 7; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int flags_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 1u << 30, &f->g); }
static int flags_attr(struct fx *f) { struct slat_attrs a = rw(); a.flags = 0x80; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int flags_perm(struct fx *f) { struct slat_attrs a = rw(); a.perms |= 0x40; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int flags_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); p.perm_set |= 0x80; return slat_protect(&f->t, slat_gpa(0), 0x1000, &p, &f->g); }
static int flags_harvest(struct fx *f) { uint64_t bm[1]; return slat_dirty_harvest(&f->t, slat_gpa(0), 0x1000, bm, 1, 0x100, NULL, &f->g); }
static int flags_init(struct fx *f) { f->cfg.features = 1u << 20; return slat_table_init(&f->t, &f->cfg); }
static int pagesize_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, SLAT_MAP_MAX_PAGE(11), &f->g); }
static int pagesize_split(struct fx *f) { return slat_split(&f->t, slat_gpa(0), 2 * MiB, 20, &f->g); }
static int pagesize_init(struct fx *f) { f->cfg.max_page_lg2 = 8; return slat_table_init(&f->t, &f->cfg); }
static int swbits_map(struct fx *f) { struct slat_attrs a = rw(); a.sw = 1; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int swbits_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); p.sw_set = 1; return slat_protect(&f->t, slat_gpa(0), 0x1000, &p, &f->g); }
static int swbits_init(struct fx *f) { f->cfg.sw_bits = 9; return slat_table_init(&f->t, &f->cfg); }
static int nofeat_harvest(struct fx *f) { uint64_t bm[1]; return slat_dirty_harvest(&f->t, slat_gpa(0), 0x1000, bm, 1, 0, NULL, &f->g); }
static int nofeat_accessed(struct fx *f) { uint64_t n; return slat_accessed(&f->t, slat_gpa(0), 0x1000, 0, &n, &f->g); }
static int caps_init(struct fx *f) { f->caps.flags &= ~SLAT_CAP_AD; f->cfg.features = SLAT_FEAT_AD; return slat_table_init(&f->t, &f->cfg); }
static int caps_init_split(struct fx *f) { f->caps.flags &= ~SLAT_CAP_SPLIT_EXEC; f->cfg.features = SLAT_FEAT_SPLIT_EXEC; return slat_table_init(&f->t, &f->cfg); }
static int config_width(struct fx *f) { f->cfg.ia_bits = 20; return slat_table_init(&f->t, &f->cfg); }
static int config_alloc(struct fx *f) { f->cfg.alloc.free = NULL; return slat_table_init(&f->t, &f->cfg); }
static int format_caps(struct fx *f) { f->caps.format = f->caps.format == SLAT_FORMAT_EPT ? SLAT_FORMAT_NPT : SLAT_FORMAT_EPT; return slat_table_init(&f->t, &f->cfg); }
static int key_map(struct fx *f) { struct slat_attrs a = rw(); a.key = 1; return slat_map(&f->t, slat_gpa(8 * MiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int key_init(struct fx *f) { f->cfg.table_key = 1; return slat_table_init(&f->t, &f->cfg); }
static int caps_init_keys(struct fx *f) { f->cfg.features = SLAT_FEAT_KEYS; return slat_table_init(&f->t, &f->cfg); }
static int gather_other(struct fx *f) { struct slat_gather g = SLAT_GATHER_INIT; gather_of(&g)->table = (const struct table_state *)f; return slat_unmap(&f->t, slat_gpa(0), 0x1000, &g); }
static int gather_done_other(struct fx *f) { struct slat_gather g = SLAT_GATHER_INIT; gather_of(&g)->table = (const struct table_state *)f; return slat_gather_done(&f->t, &g); }

/* ---- allocator and corruption --------------------------------------------- */
static int nomem_map(struct fx *f) { struct slat_attrs a = rw(); slat_pool_fail_after(&f->pool, 0, true); return slat_map(&f->t, slat_gpa(3 * GiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int nomem_unmap(struct fx *f) { slat_pool_fail_after(&f->pool, 0, true); return slat_unmap(&f->t, slat_gpa(0x1000), 0x1000, &f->g); }
static int nomem_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); slat_pool_fail_after(&f->pool, 0, true); return slat_protect(&f->t, slat_gpa(0x1000), 0x1000, &p, &f->g); }
static int nomem_split(struct fx *f) { slat_pool_fail_after(&f->pool, 0, true); return slat_split(&f->t, slat_gpa(0), 4 * MiB, 12, &f->g); }
/* No-access mappings allocate like any other: a new 4 KiB leaf at 3 GiB
 * needs two tables on every format here (x86: a PD and a PT below the
 * PDPT populate() made; Arm 4K: the same two levels), so both points fail. */
static int nomem_none_map0(struct fx *f) { struct slat_attrs a = slat_attrs_make(0, SLAT_MT_WB); slat_pool_fail_after(&f->pool, 0, true); return slat_map(&f->t, slat_gpa(3 * GiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int nomem_none_map1(struct fx *f) { struct slat_attrs a = slat_attrs_make(0, SLAT_MT_WB); slat_pool_fail_after(&f->pool, 1, true); return slat_map(&f->t, slat_gpa(3 * GiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
/* Removing every permission from 4 KiB of a 2 MiB leaf splits it: one table. */
static int nomem_none_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(0); p.perm_clear = SLAT_PERM_ALL; slat_pool_fail_after(&f->pool, 0, true); return slat_protect(&f->t, slat_gpa(0x1000), 0x1000, &p, &f->g); }
static int exist_none_map(struct fx *f) { struct slat_attrs a = slat_attrs_make(0, SLAT_MT_WB); return slat_map(&f->t, slat_gpa(0x1000), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int nomem_init(struct fx *f) { slat_pool_fail_after(&f->pool, 0, true); return slat_table_init(&f->t, &f->cfg); }

/*
 * An allocator that hands out pool pages under a wrong physical address:
 * misaligned by 2 KiB, or above every output width. libslat must give
 * such a page back before it uses it, so phys_to_virt never sees one.
 */
static struct {
	struct slat_allocator real;
	uint64_t bias;
} skew;
static void *skew_alloc(void *ctx, unsigned lg2, uint64_t *pa)
{
	void *va = skew.real.alloc(skew.real.ctx, lg2, pa);

	(void)ctx;
	if (va)
		*pa += skew.bias;
	return va;
}
static void skew_free(void *ctx, void *va, uint64_t pa, unsigned lg2)
{
	(void)ctx;
	skew.real.free(skew.real.ctx, va, pa - skew.bias, lg2);
}
/* Run `op` on f's table (or its creation) with the skewed allocator. */
static int skewed(struct fx *f, uint64_t bias, int (*op)(struct fx *f))
{
	struct slat_allocator *a = &table_of(&f->t)->alloc, keep_t = *a, keep_c = f->cfg.alloc;
	int err;

	skew.real = f->cfg.alloc;
	skew.bias = bias;
	a->alloc = skew_alloc;
	a->free = skew_free;
	f->cfg.alloc.alloc = skew_alloc;
	f->cfg.alloc.free = skew_free;
	err = op(f);
	table_of(&f->t)->alloc = keep_t;
	f->cfg.alloc = keep_c;
	return err;
}
static int plain_map(struct fx *f) { struct slat_attrs a = rw(); return slat_map(&f->t, slat_gpa(3 * GiB), 0x1000, slat_hpa(0), &a, 0, &f->g); }
static int plain_unmap(struct fx *f) { return slat_unmap(&f->t, slat_gpa(0x1000), 0x1000, &f->g); }
static int plain_protect(struct fx *f) { struct slat_prot p = slat_prot_perms(SLAT_PERM_R); return slat_protect(&f->t, slat_gpa(0x1000), 0x1000, &p, &f->g); }
static int plain_split(struct fx *f) { return slat_split(&f->t, slat_gpa(0), 4 * MiB, 12, &f->g); }
static int plain_init(struct fx *f) { return slat_table_init(&f->t, &f->cfg); }
#define SKEW_LOW 0x800ull        /* misaligned */
#define SKEW_HIGH (1ull << 52)   /* beyond every output width here */
static int skew_map_align(struct fx *f) { return skewed(f, SKEW_LOW, plain_map); }
static int skew_map_high(struct fx *f) { return skewed(f, SKEW_HIGH, plain_map); }
static int skew_unmap(struct fx *f) { return skewed(f, SKEW_LOW, plain_unmap); }
static int skew_protect(struct fx *f) { return skewed(f, SKEW_HIGH, plain_protect); }
static int skew_split(struct fx *f) { return skewed(f, SKEW_LOW, plain_split); }
static int skew_init_align(struct fx *f) { return skewed(f, SKEW_LOW, plain_init); }
static int skew_init_high(struct fx *f) { return skewed(f, SKEW_HIGH, plain_init); }

#define CORRUPT(name, expr) \
	static int name(struct fx *f) { uint64_t old = corrupt(f); int e = (expr); *entry_at(&f->t, 1 * GiB, slat_table_levels(&f->t) - 1) = old; return e; }
CORRUPT(corrupt_map, ({ struct slat_attrs a = rw(); slat_map(&f->t, slat_gpa(1 * GiB), 0x2000, slat_hpa(0), &a, SLAT_MAP_REPLACE, &f->g); }))
CORRUPT(corrupt_unmap, slat_unmap(&f->t, slat_gpa(0), 2 * GiB, &f->g))
CORRUPT(corrupt_protect, ({ struct slat_prot p = slat_prot_perms(SLAT_PERM_R); slat_protect(&f->t, slat_gpa(0), 2 * GiB, &p, &f->g); }))
CORRUPT(corrupt_split, slat_split(&f->t, slat_gpa(0), 2 * GiB, 12, &f->g))
CORRUPT(corrupt_translate, ({ struct slat_mapping m; slat_translate(&f->t, slat_gpa(1 * GiB), &m); }))
CORRUPT(corrupt_each, slat_for_each(&f->t, slat_gpa(0), 2 * GiB, noop_each, NULL, NULL))
CORRUPT(corrupt_dump, slat_dump(&f->t, slat_gpa(0), 2 * GiB, noop_write, NULL))
CORRUPT(corrupt_hw, slat_hw_access(&f->t, slat_gpa(1 * GiB), false))

/* ---- slat_collapse ---------------------------------------------------------- */
static int collapse_null(struct fx *f) { return slat_collapse(&f->t, slat_gpa(0), 2 * MiB, NULL); }
static int collapse_align(struct fx *f) { return slat_collapse(&f->t, slat_gpa(0x10), 2 * MiB, &f->g); }
static int collapse_zero(struct fx *f) { return slat_collapse(&f->t, slat_gpa(0), 0, &f->g); }
static int collapse_wrap(struct fx *f) { return slat_collapse(&f->t, slat_gpa((1ull << 63) + 0x1000), 1ull << 63, &f->g); }
static int collapse_gpa(struct fx *f) { return slat_collapse(&f->t, slat_gpa(1ull << 48), 2 * MiB, &f->g); }
static int collapse_gather(struct fx *f) { struct slat_gather g = SLAT_GATHER_INIT; gather_of(&g)->table = (const struct table_state *)f; return slat_collapse(&f->t, slat_gpa(0), 2 * MiB, &g); }
CORRUPT(corrupt_collapse, slat_collapse(&f->t, slat_gpa(0), 2 * GiB, &f->g))
static int exec_fault_null(struct fx *f) { return slat_exec_fault(&f->t, slat_gpa(0), NULL); }
static int exec_fault_nofeat(struct fx *f) { return slat_exec_fault(&f->t, slat_gpa(0), &f->g); }

/* ---- payload (slat/payload.h) -------------------------------------------- */
static int payload_null(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(8 * MiB), 0x1000, 1, NULL); }
static int payload_align(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(8 * MiB + 0x10), 0x1000, 1, &f->g); }
static int payload_zero(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(8 * MiB), 0, 1, &f->g); }
static int payload_wrap(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(~0xfffull), 0x2000, 1, &f->g); }
static int payload_gpa(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(1ull << 48), 0x1000, 1, &f->g); }
static int payload_value0(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(8 * MiB), 0x1000, 0, &f->g); }
static int payload_wide(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(8 * MiB), 0x1000, ~0ull, &f->g); }
static int payload_exist(struct fx *f) { return slat_payload_set(&f->t, slat_gpa(2 * MiB - 0x1000), 0x3000, 1, &f->g); }
static int payload_nomem(struct fx *f) { slat_pool_fail_after(&f->pool, 0, true); return slat_payload_set(&f->t, slat_gpa(3 * GiB), 0x1000, 1, &f->g); }
static int payload_gather(struct fx *f) { struct slat_gather g = SLAT_GATHER_INIT; gather_of(&g)->table = (const struct table_state *)f; return slat_payload_set(&f->t, slat_gpa(8 * MiB), 0x1000, 1, &g); }
static int payload_get_null(struct fx *f) { return slat_payload_get(&f->t, slat_gpa(8 * MiB), NULL); }
static int payload_get_gpa(struct fx *f) { uint64_t v; return slat_payload_get(&f->t, slat_gpa(1ull << 48), &v); }
static int payload_get_noent(struct fx *f) { uint64_t v; return slat_payload_get(&f->t, slat_gpa(8 * MiB), &v); }
static int payload_get_mapped(struct fx *f) { uint64_t v; return slat_payload_get(&f->t, slat_gpa(2 * MiB), &v); }

static const struct row rows[] = {
	{ "slat_payload_set", "NULL gather", SLAT_ENULL, payload_null },
	{ "slat_payload_set", "unaligned GPA", SLAT_EALIGN, payload_align },
	{ "slat_payload_set", "size zero", SLAT_ESIZE, payload_zero },
	{ "slat_payload_set", "wrapping range", SLAT_EWRAP, payload_wrap },
	{ "slat_payload_set", "GPA beyond the input width", SLAT_EGPA, payload_gpa },
	{ "slat_payload_set", "value 0", SLAT_EPAYLOAD, payload_value0 },
	{ "slat_payload_set", "value wider than the field", SLAT_EPAYLOAD, payload_wide },
	{ "slat_payload_set", "over a mapped page", SLAT_EEXIST, payload_exist },
	{ "slat_payload_set", "allocator exhausted", SLAT_ENOMEM, payload_nomem },
	{ "slat_payload_set", "gather of another table", SLAT_EGATHER, payload_gather },
	{ "slat_payload_get", "NULL output", SLAT_ENULL, payload_get_null },
	{ "slat_payload_get", "GPA beyond the input width", SLAT_EGPA, payload_get_gpa },
	{ "slat_payload_get", "nothing there", SLAT_ENOENT, payload_get_noent },
	{ "slat_payload_get", "mapped page", SLAT_EEXIST, payload_get_mapped },
	{ "slat_collapse", "NULL gather", SLAT_ENULL, collapse_null },
	{ "slat_collapse", "unaligned GPA", SLAT_EALIGN, collapse_align },
	{ "slat_collapse", "size zero", SLAT_ESIZE, collapse_zero },
	{ "slat_collapse", "wrapping range", SLAT_EWRAP, collapse_wrap },
	{ "slat_collapse", "GPA beyond the input width", SLAT_EGPA, collapse_gpa },
	{ "slat_collapse", "gather of another table", SLAT_EGATHER, collapse_gather },
	{ "slat_collapse", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_collapse },
	{ "slat_exec_fault", "NULL gather", SLAT_ENULL, exec_fault_null },
	{ "slat_exec_fault", "table without SLAT_FEAT_NX_HUGE", SLAT_ENOFEAT, exec_fault_nofeat },
	{ "slat_table_init", "NULL table", SLAT_ENULL, null_init },
	{ "slat_map", "NULL table", SLAT_ENULL, null_map_table },
	{ "slat_map", "NULL attrs", SLAT_ENULL, null_map_attrs },
	{ "slat_map", "NULL gather", SLAT_ENULL, null_map_gather },
	{ "slat_unmap", "NULL gather", SLAT_ENULL, null_unmap },
	{ "slat_protect", "NULL change", SLAT_ENULL, null_protect },
	{ "slat_split", "NULL table", SLAT_ENULL, null_split },
	{ "slat_translate", "NULL output", SLAT_ENULL, null_translate },
	{ "slat_for_each", "NULL visitor", SLAT_ENULL, null_each },
	{ "slat_dirty_harvest", "NULL bitmap", SLAT_ENULL, null_harvest },
	{ "slat_accessed", "NULL output", SLAT_ENULL, null_accessed },
	{ "slat_validate", "NULL count", SLAT_ENULL, null_validate },
	{ "slat_dump", "NULL writer", SLAT_ENULL, null_dump },
	{ "slat_gather_done", "NULL gather", SLAT_ENULL, null_done },
	{ "slat_hw_access", "NULL table", SLAT_ENULL, null_hw },
	{ "slat_map", "unaligned GPA", SLAT_EALIGN, align_map_gpa },
	{ "slat_map", "unaligned HPA", SLAT_EALIGN, align_map_hpa },
	{ "slat_map", "unaligned size", SLAT_EALIGN, align_map_size },
	{ "slat_unmap", "unaligned GPA", SLAT_EALIGN, align_unmap },
	{ "slat_protect", "unaligned size", SLAT_EALIGN, align_protect },
	{ "slat_split", "unaligned GPA", SLAT_EALIGN, align_split },
	{ "slat_for_each", "unaligned GPA", SLAT_EALIGN, align_each },
	{ "slat_map", "size zero", SLAT_ESIZE, zero_map },
	{ "slat_unmap", "size zero", SLAT_ESIZE, zero_unmap },
	{ "slat_protect", "size zero", SLAT_ESIZE, zero_protect },
	{ "slat_split", "size zero", SLAT_ESIZE, zero_split },
	{ "slat_dirty_harvest", "size zero", SLAT_ESIZE, zero_harvest },
	{ "slat_map", "wrapping GPA range", SLAT_EWRAP, wrap_map },
	{ "slat_map", "wrapping HPA range", SLAT_EWRAP, wrap_map_hpa },
	{ "slat_unmap", "wrapping range", SLAT_EWRAP, wrap_unmap },
	{ "slat_map", "range ending exactly at 2^64", SLAT_EGPA, end64_map },
	{ "slat_map", "HPA range ending exactly at 2^64", SLAT_EHPA, end64_map_hpa },
	{ "slat_unmap", "range ending exactly at 2^64", SLAT_EGPA, end64_unmap },
	{ "slat_protect", "range ending exactly at 2^64", SLAT_EGPA, end64_protect },
	{ "slat_split", "range ending exactly at 2^64", SLAT_EGPA, end64_split },
	{ "slat_for_each", "range ending exactly at 2^64", SLAT_EGPA, end64_each },
	{ "slat_dirty_harvest", "range ending exactly at 2^64", SLAT_EGPA, end64_harvest },
	{ "slat_protect", "wrapping range", SLAT_EWRAP, wrap_protect },
	{ "slat_map", "GPA beyond the input width", SLAT_EGPA, gpa_map },
	{ "slat_unmap", "GPA beyond the input width", SLAT_EGPA, gpa_unmap },
	{ "slat_protect", "GPA beyond the input width", SLAT_EGPA, gpa_protect },
	{ "slat_split", "GPA beyond the input width", SLAT_EGPA, gpa_split },
	{ "slat_translate", "GPA beyond the input width", SLAT_EGPA, gpa_translate },
	{ "slat_dirty_harvest", "GPA beyond the input width", SLAT_EGPA, gpa_harvest },
	{ "slat_hw_access", "GPA beyond the input width", SLAT_EGPA, gpa_hw },
	{ "slat_map", "HPA beyond the physical width", SLAT_EHPA, hpa_map },
	{ "slat_map", "overlap without replace", SLAT_EEXIST, exist_map },
	{ "slat_map", "no access, over a mapped page without replace", SLAT_EEXIST, exist_none_map },
	{ "slat_map", "no access, allocator exhausted (first table)", SLAT_ENOMEM, nomem_none_map0 },
	{ "slat_map", "no access, allocator exhausted (second table)", SLAT_ENOMEM, nomem_none_map1 },
	{ "slat_protect", "to no access, allocator exhausted (split)", SLAT_ENOMEM, nomem_none_protect },
	{ "slat_translate", "unmapped GPA", SLAT_ENOENT, noent_translate },
	{ "slat_hw_access", "unmapped GPA", SLAT_ENOENT, noent_hw },
	{ "slat_map", "split execute without the feature", SLAT_EPERM, perm_split_exec },
	{ "slat_hw_access", "write to a read-only leaf", SLAT_EPERM, perm_hw_write },
	{ "slat_map", "memory type out of range", SLAT_EMEMTYPE, mt_range },
	{ "slat_map", "shareability out of range", SLAT_EMEMTYPE, mt_share },
	{ "slat_map", "unknown flag", SLAT_EFLAGS, flags_map },
	{ "slat_map", "unknown attribute flag", SLAT_EFLAGS, flags_attr },
	{ "slat_map", "unknown permission bit", SLAT_EFLAGS, flags_perm },
	{ "slat_protect", "unknown permission bit", SLAT_EFLAGS, flags_protect },
	{ "slat_dirty_harvest", "unknown flag", SLAT_EFLAGS, flags_harvest },
	{ "slat_table_init", "unknown feature", SLAT_EFLAGS, flags_init },
	{ "slat_map", "size cap below the base page", SLAT_EPAGESIZE, pagesize_map },
	{ "slat_split", "size no level has", SLAT_EPAGESIZE, pagesize_split },
	{ "slat_table_init", "size cap below the base page", SLAT_EPAGESIZE, pagesize_init },
	{ "slat_map", "software bit the table lacks", SLAT_ESWBITS, swbits_map },
	{ "slat_protect", "software bit the table lacks", SLAT_ESWBITS, swbits_protect },
	{ "slat_table_init", "too many software bits", SLAT_ESWBITS, swbits_init },
	{ "slat_dirty_harvest", "table without A/D", SLAT_ENOFEAT, nofeat_harvest },
	{ "slat_accessed", "table without A/D", SLAT_ENOFEAT, nofeat_accessed },
	{ "slat_table_init", "A/D without the capability", SLAT_ECAPS, caps_init },
	{ "slat_table_init", "split execute without the capability", SLAT_ECAPS, caps_init_split },
	{ "slat_table_init", "input width too small", SLAT_ECONFIG, config_width },
	{ "slat_table_init", "missing allocator hook", SLAT_ECONFIG, config_alloc },
	{ "slat_table_init", "caps of another format", SLAT_EFORMAT, format_caps },
	{ "slat_map", "host memory key without keys", SLAT_EKEY, key_map },
	{ "slat_table_init", "tables' key without keys", SLAT_EKEY, key_init },
	{ "slat_table_init", "keys without the capability", SLAT_ECAPS, caps_init_keys },
	{ "slat_unmap", "gather of another table", SLAT_EGATHER, gather_other },
	{ "slat_gather_done", "gather of another table", SLAT_EGATHER, gather_done_other },
	{ "slat_map", "allocator exhausted", SLAT_ENOMEM, nomem_map },
	{ "slat_unmap", "allocator exhausted (split)", SLAT_ENOMEM, nomem_unmap },
	{ "slat_protect", "allocator exhausted (split)", SLAT_ENOMEM, nomem_protect },
	{ "slat_split", "allocator exhausted", SLAT_ENOMEM, nomem_split },
	{ "slat_table_init", "allocator exhausted", SLAT_ENOMEM, nomem_init },
	{ "slat_map", "allocator page misaligned", SLAT_EALIGN, skew_map_align },
	{ "slat_map", "allocator page beyond the output width", SLAT_EHPA, skew_map_high },
	{ "slat_unmap", "allocator page misaligned (split)", SLAT_EALIGN, skew_unmap },
	{ "slat_protect", "allocator page beyond the output width (split)", SLAT_EHPA, skew_protect },
	{ "slat_split", "allocator page misaligned", SLAT_EALIGN, skew_split },
	{ "slat_table_init", "allocator root misaligned", SLAT_EALIGN, skew_init_align },
	{ "slat_table_init", "allocator root beyond the output width", SLAT_EHPA, skew_init_high },
	{ "slat_map", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_map },
	{ "slat_unmap", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_unmap },
	{ "slat_protect", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_protect },
	{ "slat_split", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_split },
	{ "slat_translate", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_translate },
	{ "slat_for_each", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_each },
	{ "slat_dump", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_dump },
	{ "slat_hw_access", "corrupted entry on the way", SLAT_ECORRUPT, corrupt_hw },
};

static void test_rows(void **state)
{
	const struct slat_format *fmt = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		bool is_init = strcmp(r->call, "slat_table_init") == 0;
		struct snap before, after;
		struct slat_gather g0;
		struct fx f;
		uint64_t in_use;
		int err;

		fx_init(&f, fmt);
		populate(&f);
		snap_take(&f.t, &before);
		g0 = f.g;
		in_use = f.pool.in_use;
		if (is_init) {
			struct slat_table keep = f.t;

			/* Creation must not touch the object it was given on failure. */
			memset(&f.t, 0xa5, sizeof(f.t));
			err = r->run(&f);
			for (size_t k = 0; k < sizeof(f.t); k++)
				assert_int_equal(((unsigned char *)&f.t)[k], 0xa5);
			f.t = keep;
		} else {
			err = r->run(&f);
		}
		slat_pool_fail_after(&f.pool, -1, false);
		if (err != r->expect)
			fail_msg("%s: %s, %s: got %s, expected %s", slat_format_name(fmt),
				 r->call, r->input, slat_errname(err),
				 slat_errname(r->expect));
		snap_take(&f.t, &after);
		if (!snap_equal(&before, &after))
			fail_msg("%s: %s, %s: table changed", slat_format_name(fmt),
				 r->call, r->input);
		assert_int_equal(f.pool.in_use, in_use);
		assert_memory_equal(&f.g, &g0, sizeof(g0));
		snap_free(&before);
		snap_free(&after);
		fx_fini(&f);
	}
}

/* Every code has a distinct name and description. */
static void test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < SLAT_ERR_COUNT; i++) {
		assert_true(strncmp(slat_errname(i), "SLAT_", 5) == 0);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(slat_errname(i), slat_errname(j));
			assert_string_not_equal(slat_strerror(i), slat_strerror(j));
		}
	}
	assert_string_equal(slat_errname(SLAT_EALIGN), "SLAT_EALIGN");
	assert_string_equal(slat_strerror(-1), "unknown error");
	assert_string_equal(slat_strerror(SLAT_ERR_COUNT), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_rows),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
