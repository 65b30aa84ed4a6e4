/* SPDX-License-Identifier: MIT */
/*
 * Arm stage 2: decoding an Instruction Abort or Data Abort taken to EL2
 * from a lower exception level, from ESR_EL2, HPFAR_EL2 and FAR_EL2.
 *
 * Sources, Arm ARM (DDI 0487), read in an L.x revision (the one with
 * FEAT_D128; section numbers as in that text, transcribed in the
 * wuyongzheng/arm-md-specs repository):
 *  - ESR_EL2, "ISS encoding for an exception from an Instruction Abort"
 *    and "... from a Data Abort": EC, FnV, CM, S1PTW, WnR, IFSC/DFSC;
 *    docs/formats.md §3.11 has the same fields;
 *  - the fault status code list, also in D24.2.142 PAR_EL1 (FST field):
 *    level 0 Access flag and Permission faults and the level -1 codes
 *    exist with FEAT_LPA2, the level -2 codes with FEAT_D128;
 *  - D24.2.76 HPFAR_EL2: which faults write the register, and FIPA;
 *    docs/formats.md §3.12.
 * Checked against Linux arch/arm64/kvm/hyp/include/hyp/fault.h
 * (__get_fault_info, __hpfar_valid), include/asm/kvm_emulate.h
 * (kvm_is_write_fault) and include/asm/esr.h, and against what QEMU 7.2
 * reports (examples/vmm-stage2, whose NOTES.md lists every difference
 * found between the three; where they differ, the Arm ARM is followed).
 *
 * Not handled here, because the syndrome alone cannot tell: CPUs with
 * Cortex-A57 erratum 834220 may report a stage 2 Translation fault for
 * what is a stage 1 Permission fault; KVM then translates FAR_EL2 itself
 * instead of trusting HPFAR_EL2.
 */

#include <slat/error.h>
#include <slat/stage2.h>

/* ESR_EL2 */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define EC_IABT_LOW 0x20u /* Instruction Abort from a lower exception level */
#define EC_DABT_LOW 0x24u /* Data Abort from a lower exception level */
#define ISS_FNV (1ull << 10)  /* FAR_EL2 not valid (synchronous External aborts) */
#define ISS_CM (1ull << 8)    /* data abort: cache maintenance or AT instruction */
#define ISS_S1PTW (1ull << 7) /* stage 2 fault on a stage 1 table walk access */
#define ISS_WNR (1ull << 6)   /* data abort: write, not read */
#define ISS_FSC 0x3fu         /* IFSC / DFSC */

/* HPFAR_EL2.FIPA, bits 47:4, holds IPA[55:12] with FEAT_D128; without it
 * the top bits are RES0 (IPA[51:12] in 43:4 with FEAT_LPA, IPA[47:12] in
 * 39:4 otherwise), so one mask serves every implementation. Bit 63 (NS)
 * is RES0 for aborts taken to Non-secure EL2. */
#define HPFAR_FIPA (((1ull << 48) - 1) & ~0xfull)
#define HPFAR_TO_IPA_SHIFT 8 /* bit 4 holds IPA bit 12 */
#define FAR_PAGE_OFFSET 0xfffull

/* What a fault status code says: the kind of fault, the Arm lookup level
 * (-2 to 3) where the code names one, and whether HPFAR_EL2 is written. */
struct fsc_info {
	uint8_t kind;
	int8_t arm_level; /* ARM_LEVEL_NONE: the code names no level */
	bool hpfar;       /* HPFAR_EL2 written, before the S1PTW rule */
};

#define ARM_LEVEL_NONE 127

static struct fsc_info fsc_decode(unsigned fsc)
{
	struct fsc_info r = { SLAT_FAULT_OTHER, ARM_LEVEL_NONE, false };

	/*
	 * 0b0000ll Address size, 0b0001ll Translation, 0b0010ll Access
	 * flag, 0b0011ll Permission fault at level ll (0-3). 0b000000 also
	 * covers an address size fault on the table base register itself
	 * (VTTBR_EL2), which reports level 0 as well.
	 */
	if (fsc < 0x10) {
		static const uint8_t kinds[4] = {
			SLAT_FAULT_MISCONFIG, SLAT_FAULT_TRANSLATION,
			SLAT_FAULT_ACCESS_FLAG, SLAT_FAULT_PERMISSION,
		};

		r.kind = kinds[fsc >> 2];
		r.arm_level = (int8_t)(fsc & 3);
		/* HPFAR_EL2 is written for Translation, Access flag and
		 * Address size faults; for Permission faults only on a
		 * stage 1 walk (the S1PTW rule below). */
		r.hpfar = r.kind != SLAT_FAULT_PERMISSION;
		return r;
	}
	switch (fsc) {
	case 0x29: /* Address size fault, level -1 (FEAT_LPA2) */
		r.kind = SLAT_FAULT_MISCONFIG;
		r.arm_level = -1;
		r.hpfar = true;
		return r;
	case 0x2c: /* Address size fault, level -2 (FEAT_D128) */
		r.kind = SLAT_FAULT_MISCONFIG;
		r.arm_level = -2;
		r.hpfar = true;
		return r;
	case 0x2b: /* Translation fault, level -1 (FEAT_LPA2) */
		r.kind = SLAT_FAULT_TRANSLATION;
		r.arm_level = -1;
		r.hpfar = true;
		return r;
	case 0x2a: /* Translation fault, level -2 (FEAT_D128) */
		r.kind = SLAT_FAULT_TRANSLATION;
		r.arm_level = -2;
		r.hpfar = true;
		return r;
	default:
		break;
	}
	/*
	 * Everything else is "other". Some of those codes still name the
	 * level of a table walk: synchronous External abort on a walk
	 * (0x12-0x17 for levels -2 to 3), parity/ECC error on a walk
	 * (0x1b-0x1f, levels -1 to 3, without FEAT_RAS) and Granule
	 * Protection Fault on a walk (0x22-0x27, levels -2 to 3, FEAT_RME).
	 * HPFAR_EL2 is not relied on for any of them.
	 */
	if (fsc >= 0x12 && fsc <= 0x17)
		r.arm_level = (int8_t)((int)fsc - 0x14);
	else if (fsc >= 0x1b && fsc <= 0x1f)
		r.arm_level = (int8_t)((int)fsc - 0x1c);
	else if (fsc >= 0x22 && fsc <= 0x27)
		r.arm_level = (int8_t)((int)fsc - 0x24);
	return r;
}

