/* SPDX-License-Identifier: MIT */
/*
 * slat-map: one self-contained HTML page with inline SVG that draws a
 * guest-physical address space at three levels of detail (the whole
 * space, 1 GiB regions in cells of 2 MiB, 2 MiB regions in cells of
 * 4 KiB). The levels are linked by fragment links and shown with CSS
 * :target, so that the page needs no script and works from a file://
 * URL. This file: the pattern definitions, the legend, the style, the
 * header and the two entry points; map_overview.c draws the whole space,
 * map_views.c the detail views. The legend and the attribute names are
 * documented in slat/map_svg.h; the tests rely on them.
 */
#include <stdlib.h>

#include <slat/lookup.h>

#include "map_page.h"

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
	err = slat__map_pick_views(&o, GIB_LG2, cap, &o.gviews, &o.ngv, &o.gv_over);
	if (!err)
		err = slat__map_pick_views(&o, MIB2_LG2, cap, &o.mviews, &o.nmv, &o.mv_over);
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
	err = slat__map_write_overview(&o);
	if (err)
		goto out;
	fputs("</section>\n<div class=\"details\">\n<p class=\"hint\">Click a band of the "
	      "whole space, or a region in the list above it, to see that 1 GiB in cells of "
	      "2 MiB; click a framed cell there to see its 2 MiB in cells of 4 KiB. Hover over "
	      "anything for its addresses and attributes.</p>\n", f);
	for (i = 0; i < o.ngv; i++)
		slat__map_write_gview(&o, i, &mk);
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
