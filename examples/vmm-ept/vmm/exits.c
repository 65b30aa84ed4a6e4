/*
 * exits.c - VM-exit dispatch and EPT violation/misconfiguration handling.
 */
#include "exits.h"
#include "vmx.h"
#include "ept.h"
#include "memmap.h"
#include "hostmem.h"
#include "guestmem.h"
#include "uart.h"
#include "pml.h"
#include "checks.h"
#include "console.h"
#include "../common/abi.h"

bool guest_halted;

static struct {
	bool armed;
	u64 gpa, gla, spec;
} expect;

void expect_ept_exit(u64 gpa, u64 gla, u64 spec)
{
	expect.armed = true;
	expect.gpa = gpa;
	expect.gla = gla;
	expect.spec = spec;
}

bool expect_still_pending(void)
{
	bool pending = expect.armed;
	expect.armed = false;
	return pending;
}

/* For exits caused by instructions (VMCALL, HLT, CPUID) the CPU reports the
 * instruction length; EPT violations do not, so those are decoded. */
static void skip_instruction(void)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN));
}

/* The guest wrote to the emulated UART. */
static bool emulate_mmio(struct vcpu *v, const struct slat_fault *f, u64 qual)
{
	struct store_insn st;

	if (!(f->access & SLAT_ACCESS_WRITE) || decode_store_at_rip(v, &st)) {
		check_fatal("unsupported MMIO access at gpa %lx (qualification %lx, rip %lx)",
			   f->gpa.v, qual, vmread(GUEST_RIP));
		return false;
	}
	uart_write(f->gpa.v - GPA_UART, st.value, st.size);
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + st.len);
	return true;
}

/* Carries out the resolution the guest asked for when it armed the
 * expectation.  Every change to the tables is followed by INVEPT. */
static bool resolve(struct vcpu *v, u64 gpa)
{
	u64 page = gpa & ~(PAGE_SIZE - 1), hpa;
	struct slat_prot grant = { 0 };
	struct store_insn st;

	switch (expect.spec & 0xF000) {
	case RESOLVE_GRANT: /* fix the mapping: add the missing permission */
		grant.perm_set = (u8)ept_perms(expect.spec >> 16 & 0xF);
		if (slat_protect(&guest_ept, slat_gpa(page), PAGE_SIZE, &grant, &guest_ept_changes))
			return false;
		break;
	case RESOLVE_SKIP: /* refuse the store: step over it */
		if (decode_store_at_rip(v, &st))
			return false;
		vmwrite(GUEST_RIP, vmread(GUEST_RIP) + st.len);
		return true;
	case RESOLVE_MAP: /* demand paging: back the page with a fresh host page */
		hpa = page_alloc();
		fill_pattern(hpa, PAGE_SIZE);
		if (vm_map(page, hpa, PAGE_SIZE, PERM_R | PERM_W))
			return false;
		break;
	case RESOLVE_FIX: /* rewrite a bad entry as a normal RW mapping */
		if (!vm_gpa_to_hpa(page, &hpa) || vm_unmap(page, PAGE_SIZE) ||
		    vm_map(page, hpa, PAGE_SIZE, PERM_R | PERM_W))
			return false;
		break;
	default:
		return false;
	}
	return ept_sync() == SLAT_OK;
}

/* An EPT violation or misconfiguration that a check announced: compare
 * the decoded exit with what the guest said it would be. */
