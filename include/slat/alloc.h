/* SPDX-License-Identifier: MIT */
/**
 * @file slat/alloc.h
 * @brief The embedder's allocator hooks for table pages.
 *
 * libslat never allocates memory by itself. Every table page comes from these
 * hooks, so the embedder decides where tables live (a reserved pool, a
 * per-VM budget, memory below 4 GiB...).
 */
#ifndef SLAT_ALLOC_H
#define SLAT_ALLOC_H

#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Allocator hooks. All three functions are required (phys_to_virt not under ::SLAT_FEAT_LINEAR_MAP). */
struct slat_allocator {
	/**
	 * Allocate a zero-filled, naturally aligned block of 2^size_lg2 bytes
	 * for a translation table. size_lg2 is the table's granule (12, 14 or
	 * 16) except for an Arm root made of concatenated tables, which asks
	 * for up to 16 granules at once.
	 *
	 * For a table created with ::SLAT_FEAT_ALLOC_UNZEROED the block need
	 * not be zeroed: libslat writes every 8-byte entry of it (zeroing
	 * those a call does not fill) before linking it, so that no walker,
	 * hardware or libslat's own, ever reads a byte the allocator left.
	 * A block reserved by a call and given back unused (the call failed,
	 * or needed fewer) is never read; libslat used its first 16 bytes as
	 * a list link meanwhile. docs/embedding.md, "Allocators that do not
	 * zero".
	 * @param ctx the @ref slat_allocator::ctx value
	 * @param size_lg2 log2 of the size and alignment in bytes
	 * @param[out] pa host-physical address of the block
	 * @return the block's address in the hypervisor's own address space,
	 *         or NULL when out of memory (the call then fails with
	 *         ::SLAT_ENOMEM and changes nothing). A block whose @p pa is
	 *         not aligned to its size, or lies beyond the table's
	 *         output width, is given back at once and the call fails with
	 *         ::SLAT_EALIGN or ::SLAT_EHPA, changing nothing.
	 */
	void *(*alloc)(void *ctx, unsigned size_lg2, uint64_t *pa);
	/**
	 * Give back a block obtained from @ref alloc. libslat calls it only
	 * when no hardware walker can reach the block any more: for blocks
	 * unlinked from a live table, after slat_gather_done().
	 */
	void (*free)(void *ctx, void *va, uint64_t pa, unsigned size_lg2);
	/**
	 * Address in the hypervisor's address space of a table at
	 * host-physical @p pa. Never called, and may be NULL, on a table
	 * created with ::SLAT_FEAT_LINEAR_MAP (slat/table.h).
	 */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/** Passed to every hook. */
	void *ctx;
};

#ifdef __cplusplus
}
#endif
#endif
