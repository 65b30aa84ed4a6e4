/* SPDX-License-Identifier: MIT */
/*
 * slat-map: one self-contained HTML page with inline SVG that draws a
 * guest-physical address space at three levels of detail (the whole
 * space, 1 GiB regions in cells of 2 MiB, 2 MiB regions in cells of
 * 4 KiB). The levels are linked by #anchors and shown with CSS :target,
 * so that the page needs no script and works from a file:// URL. The
 * legend and the attribute names are documented in slat/map_svg.h; the
 * browser test (tests/map/browser.sh) relies on them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <slat/error.h>
#include <slat/lookup.h>
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

static unsigned perm_class(unsigned perms)
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

static unsigned addr_width(unsigned digits)
{
	unsigned chars = 2 + digits + (digits - 1) / 4;
	unsigned w = (unsigned)(chars * 6.4 + 10);

	return w > 112 ? w : 112;
}

/* ---- output helpers ---------------------------------------------------- */

struct out {
	FILE *f;
	const struct slat_runs *runs;
	uint64_t space_last;     /* last address of the space */
	unsigned ia_bits;
	unsigned hex_digits;     /* digits shown for an address */
	unsigned addr_w;         /* px for an address (at least 112: see margins()) */
	uint64_t *gviews, *mviews; /* region bases with a detail view, sorted */
	size_t ngv, nmv;
	size_t gv_over, mv_over; /* regions that wanted a view over the cap */
};

