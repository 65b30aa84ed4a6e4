/* SPDX-License-Identifier: MIT */
/*
 * A pool allocator for hosted programs: one aligned block of process
 * memory with made-up physical addresses, pages zeroed only when handed
 * out (as ../shared/bench/WORKLOADS.md asks of every builder) or not at
 * all for tables that allow it, and failure injection for tests.
 */

#include <stdlib.h>
#include <string.h>

#include <slat/hosted.h>

#define POOL_ALIGN (64u * 1024u)
#define CLASS_MIN 12
#define CLASS_MAX 21

int slat_pool_init(struct slat_pool *p, uint64_t bytes, uint64_t pa_base)
{
	if (!p || !bytes || bytes % POOL_ALIGN || pa_base % POOL_ALIGN)
		return -1;
	memset(p, 0, sizeof(*p));
	p->base = aligned_alloc(POOL_ALIGN, bytes);
	if (!p->base)
		return -1;
	p->size = bytes;
	p->pa_base = pa_base;
	p->fail_after = -1;
	return 0;
}

void slat_pool_fini(struct slat_pool *p)
{
	if (!p)
		return;
	free(p->base);
	p->base = NULL;
}

void slat_pool_fail_after(struct slat_pool *p, int64_t n, bool sticky)
{
	p->fail_after = n;
	p->fail_sticky = sticky;
}

static void *pool_take(struct slat_pool *p, unsigned size_lg2, uint64_t *pa,
		       bool zero)
{
	uint64_t size = 1ull << size_lg2;
	unsigned char *block;

	p->attempts++;
	if (p->fail_after >= 0) {
		if (p->fail_after == 0) {
			if (!p->fail_sticky)
				p->fail_after = -1;
			return NULL;
		}
		p->fail_after--;
	}
	if (size_lg2 < CLASS_MIN || size_lg2 > CLASS_MAX)
		return NULL;
	block = p->free_lists[size_lg2 - CLASS_MIN];
	if (block) {
		p->free_lists[size_lg2 - CLASS_MIN] = *(void **)block;
	} else {
		uint64_t off = (p->bump + size - 1) & ~(size - 1);

		if (off + size > p->size)
			return NULL;
		block = p->base + off;
		p->bump = off + size;
	}
	if (zero)
		memset(block, 0, size);
	p->in_use += size;
	if (p->in_use > p->peak)
		p->peak = p->in_use;
	p->allocs++;
	*pa = p->pa_base + (uint64_t)(block - p->base);
	return block;
}

static void *pool_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	return pool_take(ctx, size_lg2, pa, true);
}

/* For tables with SLAT_FEAT_ALLOC_UNZEROED: the block as it was left. */
static void *pool_alloc_unzeroed(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	return pool_take(ctx, size_lg2, pa, false);
}

static void pool_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	struct slat_pool *p = ctx;
	unsigned char *block = va;

	if (!va || size_lg2 < CLASS_MIN || size_lg2 > CLASS_MAX ||
	    block < p->base || block >= p->base + p->size ||
	    pa != p->pa_base + (uint64_t)(block - p->base))
		abort(); /* a libslat bug: never hide it */
	*(void **)block = p->free_lists[size_lg2 - CLASS_MIN];
	p->free_lists[size_lg2 - CLASS_MIN] = block;
	p->in_use -= 1ull << size_lg2;
	p->frees++;
}

static void *pool_phys_to_virt(void *ctx, uint64_t pa)
{
	struct slat_pool *p = ctx;

	if (pa < p->pa_base || pa - p->pa_base >= p->size)
		abort(); /* a table address libslat never handed out */
	return p->base + (pa - p->pa_base);
}

uint64_t slat_pool_linear_offset(const struct slat_pool *p)
{
	/* Modulo 2^64, as libslat adds it. */
	return (uint64_t)(uintptr_t)p->base - p->pa_base;
}

struct slat_allocator slat_pool_allocator(struct slat_pool *p)
{
	struct slat_allocator a = { pool_alloc, pool_free, pool_phys_to_virt, p };

	return a;
}

struct slat_allocator slat_pool_allocator_unzeroed(struct slat_pool *p)
{
	struct slat_allocator a = { pool_alloc_unzeroed, pool_free, pool_phys_to_virt, p };

	return a;
}
