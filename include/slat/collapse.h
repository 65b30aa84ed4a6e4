/* SPDX-License-Identifier: MIT */
/**
 * @file slat/collapse.h
 * @brief Recovering large pages: replace tables that only repeat one
 *        large mapping by that mapping.
 *
 * After dirty logging ends, or after a protect split a large leaf and a
 * later protect gave every piece the same permissions again, a table may
 * map one contiguous, aligned run of host memory with the same attributes
 * in every entry. One large leaf says the same with fewer TLB entries and
 * one table page less (KVM's huge-page recovery, Hafnium's
 * defragmentation).
 */
#ifndef SLAT_COLLAPSE_H
#define SLAT_COLLAPSE_H

#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Collapse every table below [gpa, gpa + size) that maps one contiguous
 * run into one leaf, bottom-up: 512 4 KiB leaves become one 2 MiB leaf,
 * and 512 2 MiB leaves (also ones this call made) one 1 GiB leaf where the
 * table may write leaves of that size (slat_table_leaf_levels()).
 *
 * A table collapses when the span of the entry pointing to it lies wholly
 * inside the range, and every one of its entries is a present leaf, the
 * first one's output address is aligned to the new leaf's size, the others
 * follow it contiguously, and all have the same permissions, memory type,
 * shareability, software bits and encoding. They may differ in the state
 * the hardware sets (accessed, dirty) and in the software dirty bit: the
 * new leaf is accessed if any child was and dirty if any child was (as
 * hardware dirty state where the leaf is writable with dirty tracking,
 * else in the software dirty bit, slat/dirty.h), so a harvest after the
 * collapse reports every page the guest wrote before it, as a whole large
 * page. A table with a hole, a subtable that stays, differing attributes
 * or a misaligned run stays as it is. Permissions are never widened.
 * On a table with ::SLAT_FEAT_NX_HUGE (slat/multihit.h), executable
 * children become a large leaf without execute that keeps the request
 * (the next fetch splits it again, as KVM's NX huge-page recovery does);
 * execute-only children stay split.
 *
 * The collapsed tables are handed to @p g and freed by slat_gather_done().
 *
 * With a synchronous invalidation hook (required on Arm, optional on x86)
 * each collapsing table entry is first made invalid, the hook invalidates
 * the tables and every translation below them (one hook call for up to 64
 * tables), and only then are the children read for the last time and the
 * leaf written: the Arm break-before-make rule for a change of block size,
 * and no accessed/dirty update by the hardware can be lost. Guest
 * accesses meanwhile fault as on an unmapped page; the fault handler must
 * wait for the call as for any other (calls on a table are serialised).
 * @p g then holds only the pages.
 *
 * Without a hook (x86), the leaf replaces the table entry at once and @p g
 * records the range with the leaf sizes of the levels below and
 * ::SLAT_GATHER_TABLES. Until that invalidation is done, the hardware may
 * still set flags in the old children, which libslat no longer reads: the
 * new leaf is therefore marked accessed, and dirty when it is writable
 * under dirty tracking (a harvest then reports the whole leaf; a hook
 * makes the state exact).
 *
 * All-or-nothing: the call allocates nothing, and every entry in the range
 * is checked before anything changes.
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @param t the table
 * @param gpa first guest-physical address of the range
 * @param size bytes in the range
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK (also when nothing could be collapsed); ::SLAT_ENULL;
 *   ::SLAT_EDEAD;
 *   ::SLAT_EALIGN; ::SLAT_ESIZE; ::SLAT_EWRAP; ::SLAT_EGPA;
 *   ::SLAT_ECORRUPT for an entry in the range that libslat never writes;
 *   ::SLAT_EGATHER.
 */
int slat_collapse(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		  struct slat_gather *g);

#ifdef __cplusplus
}
#endif
#endif
