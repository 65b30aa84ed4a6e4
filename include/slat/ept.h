/* SPDX-License-Identifier: MIT */
/**
 * @file slat/ept.h
 * @brief Intel VMX extended page tables (EPT).
 *
 * Encodings follow the Intel SDM vol. 3C, chapter "VMX support for address
 * translation" (EPT); docs/formats.md draws every entry.
 */
#ifndef SLAT_EPT_H
#define SLAT_EPT_H

#include <slat/caps.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The EPT backend, for @ref slat_config::format. */
extern const struct slat_format slat_format_ept;

/**
 * Decode EPT capabilities.
 * @param ept_vpid_cap IA32_VMX_EPT_VPID_CAP (MSR 0x48C)
 * @param procbased_ctls2 IA32_VMX_PROCBASED_CTLS2 (MSR 0x48B), whole value:
 *   bits 63:32 are the allowed-1 settings (EPT, mode-based execute control)
 * @param cpuid_80000008_eax CPUID.80000008H:EAX (bits 7:0 MAXPHYADDR)
 * @param[out] out the capabilities
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_ECAPS when EPT itself cannot be
 *   enabled or no usable page-walk length is reported.
 */
int slat_ept_caps(uint64_t ept_vpid_cap, uint64_t procbased_ctls2,
		  uint32_t cpuid_80000008_eax, struct slat_caps *out);

/**
 * Add Intel multi-key total memory encryption (MKTME) to EPT capabilities
 * from slat_ept_caps(): the top MK_TME_KEYID_BITS bits below MAXPHYADDR
 * become the host memory key (@ref slat_caps::key_shift, key_bits) and
 * @ref slat_caps::pa_bits shrinks by as many bits. @ref slat_caps::key_max
 * is the last KeyID a VMM may use: every nonzero KeyID without TDX, the
 * MKTME KeyIDs of the TDX partitioning with it (TDX-private KeyIDs belong
 * to the TDX module). Call it whenever MKTME is active, even if tables
 * use no keys: the width shrinks all the same. docs/formats.md §5.
 * @param caps capabilities from slat_ept_caps(), updated in place
 * @param tme_activate IA32_TME_ACTIVATE (MSR 0x982)
 * @param keyid_partitioning IA32_MKTME_KEYID_PARTITIONING (MSR 0x87) on a
 *   CPU with TDX, else 0
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT for other caps;
 *   ::SLAT_ECAPS, with @p caps unchanged, when TME is not locked and
 *   enabled, takes no KeyID bits, would leave fewer than 32 address bits,
 *   or the partitioning holds more KeyIDs than the bits do.
 */
int slat_ept_caps_mktme(struct slat_caps *caps, uint64_t tme_activate,
			uint64_t keyid_partitioning);

/**
 * The EPT pointer for the VMCS: walk memory type (WB when supported, else
 * UC), page-walk length, A/D enable (with ::SLAT_FEAT_AD) and root address
 * with the KeyID of @ref slat_config::table_key.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT.
 */
int slat_ept_eptp(const struct slat_table *t, uint64_t *eptp);

/** INVEPT types (Intel SDM vol. 3C, INVEPT instruction reference). */
enum slat_invept_type {
	SLAT_INVEPT_NONE = 0,   /**< Nothing to invalidate. */
	SLAT_INVEPT_SINGLE = 1, /**< Single-context: mappings tagged with the descriptor's EPTP. */
	SLAT_INVEPT_ALL = 2    /**< All-context: every EPTP. */
};

/** One INVEPT operation. */
struct slat_ept_flush {
	uint64_t type;    /**< ::slat_invept_type. */
	uint64_t desc[2]; /**< INVEPT descriptor: EPTP, then zero. */
};

/**
 * The INVEPT that completes @p g: single-context when the CPU has it, else
 * all-context; type ::SLAT_INVEPT_NONE for an empty gather. (EPT has no
 * per-address invalidation, so the gather's ranges only decide whether to
 * flush.)
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT;
 *   ::SLAT_EGATHER.
 */
int slat_ept_flush(const struct slat_table *t, const struct slat_gather *g,
		   struct slat_ept_flush *op);

#if defined(__x86_64__) || defined(__DOXYGEN__)
/**
 * Execute @p op on this CPU (VMX root operation only).
 * @return 0, or -1 when INVEPT failed (VMfail: CF or ZF set), e.g. for a
 *   type the CPU does not support.
 */
static inline int slat_ept_invept(const struct slat_ept_flush *op)
{
	unsigned char failed = 0;

	if (op->type != SLAT_INVEPT_NONE)
		__asm__ __volatile__("invept %1, %2\n\tsetbe %0"
				     : "=qm"(failed)
				     : "m"(op->desc),
				       "r"(op->type)
				     : "cc", "memory");
	return failed ? -1 : 0;
}
#endif

/**
 * What slat_ept_fault() must know about the VMX setup to read an exit
 * qualification, which the exit itself does not say.
 */
enum slat_ept_fault_ctl {
	/** Mode-based execute control is on: qualification bits 5 and 6 are supervisor and user execute. */
	SLAT_EPT_FAULT_MBEC = 1u << 0,
	/** The CPU reports advanced VM-exit information for EPT violations (bit 9, user-mode address). */
	SLAT_EPT_FAULT_ADVANCED = 1u << 1
};

/**
 * The ::slat_ept_fault_ctl bits that describe how the EPT table @p t is used
 * (its split-execute feature, its capabilities); 0 for NULL or a table of
 * another format.
 */
uint32_t slat_ept_fault_ctl(const struct slat_table *t);

