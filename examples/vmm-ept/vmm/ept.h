/*
 * ept.h - the guest's EPT, built and maintained by libslat.
 *
 * The VMM calls libslat directly (slat_map, slat_unmap, slat_protect,
 * slat_dirty_harvest, slat_translate, slat_ept_fault) on guest_ept, and
 * passes guest_ept_changes as the gather of every call that changes the
 * tables.  tables_slat.c holds what is specific to this VMM: where the
 * capabilities and table pages come from, and how an invalidation is done.
 *
 * Rule: after changing the tables, call ept_sync() before the guest runs
 * again.  (memmap.c's vm_map/vm_unmap change the tables too.)
 */
#ifndef EPT_H
#define EPT_H

#include <slat/slat.h>
#include "cpu.h"

extern struct slat_table guest_ept;
/* Everything changed since the last ept_sync(), and the table pages
 * libslat unlinked meanwhile (freed by ept_sync). */
extern struct slat_gather guest_ept_changes;

/*
 * Decodes the EPT capabilities of this CPU and creates empty tables: 4-level
 * walk, EPT A/D flags, and mode-based execute control (MBEC) if the CPU
 * offers it.  Returns a libslat error code; on success *eptp is the value
 * for the VMCS EPT pointer and *mbec says whether the VMCS must enable MBEC.
 */
int ept_init(u64 *eptp, bool *mbec);

/* INVEPT for whatever guest_ept_changes recorded, then slat_gather_done().
 * Returns a libslat error code. */
int ept_sync(void);

/*
 * Converts permissions as the guest ABI states them (PERM_* in abi.h, equal
 * to SLAT_PERM_*) for this table: PERM_X means supervisor execute under MBEC
 * and plain execute without it, where libslat wants SLAT_PERM_X (both
 * execute bits) instead.
 */
unsigned ept_perms(unsigned perms);
/*
 * The iTLB-multihit policy (on when MBEC is off): an EPT violation for a
 * fetch from a large leaf whose mapping asked for execute. Splits it with
 * slat_exec_fault(), invalidates, and returns true (the guest retries); false
 * when the fault is not that (a real violation). ept_exec_splits counts them.
 */
bool ept_exec_fault(u64 gpa);
extern unsigned long ept_exec_splits;
/* The checks of the policy, after the guest's run (tables_slat.c). */
void ept_multihit_check(void);

#endif
