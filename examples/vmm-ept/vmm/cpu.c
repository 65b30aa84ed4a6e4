/*
 * cpu.c - host CPU tables.  VM entry requires a usable host TR (selector
 * != 0), so the host GDT gets a 64-bit TSS; and an IDT that reports any host
 * exception makes bugs in the VMM visible instead of a silent triple fault.
 */
#include "cpu.h"
#include "console.h"

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct idt_gate {
	u16 offset0;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset1;
	u32 offset2;
	u32 reserved;
} __attribute__((packed));

extern u64 host_gdt[];
extern struct dt_ptr host_gdt_desc;
extern const u64 isr_table[32];

static struct tss64 host_tss __attribute__((aligned(16)));
static struct idt_gate host_idt[32] __attribute__((aligned(16)));

u64 cpu_tss_base(void) { return hpa_of(&host_tss); }

void cpu_init(void)
{
	u64 base = hpa_of(&host_tss), limit = sizeof(host_tss) - 1;

	host_tss.iomap_base = sizeof(host_tss);
	/* 64-bit available TSS descriptor (type 9, present) at selector 0x18. */
	host_gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
		      ((limit >> 16 & 0xF) << 48) | ((base >> 24 & 0xFF) << 56);
	host_gdt[4] = base >> 32;
	__asm__ volatile("lgdt %0" ::"m"(host_gdt_desc));
	__asm__ volatile("ltr %w0" ::"r"(0x18));

	for (int v = 0; v < 32; v++) {
		u64 h = isr_table[v];
		host_idt[v] = (struct idt_gate){
			.offset0 = (u16)h, .selector = 0x08, .type_attr = 0x8E,
			.offset1 = (u16)(h >> 16), .offset2 = (u32)(h >> 32),
		};
	}
	struct dt_ptr idtr = { sizeof(host_idt) - 1, hpa_of(host_idt) };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

struct exc_frame {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

void host_exception(struct exc_frame *f)
{
	u64 cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	con_printf("\nHOST EXCEPTION vector %lu error %lx rip %lx rsp %lx cr2 %lx\n",
		   f->vector, f->error, f->rip, f->rsp, cr2);
	con_printf("RESULT: 0 passed, 1 failed\n");
	power_off();
}
