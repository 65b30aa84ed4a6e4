/* guestmem.h - reading guest memory and decoding simple guest stores. */
#ifndef GUESTMEM_H
#define GUESTMEM_H

#include "vcpu.h"

/* Translates a guest linear address with the guest's own page tables
 * (4-level long-mode paging, or none while paging is off). */
int gva_to_gpa(u64 gva, u64 *gpa);

/* Copies guest memory by guest-physical or guest linear address. */
int gpa_read(u64 gpa, void *buf, u64 n);
int gva_read(u64 gva, void *buf, u64 n);
/* Reads a NUL-terminated guest string (truncated to size). */
int gva_read_string(u64 gva, char *buf, u64 size);

/*
 * The one store form the VMM emulates for MMIO:
 *   [REX] 88 /r or 89 /r with ModRM.mod = 00 and no SIB/displacement,
 * i.e. "mov reg, (reg)" such as 88 07 (mov %al,(%rdi)) or 48 89 07.
 */
struct store_insn {
	unsigned len;	/* instruction length in bytes */
	unsigned size;	/* operand size: 1, 4 or 8 */
	u64 value;	/* the value being stored */
};
/* Decodes the instruction at the guest's RIP.  Returns 0 on success. */
int decode_store_at_rip(struct vcpu *v, struct store_insn *out);

#endif
