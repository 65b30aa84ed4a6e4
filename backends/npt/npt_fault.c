/* SPDX-License-Identifier: MIT */
/*
 * AMD nested paging: decoding a #NPF VM exit (exit code 400h).
 *
 * EXITINFO1 holds a page-fault style error code for the failed nested
 * access, EXITINFO2 the guest-physical address whose nested translation
 * failed (APM vol. 2 §15.25.6 "Nested versus Guest Page Faults, Fault
 * Ordering"; the low bits have the meaning of the #PF error code of APM
 * vol. 2 §8.4.2 "Page-Fault Error Code" (believed)). docs/formats.md §2.4
 * lists the bits with the implementations they were checked against.
 */

#include <slat/error.h>
#include <slat/npt.h>

/* EXITINFO1 of #NPF. */
#define NPF_P (1ull << 0)    /* 0: a nested entry was not present */
#define NPF_RW (1ull << 1)   /* the access was a write */
#define NPF_US (1ull << 2)   /* user access: set for every nested access */
#define NPF_RSV (1ull << 3)  /* a reserved bit was set in a nested entry */
#define NPF_ID (1ull << 4)   /* instruction fetch (reported with EFER.NXE = 1) */
#define NPF_RMP (1ull << 31) /* SEV-SNP: the RMP check failed */
#define NPF_FINAL (1ull << 32) /* while translating the final guest-physical address */
#define NPF_WALK (1ull << 33)  /* while translating a guest page-table entry */

int slat_npt_fault(uint64_t exitinfo1, uint64_t exitinfo2, struct slat_fault *f)
{
	if (!f)
		return SLAT_ENULL;
	__builtin_memset(f, 0, sizeof(*f));
	f->gpa = slat_gpa(exitinfo2);
	f->gpa_valid = true;
	/* The error code does not say which level of the nested walk failed. */
	f->level = -1;

	/*
	 * A reserved bit comes first: the entry is malformed whatever P
	 * says. Bochs reports RSV with P = 1, as a #PF does (a reserved bit
	 * is only seen in a present entry); QEMU 7.2 reports RSV with P = 0
	 * (examples/vmm-npt/NOTES.md). An RMP failure (SEV-SNP) happens
	 * after the nested walk succeeded: neither a translation nor a
	 * nested permission fault.
	 *
	 * P is otherwise taken as reported, also for a guest-walk fault: an
	 * old KVM comment said real hardware always clears it there
	 * (docs/formats.md §4 item 11), but KVM later dropped that, and its
	 * 2025 selftest nested_tdp_fault_test expects P = 1 for a
	 * write-protected guest page table; QEMU 7.2 reports P = 0 for an
	 * unmapped one.
	 */
	if (exitinfo1 & NPF_RSV)
		f->kind = SLAT_FAULT_MISCONFIG;
	else if (exitinfo1 & NPF_RMP)
		f->kind = SLAT_FAULT_OTHER;
	else if (exitinfo1 & NPF_P)
		f->kind = SLAT_FAULT_PERMISSION;
	else
		f->kind = SLAT_FAULT_TRANSLATION;

	f->guest_walk = (exitinfo1 & NPF_WALK) != 0;
	if (exitinfo1 & NPF_ID)
		f->access = SLAT_ACCESS_EXEC;
	else if (exitinfo1 & NPF_RW)
		/*
		 * An access to a guest page-table entry reads it and may set
		 * its A/D bits; the hardware reports every such access as a
		 * write, whether or not an A/D update was due (Linux KVM's
		 * nested_tdp_fault_test selftest expects it that way, and
		 * QEMU walks guest tables with MMU_DATA_STORE). Report it as
		 * read and write, as the EPT exit qualification does.
		 */
		f->access = f->guest_walk ? SLAT_ACCESS_READ | SLAT_ACCESS_WRITE
					  : SLAT_ACCESS_WRITE;
	else
		f->access = SLAT_ACCESS_READ;

	/*
	 * US does not tell the guest's privilege: every nested access is a
	 * user access (APM vol. 2 §15.25.5 "Nested Table Walk"), so the bit
	 * is set whatever the guest's CPL. QEMU 7.2 sets it on every #NPF,
	 * at CPL 0 too (examples/vmm-npt/NOTES.md), and so does Bochs. With
	 * GMET a supervisor fetch fault has US set as well (docs/formats.md
	 * §2.3). The guest's CPL is in the VMCB (CPL, offset 4CBh).
	 */
	f->user = false;
	f->user_known = false;
	return SLAT_OK;
}
