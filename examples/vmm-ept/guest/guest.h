/* guest.h - helpers for the guest kernel and its user-mode part. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "../common/abi.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

#define PAGE_SIZE 4096ull

/* VMCALL: number in RAX, arguments in RBX, RCX, RDX, result in RAX. */
static inline u64 hc(u64 nr, u64 a, u64 b, u64 c)
{
	__asm__ volatile("vmcall" : "+a"(nr) : "b"(a), "c"(b), "d"(c) : "memory");
	return nr;
}

static inline u64 read64(u64 addr) { return *(volatile u64 *)addr; }
static inline void write64(u64 addr, u64 v) { *(volatile u64 *)addr = v; }

/* Stores with the one fixed encoding the VMM can decode and emulate or
 * skip (see vmm/guestmem.h): "mov %al,(%rdi)" = 88 07 and
 * "mov %rax,(%rdi)" = 48 89 07. */
static inline void store8_fixed(u64 addr, u8 v)
{
	__asm__ volatile("movb %%al, (%%rdi)" ::"D"(addr), "a"(v) : "memory");
}
static inline void store64_fixed(u64 addr, u64 v)
{
	__asm__ volatile("movq %%rax, (%%rdi)" ::"D"(addr), "a"(v) : "memory");
}

/* Checks: the VMM prints PASS/FAIL at end_check(). */
static inline void begin_check(const char *name) { hc(HC_BEGIN, (u64)name, 0, 0); }
static inline void end_check(void) { hc(HC_END, 0, 0, 0); }
static inline void fail(const char *msg) { hc(HC_FAIL, (u64)msg, 0, 0); }
static inline void info(const char *msg) { hc(HC_INFO, (u64)msg, 0, 0); }
static inline void expect_read(u64 gpa, u64 v) { hc(HC_EXPECT_READ, gpa, v, 0); }
static inline void expect_stored(u64 gpa, u64 v) { hc(HC_EXPECT_STORED, gpa, v, 0); }
static inline void expect_exit(u64 gpa, u64 gla, u64 spec) { hc(HC_EXPECT_EXIT, gpa, gla, spec); }
static inline u64 action(u64 act, u64 gpa, u64 arg) { return hc(HC_ACTION, act, gpa, arg); }

/* lib.c: output through the emulated UART (an MMIO region the VMM traps). */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

/* cpu.c */
void cpu_setup(void);
u64 user_stack_top(void);
u64 run_user(u64 rip, u64 arg, u64 rsp); /* entry.S */
static inline u64 user_addr(u64 kernel_addr) { return USER_ALIAS + kernel_addr; }

/* user.c: code that runs at CPL 3 through USER_ALIAS. */
void user_where_am_i(u64 unused);
void user_call(u64 fn);

/* tests.c */
void run_tests(void);

#endif