int slat_stage2_fault(uint64_t esr, uint64_t hpfar, uint64_t far,
		      struct slat_fault *f)
{
	const unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	const bool walk = (esr & ISS_S1PTW) != 0;
	struct fsc_info fi;

	if (!f)
		return SLAT_ENULL;
	if (ec != EC_IABT_LOW && ec != EC_DABT_LOW)
		return SLAT_EFLAGS;
	__builtin_memset(f, 0, sizeof(*f));
	fi = fsc_decode((unsigned)esr & ISS_FSC);
	f->kind = fi.kind;

	/*
	 * Levels: Arm counts from the root (level 3 holds pages with every
	 * granule), libslat from the pages, so libslat level = 3 - Arm
	 * level. Levels -1 and -2 belong to 52- and 56-bit tables that
	 * libslat does not build: -1 (unknown), as for codes without one.
	 * With S1PTW the Arm ARM makes the level that of the stage 2 lookup
	 * for the guest's descriptor (a level of this table); QEMU 7.2
	 * reports the guest's stage 1 level there instead (NOTES.md).
	 */
	f->level = (fi.arm_level >= 0 && fi.arm_level <= 3)
			   ? (int8_t)(3 - fi.arm_level) : (int8_t)-1;

	/*
	 * The access. An Instruction Abort is a fetch and a Data Abort a
	 * write when WnR is set, a read otherwise, with two exceptions:
	 *  - CM: cache maintenance and AT instructions always report WnR = 1
	 *    (ESR_EL2, WnR). The syndrome then does not tell which
	 *    permission the operation needed, so both are reported; a
	 *    hypervisor that will not grant write can skip the instruction,
	 *    as KVM does for a CMO on a read-only memslot.
	 *  - S1PTW: the stage 2 fault hit the guest's own stage 1 walk, and
	 *    the access that matters is the walk's access to the guest
	 *    descriptor: a read, and a write when the walk updates the
	 *    descriptor (hardware Access flag or dirty state). Stage 2
	 *    execute permission plays no part in it, even for a fetch. WnR
	 *    does not tell the walk's direction reliably: QEMU 7.2 reports
	 *    the instruction's direction there (a store whose walk only
	 *    reads: WnR = 1; a load whose walk must set AF: WnR = 0;
	 *    examples/vmm-stage2/NOTES.md). So, as KVM's
	 *    kvm_is_write_fault() does, WnR is ignored for walks: read, and
	 *    write too for a Permission fault (on a readable descriptor only
	 *    the update can have been refused).
	 */
	f->guest_walk = walk;
	if (walk)
		f->access = fi.kind == SLAT_FAULT_PERMISSION
				    ? SLAT_ACCESS_READ | SLAT_ACCESS_WRITE
				    : SLAT_ACCESS_READ;
	else if (ec == EC_IABT_LOW)
		f->access = SLAT_ACCESS_EXEC;
	else if (esr & ISS_CM)
		f->access = SLAT_ACCESS_READ | SLAT_ACCESS_WRITE;
	else if (esr & ISS_WNR)
		f->access = SLAT_ACCESS_WRITE;
	else
		f->access = SLAT_ACCESS_READ;

	/*
	 * The guest-physical address (D24.2.76 HPFAR_EL2): written for
	 * Translation, Access flag and Address size faults at stage 2, and
	 * for those and Permission faults on the stage 2 translation of a
	 * stage 1 walk access; UNKNOWN for everything else, in particular
	 * for a stage 2 Permission fault of the access itself. There the
	 * hypervisor translates FAR_EL2 with AT S1E1R (or S1E1A) itself, as
	 * KVM's __translate_far_to_hpfar() does.
	 *
	 * FAR_EL2[11:0] completes the page address only for the access
	 * itself: on a walk, FAR_EL2 holds the address the instruction
	 * used, not the address of the guest descriptor, so the page offset
	 * is unknown and left 0.
	 */
	if (fi.hpfar || (walk && fi.kind == SLAT_FAULT_PERMISSION)) {
		uint64_t ipa = (hpfar & HPFAR_FIPA) << HPFAR_TO_IPA_SHIFT;

		if (!walk)
			ipa |= far & FAR_PAGE_OFFSET;
		f->gpa = slat_gpa(ipa);
		f->gpa_valid = true;
	}

	/* FAR_EL2 holds the guest-virtual address unless FnV says it does
	 * not; FnV is only ever set for a synchronous External abort. */
	if (!(esr & ISS_FNV)) {
		f->gva = far;
		f->gva_valid = true;
	}

	/* Neither what the translation allowed nor the guest's exception
	 * level is in the syndrome (the latter is in SPSR_EL2.M). */
	f->allowed_known = false;
	f->user_known = false;
	return SLAT_OK;
}