static bool expected_ept_exit(struct vcpu *v, const struct slat_fault *f, u64 qual)
{
	unsigned want_kind = EXPECT_KIND(expect.spec);
	unsigned want_access = expect.spec & 0xF;
	unsigned want_allowed = ept_perms(expect.spec >> 4 & 0xF);

	expect.armed = false;
	con_printf("info: EPT exit at gpa %lx: qualification %lx: %s, access %x, allowed %x\n",
		   f->gpa.v, qual, slat_fault_kind_str(f->kind), f->access, f->allowed);
	if (f->kind != want_kind)
		check_fail("exit at gpa %lx decoded as %s, expected %s", f->gpa.v,
			   slat_fault_kind_str(f->kind), slat_fault_kind_str(want_kind));
	else if (f->gpa.v != expect.gpa)
		check_fail("exit reports gpa %lx, expected %lx", f->gpa.v, expect.gpa);
	else if (f->kind != SLAT_FAULT_MISCONFIG) {
		if (f->access != want_access)
			check_fail("qualification %lx: access %x, expected %x", qual, f->access,
				   want_access);
		else if (f->allowed != want_allowed)
			check_fail("qualification %lx: allowed %x, expected %x", qual, f->allowed,
				   want_allowed);
		else if (!f->gva_valid || f->guest_walk)
			check_fail("qualification %lx: not the final translation of a linear "
				   "address", qual);
		else if (f->gva != expect.gla)
			check_fail("guest linear address %lx, expected %lx", f->gva, expect.gla);
	}
	if (!resolve(v, f->gpa.v)) {
		check_fatal("could not resolve the exit at gpa %lx", f->gpa.v);
		return false;
	}
	return true;
}

static bool handle_ept_exit(struct vcpu *v, u32 reason)
{
	u64 qual = vmread(EXIT_QUALIFICATION);
	struct slat_fault f;

	if (slat_ept_fault(slat_ept_fault_ctl(&guest_ept), reason, qual, vmread(GUEST_PHYSICAL_ADDRESS),
			   vmread(GUEST_LINEAR_ADDRESS), &f)) {
		check_fatal("slat_ept_fault refused exit reason %u", reason);
		return false;
	}
	/* libslat says whether the guest-linear-address field is valid. */
	if (f.gva_valid)
		f.gva = vmread(GUEST_LINEAR_ADDRESS);

	if (f.kind != SLAT_FAULT_MISCONFIG && f.gpa.v - GPA_UART < GPA_UART_SIZE)
		return emulate_mmio(v, &f, qual);
	if (f.kind == SLAT_FAULT_PERMISSION && f.access == SLAT_ACCESS_EXEC &&
	    ept_exec_fault(f.gpa.v))
		return true;
	if (expect.armed)
		return expected_ept_exit(v, &f, qual);
	check_fatal("unexpected EPT exit (%s): gpa %lx qualification %lx rip %lx",
		   slat_fault_kind_str(f.kind), f.gpa.v, qual, vmread(GUEST_RIP));
	return false;
}

bool handle_exit(struct vcpu *v)
{
	u32 reason = (u32)vmread(VM_EXIT_REASON);
	u32 r[4];

	if (reason & EXIT_REASON_ENTRY_FAILED) {
		check_fatal("VM entry failed: exit reason %u, qualification %lx",
			   reason & 0xFFFF, vmread(EXIT_QUALIFICATION));
		return false;
	}
	switch (reason) {
	case EXIT_REASON_VMCALL: {
		bool go_on = handle_hypercall(v);
		skip_instruction();
		return go_on;
	}
	case EXIT_REASON_HLT:
		skip_instruction();
		guest_halted = true;
		return false;
	case EXIT_REASON_CPUID: /* always exits: pass the host's answer through */
		cpuid((u32)v->regs.rax, (u32)v->regs.rcx, r);
		v->regs.rax = r[0];
		v->regs.rbx = r[1];
		v->regs.rcx = r[2];
		v->regs.rdx = r[3];
		skip_instruction();
		return true;
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		return handle_ept_exit(v, reason);
	case EXIT_REASON_PML_FULL:
		return pml_log_full(v);
	case EXIT_REASON_EXCEPTION_NMI: {
		u32 info = (u32)vmread(VM_EXIT_INTR_INFO);
		check_fatal("guest exception vector %u (error code %lx) at rip %lx, qualification %lx",
			   info & 0xFF, vmread(VM_EXIT_INTR_ERROR_CODE), vmread(GUEST_RIP),
			   vmread(EXIT_QUALIFICATION));
		return false;
	}
	default:
		check_fatal("unexpected exit reason %u at rip %lx (qualification %lx)",
			   reason, vmread(GUEST_RIP), vmread(EXIT_QUALIFICATION));
		return false;
	}
}
