/* SPDX-License-Identifier: MIT */
/*
 * No-access mappings that keep their output address and memory type
 * (issue 9 item 1), on every format. Expected entries are written out bit
 * by bit from the manuals, not taken from the library:
 *
 * EPT (SDM vol. 3C §29.3.2, §29.3.7): R = W = X = 0 is not present; the
 *   memory type stays in bits 5:3 (WB = 6: 0x30), bit 7 on a 2 MiB leaf,
 *   and libslat's mark in bit 11 (ignored): 4 KiB WB = 0x830, 2 MiB WB =
 *   0x8b0, 4 KiB UC at host 0 = 0x800. Re-opened RW WB: R | W | 0x30 = 0x33.
 * NPT (APM vol. 2 §5.4): P = 0 and R/W = 0, U/S = 1 (bit 2) and NX
 *   (bit 63) as a closed leaf has them, the mark in AVL bit 11; the test
 *   host PAT is Linux's (PA0 WB, PA3 UC), so WB is index 0 and UC index 3
 *   (PWT | PCD = 0x18): 4 KiB WB = NX | 0x804, 2 MiB WB = NX | 0x884, UC at
 *   host 0 = NX | 0x81c. Re-opened RW: NX | P | R/W | U/S = NX | 0x7.
 * Stage-2 (Arm ARM D8.3, D8.4): a valid descriptor with S2AP = 00 and
 *   XN[1] = 1 (bit 54); page descriptor bits 1:0 = 11, block 01; MemAttr
 *   1111 (Normal, outer and inner WB) in 5:2 = 0x3c, SH = 11 (inner) in
 *   9:8 = 0x300, AF bit 10 = 0x400: 4 KiB WB = XN | 0x73f, 2 MiB WB =
 *   XN | 0x73d; UC (Device-nGnRnE, MemAttr 0000, SH 10 as libslat writes
 *   for Device: 0x200) = XN | 0x603. Re-opened RW: S2AP = 11 (0xc0) =
 *   XN | 0x7ff.
 */

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define NX63 (1ull << 63)
#define XN54 (1ull << 54)

struct want {
	uint64_t none_4k_wb, none_2m_wb, none_4k_uc, rw_4k_wb;
};

static const struct want *want_of(const struct slat_format *fmt)
{
	static const struct want ept = { 0x830, 0x8b0, 0x800, 0x33 };
	static const struct want npt = { NX63 | 0x804, NX63 | 0x884, NX63 | 0x81c,
					 NX63 | 0x7 };
	static const struct want s2 = { XN54 | 0x73f, XN54 | 0x73d, XN54 | 0x603,
					XN54 | 0x7ff };

	if (fmt == &slat_format_ept)
		return &ept;
	if (fmt == &slat_format_npt)
		return &npt;
	return &s2;
}

static void map_none(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		     unsigned mt)
{
	struct slat_attrs a = slat_attrs_make(0, mt);

	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, 0, &f->g),
			 SLAT_OK);
}

static void expect_none(const struct slat_table *t, uint64_t gpa, uint64_t hpa,
			unsigned mt, unsigned lg2)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(t, slat_gpa(gpa), &m), SLAT_OK);
	assert_int_equal(m.hpa.v, hpa);
	assert_int_equal(m.attrs.perms, 0);
	assert_int_equal(m.attrs.memtype, mt);
	assert_int_equal(m.page_lg2, lg2);
	assert_false(m.dirty);
}

#define H4 0x123000ull
#define H2 0x80200000ull

/* The entries as the manuals spell them; translate reads them back; a
 * mapped no-access page collides like any other; protect re-opens it with
 * the kept address and type, and closes it again to the same bits. */
