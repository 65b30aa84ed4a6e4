/*
 * main.c - vmm-ept: a minimal Intel VMX hypervisor with EPT.
 *
 * Reads the VMX capabilities, builds the guest's EPT tables with libslat,
 * runs the guest (guest/) until it halts and prints one PASS/FAIL line per
 * check, then "RESULT: <n> passed, <m> failed", and powers off.
 */
#include "cpu.h"
#include "console.h"
#include "caps.h"
#include "checks.h"
#include "ept.h"
#include "exits.h"
#include "setup.h"
#include "vcpu.h"
#include "vmx.h"
#include "../common/abi.h"

static struct vmx_caps caps;
static struct vcpu vcpu;

/* Everything this example needs from the CPU. */
static bool check_capabilities(void)
{
	u32 p2 = caps_proc2_allowed(&caps);
	u64 e = caps.ept_vpid;
	const char *missing = 0;

	if (!(caps.proc >> 32 & PROC_ACTIVATE_SECONDARY) || !(p2 & PROC2_ENABLE_EPT))
		missing = "EPT";
	else if (!(p2 & PROC2_UNRESTRICTED_GUEST))
		missing = "unrestricted guest";
	else if (!(e & EPT_CAP_PWL4) || !(e & EPT_CAP_WB))
		missing = "4-level write-back EPT";
	else if (!(e & EPT_CAP_INVEPT) || !(e & EPT_CAP_INVEPT_SINGLE))
		missing = "single-context INVEPT";
	else if (!(e & EPT_CAP_2M) || !(e & EPT_CAP_1G))
		missing = "2 MiB and 1 GiB EPT pages";
	else if (!(e & EPT_CAP_AD))
		missing = "EPT accessed/dirty flags";

	check_begin("vmx-capabilities");
	if (missing)
		check_fail("this CPU lacks %s", missing);
	check_end();
	return !missing;
}

void vmm_main(void)
{
	con_init();
	cpu_init();
	con_printf("vmm-ept: minimal VMX + EPT hypervisor\n");

	if (vmx_read_caps(&caps)) {
		check_fail("CPUID reports no VMX");
		goto out;
	}
	vmx_print_caps(&caps);
	if (!check_capabilities())
		goto out;

	vcpu.caps = &caps;
#ifndef NO_VPID
	if (caps_proc2_allowed(&caps) & PROC2_ENABLE_VPID)
		vcpu.vpid = 1;
#endif
	/* libslat builds the tables; MBEC is on if the CPU offers it. */
	int err = ept_init(&vcpu.eptp, &vcpu.mbec);
	if (err) {
		check_fail("creating the EPT tables failed: %s", slat_errname(err));
		goto out;
	}
	if (setup_guest_memory(vcpu.mbec)) {
		check_fail("building the guest's EPT tables failed");
		goto out;
	}
	con_printf("info: EPTP %lx, VPID %u, MBEC %s, %lu table pages\n", vcpu.eptp, vcpu.vpid,
		   vcpu.mbec ? "on" : "off", slat_table_pages(&guest_ept));

	err = vmx_on(&caps);
	if (err) {
		check_fail("VMXON failed (%d)", err);
		goto out;
	}
	/* INVEPT needs VMX operation.  Nothing can be cached before the first
	 * VM entry, but this completes the gather of the initial mappings. */
	err = ept_sync();
	if (err) {
		check_fail("ept_sync failed: %s", slat_errname(err));
		goto out;
	}
	err = vmcs_init(&vcpu, GPA_GUEST_LOAD);
	if (err) {
		check_fail("VMCS setup failed (%d, %d VMWRITE errors)", err, vmx_write_errors);
		goto out;
	}
	vmx_run(&vcpu); /* returns at the guest's final HLT or after a FAIL vmm line */
	if (guest_halted)
		ept_multihit_check();
out:
	checks_summary();
	power_off();
}
