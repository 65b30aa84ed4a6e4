/*
 * mem.h - host memory for the VMM: a bump allocator over the RAM after the
 * VMM image, another one downwards from the end of RAM for the large test
 * leaves, and the guest memory map ("memslots": which IPA range is backed
 * by which host range, as the VMM intends it).
 *
 * The VMM runs with its MMU off, so a host-physical address is also the
 * pointer the VMM uses (VA == PA).
 */
#ifndef MEM_H
#define MEM_H

#include <stdint.h>
#include <stddef.h>

#define SZ_4K  0x1000UL

/* Host RAM of QEMU's virt board with -m 2G: 0x40000000 - 0xbfffffff. */
#define HOST_RAM_END    0xc0000000UL

/* Zeroed, naturally aligned block of 2^size_lg2 bytes; panics when exhausted. */
void *mem_alloc(unsigned size_lg2);
/* Give a block back.  Blocks of 4 to 64 KiB (libslat's tables) are reused;
 * larger ones stay allocated. */
void mem_free(void *p, unsigned size_lg2);
/*
 * A block of size bytes aligned to align, taken downwards from the end of
 * RAM and NOT zeroed: for the test leaves of 2 MiB to 1 GiB, which the
 * callers fill only where the checks look (FILL_PAGE in protocol.h).
 */
uint64_t mem_alloc_high(uint64_t size, uint64_t align);
/* Bytes taken from the bottom pool and from the top of RAM. */
uint64_t mem_pool_used(void);
uint64_t mem_high_used(void);

/* Fill [pa, pa+size) so that every 64-bit word holds PATTERN(its own address). */
void mem_fill_pattern(uint64_t pa, uint64_t size);

/* Record (or replace, for the same ipa) that [ipa, ipa+size) is backed by pa. */
void memslot_set(uint64_t ipa, uint64_t pa, uint64_t size);
/* Host PA behind an IPA, or ~0 if the VMM never put memory there. */
uint64_t memslot_ipa_to_pa(uint64_t ipa);
/* VMM pointer to [ipa, ipa+len) if it lies within one memslot, else NULL. */
void *guest_ptr(uint64_t ipa, uint64_t len);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
