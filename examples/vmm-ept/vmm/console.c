/*
 * console.c - every character goes to the Bochs "port 0xE9 hack" (shown on
 * Bochs's stdout) and to COM1 (bochsrc writes COM1 to a file).
 */
#include <stdarg.h>
#include "cpu.h"
#include "console.h"
#include "../common/fmt.h"

#define COM1 0x3F8

void con_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB on */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
	outb(COM1 + 2, 0x07); /* FIFO on, cleared */
}

void con_putc(char c)
{
	outb(0xE9, (u8)c);
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		; /* wait for THR empty */
	outb(COM1, (u8)c);
}

static void putc_cb(char c, void *ctx)
{
	(void)ctx;
	con_putc(c);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vprint(putc_cb, 0, fmt, ap);
	va_end(ap);
}

/*
 * Ends the Bochs run.  Debian's Bochs has its debugger built in: a magic
 * breakpoint (xchg %bx,%bx, with magic_break enabled) returns to the
 * debugger, which runs "quit" from bochs-debugger.rc (exit status 0).
 * Without the debugger, "Shutdown" written to port 0x8900 stops Bochs (as a
 * PANIC, exit status 1).  Elsewhere neither does anything, so halt.
 */
void power_off(void)
{
	/* Let COM1 finish sending (LSR bit 6: transmitter empty). */
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x40); i++)
		;
	__asm__ volatile("xchg %bx, %bx");
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (u8)*s);
	for (;;)
		__asm__ volatile("cli; hlt");
}
