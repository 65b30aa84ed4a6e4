/*
 * stage2.h - this VM's Stage-2 translation, built by libslat.
 *
 * The VMM calls libslat directly (slat_map, slat_unmap, slat_protect,
 * slat_dirty_harvest, slat_translate on s2.table, gathering into
 * s2.pending); no file of the VMM knows the descriptor format.
 * tables_slat.c adds what libslat leaves to a hypervisor: table memory,
 * the capabilities of this CPU, the register values, and running the
 * TLB maintenance at EL2.
 *
 * Rules:
 *   - One table (this VMM runs one VM, one vCPU); calls on it are
 *     serialised by the caller, and the vCPU is stopped during them.
 *     (../vmm-stage2-smp changes it from a second host CPU while the
 *     vCPU runs; it uses the *_with and *_gather variants below.)
 *   - Every libslat call that changes s2.table records in s2.pending what
 *     the TLBs may still hold; it does not invalidate it.  Before the guest
 *     runs again and depends on a change, call stage2_invalidate().
 *     Several changes may share one invalidation; with nothing recorded
 *     (e.g. a new mapping in a hole) it does nothing.
 *   - Break-before-make inside a call (splitting or merging a block, a new
 *     output address) is libslat's job: it calls the table's
 *     sync_invalidate hook between the invalid and the new descriptor.
 *   - With hardware dirty state (SLAT_FEAT_AD), a new writable mapping
 *     starts writable-clean (DBM = 1, S2AP[1] = 0): the guest's first
 *     write to it makes it dirty, without a fault.
 *   - Table memory comes from the VMM's pool; libslat frees a table only
 *     after the invalidation that made it unreachable (slat_gather_done).
 */
#ifndef STAGE2_H
#define STAGE2_H

#include <stdbool.h>
#include <stdint.h>
#include <slat/slat.h>
#include "features.h"

struct stage2 {
	struct slat_caps caps;       /* what this CPU offers (slat_stage2_caps) */
	uint32_t features;           /* what the table uses: SLAT_FEAT_AD, _SPLIT_EXEC */
	struct slat_table table;     /* guest-physical -> host-physical */
	struct slat_gather pending;  /* changes not yet invalidated */
	uint64_t vtcr_el2, vttbr_el2;
	unsigned ipa_bits;
	unsigned root_lg2;           /* size of the root libslat allocated */
};

extern struct stage2 s2;

/* Print every TLB maintenance sequence as it runs (default: yes; a guest
 * that churns thousands of pages turns it off). */
extern bool stage2_log_ops;

/* Decode the CPU, create the empty table with the given IPA width and
 * granule (12, 14 or 16), compute VTCR_EL2 and VTTBR_EL2.
 * Returns a libslat error code (slat_strerror). */
int stage2_setup(const struct cpu_features *cpu, unsigned ipa_bits,
		 unsigned granule_lg2, uint16_t vmid);

/* The same, with more SLAT_FEAT_* bits for the table (e.g.
 * SLAT_FEAT_CONCURRENT for a table changed from two host CPUs). */
int stage2_setup_with(const struct cpu_features *cpu, unsigned ipa_bits,
		      unsigned granule_lg2, uint16_t vmid, uint32_t features);

/* Print the geometry libslat chose: start level, concatenated root
 * tables, leaf sizes, and VTCR_EL2 decoded. */
void stage2_print(void);

/* log2 of the leaf size at Arm level 3 - level (0: pages), or 0 if libslat
 * writes no leaves at that level. */
unsigned stage2_leaf_shift(unsigned level);

/* Make every change recorded in s2.pending visible to the guest (TLBI at
 * EL2, with this VM's VTTBR_EL2 loaded), then let libslat free what the
 * changes unlinked. */
void stage2_invalidate(void);

/* The same for another gather than s2.pending: a VMM that changes the
 * table from two host CPUs gives each its own gather. */
void stage2_invalidate_gather(struct slat_gather *g);

/* Attributes of ordinary guest RAM with the given SLAT_PERM_* bits. */
static inline struct slat_attrs stage2_ram(unsigned perms)
{
	return slat_attrs_make(perms, SLAT_MT_WB);
}

static inline bool stage2_has(uint32_t feature)
{
	return (s2.features & feature) != 0;
}

#endif
