/* SPDX-License-Identifier: MIT */
/*
 * slat-map, the detail views: which regions get one, and each view as a
 * grid of 32 x 16 cells (2 MiB cells for a 1 GiB region, 4 KiB cells for
 * a 2 MiB one), a cell coloured by what maps it and framed when a finer
 * view exists.
 */
#include <stdlib.h>

#include "map_page.h"

/* Regions seen so far by slat__map_pick_views(), in address order. */
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
int slat__map_pick_views(struct out *o, unsigned lg2, size_t cap, uint64_t **views,
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

/* The "previous" and "next" links of view k of n views of one kind. */
static void put_neighbours(struct out *o, char kind, const uint64_t *views,
			   size_t n, size_t k)
{
	if (k > 0)
		pr(o, " \xc2\xb7 <a href=\"#%c-%016llx\">\xe2\x86\x90 previous</a>",
		   kind, (unsigned long long)views[k - 1]);
	if (k + 1 < n)
		pr(o, " \xc2\xb7 <a href=\"#%c-%016llx\">next \xe2\x86\x92</a>",
		   kind, (unsigned long long)views[k + 1]);
}

static void write_mview(struct out *o, size_t k)
{
	uint64_t base = o->mviews[k], g = base & ~((1ull << GIB_LG2) - 1);

	pr(o, "<section class=\"view mview\" id=\"m-%016llx\">\n<nav>", (unsigned long long)base);
	pr(o, "<a href=\"#space\">whole space</a> \xe2\x80\xba <a href=\"#g-%016llx\">1 GiB at ",
	   (unsigned long long)g);
	put_addr(o, g);
	fputs("</a> \xe2\x80\xba 2 MiB", o->f);
	put_neighbours(o, 'm', o->mviews, o->nmv, k);
	fputs("</nav>\n<h2>2 MiB at ", o->f);
	put_addr(o, base);
	fputs(": cells of 4 KiB</h2>\n", o->f);
	write_grid(o, base, KIB_LG2);
	fputs("</section>\n", o->f);
}

void slat__map_write_gview(struct out *o, size_t k, size_t *mk)
{
	uint64_t base = o->gviews[k];

	pr(o, "<section class=\"view gview\" id=\"g-%016llx\">\n<nav>", (unsigned long long)base);
	fputs("<a href=\"#space\">whole space</a> \xe2\x80\xba 1 GiB", o->f);
	put_neighbours(o, 'g', o->gviews, o->ngv, k);
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

