/*
 * guest.c - the guest: a tiny 64-bit "kernel" that prints through an MMIO
 * UART and then executes the VMM's commands (see layout.h).
 *
 * It is linked at GUEST_IMAGE_GPA and runs on identity page tables (2 MiB
 * pages over 0..4 GiB, all user-accessible) that the VMM's loader built.
 */
#include <stdint.h>
#include "layout.h"

uint64_t user_call(uint64_t (*fn)(uint64_t), uint64_t arg);   /* guest_entry.S */
void syscall_entry(void);

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/* The UART driver: one fixed store form, "mov %al, (%rdi)", which the VMM
 * decodes when the access traps (exits.c). */
static void uart_putc(char c)
{
    __asm__ volatile("movb %%al, (%%rdi)" :: "a"(c), "D"(UART_GPA + UART_THR) : "memory");
}

static uint64_t uart_puts(const char *s)
{
    uint64_t n = 0;
    for (; *s; s++, n++)
        uart_putc(*s);
    return n;
}

struct cmd { uint64_t op, addr, val; };

/* Hand the previous command's result to the VMM, get the next command. */
static struct cmd hc_next(uint64_t result)
{
    uint64_t op = HC_NEXT, addr = result, val = 0;
    __asm__ volatile("vmmcall" : "+a"(op), "+D"(addr), "+S"(val) :: "memory");
    return (struct cmd){ op, addr, val };
}

/* runs at CPL 3 */
static uint64_t user_read(uint64_t addr)
{
    uint64_t v = *(volatile uint64_t *)addr, nr = HC_USER_REPORT;
    __asm__ volatile("vmmcall" : "+a"(nr) : "D"(v) : "memory");
    return v;
}

static uint64_t user_call_fn(uint64_t addr)
{
    return ((uint64_t (*)(void))addr)();
}

/* flat segments; SYSCALL/SYSRET derive their selectors from STAR */
static const uint64_t gdt[] = {
    0,
    0x00AF9A000000FFFFull,   /* 0x08 kernel code, 64-bit */
    0x00CF92000000FFFFull,   /* 0x10 kernel data */
    0x00CFFA000000FFFFull,   /* 0x18 user code, 32-bit (SYSRET base) */
    0x00CFF2000000FFFFull,   /* 0x20 user data */
    0x00AFFA000000FFFFull,   /* 0x28 user code, 64-bit */
};

static void cpu_setup(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr =
        { sizeof(gdt) - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    wrmsr(0xC0000080, rdmsr(0xC0000080) | 1);            /* EFER.SCE */
    wrmsr(0xC0000081, (0x18ull << 48) | (0x08ull << 32)); /* STAR */
    wrmsr(0xC0000082, (uint64_t)syscall_entry);          /* LSTAR */
    wrmsr(0xC0000084, 0x700);                            /* SFMASK: TF IF DF */
}

void guest_main(void)
{
    cpu_setup();
    uint64_t result = uart_puts("guest: hello from 64-bit long mode, via the MMIO UART\n");
    for (;;) {
        struct cmd c = hc_next(result);
        result = 0;
        switch (c.op) {
        case OP_READ:
            result = *(volatile uint64_t *)c.addr;
            break;
        case OP_WRITE:
            *(volatile uint64_t *)c.addr = c.val;
            break;
        case OP_CALL:
            result = ((uint64_t (*)(void))c.addr)();
            break;
        case OP_USER_READ:
            result = user_call(user_read, c.addr);
            break;
        case OP_USER_CALL:
            result = user_call(user_call_fn, c.addr);
            break;
        case OP_DONE:
            uart_puts("guest: done, halting\n");
            return;
        default:
            result = ~0ull;
            break;
        }
    }
}
