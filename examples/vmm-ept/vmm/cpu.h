/* cpu.h - small x86-64 helpers for the VMM (host side). */
#ifndef CPU_H
#define CPU_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define PAGE_SIZE 4096ull

#define CR0_PE (1ull << 0)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)

#define MSR_IA32_FEATURE_CONTROL 0x03A
#define MSR_IA32_PAT 0x277
#define MSR_EFER 0xC0000080
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define DEFINE_CR(n)                                                        \
	static inline u64 read_cr##n(void)                                  \
	{                                                                   \
		u64 v;                                                      \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void write_cr##n(u64 v)                               \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");    \
	}
DEFINE_CR(0)
DEFINE_CR(3)
DEFINE_CR(4)

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

/* Descriptor-table and segment state needed for the VMCS host area. */
struct dt_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static inline void sgdt(struct dt_ptr *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static inline void sidt(struct dt_ptr *p) { __asm__ volatile("sidt %0" : "=m"(*p)); }

/* Host CPU setup (GDT with TSS, IDT with exception reporting). */
void cpu_init(void);
u64 cpu_tss_base(void);

/* Host physical memory == host virtual memory (identity map of 4 GiB). */
static inline void *hva(u64 hpa) { return (void *)(uintptr_t)hpa; }
static inline u64 hpa_of(const void *p) { return (u64)(uintptr_t)p; }

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