static void pr(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pr(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

static void put_escaped(struct out *o, const char *s)
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
static void put_addr(struct out *o, uint64_t a)
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
static void put_bytes(struct out *o, uint64_t first, uint64_t last)
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
static void put_page(struct out *o, unsigned lg2)
{
	unsigned u = (lg2 - 10) / 10;

	pr(o, "%llu%c", 1ull << (lg2 - 10 - 10 * u), "KMGTP"[u]);
}

static void put_perms(struct out *o, unsigned perms)
{
	fputc(perms & SLAT_PERM_R ? 'r' : '-', o->f);
	fputc(perms & SLAT_PERM_W ? 'w' : '-', o->f);
	fputc(perms & SLAT_PERM_XS ? 's' : '-', o->f);
	fputc(perms & SLAT_PERM_XU ? 'u' : '-', o->f);
}

static void put_mt(struct out *o, const struct slat_attrs *a)
{
	fputs(a->memtype < SLAT_MT_COUNT ? mt_name[a->memtype] : "??", o->f);
	if (a->flags & SLAT_ATTR_MT_FORCE)
		fputc('!', o->f);
}

/* The line slat_dump() writes for a run (tooltips quote it). */
static void put_dump_line(struct out *o, const struct slat_run *r)
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
static void put_fill(struct out *o, unsigned cls, unsigned mt)
{
	if (cls == HOLE)
		fputs("url(#hole)", o->f);
	else if (mt == SLAT_MT_WB || mt >= SLAT_MT_COUNT)
		fputs(class_color[cls], o->f);
	else
		pr(o, "url(#f%u%u)", cls, mt);
}

/* The attributes every drawn mapping carries (slat/map_svg.h). */
static void put_data(struct out *o, uint64_t gpa, uint64_t size, const struct slat_attrs *a,
		     unsigned page_lg2)
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
static size_t first_run_from(const struct slat_runs *r, uint64_t a)
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

static bool has_view(const uint64_t *v, size_t n, uint64_t base)
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
static bool view_in(const uint64_t *v, size_t n, uint64_t first, uint64_t last, uint64_t *base)
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

/* Regions seen so far by pick_views(), in address order. */
struct picked {
	uint64_t *v;
	size_t n, cap, over;
	uint64_t next; /* first region index not yet counted */
	bool full;     /* the last region of the space was counted */
};

/* Count regions [from, to] (indices), each once: the first ones into the
 * list, the rest only into the count of those left out. */
static void pick_range(struct picked *p, uint64_t from, uint64_t to, unsigned lg2)
{
	if (p->full || to < p->next)
		return;
	if (from < p->next)
		from = p->next;
	for (;;) {
		if (p->n == p->cap) {
			p->over += to - from + 1;
			break;
		}
		p->v[p->n++] = from << lg2;
		if (from == to)
			break;
		from++;
	}
	if (to == UINT64_MAX >> lg2)
		p->full = true;
	else
		p->next = to + 1;
}

/*
 * The regions of 2^lg2 bytes that get a detail view: those touched by a
 * run of leaves smaller than the region (only they can hold a hole or a
 * second run; a region inside a run of bigger leaves is one colour and is
 * drawn whole by the level above). At most @cap, in address order; the
 * others are counted in @over. A 2 MiB view needs the 1 GiB view around
 * it, so runs are taken 1 GiB at a time: the work grows with the 1 GiB
 * regions a run spans, not with its 2 MiB ones.
 */
static int pick_views(struct out *o, unsigned lg2, size_t cap, uint64_t **views,
		      size_t *n, size_t *over)
{
	struct picked p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.cap = cap;
	p.v = malloc(cap * sizeof(*p.v));
	if (!p.v)
		return SLAT_ENOMEM;
	for (i = 0; i < o->runs->n; i++) {
		const struct slat_run *r = &o->runs->v[i];
		uint64_t b = r->gpa.v >> lg2, last = (r->gpa.v + (r->size - 1)) >> lg2;

		if (r->page_lg2 >= lg2)
			continue;
		for (;;) {
			uint64_t end = last, parent = (b << lg2) & ~((1ull << GIB_LG2) - 1);

			if (lg2 < GIB_LG2) {
				uint64_t parent_last = (parent >> lg2) + (1ull << (GIB_LG2 - lg2)) - 1;

				end = parent_last < last ? parent_last : last;
				if (has_view(o->gviews, o->ngv, parent))
					pick_range(&p, b, end, lg2);
			} else {
				pick_range(&p, b, end, lg2);
			}
			if (end == last)
				break;
			b = end + 1;
		}
	}
	*views = p.v;
	*n = p.n;
	*over = p.over;
	return SLAT_OK;
}

/* ---- the whole-space overview --------------------------------------- */

struct band {
	uint64_t first, last;
	size_t run0, nruns;       /* runs inside; 0 runs: a hole */
	bool mixed;               /* unlike runs or holes coarsened together */
	uint64_t cls_bytes[NCLASS];
	uint64_t leaves[64];      /* by leaf size */
};

static void band_add_run(struct band *b, const struct slat_run *r, size_t idx)
{
	if (!b->nruns)
		b->run0 = idx;
	b->nruns++;
	b->last = r->gpa.v + r->size - 1;
	b->cls_bytes[perm_class(r->attrs.perms)] += r->size;
	b->leaves[r->page_lg2] += r->leaves;
}

static bool same_look(const struct slat_attrs *a, const struct slat_attrs *b)
{
	return a->perms == b->perms && a->memtype == b->memtype && a->flags == b->flags &&
	       a->share == b->share && a->sw == b->sw;
}

/* Bands: holes, and runs of the same attributes that touch, whatever their
 * leaf size or host address (the tooltips keep the single runs). */
static int make_bands(struct out *o, struct band **out, size_t *nout)
{
	const struct slat_runs *rs = o->runs;
	struct band *b = calloc(2 * rs->n + 1, sizeof(*b));
	uint64_t next = 0; /* first address not yet in a band */
	bool at_end = false;
	size_t n = 0, i;

	if (!b)
		return SLAT_ENOMEM;
	for (i = 0; i < rs->n; i++) {
		const struct slat_run *r = &rs->v[i];

		if (r->gpa.v > next || (i == 0 && r->gpa.v > 0)) {
			b[n].first = next;
			b[n].last = r->gpa.v - 1;
			b[n].cls_bytes[HOLE] = r->gpa.v - next;
			n++;
		}
		if (n && b[n - 1].nruns && b[n - 1].last + 1 == r->gpa.v &&
		    same_look(&rs->v[b[n - 1].run0].attrs, &r->attrs)) {
			band_add_run(&b[n - 1], r, i);
		} else {
			b[n].first = r->gpa.v;
			band_add_run(&b[n], r, i);
			n++;
		}
		next = r->gpa.v + r->size;
		if (r->gpa.v + (r->size - 1) == o->space_last)
			at_end = true;
	}
	if (!at_end) {
		b[n].first = next;
		b[n].last = o->space_last;
		b[n].cls_bytes[HOLE] = o->space_last - next + 1;
		n++;
	}
	*out = b;
	*nout = n;
	return SLAT_OK;
}

struct group {
	size_t start, count;
};

static int by_count_desc(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	return a->count < b->count ? 1 : a->count > b->count ? -1 :
	       a->start < b->start ? -1 : a->start > b->start;
}

static void absorb(struct band *d, const struct band *s)
{
	unsigned c, l;

	d->last = s->last;
	d->mixed = true;
	if (s->nruns) {
		if (!d->nruns)
			d->run0 = s->run0;
		d->nruns += s->nruns;
	}
	for (c = 0; c < NCLASS; c++)
		d->cls_bytes[c] += s->cls_bytes[c];
	for (l = 0; l < 64; l++)
		d->leaves[l] += s->leaves[l];
}

/*
 * Merge the bands that lie inside one aligned block of 2^lg2 bytes into
 * one "mixed" band, the most crowded blocks first, until at most @max
 * bands are left or no block has two: a fragmented space still fits on a
 * screen, and its crowded corners are one click away.
 */
static size_t coarsen(struct band *b, size_t n, unsigned lg2, size_t max)
{
	struct group *g = malloc(n * sizeof(*g));
	size_t *merge = calloc(n, sizeof(*merge));
	size_t ng = 0, i, j, w = 0, left = n;

	if (!g || !merge) {
		free(g);
		free(merge);
		return n; /* a longer picture, not a failure */
	}
	for (i = 0; i < n; i = j) {
		uint64_t blk = b[i].first >> lg2;

		for (j = i; j < n && b[j].first >> lg2 == blk && b[j].last >> lg2 == blk; j++)
			;
		if (j - i >= 2)
			g[ng++] = (struct group){ i, j - i };
		if (j == i)
			j = i + 1;
	}
	qsort(g, ng, sizeof(*g), by_count_desc);
	for (i = 0; i < ng && left > max; i++) {
		merge[g[i].start] = g[i].count;
		left -= g[i].count - 1;
	}
	for (i = 0; i < n;) {
		size_t k = merge[i];

		b[w] = b[i];
		for (j = 1; j < k; j++)
			absorb(&b[w], &b[i + j]);
		w++;
		i += k ? k : 1;
	}
	free(g);
	free(merge);
	return w;
}

static double band_height(const struct band *b)
{
	uint64_t n = b->last - b->first + 1;
	double lg = 64.0;

	/* log2, close enough for a height: the exponent, then the mantissa
	 * taken as linear (no libm for one picture). */
	if (n) {
		int e = 63 - __builtin_clzll(n);

		lg = e + ((double)n / (double)(1ull << e) - 1.0);
	}

	return 18.0 + 3.0 * (lg - 12.0 > 0 ? lg - 12.0 : 0.0);
}

/* What a band holds, in one line: attributes and leaf counts. */
static void put_band_attrs(struct out *o, const struct band *b)
{
	const struct slat_run *r = b->nruns ? &o->runs->v[b->run0] : NULL;
	unsigned l, c;
	bool first = true;

	if (!b->nruns) {
		fputs("hole", o->f);
		return;
	}
	if (b->mixed) {
		pr(o, "%zu runs:", b->nruns);
		for (c = 0; c < NCLASS; c++)
			if (b->cls_bytes[class_order[c]])
				pr(o, " %s", class_name[class_order[c]]);
	} else {
		put_perms(o, r->attrs.perms);
		fputc(' ', o->f);
		put_mt(o, &r->attrs);
	}
	fputs(" ", o->f);
	for (l = 0; l < 64; l++) {
		if (!b->leaves[l])
			continue;
		fputs(first ? " " : " + ", o->f);
		put_page(o, l);
		pr(o, "\xc3\x97%llu", (unsigned long long)b->leaves[l]); /* U+00D7 */
		first = false;
	}
	if (!b->mixed && r->attrs.sw)
		pr(o, "  sw=%u", r->attrs.sw);
}

static void write_band(struct out *o, const struct band *b, double y, double h)
{
	const struct slat_run *r = b->nruns ? &o->runs->v[b->run0] : NULL;
	uint64_t gv;
	bool link = b->nruns && view_in(o->gviews, o->ngv, b->first, b->last, &gv);
	unsigned c;
	size_t i;

	pr(o, "<text class=\"addr\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", BAND_X - 8, y + 11);
	put_addr(o, b->first);
	fputs("</text>\n", o->f);
	if (link)
		pr(o, "<a href=\"#g-%016llx\">", (unsigned long long)gv);
	if (!b->nruns) {
		pr(o, "<rect class=\"band hole\" data-gpa=\"0x%llx\" data-size=\"0x%llx\" "
		      "x=\"%d\" y=\"%.1f\" width=\"150\" height=\"%.1f\" fill=\"url(#hole)\">",
		   (unsigned long long)b->first, (unsigned long long)(b->last - b->first + 1), BAND_X,
		   y, h);
		fputs("<title>hole: ", o->f);
		put_bytes(o, b->first, b->last);
		fputs(" unmapped</title></rect>\n", o->f);
	} else if (b->mixed) {
		/* Stripes across the band, one per class, as wide as its share. */
		double x = BAND_X, total = 0;

		for (c = 0; c < NCLASS; c++)
			total += (double)b->cls_bytes[c];
		pr(o, "<g class=\"band mixed\" data-gpa=\"0x%llx\" data-size=\"0x%llx\">",
		   (unsigned long long)b->first, (unsigned long long)(b->last - b->first + 1));
		for (c = 0; c < NCLASS; c++) {
			unsigned k = class_order[c];
			double w = 150.0 * (double)b->cls_bytes[k] / total;

			if (!b->cls_bytes[k])
				continue;
			if (k != HOLE && w < 4)
				w = 4;
			if (x + w > BAND_X + 150)
				w = BAND_X + 150 - x;
			if (w <= 0)
				continue;
			pr(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"",
			   x, y, w, h);
			put_fill(o, k, SLAT_MT_WB);
			fputs("\"/>", o->f);
			x += w;
		}
		fputs("<title>", o->f);
		put_bytes(o, b->first, b->last);
		pr(o, " with %zu runs of different attributes and holes (zoom in)</title></g>\n",
		   b->nruns);
	} else {
		pr(o, "<rect class=\"band run%s\" x=\"%d\" y=\"%.1f\" width=\"150\" "
		      "height=\"%.1f\"", r->attrs.flags & SLAT_ATTR_MT_FORCE ? " forced" : "", BAND_X,
		   y, h);
		put_data(o, b->first, b->last - b->first + 1, &r->attrs, r->page_lg2);
		pr(o, " data-runs=\"%zu\" fill=\"", b->nruns);
		put_fill(o, perm_class(r->attrs.perms), r->attrs.memtype);
		fputs("\"><title>", o->f);
		for (i = 0; i < b->nruns && i < 16; i++) {
			put_dump_line(o, &o->runs->v[b->run0 + i]);
			fputc('\n', o->f);
		}
		if (b->nruns > 16)
			pr(o, "... %zu runs in all\n", b->nruns);
		fputs("</title></rect>", o->f);
		if (r->attrs.sw)
			pr(o, "<circle class=\"sw\" cx=\"%d\" cy=\"%.1f\" r=\"3.5\"/>", BAND_X + 144,
			   y + 6);
		fputc('\n', o->f);
	}
	if (link)
		fputs("</a>", o->f);
	/* The label: size, then what the band holds. */
	pr(o, "<text class=\"label%s\" x=\"%d\" y=\"%.1f\">", b->nruns ? "" : " dim", LABEL_X,
	   y + 12.5);
	fputs("<tspan class=\"size\">", o->f);
	put_bytes(o, b->first, b->last);
	fputs("</tspan>", o->f);
	if (h < 30)
		fputs("  ", o->f);
	else
		pr(o, "<tspan x=\"%d\" dy=\"14\">", LABEL_X);
	put_band_attrs(o, b);
	if (h >= 30)
		fputs("</tspan>", o->f);
	if (b->nruns && !b->mixed && h >= 44) {
		pr(o, "<tspan x=\"%d\" dy=\"14\" class=\"dim\">\xe2\x86\x92 ", LABEL_X); /* → */
		put_addr(o, r->hpa.v);
		if (b->nruns > 1)
			pr(o, " (%zu runs)", b->nruns);
		fputs("</tspan>", o->f);
	}
	fputs("</text>\n", o->f);
}

static int write_overview(struct out *o)
{
	struct band *b;
	size_t n, i;
	unsigned lg2;
	double y = 6, total = 0;
	int err = make_bands(o, &b, &n);

	if (err)
		return err;
	for (lg2 = MIB2_LG2; n > MAX_BANDS && lg2 < 64; lg2 += 9)
		n = coarsen(b, n, lg2, MAX_BANDS);
	for (i = 0; i < n; i++)
		total += band_height(&b[i]);
	pr(o, "<svg class=\"space\" width=\"%d\" height=\"%.0f\" role=\"img\" "
	      "aria-label=\"guest-physical address space\">\n", LABEL_X + 300, total + 24);
	for (i = 0; i < n; i++) {
		double h = band_height(&b[i]);

		write_band(o, &b[i], y, h);
		y += h;
	}
	pr(o, "<text class=\"addr\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", BAND_X - 8, y + 4);
	put_addr(o, o->space_last);
	fputs("</text>\n</svg>\n", o->f);
	free(b);
	return SLAT_OK;
}

/* ---- the detail views ------------------------------------------------ */

struct cell {
	uint64_t cls_bytes[NCLASS];
	const struct slat_run *only; /* the one run covering the whole cell */
	bool sw, forced;
	unsigned mt;                 /* memory type, when every run has the same */
	bool mt_mixed;
};

static void summarize(const struct out *o, uint64_t first, unsigned lg2, struct cell *c)
{
	const struct slat_runs *rs = o->runs;
	uint64_t last = first + ((1ull << lg2) - 1), covered = 0;
	size_t i = first_run_from(rs, first);
	bool any = false;

	memset(c, 0, sizeof(*c));
	for (; i < rs->n && rs->v[i].gpa.v <= last; i++) {
		const struct slat_run *r = &rs->v[i];
		uint64_t lo = r->gpa.v > first ? r->gpa.v : first;
		uint64_t rl = r->gpa.v + (r->size - 1), hi = rl < last ? rl : last;

		c->cls_bytes[perm_class(r->attrs.perms)] += hi - lo + 1;
		covered += hi - lo + 1;
		c->sw |= r->attrs.sw != 0;
		c->forced |= (r->attrs.flags & SLAT_ATTR_MT_FORCE) != 0;
		if (any && c->mt != r->attrs.memtype)
			c->mt_mixed = true;
		c->mt = r->attrs.memtype;
		any = true;
		if (lo == first && hi == last)
			c->only = r;
	}
	c->cls_bytes[HOLE] = (1ull << lg2) - covered;
}

static void write_cell(struct out *o, uint64_t a, unsigned lg2, double x, double y, bool zoom)
{
	struct cell c;
	unsigned k;

	summarize(o, a, lg2, &c);
	if (zoom)
		pr(o, "<a href=\"#m-%016llx\">", (unsigned long long)a);
	if (c.only) {
		const struct slat_run *r = c.only;
		uint64_t off = a - r->gpa.v;

		pr(o, "<rect class=\"cell run%s%s\" x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\"",
		   zoom ? " zoom" : "", c.forced ? " forced" : "", x, y, CELL, CELL);
		put_data(o, a, 1ull << lg2, &r->attrs, r->page_lg2);
		fputs(" fill=\"", o->f);
		put_fill(o, perm_class(r->attrs.perms), r->attrs.memtype);
		fputs("\"><title>", o->f);
		put_addr(o, a);
		pr(o, " \xe2\x86\x92 0x%llx ", (unsigned long long)(r->hpa.v + off));
		put_perms(o, r->attrs.perms);
		fputc(' ', o->f);
		put_mt(o, &r->attrs);
		fputc(' ', o->f);
		put_page(o, r->page_lg2);
		if (r->attrs.sw)
			pr(o, " sw=%u", r->attrs.sw);
		if (zoom)
			fputs(" (click to zoom in)", o->f);
		fputs("</title></rect>", o->f);
	} else if (c.cls_bytes[HOLE] == 1ull << lg2) {
		pr(o, "<rect class=\"cell hole\" data-gpa=\"0x%llx\" data-size=\"0x%llx\" x=\"%.0f\" "
		      "y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"url(#hole)\"><title>",
		   (unsigned long long)a, 1ull << lg2, x, y, CELL, CELL);
		put_addr(o, a);
		fputs(": hole</title></rect>", o->f);
	} else {
		/* Leaves of different attributes, or leaves and holes: one
		 * stripe per class, as tall as its share of the cell. */
		double sy = y;

		pr(o, "<g class=\"cell mixed%s\" data-gpa=\"0x%llx\" data-size=\"0x%llx\">",
		   zoom ? " zoom" : "", (unsigned long long)a, 1ull << lg2);
		for (k = 0; k < NCLASS; k++) {
			unsigned cls = class_order[k];
			double h = (double)CELL * (double)c.cls_bytes[cls] / (double)(1ull << lg2);

			if (!c.cls_bytes[cls])
				continue;
			/* A few pages in a 2 MiB cell stay visible. */
			if (cls != HOLE && h < 4)
				h = 4;
			if (sy + h > y + CELL)
				h = y + CELL - sy;
			pr(o, "<rect x=\"%.0f\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"", x, sy,
			   CELL, h);
			put_fill(o, cls, c.mt_mixed ? SLAT_MT_WB : c.mt);
			fputs("\"/>", o->f);
			sy += h;
		}
		fputs("<title>", o->f);
		put_addr(o, a);
		fputs(" (", o->f);
		put_bytes(o, a, a + ((1ull << lg2) - 1));
		fputs("):", o->f);
		for (k = 0; k < NCLASS; k++) {
			unsigned cls = class_order[k];

			if (!c.cls_bytes[cls])
				continue;
			fputs(" ", o->f);
			put_bytes(o, 1, c.cls_bytes[cls]);
			pr(o, " %s,", class_name[cls]);
		}
		fputs(zoom ? " click to zoom in" : "", o->f);
		fputs("</title></g>", o->f);
	}
	if (zoom)
		pr(o, "<rect class=\"zoomframe\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>",
		   x + 0.5, y + 0.5, CELL - 1, CELL - 1);
	if (c.sw)
		pr(o, "<circle class=\"sw\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>", x + CELL - 3.5,
		   y + 3.5);
	if (zoom)
		fputs("</a>", o->f);
	fputc('\n', o->f);
}

/* Outline every leaf bigger than a cell, so that a 2 MiB leaf in a 1 GiB
 * view or a 64 KiB one in a 2 MiB view reads as one block. */
static void write_leaf_outlines(struct out *o, uint64_t base, unsigned cell_lg2)
{
	const struct slat_runs *rs = o->runs;
	uint64_t last = base + ((1ull << (cell_lg2 + CELLS_LG2)) - 1);
	size_t i = first_run_from(rs, base);

	for (; i < rs->n && rs->v[i].gpa.v <= last; i++) {
		const struct slat_run *r = &rs->v[i];
		uint64_t leaf = 1ull << r->page_lg2, a;

		if (r->page_lg2 <= cell_lg2)
			continue;
		for (a = r->gpa.v > base ? r->gpa.v : base;
		     a <= last && a <= r->gpa.v + (r->size - 1); a += leaf) {
			uint64_t idx = (a - base) >> cell_lg2, cells = leaf >> cell_lg2;
			double x = GRID_X + (double)(idx % COLS) * PITCH;
			double y = GRID_Y + (double)(idx / COLS) * PITCH;
			double w = (cells < COLS ? (double)cells : COLS) * PITCH - (PITCH - CELL);
			double h = (cells < COLS ? 1.0 : (double)(cells / COLS)) * PITCH - (PITCH - CELL);

			pr(o, "<rect class=\"leaf\" data-gpa=\"0x%llx\" data-page=\"",
			   (unsigned long long)a);
			put_page(o, r->page_lg2);
			pr(o, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
			   x - 1, y - 1, w + 2, h + 2);
			if (a + leaf < a)
				break;
		}
	}
}

static void write_grid(struct out *o, uint64_t base, unsigned cell_lg2)
{
	unsigned i;

	pr(o, "<svg class=\"grid\" width=\"%d\" height=\"%d\" role=\"img\">\n",
	   GRID_X + COLS * PITCH + 8, GRID_Y + ROWS * PITCH + 6);
	/* Column offsets every 8 cells. */
	for (i = 0; i < COLS; i += 8) {
		pr(o, "<text class=\"addr\" x=\"%d\" y=\"14\">+", GRID_X + i * PITCH);
		if (i)
			put_bytes(o, 1, (uint64_t)i << cell_lg2);
		else
			fputc('0', o->f);
		fputs("</text>", o->f);
	}
	fputc('\n', o->f);
	for (i = 0; i < COLS * ROWS; i++) {
		uint64_t a = base + ((uint64_t)i << cell_lg2);
		double x = GRID_X + (double)(i % COLS) * PITCH, y = GRID_Y + (double)(i / COLS) * PITCH;

		if (i % COLS == 0) {
			pr(o, "<text class=\"addr\" x=\"%d\" y=\"%.0f\" text-anchor=\"end\">",
			   GRID_X - 6, y + 12);
			put_addr(o, a);
			fputs("</text>\n", o->f);
		}
		write_cell(o, a, cell_lg2, x, y,
			   cell_lg2 == MIB2_LG2 && has_view(o->mviews, o->nmv, a));
	}
	write_leaf_outlines(o, base, cell_lg2);
	fputs("</svg>\n", o->f);
}

static void write_mview(struct out *o, size_t k)
{
	uint64_t base = o->mviews[k], g = base & ~((1ull << GIB_LG2) - 1);

	pr(o, "<section class=\"view mview\" id=\"m-%016llx\">\n<nav>", (unsigned long long)base);
	pr(o, "<a href=\"#space\">whole space</a> \xe2\x80\xba <a href=\"#g-%016llx\">1 GiB at ",
	   (unsigned long long)g);
	put_addr(o, g);
	fputs("</a> \xe2\x80\xba 2 MiB", o->f);
	if (k > 0)
		pr(o, " \xc2\xb7 <a href=\"#m-%016llx\">\xe2\x86\x90 previous</a>",
		   (unsigned long long)o->mviews[k - 1]);
	if (k + 1 < o->nmv)
		pr(o, " \xc2\xb7 <a href=\"#m-%016llx\">next \xe2\x86\x92</a>",
		   (unsigned long long)o->mviews[k + 1]);
	fputs("</nav>\n<h2>2 MiB at ", o->f);
	put_addr(o, base);
	fputs(": cells of 4 KiB</h2>\n", o->f);
	write_grid(o, base, KIB_LG2);
	fputs("</section>\n", o->f);
}

static void write_gview(struct out *o, size_t k, size_t *mk)
{
	uint64_t base = o->gviews[k];

	pr(o, "<section class=\"view gview\" id=\"g-%016llx\">\n<nav>", (unsigned long long)base);
	fputs("<a href=\"#space\">whole space</a> \xe2\x80\xba 1 GiB", o->f);
	if (k > 0)
		pr(o, " \xc2\xb7 <a href=\"#g-%016llx\">\xe2\x86\x90 previous</a>",
		   (unsigned long long)o->gviews[k - 1]);
	if (k + 1 < o->ngv)
		pr(o, " \xc2\xb7 <a href=\"#g-%016llx\">next \xe2\x86\x92</a>",
		   (unsigned long long)o->gviews[k + 1]);
	fputs("</nav>\n<h2>1 GiB at ", o->f);
	put_addr(o, base);
	fputs(": cells of 2 MiB</h2>\n", o->f);
	write_grid(o, base, MIB2_LG2);
	/* Its 2 MiB views nest inside, so that CSS can show the 1 GiB view
	 * around a targeted 2 MiB view. */
	while (*mk < o->nmv && (o->mviews[*mk] >> GIB_LG2) == (base >> GIB_LG2))
		write_mview(o, (*mk)++);
	fputs("</section>\n", o->f);
}

/* ---- legend, style, page --------------------------------------------- */

static void write_defs(struct out *o)
{
	/* Each memory type other than WB is a pattern over the class colour. */
	static const char *const mt_marks[SLAT_MT_COUNT] = {
		"",
		"<path d=\"M0 3H6\"/>",
		"<path d=\"M0 6L6 0M-1 1L1 -1M5 7L7 5\"/>",
		"<circle cx=\"3\" cy=\"3\" r=\"1.1\" stroke=\"none\" fill=\"#000\" fill-opacity=\".55\"/>",
		"<path d=\"M0 3H6M3 0V6\"/>",
		"<path d=\"M0 1.5H6M0 4.5H6M1.5 0V6M4.5 0V6\"/>",
	};
	unsigned c, m;

	fputs("<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\n", o->f);
	fputs("<pattern id=\"hole\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/>"
	      "<path d=\"M0 6L6 0M-1 1L1 -1M5 7L7 5\" stroke=\"#c4c4c4\" stroke-width=\"1\"/>"
	      "</pattern>\n", o->f);
	for (c = 0; c < HOLE; c++)
		for (m = 1; m < SLAT_MT_COUNT; m++)
			pr(o, "<pattern id=\"f%u%u\" width=\"6\" height=\"6\" "
			      "patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" "
			      "fill=\"%s\"/><g stroke=\"#000\" stroke-opacity=\".55\" "
			      "stroke-width=\"1.1\">%s</g></pattern>\n",
			   c, m, class_color[c], mt_marks[m]);
	fputs("</defs></svg>\n", o->f);
}

static void write_legend(struct out *o)
{
	static const unsigned shown[] = { 7, 6, 5, 4, 1, 2, 3, 0, 8 };
	unsigned i, y;

	fputs("<svg class=\"legend\" width=\"600\" height=\"174\" role=\"img\" "
	      "aria-label=\"legend\">\n", o->f);
	for (i = 0; i < NCLASS; i++) {
		unsigned cls = shown[i], x = i < 5 ? 0 : 300;

		y = 4 + (i % 5) * 18;
		pr(o, "<g class=\"key\" data-class=\"%s\"><rect x=\"%u\" y=\"%u\" width=\"22\" "
		      "height=\"13\" fill=\"", class_name[cls], x, y);
		put_fill(o, cls, SLAT_MT_WB);
		fputs("\" stroke=\"#888\" stroke-width=\".5\"/>", o->f);
		if (cls == 0) /* no access: reserved, crossed out */
			pr(o, "<path d=\"M%u %uL%u %uM%u %uL%u %u\" stroke=\"#e41a1c\" "
			      "stroke-width=\"1.6\"/>", x + 2, y + 2, x + 20, y + 11, x + 20, y + 2,
			   x + 2, y + 11);
		pr(o, "<text x=\"%u\" y=\"%u\"><tspan class=\"mono\">%s</tspan> %s</text></g>\n",
		   x + 28, y + 11, class_name[cls], class_text[cls]);
	}
	y = 100;
	for (i = 0; i < SLAT_MT_COUNT; i++) {
		unsigned x = (i % 3) * 200, yy = y + (i / 3) * 18;

		pr(o, "<g class=\"key\" data-mt=\"%s\"><rect x=\"%u\" y=\"%u\" width=\"22\" "
		      "height=\"13\" fill=\"", mt_name[i], x, yy);
		put_fill(o, 4, i);
		pr(o, "\" stroke=\"#888\" stroke-width=\".5\"/><text x=\"%u\" y=\"%u\">"
		      "<tspan class=\"mono\">%s</tspan> %s</text></g>\n",
		   x + 28, yy + 11, mt_name[i], mt_text[i]);
	}
	/* Marks drawn over the fill. */
	fputs("<g class=\"key\"><rect class=\"forced\" x=\"0\" y=\"138\" width=\"22\" "
	      "height=\"13\" fill=\"#ccc\"/><text x=\"28\" y=\"149\">forced memory type "
	      "(<tspan class=\"mono\">!</tspan>)</text></g>\n", o->f);
	fputs("<g class=\"key\"><rect x=\"200\" y=\"138\" width=\"22\" height=\"13\" "
	      "fill=\"#ccc\"/><circle class=\"sw\" cx=\"218\" cy=\"142\" r=\"3\"/>"
	      "<text x=\"228\" y=\"149\">software bits set</text></g>\n", o->f);
	fputs("<g class=\"key\"><rect x=\"400\" y=\"138\" width=\"22\" height=\"13\" "
	      "fill=\"#ccc\"/><rect class=\"leaf\" x=\"400\" y=\"138\" width=\"22\" "
	      "height=\"13\"/><text x=\"428\" y=\"149\">one leaf, several cells</text></g>\n",
	      o->f);
	fputs("<g class=\"key\"><rect x=\"0\" y=\"156\" width=\"22\" height=\"13\" "
	      "fill=\"#ccc\"/><rect class=\"zoomframe\" x=\"0.5\" y=\"156.5\" width=\"21\" "
	      "height=\"12\"/><text x=\"28\" y=\"167\">holds smaller leaves: click to zoom "
	      "in</text></g>\n", o->f);
	fputs("</svg>\n<p class=\"keys\">No-access mappings (every permission removed) have "
	      "their class reserved: libslat makes none yet, so none is drawn.</p>\n", o->f);
}

static const char style[] =
	"body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;margin:0;color:#1b1f24;"
	"background:#fff}\n"
	"header{padding:10px 20px;background:#1f2a37;color:#f3f4f6}\n"
	"header h1{font-size:19px;margin:0 0 2px}header p{margin:0;color:#cbd5e1}\n"
	"main{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:flex-start;padding:10px 20px}\n"
	".overview{flex:0 0 auto;width:min-content}.details{flex:1 1 600px;min-width:0}\n"
	"h2{font-size:15px;margin:8px 0 4px}nav{font-size:13px;color:#555}\n"
	"a{color:#0b57d0}svg text{font-size:11.5px;fill:#1b1f24}\n"
	".mono,svg text.addr,svg text.label{font-family:'DejaVu Sans Mono',ui-monospace,monospace}\n"
	"svg text.addr{font-size:10.5px;fill:#444}svg text .size{font-weight:bold}\n"
	"svg text.dim,svg text .dim{fill:#777}\n"
	".band,.cell{stroke:#fff;stroke-width:.6}.band.run,.band.hole{stroke:#fff;stroke-width:1}\n"
	"a:hover .band,a:hover .cell,a:hover .zoomframe{stroke:#000;stroke-width:2}\n"
	".forced{stroke:#000;stroke-width:1.4;stroke-dasharray:3 2}\n"
	".sw{fill:#000;stroke:#fff;stroke-width:1}\n"
	".zoomframe{fill:none;stroke:#111;stroke-width:1.3}\n"
	".leaf{fill:none;stroke:#1b1f24;stroke-width:1.6}\n"
	".keys{font-size:12.5px;margin:2px 0 8px}.keys svg{vertical-align:-2px}\n"
	".zoomlist{font-size:12.5px;max-width:600px}\n"
	/* A zoomed view keeps the level above it in sight when it is targeted. */
	".gview{scroll-margin-top:8px}.mview{scroll-margin-top:480px}\n"
	".view{display:none}.view:target,.gview:has(.view:target){display:block}\n"
	".details:has(.view:target) .hint{display:none}\n"
	"@supports not selector(:has(a)){.view{display:block}}\n"
	".hint{color:#555;max-width:560px}.over{color:#a40}\n";

static void write_summary(struct out *o)
{
	const struct slat_runs *rs = o->runs;
	uint64_t leaves[64], mapped = 0;
	unsigned l;
	size_t i;
	bool first = true;

	memset(leaves, 0, sizeof(leaves));
	for (i = 0; i < rs->n; i++) {
		leaves[rs->v[i].page_lg2] += rs->v[i].leaves;
		mapped += rs->v[i].size;
	}
	pr(o, "<p>%u-bit guest-physical space \xc2\xb7 ", o->ia_bits);
	if (mapped)
		put_bytes(o, 1, mapped);
	else
		fputs("nothing", o->f);
	pr(o, " mapped in %zu runs \xc2\xb7 leaves:", rs->n);
	for (l = 0; l < 64; l++) {
		if (!leaves[l])
			continue;
		fputs(first ? " " : ", ", o->f);
		pr(o, "%llu \xc3\x97 ", (unsigned long long)leaves[l]);
		put_page(o, l);
		first = false;
	}
	if (first)
		fputs(" none", o->f);
	fputs("</p>\n", o->f);
}

static void write_zoomlist(struct out *o)
{
	size_t i;

	if (!o->ngv)
		return;
	fputs("<p class=\"zoomlist\">Zoom into a 1 GiB region:", o->f);
	for (i = 0; i < o->ngv; i++) {
		pr(o, " <a href=\"#g-%016llx\">", (unsigned long long)o->gviews[i]);
		if (o->gviews[i] >> GIB_LG2 < 1024)
			pr(o, "%llu&#8239;GiB", (unsigned long long)(o->gviews[i] >> GIB_LG2));
		else
			put_addr(o, o->gviews[i]);
		fputs("</a>", o->f);
	}
	if (o->gv_over || o->mv_over)
		pr(o, " <span class=\"over\">(%zu more 1 GiB and %zu more 2 MiB regions not "
		      "drawn: raise the limit of detail views)</span>", o->gv_over, o->mv_over);
	fputs("</p>\n", o->f);
}

static int check_runs(const struct slat_runs *rs, uint64_t space_last)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct slat_run *r = &rs->v[i];

		/* Leaf sizes of 4 KiB to 512 PiB: what slat_dump() can spell. */
		if (r->page_lg2 < KIB_LG2 || r->page_lg2 > 59)
			return SLAT_EPAGESIZE;
		if (!r->size || !r->leaves ||
		    (r->gpa.v & ((1ull << r->page_lg2) - 1)) || (r->hpa.v & 0xfff) ||
		    r->leaves > (UINT64_MAX >> r->page_lg2) ||
		    (r->leaves << r->page_lg2) != r->size)
			return SLAT_EALIGN;
		if (r->gpa.v + (r->size - 1) < r->gpa.v || r->gpa.v + (r->size - 1) > space_last)
			return SLAT_EGPA;
		if (i && r->gpa.v <= rs->v[i - 1].gpa.v + (rs->v[i - 1].size - 1))
			return SLAT_EEXIST;
	}
	return SLAT_OK;
}

int slat_map_html(const struct slat_runs *runs, const struct slat_map_opts *opts, FILE *f)
{
	struct out o;
	size_t cap, mk = 0, i;
	int err;

	if (!runs || !f || (runs->n && !runs->v))
		return SLAT_ENULL;
	memset(&o, 0, sizeof(o));
	o.f = f;
	o.runs = runs;
	o.ia_bits = opts ? opts->ia_bits : 0;
	if (o.ia_bits && (o.ia_bits < 12 || o.ia_bits > 64))
		return SLAT_ECONFIG;
	if (!o.ia_bits) {
		uint64_t end = runs->n ? runs->v[runs->n - 1].gpa.v +
						 (runs->v[runs->n - 1].size - 1) : 0;

		for (o.ia_bits = 32; o.ia_bits < 64 && (end >> o.ia_bits); o.ia_bits++)
			;
	}
	o.space_last = o.ia_bits == 64 ? UINT64_MAX : (1ull << o.ia_bits) - 1;
	o.hex_digits = (o.ia_bits + 3) / 4;
	o.addr_w = addr_width(o.hex_digits);
	err = check_runs(runs, o.space_last);
	if (err)
		return err;
	cap = opts && opts->max_detail ? opts->max_detail : 64;
	err = pick_views(&o, GIB_LG2, cap, &o.gviews, &o.ngv, &o.gv_over);
	if (!err)
		err = pick_views(&o, MIB2_LG2, cap, &o.mviews, &o.nmv, &o.mv_over);
	if (err)
		goto out;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"libslat slat-map\">\n<title>", f);
	put_escaped(&o, opts && opts->title ? opts->title : "Guest-physical address space");
	pr(&o, "</title>\n<style>\n%s", style);
	/* In a 1 GiB view, frame the cell whose 2 MiB view is open. */
	for (i = 0; i < o.nmv; i++)
		pr(&o, ".gview:has(#m-%016llx:target) a[href=\"#m-%016llx\"] .zoomframe"
		       "{stroke:#0b57d0;stroke-width:3}\n",
		   (unsigned long long)o.mviews[i], (unsigned long long)o.mviews[i]);
	fputs("</style>\n</head>\n<body>\n<header><h1>", f);
	put_escaped(&o, opts && opts->title ? opts->title : "Guest-physical address space");
	fputs("</h1>\n", f);
	write_summary(&o);
	fputs("</header>\n", f);
	write_defs(&o);
	fputs("<main>\n<section class=\"overview\" id=\"space\">\n"
	      "<h2>Whole space (band height grows with log\xe2\x82\x82 of the size)</h2>\n", f);
	write_legend(&o);
	write_zoomlist(&o);
	err = write_overview(&o);
	if (err)
		goto out;
	fputs("</section>\n<div class=\"details\">\n<p class=\"hint\">Click a band of the "
	      "whole space, or a region in the list above it, to see that 1 GiB in cells of "
	      "2 MiB; click a framed cell there to see its 2 MiB in cells of 4 KiB. Hover over "
	      "anything for its addresses and attributes.</p>\n", f);
	for (i = 0; i < o.ngv; i++)
		write_gview(&o, i, &mk);
	fputs("</div>\n</main>\n</body>\n</html>\n", f);
	if (ferror(f) || fflush(f))
		err = SLAT_EIO;
out:
	free(o.gviews);
	free(o.mviews);
	return err;
}

