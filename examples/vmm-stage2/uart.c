/*
 * uart.c - polled output on the PL011 at 0x09000000 (QEMU virt).
 * The VMM's MMU is off, so device registers are accessed by physical
 * address, as Device-nGnRnE memory.
 */
#include <stdint.h>
#include <stdbool.h>
#include "uart.h"

#define PL011_BASE   0x09000000UL
#define UARTDR       0x000
#define UARTFR       0x018
#define UARTLCR_H    0x02c
#define UARTCR       0x030
#define FR_TXFF      (1u << 5)          /* transmit FIFO full */
#define LCR_H_WLEN8  (3u << 5)
#define LCR_H_FEN    (1u << 4)
#define CR_UARTEN    (1u << 0)
#define CR_TXE       (1u << 8)
#define CR_RXE       (1u << 9)

static inline void reg_write(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(PL011_BASE + off) = v;
}

static inline uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(PL011_BASE + off);
}

void uart_init(void)
{
	/* QEMU needs no baud rate; real hardware would set IBRD/FBRD here. */
	reg_write(UARTCR, 0);
	reg_write(UARTLCR_H, LCR_H_WLEN8 | LCR_H_FEN);
	reg_write(UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
}

void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (reg_read(UARTFR) & FR_TXFF)
		;
	reg_write(UARTDR, (uint8_t)c);
}

static void put_num(unsigned long v, unsigned base, int width, char pad, bool neg)
{
	char buf[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width--)
		uart_putc(pad);
	while (n)
		uart_putc(buf[--n]);
}

void vprintk(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;
			while (s[len])
				len++;
			while (len < width--)
				uart_putc(' ');
			while (*s)
				uart_putc(*s++);
			break;
		}
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(v < 0 ? -(unsigned long)v : (unsigned long)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad, false);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad, false);
			break;
		case 'p':
			uart_putc('0');
			uart_putc('x');
			put_num((unsigned long)va_arg(ap, void *), 16, width, pad, false);
			break;
		case '%':
			uart_putc('%');
			break;
		case '\0':
			return;
		default:
			uart_putc('%');
			uart_putc(*fmt);
			break;
		}
	}
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
