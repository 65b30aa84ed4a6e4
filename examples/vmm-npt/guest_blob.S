/* guest_blob.S - the guest image (guest.bin) embedded in the VMM. */
        .section .rodata
        .align 16
        .globl guest_blob, guest_blob_end
guest_blob:
        .incbin "guest.bin"
guest_blob_end:
