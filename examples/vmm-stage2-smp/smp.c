/*
 * smp.c - starting the second host CPU.
 *
 * QEMU's virt board with virtualization=on and no firmware implements PSCI
 * itself, with SMC as the conduit (QEMU hw/arm/virt.c: psci_conduit is SMC
 * when EL2 is emulated and EL3 is not); the VMM at EL2 may issue it, as
 * report.c does for SYSTEM_OFF.  CPUs other than 0 start powered off.
 * CPU_ON (PSCI 1.1, DEN 0022, section 5.6) powers one on at the given
 * entry point, at the caller's exception level (here EL2), with the MMU
 * off and context_id in x0.
 */
#include "smp.h"
#include "arch.h"

#define PSCI_CPU_ON_64   0xc4000003UL   /* DEN 0022 table 5.6: SMC64 function ID */

/* cpu1_entry (cpu1_entry.S) sets its stack pointer to context_id. */
void cpu1_entry(void);

static uint64_t cpu1_stack[2048] __attribute__((aligned(16)));   /* 16 KiB */

unsigned this_cpu(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

uint64_t now_ms(void)
{
	return read_sysreg(cntpct_el0) / (read_sysreg(cntfrq_el0) / 1000);
}

void delay_us(uint64_t us)
{
	uint64_t end = read_sysreg(cntpct_el0) + us * (read_sysreg(cntfrq_el0) / 1000000);

	while (read_sysreg(cntpct_el0) < end)
		__asm__ __volatile__("yield");
}

int64_t smp_start_cpu1(void)
{
	/* SMCCC (DEN 0028): arguments in x1..x3, result in x0, x4..x17 may
	 * be clobbered by the callee. */
	register uint64_t x0 __asm__("x0") = PSCI_CPU_ON_64;
	register uint64_t x1 __asm__("x1") = 1;                   /* MPIDR of CPU 1 */
	register uint64_t x2 __asm__("x2") = (uint64_t)cpu1_entry;
	register uint64_t x3 __asm__("x3") = (uint64_t)(cpu1_stack + 2048);

	__asm__ __volatile__("smc #0"
			     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			     :
			     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
			       "x13", "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

#ifdef STAGE2_SCRATCH_NO_FLUSH
/* make check BROKEN=flush: CPU 1 skips every invalidation, both its own
 * after a change and libslat's break-before-make ones (tables_slat.c). */
bool smp_scratch_no_flush(void)
{
	return this_cpu() == 1;
}
#endif
