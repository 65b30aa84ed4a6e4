/* uart.h - the VMM's own console: the real PL011 of QEMU's virt board. */
#ifndef UART_H
#define UART_H

#include <stdarg.h>

void uart_init(void);
void uart_putc(char c);

/*
 * A small printf: %c %s %d %u %x %p, with l/ll, a width and '0' padding
 * (e.g. %016lx).  Output goes straight to the UART.
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

#endif
