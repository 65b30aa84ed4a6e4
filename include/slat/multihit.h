/* SPDX-License-Identifier: MIT */
/**
 * @file slat/multihit.h
 * @brief The iTLB-multihit policy: no executable large page (Intel EPT).
 *
 * On many Intel processors, a guest that changes the size of a page it is
 * executing from, in its own page tables, while the instruction TLB holds
 * translations of both sizes, can make the processor take a machine check
 * (CVE-2018-12207, "Machine Check Error Avoidance on Page Size Change";
 * Xen XSA-304, KVM's `nx_huge_pages`). EPT decides which guest-physical
 * pages may be fetched, so a hypervisor avoids the erratum by never letting
 * a leaf larger than 4 KiB be executable: the guest cannot then hold a
 * large executable translation at all.
 *
 * Create the table with ::SLAT_FEAT_NX_HUGE. Then:
 * - slat_map() with execute on a range that takes large leaves writes them
 *   without X (EPT bit 2) and sets a software bit (bit 62 unless the
 *   embedder's software bits took it) that records the request;
 *   slat_translate(), slat_for_each() and slat_dump() report the mapping's
 *   permissions as asked, execute included (the raw entry in
 *   slat_mapping::entry shows X clear). 4 KiB leaves get X itself.
 *   Execute-only mappings (nothing to map large without X) use 4 KiB leaves.
 * - The guest's first fetch from such a leaf is an EPT violation with
 *   execute access; slat_exec_fault() splits the leaf down to 4 KiB pages
 *   along the fetched address (one table per level, as slat_split() does),
 *   and the pieces at 4 KiB are executable: the request is honoured.
 * - slat_protect() keeps, adds or removes the request like any permission
 *   (adding execute to a large leaf sets the bit, never X); a protect that
 *   would leave a large leaf execute-only fails with ::SLAT_EPAGESIZE:
 *   split it first.
 * - slat_collapse() of executable 4 KiB pages writes the large leaf
 *   without X and with the request (KVM's NX huge-page recovery): the next
 *   fetch splits it again. Execute-only pages stay split.
 * Nothing ever widens a permission: a leaf mapped without execute never
 * gains it, from a fault or a split.
 *
 * Which hypervisors need it: on Intel processors that enumerate
 * IA32_ARCH_CAPABILITIES (CPUID.(EAX=7,ECX=0):EDX[29]), MSR 10AH bit 6
 * PSCHANGE_MC_NO = 1 says the processor is not affected (Intel SDM vol. 4,
 * Table 2-2). A processor without the MSR, or with the bit clear, may be
 * affected (Linux marks most Intel cores since Nehalem so, except some
 * Atom cores; Documentation/admin-guide/hw-vuln/multihit.rst). AMD
 * processors are not affected (Linux's NO_ITLB_MULTIHIT for AMD and Hygon;
 * AMD's statement on CVE-2018-12207), nor Arm, whose architecture requires
 * break-before-make for a change of block size instead (Arm ARM D8.16.1):
 * libslat refuses the feature on NPT and Stage-2 tables (::SLAT_ECONFIG).
 * A hypervisor that runs nested guests or cannot trust the MSR (a VM
 * migrated between hosts) keeps the policy on.
 */
#ifndef SLAT_MULTIHIT_H
#define SLAT_MULTIHIT_H

#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** IA32_ARCH_CAPABILITIES (MSR 10AH) bit 6: PSCHANGE_MC_NO. */
#define SLAT_ARCH_CAP_PSCHANGE_MC_NO ((uint64_t)1 << 6)

/**
 * Does an Intel processor need ::SLAT_FEAT_NX_HUGE?
 * @param has_arch_caps CPUID.(EAX=7,ECX=0):EDX[29]: IA32_ARCH_CAPABILITIES exists
 * @param arch_caps the MSR's value (ignored without it)
 * @return true unless the processor says PSCHANGE_MC_NO.
 */
static inline bool slat_multihit_affected(bool has_arch_caps, uint64_t arch_caps)
{
	return !has_arch_caps || !(arch_caps & SLAT_ARCH_CAP_PSCHANGE_MC_NO);
}

/**
 * Answer an execute fault (an EPT violation for an instruction fetch) at
 * @p gpa on a table created with ::SLAT_FEAT_NX_HUGE: if the leaf there is
 * larger than 4 KiB and its mapping asked for execute, split it along
 * @p gpa down to 4 KiB leaves, of which the one holding @p gpa (and every
 * other 4 KiB piece of the smallest split leaf) is executable; larger
 * pieces stay large and non-executable. The split is recorded in @p g:
 * complete the invalidation, then resume the guest.
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): looks without a lock, then
 * splits as slat_split() does, holding the page's leaf.
 * @param t the table
 * @param gpa the faulting guest-physical address (any byte of the page)
 * @param g the gather that records what the hardware may still cache
 * @return ::SLAT_OK when the page at @p gpa is now executable, also when it
 *   already was (a fault on a stale translation: nothing changes);
 *   ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_ENOFEAT on a table without ::SLAT_FEAT_NX_HUGE;
 *   ::SLAT_EGPA; ::SLAT_ENOENT when nothing is mapped there; ::SLAT_EPERM
 *   when the mapping did not ask for execute (a real violation: the
 *   hypervisor's to handle); ::SLAT_ENOMEM; ::SLAT_ECORRUPT;
 *   ::SLAT_EGATHER; ::SLAT_EALIGN or ::SLAT_EHPA for a bad page from the
 *   allocator. Nothing changes on an error.
 */
int slat_exec_fault(struct slat_table *t, slat_gpa_t gpa, struct slat_gather *g);

#ifdef __cplusplus
}
#endif
#endif
