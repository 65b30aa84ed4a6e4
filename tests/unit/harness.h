/* SPDX-License-Identifier: MIT */
/*
 * Shared test fixtures: a table of each format on a pool allocator, raw
 * capability values of real CPUs, snapshots of whole tables for
 * all-or-nothing checks, and direct access to entries.
 */
#ifndef SLAT_TEST_HARNESS_H
#define SLAT_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <slat/hosted.h>
#include <slat/slat.h>

/* Private table fields, for white-box checks (lib/ is on the include path). */
#include "table_state.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define TiB (1ull << 40)

/* Host-physical base of the test pool: table addresses differ from virtual ones. */
#define POOL_PA 0x40000000ull

/* One table and everything it needs. */
struct fx {
	struct slat_pool pool;
	struct slat_caps caps;
	struct slat_config cfg;
	struct slat_table t;
	struct slat_gather g;
	unsigned syncs;             /* calls of the synchronous-invalidation hook */
	struct slat_gather last_sync; /* what the last call asked for */
	uint64_t sync_entry;        /* the broken entry when the hook ran */
	uint64_t *sync_watch;       /* slot to read in the hook, if set */
};

/* Raw capability values of a full-featured CPU of each format. */
void caps_ept_full(struct slat_caps *c);
void caps_npt_full(struct slat_caps *c);
void caps_stage2_full(struct slat_caps *c);

/*
 * Prepare `f` for `format` with full capabilities and a 48-bit input,
 * without creating the table: tests adjust f->cfg, then call fx_create().
 */
void fx_prepare(struct fx *f, const struct slat_format *format);
int fx_create(struct fx *f);
/* fx_prepare + fx_create, asserting success. */
void fx_init(struct fx *f, const struct slat_format *format);
/* Complete the gather, destroy the table, check that no page leaked. */
void fx_fini(struct fx *f);
/* Complete the gather (as if the invalidation had been done). */
void fx_flush(struct fx *f);

/* The three formats, for tests that run on each. */
extern const struct slat_format *const all_formats[3];

/* One cmocka test per format, the format as its state. */
#define ON_ALL(fn)                                                          \
	cmocka_unit_test_prestate(fn, (void *)&slat_format_ept),            \
	cmocka_unit_test_prestate(fn, (void *)&slat_format_npt),            \
	cmocka_unit_test_prestate(fn, (void *)&slat_format_stage2)

/* A whole table, page by page, in walk order. */
struct snap {
	size_t n;
	uint64_t *pa;
	unsigned char *bytes;
	size_t page;
};
void snap_take(const struct slat_table *t, struct snap *s);
int snap_equal(const struct snap *a, const struct snap *b);
void snap_free(struct snap *s);

/* The entry at `level` on the walk to `gpa`, or NULL if the walk stops above. */
uint64_t *entry_at(const struct slat_table *t, uint64_t gpa, unsigned level);

/* Assert the translation of `gpa`. */
void expect_map(const struct slat_table *t, uint64_t gpa, uint64_t hpa,
		unsigned perms, unsigned page_lg2);
void expect_unmapped(const struct slat_table *t, uint64_t gpa);

/* slat_validate() finds nothing. */
void expect_valid(const struct slat_table *t);

#endif
