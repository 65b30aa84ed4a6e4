/*
 * vmx.c - turning VMX on, filling in the VMCS, and the run loop.
 */
#include "vcpu.h"
#include "vmx.h"
#include "console.h"
#include "checks.h"

int vmx_write_errors;

static u8 vmxon_region[4096] __attribute__((aligned(4096)));
static u8 vmcs_region[4096] __attribute__((aligned(4096)));
static u8 msr_bitmap[4096] __attribute__((aligned(4096))); /* all zero: no MSR exits */

extern char vmx_exit_entry[];

static u32 vmcs_revision(const struct vmx_caps *c) { return (u32)(c->basic & 0x7FFFFFFF); }

int vmx_on(const struct vmx_caps *c)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return -1; /* disabled and locked by firmware */

	/* CR0 and CR4 must respect the VMX fixed bits; CR4.VMXE is one of them. */
	write_cr0((read_cr0() | c->cr0_fixed0) & c->cr0_fixed1);
	write_cr4((read_cr4() | CR4_VMXE | c->cr4_fixed0) & c->cr4_fixed1);

	*(u32 *)vmxon_region = vmcs_revision(c);
	return vmxon(hpa_of(vmxon_region)) ? -2 : 0;
}

static void guest_segment(enum vmcs_field selector, u16 sel, u32 ar)
{
	/* The selector, base, limit and access-rights fields of one segment
	 * register are at fixed distances from each other. */
	unsigned i = (selector - GUEST_ES_SELECTOR) / 2;
	vmwrite(selector, sel);
	vmwrite(GUEST_ES_BASE + 2 * i, 0);
	vmwrite(GUEST_ES_LIMIT + 2 * i, 0xFFFFFFFF);
	vmwrite(GUEST_ES_AR_BYTES + 2 * i, ar);
}

int vmcs_init(struct vcpu *v, u64 guest_entry)
{
	const struct vmx_caps *c = v->caps;

	*(u32 *)vmcs_region = vmcs_revision(c);
	if (vmclear(hpa_of(vmcs_region)) || vmptrld(hpa_of(vmcs_region)))
		return -1;

	/* ---- controls ---- */
	u32 proc2 = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST | (v->mbec ? PROC2_MBEC : 0) |
		    (v->vpid ? PROC2_ENABLE_VPID : 0);
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, vmx_adjust(c->pin, 0));
	vmwrite(CPU_BASED_VM_EXEC_CONTROL,
		vmx_adjust(c->proc, PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING |
				    PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY));
	vmwrite(SECONDARY_VM_EXEC_CONTROL, vmx_adjust(c->proc2, proc2));
	if ((vmx_adjust(c->proc2, proc2) & proc2) != proc2)
		return -2;
	vmwrite(VM_EXIT_CONTROLS, vmx_adjust(c->exit, EXIT_HOST_ADDR_SPACE_SIZE |
						      EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER));
	/* The guest starts in 32-bit protected mode: "IA-32e mode guest" is 0.
	 * The CPU updates that bit on every VM exit once the guest enters
	 * long mode, so VM entries keep working. */
	vmwrite(VM_ENTRY_CONTROLS, vmx_adjust(c->entry, ENTRY_LOAD_IA32_EFER));
	vmwrite(EXCEPTION_BITMAP, 0xFFFFFFFF); /* every guest exception exits */
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(MSR_BITMAP, hpa_of(msr_bitmap));
	vmwrite(EPT_POINTER, v->eptp);
	/* With a VPID, the CPU may keep the guest's cached translations across
	 * VM exits and entries; INVEPT single-context still drops every
	 * translation derived from this EPTP, whatever the VPID. */
	if (v->vpid)
		vmwrite(VIRTUAL_PROCESSOR_ID, v->vpid);

	/* CR0/CR4 bits the guest may not change (VMX fixed bits, except PE and
	 * PG thanks to "unrestricted guest") are owned by the VMM: the guest
	 * reads the shadow value and an attempt to change them exits. */
	u64 guest_cr0 = CR0_PE | CR0_ET | CR0_NE;
	u64 guest_cr4 = CR4_VMXE;
	vmwrite(CR0_GUEST_HOST_MASK, (c->cr0_fixed0 | ~c->cr0_fixed1) & ~(CR0_PE | CR0_PG));
	vmwrite(CR0_READ_SHADOW, guest_cr0);
	vmwrite(CR4_GUEST_HOST_MASK, c->cr4_fixed0 | ~c->cr4_fixed1);
	vmwrite(CR4_READ_SHADOW, guest_cr4 & ~CR4_VMXE);

	/* ---- guest state: flat 32-bit protected mode, paging off ---- */
	vmwrite(GUEST_CR0, guest_cr0);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_CR4, guest_cr4);
	vmwrite(GUEST_DR7, 0x400);
	guest_segment(GUEST_CS_SELECTOR, 0x08, 0xC09B); /* 32-bit code, accessed */
	guest_segment(GUEST_SS_SELECTOR, 0x10, 0xC093); /* data, accessed */
	guest_segment(GUEST_DS_SELECTOR, 0x10, 0xC093);
	guest_segment(GUEST_ES_SELECTOR, 0x10, 0xC093);
	guest_segment(GUEST_FS_SELECTOR, 0x10, 0xC093);
	guest_segment(GUEST_GS_SELECTOR, 0x10, 0xC093);
	vmwrite(GUEST_LDTR_SELECTOR, 0);
	vmwrite(GUEST_LDTR_BASE, 0);
	vmwrite(GUEST_LDTR_LIMIT, 0);
	vmwrite(GUEST_LDTR_AR_BYTES, 0x10000); /* unusable */
	vmwrite(GUEST_TR_SELECTOR, 0);
	vmwrite(GUEST_TR_BASE, 0);
	vmwrite(GUEST_TR_LIMIT, 0x67);
	vmwrite(GUEST_TR_AR_BYTES, 0x8B); /* busy 32-bit TSS: required even if unused */
	vmwrite(GUEST_GDTR_BASE, 0);
	vmwrite(GUEST_GDTR_LIMIT, 0);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0);
	vmwrite(GUEST_RIP, guest_entry);
	vmwrite(GUEST_RSP, 0);
	vmwrite(GUEST_RFLAGS, 0x2);
	vmwrite(GUEST_IA32_EFER, 0);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);

	/* ---- host state: what the CPU loads on every VM exit ---- */
	struct dt_ptr gdt, idt;
	sgdt(&gdt);
	sidt(&idt);
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, 0x08);
	vmwrite(HOST_SS_SELECTOR, 0x10);
	vmwrite(HOST_DS_SELECTOR, 0x10);
	vmwrite(HOST_ES_SELECTOR, 0x10);
	vmwrite(HOST_FS_SELECTOR, 0x10);
	vmwrite(HOST_GS_SELECTOR, 0x10);
	vmwrite(HOST_TR_SELECTOR, 0x18);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, cpu_tss_base());
	vmwrite(HOST_GDTR_BASE, gdt.base);
	vmwrite(HOST_IDTR_BASE, idt.base);
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_RIP, hpa_of(vmx_exit_entry));
	/* HOST_RSP is written by vmx_enter() right before each entry. */

	return vmx_write_errors ? -3 : 0;
}

void vmx_run(struct vcpu *v)
{
	for (;;) {
		if (vmx_enter(&v->regs, v->launched)) {
			check_fatal("%s failed, VM-instruction error %lu",
				   v->launched ? "VMRESUME" : "VMLAUNCH",
				   vmread(VM_INSTRUCTION_ERROR));
			return;
		}
		v->launched = true;
		if (!handle_exit(v))
			return;
	}
}
