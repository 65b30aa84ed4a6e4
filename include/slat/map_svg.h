/* SPDX-License-Identifier: MIT */
/**
 * @file slat/map_svg.h
 * @brief slat-map: a picture of a guest's address space as one
 *        self-contained HTML page with inline SVG, from a live table or
 *        from the text of slat_dump(). Hosted: link with libslat-hosted.
 *
 * The page needs nothing but itself (no script, no external file, no
 * network) and works from a file:// URL. It holds several levels of
 * detail, linked by fragment links (`#id`):
 *
 * - **the whole space** (`#space`): one band per run of like mappings and
 *   per hole, in address order, each band's height growing with the log2
 *   of its size, so that a 4 KiB page and a 100 TiB hole both stay
 *   readable;
 * - **1 GiB views** (`#g-` + 16 hex digits of the region's address): the
 *   512 cells of 2 MiB of one 1 GiB region that holds leaves smaller than
 *   1 GiB or holes;
 * - **2 MiB views** (`#m-` + 16 hex digits): the 512 cells of 4 KiB of one
 *   2 MiB region that holds leaves smaller than 2 MiB.
 *
 * Colour says the permissions (legend on the page):
 *
 * | class | colour | meaning |
 * |---|---|---|
 * | `rwx` | vermilion `#d55e00` | read, write, execute (writable code) |
 * | `rw-` | green `#009e73` | read, write |
 * | `r-x` | orange `#e69f00` | read, execute |
 * | `r--` | sky blue `#56b4e9` | read only |
 * | `--x` | purple `#cc79a7` | execute only |
 * | `-w-` | yellow `#f0e442` | write only (Arm Stage-2 can) |
 * | `-wx` | brown `#a6761d` | write, execute, no read |
 * | `---` | black, red cross `#222222` | no access: reserved; libslat maps nothing without a permission today, so no range has it yet |
 * | hole | light grey, hatched | nothing mapped |
 *
 * "x" is either execute permission; which one (supervisor `s`, user `u`,
 * as in slat_dump()) is in the labels and tooltips. A pattern over the
 * colour says the memory type (WB plain, WT horizontal lines, WC diagonal
 * lines, WP dots, UC cross-hatch, DEV dense cross-hatch); a forced memory
 * type has a dashed outline; software bits put a black dot in the
 * top-right corner. Page sizes are written on each band and tooltip, and
 * a leaf bigger than a cell of a detail view is outlined as one block.
 * Every band or cell that shows one run carries `data-gpa`, `data-size`,
 * `data-perm`, `data-mt`, `data-page` and (when set) `data-sw`
 * attributes in slat_dump()'s spelling; holes (class `hole`) and cells or
 * bands that mix runs (class `mixed`) carry `data-gpa` and `data-size`.
 * Tooltips (`<title>`) give the addresses and attributes; those of the
 * overview quote slat_dump()'s lines.
 */
#ifndef SLAT_MAP_SVG_H
#define SLAT_MAP_SVG_H

#include <stdio.h>

#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * One run of leaves that are contiguous in both address spaces and share
 * attributes and page size: one line of slat_dump().
 */
struct slat_run {
	slat_gpa_t gpa;          /**< First guest-physical address. */
	uint64_t size;           /**< Bytes. */
	slat_hpa_t hpa;          /**< Host-physical address of @ref gpa. */
	struct slat_attrs attrs; /**< Permissions, memory type, flags, shareability, software bits. */
	uint8_t page_lg2;        /**< log2 of the size of each leaf. */
	uint64_t leaves;         /**< Number of leaves. */
};

/** A growable array of runs in address order. Zero-initialise, free with slat_runs_free(). */
struct slat_runs {
	struct slat_run *v; /**< The runs. */
	size_t n;           /**< Runs in @ref v. */
	size_t cap;         /**< Room in @ref v. */
};

/** Release the memory of @p r and make it empty. */
void slat_runs_free(struct slat_runs *r);

/**
 * Collect the runs of [gpa, gpa + size) of a live table, coalesced as
 * slat_dump() coalesces them. Appends to @p out.
 * @return ::SLAT_OK; ::SLAT_ENOMEM; what slat_for_each() returns.
 */
int slat_runs_from_table(const struct slat_table *t, slat_gpa_t gpa,
			 uint64_t size, struct slat_runs *out);

/**
 * Parse one line of slat_dump() output (with or without its newline):
 *
 *     0x0000000000000000-0x000000000009ffff -> 0x0000000200000000 rwsu WB 4K x160
 *
 * The range must hold exactly `count` leaves of the size given.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EPARSE for anything else.
 */
int slat_dump_parse(const char *line, struct slat_run *run);

/**
 * Read slat_dump() text from @p f and append its runs to @p out. Empty
 * lines and lines starting with '#' are skipped; every other line must
 * parse, and runs must come in address order without overlapping.
 * @param f the text
 * @param out where runs are appended
 * @param[out] lineno when non-NULL, the number of the offending line on
 *   failure (counting from 1), 0 otherwise
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EPARSE for a line that is not a
 *   dump line or is out of order; ::SLAT_ENOMEM; ::SLAT_EIO when reading
 *   fails. On failure @p out holds what it held before.
 */
int slat_runs_read(FILE *f, struct slat_runs *out, unsigned long *lineno);

/** How to draw the page. Zero-initialise, then set what you need. */
struct slat_map_opts {
	/** Heading of the page (escaped); NULL for "Guest-physical address space". */
	const char *title;
	/**
	 * Width of the guest-physical space in bits, 12 to 64. 0: from the
	 * table (slat_map_html_table()), or the smallest width of at least
	 * 32 bits that holds every run.
	 */
	uint8_t ia_bits;
	/** Most 1 GiB views and most 2 MiB views drawn (each); 0 for 64. */
	unsigned max_detail;
};

/**
 * Write the page for @p runs (in address order, not overlapping, aligned
 * to 4 KiB) to @p f.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_ECONFIG for an @ref
 *   slat_map_opts::ia_bits out of range; ::SLAT_EPAGESIZE for a leaf size
 *   below 4 KiB or above 512 PiB; ::SLAT_EALIGN for a run not
 *   aligned to 4 KiB or whose size is not its leaf count times its leaf
 *   size; ::SLAT_EEXIST for runs out of order or overlapping;
 *   ::SLAT_EGPA for a run beyond the width; ::SLAT_ENOMEM; ::SLAT_EIO when
 *   writing fails.
 */
int slat_map_html(const struct slat_runs *runs, const struct slat_map_opts *opts,
		  FILE *f);

/**
 * Write the page for the whole guest-physical space of @p t to @p f. The
 * width, when @p opts leaves it 0, is the table's own input width.
 * @return as slat_runs_from_table() and slat_map_html().
 */
int slat_map_html_table(const struct slat_table *t,
			const struct slat_map_opts *opts, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
