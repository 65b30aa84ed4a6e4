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

#ifdef STAGE2_SCRATCH_EXEC
#include <slat/stage2.h>

#ifdef SMP_BROKEN_LOCAL_TLBI
/*
 * The sequence with every broadcast form replaced by its local one: TLBI
 * IPAS2E1, RIPAS2E1, VMALLE1, VMALLS12E1 (the IS forms without IS: CRm 4
 * instead of 0 for the two by IPA, C5.5) and DSB NSH.  They invalidate
 * only the TLBs of the PE that executes them.
 */
static void exec_local(const struct slat_s2_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t arg = ops[i].arg;

		switch (ops[i].kind) {
		case SLAT_S2_DSB_ISHST:
			__asm__ __volatile__("dsb nshst" ::: "memory");
			break;
		case SLAT_S2_TLBI_IPAS2E1IS:
			__asm__ __volatile__("tlbi ipas2e1, %0" ::"r"(arg) : "memory");
			break;
		case SLAT_S2_TLBI_RIPAS2E1IS:
			/* TLBI RIPAS2E1 is SYS #4, C8, C4, #2 (FEAT_TLBIRANGE) */
			__asm__ __volatile__("sys #4, c8, c4, #2, %0" ::"r"(arg) : "memory");
			break;
		case SLAT_S2_DSB_ISH:
			__asm__ __volatile__("dsb nsh" ::: "memory");
			break;
		case SLAT_S2_TLBI_VMALLE1IS:
			__asm__ __volatile__("tlbi vmalle1" ::: "memory");
			break;
		case SLAT_S2_TLBI_VMALLS12E1IS:
			__asm__ __volatile__("tlbi vmalls12e1" ::: "memory");
			break;
		case SLAT_S2_ISB:
			__asm__ __volatile__("isb" ::: "memory");
			break;
		default:
			break;
		}
	}
}
#endif

/*
 * Scratch builds (tables_slat.c asks before each flush): on CPU 1,
 * BROKEN=flush drops every invalidation, both CPU 1's own after a change
 * and libslat's break-before-make ones; BROKEN=local-tlbi runs them with
 * the local forms only.  CPU 0 flushes as usual.
 */
bool smp_scratch_exec(const struct slat_s2_op *ops, size_t n)
{
	if (this_cpu() != 1)
		return false;
#ifdef SMP_BROKEN_LOCAL_TLBI
	exec_local(ops, n);
#else
	(void)ops, (void)n;
#endif
	return true;
}
#endif
