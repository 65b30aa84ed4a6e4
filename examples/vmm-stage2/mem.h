/*
 * mem.h - host memory for the VMM: a bump allocator over the RAM after the
 * VMM image, and the guest memory map ("memslots": which IPA range is
 * backed by which host range, as the VMM intends it).
 *
 * The VMM runs with its MMU off, so a host-physical address is also the
 * pointer the VMM uses (VA == PA).
 */
#ifndef MEM_H
#define MEM_H

#include <stdint.h>
#include <stddef.h>

#define SZ_4K  0x1000UL
#define SZ_2M  0x200000UL
#define SZ_1G  0x40000000UL

/* Host RAM of QEMU's virt board with -m 2G: 0x40000000 - 0xbfffffff. */
#define HOST_RAM_END    0xc0000000UL
/* The second GiB of RAM is kept out of the pool, for the 1 GiB test block. */
#define HOST_1G_BLOCK   0x80000000UL

/* Zeroed, naturally aligned block of 2^size_lg2 bytes; panics when exhausted. */
void *mem_alloc(unsigned size_lg2);
/* Give a block back.  Only 4 KiB blocks are reused (libslat's table pages);
 * larger ones stay allocated. */
void mem_free(void *p, unsigned size_lg2);
uint64_t mem_pool_used(void);

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
