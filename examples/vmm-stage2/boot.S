/*
 * boot.S - entry point.  QEMU (-M virt,virtualization=on, no firmware)
 * loads vmm.elf and starts here at EL2 with the MMU off and all
 * interrupts masked.  There is only one CPU (-smp 1).
 */
#include "arch.h"

	.section .text.boot, "ax"
	.global _start
_start:
	/* Stack and zeroed .bss first: everything below is C. */
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	3f

	/*
	 * EL2 with its MMU and caches off (all RES1 bits, nothing else):
	 * the VMM accesses memory by physical address.  See README.md,
	 * "Simplifications", for what changes on real hardware.
	 */
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	isb

	bl	vmm_main
	b	.

3:	bl	boot_wrong_el		/* prints a message, never returns */
	b	.
