/* SPDX-License-Identifier: MIT */
/*
 * The contract between the portable core and a hardware backend.
 *
 * A backend describes its format in two ways:
 *  - data, written into the table's struct slat_layout when the table is
 *    created: per-level geometry and the masks the core needs to tell
 *    present, table and leaf entries apart, find output addresses (kept
 *    at their own bits or in a shifted field: struct slat_layout,
 *    addr_mask) and accessed/dirty state. The core's walks read only this
 *    data, so they make no call into the backend per entry, and a new
 *    format needs no change in lib/ (tests/unit/test_fake.c builds
 *    RISC-V's G-stage this way);
 *  - a few functions, called a bounded number of times per operation:
 *    encode the attribute bits of a leaf at one level (once per level per
 *    call; the core then stamps addresses into that template), decode them
 *    back, and check an entry for the validator.
 *
 * Everything format-specific that is not on that path (root pointers,
 * invalidation operations, capability decoding) lives in the backend's
 * own public header and calls the core only through its public API.
 */
#ifndef SLAT_LIB_FORMAT_H
#define SLAT_LIB_FORMAT_H

#include <slat/table.h>
#include <slat/validate.h>

#include "table_state.h"

/* At most this many problems are reported per entry. */
#define SLAT_CHECK_MAX 5

struct slat_format {
	uint32_t id;      /* enum slat_format_id */
	const char *name; /* "ept", "npt", "stage2" */

	/*
	 * Validate cfg against the format and t->caps, and fill t->lay.
	 * The core has already copied caps, features and the allocator
	 * into t and checked the fields it owns. Returns an slat_err.
	 */
	int (*configure)(struct table_state *t, const struct slat_config *cfg);

	/*
	 * The bits of a leaf at `level` that express `a`, everything but the
	 * output address: entry = template | hpa. A new leaf is marked
	 * accessed where the format needs it. Returns SLAT_EPERM,
	 * SLAT_EMEMTYPE, SLAT_ECAPS or SLAT_ESWBITS for what the format or
	 * the table cannot express; never widens or narrows.
	 */
	int (*leaf_encode)(const struct table_state *t, unsigned level,
			   const struct slat_attrs *a, uint64_t *tmpl);

	/* The attributes a present leaf at `level` expresses. */
	void (*leaf_decode)(const struct table_state *t, unsigned level,
			    uint64_t e, struct slat_attrs *a);

	/*
	 * Validator: problems of the present entry `e` at `level` (a table
	 * entry unless `leaf`). Fills kind and bits of up to SLAT_CHECK_MAX
	 * problems and returns how many.
	 */
	unsigned (*check)(const struct table_state *t, unsigned level,
			  uint64_t e, bool leaf, struct slat_problem *out);
};

/* Helpers for backends filling t->lay. */

/* Bits [hi:lo] set. */
static inline uint64_t slat_bits(unsigned hi, unsigned lo)
{
	return ((hi >= 63) ? ~0ull : ((1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}

/*
 * Standard geometry for a format whose levels each resolve
 * (granule_lg2 - 3) bits, except the top one which resolves what is left
 * of ia_bits. Sets levels, shift[], bits[] and root_lg2.
 */
void slat__layout_geometry(struct slat_layout *lay, unsigned granule_lg2,
			  unsigned ia_bits, unsigned levels);

/*
 * Choose software bit positions: cfg->sw_positions when given (each must be
 * in `allowed`: ignored by the hardware and used by no enabled feature),
 * else the first cfg->sw_bits bits of `preferred`, lowest first.
 */
int slat__layout_sw_bits(struct slat_layout *lay, const struct slat_config *cfg,
			uint64_t preferred, uint64_t allowed);

/* Short names for backends. */
#define slat_layout_geometry slat__layout_geometry
#define slat_layout_sw_bits slat__layout_sw_bits

#endif
