/*
 * npt.h - the guest's nested page tables, built and maintained by libslat.
 *
 * The VMM holds one libslat NPT table for its one guest, plus the gather
 * in which libslat records what the TLB may still cache.  tables_slat.c
 * creates the table from what CPUID says and hands libslat the VMM's page
 * allocator; it also turns the gather into VMCB.TLB_CONTROL around VMRUN.
 * Everything else calls libslat directly; the three helpers below only
 * fill in the arguments that every map / protect / unmap of this VMM
 * shares.  No file of the VMM knows the nested entry format.
 *
 * libslat calls return 0 (SLAT_OK) or a positive enum slat_err;
 * slat_errname() names it.
 */
#ifndef VMM_NPT_H
#define VMM_NPT_H

#include <stdint.h>
#include <slat/slat.h>

struct guest_npt {
    struct slat_caps   caps;    /* what this CPU's nested paging can do */
    struct slat_table  table;   /* the nested page tables */
    struct slat_gather changes; /* changes the TLB may not have seen yet */
    int                gmet;    /* table uses split execute: VMCB GMET must be on */
};

/* Fill n->caps from CPUID with slat_npt_caps(), restricted to what this
 * host can use.  0, or SLAT_ECAPS when there is no nested paging. */
int     npt_caps(struct guest_npt *n);

/* Create the empty table for n->caps: A/D tracking, GMET where offered,
 * the host PAT this VMM runs with. */
int     npt_init(struct guest_npt *n);

/* VMCB.TLB_CONTROL for the next VMRUN: what the changes gathered since
 * the last flush need (0 if nothing). */
uint8_t npt_tlb_control(struct guest_npt *n);

/* A VMRUN with that TLB_CONTROL has run: the TLB no longer holds what
 * the gather recorded, so tables libslat unlinked may be freed. */
void    npt_tlb_done(struct guest_npt *n);

/* Map [gpa, gpa+size) to host [hpa, hpa+size) as write-back memory with
 * SLAT_PERM_* rights.  libslat picks 1 GiB / 2 MiB / 4 KiB leaves from
 * the alignment and refuses to map over an existing mapping. */
static inline int npt_map(struct guest_npt *n, uint64_t gpa, uint64_t hpa, uint64_t size,
                          unsigned perms)
{
    struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);
    return slat_map(&n->table, slat_gpa(gpa), size, slat_hpa(hpa), &a, 0, &n->changes);
}

/* Set the rights of every mapping in the range to exactly `perms`;
 * libslat splits large leaves that stick out of the range. */
static inline int npt_protect(struct guest_npt *n, uint64_t gpa, uint64_t size, unsigned perms)
{
    struct slat_prot p = slat_prot_perms(perms);
    return slat_protect(&n->table, slat_gpa(gpa), size, &p, &n->changes);
}

/* Remove every mapping in the range (splitting as needed). */
static inline int npt_unmap(struct guest_npt *n, uint64_t gpa, uint64_t size)
{
    return slat_unmap(&n->table, slat_gpa(gpa), size, &n->changes);
}

#endif
