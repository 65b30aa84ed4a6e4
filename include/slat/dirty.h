/* SPDX-License-Identifier: MIT */
/**
 * @file slat/dirty.h
 * @brief Hardware accessed and dirty state: the live-migration loop and
 *        working-set estimation.
 *
 * Available on tables created with ::SLAT_FEAT_AD; otherwise the calls fail
 * with ::SLAT_ENOFEAT. Clearing state changes what the hardware may cache,
 * so it is recorded in the gather like any other change: the hardware sets
 * a flag again only after the cached translation is invalidated.
 */
#ifndef SLAT_DIRTY_H
#define SLAT_DIRTY_H

#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Flags of slat_dirty_harvest() and slat_accessed(). */
enum slat_harvest_flag {
	/** Only read the state; do not clear it (nothing is gathered). */
	SLAT_HARVEST_KEEP = 1u << 0
};

/**
 * Read and clear the dirty state of [gpa, gpa + size) into @p bitmap: bit i
 * (bit i % 64 of word i / 64) stands for the base page at gpa + i * page
 * size and is set when that page is dirty. A dirty large leaf marks every
 * base page it covers in the range. Bits of clean pages are left as they
 * were, so a caller can accumulate several harvests into one bitmap.
 *
 * On Arm the dirty state is the writable bit that FEAT_HAFDBS sets in a
 * DBM-enabled leaf: clearing it makes the leaf writable-clean again.
 *
 * The same calls give the same result on every format. A page written and
 * then write-protected (slat_protect() removing ::SLAT_PERM_W, with or
 * without a memory-type change), split, or both, is still reported dirty
 * by the next harvest, once, and clean by the one after; re-enabling write
 * keeps it dirty until harvested. EPT and NPT keep their D flag through
 * such changes; on Arm the write permission that held the state goes, so
 * libslat moves it to a software bit of the leaf (one of descriptor bits
 * 58:55, which is why a Stage-2 table with ::SLAT_FEAT_AD offers the
 * embedder three software bits, not four), which this call reports and
 * clears like the hardware's. slat_translate() and slat_for_each() report
 * either as slat_mapping::dirty. A replacing slat_map() and slat_unmap()
 * still drop the state with the mapping (slat/map.h), on every format.
 *
 * Every page cleared is recorded in @p g: the hardware sets a dirty flag
 * again only after its cached translation is invalidated.
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param[out] bitmap one bit per base page of the range (bits of dirty pages are set)
 * @param bitmap_words number of 64-bit words at @p bitmap; it must hold a bit
 *   for every base page of the range, or the call fails with ::SLAT_ENOSPC
 *   before reading or writing anything
 * @param flags ::slat_harvest_flag bits
 * @param[out] found when non-NULL, the number of base pages found dirty
 * @param g the gather that records the cleared state
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EALIGN; ::SLAT_ESIZE;
 *   ::SLAT_EWRAP; ::SLAT_EGPA; ::SLAT_EFLAGS; ::SLAT_ENOFEAT; ::SLAT_ENOSPC;
 *   ::SLAT_EGATHER; ::SLAT_ECORRUPT.
 */
int slat_dirty_harvest(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		       uint64_t *bitmap, size_t bitmap_words, uint32_t flags,
		       uint64_t *found, struct slat_gather *g);

/**
 * Test, and unless ::SLAT_HARVEST_KEEP is given clear, the accessed flags
 * of the leaves in [gpa, gpa + size).
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param flags ::slat_harvest_flag bits
 * @param[out] accessed number of base pages whose leaf was accessed
 * @param g the gather that records the cleared state
 * @return as slat_dirty_harvest().
 */
int slat_accessed(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		  uint32_t flags, uint64_t *accessed, struct slat_gather *g);

#ifdef __cplusplus
}
#endif
#endif
