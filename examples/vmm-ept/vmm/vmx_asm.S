/*
 * vmx_asm.S - entering the guest and coming back.
 *
 * int vmx_enter(struct guest_regs *regs, int launched)
 *
 * Saves the host's callee-saved registers, records the stack pointer in
 * HOST_RSP, loads the guest registers and executes VMLAUNCH (first time) or
 * VMRESUME.  On a VM exit the CPU loads HOST_RSP/HOST_RIP from the VMCS, so
 * execution continues at vmx_exit_entry with the same stack: it stores the
 * guest registers, restores the host registers and returns 0.
 */
#define HOST_RSP 0x6C14
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8  56
#define R_R9  64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112

	.text
	.globl vmx_enter
vmx_enter:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* regs pointer, found at 0(%rsp) on exit */

	mov	$HOST_RSP, %eax
	vmwrite	%rsp, %rax

	test	%esi, %esi		/* flags survive the MOVs below */
	mov	R_RAX(%rdi), %rax
	mov	R_RBX(%rdi), %rbx
	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RSI(%rdi), %rsi
	mov	R_RBP(%rdi), %rbp
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* Only reached if VMLAUNCH/VMRESUME failed (CF or ZF set). */
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	mov	$1, %eax
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	push	%rdi			/* guest RDI */
	mov	8(%rsp), %rdi		/* regs pointer */
	mov	%rax, R_RAX(%rdi)
	mov	%rbx, R_RBX(%rdi)
	mov	%rcx, R_RCX(%rdi)
	mov	%rdx, R_RDX(%rdi)
	mov	%rsi, R_RSI(%rdi)
	mov	%rbp, R_RBP(%rdi)
	mov	%r8, R_R8(%rdi)
	mov	%r9, R_R9(%rdi)
	mov	%r10, R_R10(%rdi)
	mov	%r11, R_R11(%rdi)
	mov	%r12, R_R12(%rdi)
	mov	%r13, R_R13(%rdi)
	mov	%r14, R_R14(%rdi)
	mov	%r15, R_R15(%rdi)
	pop	%rax
	mov	%rax, R_RDI(%rdi)
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	xor	%eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits
