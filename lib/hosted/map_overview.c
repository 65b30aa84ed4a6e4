/* SPDX-License-Identifier: MIT */
/*
 * slat-map, the whole space: one band per run of like mappings and per
 * hole, each as tall as the log2 of its size; a crowded space folds its
 * most crowded blocks into "mixed" bands until it fits a screen.
 */
#include <stdlib.h>

#include "map_page.h"

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

int slat__map_write_overview(struct out *o)
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

