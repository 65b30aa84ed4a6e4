/* SPDX-License-Identifier: MIT */
/**
 * @file slat/npt.h
 * @brief AMD SVM nested page tables (NPT, RVI).
 *
 * Nested tables use the long-mode page table format of the host (AMD APM
 * vol. 2, "Nested Paging"); docs/formats.md draws every entry.
 */
#ifndef SLAT_NPT_H
#define SLAT_NPT_H

#include <slat/caps.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The NPT backend, for @ref slat_config::format. */
extern const struct slat_format slat_format_npt;

/**
 * Decode nested-paging capabilities.
 * @param cpuid_8000000a_edx CPUID.8000000AH:EDX (SVM features: NP, FlushByAsid, GMET)
 * @param cpuid_80000008_eax CPUID.80000008H:EAX (PhysAddrSize, GuestPhysAddrSize)
 * @param cpuid_80000001_edx CPUID.80000001H:EDX (Page1GB)
 * @param host_cr4 the host's CR4 at VMRUN: nested walks have the host's
 *   paging depth, so CR4.LA57 (bit 12) means 5-level tables and its
 *   absence 4-level ones
 * @param[out] out the capabilities
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_ECAPS when nested paging is absent.
 */
int slat_npt_caps(uint32_t cpuid_8000000a_edx, uint32_t cpuid_80000008_eax,
		  uint32_t cpuid_80000001_edx, uint64_t host_cr4,
		  struct slat_caps *out);

/**
 * Add AMD Secure Memory Encryption to NPT capabilities from
 * slat_npt_caps(): the C-bit becomes the host memory key (@ref
 * slat_caps::key_shift = C-bit position, key_bits 1, key_max 1) and
 * @ref slat_caps::pa_bits shrinks to what encryption leaves for addresses
 * (PhysAddrSize less the reduction, and below the C-bit). Call it when
 * the host has memory encryption enabled even if its tables will not use
 * keys: the width shrinks all the same. docs/formats.md §5.
 * @param caps capabilities from slat_npt_caps(), updated in place
 * @param cpuid_8000001f_eax CPUID.8000001FH:EAX (bit 0: SME)
 * @param cpuid_8000001f_ebx CPUID.8000001FH:EBX (5:0 C-bit position,
 *   11:6 physical address reduction)
 * @param syscfg the SYSCFG MSR (C001_0010h); bit 23 MemEncryptionModeEn
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT for other caps;
 *   ::SLAT_ECAPS, with @p caps unchanged, when SME is absent or not
 *   enabled, or the values leave fewer than 32 address bits.
 */
int slat_npt_caps_sme(struct slat_caps *caps, uint32_t cpuid_8000001f_eax,
		      uint32_t cpuid_8000001f_ebx, uint64_t syscfg);

/**
 * The VMCB nCR3 value: root address with write-back walks (PWT = PCD = 0),
 * and the C-bit when @ref slat_config::table_key is 1.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT.
 */
int slat_npt_ncr3(const struct slat_table *t, uint64_t *ncr3);

/** VMCB TLB_CONTROL values (AMD APM vol. 2, VMCB layout). */
enum slat_npt_tlb_control {
	SLAT_NPT_TLB_NONE = 0, /**< Do nothing. */
	SLAT_NPT_TLB_ALL = 1,  /**< Flush the entire TLB (every ASID). */
	SLAT_NPT_TLB_ASID = 3 /**< Flush this guest's ASID (needs FlushByAsid). */
};

/**
 * The TLB_CONTROL value to put in the guest's VMCB before its next VMRUN so
 * that @p g is complete on that CPU; ::SLAT_NPT_TLB_NONE for an empty
 * gather. Other CPUs that ran the guest need the same on their next VMRUN.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT;
 *   ::SLAT_EGATHER.
 */
int slat_npt_flush(const struct slat_table *t, const struct slat_gather *g,
		   uint8_t *tlb_control);

/**
 * Decode a \#NPF VM exit (exit code 0x400).
 * @param exitinfo1 the nested page-fault error code
 * @param exitinfo2 the faulting guest-physical address
 * @param[out] f the decoded fault
 * @return ::SLAT_OK; ::SLAT_ENULL.
 */
int slat_npt_fault(uint64_t exitinfo1, uint64_t exitinfo2, struct slat_fault *f);

#ifdef __cplusplus
}
#endif
#endif
