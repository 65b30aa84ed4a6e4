/*
 * linux_main.c - an EL2 hypervisor that boots an unmodified arm64 Linux
 * kernel at EL1, every guest access going through a libslat Stage-2
 * table, and changes that table under the running kernel (churn.c).
 *
 *   boot.S -> vmm_main()              (boot.S, vectors.S, uart.c, report.c,
 *     features_read, stage2_setup      features.c, mem.c, tables_slat.c and
 *     el2_setup                        abort.c are examples/vmm-stage2's)
 *     map guest RAM (identity) and the passed-through devices
 *     churn_init                       baseline hashes, first traps
 *     run loop: vcpu_run, guest_exit  (guest_exit.c)
 */
#include "arch.h"
#include "board.h"
#include "churn.h"
#include "exits.h"
#include "features.h"
#include "guest_exit.h"
#include "mem.h"
#include "report.h"
#include "stage2.h"
#include "uart.h"
#include "vcpu.h"

static struct cpu_features cpu;
static struct vcpu vcpu;

/* HCR_EL2 bits beyond arch.h (Arm ARM DDI 0487, register HCR_EL2). */
#define HCR_APK   (1UL << 40)  /* EL1 key registers of pointer auth: no trap */
#define HCR_API   (1UL << 41)  /* PAuth instructions at EL1/EL0: no trap */

/* CPTR_EL2 with HCR_EL2.E2H == 0 (Arm ARM DDI 0487, register CPTR_EL2):
 * RES1 bits 13, 9 and 7:0; TFP (10) clear so that FP/SIMD does not trap.
 * TSM (12) and TZ (8) trap SME and SVE; they are RES1 on a CPU without
 * the extension and cleared below only where it exists. */
#define CPTR_EL2_RES1     0x22ffUL
#define CPTR_EL2_TZ       (1UL << 8)
#define CPTR_EL2_TSM      (1UL << 12)

/* Registers by encoding (read_sysreg() does not expand macros), for an
 * assembler without SVE/SME/GICv3 names: ID_AA64PFR0_EL1 S3_0_C0_C4_0,
 * ID_AA64PFR1_EL1 S3_0_C0_C4_1, ZCR_EL2 S3_4_C1_C2_0, SMCR_EL2
 * S3_4_C1_C2_6, ICC_SRE_EL2 S3_4_C12_C9_5, ICH_HCR_EL2 S3_4_C12_C11_0. */

