/*
 * vm.c - the parts of bringing up the VM that do not depend on the checks:
 * EL2 registers, the guest image and the vCPU's reset state, and the two
 * fatal exits boot.S and vectors.S call.  Shared by main.c and
 * ../vmm-stage2-smp.
 */
#include "arch.h"
#include "mem.h"
#include "protocol.h"
#include "report.h"
#include "stage2.h"
#include "uart.h"
#include "vm.h"

extern const char guest_blob_start[], guest_blob_end[];   /* guest_blob.S */

/* ---- EL2 ---- */

void el2_setup(void)
{
	write_sysreg(vtcr_el2, s2.vtcr_el2);
	write_sysreg(vttbr_el2, s2.vttbr_el2);
	/*
	 * VM: stage 2 on.  RW: EL1 is AArch64.  TSC: the guest's SMCs trap
	 * (it must not reach PSCI directly).  IMO/FMO/AMO: physical
	 * interrupts and SErrors go to EL2.  SWIO: set/way invalidation is
	 * upgraded to clean+invalidate.
	 */
	write_sysreg(hcr_el2, HCR_VM | HCR_RW | HCR_TSC | HCR_IMO | HCR_FMO |
			      HCR_AMO | HCR_SWIO);
	/* What the guest reads as MIDR_EL1 and MPIDR_EL1 (UNKNOWN at reset). */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	/* No FP/SIMD trap; SVE (TZ) and SME (TSM) trapped; the rest RES1. */
	write_sysreg(cptr_el2, 0x33ff);
	/* The guest may use the physical counter and timer. */
	write_sysreg(cnthctl_el2, 3);
	write_sysreg(cntvoff_el2, 0);
	isb();
	/* Nothing of this VMID may be cached from before. */
	__asm__ __volatile__("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	isb();
}

/* Copy the guest image to 1 MiB of host memory, map it at GUEST_RAM_IPA. */
void load_guest(void)
{
	uint64_t size = guest_blob_end - guest_blob_start;
	uint64_t ram = (uint64_t)mem_alloc(20);
	struct slat_attrs text = stage2_ram(SLAT_PERM_RX), data = stage2_ram(SLAT_PERM_RW);
	int err;

	if (size > GUEST_RAM_SIZE)
		vmm_fatal("guest image too large (%lu bytes)", size);
	memcpy((void *)ram, guest_blob_start, size);
	/* code executable at EL1 and EL0 alike, data not executable (W^X) */
	err = slat_map(&s2.table, slat_gpa(GUEST_RAM_IPA), GUEST_TEXT_SIZE,
		       slat_hpa(ram), &text, 0, &s2.pending);
	if (!err)
		err = slat_map(&s2.table, slat_gpa(GUEST_RAM_IPA + GUEST_TEXT_SIZE),
			       GUEST_RAM_SIZE - GUEST_TEXT_SIZE, slat_hpa(ram + GUEST_TEXT_SIZE),
			       &data, 0, &s2.pending);
	if (err)
		vmm_fatal("mapping guest RAM: %s", slat_strerror(err));
	memslot_set(GUEST_RAM_IPA, ram, GUEST_RAM_SIZE);
	printk("guest: %lu bytes at IPA %lx, host PA %lx\n", size, GUEST_RAM_IPA, ram);
}

/* The guest starts like a CPU out of reset at EL1: MMU off, interrupts masked. */
void vcpu_reset(struct vcpu *v)
{
	memset(v, 0, sizeof(*v));
	v->pc = GUEST_RAM_IPA;
	v->pstate = PSR_MODE_EL1h | PSR_DAIF;
	write_sysreg(sctlr_el1, SCTLR_EL1_RES1);
	write_sysreg(vbar_el1, 0);
	isb();
}

/* ---- fatal exits from boot.S and vectors.S ---- */

/* boot.S: we were not entered at EL2. */
void boot_wrong_el(void)
{
	uart_init();
	vmm_fatal("entered at EL%lu, not EL2: run QEMU with -M virt,virtualization=on",
		  read_sysreg(CurrentEL) >> 2);
}

/* vectors.S: an exception at EL2 is a bug in the VMM. */
void vmm_exception_report(uint64_t vector)
{
	vmm_fatal("exception at EL2 on CPU %lu: vector %lu, ESR_EL2 %lx, ELR_EL2 %lx, FAR_EL2 %lx",
		  read_sysreg(mpidr_el1) & 0xff, vector, read_sysreg(esr_el2),
		  read_sysreg(elr_el2), read_sysreg(far_el2));
}
