/* SPDX-License-Identifier: MIT */
/**
 * @file slat/gather.h
 * @brief Gathering what must be invalidated, and deferring table frees.
 *
 * Every mutating call records in a caller-provided gather the guest-physical
 * ranges whose translation changed, the sizes of the leaves that changed and
 * whether paging-structure (non-leaf) entries changed. The hypervisor turns
 * the gather into invalidation operations with its format's function
 * (slat_ept_flush(), slat_npt_flush(), slat_stage2_flush()), performs them on
 * every CPU that may run the guest, and then calls slat_gather_done(). Table
 * pages unlinked by the calls are held in the gather until then, because a
 * hardware walker may still reach them through its caches.
 *
 * A gather may collect several calls on the same table before one
 * invalidation. It must not be copied while it holds pages.
 */
#ifndef SLAT_GATHER_H
#define SLAT_GATHER_H

#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct slat_table;

/** Most distinct ranges a gather keeps before merging them. */
#define SLAT_GATHER_RANGES 8

/** One guest-physical range whose translation changed. */
struct slat_gather_range {
	uint64_t start;      /**< First guest-physical address. */
	uint64_t end;        /**< One past the last address. */
	uint64_t leaf_sizes;  /**< Bit n: a leaf of 2^n bytes in the range changed. */
	uint64_t table_sizes; /**< Bit n: a table entry spanning 2^n bytes changed. */
};

/** Flags of a gather, from slat_gather_flags(). */
enum slat_gather_flag {
	/** A non-leaf entry changed: paging-structure caches are stale. */
	SLAT_GATHER_TABLES = 1u << 0,
	/** More ranges than fit were recorded; ranges were merged (never dropped). */
	SLAT_GATHER_MERGED = 1u << 1
};

/** Bytes of @ref slat_gather, fixed for the life of the ABI (LIBSLAT_0.2). */
#define SLAT_GATHER_SIZE 512

/**
 * A gather: opaque storage of ::SLAT_GATHER_SIZE bytes, aligned like
 * uint64_t. Start from zero-filled storage (::SLAT_GATHER_INIT, or
 * slat_gather_init() on storage known to hold no gather); read it with
 * the slat_gather_*() functions below.
 */
struct slat_gather {
	uint64_t opaque_[SLAT_GATHER_SIZE / 8]; /**< Private to libslat: use the functions. */
};

/** Initialiser of an empty gather (zero-filled storage). */
#define SLAT_GATHER_INIT { { 0 } }

/**
 * Prepare an empty gather. A gather that still holds table pages or a
 * pending invalidation is refused rather than forgotten (its pages would
 * leak and its invalidation be lost). It is recognised by a stamp of its
 * own address that libslat writes when the gather first records something
 * and clears in slat_gather_done(), so stale storage is never mistaken for
 * a gather in use; but @p g is read, so give defined storage (zero-filled:
 * static storage, `= SLAT_GATHER_INIT`, memset) to keep memory checkers
 * quiet. A zero-filled gather is already empty.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EBUSY when the gather is not empty
 *   (complete it with slat_gather_done(), which leaves it empty).
 */
int slat_gather_init(struct slat_gather *g);

/** True when the gather asks for no invalidation and holds no pages. */
bool slat_gather_empty(const struct slat_gather *g);

/** The table the gather belongs to (set by its first use), or NULL. */
const struct slat_table *slat_gather_table(const struct slat_gather *g);

/** ::slat_gather_flag bits of the gather (0 for NULL). */
uint32_t slat_gather_flags(const struct slat_gather *g);

/** Number of changed ranges recorded, at most ::SLAT_GATHER_RANGES (0 for NULL). */
uint32_t slat_gather_nranges(const struct slat_gather *g);

/**
 * Changed range @p i (0 to slat_gather_nranges() - 1): sorted, disjoint.
 * An all-zero range for an index beyond them or a NULL gather.
 */
struct slat_gather_range slat_gather_range(const struct slat_gather *g, uint32_t i);

/** Number of unlinked table pages the gather holds until slat_gather_done(). */
uint64_t slat_gather_pages(const struct slat_gather *g);

/**
 * Report that the invalidation the gather asked for has been performed on
 * every CPU that may use the table. Frees the table pages the gather held
 * and leaves the gather empty, ready for reuse.
 * Concurrency (::SLAT_FEAT_CONCURRENT): before it frees unlinked table
 * pages it waits for a grace period (@ref slat_config::grace, or
 * libslat's reader epoch), so that no lock-free reader is still in them.
 * @return ::SLAT_OK, ::SLAT_ENULL, ::SLAT_EDEAD after slat_table_destroy(),
 *         or ::SLAT_EGATHER if @p g belongs to another table
 */
int slat_gather_done(struct slat_table *t, struct slat_gather *g);

#ifdef __cplusplus
}
#endif
#endif
