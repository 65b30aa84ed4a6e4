/* SPDX-License-Identifier: MIT */
/**
 * @file slat/lookup.h
 * @brief Reading a table: translate one address, iterate over mappings.
 */
#ifndef SLAT_LOOKUP_H
#define SLAT_LOOKUP_H

#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One leaf mapping (or the part of it inside an iterated range). */
struct slat_mapping {
	slat_gpa_t gpa;          /**< First guest-physical address. */
	slat_hpa_t hpa;          /**< Host-physical address of @ref gpa. */
	uint64_t size;           /**< Bytes. */
	struct slat_attrs attrs; /**< Permissions (0: a no-access mapping, slat_map()), memory type, software bits. */
	uint8_t page_lg2;        /**< log2 of the leaf's size. */
	uint8_t level;           /**< Level of the leaf; 0 holds base pages. */
	bool accessed;           /**< Hardware accessed flag (false without A/D). */
	bool dirty;              /**< Hardware dirty state (false without A/D). */
	uint64_t entry;          /**< The raw leaf entry. */
};

/**
 * Translate one guest-physical address as the hardware walker would.
 * Concurrency (::SLAT_FEAT_CONCURRENT): takes no lock; sees each entry
 * before or after any concurrent change, never a freed table.
 * @param t the table
 * @param gpa the address
 * @param[out] m the leaf containing @p gpa; @ref slat_mapping::gpa is @p gpa
 *   and @ref slat_mapping::size runs to the end of the leaf
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EGPA;
 *   ::SLAT_ENOENT when nothing is
 *   mapped; ::SLAT_ECORRUPT.
 */
int slat_translate(const struct slat_table *t, slat_gpa_t gpa,
		   struct slat_mapping *m);

/** What slat_translate_perms() reports: the output and what the guest may do. */
struct slat_translation {
	slat_hpa_t hpa;   /**< Host-physical address of the looked-up address. */
	uint8_t perms;    /**< ::slat_perm bits, as slat_mapping::attrs.perms (0: a no-access mapping). */
	uint8_t page_lg2; /**< log2 of the leaf's size: the translation holds up to the next multiple of 2^page_lg2. */
};

/**
 * slat_translate() for the emulation path: the host-physical address and
 * the permissions only, each exactly as slat_translate() gives them, with
 * nothing else decoded (no memory type, shareability, key, software bits
 * or accessed/dirty state). The cheapest lookup, with tables created
 * with ::SLAT_FEAT_LINEAR_MAP and the common geometry (4 KiB granule
 * on every format).
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): as slat_translate(), a lock-free
 * reader.
 * @param t the table
 * @param gpa the address
 * @param[out] out written on success only
 * @return as slat_translate().
 */
int slat_translate_perms(const struct slat_table *t, slat_gpa_t gpa,
			 struct slat_translation *out);

/** Visitor of slat_for_each(). Return non-zero to stop the iteration. */
typedef int (*slat_mapping_fn)(void *ctx, const struct slat_mapping *m);

/**
 * Call @p fn for every leaf mapping in [gpa, gpa + size), in address order,
 * clipped to the range.
 * Concurrency (::SLAT_FEAT_CONCURRENT): holds the range for the whole
 * walk; @p fn must not change an overlapping range (it would wait for
 * itself).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param fn called for each mapping
 * @param ctx passed to @p fn
 * @param[out] stopped when non-NULL, what @p fn returned to stop (0 if it did not)
 * @return ::SLAT_OK (also when @p fn stopped early; its value is stored in
 *   @p stopped when non-NULL); ::SLAT_ENULL; ::SLAT_EDEAD after
 *   slat_table_destroy(); ::SLAT_EALIGN; ::SLAT_ESIZE;
 *   ::SLAT_EWRAP; ::SLAT_EGPA; ::SLAT_ECORRUPT.
 */
int slat_for_each(const struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		  slat_mapping_fn fn, void *ctx, int *stopped);

#ifdef __cplusplus
}
#endif
#endif
