/* SPDX-License-Identifier: MIT */
/**
 * @file slat/caps.h
 * @brief What the hardware can do, decoded from its own registers.
 *
 * A hypervisor reads the raw capability registers of its CPU and hands them
 * to the format's decoder: slat_ept_caps() (slat/ept.h), slat_npt_caps()
 * (slat/npt.h) or slat_stage2_caps() (slat/stage2.h). The result limits what
 * a table may use: a configuration or request beyond it fails with
 * ::SLAT_ECAPS. On a host with memory encryption enabled, slat_npt_caps_sme()
 * or slat_ept_caps_mktme() then adds the host memory key and reduces the
 * physical width.
 */
#ifndef SLAT_CAPS_H
#define SLAT_CAPS_H

#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Formats, as stored in @ref slat_caps::format. */
enum slat_format_id {
	SLAT_FORMAT_EPT = 1,    /**< Intel VMX extended page tables. */
	SLAT_FORMAT_NPT = 2,    /**< AMD SVM nested page tables (RVI). */
	SLAT_FORMAT_STAGE2 = 3 /**< Arm VMSAv8-64 stage 2 translation. */
};

/** Capability flags, in @ref slat_caps::flags. */
enum slat_cap_flag {
	SLAT_CAP_LEVELS4 = 1u << 0,     /**< 4-level tables (EPT page-walk length 4, NPT without LA57). */
	SLAT_CAP_LEVELS5 = 1u << 1,     /**< 5-level tables (EPT page-walk length 5, NPT with LA57). */
	SLAT_CAP_AD = 1u << 2,          /**< Hardware accessed/dirty updates (EPT A/D, NPT, Arm HAFDBS with DBM). */
	SLAT_CAP_SPLIT_EXEC = 1u << 3,  /**< Split execute: Intel MBEC, AMD GMET, Arm FEAT_XNX. */
	SLAT_CAP_EXEC_ONLY = 1u << 4,   /**< Execute without read (EPT execute-only; Arm always). */
	SLAT_CAP_WALK_WB = 1u << 5,     /**< Tables may be walked as write-back memory (EPTP memory type 6). */
	SLAT_CAP_WALK_UC = 1u << 6,     /**< Tables may be walked as uncacheable (EPTP memory type 0). */
	SLAT_CAP_INV_SINGLE = 1u << 7,  /**< Invalidate one guest's translations (INVEPT single-context, FlushByAsid). */
	SLAT_CAP_INV_ALL = 1u << 8,     /**< Invalidate every guest's translations (INVEPT all-context). */
	SLAT_CAP_FWB = 1u << 9,         /**< Arm FEAT_S2FWB: stage 2 may force the memory type. */
	SLAT_CAP_TLBI_RANGE = 1u << 10, /**< Arm FEAT_TLBIRANGE: range invalidation instructions. */
	SLAT_CAP_TLBI_TTL = 1u << 11,   /**< Arm FEAT_TTL: level hints in TLBI operands. */
	SLAT_CAP_VMID16 = 1u << 12,     /**< Arm 16-bit VMIDs. */
	SLAT_CAP_AF_ONLY = 1u << 13,    /**< Arm hardware Access flag update without dirty state (HAFDBS == 1). */
	SLAT_CAP_FAULT_MODE = 1u << 14 /**< Faults say whether the access came from guest user mode (Intel advanced VM-exit information for EPT violations). */
};

/**
 * Capabilities of one CPU for one format. Fill it with the format's decoder;
 * the fields are documented so that a hypervisor can also restrict them
 * (e.g. clear ::SLAT_CAP_SPLIT_EXEC to keep a feature off on every table).
 */
struct slat_caps {
	uint32_t format;     /**< ::slat_format_id the values describe. */
	uint32_t flags;      /**< ::slat_cap_flag bits. */
	uint64_t page_sizes; /**< Bit n set: leaves of 2^n bytes can be used. */
	uint8_t pa_bits;     /**< Host-physical address width (MAXPHYADDR, PARange). */
	uint8_t ia_bits;     /**< Widest guest-physical input the hardware translates. */
	uint8_t granules;    /**< Arm: bit 0 4 KiB, bit 1 16 KiB, bit 2 64 KiB for stage 2; x86: bit 0. */
	uint8_t reserved;    /**< Zero. */
	/**
	 * Lowest entry bit of the host memory key (docs/formats.md §5): the
	 * AMD C-bit position, or the lowest Intel MKTME/TDX KeyID bit. Zero
	 * when @ref key_bits is zero.
	 */
	uint8_t key_shift;
	/**
	 * Entry bits holding the key, upwards from @ref key_shift; 1 for the
	 * C-bit, MK_TME_KEYID_BITS for KeyIDs; 0 when the CPU has no keys
	 * enabled. Filled by slat_npt_caps_sme() and slat_ept_caps_mktme(),
	 * which also reduce @ref pa_bits to the width left for addresses.
	 */
	uint8_t key_bits;
	/**
	 * Largest key a mapping may carry: 1 for the C-bit (0 unencrypted,
	 * 1 encrypted), the last MKTME KeyID for Intel (TDX-private KeyIDs
	 * excluded). Lower it to keep keys out of reach of every table.
	 */
	uint16_t key_max;
};

/** @ref slat_caps::granules bit for a granule of 2^lg2 bytes (12, 14 or 16). */
#define SLAT_GRANULE_BIT(lg2) (1u << (((lg2) - 12) / 2))

#ifdef __cplusplus
}
#endif
#endif
