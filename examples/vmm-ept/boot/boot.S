/*
 * boot.S - 512-byte boot sector for the vmm-ept example.
 *
 * The Bochs BIOS loads this sector to 0x7C00 and jumps to it in real mode
 * with DL = boot drive.  It:
 *   1. enables the A20 line (fast A20 via port 0x92),
 *   2. reads LOAD_SECTORS sectors that follow it on the disk to 0x10000
 *      with INT 13h AH=42h (LBA "extended read"),
 *   3. switches to 32-bit protected mode with a flat GDT,
 *   4. copies the image to its link address (1 MiB) and jumps there.
 * The VMM's own entry code (vmm/entry.S) then enters long mode.
 */
#define LOAD_SEG      0x1000        /* 0x1000:0000 = linear 0x10000 */
#define LOAD_SECTORS  512           /* 256 KiB: the Makefile checks the VMM fits */
#define CHUNK         64            /* sectors per INT 13h call (32 KiB) */
#define VMM_BASE      0x100000

	.code16
	.section .text
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7C00, %sp
	mov	%dl, boot_drive

	in	$0x92, %al		/* fast A20 */
	or	$2, %al
	and	$0xFE, %al		/* never set the reset bit */
	out	%al, $0x92

	movw	$(LOAD_SECTORS / CHUNK), %cx
1:	push	%cx
	mov	$0x42, %ah
	mov	boot_drive, %dl
	mov	$dap, %si
	int	$0x13
	jc	disk_error
	addl	$CHUNK, dap_lba
	addw	$(CHUNK * 512 / 16), dap_seg
	pop	%cx
	loop	1b

	cli
	lgdt	gdt_desc
	mov	%cr0, %eax
	or	$1, %eax		/* CR0.PE */
	mov	%eax, %cr0
	ljmp	$0x08, $pm32

disk_error:
	mov	$'D', %al
	out	%al, $0xE9
2:	hlt
	jmp	2b

	.code32
pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7C00, %esp
	cld
	mov	$(LOAD_SEG * 16), %esi
	mov	$VMM_BASE, %edi
	mov	$(LOAD_SECTORS * 512 / 4), %ecx
	rep movsl
	mov	$VMM_BASE, %eax
	jmp	*%eax

	.p2align 3
gdt:	.quad	0
	.quad	0x00CF9A000000FFFF	/* 0x08: flat 32-bit code */
	.quad	0x00CF92000000FFFF	/* 0x10: flat data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	.p2align 2
dap:	.byte	16, 0			/* disk address packet for AH=42h */
	.word	CHUNK
	.word	0			/* buffer offset */
dap_seg:
	.word	LOAD_SEG
dap_lba:
	.quad	1			/* sector 0 is this boot sector */
boot_drive:
	.byte	0

	.org	510
	.word	0xAA55
