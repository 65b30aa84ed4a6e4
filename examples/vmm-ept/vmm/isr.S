/*
 * isr.S - host exception stubs.  The VMM should never fault; if it does,
 * host_exception() prints the vector and the faulting RIP and powers off.
 */
	.text
.macro STUB vec, has_error
	.globl isr_\vec
isr_\vec:
	.if \has_error == 0
	push	$0			/* dummy error code */
	.endif
	push	$\vec
	jmp	isr_common
.endm

STUB 0,0;  STUB 1,0;  STUB 2,0;  STUB 3,0;  STUB 4,0;  STUB 5,0;  STUB 6,0;  STUB 7,0
STUB 8,1;  STUB 9,0;  STUB 10,1; STUB 11,1; STUB 12,1; STUB 13,1; STUB 14,1; STUB 15,0
STUB 16,0; STUB 17,1; STUB 18,0; STUB 19,0; STUB 20,0; STUB 21,1; STUB 22,0; STUB 23,0
STUB 24,0; STUB 25,0; STUB 26,0; STUB 27,0; STUB 28,0; STUB 29,1; STUB 30,1; STUB 31,0

isr_common:
	mov	%rsp, %rdi		/* -> struct { vector, error, rip, cs, rflags, ... } */
	and	$-16, %rsp
	call	host_exception
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.p2align 3
	.globl isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	isr_\n
	.endr

	.section .note.GNU-stack, "", @progbits
