/* SPDX-License-Identifier: MIT */
/*
 * slat-map (slat/map_svg.h): the reader of slat_dump() text, and the page
 * drawn for a table whose every range is known. The expected markup is
 * worked out from what the test maps and from the legend documented in
 * slat/map_svg.h (colours, attribute names), never taken from a run.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slat/map_svg.h>

#include "harness.h"

/* Colours of the legend (slat/map_svg.h). */
#define GREEN "#009e73"   /* rw- */
#define ORANGE "#e69f00"  /* r-x */
#define VERMIL "#d55e00"  /* rwx */
#define PURPLE "#cc79a7"  /* --x */

#define HPA 0x100000000ull

struct page {
	char *buf;
	size_t len;
};

static void page_free(struct page *p)
{
	free(p->buf);
	p->buf = NULL;
}

static struct page draw_table(const struct slat_table *t, const struct slat_map_opts *o)
{
	struct page p = { NULL, 0 };
	FILE *f = open_memstream(&p.buf, &p.len);

	assert_non_null(f);
	assert_int_equal(slat_map_html_table(t, o, f), SLAT_OK);
	assert_int_equal(fclose(f), 0);
	return p;
}

static struct page draw_runs(const struct slat_runs *r, const struct slat_map_opts *o)
{
	struct page p = { NULL, 0 };
	FILE *f = open_memstream(&p.buf, &p.len);

	assert_non_null(f);
	assert_int_equal(slat_map_html(r, o, f), SLAT_OK);
	assert_int_equal(fclose(f), 0);
	return p;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* The text between the opening of the element with id @id and the next
 * section of the same kind (a view's own markup). */
static char *section(const char *page, const char *id)
{
	char key[64];
	const char *s, *e;
	char *out;

	snprintf(key, sizeof(key), "id=\"%s\"", id);
	s = strstr(page, key);
	if (!s)
		return NULL;
	e = strstr(s + 1, "<section");
	if (!e)
		e = s + strlen(s);
	out = strndup(s, (size_t)(e - s));
	assert_non_null(out);
	return out;
}

static void expect_has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected in the page: %s", needle);
}

static void map(struct fx *f, uint64_t gpa, uint64_t size, unsigned perms, unsigned mt,
		unsigned flags, unsigned sw)
{
	struct slat_attrs a = slat_attrs_make(perms, mt);

	a.flags = (uint8_t)flags;
	a.sw = (uint8_t)sw;
	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(HPA + gpa), &a, 0, &f->g),
			 SLAT_OK);
}

/*
 * The known table (EPT, 48-bit, split execute, 2 software bits):
 *   [0, 4K)           hole
 *   [4K, 16K)         3 x 4K rw-- WB                 -> one run
 *   [16K, 20K)        1 x 4K r--- UC, sw=1
 *   [20K, 2M)         hole
 *   [2M, 4M)          1 x 2M r-su WB
 *   [4M, 8M)          2 x 2M rw-- WC forced (ignore PAT)
 *   [8M, 8M+4K)       1 x 4K --su WB (execute-only)
 *   [8M+4K, 1G)       hole
 *   [1G, 2G)          1 x 1G rwsu WB
 *   [2G, 2^48)        hole
 */
static void build(struct fx *f)
{
	fx_prepare(f, &slat_format_ept);
	f->cfg.sw_bits = 2;
	f->cfg.features = SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(fx_create(f), SLAT_OK);
	map(f, 4 * KiB, 12 * KiB, SLAT_PERM_RW, SLAT_MT_WB, 0, 0);
	map(f, 16 * KiB, 4 * KiB, SLAT_PERM_R, SLAT_MT_UC, 0, 1);
	map(f, 2 * MiB, 2 * MiB, SLAT_PERM_RX, SLAT_MT_WB, 0, 0);
	map(f, 4 * MiB, 4 * MiB, SLAT_PERM_RW, SLAT_MT_WC, SLAT_ATTR_MT_FORCE, 0);
	map(f, 8 * MiB, 4 * KiB, SLAT_PERM_X, SLAT_MT_WB, 0, 0);
	map(f, 1 * GiB, 1 * GiB, SLAT_PERM_RWX, SLAT_MT_WB, 0, 0);
}