/**
 * Decode an EPT violation or misconfiguration VM exit. Like slat_npt_fault()
 * and slat_stage2_fault() it reads only what it is given, never a table.
 * @param ctl ::slat_ept_fault_ctl bits, e.g. slat_ept_fault_ctl(table); 0
 *   reads bit 5 as execute at any privilege and never reports user mode
 * @param exit_reason the exit-reason VMCS field: basic reason 48 (EPT
 *   violation) or 49 (EPT misconfiguration) in bits 15:0
 * @param qualification the exit qualification (violations; ignored for 49)
 * @param gpa the guest-physical-address VMCS field (0x2400)
 * @param gla the guest-linear-address VMCS field (0x640A); used when the
 *   qualification says it is valid
 * @param[out] f the decoded fault
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFLAGS for another exit reason, a
 *   failed VM entry or unknown @p ctl bits.
 */
int slat_ept_fault(uint32_t ctl, uint32_t exit_reason,
		   uint64_t qualification, uint64_t gpa, uint64_t gla,
		   struct slat_fault *f);

/**
 * @name Page-modification logging (PML)
 *
 * Intel SDM vol. 3C §29.3.6 "Page-Modification Logging" (believed; §28.2.5
 * in the 2016 text). With the "enable PML" secondary processor-based
 * control (bit 17) and a table created with ::SLAT_FEAT_AD (EPTP bit 6),
 * each change of an EPT leaf's dirty flag from 0 to 1 writes the
 * guest-physical address of the access to the 4-KiB log page at the VMCS
 * "PML address" (field 0x200E), at entry "PML index" (field 0x0812), and
 * decrements the index. The hypervisor starts the index at
 * ::SLAT_EPT_PML_INDEX_START; when it has wrapped to
 * ::SLAT_EPT_PML_INDEX_FULL the next logging attempt is a VM exit with
 * basic reason 62 ("page-modification log full") instead, before the
 * access.
 *
 * A PML dirty-logging round, for [gpa, gpa + size):
 *  1. Clear the dirty flags of the range: slat_dirty_harvest() (it clears
 *     EPT D flags with one atomic AND each, never write-protects, and
 *     records the range in the gather), then complete the gather with
 *     slat_ept_flush() and INVEPT on every CPU that runs the guest. The
 *     INVEPT is needed: a translation cached with its dirty flag set lets
 *     the next write through without a 0-to-1 change, so without it that
 *     write would not be logged. Put the bitmap that harvest fills into
 *     the round: a page written between the last drain and the clear has
 *     its flag set but was logged before the drain; harvest reports it.
 *  2. Write ::SLAT_EPT_PML_INDEX_START to the PML index and run the guest.
 *  3. On each log-full exit, and at the end of the round (after the vCPU
 *     left the guest), call slat_ept_pml_drain() with the log page and the
 *     PML index read from the VMCS, then reset the index.
 * Steps 3 and then 1 of the next round, into the same bitmap, report every
 * page written. Leaves larger than 4 KiB are logged once per dirty-flag
 * change: slat_ept_pml_drain() marks the whole leaf; split the range to
 * 4 KiB pages (slat_split()) for page-sized results.
 * @{
 */

/** Entries in a PML log page (4 KiB of 8-byte guest-physical addresses). */
#define SLAT_EPT_PML_ENTRIES 512
/** The PML index of an empty log: the processor fills it from entry 511 down. */
#define SLAT_EPT_PML_INDEX_START 511
/** The PML index after entry 0 was written: decremented past 0, it wraps. */
#define SLAT_EPT_PML_INDEX_FULL 0xFFFF

/**
 * Add the pages a PML log names to the dirty bitmap of [gpa, gpa + size):
 * bit i (bit i % 64 of word i / 64) stands for the 4-KiB page at
 * gpa + i * 4096, as in slat_dirty_harvest(); bits are only set, so
 * several logs and harvests accumulate into one bitmap.
 *
 * The valid entries are those above @p index (index + 1 to 511), or all
 * 512 when @p index is ::SLAT_EPT_PML_INDEX_FULL. Bits 11:0 of an entry
 * are ignored: the SDM says the processor writes them as 0, Bochs 2.7
 * writes the byte address of the access. An entry mapped by a leaf larger
 * than 4 KiB marks every page of that leaf inside the range, also when the
 * address itself lies outside it: the leaf's one dirty flag changed, and
 * later writes anywhere in the leaf were not logged. An entry whose page
 * (or leaf) lies wholly outside the range marks nothing and is counted in
 * @p outside (a hypervisor that drains one range per memory slot calls
 * this once per slot with the same log). A failed call writes nothing.
 *
 * @param t an EPT table created with ::SLAT_FEAT_AD (its leaves give the sizes)
 * @param log the 512 entries of the log page
 * @param index the PML index VMCS field (0x0812) as the processor left it
 * @param gpa first guest-physical address of the range (4-KiB aligned)
 * @param size bytes in the range (4-KiB aligned)
 * @param[in,out] bitmap one bit per 4-KiB page of the range
 * @param bitmap_words 64-bit words at @p bitmap
 * @param[out] logged when non-NULL, entries that marked pages of the range
 * @param[out] outside when non-NULL, entries that marked none
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT; ::SLAT_EALIGN;
 *   ::SLAT_ESIZE; ::SLAT_EWRAP; ::SLAT_EGPA; ::SLAT_ENOFEAT for a table
 *   without ::SLAT_FEAT_AD; ::SLAT_ECORRUPT for an index no processor
 *   leaves (512 to FFFEH); ::SLAT_ENOSPC when @p bitmap_words is short
 *   of the range.
 */
int slat_ept_pml_drain(const struct slat_table *t, const uint64_t *log,
		       uint16_t index, slat_gpa_t gpa, uint64_t size,
		       uint64_t *bitmap, uint64_t bitmap_words,
		       uint64_t *logged, uint64_t *outside);

/** @} */

#ifdef __cplusplus
}
#endif
#endif
