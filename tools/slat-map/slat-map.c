/* SPDX-License-Identifier: MIT */
/*
 * slat-map: draw a guest's address space as a self-contained HTML page.
 *
 *   slat-map [-o page.html] [--ia-bits N] [--title TEXT] [--max-detail N] dump.txt
 *   slat-map --demo [-o page.html] [--print-dump]
 *
 * The input is the text of slat_dump() / slat_dump_file() ("-" for
 * standard input). --demo builds the tables of a PC guest on Intel EPT
 * instead (the layout of examples/demo, then the changes a hypervisor
 * makes while the guest runs) and draws that live table; with
 * --print-dump it writes that table's slat_dump_file() text instead, which
 * slat-map reads back (tests/map/cli.sh checks that both pages agree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slat/hosted.h>
#include <slat/map_svg.h>
#include <slat/slat.h>

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void usage(FILE *f)
{
	fputs("usage: slat-map [-o FILE] [--ia-bits N] [--title TEXT] [--max-detail N] DUMP\n"
	      "       slat-map --demo [-o FILE] [--title TEXT] [--print-dump]\n"
	      "Draws the mappings listed by slat_dump() (DUMP, '-' for standard input)\n"
	      "as one self-contained HTML page with SVG (standard output, or FILE).\n"
	      "  --demo          draw the tables of a built-in PC guest on Intel EPT\n"
	      "  --print-dump    with --demo: write the table's slat_dump() text instead\n"
	      "  --ia-bits N     width of the guest-physical space (default: what the\n"
	      "                  mappings need, at least 32; with --demo the table's)\n"
	      "  --max-detail N  draw at most N views of 1 GiB and N of 2 MiB (64)\n",
	      f);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "slat-map: %s: %s (%s)\n", what, slat_strerror(err), slat_errname(err));
	return 1;
}

/* The PC guest of examples/demo: 6 GiB of RAM around the usual holes. */
struct region {
	uint64_t gpa, size, hpa;
	unsigned perms, memtype, flags;
};
#define RAM 0x200000000ull
static const struct region pc_layout[] = {
	{ 0x0, 0xa0000, RAM, SLAT_PERM_RWX, SLAT_MT_WB, 0 },                 /* low RAM */
	{ 0xc0000, 0x40000, RAM + 0xc0000, SLAT_PERM_RX, SLAT_MT_WB, 0 },     /* option ROMs */
	{ 0x100000, 2 * GiB - 0x100000, RAM + 0x100000, SLAT_PERM_RWX, SLAT_MT_WB, 0 },
	{ 0xc0000000, 16 * MiB, 0x3f000000, SLAT_PERM_RW, SLAT_MT_WC, 0 },    /* framebuffer */
	{ 0xfd000000, 16 * KiB, 0xf7000000, SLAT_PERM_RW, SLAT_MT_DEVICE,     /* NIC BAR */
	  SLAT_ATTR_MT_FORCE },
	{ 0xfed00000, 4 * KiB, 0xfed00000, SLAT_PERM_R, SLAT_MT_UC, 0 },      /* HPET, read-only */
	{ 0xffe00000, 2 * MiB, RAM + 6 * GiB, SLAT_PERM_RX, SLAT_MT_WB, 0 },  /* BIOS flash */
	{ 4 * GiB, 4 * GiB, RAM + 2 * GiB, SLAT_PERM_RWX, SLAT_MT_WB, 0 },    /* high RAM */
};

/* The 2 MiB of RAM under dirty logging, with a balloon in its upper half:
 * just below the kernel text, so that one 1 GiB view shows it all. */
#define DIRTY 0xe00000ull

