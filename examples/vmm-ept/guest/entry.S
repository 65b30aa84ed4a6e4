/*
 * entry.S - guest entry.  The VMM starts us like a simple boot loader
 * would: 32-bit protected mode, flat segments, paging off.  We build our own
 * page tables (identity map of 0-4 GiB with 1 GiB supervisor pages), enable
 * long mode and call guest_main().  The user-mode alias (abi.h USER_ALIAS)
 * is added later by cpu.c.
 */
#define CR0_PG		(1 << 31)
#define CR0_WP		(1 << 16)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cld
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	movl	$(guest_pdpt + 3), guest_pml4		/* present, writable */
	movl	$0x00000083, guest_pdpt + 0		/* 1 GiB pages: P, W, PS */
	movl	$0x40000083, guest_pdpt + 8
	movl	$0x80000083, guest_pdpt + 16
	movl	$0xC0000083, guest_pdpt + 24

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$guest_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_WP), %eax
	mov	%eax, %cr0
	lgdt	guest_gdt_desc
	ljmp	$0x08, $start64

	.code64
start64:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	lea	kernel_stack_top(%rip), %rsp
	call	guest_main
1:	hlt				/* the VMM ends the run on HLT */
	jmp	1b

/*
 * u64 run_user(u64 rip, u64 arg, u64 rsp)
 * Runs rip(arg) at CPL 3 on stack rsp.  User code comes back with
 * "int $0x80" and its result in RDI (see user.c), which returns here.
 */
	.globl run_user
run_user:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, saved_kernel_rsp(%rip)
	pushq	$0x1B			/* SS: user data, RPL 3 */
	push	%rdx			/* RSP */
	pushq	$0x2			/* RFLAGS */
	pushq	$0x23			/* CS: user 64-bit code, RPL 3 */
	push	%rdi			/* RIP */
	mov	%rsi, %rdi
	iretq

	.globl int80_entry
int80_entry:				/* CPL 0, on the TSS RSP0 stack */
	mov	saved_kernel_rsp(%rip), %rsp
	mov	%rdi, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	.section .data
	.p2align 4
	.globl guest_gdt
guest_gdt:
	.quad	0
	.quad	0x00AF9A000000FFFF	/* 0x08 kernel code, 64-bit */
	.quad	0x00CF92000000FFFF	/* 0x10 kernel data */
	.quad	0x00CFF2000000FFFF	/* 0x18 user data, DPL 3 */
	.quad	0x00AFFA000000FFFF	/* 0x20 user code, 64-bit, DPL 3 */
	.quad	0, 0			/* 0x28 TSS, filled in by cpu.c */
guest_gdt_end:
guest_gdt_desc:
	.word	guest_gdt_end - guest_gdt - 1
	.quad	guest_gdt

	.section .bss
	.p2align 12
	.globl guest_pml4
guest_pml4:	.skip 4096
guest_pdpt:	.skip 4096
		.skip 16384
kernel_stack_top:
saved_kernel_rsp: .quad 0
	.section .note.GNU-stack, "", @progbits
