/* mem.c - bump allocator over host RAM; nothing is ever freed. */
#include "cpu.h"
#include "mem.h"

static uint64_t next = HOST_POOL_START;

void mem_init(void)
{
    next = HOST_POOL_START;
}

uint64_t mem_alloc(uint64_t size)
{
    uint64_t at = (next + size - 1) & ~(size - 1);
    if (at + size > HOST_POOL_END)
        return 0;
    next = at + size;
    memset(hpa_ptr(at), 0, size);
    return at;
}

void mem_free(uint64_t pa, uint64_t size)
{
    (void)pa, (void)size;
}

void fill_pattern(uint64_t hpa, uint64_t len)
{
    volatile uint64_t *p = hpa_ptr(hpa);
    for (uint64_t off = 0; off < len; off += 8)
        *p++ = PATTERN(hpa + off);
}
