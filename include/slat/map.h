/* SPDX-License-Identifier: MIT */
/**
 * @file slat/map.h
 * @brief Range operations: map, unmap, protect, split.
 *
 * Every operation works on the guest-physical range [gpa, gpa + size), which
 * must be aligned to the table's base page size, non-empty, not wrapping and
 * inside the table's input width. Every operation is all-or-nothing: on any
 * error the table is bit for bit as it was and no memory is kept, also when
 * the allocator fails (libslat reserves the pages a call needs before it
 * changes anything).
 *
 * Every operation records in @p g what the hardware may still cache; see
 * slat/gather.h.
 */
#ifndef SLAT_MAP_H
#define SLAT_MAP_H

#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Flags of slat_map(). */
enum slat_map_flag {
	/** Existing mappings in the range are replaced instead of refused. */
	SLAT_MAP_REPLACE = 1u << 0
};

/** slat_map() flag: use no leaf larger than 2^lg2 bytes (e.g. 12 for base pages only). */
#define SLAT_MAP_MAX_PAGE(lg2) ((uint32_t)(lg2) << 8)

/**
 * Map [gpa, gpa + size) to [hpa, hpa + size) with @p attrs, using the
 * largest leaves that the alignment of gpa and hpa, the capabilities, the
 * table's and the call's size limits allow. New leaves start clean: not
 * dirty, and not accessed except on Arm, where the Access flag is set so
 * that the first access does not fault. That holds also where
 * ::SLAT_MAP_REPLACE replaces a mapping.
 *
 * No permission at all (@ref slat_attrs::perms = 0) makes a no-access
 * mapping: every guest access faults, but the leaf keeps its output
 * address, memory type and page size, so that slat_protect() can re-open
 * it later without the caller knowing the host page (guard pages, VM
 * introspection, post-copy migration). slat_translate() and
 * slat_for_each() report it as mapped with permissions 0; it collides
 * like any mapping (::SLAT_EEXIST), keeps its table from being freed,
 * is split, dumped ("----") and validated like any leaf, and is never
 * made dirty by the hardware. Per format (docs/formats.md):
 *  - EPT: R = W = X = 0 (XU = 0 under MBEC): not present, the processor
 *    ignores the other bits (SDM vol. 3C §29.3.2); libslat marks the
 *    entry with bit 11, so bit 11 is no software bit. The guest's access
 *    is an EPT violation with qualification bits 5:3 = 0, as for an
 *    absent page: slat_translate() tells them apart.
 *  - NPT: P = 0, the rest kept; marked with AVL bit 11 (APM vol. 2 §5.4:
 *    bits 63:1 of a not-present entry are free to software). The access
 *    is a nested page fault (\#NPF) with EXITINFO1 bit 0 (P) = 0, as for
 *    an absent page.
 *  - Stage-2: a valid descriptor with S2AP = 00 and XN (Arm ARM D8.4):
 *    the access is a stage-2 permission fault.
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * A concurrent map of the same page finds this call's leaf:
 * ::SLAT_EEXIST, which a fault handler treats as a spurious fault.
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param hpa host-physical address that @p gpa maps to
 * @param attrs permissions, memory type and software bits of the mapping
 * @param flags ::slat_map_flag bits, optionally with SLAT_MAP_MAX_PAGE()
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EALIGN;
 *   ::SLAT_ESIZE; ::SLAT_EWRAP;
 *   ::SLAT_EGPA; ::SLAT_EHPA; ::SLAT_EEXIST when something in the range is
 *   mapped and ::SLAT_MAP_REPLACE is absent; ::SLAT_EPERM; ::SLAT_EMEMTYPE;
 *   ::SLAT_ECAPS (e.g. execute-only without the capability); ::SLAT_ESWBITS
 *   when @p attrs sets a software bit the table does not have; ::SLAT_EKEY
 *   for a host memory key the table cannot express; ::SLAT_EFLAGS; ::SLAT_EPAGESIZE when the size cap is below the base
 *   page; ::SLAT_ENOMEM; ::SLAT_ECORRUPT; ::SLAT_EGATHER. ::SLAT_EALIGN and
 *   ::SLAT_EHPA also stand for a table page from the allocator that is
 *   misaligned or beyond the output width (slat/alloc.h).
 */
