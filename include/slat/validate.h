/* SPDX-License-Identifier: MIT */
/**
 * @file slat/validate.h
 * @brief Checking a table against what the hardware accepts.
 *
 * libslat's encoders cannot produce a misconfigured entry; the validator
 * proves it on any table, including one the embedder edited by hand.
 */
#ifndef SLAT_VALIDATE_H
#define SLAT_VALIDATE_H

#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What is wrong with an entry or with the table's structure. */
enum slat_problem_kind {
	SLAT_PROB_RESERVED = 1,      /**< A reserved (must-be-zero, RES0) bit is set. */
	SLAT_PROB_WRITE_ONLY = 2,    /**< EPT: write without read (misconfiguration). */
	SLAT_PROB_EXEC_ONLY = 3,     /**< EPT: execute without read and no execute-only capability. */
	SLAT_PROB_MEMTYPE = 4,       /**< A memory type encoding the hardware rejects (EPT 2, 3, 7; Arm reserved). */
	SLAT_PROB_ADDR_RANGE = 5,    /**< An output or table address beyond the physical width. */
	SLAT_PROB_LEAF_LEVEL = 6,    /**< A leaf at a level that cannot hold one. */
	SLAT_PROB_EMPTY_TABLE = 7,   /**< A non-root table with no present entry (libslat frees those). */
	SLAT_PROB_TABLE_COUNT = 8,   /**< Reachable tables differ from the pages the table holds. */
	SLAT_PROB_FEATURE = 9,       /**< A bit of a feature the table did not enable. */
	SLAT_PROB_TABLE_ATTR = 10,   /**< A table entry with attributes libslat never writes (e.g. restricting permissions). */
	SLAT_PROB_KEY = 11,          /**< A host memory key the table does not allow: C-bit or KeyID without ::SLAT_FEAT_KEYS, a KeyID beyond @ref slat_caps::key_max, or a table entry not under the tables' key. */
	/**
	 * A table entry points at a table page that another table entry also
	 * points at, or into the root: reported for each such entry, with
	 * the page's address in @ref slat_problem::bits.
	 */
	SLAT_PROB_TABLE_ALIAS = 12,
	/**
	 * The reachable table pages are not the pages the table holds, though
	 * no two entries share one: a table address was changed to a page
	 * libslat did not allocate for this table.
	 */
	SLAT_PROB_TABLE_SET = 13,
	SLAT_PROB_EXEC_HUGE = 14,    /**< ::SLAT_FEAT_NX_HUGE: an executable leaf above the base page, or the execute-request bit where only such a leaf may hold it (slat/multihit.h). */
	SLAT_PROB_ABSENT_BITS = 15   /**< An absent entry (the hardware sees it as not present) with bits outside the payload field (slat/payload.h), or any bits above the base level: libslat never writes those, and a format may read some of them (EPT bit 63, suppress \#VE). @ref slat_problem::bits holds them. */
};

/** One problem found by slat_validate(). */
struct slat_problem {
	uint32_t kind;   /**< ::slat_problem_kind. */
	uint8_t level;   /**< Level of the entry (0 for base pages). */
	slat_gpa_t gpa;  /**< First guest-physical address the entry translates. */
	uint64_t entry;  /**< The raw entry. */
	uint64_t bits;   /**< The offending bits, where that makes sense. */
};

/** Receives each problem. */
typedef void (*slat_problem_fn)(void *ctx, const struct slat_problem *p);

/**
 * Walk the whole table and report every entry the hardware would treat as
 * misconfigured or reserved-bit-violating, and every structural problem,
 * including table entries that share a table page or point at a page the
 * table does not hold (docs/errors.md, "Corrupted table addresses"). Linear
 * in the table's size on a sound table; naming aliased entries costs a pass
 * quadratic in the number of table entries, run only when the pages differ.
 * Concurrency (::SLAT_FEAT_CONCURRENT): holds the whole input range;
 * exact when no changing call is in flight.
 * @param t the table
 * @param fn called once per problem (may be NULL to only count)
 * @param ctx passed to @p fn
 * @param[out] count number of problems (required)
 * @return ::SLAT_OK (even when problems were found); ::SLAT_ENULL;
 *   ::SLAT_EDEAD after slat_table_destroy().
 */
int slat_validate(const struct slat_table *t, slat_problem_fn fn, void *ctx,
		  uint64_t *count);

/** Short description of a ::slat_problem_kind (never NULL). */
const char *slat_problem_str(unsigned kind);

#ifdef __cplusplus
}
#endif
#endif