/* The overview has one band per run of like mappings and per hole. */
static void test_overview(void **state)
{
	struct fx f;
	struct page p;
	char *ov;

	(void)state;
	build(&f);
	p = draw_table(&f.t, NULL);
	expect_has(p.buf, "<!DOCTYPE html>");
	/* self-contained: nothing fetched, nothing run */
	assert_null(strstr(p.buf, "<script"));
	assert_null(strstr(p.buf, "http://"));
	assert_null(strstr(p.buf, "https://"));
	assert_null(strstr(p.buf, "src="));
	expect_has(p.buf, "48-bit guest-physical space");

	/* The bands: from the overview's own SVG on (not the legend). */
	ov = section(p.buf, "space");
	assert_non_null(ov);
	assert_non_null(strstr(ov, "<svg class=\"space\""));
	memmove(ov, strstr(ov, "<svg class=\"space\""), strlen(strstr(ov, "<svg class=\"space\"")) + 1);
	/* 4 holes and 6 runs (the four runs below 8 MiB + 4 KiB differ in
	 * attributes, so none merge). */
	assert_int_equal(count(ov, "class=\"band hole\""), 4);
	assert_int_equal(count(ov, "class=\"band run"), 6);
	expect_has(ov, "class=\"band hole\" data-gpa=\"0x0\" data-size=\"0x1000\"");
	expect_has(ov, "data-gpa=\"0x1000\" data-size=\"0x3000\" data-perm=\"rw--\" data-mt=\"WB\" "
		       "data-page=\"4K\" data-runs=\"1\" fill=\"" GREEN "\"");
	/* r-- with UC: the class colour under the UC pattern (class 4, type 4) */
	expect_has(ov, "data-gpa=\"0x4000\" data-size=\"0x1000\" data-perm=\"r---\" data-mt=\"UC\" "
		       "data-page=\"4K\" data-sw=\"1\" data-runs=\"1\" fill=\"url(#f44)\"");
	expect_has(ov, "class=\"band hole\" data-gpa=\"0x5000\" data-size=\"0x1fb000\"");
	expect_has(ov, "data-gpa=\"0x200000\" data-size=\"0x200000\" data-perm=\"r-su\" "
		       "data-mt=\"WB\" data-page=\"2M\" data-runs=\"1\" fill=\"" ORANGE "\"");
	/* rw- with forced WC: class 6, type 2, dashed outline */
	expect_has(ov, "data-gpa=\"0x400000\" data-size=\"0x400000\" data-perm=\"rw--\" "
		       "data-mt=\"WC!\" data-page=\"2M\" data-runs=\"1\" fill=\"url(#f62)\"");
	assert_int_equal(count(ov, "class=\"band run forced\""), 1);
	expect_has(ov, "data-gpa=\"0x800000\" data-size=\"0x1000\" data-perm=\"--su\" "
		       "data-mt=\"WB\" data-page=\"4K\" data-runs=\"1\" fill=\"" PURPLE "\"");
	expect_has(ov, "class=\"band hole\" data-gpa=\"0x801000\" data-size=\"0x3f7ff000\"");
	expect_has(ov, "data-gpa=\"0x40000000\" data-size=\"0x40000000\" data-perm=\"rwsu\" "
		       "data-mt=\"WB\" data-page=\"1G\" data-runs=\"1\" fill=\"" VERMIL "\"");
	/* 2^48 - 2 GiB */
	expect_has(ov, "class=\"band hole\" data-gpa=\"0x80000000\" data-size=\"0xffff80000000\"");
	/* The tooltip quotes slat_dump()'s line. */
	expect_has(ov, "<title>0x0000000000001000-0x0000000000003fff -> 0x0000000100001000 "
		       "rw-- WB 4K x3\n</title>");
	expect_has(ov, "0x0000000000004000-0x0000000000004fff -> 0x0000000100004000 "
		       "r--- UC 4K x1 sw=1\n");
	expect_has(ov, "0x0000000000400000-0x00000000007fffff -> 0x0000000100400000 "
		       "rw-- WC! 2M x2\n");
	/* one software-bit marker: the sw=1 page */
	assert_int_equal(count(ov, "<circle class=\"sw\""), 1);
	/* Bands below 1 GiB link to the first 1 GiB view; the 1 GiB leaf
	 * has none. */
	assert_int_equal(count(ov, "<a href=\"#g-0000000000000000\">"), 5);
	assert_null(strstr(ov, "#g-0000000040000000"));
	/* The legend keeps a place for no-access mappings. */
	expect_has(p.buf, "data-class=\"---\"");
	free(ov);
	page_free(&p);
	fx_fini(&f);
}

