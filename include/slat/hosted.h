/* SPDX-License-Identifier: MIT */
/**
 * @file slat/hosted.h
 * @brief Conveniences for hosted programs (tests, tools): a page pool
 *        allocator and printing. Not part of the freestanding library;
 *        link with libslat-hosted.
 */
#ifndef SLAT_HOSTED_H
#define SLAT_HOSTED_H

#include <stdio.h>

#include <slat/alloc.h>
#include <slat/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A pool of table pages carved from one aligned block of process memory,
 * with made-up host-physical addresses starting at @ref pa_base (so that
 * code confusing virtual and physical addresses fails). Pages are zeroed
 * when handed out. Counts every allocation and can fail on purpose.
 */
struct slat_pool {
	unsigned char *base;   /**< Start of the block. */
	uint64_t size;         /**< Bytes in the block. */
	uint64_t pa_base;      /**< Host-physical address of @ref base. */
	uint64_t bump;         /**< Bytes handed out from the top so far. */
	void *free_lists[10];  /**< Freed blocks, by size class (log2 12 to 21). */
	uint64_t in_use;       /**< Bytes currently allocated. */
	uint64_t peak;         /**< Highest @ref in_use seen. */
	uint64_t allocs;       /**< Successful allocations so far. */
	uint64_t frees;        /**< Frees so far. */
	uint64_t attempts;     /**< Allocation calls so far, failed ones included. */
	int64_t fail_after;    /**< Fail the call after this many more attempts succeed; -1: never. */
	bool fail_sticky;      /**< Keep failing once the first failure happened. */
};

/**
 * Create a pool of @p bytes (a multiple of 64 KiB) with physical addresses
 * from @p pa_base (aligned to 64 KiB).
 * @return 0, or -1 when the process is out of memory or arguments are bad.
 */
int slat_pool_init(struct slat_pool *p, uint64_t bytes, uint64_t pa_base);

/** Release the pool's memory. */
void slat_pool_fini(struct slat_pool *p);

/** Allocator hooks that draw from @p p. */
struct slat_allocator slat_pool_allocator(struct slat_pool *p);

/**
 * Allocator hooks that draw from @p p without zeroing: a block holds what
 * its last user left. Only for tables created with
 * ::SLAT_FEAT_ALLOC_UNZEROED. Since 0.3.
 */
struct slat_allocator slat_pool_allocator_unzeroed(struct slat_pool *p);

/**
 * The pool's memory is one block, mapped linearly: for
 * @ref slat_config::linear_offset with ::SLAT_FEAT_LINEAR_MAP, so that
 * libslat reaches its tables by an add instead of calling
 * @ref slat_allocator::phys_to_virt.
 */
uint64_t slat_pool_linear_offset(const struct slat_pool *p);

/** Inject failure: the (@p n + 1)-th allocation attempt from now fails. -1 disables. */
void slat_pool_fail_after(struct slat_pool *p, int64_t n, bool sticky);

/**
 * A @ref slat_config::wait hook for hosted programs: sched_yield(), so that
 * a thread waiting for another call on the same table gives its CPU to the
 * thread it waits for. @p ctx is unused.
 */
void slat_wait_yield(void *ctx);

/** Print slat_dump() output to @p f. */
int slat_dump_file(const struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		   FILE *f);

#ifdef __cplusplus
}
#endif
#endif
