/* mem.h - host physical memory for the VMM: a bump allocator and test patterns. */
#ifndef VMM_MEM_H
#define VMM_MEM_H

#include <stdint.h>

#define PAGE_4K   0x1000ul
#define PAGE_2M   0x200000ul
#define PAGE_1G   0x40000000ul

/* Host RAM handed out by mem_alloc(): [16 MiB, 1 GiB).  [1 GiB, 2 GiB) is
 * kept whole as the backing of the guest's 1 GiB test mapping, so QEMU
 * have RAM up to 2 GiB without a hole: -m 2112M (with -m 2G the BIOS
 * reserves the top 128 KiB for ACPI tables). */
#define HOST_POOL_START   0x01000000ul
#define HOST_POOL_END     0x40000000ul
#define HOST_1G_BLOCK     0x40000000ul
#define HOST_RAM_NEEDED   0x80000000ul

void     mem_init(void);
/* zeroed, size-aligned block (size: a power of two, >= 4 KiB); 0 if exhausted.
 * Also the source of libslat's table pages (tables_slat.c). */
uint64_t mem_alloc(uint64_t size);
/* Give back a block from mem_alloc() that nothing can reach any more.
 * This VMM's bump allocator keeps it (its guest is short-lived);
 * examples/linux-npt, which shares tables_slat.c, reuses it. */
void     mem_free(uint64_t pa, uint64_t size);

/* Every 8-byte word of test memory holds its own host-physical address
 * tagged with 0x5A in the top byte, so a guest read proves which host
 * bytes a guest-physical address reached. */
#define PATTERN(hpa)  (0x5A00000000000000ul | (uint64_t)(hpa))
void     fill_pattern(uint64_t hpa, uint64_t len);

#endif