static void test_encode(void **state)
{
	const struct want *w = want_of(*state);
	struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_prot p;
	struct fx f;

	fx_init(&f, *state);
	map_none(&f, 0x5000, 0x1000, H4, SLAT_MT_WB);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | w->none_4k_wb);
	expect_none(&f.t, 0x5000, H4, SLAT_MT_WB, 12);
	/* UC at host address 0: every address and type bit zero, still mapped. */
	map_none(&f, 0x6000, 0x1000, 0, SLAT_MT_UC);
	assert_int_equal(*entry_at(&f.t, 0x6000, 0), w->none_4k_uc);
	expect_none(&f.t, 0x6000, 0, SLAT_MT_UC, 12);
	expect_unmapped(&f.t, 0x7000);
	expect_valid(&f.t);

	assert_int_equal(slat_map(&f.t, slat_gpa(0x5000), 0x1000, slat_hpa(0x999000), &rw, 0,
				  &f.g), SLAT_EEXIST);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | w->none_4k_wb);

	memset(&p, 0, sizeof(p));
	p.perm_set = SLAT_PERM_RW;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | w->rw_4k_wb);
	expect_map(&f.t, 0x5000, H4, SLAT_PERM_RW, 12);
	p = slat_prot_perms(0);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | w->none_4k_wb);
	/* The hardware model refuses every access. */
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x5000), false), SLAT_EPERM);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x5000), true), SLAT_EPERM);
	/* Replace maps over it. */
	assert_int_equal(slat_map(&f.t, slat_gpa(0x5000), 0x1000, slat_hpa(0x999000), &rw,
				  SLAT_MAP_REPLACE, &f.g), SLAT_OK);
	expect_map(&f.t, 0x5000, 0x999000, SLAT_PERM_RW, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* A no-access large leaf keeps its size; a split gives no-access small
 * leaves at the right addresses; re-opening part of it splits too. */
static void test_large_split(void **state)
{
	const struct want *w = want_of(*state);
	struct slat_prot p;
	struct fx f;
	uint64_t *pt;

	fx_init(&f, *state);
	map_none(&f, 4 * MiB, 2 * MiB, H2, SLAT_MT_WB);
	assert_int_equal(*entry_at(&f.t, 4 * MiB, 1), H2 | w->none_2m_wb);
	expect_none(&f.t, 4 * MiB + 0x3000, H2 + 0x3000, SLAT_MT_WB, 21);
	expect_valid(&f.t);
	assert_int_equal(slat_split(&f.t, slat_gpa(4 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	pt = entry_at(&f.t, 4 * MiB, 0);
	assert_non_null(pt);
	assert_int_equal(pt[0], H2 | w->none_4k_wb);
	assert_int_equal(pt[1], (H2 + 0x1000) | w->none_4k_wb);
	assert_int_equal(pt[511], (H2 + 511 * 0x1000) | w->none_4k_wb);
	expect_none(&f.t, 4 * MiB + 0x3000, H2 + 0x3000, SLAT_MT_WB, 12);
	expect_valid(&f.t);

	/* Re-open one page of a fresh large no-access leaf: a split, the
	 * page readable, its neighbours still closed. */
	map_none(&f, 8 * MiB, 2 * MiB, H2, SLAT_MT_WB);
	memset(&p, 0, sizeof(p));
	p.perm_set = SLAT_PERM_R;
	assert_int_equal(slat_protect(&f.t, slat_gpa(8 * MiB + 0x2000), 0x1000, &p, &f.g),
			 SLAT_OK);
	expect_map(&f.t, 8 * MiB + 0x2000, H2 + 0x2000, SLAT_PERM_R, 12);
	expect_none(&f.t, 8 * MiB + 0x1000, H2 + 0x1000, SLAT_MT_WB, 12);
	expect_none(&f.t, 8 * MiB + 0x3000, H2 + 0x3000, SLAT_MT_WB, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

struct seen {
	unsigned n;
	struct slat_mapping m[4];
};

static int collect(void *ctx, const struct slat_mapping *m)
{
	struct seen *s = ctx;

	if (s->n < 4)
		s->m[s->n] = *m;
	s->n++;
	return 0;
}

/* A table that holds only no-access leaves is not empty; for_each reports
 * them; the last unmap frees the tables. */
static void test_occupies(void **state)
{
	struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	uint64_t before, mapped;
	struct seen s;
	struct fx f;

	fx_init(&f, *state);
	fx_flush(&f);
	before = f.pool.in_use;
	assert_int_equal(slat_map(&f.t, slat_gpa(3 * GiB), 0x1000, slat_hpa(H4), &rw, 0, &f.g),
			 SLAT_OK);
	map_none(&f, 3 * GiB + 0x1000, 0x1000, H4 + 0x1000, SLAT_MT_WB);
	fx_flush(&f);
	mapped = f.pool.in_use;
	assert_true(mapped > before);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(3 * GiB), 0x1000, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(f.pool.in_use, mapped);
	expect_none(&f.t, 3 * GiB + 0x1000, H4 + 0x1000, SLAT_MT_WB, 12);
	memset(&s, 0, sizeof(s));
	assert_int_equal(slat_for_each(&f.t, slat_gpa(3 * GiB), 0x4000, collect, &s, NULL),
			 SLAT_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].gpa.v, 3 * GiB + 0x1000);
	assert_int_equal(s.m[0].hpa.v, H4 + 0x1000);
	assert_int_equal(s.m[0].attrs.perms, 0);
	expect_valid(&f.t);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(3 * GiB + 0x1000), 0x1000, &f.g), SLAT_OK);
	fx_flush(&f);
	assert_int_equal(f.pool.in_use, before);
	expect_unmapped(&f.t, 3 * GiB + 0x1000);
	fx_fini(&f);
}

static void sink(void *ctx, const char *s, size_t n)
{
	char *buf = ctx;
	size_t have = strlen(buf);

	if (have + n < 512) {
		memcpy(buf + have, s, n);
		buf[have + n] = 0;
	}
}

static void test_dump(void **state)
{
	char buf[512] = "";
	struct fx f;

	fx_init(&f, *state);
	map_none(&f, 0x5000, 0x1000, H4, SLAT_MT_WB);
	assert_int_equal(slat_dump(&f.t, slat_gpa(0), 1 * MiB, sink, buf), SLAT_OK);
	assert_non_null(strstr(buf, "0x0000000000005000-0x0000000000005fff -> 0x0000000000123000 ---- WB 4K x1"));
	fx_fini(&f);
}

/* Accessed/dirty: a no-access page is never made dirty (the hardware
 * cannot reach it), and dirty state from before the protect that closed
 * it is reported once, the same on every format. */
static void test_dirty(void **state)
{
	struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_prot none = slat_prot_perms(0);
	uint64_t bm[1], found;
	struct fx f;

	fx_prepare(&f, *state);
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_none(&f, 0x1000, 0x1000, H4, SLAT_MT_WB);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x2000), 0x1000, slat_hpa(H4 + 0x1000), &rw, 0,
				  &f.g), SLAT_OK);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), true), SLAT_EPERM);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x2000), true), SLAT_OK);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x2000), 0x1000, &none, &f.g), SLAT_OK);
	expect_map(&f.t, 0x2000, H4 + 0x1000, 0, 12);
	bm[0] = 0;
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x4000, bm, 1, 0, &found, &f.g),
			 SLAT_OK);
	assert_int_equal(found, 1);
	assert_int_equal(bm[0], 1ull << 2);
	bm[0] = 0;
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x4000, bm, 1, 0, &found, &f.g),
			 SLAT_OK);
	assert_int_equal(found, 0);
	assert_int_equal(bm[0], 0);
	expect_map(&f.t, 0x2000, H4 + 0x1000, 0, 12);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * What the hardware reports for an access to a no-access page, through the
 * decoders. On x86 the entry is not present, so the exit is the one an
 * absent page gives (the decoders read no table; slat_translate() tells the
 * two apart); on Arm it is a permission fault.
 */
