/*
 * memmap.h - the VMM's own record of what each guest-physical page should
 * reach.  vm_map()/vm_unmap() change the EPT tables (slat_map/slat_unmap on
 * guest_ept, write-back memory) and this record together; the caller then
 * calls ept_sync().  Checks compare what the guest sees against this record,
 * never against the tables, so a table-builder bug cannot hide itself.
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#include "cpu.h"

/* perms: PERM_* of abi.h (see ept_perms()). */
int vm_map(u64 gpa, u64 hpa, u64 size, unsigned perms);
/* The same with 4 KiB leaves only, whatever the alignment. */
int vm_map_4k(u64 gpa, u64 hpa, u64 size, unsigned perms);
int vm_unmap(u64 gpa, u64 size);
/* The host-physical address gpa should reach; false if not mapped. */
bool vm_gpa_to_hpa(u64 gpa, u64 *hpa);

/* Fills [hpa, hpa+size) with PATTERN(address of each 8-byte word). */
void fill_pattern(u64 hpa, u64 size);

#endif