static int build_demo(struct slat_pool *pool, struct slat_caps *caps, struct slat_table *t)
{
	struct slat_config cfg;
	struct slat_gather g = SLAT_GATHER_INIT;
	struct slat_prot p;
	size_t r;
	uint64_t i;
	int err;

	/* Skylake-SP EPT capabilities with MBEC, MAXPHYADDR 46 (as the demo). */
	err = slat_ept_caps(0xf0106734141ull, ((1ull << 1) | (1ull << 22)) << 32, 0x302e, caps);
	if (err)
		return err;
	if (slat_pool_init(pool, 64 * MiB, 0x1000000000ull))
		return SLAT_ENOMEM;
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = &slat_format_ept;
	cfg.caps = caps;
	cfg.alloc = slat_pool_allocator(pool);
	cfg.ia_bits = 48;
	cfg.sw_bits = 2;
	cfg.features = SLAT_FEAT_SPLIT_EXEC;
	err = slat_table_init(t, &cfg);
	if (err)
		return err;
	slat_gather_init(&g);
	for (r = 0; r < sizeof(pc_layout) / sizeof(pc_layout[0]) && !err; r++) {
		struct slat_attrs a = slat_attrs_make(pc_layout[r].perms, pc_layout[r].memtype);

		a.flags = (uint8_t)pc_layout[r].flags;
		err = slat_map(t, slat_gpa(pc_layout[r].gpa), pc_layout[r].size,
			       slat_hpa(pc_layout[r].hpa), &a, 0, &g);
	}
	/* Kernel text write-protected (W^X), supervisor-only execute. */
	p = slat_prot_perms(SLAT_PERM_R | SLAT_PERM_XS);
	if (!err)
		err = slat_protect(t, slat_gpa(16 * MiB), 8 * MiB, &p, &g);
	/* A balloon: a few pages given back to the host. */
	for (i = 0; i < 6 && !err; i++)
		err = slat_unmap(t, slat_gpa(DIRTY + MiB + i * 3 * 4 * KiB), 4 * KiB, &g);
	/* Dirty logging over one 2 MiB: split, write-protect, and the pages
	 * the guest wrote since made writable again and marked (sw bit 0). */
	if (!err)
		err = slat_split(t, slat_gpa(DIRTY), 2 * MiB, 12, &g);
	p = slat_prot_perms(SLAT_PERM_R | SLAT_PERM_X);
	if (!err)
		err = slat_protect(t, slat_gpa(DIRTY), 2 * MiB, &p, &g);
	memset(&p, 0, sizeof(p));
	p.perm_set = SLAT_PERM_W;
	p.sw_set = 1;
	for (i = 5; i < 512 && !err; i += 37)
		err = slat_protect(t, slat_gpa(DIRTY + i * 4 * KiB), 4 * KiB * (i % 3 + 1), &p, &g);
	/* A shared page with a guest agent, tagged with software bit 1. */
	memset(&p, 0, sizeof(p));
	p.sw_set = 2;
	if (!err)
		err = slat_protect(t, slat_gpa(0x9f000), 4 * KiB, &p, &g);
	/* The hypervisor would invalidate now; the demo only completes. */
	if (!err)
		err = slat_gather_done(t, &g);
	return err;
}

int main(int argc, char **argv)
{
	struct slat_map_opts opts;
	const char *in = NULL, *outname = NULL;
	bool demo = false, print_dump = false;
	FILE *out = stdout;
	int i, err;

	memset(&opts, 0, sizeof(opts));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--demo")) {
			demo = true;
		} else if (!strcmp(a, "--print-dump")) {
			print_dump = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--ia-bits") || !strcmp(a, "--title") ||
			    !strcmp(a, "--max-detail")) && i + 1 < argc) {
			const char *v = argv[++i];
			char *end;
			unsigned long n = strtoul(v, &end, 10);

			if (!strcmp(a, "-o"))
				outname = v;
			else if (!strcmp(a, "--title"))
				opts.title = v;
			else if (*v == '\0' || *end || (!strcmp(a, "--ia-bits") && (n < 12 || n > 64)) ||
				 n == 0 || n > 100000) {
				fprintf(stderr, "slat-map: bad value for %s: %s\n", a, v);
				return 2;
			} else if (!strcmp(a, "--ia-bits"))
				opts.ia_bits = (uint8_t)n;
			else
				opts.max_detail = (unsigned)n;
		} else if (a[0] == '-' && a[1] != '\0') {
			usage(stderr);
			return 2;
		} else if (!in) {
			in = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (demo == (in != NULL) || (print_dump && !demo)) {
		usage(stderr);
		return 2;
	}
	if (outname && !(out = fopen(outname, "w"))) {
		perror(outname);
		return 1;
	}
	if (demo) {
		struct slat_pool pool;
		struct slat_caps caps;
		struct slat_table t;

		if (!opts.title)
			opts.title = "slat-map demo: a PC guest on Intel EPT";
		err = build_demo(&pool, &caps, &t);
		if (err)
			return fail("building the demo table", err);
		if (print_dump)
			err = slat_dump_file(&t, slat_gpa(0), 1ull << 48, out);
		else
			err = slat_map_html_table(&t, &opts, out);
		slat_table_destroy(&t);
		slat_pool_fini(&pool);
	} else {
		struct slat_runs runs = { NULL, 0, 0 };
		unsigned long line;
		FILE *f = strcmp(in, "-") ? fopen(in, "r") : stdin;

		if (!f) {
			perror(in);
			return 1;
		}
		err = slat_runs_read(f, &runs, &line);
		if (f != stdin)
			fclose(f);
		if (err) {
			fprintf(stderr, "slat-map: %s:%lu: not a line of slat_dump() output, or out "
					"of order\n", in, line);
			return fail(in, err);
		}
		if (!opts.title)
			opts.title = in;
		err = slat_map_html(&runs, &opts, out);
		slat_runs_free(&runs);
	}
	if (err)
		return fail("writing the page", err);
	if (out != stdout && fclose(out)) {
		perror(outname);
		return 1;
	}
	return 0;
}