/* The table's input width, found through the public API alone: the first
 * power of two that translation refuses as beyond the width. */
static unsigned table_ia_bits(const struct slat_table *t)
{
	struct slat_mapping m;
	unsigned b;

	for (b = 12; b < 64; b++)
		if (slat_translate(t, slat_gpa(1ull << b), &m) == SLAT_EGPA)
			return b;
	return 64;
}

int slat_map_html_table(const struct slat_table *t, const struct slat_map_opts *opts, FILE *f)
{
	struct slat_runs runs = { NULL, 0, 0 };
	struct slat_map_opts o;
	int err;

	if (!t || !f)
		return SLAT_ENULL;
	if (opts)
		o = *opts;
	else
		memset(&o, 0, sizeof(o));
	if (!o.ia_bits)
		o.ia_bits = (uint8_t)table_ia_bits(t);
	err = slat_runs_from_table(t, slat_gpa(0),
				   o.ia_bits >= 64 ? (1ull << 63) : 1ull << o.ia_bits, &runs);
	if (!err && o.ia_bits >= 64)
		err = slat_runs_from_table(t, slat_gpa(1ull << 63), 1ull << 63, &runs);
	if (!err)
		err = slat_map_html(&runs, &o, f);
	slat_runs_free(&runs);
	return err;
}
