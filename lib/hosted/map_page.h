/* SPDX-License-Identifier: MIT */
/*
 * Private to slat-map (lib/hosted/map_*.c): the geometry of the page, the
 * legend's classes, the state of one page being written and the small
 * text helpers every part uses. The helpers are static inline so that the
 * hosted library exports nothing but slat/map_svg.h; the three functions
 * shared between the files carry the internal prefix slat__ and are
 * hidden from the shared library.
 */
#ifndef SLAT_HOSTED_MAP_PAGE_H
#define SLAT_HOSTED_MAP_PAGE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <slat/error.h>
#include <slat/map_svg.h>

#define KIB_LG2 12 /* finest cell: 4 KiB, the smallest leaf of every format */
#define MIB2_LG2 21
#define GIB_LG2 30
#define CELLS_LG2 9     /* 512 cells per detail view */
#define COLS 32
#define ROWS 16
#define PITCH 18        /* px from one cell to the next */
#define CELL 16         /* px of a cell */
#define GRID_Y 22
#define MAX_BANDS 24    /* coarsen the overview beyond this many bands */
#define HOLE 8          /* permission class of "nothing mapped" */
#define NCLASS 9

/* Permission classes: bit 2 read, bit 1 write, bit 0 any execute. */
static const char *const class_name[NCLASS] = {
	"---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx", "hole",
};
static const char *const class_color[NCLASS] = {
	"#222222", "#cc79a7", "#f0e442", "#a6761d",
	"#56b4e9", "#e69f00", "#009e73", "#d55e00", "#eeeeee",
};
static const char *const class_text[NCLASS] = {
	"no access (reserved, see below)",
	"execute only", "write only", "write + execute, no read",
	"read only", "read + execute", "read + write",
	"read + write + execute", "nothing mapped",
};
/* The order of stripes in a cell that mixes classes. */
static const unsigned class_order[NCLASS] = { 7, 6, 5, 4, 1, 2, 3, 0, 8 };

static const char *const mt_name[SLAT_MT_COUNT] = { "WB", "WT", "WC", "WP", "UC", "DEV" };
static const char *const mt_text[SLAT_MT_COUNT] = {
	"write-back (plain)", "write-through", "write-combining",
	"write-protected", "uncacheable", "device",
};

static inline unsigned perm_class(unsigned perms)
{
	return ((perms & SLAT_PERM_R) ? 4u : 0u) | ((perms & SLAT_PERM_W) ? 2u : 0u) |
	       ((perms & SLAT_PERM_X) ? 1u : 0u);
}

/* Left margins for addresses: wide enough for the digits the space
 * needs (about 6.4 px a character at 10.5 px monospace), and never below
 * what a 48-bit space takes, so that the common pictures line up. */
#define GRID_X ((int)o->addr_w)
#define BAND_X ((int)o->addr_w + 24)
#define LABEL_X (BAND_X + 158)

static inline unsigned addr_width(unsigned digits)
{
	unsigned chars = 2 + digits + (digits - 1) / 4;
	unsigned w = (unsigned)(chars * 6.4 + 10);

	return w > 112 ? w : 112;
}

struct out {
	FILE *f;
	const struct slat_runs *runs;
	uint64_t space_last;     /* last address of the space */
	unsigned ia_bits;
	unsigned hex_digits;     /* digits shown for an address */
	unsigned addr_w;         /* px for an address (addr_width()) */
	uint64_t *gviews, *mviews; /* region bases with a detail view, sorted */
	size_t ngv, nmv;
	size_t gv_over, mv_over; /* regions that wanted a view over the cap */
};

static inline void pr(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void pr(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

static inline void put_escaped(struct out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", o->f); break;
		case '>': fputs("&gt;", o->f); break;
		case '&': fputs("&amp;", o->f); break;
		case '"': fputs("&quot;", o->f); break;
		default: fputc(*s, o->f);
		}
	}
}

/* An address as the page shows it: as many hex digits as the space
 * needs, grouped by four. */
static inline void put_addr(struct out *o, uint64_t a)
{
	int d;

	fputs("0x", o->f);
	for (d = (int)o->hex_digits - 1; d >= 0; d--) {
		fputc("0123456789abcdef"[(a >> (4 * d)) & 0xf], o->f);
		if (d && d % 4 == 0)
			fputc('_', o->f);
	}
}

/* Bytes in binary units: exact when it is a whole number of the unit. */
static inline void put_bytes(struct out *o, uint64_t first, uint64_t last)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	uint64_t n = last - first + 1;
	unsigned u = 0;

	if (n == 0) { /* the whole 64-bit space */
		fputs("16 EiB", o->f);
		return;
	}
	while (u < 6 && n >= (1ull << (10 * (u + 1))))
		u++;
	if (u == 0 || (n & ((1ull << (10 * u)) - 1)) == 0)
		pr(o, "%llu %s", (unsigned long long)(n >> (10 * u)), unit[u]);
	else
		pr(o, "%.1f %s", (double)n / (double)(1ull << (10 * u)), unit[u]);
}

