/* SPDX-License-Identifier: MIT */
/**
 * @file slat/stage2.h
 * @brief Arm VMSAv8-64 stage 2 translation.
 *
 * Encodings follow the Arm Architecture Reference Manual (DDI 0487),
 * chapter D8 "The AArch64 Virtual Memory System Architecture";
 * docs/formats.md draws every descriptor.
 *
 * Break-before-make: where a valid descriptor must be replaced by a
 * different valid one (a split, a merge, a new output address or memory
 * type), the backend writes an invalid descriptor, calls the table's
 * @ref slat_config::sync_invalidate hook, and only then writes the new one.
 * Leaves of one table that one call changes so (a protect of the memory
 * type, a replacing map to new output addresses) are broken in batches of
 * up to 64 with one hook call per batch, every leaf of the range it is
 * given already invalid. The rule also spans calls: a slat_map() over a range whose unmapping is
 * still pending in the gather it is given first completes that pending
 * invalidation through the same hook. So batch changes to one table in one
 * gather (or complete a gather before mapping over what it unmapped).
 *
 * Widths: IPAs of 32 to 48 bits with the 4, 16 and 64 KiB granules, and up
 * to 52 bits with 64 KiB on a CPU whose PARange says 52 bits (FEAT_LPA;
 * such a 64 KiB table always uses the 52-bit output size). 52 bits with
 * 4 or 16 KiB need FEAT_LPA2's descriptor layout, which libslat does not
 * build: slat_table_init() returns ::SLAT_ECONFIG for them.
 */
#ifndef SLAT_STAGE2_H
#define SLAT_STAGE2_H

#include <slat/caps.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The Stage-2 backend, for @ref slat_config::format. */
extern const struct slat_format slat_format_stage2;

/**
 * Decode stage 2 capabilities from the ID registers.
 * @param mmfr0 ID_AA64MMFR0_EL1 (PARange, stage 2 granules); PARange 6
 *   gives 52 bits, later values are taken as 52
 * @param mmfr1 ID_AA64MMFR1_EL1 (HAFDBS, VMIDBits, XNX)
 * @param mmfr2 ID_AA64MMFR2_EL1 (TTL)
 * @param isar0 ID_AA64ISAR0_EL1 (TLB: range invalidation), 0 if unknown
 * @param[out] out the capabilities
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_ECAPS when no granule is usable at
 *   stage 2.
 */
int slat_stage2_caps(uint64_t mmfr0, uint64_t mmfr1, uint64_t mmfr2,
		     uint64_t isar0, struct slat_caps *out);

/**
 * VTCR_EL2 for the table: T0SZ, SL0, granule, PS, inner-shareable
 * write-back walks, VS for 16-bit VMIDs, HA/HD with ::SLAT_FEAT_AD.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT.
 */
int slat_stage2_vtcr(const struct slat_table *t, uint64_t *vtcr);

/**
 * VTTBR_EL2 for the table and @p vmid.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT;
 *   ::SLAT_ECAPS when
 *   @p vmid needs 16-bit VMIDs and the CPU has only 8.
 */
int slat_stage2_vttbr(const struct slat_table *t, uint16_t vmid,
		      uint64_t *vttbr);

/** Kinds of @ref slat_s2_op. */
enum slat_s2_op_kind {
	SLAT_S2_DSB_ISHST = 1,     /**< DSB ISHST: table writes visible to walkers. */
	SLAT_S2_TLBI_IPAS2E1IS = 2,/**< TLBI IPAS2E1IS, @ref slat_s2_op::arg is the operand. */
	SLAT_S2_TLBI_RIPAS2E1IS = 3, /**< TLBI RIPAS2E1IS (FEAT_TLBIRANGE), operand in arg. */
	SLAT_S2_DSB_ISH = 4,       /**< DSB ISH: wait for the invalidations. */
	SLAT_S2_TLBI_VMALLE1IS = 5,/**< TLBI VMALLE1IS: combined stage 1+2 entries. */
	SLAT_S2_TLBI_VMALLS12E1IS = 6, /**< TLBI VMALLS12E1IS: everything of the VMID. */
	SLAT_S2_ISB = 7           /**< ISB. */
};

