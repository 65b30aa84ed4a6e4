/* cpu.h - tiny wrappers around privileged x86 instructions used by the VMM. */
#ifndef VMM_CPU_H
#define VMM_CPU_H

#include <stdint.h>
#include <stddef.h>

#define MSR_EFER        0xC0000080u
#define EFER_SCE        (1ull << 0)
#define EFER_LME        (1ull << 8)
#define EFER_LMA        (1ull << 10)
#define EFER_NXE        (1ull << 11)
#define EFER_SVME       (1ull << 12)

#define MSR_PAT         0x00000277u   /* host PAT: memory types of nested leaves */

#define MSR_VM_CR       0xC0010114u   /* bit 4: SVMDIS (SVM disabled by firmware) */
#define VM_CR_SVMDIS    (1ull << 4)
#define MSR_VM_HSAVE_PA 0xC0010117u   /* host state-save area used by VMRUN/#VMEXIT */

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

#define CR4_LA57        (1ull << 12)  /* 5-level paging */

static inline uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

/* The host runs identity-mapped (VA == PA) over the first 4 GiB, so a host
 * physical address can be used as a pointer directly. */
static inline void *hpa_ptr(uint64_t hpa) { return (void *)(uintptr_t)hpa; }
static inline uint64_t ptr_hpa(const void *p) { return (uint64_t)(uintptr_t)p; }

/* freestanding: the compiler may still emit calls to these */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
