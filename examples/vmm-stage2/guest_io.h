/*
 * guest_io.h - the guest's side of the hypercall and its console driver,
 * shared by the guests of this example and of ../vmm-stage2-smp.  Each
 * guest is one C file, so the console's character count is its own.
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdint.h>
#include "protocol.h"

/* ---- talking to the VMM ---- */

static inline uint64_t hc(uint64_t step, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t x0 __asm__("x0") = HC_STEP;
	register uint64_t x1 __asm__("x1") = step;
	register uint64_t x2 __asm__("x2") = a1;
	register uint64_t x3 __asm__("x3") = a2;
	register uint64_t x4 __asm__("x4") = a3;
	register uint64_t x5 __asm__("x5") = a4;

	__asm__ __volatile__("hvc #0"
			     : "+r"(x0)
			     : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			     : "memory");
	return x0;
}

/*
 * Exactly one plain load or store instruction per access: device
 * registers must be accessed so that the VMM gets a full syndrome
 * (ISV = 1), and the VMM skips a refused store by advancing the PC by
 * one instruction.
 */
static inline uint32_t rd32(uint64_t addr)
{
	uint32_t v;

	__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void wr32(uint64_t addr, uint32_t v)
{
	__asm__ __volatile__("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static inline uint64_t rd64(uint64_t addr)
{
	uint64_t v;

	__asm__ __volatile__("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void wr64(uint64_t addr, uint64_t v)
{
	__asm__ __volatile__("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

/* ---- console: a PL011 driver; the VMM emulates the device ---- */

#define UARTDR   (EMU_UART_IPA + 0x000)
#define UARTFR   (EMU_UART_IPA + 0x018)
#define FR_TXFF  (1u << 5)

static unsigned long uart_chars;

static inline void con_putc(char c)
{
	while (rd32(UARTFR) & FR_TXFF)
		;
	wr32(UARTDR, (uint8_t)c);
	uart_chars++;
}

static inline void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

#endif