/** One barrier or TLB maintenance instruction. */
struct slat_s2_op {
	uint32_t kind; /**< ::slat_s2_op_kind. */
	uint64_t arg;  /**< Register operand of a TLBI by address; 0 otherwise. */
};

/**
 * Capacity of an op array that slat_stage2_flush() never overflows, for a
 * table whose @ref slat_config::tlbi_threshold is @p threshold. 0 means the
 * default threshold, as it does in the configuration: SLAT_S2_OPS_MAX(0) is
 * room for ::SLAT_S2_TLBI_THRESHOLD_DEFAULT per-address operations.
 */
#define SLAT_S2_OPS_MAX(threshold)                                            \
	((size_t)((threshold) ? (threshold) : SLAT_S2_TLBI_THRESHOLD_DEFAULT) + 6)

/** The per-address TLBI threshold a table gets when the configuration says 0. */
#define SLAT_S2_TLBI_THRESHOLD_DEFAULT 64

/**
 * The instruction sequence that completes @p g, executed at EL2 with the
 * guest's VMID in VTTBR_EL2: DSB ISHST, TLBI (RIP|IP)AS2E1IS per changed
 * leaf (with TTL hints when the CPU has FEAT_TTL and the level is known),
 * DSB ISH, TLBI VMALLE1IS, DSB ISH, ISB — or TLBI VMALLS12E1IS when more
 * than the table's threshold of per-address operations would be needed.
 * @param t the table
 * @param g the gather to complete
 * @param[out] ops the operations, in order
 * @param cap room in @p ops
 * @param[out] n number of ops written
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EFORMAT;
 *   ::SLAT_EGATHER;
 *   ::SLAT_ENOSPC when @p cap is below SLAT_S2_OPS_MAX(threshold) and the
 *   sequence does not fit.
 */
int slat_stage2_flush(const struct slat_table *t, const struct slat_gather *g,
		      struct slat_s2_op *ops, size_t cap, size_t *n);

#if defined(__aarch64__) || defined(__DOXYGEN__)
/** Execute ops from slat_stage2_flush() on this CPU (EL2 only). */
static inline void slat_stage2_exec(const struct slat_s2_op *ops, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t arg = ops[i].arg;

		switch (ops[i].kind) {
		case SLAT_S2_DSB_ISHST:
			__asm__ __volatile__("dsb ishst" ::: "memory");
			break;
		case SLAT_S2_TLBI_IPAS2E1IS:
			__asm__ __volatile__("tlbi ipas2e1is, %0" ::"r"(arg) : "memory");
			break;
		case SLAT_S2_TLBI_RIPAS2E1IS:
			/* TLBI RIPAS2E1IS is SYS #4, C8, C0, #2 (FEAT_TLBIRANGE);
			 * spelled as SYS so that older assemblers accept it. */
			__asm__ __volatile__("sys #4, c8, c0, #2, %0" ::"r"(arg) : "memory");
			break;
		case SLAT_S2_DSB_ISH:
			__asm__ __volatile__("dsb ish" ::: "memory");
			break;
		case SLAT_S2_TLBI_VMALLE1IS:
			__asm__ __volatile__("tlbi vmalle1is" ::: "memory");
			break;
		case SLAT_S2_TLBI_VMALLS12E1IS:
			__asm__ __volatile__("tlbi vmalls12e1is" ::: "memory");
			break;
		case SLAT_S2_ISB:
			__asm__ __volatile__("isb" ::: "memory");
			break;
		default:
			break;
		}
	}
}
#endif

/**
 * Decode a stage 2 abort taken to EL2 (ESR_EL2.EC 0x20 or 0x24).
 * @param esr ESR_EL2
 * @param hpfar HPFAR_EL2 (faulting IPA bits [55:12])
 * @param far FAR_EL2 (the page offset and the guest-virtual address)
 * @param[out] f the decoded fault
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFLAGS when the syndrome is not
 *   an instruction or data abort from a lower exception level.
 */
int slat_stage2_fault(uint64_t esr, uint64_t hpfar, uint64_t far,
		      struct slat_fault *f);

#ifdef __cplusplus
}
#endif
#endif
