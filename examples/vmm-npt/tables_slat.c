/*
 * tables_slat.c - the VMM's side of libslat: table pages, table creation,
 * and the TLB flush around VMRUN.
 *
 * libslat (lib/, backends/npt/) is compiled into the VMM freestanding, as
 * any other source file (Makefile); it needs memcpy and memset (serial.c).
 */
#include "cpu.h"
#include "mem.h"
#include "npt.h"

/* ---- table pages: libslat allocates nothing itself ---- */

static void *table_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
    (void)ctx;
    *pa = mem_alloc(1ull << size_lg2);      /* zeroed and naturally aligned */
    return *pa ? hpa_ptr(*pa) : 0;
}

/* Called only after npt_tlb_done() for tables the guest's TLB may still
 * have used: the page can go straight back to the allocator. */
static void table_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
    (void)ctx, (void)va;
    mem_free(pa, 1ull << size_lg2);
}

static void *table_virt(void *ctx, uint64_t pa)
{
    (void)ctx;
    return hpa_ptr(pa);                     /* the VMM runs identity-mapped */
}

int npt_caps(struct guest_npt *n)
{
    /* The nested walk has the host's paging depth at VMRUN, so the host's
     * CR4 (LA57) decides between 4- and 5-level tables, not CPUID. */
    return slat_npt_caps(cpuid(0x8000000A, 0).edx,    /* NP, FlushByAsid, GMET */
                         cpuid(0x80000008, 0).eax,    /* PhysAddrSize, GuestPhysAddrSize */
                         cpuid(0x80000001, 0).edx,    /* Page1GB */
                         read_cr4(),                  /* LA57: the host's depth */
                         &n->caps);
}

int npt_init(struct guest_npt *n)
{
    /* GMET (split execute) only where the CPU has it; the table then uses
     * nested U/S for it, and vmcb_init() must turn it on in the VMCB. */
    n->gmet = (n->caps.flags & SLAT_CAP_SPLIT_EXEC) != 0;

    struct slat_config cfg = {
        .format   = &slat_format_npt,
        .caps     = &n->caps,
        .alloc    = { table_alloc, table_free, table_virt, 0 },
        .ia_bits  = n->caps.ia_bits,        /* every GPA the CPU can translate */
        .features = SLAT_FEAT_AD | (n->gmet ? SLAT_FEAT_SPLIT_EXEC : 0),
        /* Nested leaves choose their memory type through the host PAT in
         * force at VMRUN: tell libslat which one that is. */
        .host_pat = rdmsr(MSR_PAT),
    };
    slat_gather_init(&n->changes);
    return slat_table_init(&n->table, &cfg);
}

uint8_t npt_tlb_control(struct guest_npt *n)
{
    uint8_t tc = SLAT_NPT_TLB_ALL;
    /* Can fail only for a gather of another table: flush everything then. */
    if (slat_npt_flush(&n->table, &n->changes, &tc))
        tc = SLAT_NPT_TLB_ALL;
    return tc;
}

void npt_tlb_done(struct guest_npt *n)
{
    slat_gather_done(&n->table, &n->changes);
}