static void el2_setup(void)
{
	uint64_t pfr0 = read_sysreg(S3_0_C0_C4_0), pfr1 = read_sysreg(S3_0_C0_C4_1);

	write_sysreg(vtcr_el2, s2.vtcr_el2);
	write_sysreg(vttbr_el2, s2.vttbr_el2);
	/*
	 * VM: stage 2 on.  RW: EL1 is AArch64.  TSC: SMCs trap (PSCI is ours).
	 * IMO, FMO, AMO clear: the GIC's interrupts and SErrors go straight to
	 * the guest's EL1, as in a static-partitioning hypervisor.  API/APK:
	 * the kernel signs its return addresses (FEAT_PAuth under -cpu max).
	 */
	write_sysreg(hcr_el2, HCR_VM | HCR_RW | HCR_TSC | HCR_SWIO | HCR_API | HCR_APK);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	write_sysreg(cptr_el2, CPTR_EL2_RES1 | (field(pfr0, 32, 4) ? 0 : CPTR_EL2_TZ) |
			       (field(pfr1, 24, 4) ? 0 : CPTR_EL2_TSM));
	isb();
	/* The largest vector lengths for EL1 (ZCR_EL2.LEN, SMCR_EL2.LEN; the
	 * CPU caps them at what it implements). ID_AA64PFR0_EL1.SVE [35:32],
	 * ID_AA64PFR1_EL1.SME [27:24]. */
	if (field(pfr0, 32, 4))
		write_sysreg(S3_4_C1_C2_0, 0xf);
	if (field(pfr1, 24, 4))
		write_sysreg(S3_4_C1_C2_6, (1UL << 31) | 0xf);   /* FA64 allowed, LEN max */
	/* CNTHCTL_EL2 (E2H == 0): EL1PCTEN (0) and EL1PCEN (1): the guest uses
	 * the physical counter and timer as it likes; no virtual offset. */
	write_sysreg(cnthctl_el2, 3);
	write_sysreg(cntvoff_el2, 0);
	/* GICv3 CPU interface: system registers (SRE, bit 0) and EL1 may
	 * enable them itself (Enable, bit 3); the virtual interface stays off. */
	write_sysreg(S3_4_C12_C9_5, 0x9);
	write_sysreg(S3_4_C12_C11_0, 0);
	isb();
	__asm__ __volatile__("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	isb();
}

static void map_or_die(uint64_t ipa, uint64_t size, unsigned perms, unsigned mt)
{
	struct slat_attrs a = slat_attrs_make(perms, mt);
	int err = slat_map(&s2.table, slat_gpa(ipa), size, slat_hpa(ipa), &a, 0, &s2.pending);

	if (err)
		vmm_fatal("slat_map %lx+%lx: %s", ipa, size, slat_strerror(err));
}

/* The arm64 Image header (Documentation/arch/arm64/booting.rst): code0/1,
 * text_offset (8), image_size (16), flags (24), ..., magic "ARM\x64" (56). */
static void check_kernel(void)
{
	const volatile uint64_t *h = (const volatile uint64_t *)KERNEL_IPA;
	uint32_t magic = (uint32_t)(h[7] >> 0);

	if (magic != 0x644d5241)
		vmm_fatal("no arm64 Image at %lx (magic %x): is QEMU's loader missing?",
			  KERNEL_IPA, magic);
	if (h[1] != 0)
		vmm_fatal("kernel text_offset %lx: this loader places the Image at a 2 MiB boundary only",
			  h[1]);
	if (KERNEL_IPA + h[2] > DTB_IPA)
		vmm_fatal("kernel image_size %lx runs into the device tree at %lx", h[2], DTB_IPA);
	printk("kernel: arm64 Image at %lx, image_size %lu KiB, flags %lx; device tree at %lx, "
	       "initramfs at %lx\n", KERNEL_IPA, h[2] >> 10, h[3], DTB_IPA, INITRD_IPA);
}

void vmm_main(void)
{
	int err;

	uart_init();
	printk("\nlinux-stage2: Linux at EL1 on a libslat Stage-2 table, at EL%lu\n",
	       read_sysreg(CurrentEL) >> 2);
	features_read(&cpu);
	features_print(&cpu);
	err = stage2_setup(&cpu, 40, 12, 1);
	if (err)
		vmm_fatal("stage 2 set-up: %s (%s)", slat_strerror(err), slat_errname(err));
	printk("stage 2: 40-bit IPA, 4 KiB granule, hardware dirty state %s\n",
	       stage2_has(SLAT_FEAT_AD) ? "on" : "off");
	stage2_print();
	/* Everything from the guest's window up belongs to the guest or is
	 * unused: the pool (mem_alloc) must stay below it. */
	if (mem_alloc_high(HOST_RAM_END - VM_RAM_BASE, BLOCK_SIZE) != VM_RAM_BASE)
		vmm_fatal("guest RAM window %lx is not where mem.c expects it", VM_RAM_BASE);

	el2_setup();
	check_kernel();
	/* Guest RAM: identity, as large leaves as alignment allows (2 MiB). */
	map_or_die(VM_RAM_BASE, VM_RAM_SIZE, SLAT_PERM_RWX, SLAT_MT_WB);
	/* The passed-through devices: Device-nGnRE, never executable. */
	map_or_die(DEV_BASE, DEV_END - DEV_BASE, SLAT_PERM_RW, SLAT_MT_DEVICE);
	stage2_invalidate();
	printk("guest RAM: %lu MiB at IPA = PA %lx; devices at %lx-%lx passed through; "
	       "%lu table granules\n", VM_RAM_SIZE >> 20, VM_RAM_BASE, DEV_BASE,
	       DEV_END - 1, slat_table_pages(&s2.table));
	/* From here on, thousands of changes: count them, do not print each. */
	stage2_log_ops = false;
	churn_init();

	/* booting.rst: x0 = device tree, x1-x3 = 0, MMU and D-cache off,
	 * interrupts masked, at EL1 (or EL2, which this guest does not get). */
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.pc = KERNEL_IPA;
	vcpu.x[0] = DTB_IPA;
	vcpu.pstate = PSR_MODE_EL1h | PSR_DAIF;
	write_sysreg(sctlr_el1, SCTLR_EL1_RES1);
	write_sysreg(vbar_el1, 0);
	isb();
	printk("entering the kernel at IPA %lx, x0 = %lx\n", vcpu.pc, vcpu.x[0]);
	do
		vcpu_run(&vcpu);
	while (guest_exit(&vcpu));
	finish();
}

void boot_wrong_el(void)
{
	uart_init();
	vmm_fatal("entered at EL%lu, not EL2: run QEMU with -M virt,virtualization=on",
		  read_sysreg(CurrentEL) >> 2);
}

void vmm_exception_report(uint64_t vector)
{
	vmm_fatal("exception at EL2: vector %lu, ESR_EL2 %lx, ELR_EL2 %lx, FAR_EL2 %lx",
		  vector, read_sysreg(esr_el2), read_sysreg(elr_el2), read_sysreg(far_el2));
}
