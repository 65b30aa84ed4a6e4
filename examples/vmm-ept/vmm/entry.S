/*
 * entry.S - VMM entry point.  boot.S jumps here (1 MiB) in 32-bit protected
 * mode with flat segments.  We clear .bss, identity-map the first 4 GiB with
 * 2 MiB pages, enable long mode and call vmm_main() on our own stack.
 */
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define PTE_P_W		0x003
#define PTE_PS		0x080

	.section .text.entry, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	/* Clear .bss (it holds the page tables and stack below). */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; PDs map 4 GiB with 2 MiB pages. */
	movl	$(boot_pdpt + PTE_P_W), boot_pml4
	mov	$boot_pd, %eax
	or	$PTE_P_W, %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	1b

	xor	%ecx, %ecx			/* ecx = 2 MiB page index 0..2047 */
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P_W | PTE_PS), %eax
	mov	%eax, boot_pd(, %ecx, 8)
	mov	%ecx, %eax			/* high dword: bits 32+ of the address */
	shr	$11, %eax
	mov	%eax, boot_pd + 4(, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0
	lgdt	host_gdt_desc
	ljmp	$0x08, $start64

	.code64
start64:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	lea	boot_stack_top(%rip), %rsp
	call	vmm_main
3:	cli
	hlt
	jmp	3b

/* Host GDT.  cpu.c fills in the TSS descriptor at 0x18 before LTR. */
	.section .data
	.p2align 4
	.globl host_gdt
host_gdt:
	.quad	0
	.quad	0x00AF9A000000FFFF	/* 0x08: 64-bit code */
	.quad	0x00CF92000000FFFF	/* 0x10: data */
	.quad	0, 0			/* 0x18: 64-bit TSS (16 bytes) */
host_gdt_end:
	.globl host_gdt_desc
host_gdt_desc:
	.word	host_gdt_end - host_gdt - 1
	.quad	host_gdt

	.section .bss
	.p2align 12
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
		.skip 32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
