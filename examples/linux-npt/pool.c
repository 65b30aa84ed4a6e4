/*
 * pool.c - the hypervisor's page pool: a bump region plus a free list.
 *
 * Pages leave the guest (migration, demand paging) and come back, so unlike
 * vmm-npt's bump allocator this one frees.  A page the guest may still
 * reach through a translation its TLB caches is not reused until a VMRUN
 * with a TLB flush has happened: pool_free_after_flush() parks it, and the
 * run loop calls pool_flush_done() after such a VMRUN.
 *
 * mem_alloc() is the interface of vmm-npt's mem.h, which the shared
 * tables_slat.c (libslat's table pages) and svm.c (host save area) use.
 */
#include "cpu.h"
#include "lnpt.h"
#include "mem.h"

static uint64_t bump, limit;
static uint64_t free_head;          /* free pages, linked through their first word */
static uint64_t parked_head;        /* freed, waiting for a TLB flush */
static uint64_t nfree;

void pool_init(uint64_t start, uint64_t end)
{
    bump = (start + PAGE_4K - 1) & ~(PAGE_4K - 1);
    limit = end;
}

uint64_t pool_alloc_page(void)
{
    uint64_t pa;
    if (free_head) {
        pa = free_head;
        free_head = *(uint64_t *)hpa_ptr(pa);
        nfree--;
    } else {
        if (bump + PAGE_4K > limit)
            return 0;
        pa = bump;
        bump += PAGE_4K;
    }
    memset(hpa_ptr(pa), 0, PAGE_4K);
    return pa;
}

uint64_t pool_alloc_bytes(uint64_t bytes)
{
    bytes = (bytes + PAGE_4K - 1) & ~(PAGE_4K - 1);
    if (bump + bytes > limit)
        return 0;
    uint64_t pa = bump;
    bump += bytes;
    memset(hpa_ptr(pa), 0, bytes);
    return pa;
}

uint64_t mem_alloc(uint64_t size)
{
    if (size == PAGE_4K)
        return pool_alloc_page();
    uint64_t at = (bump + size - 1) & ~(size - 1);   /* naturally aligned, as mem.h promises */
    if (at + size > limit)
        return 0;
    bump = at + size;
    memset(hpa_ptr(at), 0, size);
    return at;
}

/* libslat's table pages, freed by slat_gather_done() after the flush
 * (tables_slat.c of vmm-npt); other sizes are never freed. */
void mem_free(uint64_t pa, uint64_t size)
{
    if (size != PAGE_4K)
        return;
    *(uint64_t *)hpa_ptr(pa) = free_head;
    free_head = pa;
    nfree++;
}

void pool_free_after_flush(uint64_t hpa)
{
    *(uint64_t *)hpa_ptr(hpa) = parked_head;
    parked_head = hpa;
}

void pool_flush_done(void)
{
    while (parked_head) {
        uint64_t pa = parked_head;
        parked_head = *(uint64_t *)hpa_ptr(pa);
        *(uint64_t *)hpa_ptr(pa) = free_head;
        free_head = pa;
        nfree++;
    }
}

uint64_t pool_free_pages(void)
{
    return nfree + (limit - bump) / PAGE_4K;
}
