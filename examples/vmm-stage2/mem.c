/* mem.c - host memory allocator and the guest memory map. */
#include <stdbool.h>
#include "mem.h"
#include "protocol.h"
#include "report.h"

extern char __pool_start[];            /* vmm.ld: first 2 MiB boundary after the image */

static uint64_t pool_next, high_next = HOST_RAM_END;
/* Freed blocks of 2^12 .. 2^16 bytes (table sizes); the first word links them. */
static void *free_list[5];

void *mem_alloc(unsigned size_lg2)
{
	uint64_t size = 1UL << size_lg2;
	void **list = size_lg2 >= 12 && size_lg2 <= 16 ? &free_list[size_lg2 - 12] : NULL;

	if (list && *list) {
		void *p = *list;
		*list = *(void **)p;
		memset(p, 0, size);
		return p;
	}
	if (!pool_next)
		pool_next = (uint64_t)__pool_start;
	uint64_t pa = (pool_next + size - 1) & ~(size - 1);
	if (pa + size > high_next)
		vmm_fatal("host memory pool exhausted");
	pool_next = pa + size;
	memset((void *)pa, 0, size);
	return (void *)pa;
}

void mem_free(void *p, unsigned size_lg2)
{
	if (size_lg2 < 12 || size_lg2 > 16)
		return;
	*(void **)p = free_list[size_lg2 - 12];
	free_list[size_lg2 - 12] = p;
}

uint64_t mem_alloc_high(uint64_t size, uint64_t align)
{
	uint64_t pa = (high_next - size) & ~(align - 1);

	if (size > high_next || pa < pool_next || pa < (uint64_t)__pool_start)
		vmm_fatal("no room for %lx bytes at the top of RAM", size);
	high_next = pa;
	return pa;
}

uint64_t mem_pool_used(void)
{
	return pool_next - (uint64_t)__pool_start;
}

uint64_t mem_high_used(void)
{
	return HOST_RAM_END - high_next;
}

void mem_fill_pattern(uint64_t pa, uint64_t size)
{
	volatile uint64_t *w = (volatile uint64_t *)pa;

	for (uint64_t i = 0; i < size / 8; i++)
		w[i] = PATTERN(pa + 8 * i);
}

/* ---- memslots ---- */

#define MAX_MEMSLOTS 64

static struct memslot {
	uint64_t ipa, pa, size;
} slots[MAX_MEMSLOTS];
static unsigned nslots;

void memslot_set(uint64_t ipa, uint64_t pa, uint64_t size)
{
	for (unsigned i = 0; i < nslots; i++) {
		if (slots[i].ipa == ipa) {
			slots[i].pa = pa;
			slots[i].size = size;
			return;
		}
	}
	if (nslots == MAX_MEMSLOTS)
		vmm_fatal("too many memslots");
	slots[nslots++] = (struct memslot){ ipa, pa, size };
}

static const struct memslot *memslot_find(uint64_t ipa)
{
	for (unsigned i = 0; i < nslots; i++)
		if (ipa >= slots[i].ipa && ipa - slots[i].ipa < slots[i].size)
			return &slots[i];
	return NULL;
}

uint64_t memslot_ipa_to_pa(uint64_t ipa)
{
	const struct memslot *s = memslot_find(ipa);

	return s ? s->pa + (ipa - s->ipa) : ~0UL;
}

void *guest_ptr(uint64_t ipa, uint64_t len)
{
	const struct memslot *s = memslot_find(ipa);

	if (!s || len > s->size - (ipa - s->ipa))
		return NULL;
	return (void *)(s->pa + (ipa - s->ipa));
}

/*
 * The compiler may emit calls to these.  With the MMU off, memory is
 * Device memory, so only aligned accesses are allowed (-mstrict-align).
 */
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	if (!c && !((uint64_t)p & 7) && !(n & 7)) {
		for (size_t i = 0; i < n / 8; i++)
			((volatile uint64_t *)p)[i] = 0;
		return s;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (!(((uint64_t)dp | (uint64_t)sp | n) & 7)) {
		for (size_t i = 0; i < n / 8; i++)
			((uint64_t *)dp)[i] = ((const uint64_t *)sp)[i];
		return d;
	}
	for (size_t i = 0; i < n; i++)
		dp[i] = sp[i];
	return d;
}
