/* SPDX-License-Identifier: MIT */
/**
 * @file slat/fault.h
 * @brief Second-level faults, decoded from what the hardware reports.
 *
 * When a guest access fails second-level translation the CPU exits to the
 * hypervisor with a format-specific report: an EPT-violation exit
 * qualification and guest-physical address (slat_ept_fault()), a \#NPF
 * EXITINFO1/EXITINFO2 pair (slat_npt_fault()), or an ESR_EL2 syndrome with
 * HPFAR_EL2 and FAR_EL2 (slat_stage2_fault()). Each decoder fills one
 * portable struct slat_fault: which guest-physical address, what access, which
 * permission was missing, whether the translation or the permission failed,
 * and at which level where the hardware says.
 */
#ifndef SLAT_FAULT_H
#define SLAT_FAULT_H

#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What kind of failure the hardware reported. */
enum slat_fault_kind {
	SLAT_FAULT_TRANSLATION = 1, /**< No valid entry: nothing mapped (or an invalid descriptor). */
	SLAT_FAULT_PERMISSION = 2,  /**< A valid mapping does not allow the access. */
	SLAT_FAULT_MISCONFIG = 3,   /**< A malformed entry: EPT misconfiguration, NPT reserved bit, Arm address-size fault. */
	SLAT_FAULT_ACCESS_FLAG = 4, /**< Arm: access flag fault (AF = 0 without hardware update). */
	SLAT_FAULT_OTHER = 5       /**< Anything else the syndrome reports (external abort, TLB conflict...). */
};

/** The access that faulted, in @ref slat_fault::access. */
enum slat_access {
	SLAT_ACCESS_READ = 1u << 0,  /**< Data read. */
	SLAT_ACCESS_WRITE = 1u << 1, /**< Data write (also a hardware A/D update of guest tables). */
	SLAT_ACCESS_EXEC = 1u << 2  /**< Instruction fetch. */
};

/** A decoded second-level fault. Fields the hardware does not report are zero / false / -1. */
struct slat_fault {
	slat_gpa_t gpa;   /**< Faulting guest-physical address (page offset included where reported). */
	bool gpa_valid;   /**< @ref gpa is reported (Arm: HPFAR_EL2 holds it). */
	uint8_t kind;     /**< ::slat_fault_kind. */
	uint8_t access;   /**< ::slat_access bits: what the guest tried (for a fault on its own page-table walk, the walk's access). */
	uint8_t allowed;  /**< ::slat_perm bits the translation granted, when reported (EPT). */
	bool allowed_known; /**< @ref allowed is meaningful. */
	int8_t level;     /**< Level of the failing lookup, libslat numbering (0 = base pages); -1 unknown. */
	bool user;        /**< The access came from guest user mode (when @ref user_known). */
	bool user_known;  /**< @ref user is reported. */
	bool guest_walk;  /**< The access was the guest's own page-table walk, not the final translation. */
	bool gva_valid;   /**< @ref gva holds the guest-virtual address. */
	uint64_t gva;     /**< Guest-virtual address (Arm FAR_EL2; x86 from the VMCS / VMCB by the caller). */
};

/** Short description of a ::slat_fault_kind (never NULL). */
const char *slat_fault_kind_str(unsigned kind);

#ifdef __cplusplus
}
#endif
#endif
