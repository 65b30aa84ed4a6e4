/*
 * vectors.S - the EL2 exception vectors and the world switch.
 *
 * vcpu_run(struct vcpu *) saves the VMM's callee-saved registers on the
 * EL2 stack, loads the guest's registers and ERETs.  Any exception from
 * the guest lands in one of the "lower EL" vectors below, which save the
 * guest registers back into the struct vcpu and return from vcpu_run() as
 * if it were an ordinary function.  The C code then looks at the exit.
 *
 * Exceptions taken from EL2 itself are VMM bugs: vmm_exception() prints
 * them and stops.
 */
#include "vcpu.h"

/* One 128-byte vector slot: push x0/x1, say which vector, jump out. */
.macro vslot target, code
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\code
	b	\target
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	el2_vectors
el2_vectors:
	/* Current EL with SP_EL0: never used by this VMM */
	vslot	vmm_exception, 0
	vslot	vmm_exception, 1
	vslot	vmm_exception, 2
	vslot	vmm_exception, 3
	/* Current EL with SP_EL2: a bug in the VMM */
	vslot	vmm_exception, 4
	vslot	vmm_exception, 5
	vslot	vmm_exception, 6
	vslot	vmm_exception, 7
	/* Lower EL, AArch64: the guest exits */
	vslot	guest_exit, EXIT_SYNC
	vslot	guest_exit, EXIT_IRQ
	vslot	guest_exit, EXIT_FIQ
	vslot	guest_exit, EXIT_SERROR
	/* Lower EL, AArch32: impossible with HCR_EL2.RW = 1 */
	vslot	guest_exit, EXIT_AARCH32
	vslot	guest_exit, EXIT_AARCH32
	vslot	guest_exit, EXIT_AARCH32
	vslot	guest_exit, EXIT_AARCH32

	.text

/* void vcpu_run(struct vcpu *v) */
	.global	vcpu_run
vcpu_run:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]

	msr	tpidr_el2, x0			/* the vcpu, for guest_exit */
	ldr	x1, [x0, #VCPU_PC]
	msr	elr_el2, x1
	ldr	x1, [x0, #VCPU_PSTATE]
	msr	spsr_el2, x1

	ldp	x2, x3, [x0, #VCPU_X0 + 16]
	ldp	x4, x5, [x0, #VCPU_X0 + 32]
	ldp	x6, x7, [x0, #VCPU_X0 + 48]
	ldp	x8, x9, [x0, #VCPU_X0 + 64]
	ldp	x10, x11, [x0, #VCPU_X0 + 80]
	ldp	x12, x13, [x0, #VCPU_X0 + 96]
	ldp	x14, x15, [x0, #VCPU_X0 + 112]
	ldp	x16, x17, [x0, #VCPU_X0 + 128]
	ldp	x18, x19, [x0, #VCPU_X0 + 144]
	ldp	x20, x21, [x0, #VCPU_X0 + 160]
	ldp	x22, x23, [x0, #VCPU_X0 + 176]
	ldp	x24, x25, [x0, #VCPU_X0 + 192]
	ldp	x26, x27, [x0, #VCPU_X0 + 208]
	ldp	x28, x29, [x0, #VCPU_X0 + 224]
	ldr	x30, [x0, #VCPU_X0 + 240]
	ldp	x0, x1, [x0, #VCPU_X0]
	eret
	dsb	nsh				/* no straight-line speculation past ERET */
	isb

/* x0 = EXIT_*, guest x0/x1 on the stack, all other guest registers live */
guest_exit:
	mrs	x1, tpidr_el2
	str	x0, [x1, #VCPU_EXIT_VECTOR]
	stp	x2, x3, [x1, #VCPU_X0 + 16]
	stp	x4, x5, [x1, #VCPU_X0 + 32]
	stp	x6, x7, [x1, #VCPU_X0 + 48]
	stp	x8, x9, [x1, #VCPU_X0 + 64]
	stp	x10, x11, [x1, #VCPU_X0 + 80]
	stp	x12, x13, [x1, #VCPU_X0 + 96]
	stp	x14, x15, [x1, #VCPU_X0 + 112]
	stp	x16, x17, [x1, #VCPU_X0 + 128]
	stp	x18, x19, [x1, #VCPU_X0 + 144]
	stp	x20, x21, [x1, #VCPU_X0 + 160]
	stp	x22, x23, [x1, #VCPU_X0 + 176]
	stp	x24, x25, [x1, #VCPU_X0 + 192]
	stp	x26, x27, [x1, #VCPU_X0 + 208]
	stp	x28, x29, [x1, #VCPU_X0 + 224]
	str	x30, [x1, #VCPU_X0 + 240]
	ldp	x2, x3, [sp], #16		/* the guest's x0, x1 */
	stp	x2, x3, [x1, #VCPU_X0]

	mrs	x2, elr_el2
	str	x2, [x1, #VCPU_PC]
	mrs	x2, spsr_el2
	str	x2, [x1, #VCPU_PSTATE]
	mrs	x2, esr_el2
	str	x2, [x1, #VCPU_ESR]
	mrs	x2, far_el2
	str	x2, [x1, #VCPU_FAR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #VCPU_HPFAR]

	/* back into vcpu_run's caller */
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* x0 = vector number, x0/x1 of the VMM on the stack */
vmm_exception:
	add	sp, sp, #16
	b	vmm_exception_report		/* C, never returns */