/* Only regions with leaves smaller than the region get a detail view. */
static void test_views(void **state)
{
	struct fx f;
	struct page p;
	char *g0, *m0, *m8;

	(void)state;
	build(&f);
	p = draw_table(&f.t, NULL);
	assert_int_equal(count(p.buf, "class=\"view gview\""), 1);
	assert_int_equal(count(p.buf, "class=\"view mview\""), 2);
	expect_has(p.buf, "id=\"g-0000000000000000\"");
	expect_has(p.buf, "id=\"m-0000000000000000\"");
	expect_has(p.buf, "id=\"m-0000000000800000\"");
	assert_null(strstr(p.buf, "id=\"m-0000000000200000\"")); /* one 2M leaf */
	assert_null(strstr(p.buf, "id=\"m-0000000000400000\""));

	/* 1 GiB view: 512 cells of 2 MiB. */
	g0 = section(p.buf, "g-0000000000000000");
	assert_non_null(g0);
	assert_int_equal(count(g0, "class=\"cell "), 512);
	/* [0, 2M): pages and holes, framed, links to its 2 MiB view */
	expect_has(g0, "<a href=\"#m-0000000000000000\"><g class=\"cell mixed zoom\" "
		       "data-gpa=\"0x0\" data-size=\"0x200000\">");
	expect_has(g0, "class=\"cell run\" x=\"130\" y=\"22\" width=\"16\" height=\"16\" "
		       "data-gpa=\"0x200000\" data-size=\"0x200000\" data-perm=\"r-su\" "
		       "data-mt=\"WB\" data-page=\"2M\" fill=\"" ORANGE "\"");
	expect_has(g0, "class=\"cell run forced\"");
	expect_has(g0, "data-gpa=\"0x400000\" data-size=\"0x200000\" data-perm=\"rw--\" "
		       "data-mt=\"WC!\" data-page=\"2M\"");
	expect_has(g0, "data-gpa=\"0x600000\" data-size=\"0x200000\" data-perm=\"rw--\" "
		       "data-mt=\"WC!\" data-page=\"2M\"");
	/* [8M, 10M): one execute-only page and a hole: one stripe per class */
	expect_has(g0, "<a href=\"#m-0000000000800000\"><g class=\"cell mixed zoom\" "
		       "data-gpa=\"0x800000\"");
	/* the rest: 512 - 5 cells of hole */
	assert_int_equal(count(g0, "class=\"cell hole\""), 507);
	expect_has(g0, "class=\"cell hole\" data-gpa=\"0xa00000\" data-size=\"0x200000\"");
	assert_int_equal(count(g0, "<circle class=\"sw\""), 1); /* in the first cell */

	/* 2 MiB view at 0: 512 cells of 4 KiB. */
	m0 = section(p.buf, "m-0000000000000000");
	assert_non_null(m0);
	assert_int_equal(count(m0, "class=\"cell "), 512);
	assert_int_equal(count(m0, "class=\"cell run"), 4);
	assert_int_equal(count(m0, "class=\"cell hole\""), 508);
	expect_has(m0, "class=\"cell hole\" data-gpa=\"0x0\" data-size=\"0x1000\"");
	/* cell 2 of row 0: x = 112 + 2 * 18 */
	expect_has(m0, "class=\"cell run\" x=\"148\" y=\"22\" width=\"16\" height=\"16\" "
		       "data-gpa=\"0x2000\" data-size=\"0x1000\" data-perm=\"rw--\" data-mt=\"WB\" "
		       "data-page=\"4K\" fill=\"" GREEN "\"><title>0x0000_0000_2000 \xe2\x86\x92 "
		       "0x100002000 rw-- WB 4K</title>");
	expect_has(m0, "data-gpa=\"0x4000\" data-size=\"0x1000\" data-perm=\"r---\" "
		       "data-mt=\"UC\" data-page=\"4K\" data-sw=\"1\" fill=\"url(#f44)\"");
	assert_int_equal(count(m0, "<circle class=\"sw\""), 1);
	expect_has(m0, "class=\"cell hole\" data-gpa=\"0x1ff000\"");
	/* row labels: the last row starts at 15 * 128 KiB */
	expect_has(m0, ">0x0000_001e_0000</text>");

	m8 = section(p.buf, "m-0000000000800000");
	assert_non_null(m8);
	assert_int_equal(count(m8, "class=\"cell run"), 1);
	expect_has(m8, "data-gpa=\"0x800000\" data-size=\"0x1000\" data-perm=\"--su\" "
		       "data-mt=\"WB\" data-page=\"4K\" fill=\"" PURPLE "\"");
	free(g0);
	free(m0);
	free(m8);
	page_free(&p);
	fx_fini(&f);
}