int slat_map(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
	     slat_hpa_t hpa, const struct slat_attrs *attrs, uint32_t flags,
	     struct slat_gather *g);

/**
 * Remove every mapping in [gpa, gpa + size). A large leaf that is only
 * partly inside the range is split first; tables that become empty are
 * unlinked and handed to @p g. Unmapping a hole is not an error. The
 * hardware accessed/dirty state of the removed leaves goes with them:
 * under dirty logging, harvest the range (slat_dirty_harvest()) first,
 * with the guest's vCPUs stopped if a write between the harvest and the
 * unmap must not be missed. The parts of a split leaf that stay keep its
 * state.
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * A table it empties that other calls may share is unlinked after the
 * range is released, under a lock of the table's whole span.
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EALIGN;
 *   ::SLAT_ESIZE; ::SLAT_EWRAP;
 *   ::SLAT_EGPA; ::SLAT_ENOMEM (a split needed a table); ::SLAT_ECORRUPT;
 *   ::SLAT_EGATHER; ::SLAT_EALIGN or ::SLAT_EHPA for a bad page from the
 *   allocator (slat/alloc.h).
 */
int slat_unmap(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
	       struct slat_gather *g);

/** What slat_protect() changes in every mapping of the range. */
struct slat_prot {
	uint8_t perm_clear; /**< Permissions removed first (::slat_perm bits). */
	uint8_t perm_set;   /**< Then added. */
	uint8_t sw_clear;   /**< Software bits cleared first. */
	uint8_t sw_set;     /**< Then set. */
	bool set_memtype;   /**< Also replace the memory type, flags and shareability: */
	uint8_t memtype;    /**< new ::slat_memtype, */
	uint8_t mt_flags;   /**< new ::slat_attr_flag bits, */
	uint8_t share;      /**< new ::slat_share. */
};

/** A @ref slat_prot that sets the permissions to exactly @p perms. */
static inline struct slat_prot slat_prot_perms(unsigned perms)
{
	struct slat_prot p = { 0, 0, 0, 0, false, 0, 0, 0 };
	p.perm_clear = SLAT_PERM_ALL;
	p.perm_set = (uint8_t)perms;
	return p;
}

/**
 * Change the attributes of every mapping in [gpa, gpa + size); holes are
 * left alone. Leaves partly inside the range are split first. The result
 * for every mapping is checked before anything is written: if one mapping
 * would end with permissions the format cannot express,
 * nothing changes. Accessed and dirty state is kept, also when write
 * permission is removed (on Arm libslat keeps the dirty state in a
 * software bit then; slat/dirty.h). Removing every permission leaves a
 * no-access mapping that keeps its address and memory type (slat_map());
 * setting permissions on it again re-opens it.
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param p the change
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EALIGN;
 *   ::SLAT_ESIZE; ::SLAT_EWRAP;
 *   ::SLAT_EGPA; ::SLAT_EPERM; ::SLAT_EMEMTYPE; ::SLAT_ECAPS;
 *   ::SLAT_ESWBITS; ::SLAT_ENOMEM; ::SLAT_ECORRUPT; ::SLAT_EGATHER;
 *   ::SLAT_EALIGN or ::SLAT_EHPA for a bad page from the allocator.
 */
int slat_protect(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		 const struct slat_prot *p, struct slat_gather *g);

/**
 * Split every leaf in [gpa, gpa + size) that is larger than 2^page_lg2
 * bytes into leaves of that size, keeping translation and attributes
 * (ahead of a fine-grained protect, or for dirty logging at page
 * granularity). Leaves partly inside the range are split as well.
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param page_lg2 log2 of the wanted leaf size
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EALIGN;
 *   ::SLAT_ESIZE; ::SLAT_EWRAP;
 *   ::SLAT_EGPA; ::SLAT_EPAGESIZE when no level has leaves of that size;
 *   ::SLAT_ENOMEM; ::SLAT_ECORRUPT; ::SLAT_EGATHER; ::SLAT_EALIGN or
 *   ::SLAT_EHPA for a bad page from the allocator.
 */
int slat_split(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
	       unsigned page_lg2, struct slat_gather *g);

#ifdef __cplusplus
}
#endif
#endif
