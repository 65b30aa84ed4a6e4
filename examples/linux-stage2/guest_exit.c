/*
 * guest_exit.c - the exits of a Linux guest whose devices are passed
 * through: PSCI calls (HVC, or SMC trapped by HCR_EL2.TSC) and stage-2
 * aborts, which are either the churn's own traps (churn.c) or accesses
 * to an address the guest was never given.
 */
#include "guest_exit.h"
#include "arch.h"
#include "board.h"
#include "churn.h"
#include "exits.h"
#include "report.h"
#include "uart.h"

/* PSCI function IDs (Arm DEN 0022, "PSCI", table 5.1): SMC32 for the calls
 * without 64-bit arguments, SMC64 (0xc4...) for those with. */
#define PSCI_VERSION            0x84000000UL
#define PSCI_CPU_OFF            0x84000002UL
#define PSCI_CPU_ON_64          0xc4000003UL
#define PSCI_AFFINITY_INFO_64   0xc4000004UL
#define PSCI_MIGRATE_INFO_TYPE  0x84000006UL
#define PSCI_SYSTEM_OFF         0x84000008UL
#define PSCI_SYSTEM_RESET       0x84000009UL
#define PSCI_FEATURES           0x8400000aUL
#define PSCI_RET_NOT_SUPPORTED  (-1L)
#define PSCI_RET_INVALID        (-2L)

static unsigned long psci_calls;

/* Returns false when the guest switched itself off. */
static bool psci(struct vcpu *v)
{
	uint64_t fn = v->x[0] & 0xffffffffUL;
	long ret = PSCI_RET_NOT_SUPPORTED;

	psci_calls++;
	switch (fn) {
	case PSCI_VERSION:
		ret = 0x10000;                  /* 1.0: major 1 in [31:16] */
		break;
	case PSCI_FEATURES:
		/* Only the calls the kernel needs; in particular no SMCCC_VERSION,
		 * so the kernel takes SMCCC 1.0 and asks for no workarounds. */
		switch (v->x[1] & 0xffffffffUL) {
		case PSCI_VERSION: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET:
		case PSCI_MIGRATE_INFO_TYPE: case PSCI_FEATURES:
			ret = 0;
		}
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = 2;                        /* no Trusted OS to migrate */
		break;
	case PSCI_AFFINITY_INFO_64:
		ret = v->x[1] == 0 ? 0 : PSCI_RET_INVALID;   /* CPU 0 is on */
		break;
	case PSCI_CPU_ON_64:
		ret = PSCI_RET_INVALID;         /* one vCPU */
		break;
	case PSCI_CPU_OFF:
		printk("linux-stage2: the guest switched its only CPU off\n");
		churn_finish(CHURN_END_CPU_OFF);
		return false;
	case PSCI_SYSTEM_OFF:
		printk("linux-stage2: the guest called PSCI SYSTEM_OFF\n");
		churn_finish(CHURN_END_OFF);
		return false;
	case PSCI_SYSTEM_RESET:
		printk("linux-stage2: the guest called PSCI SYSTEM_RESET (a panic, with panic=-1?)\n");
		churn_finish(CHURN_END_RESET);
		return false;
	}
	v->x[0] = (uint64_t)ret;
	return true;
}

/* An access outside guest RAM and the passed-through devices: a device the
 * device tree does not describe.  Reads as zero, writes are dropped, as an
 * absent device on a bus would; logged the first few times. */
static bool absent_device(struct vcpu *v, const struct abort_info *a)
{
	static unsigned logged;

	if (!a->isv || a->ipa == ~0UL)
		return false;
	if (logged++ < 8)
		printk("linux-stage2: %s of %u bytes at IPA %lx (nothing there), PC %lx\n",
		       a->f.access & SLAT_ACCESS_WRITE ? "write" : "read", a->size, a->ipa, v->pc);
	if (!(a->f.access & SLAT_ACCESS_WRITE) && a->srt != 31)
		v->x[a->srt] = 0;
	v->pc += 4;
	return true;
}

static bool abort_exit(struct vcpu *v)
{
	struct abort_info a;

	if (!decode_abort(v, &a)) {
		check(false, "guest-exit", "undecodable abort at PC %lx, ESR_EL2 %lx", v->pc, v->esr);
		return false;
	}
	if (churn_fault(v, &a))
		return true;
	if (a.f.kind == SLAT_FAULT_TRANSLATION && a.f.gpa_valid &&
	    (a.ipa < VM_RAM_BASE || a.ipa >= VM_RAM_BASE + VM_RAM_SIZE) &&
	    absent_device(v, &a))
		return true;
	describe_abort(&a);
	check(false, "guest-exit", "stage-2 abort nobody expected at PC %lx", v->pc);
	return false;
}

bool guest_exit(struct vcpu *v)
{
	if (v->exit_vector != EXIT_SYNC) {
		check(false, "guest-exit", "asynchronous exception (vector %lu) at PC %lx",
		      v->exit_vector, v->pc);
		return false;
	}
	switch (ESR_EC(v->esr)) {
	case EC_HVC64:                          /* ELR_EL2 is past the HVC */
		return psci(v);
	case EC_SMC64:                          /* trapped: ELR_EL2 is the SMC */
		v->pc += 4;
		return psci(v);
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		return abort_exit(v);
	default:
		check(false, "guest-exit", "exception class %02x at PC %lx, ESR_EL2 %lx, FAR_EL2 %lx",
		      ESR_EC(v->esr), v->pc, v->esr, v->far);
		return false;
	}
}