/* A leaf bigger than a cell is outlined as one block: Arm 64 KiB pages in
 * a 2 MiB view (16 cells each), 512 MiB blocks in a 1 GiB view. */
static void test_leaf_outlines(void **state)
{
	struct fx f;
	struct page p;
	char *m;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);

	(void)state;
	fx_prepare(&f, &slat_format_stage2);
	f.cfg.granule_lg2 = 16;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(slat_map(&f.t, slat_gpa(64 * KiB), 128 * KiB, slat_hpa(HPA), &a, 0, &f.g),
			 SLAT_OK);
	p = draw_table(&f.t, NULL);
	m = section(p.buf, "m-0000000000000000");
	assert_non_null(m);
	/* two leaves of 64 KiB: cells 16-31 and 32-47, outlines one row long
	 * (16 cells: 16 * 18 - 2 = 286 px, plus 1 px each side) */
	assert_int_equal(count(m, "class=\"leaf\""), 2);
	expect_has(m, "<rect class=\"leaf\" data-gpa=\"0x10000\" data-page=\"64K\" x=\"399.0\" "
		      "y=\"21.0\" width=\"288.0\" height=\"18.0\"/>");
	expect_has(m, "<rect class=\"leaf\" data-gpa=\"0x20000\" data-page=\"64K\" x=\"111.0\" "
		      "y=\"39.0\" width=\"288.0\" height=\"18.0\"/>");
	assert_int_equal(count(m, "class=\"cell run"), 32);
	free(m);
	page_free(&p);
	fx_fini(&f);
}

/*
 * A crowded 2 MiB folds into one band of the overview: 64 pages of
 * alternating rw-/r-- at 2 MiB are 64 runs, more than the overview's 24
 * bands, so the block [2M, 2M + 256K) becomes one "mixed" band; the
 * holes before (within block 0) and after (crossing blocks) stay.
 * With max_detail 1, only the first of the two 2 MiB regions holding
 * small pages gets a view, and the page says how many were left out.
 */
static void test_crowded(void **state)
{
	struct fx f;
	struct page p;
	struct slat_map_opts o;
	char *ov;
	unsigned i;

	(void)state;
	fx_init(&f, &slat_format_ept);
	for (i = 0; i < 64; i++)
		map(&f, 2 * MiB + i * 4 * KiB, 4 * KiB, i % 2 ? SLAT_PERM_R : SLAT_PERM_RW,
		    SLAT_MT_WB, 0, 0);
	map(&f, 6 * MiB, 4 * KiB, SLAT_PERM_RW, SLAT_MT_WB, 0, 0);
	memset(&o, 0, sizeof(o));
	o.max_detail = 1;
	p = draw_table(&f.t, &o);
	ov = section(p.buf, "space");
	assert_non_null(ov);
	memmove(ov, strstr(ov, "<svg class=\"space\""), strlen(strstr(ov, "<svg class=\"space\"")) + 1);
	assert_int_equal(count(ov, "class=\"band mixed\""), 1);
	expect_has(ov, "<g class=\"band mixed\" data-gpa=\"0x200000\" data-size=\"0x40000\">");
	expect_has(ov, "with 64 runs of different attributes");
	/* the label: 64 runs, the two classes, 64 leaves of 4K */
	expect_has(ov, "64 runs: rw- r--  4K\xc3\x97" "64");
	/* [0, 2M) hole, [2M+256K, 6M) hole, the page at 6M, the hole after */
	assert_int_equal(count(ov, "class=\"band hole\""), 3);
	assert_int_equal(count(ov, "class=\"band run"), 1);
	expect_has(ov, "data-gpa=\"0x600000\" data-size=\"0x1000\" data-perm=\"rw--\"");
	/* both small-page regions lie in the first 1 GiB: one 1 GiB view,
	 * one 2 MiB view (the cap), one left out */
	assert_int_equal(count(p.buf, "class=\"view gview\""), 1);
	assert_int_equal(count(p.buf, "class=\"view mview\""), 1);
	expect_has(p.buf, "id=\"m-0000000000200000\"");
	assert_null(strstr(p.buf, "id=\"m-0000000000600000\""));
	expect_has(p.buf, "(0 more 1 GiB and 1 more 2 MiB regions not drawn");
	/* the left-out region's cell in the 1 GiB view is not a link */
	assert_null(strstr(p.buf, "href=\"#m-0000000000600000\""));
	expect_has(p.buf, "href=\"#m-0000000000200000\"");
	free(ov);
	page_free(&p);
	fx_fini(&f);
}

