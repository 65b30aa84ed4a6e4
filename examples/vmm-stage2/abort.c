/*
 * abort.c - decoding a stage-2 abort from the saved exit registers:
 * libslat's slat_stage2_fault() for the fault itself, the IPA by AT S1E1R
 * where HPFAR_EL2 does not hold it, and the instruction syndrome for MMIO
 * emulation.  Shared with examples/linux-stage2.
 */
#include "exits.h"
#include <slat/stage2.h>
#include "arch.h"
#include "uart.h"

/*
 * The guest-virtual address translated by the MMU as the guest's stage 1
 * would (AT S1E1R), for faults where HPFAR_EL2 does not hold the IPA: the
 * Arm ARM leaves it UNKNOWN for a stage-2 permission fault that is not on
 * a stage-1 walk, and KVM does the same (__translate_far_to_hpfar).
 */
static uint64_t ipa_by_at(uint64_t va)
{
	uint64_t saved = read_sysreg(par_el1);     /* PAR_EL1 belongs to the guest */
	__asm__ __volatile__("at s1e1r, %0" : : "r"(va));
	isb();
	uint64_t par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved);
	if (par & PAR_F)
		return ~0UL;        /* the guest changed its stage 1 meanwhile */
	return PAR_PA(par) | (va & 0xfff);
}

bool decode_abort(const struct vcpu *v, struct abort_info *a)
{
	uint64_t esr = v->esr;

	a->esr = esr;
	a->hpfar = v->hpfar;
	a->far = v->far;
	if (slat_stage2_fault(esr, v->hpfar, v->far, &a->f))
		return false;      /* not an abort from a lower EL */
	a->ipa_from_at = false;
	if (a->f.gpa_valid)
		a->ipa = a->f.gpa.v;
	else if (a->f.kind == SLAT_FAULT_PERMISSION && a->f.gva_valid) {
		a->ipa = ipa_by_at(a->f.gva);
		a->ipa_from_at = true;
	} else
		a->ipa = ~0UL;
	a->from_el = vcpu_el(v);
	/* The instruction syndrome: not libslat's business. */
	a->isv = ESR_EC(esr) == EC_DABT_LOW && ISS_ISV(esr);
	a->size = 1u << ISS_SAS(esr);
	a->srt = ISS_SRT(esr);
	a->sign_extend = ISS_SSE(esr);
	a->reg64 = ISS_SF(esr);
	return true;
}

void describe_abort(const struct abort_info *a)
{
	const struct slat_fault *f = &a->f;
	const char *access = f->access & SLAT_ACCESS_EXEC ? "fetch" :
			     f->access & SLAT_ACCESS_WRITE ? "write" : "read";

	printk("  exit: %s abort, %s%s, %s fault",
	       ESR_EC(a->esr) == EC_IABT_LOW ? "instruction" : "data", access,
	       f->guest_walk ? " (guest stage-1 walk)" : "", slat_fault_kind_str(f->kind));
	if (f->level >= 0)   /* libslat counts levels from the pages, Arm from the root */
		printk(" at level %d", 3 - f->level);
	printk(", IPA %lx%s, VA %lx, from EL%u\n", a->ipa,
	       a->ipa_from_at ? " (AT S1E1R)" : "", f->gva, a->from_el);
	printk("        ESR_EL2 %08lx  HPFAR_EL2 %lx  FAR_EL2 %lx\n", a->esr, a->hpfar, a->far);
}

