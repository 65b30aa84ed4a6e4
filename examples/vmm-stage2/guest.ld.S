/* guest.ld.S - the guest is linked at its own IPA (run through cpp). */
#include "protocol.h"

ENTRY(_start)
SECTIONS
{
	. = GUEST_RAM_IPA;
	.text : {
		KEEP(*(.text.start))
		*(.text .text.*)
	}
	ASSERT(. <= GUEST_RAM_IPA + GUEST_TEXT_SIZE, "guest code is larger than GUEST_TEXT_SIZE")

	/* everything after the code is mapped read/write, not executable */
	. = GUEST_RAM_IPA + GUEST_TEXT_SIZE;
	.rodata : { *(.rodata .rodata.*) }
	.data : { *(.data .data.*) }
	.bss (NOLOAD) : {
		. = ALIGN(16);
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		. += 0x4000;
		__stack_top = .;
	}
	ASSERT(. <= GUEST_RAM_IPA + GUEST_RAM_SIZE, "guest is larger than GUEST_RAM_SIZE")

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