/* A 64-bit space and a 57-bit one: addresses get the digits they need
 * and the margins grow to hold them (48 bits: 112 px, the minimum). */
static void test_wide_space(void **state)
{
	struct slat_run v = { { 0x1000 }, 0x1000, { 0x5000 }, { SLAT_PERM_RW, 0, 0, 0, 0, 0 }, 12, 1 };
	struct slat_runs r = { &v, 1, 1 };
	struct slat_map_opts o;
	struct page p;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.ia_bits = 64;
	p = draw_runs(&r, &o);
	/* the hole after the page runs to 2^64 - 1; 16 digits in 4 groups */
	expect_has(p.buf, "class=\"band hole\" data-gpa=\"0x2000\" data-size=\"0xffffffffffffe000\"");
	expect_has(p.buf, ">0xffff_ffff_ffff_ffff</text>");
	/* 21 characters: 21 * 6.4 + 10 = 144 px of margin, bands 24 px on */
	expect_has(p.buf, "<rect class=\"band run\" x=\"168\"");
	page_free(&p);
	o.ia_bits = 57;
	p = draw_runs(&r, &o);
	expect_has(p.buf, ">0x1ff_ffff_ffff_ffff</text>");
	page_free(&p);
}

/* Nothing mapped: one hole over the whole (32-bit by default) space. */
static void test_empty(void **state)
{
	struct slat_runs r = { NULL, 0, 0 };
	struct page p;

	(void)state;
	p = draw_runs(&r, NULL);
	expect_has(p.buf, "32-bit guest-physical space \xc2\xb7 nothing mapped in 0 runs");
	assert_int_equal(count(p.buf, "class=\"band "), 1);
	expect_has(p.buf, "class=\"band hole\" data-gpa=\"0x0\" data-size=\"0x100000000\"");
	assert_int_equal(count(p.buf, "class=\"view "), 0);
	page_free(&p);
}

static int runs_equal(const struct slat_runs *a, const struct slat_runs *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct slat_run *x = &a->v[i], *y = &b->v[i];

		if (x->gpa.v != y->gpa.v || x->size != y->size || x->hpa.v != y->hpa.v ||
		    x->page_lg2 != y->page_lg2 || x->leaves != y->leaves ||
		    x->attrs.perms != y->attrs.perms || x->attrs.memtype != y->attrs.memtype ||
		    x->attrs.flags != y->attrs.flags || x->attrs.share != y->attrs.share ||
		    x->attrs.sw != y->attrs.sw)
			return 0;
	}
	return 1;
}

/* slat_dump_file() text reads back to the runs of the live table, and the
 * page drawn from it is the page drawn from the table. */
