/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

const struct slat_format *const all_formats[3] = {
	&slat_format_ept, &slat_format_npt, &slat_format_stage2,
};

void caps_ept_full(struct slat_caps *c)
{
	/* IA32_VMX_EPT_VPID_CAP: execute-only, PWL4, PWL5, UC, WB, 2M, 1G,
	 * INVEPT, A/D, single- and all-context (SDM vol. 3D A.10). */
	uint64_t cap = (1ull << 0) | (1ull << 6) | (1ull << 7) | (1ull << 8) |
		       (1ull << 14) | (1ull << 16) | (1ull << 17) |
		       (1ull << 20) | (1ull << 21) | (1ull << 25) | (1ull << 26);
	/* Secondary controls allowed-1: enable EPT (1), MBEC (22). */
	uint64_t ctls2 = ((1ull << 1) | (1ull << 22)) << 32;

	assert_int_equal(slat_ept_caps(cap, ctls2, 46, c), SLAT_OK);
}

void caps_npt_full(struct slat_caps *c)
{
	/* CPUID 8000000A EDX: NP (0), FlushByAsid (6), GMET (17);
	 * 80000008 EAX: 48-bit physical, 0 guest-physical (= physical);
	 * 80000001 EDX: Page1GB (26); a host with 4-level paging (CR4.LA57 0). */
	assert_int_equal(slat_npt_caps((1u << 0) | (1u << 6) | (1u << 17),
				       0x3030, 1u << 26, 0, c),
			 SLAT_OK);
}

void caps_stage2_full(struct slat_caps *c)
{
	/* ID_AA64MMFR0_EL1: PARange 48 bits (5), TGran4_2/16_2/64_2 = 2
	 * (supported); MMFR1: HAFDBS 2, VMIDBits 16 (2), XNX 1;
	 * MMFR2: TTL 1, FWB 1; ISAR0: TLB range (2). */
	uint64_t mmfr0 = 5ull | (2ull << 32) | (2ull << 36) | (2ull << 40);
	uint64_t mmfr1 = 2ull | (2ull << 4) | (1ull << 28);
	uint64_t mmfr2 = (1ull << 40) | (1ull << 48);
	uint64_t isar0 = 2ull << 56;

	assert_int_equal(slat_stage2_caps(mmfr0, mmfr1, mmfr2, isar0, c), SLAT_OK);
}

static void record_sync(void *ctx, const struct slat_table *t,
			const struct slat_gather *g)
{
	struct fx *f = ctx;

	(void)t;
	f->syncs++;
	f->last_sync = *g;
	if (f->sync_watch)
		f->sync_entry = *f->sync_watch;
}

void fx_prepare(struct fx *f, const struct slat_format *format)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(slat_pool_init(&f->pool, 64 * MiB, POOL_PA), 0);
	if (format == &slat_format_ept)
		caps_ept_full(&f->caps);
	else if (format == &slat_format_npt)
		caps_npt_full(&f->caps);
	else
		caps_stage2_full(&f->caps);
	f->cfg.format = format;
	f->cfg.caps = &f->caps;
	f->cfg.alloc = slat_pool_allocator(&f->pool);
	f->cfg.ia_bits = 48;
	/* Linux's host PAT (WB, WC, UC-, UC, WB, WP, UC-, WT), so that NPT
	 * can express every x86 memory type. */
	if (format == &slat_format_npt)
		f->cfg.host_pat = 0x0407050600070106ull;
	f->cfg.sync_invalidate = record_sync;
	f->cfg.sync_ctx = f;
	slat_gather_init(&f->g);
}

int fx_create(struct fx *f)
{
	return slat_table_init(&f->t, &f->cfg);
}

void fx_init(struct fx *f, const struct slat_format *format)
{
	fx_prepare(f, format);
	assert_int_equal(fx_create(f), SLAT_OK);
}

void fx_flush(struct fx *f)
{
	assert_int_equal(slat_gather_done(&f->t, &f->g), SLAT_OK);
}

void fx_fini(struct fx *f)
{
	fx_flush(f);
	assert_int_equal(slat_table_destroy(&f->t), SLAT_OK);
	assert_int_equal(f->pool.in_use, 0);
	assert_int_equal(f->pool.allocs, f->pool.frees);
	slat_pool_fini(&f->pool);
}

/* Decode enough of each format to follow table entries without libslat. */
static int is_table(const struct slat_table *t, unsigned level, uint64_t e)
{
	switch (slat_table_format(t)) {
	case SLAT_FORMAT_EPT:
		return (e & 7) && level > 0 && !(e & (1ull << 7));
	case SLAT_FORMAT_NPT:
		return (e & 1) && level > 0 && !(e & (1ull << 7));
	default:
		return level > 0 && (e & 3) == 3;
	}
}

