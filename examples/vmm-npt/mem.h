/* mem.h - host physical memory for the VMM: a bump allocator and test patterns. */
#ifndef VMM_MEM_H
#define VMM_MEM_H

#include <stdint.h>

#define PAGE_4K   0x1000ul
#define PAGE_2M   0x200000ul
#define PAGE_1G   0x40000000ul

/* Host RAM handed out by mem_alloc(): [16 MiB, 1 GiB).  [1 GiB, 2 GiB) is
 * kept whole as the backing of the guest's 1 GiB test mapping, so QEMU
 * must be started with at least 2 GiB (-m 2G). */
#define HOST_POOL_START   0x01000000ul
#define HOST_POOL_END     0x40000000ul
#define HOST_1G_BLOCK     0x40000000ul
#define HOST_RAM_NEEDED   0x80000000ul

void     mem_init(void);
/* zeroed, size-aligned block (size: a power of two, >= 4 KiB); 0 if exhausted.
 * Also the source of libslat's table pages (tables_slat.c). */
uint64_t mem_alloc(uint64_t size);

/* Every 8-byte word of test memory holds its own host-physical address
 * tagged with 0x5A in the top byte, so a guest read proves which host
 * bytes a guest-physical address reached. */
#define PATTERN(hpa)  (0x5A00000000000000ul | (uint64_t)(hpa))
void     fill_pattern(uint64_t hpa, uint64_t len);

#endif