static void test_dump_round_trip(void **state)
{
	struct fx f;
	struct slat_runs live = { NULL, 0, 0 }, read = { NULL, 0, 0 };
	struct slat_map_opts o;
	struct page a, b;
	unsigned long line;
	FILE *tmp;

	(void)state;
	build(&f);
	assert_int_equal(slat_runs_from_table(&f.t, slat_gpa(0), 1ull << 48, &live), SLAT_OK);
	assert_int_equal(live.n, 6);
	assert_int_equal(live.v[0].gpa.v, 4 * KiB);
	assert_int_equal(live.v[0].leaves, 3);
	assert_int_equal(live.v[5].page_lg2, 30);
	tmp = tmpfile();
	assert_non_null(tmp);
	fputs("# a comment, then an empty line\n\n", tmp);
	assert_int_equal(slat_dump_file(&f.t, slat_gpa(0), 1ull << 48, tmp), SLAT_OK);
	rewind(tmp);
	assert_int_equal(slat_runs_read(tmp, &read, &line), SLAT_OK);
	assert_int_equal(line, 0);
	fclose(tmp);
	assert_true(runs_equal(&live, &read));

	memset(&o, 0, sizeof(o));
	o.ia_bits = 48;
	a = draw_table(&f.t, &o);
	b = draw_runs(&read, &o);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	page_free(&a);
	page_free(&b);
	/* Without a width, the runs ending at 2 GiB get the 32-bit minimum. */
	b = draw_runs(&read, NULL);
	expect_has(b.buf, "32-bit guest-physical space");
	expect_has(b.buf, "class=\"band hole\" data-gpa=\"0x80000000\" data-size=\"0x80000000\"");
	page_free(&b);
	slat_runs_free(&live);
	slat_runs_free(&read);
	fx_fini(&f);
}

/* Each field of a dump line, and lines that are not dump lines. */
static void test_parse(void **state)
{
	struct slat_run r;
	static const char *const bad[] = {
		"",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K",
		"0x0-0xfff -> 0x1000 rw-- WB 4K x1",                  /* short addresses */
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-x WB 4K x1",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- XX 4K x1",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 3K x1",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x2",
		"0x0000000000000000-0x0000000000001fff -> 0x0000000000001000 rw-- WB 2M x1",
		"0x0000000000001000-0x0000000000001fff -> 0x0000000000001800 rw-- WB 4K x1",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x1 sw=0",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x1 junk",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x01",
		"0x0000000000001000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x1",
		"0x000000000000000G-0x0000000000000fff -> 0x0000000000001000 rw-- WB 4K x1",
		"0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 rw-- WB 2K x2",
		"0x0000000000000000-0x0fffffffffffffff -> 0x0000000000000000 rw-- WB 1024P x1",
	};
	size_t i;

	(void)state;
	assert_int_equal(slat_dump_parse("0x0000000000200000-0x00000000005fffff -> "
					 "0x0000000340000000 r-s- DEV! osh 2M x2 sw=3\n", &r),
			 SLAT_OK);
	assert_int_equal(r.gpa.v, 2 * MiB);
	assert_int_equal(r.size, 4 * MiB);
	assert_int_equal(r.hpa.v, 0x340000000ull);
	assert_int_equal(r.attrs.perms, SLAT_PERM_R | SLAT_PERM_XS);
	assert_int_equal(r.attrs.memtype, SLAT_MT_DEVICE);
	assert_int_equal(r.attrs.flags, SLAT_ATTR_MT_FORCE);
	assert_int_equal(r.attrs.share, SLAT_SH_OUTER);
	assert_int_equal(r.attrs.sw, 3);
	assert_int_equal(r.page_lg2, 21);
	assert_int_equal(r.leaves, 2);
	assert_int_equal(slat_dump_parse("0x0000000000000000-0x000000000000ffff -> "
					 "0x0000000000010000 ---u WT nsh 64K x1", &r), SLAT_OK);
	assert_int_equal(r.page_lg2, 16);
	assert_int_equal(r.attrs.perms, SLAT_PERM_XU);
	assert_int_equal(r.attrs.share, SLAT_SH_NONE);
	assert_int_equal(r.attrs.sw, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		if (slat_dump_parse(bad[i], &r) != SLAT_EPARSE)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(r.gpa.v, 0x5a5a5a5a5a5a5a5aull); /* untouched */
	}
	assert_int_equal(slat_dump_parse(NULL, &r), SLAT_ENULL);
	assert_int_equal(slat_dump_parse(bad[1], NULL), SLAT_ENULL);
}

static int read_text(const char *text, struct slat_runs *out, unsigned long *line)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	assert_non_null(f);
	err = slat_runs_read(f, out, line);
	fclose(f);
	return err;
}

