/*
 * smp_main.c - a VMM on two host CPUs: CPU 0 runs the guest and resolves
 * its stage-2 faults, CPU 1 changes the same stage-2 table meanwhile.
 *
 *   boot.S -> vmm_main()                  (CPU 0; ../vmm-stage2's boot.S,
 *     features_read, stage2_setup_with     vectors.S, exits.c, abort.c,
 *     el2_setup, load_guest                vm.c, tables_slat.c, mem.c, ...)
 *     tests_setup (checks.c)              maps the blocks, starts CPU 1
 *     run loop: vcpu_run, handle_exit     hypercalls and faults -> checks.c
 *     finish                              RESULT line, PSCI SYSTEM_OFF
 *   PSCI CPU_ON -> cpu1_entry -> cpu1_main (CPU 1, churn.c)
 */
#include "arch.h"
#include "exits.h"
#include "features.h"
#include "mem.h"
#include "mmio_uart.h"
#include "protocol.h"
#include "report.h"
#include "stage2.h"
#include "table_mode.h"
#include "tests.h"
#include "uart.h"
#include "vcpu.h"
#include "vm.h"

static struct cpu_features cpu;
static struct vcpu vcpu;

void vmm_main(void)
{
	int err;

	uart_init();
	printk("\nvmm-stage2-smp: a libslat stage-2 table changed from a second host CPU, at EL%lu\n",
	       read_sysreg(CurrentEL) >> 2);
	features_read(&cpu);
	features_print(&cpu);
	err = stage2_setup_with(&cpu, IPA_BITS, S2_PAGE_SHIFT, 1, TABLE_MODE_FEATURES);
	if (err)
		vmm_fatal("stage 2 set-up: %s (%s)", slat_strerror(err), slat_errname(err));
	stage2_print();

	el2_setup();
	vuart_init();
	load_guest();
	tests_setup();
	stage2_invalidate();

	vcpu_reset(&vcpu);
	printk("entering the guest at IPA %lx on CPU 0\n", vcpu.pc);
	do
		vcpu_run(&vcpu);
	while (handle_exit(&vcpu));

	printk("guest stopped after %lu exits: %lu hypercalls, %lu MMIO, %lu stage-2 faults\n",
	       exit_stats.total, exit_stats.hvc, exit_stats.mmio, exit_stats.aborts);
	finish();
}
