/*
 * cpu1_entry.S - where PSCI CPU_ON starts host CPU 1: at EL2, MMU off,
 * x0 = the context_id smp_start_cpu1() passed, the top of its stack.
 * It shares the VMM's EL2 vectors (an exception here is a VMM bug).
 */
#include "arch.h"

	.text
	.global	cpu1_entry
cpu1_entry:
	mov	sp, x0
	ldr	x1, =SCTLR_EL2_RES1
	msr	sctlr_el2, x1
	adr	x1, el2_vectors
	msr	vbar_el2, x1
	isb
	bl	cpu1_main
1:	wfe
	b	1b
