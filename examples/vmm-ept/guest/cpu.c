/*
 * cpu.c - guest kernel setup for user mode: a TSS (stack for CPL 3 -> 0),
 * an IDT with one gate (int $0x80, how user code returns), and a user-mode
 * alias of guest-physical 0-1 GiB at USER_ALIAS.
 *
 * Exceptions need no IDT entries: the VMM intercepts all of them.
 */
#include "guest.h"

struct tss64 {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2, reserved1, ist[7], reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t offset0, selector;
	u8 ist, type_attr;
	uint16_t offset1;
	u32 offset2, reserved;
} __attribute__((packed));

struct dt_ptr {
	uint16_t limit;
	u64 base;
} __attribute__((packed));

extern u64 guest_gdt[], guest_pml4[];
extern char int80_entry[];

static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[0x81] __attribute__((aligned(16)));
static u64 user_pdpt[512] __attribute__((aligned(4096)));
static u8 interrupt_stack[8192] __attribute__((aligned(16)));
static u8 user_stack[8192] __attribute__((aligned(16)));

#define PTE_P	1ull
#define PTE_W	2ull
#define PTE_U	4ull
#define PTE_PS	0x80ull

u64 user_stack_top(void) { return user_addr((u64)user_stack + sizeof(user_stack)); }

void cpu_setup(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

	tss.rsp0 = (u64)interrupt_stack + sizeof(interrupt_stack);
	tss.iomap_base = sizeof(tss);
	guest_gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
		       ((base >> 24 & 0xFF) << 56);
	guest_gdt[6] = base >> 32;
	__asm__ volatile("ltr %w0" ::"r"(0x28));

	u64 h = (u64)int80_entry;
	idt[0x80] = (struct idt_gate){
		.offset0 = (uint16_t)h, .selector = 0x08,
		.type_attr = 0xEE, /* present, DPL 3, 64-bit interrupt gate */
		.offset1 = (uint16_t)(h >> 16), .offset2 = (u32)(h >> 32),
	};
	struct dt_ptr idtr = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" ::"m"(idtr));

	/* USER_ALIAS + x -> guest-physical x for x < 1 GiB, user-accessible. */
	user_pdpt[0] = 0 | PTE_P | PTE_W | PTE_U | PTE_PS;
	guest_pml4[USER_ALIAS >> 39 & 511] = (u64)user_pdpt | PTE_P | PTE_W | PTE_U;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}
