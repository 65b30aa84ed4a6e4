/* lib.c - guest output through the emulated UART, and libc bits. */
#include <stdarg.h>
#include "guest.h"
#include "../common/fmt.h"

static void uart_putc(char c, void *ctx)
{
	(void)ctx;
	store8_fixed(GPA_UART + UART_THR, (u8)c); /* exits to the VMM */
}

void gprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vprint(uart_putc, 0, fmt, ap);
	va_end(ap);
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}
