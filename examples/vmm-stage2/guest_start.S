/*
 * guest_start.S - the guest's entry point, its EL1 exception vectors and
 * run_user(), which runs a piece of code at EL0.
 *
 * The VMM enters at _start at EL1 (SP_EL1 selected), with the stage-1 MMU
 * off and interrupts masked.
 */
#include "protocol.h"

	.section .text.start, "ax"
	.global _start
_start:
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0
	adr	x0, guest_vectors
	msr	vbar_el1, x0
	isb
	bl	guest_main
1:	wfi
	b	1b

	.text

/*
 * uint64_t run_user(uint64_t entry): ERET to entry at EL0.  The EL0 code
 * ends with SVC #0 (run_user returns its x0) or is stopped by an abort
 * (run_user returns GUEST_FAULTED).  Both land in el0_sync below, which
 * returns from run_user on its behalf.
 */
	.global	run_user
run_user:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	msr	elr_el1, x0
	mov	x1, #0x3c0			/* EL0t, interrupts masked */
	msr	spsr_el1, x1
	eret

el0_sync:
	mrs	x9, esr_el1
	lsr	x9, x9, #26
	cmp	x9, #0x15			/* SVC from AArch64 */
	b.eq	1f
	mov	x0, #GUEST_FAULTED
1:	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/*
 * An instruction abort at EL1 (injected by the VMM) can only come from the
 * first instruction of a function the guest called: return to the caller
 * (x30) with GUEST_FAULTED.  x9 is free: a call clobbers it anyway.
 */
el1_sync:
	mrs	x9, esr_el1
	lsr	x9, x9, #26
	cmp	x9, #0x21			/* instruction abort, current EL */
	b.ne	guest_panic
	msr	elr_el1, x30
	mov	x0, #GUEST_FAULTED
	eret

.macro vslot target
	.balign	0x80
	b	\target
.endm

	.balign	0x800
guest_vectors:
	vslot	guest_panic		/* current EL, SP_EL0 */
	vslot	guest_panic
	vslot	guest_panic
	vslot	guest_panic
	vslot	el1_sync		/* current EL, SP_EL1 */
	vslot	guest_panic
	vslot	guest_panic
	vslot	guest_panic
	vslot	el0_sync		/* lower EL, AArch64 */
	vslot	guest_panic
	vslot	guest_panic
	vslot	guest_panic
	vslot	guest_panic		/* lower EL, AArch32 */
	vslot	guest_panic
	vslot	guest_panic
	vslot	guest_panic