static void test_faults(void **state)
{
	struct slat_fault f;
	struct fx fe;

	(void)state;
	/* EPT violation (exit reason 48), a data read (qualification bit 0),
	 * bits 5:3 = 000: no entry on the walk granted anything (§1.5). */
	assert_int_equal(slat_ept_fault(0, 48, 0x1, 0x5000, 0, &f), SLAT_OK);
	assert_int_equal(f.kind, SLAT_FAULT_TRANSLATION);
	assert_int_equal(f.access, SLAT_ACCESS_READ);
	assert_true(f.allowed_known);
	assert_int_equal(f.allowed, 0);
	/* #NPF: EXITINFO1 P = 0, R/W = 0 (read), U/S = 1 (nested accesses
	 * are user accesses), bit 32 = fault on the final translation. */
	assert_int_equal(slat_npt_fault((1ull << 32) | 0x4, 0x5000, &f), SLAT_OK);
	assert_int_equal(f.kind, SLAT_FAULT_TRANSLATION);
	/* ESR_EL2: EC 0x24 (data abort from a lower EL), IL, DFSC 0b001111
	 * (permission fault, level 3), WnR = 0; HPFAR_EL2 FIPA (bits 43:4)
	 * = IPA[47:12]. */
	assert_int_equal(slat_stage2_fault((0x24ull << 26) | (1ull << 25) | 0x0f,
					   (0x5000ull >> 12) << 4, 0x123, &f), SLAT_OK);
	assert_int_equal(f.kind, SLAT_FAULT_PERMISSION);
	assert_int_equal(f.level, 0);
	/* HPFAR_EL2 is not valid for a permission fault on the final
	 * translation (only for translation, Access flag and stage-1-walk
	 * faults, §3.12): the hypervisor finds the IPA from FAR_EL2 with
	 * AT S1E1R, as for any permission fault. */
	assert_false(f.gpa_valid);
	assert_true(f.gva_valid);
	assert_int_equal(f.gva, 0x123);

	/* And the table tells a no-access page from an absent one. */
	fx_init(&fe, &slat_format_ept);
	map_none(&fe, 0x5000, 0x1000, H4, SLAT_MT_WB);
	expect_none(&fe.t, 0x5000, H4, SLAT_MT_WB, 12);
	expect_unmapped(&fe.t, 0x6000);
	fx_fini(&fe);
}

