/* guestmem.c - guest page-table walk, guest memory reads, store decoding. */
#include "guestmem.h"
#include "memmap.h"
#include "vmx.h"

#define PTE_P		(1ull << 0)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000FFFFFFFFFF000ull

int gpa_read(u64 gpa, void *buf, u64 n)
{
	u8 *out = buf;
	while (n) {
		u64 hpa, chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		if (!vm_gpa_to_hpa(gpa, &hpa))
			return -1;
		memcpy(out, hva(hpa), chunk);
		out += chunk;
		gpa += chunk;
		n -= chunk;
	}
	return 0;
}

int gva_to_gpa(u64 gva, u64 *gpa)
{
	if (!(vmread(GUEST_CR0) & CR0_PG)) {
		*gpa = gva & 0xFFFFFFFF;
		return 0;
	}
	if (!(vmread(GUEST_IA32_EFER) & EFER_LMA))
		return -1; /* 32-bit paging: not used by this guest */

	u64 table = vmread(GUEST_CR3) & PTE_ADDR;
	for (int level = 3; level >= 0; level--) {
		u64 e, shift = 12 + 9 * level;
		if (gpa_read(table + ((gva >> shift) & 511) * 8, &e, 8) || !(e & PTE_P))
			return -1;
		if (level == 0 || (level < 3 && (e & PTE_PS))) {
			u64 size = 1ull << shift;
			*gpa = (e & PTE_ADDR & ~(size - 1)) | (gva & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -1;
}

int gva_read(u64 gva, void *buf, u64 n)
{
	u8 *out = buf;
	while (n) {
		u64 gpa, chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		if (gva_to_gpa(gva, &gpa) || gpa_read(gpa, out, chunk))
			return -1;
		out += chunk;
		gva += chunk;
		n -= chunk;
	}
	return 0;
}

int gva_read_string(u64 gva, char *buf, u64 size)
{
	for (u64 i = 0; i + 1 < size; i++) {
		if (gva_read(gva + i, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	buf[size - 1] = 0;
	return 0;
}

/* ModRM register number -> saved guest register. */
static u64 gpr(struct vcpu *v, unsigned n)
{
	struct guest_regs *r = &v->regs;
	const u64 regs[16] = { r->rax, r->rcx, r->rdx, r->rbx, vmread(GUEST_RSP), r->rbp,
			       r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12,
			       r->r13, r->r14, r->r15 };
	return regs[n & 15];
}

int decode_store_at_rip(struct vcpu *v, struct store_insn *out)
{
	u8 b[4];
	unsigned i = 0, rex = 0;

	if (gva_read(vmread(GUEST_RIP), b, sizeof(b)))
		return -1;
	if ((b[0] & 0xF0) == 0x40)
		rex = b[i++];
	u8 opcode = b[i++], modrm = b[i++];
	if ((opcode != 0x88 && opcode != 0x89) || (modrm >> 6) != 0 ||
	    (modrm & 7) == 4 || (modrm & 7) == 5)
		return -1;

	unsigned reg = (modrm >> 3 & 7) | (rex & 4 ? 8 : 0);
	out->len = i;
	if (opcode == 0x88) {
		out->size = 1;
		/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
		out->value = (!rex && reg >= 4) ? gpr(v, reg - 4) >> 8 & 0xFF : gpr(v, reg) & 0xFF;
	} else {
		out->size = rex & 8 ? 8 : 4;
		out->value = rex & 8 ? gpr(v, reg) : (u32)gpr(v, reg);
	}
	return 0;
}