/* A leaf size as slat_dump() writes it. */
static inline void put_page(struct out *o, unsigned lg2)
{
	unsigned u = (lg2 - 10) / 10;

	pr(o, "%llu%c", 1ull << (lg2 - 10 - 10 * u), "KMGTP"[u]);
}

static inline void put_perms(struct out *o, unsigned perms)
{
	fputc(perms & SLAT_PERM_R ? 'r' : '-', o->f);
	fputc(perms & SLAT_PERM_W ? 'w' : '-', o->f);
	fputc(perms & SLAT_PERM_XS ? 's' : '-', o->f);
	fputc(perms & SLAT_PERM_XU ? 'u' : '-', o->f);
}

static inline void put_mt(struct out *o, const struct slat_attrs *a)
{
	fputs(a->memtype < SLAT_MT_COUNT ? mt_name[a->memtype] : "??", o->f);
	if (a->flags & SLAT_ATTR_MT_FORCE)
		fputc('!', o->f);
}

/* The line slat_dump() writes for a run (tooltips quote it). */
static inline void put_dump_line(struct out *o, const struct slat_run *r)
{
	static const char *const sh[] = { "", " ish", " osh", " nsh" };

	pr(o, "0x%016llx-0x%016llx -> 0x%016llx ", (unsigned long long)r->gpa.v,
	   (unsigned long long)(r->gpa.v + r->size - 1), (unsigned long long)r->hpa.v);
	put_perms(o, r->attrs.perms);
	fputc(' ', o->f);
	put_mt(o, &r->attrs);
	fputs(sh[r->attrs.share & 3], o->f);
	fputc(' ', o->f);
	put_page(o, r->page_lg2);
	pr(o, " x%llu", (unsigned long long)r->leaves);
	if (r->attrs.sw)
		pr(o, " sw=%u", r->attrs.sw);
}

/* The fill of a range: the class colour, with the memory type's pattern
 * over it (patterns are defined once, in write_defs()). */
static inline void put_fill(struct out *o, unsigned cls, unsigned mt)
{
	if (cls == HOLE)
		fputs("url(#hole)", o->f);
	else if (mt == SLAT_MT_WB || mt >= SLAT_MT_COUNT)
		fputs(class_color[cls], o->f);
	else
		pr(o, "url(#f%u%u)", cls, mt);
}

/* The attributes every drawn mapping carries (slat/map_svg.h). */
static inline void put_data(struct out *o, uint64_t gpa, uint64_t size,
			    const struct slat_attrs *a, unsigned page_lg2)
{
	pr(o, " data-gpa=\"0x%llx\" data-size=\"0x%llx\" data-perm=\"",
	   (unsigned long long)gpa, (unsigned long long)size);
	put_perms(o, a->perms);
	fputs("\" data-mt=\"", o->f);
	put_mt(o, a);
	fputs("\" data-page=\"", o->f);
	put_page(o, page_lg2);
	fputc('"', o->f);
	if (a->sw)
		pr(o, " data-sw=\"%u\"", a->sw);
}

/* ---- looking things up in the runs ----------------------------------- */

/* Index of the first run that ends at or after @a (n if none). */
static inline size_t first_run_from(const struct slat_runs *r, uint64_t a)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].gpa.v + (r->v[mid].size - 1) < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline bool has_view(const uint64_t *v, size_t n, uint64_t base)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == base;
}

/* The first view base in [first, last], if any. */
static inline bool view_in(const uint64_t *v, size_t n, uint64_t first, uint64_t last,
			   uint64_t *base)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < (first & ~((1ull << GIB_LG2) - 1)))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && v[lo] <= last) {
		*base = v[lo];
		return true;
	}
	return false;
}

/* ---- shared between the files ------------------------------------------ */

/* Hidden: internal to libslat-hosted, not part of its ABI. */
#define SLAT__MAP_INTERNAL __attribute__((visibility("hidden")))

/* map_views.c: the regions that get a detail view (see there). */
SLAT__MAP_INTERNAL int slat__map_pick_views(struct out *o, unsigned lg2, size_t cap,
					    uint64_t **views, size_t *n, size_t *over);
/* map_views.c: the 1 GiB view @k with the 2 MiB views inside it, from
 * the @mk-th on. */
SLAT__MAP_INTERNAL void slat__map_write_gview(struct out *o, size_t k, size_t *mk);
/* map_overview.c: the whole space. */
SLAT__MAP_INTERNAL int slat__map_write_overview(struct out *o);

#endif
