/* hostmem.h - host physical memory layout and a page allocator. */
#ifndef HOSTMEM_H
#define HOSTMEM_H

#include "cpu.h"

/*
 * Host physical memory (Bochs is configured with 2 GiB):
 *   0x00100000  VMM image and .bss
 *   0x02000000  guest RAM (4 MiB) backing GPA_RAM
 *   0x02800000  page pool: EPT tables, test pages (page_alloc)
 *   0x05000000  2 MiB block backing GPA_2M_AREA
 *   0x05200000  4 MiB + 2 MiB backing GPA_PML_AREA
 *   0x40000000  1 GiB block backing GPA_1G_AREA
 */
#define HPA_GUEST_RAM	0x02000000ull
#define HPA_POOL	0x02800000ull
#define HPA_POOL_END	0x05000000ull
#define HPA_2M_BLOCK	0x05000000ull
#define HPA_PML_BLOCK	0x05200000ull
#define HPA_1G_BLOCK	0x40000000ull

/* Returns the host-physical address of a zeroed 4 KiB page; never fails
 * (powers off with a message when the pool is exhausted). */
u64 page_alloc(void);
/* Gives a page from page_alloc() back. */
void page_free(u64 pa);

#endif
