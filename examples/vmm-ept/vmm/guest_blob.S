/* guest_blob.S - the guest program (build/guest.bin) inside the VMM image. */
	.section .rodata
	.p2align 12
	.globl guest_image, guest_image_end
guest_image:
	.incbin "guest.bin"
guest_image_end:
	.section .note.GNU-stack, "", @progbits
