/* guest_blob.S - the guest image (a flat binary) inside the VMM. */
	.section .rodata.guest, "a"
	.balign	16
	.global	guest_blob_start, guest_blob_end
guest_blob_start:
	.incbin	GUEST_BIN
guest_blob_end:
