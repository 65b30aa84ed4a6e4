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
 * The EPT pointer for the VMCS: walk memory type (WB when supported, else
 * UC), page-walk length, A/D enable (with ::SLAT_FEAT_AD) and root address.
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

#ifdef __cplusplus
}
#endif
#endif
