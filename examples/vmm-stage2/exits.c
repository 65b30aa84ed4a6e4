/*
 * exits.c - what happens when the guest leaves EL1/EL0.
 *
 * vcpu_run() returns with the guest's registers and ESR_EL2, FAR_EL2,
 * HPFAR_EL2 saved in the struct vcpu.  The exception class in ESR_EL2
 * says why the guest exited:
 *   EC 0x16  HVC        -> a hypercall (tests_step())
 *   EC 0x24  data abort -> MMIO emulation, or a stage-2 fault tests.c expects
 *   EC 0x20  instruction abort -> a stage-2 fault tests.c expects
 * Anything else is unexpected and ends the run.  libslat's
 * slat_stage2_fault() decodes the two aborts; only the instruction
 * syndrome for MMIO emulation (ISV, SAS, SRT, ...) is decoded here.
 */
#include "exits.h"
#include <slat/stage2.h>
#include "arch.h"
#include "protocol.h"
#include "report.h"
#include "tests.h"
#include "uart.h"

struct exit_stats exit_stats;

/* ---- MMIO emulation ---- */

#define MAX_MMIO 4
static const struct mmio_device *devices[MAX_MMIO];

void mmio_register(const struct mmio_device *dev)
{
	for (unsigned i = 0; i < MAX_MMIO; i++) {
		if (!devices[i]) {
			devices[i] = dev;
			return;
		}
	}
	vmm_fatal("too many MMIO devices");
}

static const struct mmio_device *mmio_find(uint64_t ipa)
{
	for (unsigned i = 0; i < MAX_MMIO; i++)
		if (devices[i] && ipa - devices[i]->base < devices[i]->size)
			return devices[i];
	return NULL;
}

/*
 * Emulate the single load or store that faulted.  ISV = 1 means ESR_EL2
 * describes it completely: size (SAS), register (SRT), sign extension
 * (SSE), register width (SF) and direction (WnR).  Instructions with
 * writeback, pairs, SIMD and atomics give ISV = 0; a guest must use plain
 * LDR/STR for device registers.
 */
static bool emulate_mmio(struct vcpu *v, const struct abort_info *a,
			 const struct mmio_device *dev)
{
	uint64_t mask = a->size == 8 ? ~0UL : (1UL << (8 * a->size)) - 1;
	uint64_t off = a->ipa - dev->base;

	if (!a->isv) {
		describe_abort(a);
		check(false, "mmio-emulation", "%s access without a valid syndrome (ISV = 0) at PC %lx",
		      dev->name, v->pc);
		return false;
	}
	if (a->f.access & SLAT_ACCESS_WRITE) {
		uint64_t val = a->srt == 31 ? 0 : v->x[a->srt];
		dev->write(off, a->size, val & mask);
	} else {
		uint64_t val = dev->read(off, a->size) & mask;
		if (a->sign_extend && (val >> (8 * a->size - 1)) & 1)
			val |= ~mask;
		if (!a->reg64)
			val &= 0xffffffffUL;
		if (a->srt != 31)
			v->x[a->srt] = val;
	}
	exit_stats.mmio++;
	vcpu_skip_instruction(v);
	return true;
}

/* ---- exits ---- */

static bool handle_abort(struct vcpu *v)
{
	struct abort_info a;

	if (!decode_abort(v, &a)) {
		check(false, "unexpected-exit", "undecodable abort at PC %lx, ESR_EL2 %lx",
		      v->pc, v->esr);
		return false;
	}
	/* An access to an IPA nothing is mapped at: perhaps a device. */
	if (a.f.kind == SLAT_FAULT_TRANSLATION && !a.f.guest_walk &&
	    !(a.f.access & SLAT_ACCESS_EXEC) && a.f.gpa_valid) {
		const struct mmio_device *dev = mmio_find(a.ipa);
		if (dev)
			return emulate_mmio(v, &a, dev);
	}
	exit_stats.aborts++;
	if (tests_abort(v, &a))
		return true;
	describe_abort(&a);
	check(false, "unexpected-exit", "stage-2 abort nobody expected at PC %lx, ESR_EL2 %lx",
	      v->pc, v->esr);
	return false;
}

static bool handle_hvc(struct vcpu *v)
{
	exit_stats.hvc++;
	if (v->x[0] != HC_STEP) {
		v->x[0] = ~0UL;             /* SMCCC: NOT_SUPPORTED */
		return true;
	}
	/* ELR_EL2 already points after the HVC */
	v->x[0] = tests_step(v, v->x[1], v->x[2], v->x[3], v->x[4], v->x[5]);
	return !tests_done();
}

bool handle_exit(struct vcpu *v)
{
	exit_stats.total++;
	if (v->exit_vector != EXIT_SYNC) {
		check(false, "unexpected-exit", "asynchronous exception (vector %lu) at PC %lx",
		      v->exit_vector, v->pc);
		return false;
	}
	switch (ESR_EC(v->esr)) {
	case EC_HVC64:
		return handle_hvc(v);
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		return handle_abort(v);
	default:
		check(false, "unexpected-exit", "exception class %02x at PC %lx, ESR_EL2 %lx",
		      ESR_EC(v->esr), v->pc, v->esr);
		return false;
	}
}

/*
 * Make the guest take an exception at EL1 as if its instruction fetch at
 * far had failed with a synchronous external abort: the usual answer of a
 * hypervisor to an access it will not allow.  The EL1 registers are
 * written directly because they still hold the guest's state.
 */
void vcpu_inject_iabt(struct vcpu *v, uint64_t far)
{
	bool from_el0 = vcpu_el(v) == 0;
	/* vector offset: lower EL 0x400; current EL with SP_EL1 0x200; with SP_EL0 0x000 */
	uint64_t offset = from_el0 ? 0x400 : (v->pstate & 1) ? 0x200 : 0x000;
	uint64_t ec = from_el0 ? EC_IABT_LOW : EC_IABT_CUR;

	write_sysreg(esr_el1, ec << 26 | ESR_IL | FSC_SEA);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, v->pc);
	write_sysreg(spsr_el1, v->pstate);
	v->pc = read_sysreg(vbar_el1) + offset;
	v->pstate = PSR_MODE_EL1h | PSR_DAIF;
}