static void count_problem(void *ctx, const struct slat_problem *p)
{
	struct slat_problem *last = ctx;

	*last = *p;
}

/* x86: the mark in an entry the hardware sees is something libslat never
 * writes; the validator names it. */
static void test_validate_mark(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_attrs rw = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_problem last;
	uint64_t *slot, n = 0;
	struct fx f;

	fx_init(&f, fmt);
	assert_int_equal(slat_map(&f.t, slat_gpa(0x5000), 0x1000, slat_hpa(H4), &rw, 0, &f.g),
			 SLAT_OK);
	slot = entry_at(&f.t, 0x5000, 0);
	*slot |= 1ull << 11;
	memset(&last, 0, sizeof(last));
	assert_int_equal(slat_validate(&f.t, count_problem, &last, &n), SLAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(last.kind, SLAT_PROB_RESERVED);
	assert_int_equal(last.bits, 1ull << 11);
	*slot &= ~(1ull << 11);
	expect_valid(&f.t);
	fx_fini(&f);
}

/*
 * EPT with MBEC: bit 10 (XU) also makes an entry present (SDM §29.3.2), so
 * a no-access leaf clears it too: 0x830 as without MBEC. Giving back user
 * execute alone makes the entry present through bit 10 only: XU | WB =
 * 0x430, the mark gone (execute-only needs the capability, which the test
 * CPU has).
 */
static void test_ept_mbec(void **state)
{
	struct slat_prot p;
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_OK);
	map_none(&f, 0x5000, 0x1000, H4, SLAT_MT_WB);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | 0x830);
	memset(&p, 0, sizeof(p));
	p.perm_set = SLAT_PERM_XU;
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | 0x430);
	expect_map(&f.t, 0x5000, H4, SLAT_PERM_XU, 12);
	p = slat_prot_perms(0);
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x5000), 0x1000, &p, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x5000, 0), H4 | 0x830);
	expect_valid(&f.t);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_ALL(test_encode),
		ON_ALL(test_large_split),
		ON_ALL(test_occupies),
		ON_ALL(test_dump),
		ON_ALL(test_dirty),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_ept_mbec),
		cmocka_unit_test_prestate(test_validate_mark, (void *)&slat_format_ept),
		cmocka_unit_test_prestate(test_validate_mark, (void *)&slat_format_npt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