/* A bad line fails the whole read, names its number, and keeps nothing. */
static void test_read_errors(void **state)
{
	struct slat_runs r = { NULL, 0, 0 };
	unsigned long line;
	static const char l1[] = "0x0000000000000000-0x0000000000000fff -> 0x0000000000001000 "
				 "rw-- WB 4K x1\n";
	static const char l2[] = "0x0000000000002000-0x0000000000002fff -> 0x0000000000003000 "
				 "rw-- WB 4K x1\n";
	char text[1024];

	(void)state;
	assert_int_equal(read_text(l1, &r, &line), SLAT_OK);
	assert_int_equal(r.n, 1);
	/* out of order */
	snprintf(text, sizeof(text), "%s%s", l2, l1);
	assert_int_equal(read_text(text, &r, &line), SLAT_EPARSE);
	assert_int_equal(line, 2);
	assert_int_equal(r.n, 1);
	/* overlapping: the same line twice */
	snprintf(text, sizeof(text), "%s\n%s", l2, l2);
	assert_int_equal(read_text(text, &r, &line), SLAT_EPARSE);
	assert_int_equal(line, 3);
	/* the demo's other output is not a dump */
	snprintf(text, sizeof(text), "%sEPTP = 0x1000001e\n", l2);
	assert_int_equal(read_text(text, &r, &line), SLAT_EPARSE);
	assert_int_equal(line, 2);
	assert_int_equal(r.n, 1);
	/* a line longer than any dump line */
	memset(text, 'x', 600);
	text[600] = 0;
	assert_int_equal(read_text(text, &r, &line), SLAT_EPARSE);
	assert_int_equal(line, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(slat_runs_read(NULL, &r, &line), SLAT_ENULL);
	slat_runs_free(&r);
	assert_null(r.v);
	assert_int_equal(r.n, 0);
}

/* Runs that cannot be drawn, and output that cannot be written. */
static void test_draw_errors(void **state)
{
	struct slat_run v[2];
	struct slat_runs r = { v, 2, 2 };
	struct slat_map_opts o;
	FILE *ro;

	(void)state;
	memset(v, 0, sizeof(v));
	memset(&o, 0, sizeof(o));
	v[0].gpa.v = 0;
	v[0].size = 8 * KiB;
	v[0].page_lg2 = 12;
	v[0].leaves = 2;
	v[0].attrs = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	v[1] = v[0];
	v[1].gpa.v = 8 * KiB;
	ro = fopen("/dev/null", "r");
	assert_non_null(ro);

	assert_int_equal(slat_map_html(NULL, &o, ro), SLAT_ENULL);
	assert_int_equal(slat_map_html(&r, &o, NULL), SLAT_ENULL);
	o.ia_bits = 11;
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_ECONFIG);
	o.ia_bits = 65;
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_ECONFIG);
	o.ia_bits = 0;
	v[1].gpa.v = 4 * KiB; /* overlaps the first */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EEXIST);
	v[1].gpa.v = 9 * KiB; /* not aligned */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EALIGN);
	v[1].gpa.v = 8 * KiB;
	v[1].leaves = 3; /* 3 leaves of 4 KiB are not 8 KiB */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EALIGN);
	v[1].leaves = 2;
	v[1].page_lg2 = 11; /* below any base page */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EPAGESIZE);
	v[1].page_lg2 = 60; /* beyond what a dump can spell */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EPAGESIZE);
	v[1].page_lg2 = 12;
	v[1].gpa.v = 1ull << 40;
	o.ia_bits = 40; /* the run starts at the end of the space */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EGPA);
	o.ia_bits = 41;
	/* a stream that refuses writes */
	assert_int_equal(slat_map_html(&r, &o, ro), SLAT_EIO);
	fclose(ro);
	assert_int_equal(slat_map_html_table(NULL, &o, stdout), SLAT_ENULL);
}

/* The names of the two hosted error codes. */
static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(slat_errname(SLAT_EPARSE), "SLAT_EPARSE");
	assert_string_equal(slat_errname(SLAT_EIO), "SLAT_EIO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overview),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_leaf_outlines),
		cmocka_unit_test(test_crowded),
		cmocka_unit_test(test_wide_space),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_draw_errors),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
