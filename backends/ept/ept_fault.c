/* SPDX-License-Identifier: MIT */
/*
 * Intel EPT: decoding the VM exits that second-level translation causes.
 *
 * Sources: Intel SDM vol. 3C (rev. 080 numbering, see docs/formats.md):
 *  - Appendix C "VMX Basic Exit Reasons": 48 is an EPT violation, 49 an EPT
 *    misconfiguration. The exit-reason VMCS field holds the basic reason in
 *    bits 15:0 and sets bit 31 for a failed VM entry (§25.9.1, believed).
 *  - §28.2.1 "Basic VM-Exit Information", Table 28-7 "Exit Qualification for
 *    EPT Violations" (believed; the 2016 edition's Table 27-7 was read, and
 *    the MBEC and advanced-information bits were checked against the text
 *    of a newer edition quoted in an SDM-derived header). docs/formats.md
 *    §1.5 lists the bits.
 *  - §29.3.3.1 "EPT Misconfigurations" and §29.3.3.2 "EPT Violations".
 */

#include <slat/ept.h>
#include <slat/error.h>

#include "format.h"

#define EXIT_REASON_BASIC 0xffffu       /* basic exit reason, bits 15:0 */
#define EXIT_REASON_ENTRY_FAIL (1u << 31) /* VM-entry failure */
#define EXIT_EPT_VIOLATION 48
#define EXIT_EPT_MISCONFIG 49

/* Table 28-7: what the access was. A read-modify-write sets bit 1 and may
 * or may not set bit 0. */
#define Q_READ (1ull << 0)
#define Q_WRITE (1ull << 1)
#define Q_FETCH (1ull << 2)
/*
 * Bits 3-5: the AND of bits 0, 1 and 2 over the EPT entries used for the
 * translation; cleared when one of those entries was not present. Bit 5
 * means supervisor-mode execute under mode-based execute control (MBEC).
 * Bit 6: under MBEC the AND of bit 10 (user-mode execute), otherwise
 * undefined.
 */
#define Q_READABLE (1ull << 3)
#define Q_WRITABLE (1ull << 4)
#define Q_EXECUTABLE (1ull << 5)
#define Q_USER_EXECUTABLE (1ull << 6)
/* Bit 7: the guest-linear-address field (VMCS 0x640A) is valid; clear only
 * for loads of the PAE PDPTEs by MOV to CR. Bit 8, when bit 7 is set: the
 * access used the final translation of that linear address (1), or it was
 * an access to a guest paging-structure entry during a walk or an A/D update
 * (0). Bit 8 is cleared when bit 7 is clear. */
#define Q_GLA_VALID (1ull << 7)
#define Q_GLA_TRANSLATED (1ull << 8)
/*
 * Bit 9 (user-mode linear address) is defined only when bits 7 and 8 are
 * set and the CPU reports "advanced VM-exit information for EPT violations"
 * (IA32_VMX_EPT_VPID_CAP bit 22, SLAT_CAP_FAULT_MODE); it is undefined
 * otherwise. Bits 10-16 describe the guest's own paging, NMI unblocking
 * and CET; struct slat_fault has no place for them.
 */
#define Q_USER_MODE (1ull << 9)

#define KNOWN_CTL (SLAT_EPT_FAULT_MBEC | SLAT_EPT_FAULT_ADVANCED)

uint32_t slat_ept_fault_ctl(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);
	uint32_t ctl = 0;

	if (!t || t->fmt != &slat_format_ept)
		return 0;
	if (t->features & SLAT_FEAT_SPLIT_EXEC)
		ctl |= SLAT_EPT_FAULT_MBEC;
	if (t->caps.flags & SLAT_CAP_FAULT_MODE)
		ctl |= SLAT_EPT_FAULT_ADVANCED;
	return ctl;
}

int slat_ept_fault(uint32_t ctl, uint32_t exit_reason,
		   uint64_t qualification, uint64_t gpa, uint64_t gla,
		   struct slat_fault *f)
{
	struct slat_fault r = { 0 };
	bool mbec;

	if (!f)
		return SLAT_ENULL;
	if (ctl & ~(uint32_t)KNOWN_CTL)
		return SLAT_EFLAGS;
	if (exit_reason & EXIT_REASON_ENTRY_FAIL)
		return SLAT_EFLAGS;
	exit_reason &= EXIT_REASON_BASIC;
	if (exit_reason != EXIT_EPT_VIOLATION && exit_reason != EXIT_EPT_MISCONFIG)
		return SLAT_EFLAGS;

	/* Both exits write the guest-physical-address field (VMCS 0x2400). */
	r.gpa = slat_gpa(gpa);
	r.gpa_valid = true;
	r.level = -1; /* EPT reports no level */

	if (exit_reason == EXIT_EPT_MISCONFIG) {
		/* A misconfiguration has no exit qualification (§28.2.1). */
		r.kind = SLAT_FAULT_MISCONFIG;
		*f = r;
		return SLAT_OK;
	}

	if (qualification & Q_READ)
		r.access |= SLAT_ACCESS_READ;
	if (qualification & Q_WRITE)
		r.access |= SLAT_ACCESS_WRITE;
	if (qualification & Q_FETCH)
		r.access |= SLAT_ACCESS_EXEC;

	/* Whether bits 5 and 6 split execute by mode is the VM's MBEC
	 * setting, which the exit does not carry. */
	mbec = ctl & SLAT_EPT_FAULT_MBEC;
	if (qualification & Q_READABLE)
		r.allowed |= SLAT_PERM_R;
	if (qualification & Q_WRITABLE)
		r.allowed |= SLAT_PERM_W;
	if (qualification & Q_EXECUTABLE)
		r.allowed |= mbec ? SLAT_PERM_XS : SLAT_PERM_X;
	if (mbec && (qualification & Q_USER_EXECUTABLE))
		r.allowed |= SLAT_PERM_XU;
	r.allowed_known = true;

	/*
	 * A present entry has one of bits 2:0 set, or bit 10 under MBEC
	 * (§29.3.2); a not-present one clears bits 3-6. So "nothing allowed"
	 * means "not mapped". That holds as long as the entries above the
	 * leaf grant every permission, as libslat's always do: a hand-made
	 * hierarchy whose levels grant disjoint permissions (say R above,
	 * X-only below) could AND to zero with every entry present.
	 */
	r.kind = r.allowed ? SLAT_FAULT_PERMISSION : SLAT_FAULT_TRANSLATION;

	r.gva_valid = qualification & Q_GLA_VALID;
	if (r.gva_valid)
		r.gva = gla;
	r.guest_walk = r.gva_valid && !(qualification & Q_GLA_TRANSLATED);
	if ((ctl & SLAT_EPT_FAULT_ADVANCED) && r.gva_valid && !r.guest_walk) {
		r.user_known = true;
		r.user = qualification & Q_USER_MODE;
	}
	*f = r;
	return SLAT_OK;
}
