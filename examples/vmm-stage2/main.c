/*
 * main.c - the VMM: configure EL2 and Stage-2, load the guest, run it.
 *
 *   boot.S -> vmm_main()
 *     features_read()     the CPU's ID registers (ID_AA64MMFR0/1/2_EL1, ...)
 *     stage2_setup()      libslat: capabilities, empty table, VTCR_EL2, VTTBR_EL2
 *     el2_setup()         HCR_EL2 and friends: EL1&0 now goes through stage 2 (vm.c)
 *     load_guest()        copy the guest image into host memory, map it (vm.c)
 *     tests_setup()       map the test regions (tests.c)
 *     run loop            vcpu_run() until the guest is done, handle_exit()
 *     finish()            RESULT line, PSCI SYSTEM_OFF
 */
#include "arch.h"
#include "exits.h"
#include "features.h"
#include "mem.h"
#include "mmio_uart.h"
#include "protocol.h"
#include "report.h"
#include "stage2.h"
#include "tests.h"
#include "uart.h"
#include "vcpu.h"
#include "vm.h"

#define MAX_EXITS 100000UL   /* a guest that faults forever ends the run */

static struct cpu_features cpu;
static struct vcpu vcpu;

void vmm_main(void)
{
	int err;

	uart_init();
	printk("\nvmm-stage2: a minimal AArch64 hypervisor (libslat example), at EL%lu\n",
	       read_sysreg(CurrentEL) >> 2);
	features_read(&cpu);
	features_print(&cpu);

	/* The IPA width and the granule come from the build (make GRANULE=,
	 * IPA_BITS=); libslat derives the start level and the concatenated
	 * root tables, and refuses what the CPU cannot do (SLAT_ECAPS, e.g.
	 * a granule the CPU lacks at stage 2 or more IPA bits than PARange) */
	err = stage2_setup(&cpu, IPA_BITS, S2_PAGE_SHIFT, 1);
	if (err)
		vmm_fatal("stage 2 set-up (%u-bit IPA, %lu KiB granule): %s (%s)", IPA_BITS,
			  S2_PAGE >> 10, slat_strerror(err), slat_errname(err));
	printk("stage 2: %u-bit IPA, %lu KiB granule, VMID 1 (%s VMIDs), "
	       "hardware dirty state %s, split execute %s\n", IPA_BITS, S2_PAGE >> 10,
	       s2.caps.flags & SLAT_CAP_VMID16 ? "16-bit" : "8-bit",
	       stage2_has(SLAT_FEAT_AD) ? "on" : "off",
	       stage2_has(SLAT_FEAT_SPLIT_EXEC) ? "on" : "off");
	printk("  TLB maintenance: range TLBI %s, TTL level hints %s (libslat decides)\n",
	       s2.caps.flags & SLAT_CAP_TLBI_RANGE ? "yes" : "no",
	       s2.caps.flags & SLAT_CAP_TLBI_TTL ? "yes" : "no");
	stage2_print();

	el2_setup();
	vuart_init();
	load_guest();
	tests_setup();
	/* mappings into empty tables need no invalidation; this does nothing
	 * unless libslat recorded something */
	stage2_invalidate();
	printk("host memory: %lu KiB for tables, pages and guest RAM, %lu MiB for blocks "
	       "(sparsely filled); %lu table granules\n", mem_pool_used() / 1024,
	       mem_high_used() >> 20, slat_table_pages(&s2.table));

	vcpu_reset(&vcpu);
	printk("entering the guest at IPA %lx\n", vcpu.pc);
	do {
		vcpu_run(&vcpu);
		if (exit_stats.total >= MAX_EXITS)
			vmm_fatal("more than %lu exits, last ESR_EL2 %lx at PC %lx",
				  MAX_EXITS, vcpu.esr, vcpu.pc);
	} while (handle_exit(&vcpu));

	printk("guest stopped after %lu exits: %lu hypercalls, %lu MMIO, %lu stage-2 faults\n",
	       exit_stats.total, exit_stats.hvc, exit_stats.mmio, exit_stats.aborts);
	finish();
}
