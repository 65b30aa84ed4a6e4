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
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT.
 */
int slat_ept_eptp(const struct slat_table *t, uint64_t *eptp);

/** INVEPT types (Intel SDM vol. 3C, INVEPT instruction reference). */
enum slat_invept_type {
	SLAT_INVEPT_NONE = 0,   /**< Nothing to invalidate. */
	SLAT_INVEPT_SINGLE = 1, /**< Single-context: mappings tagged with the descriptor's EPTP. */
	SLAT_INVEPT_ALL = 2,    /**< All-context: every EPTP. */
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
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT; ::SLAT_EGATHER.
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
				     : "m"(*(const uint64_t(*)[2])op->desc),
				       "r"(op->type)
				     : "cc", "memory");
	return failed ? -1 : 0;
}
#endif

/**
 * Decode an EPT violation or misconfiguration VM exit.
 * @param t the table (its features say how to read the execute bits, its
 *   capabilities whether the user-mode bit is reported), or NULL
 * @param exit_reason the exit-reason VMCS field: basic reason 48 (EPT
 *   violation) or 49 (EPT misconfiguration) in bits 15:0
 * @param qualification the exit qualification (violations; ignored for 49)
 * @param gpa the guest-physical-address VMCS field (0x2400)
 * @param gla the guest-linear-address VMCS field (0x640A); used when the
 *   qualification says it is valid
 * @param[out] f the decoded fault
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT for a table of another
 *   format; ::SLAT_EFLAGS for another exit reason or a failed VM entry.
 */
int slat_ept_fault(const struct slat_table *t, uint32_t exit_reason,
		   uint64_t qualification, uint64_t gpa, uint64_t gla,
		   struct slat_fault *f);

#ifdef __cplusplus
}
#endif
#endif
