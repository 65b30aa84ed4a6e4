/* caps.c - read and print the VMX capability MSRs. */
#include "caps.h"
#include "console.h"
#include "vmx.h"

int vmx_read_caps(struct vmx_caps *c)
{
	u32 r[4];

	memset(c, 0, sizeof(*c));
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000004) {
		for (u32 i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, (u32 *)(c->brand + 16 * i));
	}
	if (r[0] >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		c->maxphyaddr = r[0] & 0xFF;
	}
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 5)))
		return -1; /* CPUID.1:ECX.VMX */

	c->basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin = rdmsr(true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS);
	c->proc = rdmsr(true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(true_ctls ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS);
	c->entry = rdmsr(true_ctls ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	if (c->proc >> 32 & PROC_ACTIVATE_SECONDARY) {
		c->proc2 = rdmsr(MSR_VMX_PROCBASED_CTLS2);
		u32 p2 = caps_proc2_allowed(c);
		if (p2 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
			c->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
		if (p2 & (1u << 13)) /* enable VM functions */
			c->vmfunc = rdmsr(MSR_VMX_VMFUNC);
	}
	return 0;
}

static const char *yn(u64 v) { return v ? "yes" : "no"; }

void vmx_print_caps(const struct vmx_caps *c)
{
	u32 p2 = caps_proc2_allowed(c);
	u64 e = c->ept_vpid;

	con_printf("info: cpu \"%s\" MAXPHYADDR %u\n", c->brand, c->maxphyaddr);
	con_printf("info: IA32_VMX_BASIC %016lx (revision %lu)\n", c->basic,
		   c->basic & 0x7FFFFFFF);
	con_printf("info: IA32_VMX_PROCBASED_CTLS2 %016lx\n", c->proc2);
	con_printf("info:   allowed-1: EPT %s, VPID %s, unrestricted guest %s, PML %s, "
		   "#VE %s, MBEC %s, SPP %s\n",
		   yn(p2 & PROC2_ENABLE_EPT), yn(p2 & PROC2_ENABLE_VPID),
		   yn(p2 & PROC2_UNRESTRICTED_GUEST), yn(p2 & PROC2_ENABLE_PML),
		   yn(p2 & PROC2_EPT_VE), yn(p2 & PROC2_MBEC), yn(p2 & PROC2_SPP));
	con_printf("info: IA32_VMX_EPT_VPID_CAP %016lx\n", e);
	con_printf("info:   execute-only %s, 4-level walk %s, 5-level walk %s, WB %s, UC %s\n",
		   yn(e & EPT_CAP_EXEC_ONLY), yn(e & EPT_CAP_PWL4), yn(e & EPT_CAP_PWL5),
		   yn(e & EPT_CAP_WB), yn(e & EPT_CAP_UC));
	con_printf("info:   2M pages %s, 1G pages %s, A/D flags %s, advanced exit info %s\n",
		   yn(e & EPT_CAP_2M), yn(e & EPT_CAP_1G), yn(e & EPT_CAP_AD),
		   yn(e & EPT_CAP_ADV_EXIT_INFO));
	con_printf("info:   INVEPT %s (single-context %s, all-context %s), INVVPID %s\n",
		   yn(e & EPT_CAP_INVEPT), yn(e & EPT_CAP_INVEPT_SINGLE),
		   yn(e & EPT_CAP_INVEPT_ALL), yn(e & VPID_CAP_INVVPID));
	con_printf("info: pin %016lx proc %016lx exit %016lx entry %016lx\n",
		   c->pin, c->proc, c->exit, c->entry);
	con_printf("info: misc %016lx vmfunc %016lx\n", c->misc, c->vmfunc);
	con_printf("info: cr0 fixed0 %lx fixed1 %lx, cr4 fixed0 %lx fixed1 %lx\n",
		   c->cr0_fixed0, c->cr0_fixed1, c->cr4_fixed0, c->cr4_fixed1);
}