/* Arm's 64K granule on a CPU with 52-bit PAs keeps address bits 51:48 in
 * descriptor bits 15:12 (FEAT_LPA); everything else keeps them in place. */
static uint64_t table_addr(const struct slat_table *t, uint64_t e)
{
	if (slat_table_format(t) == SLAT_FORMAT_STAGE2 &&
	    slat_table_level_shift(t, 0) == 16 && table_of_c(t)->caps.pa_bits == 52)
		return (e & 0x0000ffffffff0000ull) | (((e >> 12) & 0xf) << 48);
	return e & 0x000ffffffffff000ull;
}

/* Every fixture's allocator is a struct slat_pool. */
static bool in_pool(const struct slat_table *t, uint64_t pa)
{
	const struct slat_pool *p = table_of_c(t)->alloc.ctx;

	return pa >= p->pa_base && pa - p->pa_base < p->size;
}

static void *p2v(const struct slat_table *t, uint64_t pa)
{
	return table_of_c(t)->alloc.phys_to_virt(table_of_c(t)->alloc.ctx, pa);
}

static void snap_add(struct snap *s, const struct slat_table *t,
		     const uint64_t *table, uint64_t pa, unsigned level,
		     size_t bytes)
{
	size_t i, n = bytes / 8;

	s->pa = realloc(s->pa, (s->n + 1) * sizeof(*s->pa));
	s->bytes = realloc(s->bytes, (s->n + 1) * s->page);
	assert_non_null(s->pa);
	assert_non_null(s->bytes);
	memset(s->bytes + s->n * s->page, 0, s->page);
	memcpy(s->bytes + s->n * s->page, table, bytes);
	s->pa[s->n++] = pa;
	/* Follow table entries, but not ones a test corrupted to point
	 * beyond any physical address the pool hands out. */
	for (i = 0; i < n; i++)
		if (is_table(t, level, table[i]) && in_pool(t, table_addr(t, table[i])))
			snap_add(s, t, p2v(t, table_addr(t, table[i])),
				 table_addr(t, table[i]), level - 1,
				 1ull << (slat_table_level_shift(t, 0)));
}

void snap_take(const struct slat_table *t, struct snap *s)
{
	uint64_t root = slat_table_root(t).v;
	size_t root_bytes = 1ull << table_of_c(t)->lay.root_lg2;

	memset(s, 0, sizeof(*s));
	s->page = root_bytes;
	snap_add(s, t, p2v(t, root), root, slat_table_levels(t) - 1, root_bytes);
}

int snap_equal(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && a->page == b->page &&
	       memcmp(a->pa, b->pa, a->n * sizeof(*a->pa)) == 0 &&
	       memcmp(a->bytes, b->bytes, a->n * a->page) == 0;
}

void snap_free(struct snap *s)
{
	free(s->pa);
	free(s->bytes);
	memset(s, 0, sizeof(*s));
}

uint64_t *entry_at(const struct slat_table *t, uint64_t gpa, unsigned level)
{
	unsigned l = slat_table_levels(t) - 1;
	uint64_t *table = p2v(t, slat_table_root(t).v);

	for (;;) {
		unsigned shift = slat_table_level_shift(t, l);
		unsigned bits = l == slat_table_levels(t) - 1
					? table_of_c(t)->lay.bits[l]
					: slat_table_level_shift(t, 0) - 3;
		uint64_t *slot = &table[(gpa >> shift) & ((1ull << bits) - 1)];

		if (l == level)
			return slot;
		if (!is_table(t, l, *slot))
			return NULL;
		table = p2v(t, table_addr(t, *slot));
		l--;
	}
}

void expect_map(const struct slat_table *t, uint64_t gpa, uint64_t hpa,
		unsigned perms, unsigned page_lg2)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(t, slat_gpa(gpa), &m), SLAT_OK);
	assert_int_equal(m.hpa.v, hpa);
	assert_int_equal(m.attrs.perms, perms);
	assert_int_equal(m.page_lg2, page_lg2);
}

void expect_unmapped(const struct slat_table *t, uint64_t gpa)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(t, slat_gpa(gpa), &m), SLAT_ENOENT);
}

static void print_problem(void *ctx, const struct slat_problem *p)
{
	(void)ctx;
	print_error("problem: %s at gpa 0x%llx level %u entry 0x%llx bits 0x%llx\n",
		    slat_problem_str(p->kind), (unsigned long long)p->gpa.v,
		    p->level, (unsigned long long)p->entry,
		    (unsigned long long)p->bits);
}

void expect_valid(const struct slat_table *t)
{
	uint64_t n = 99;

	assert_int_equal(slat_validate(t, print_problem, NULL, &n), SLAT_OK);
	assert_int_equal(n, 0);
}
