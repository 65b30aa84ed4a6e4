/* serial.h - console output on COM1 (0x3f8) and QEMU exit. */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include <stdarg.h>
#include <stdint.h>

void serial_init(void);
void serial_putc(char c);
void kvprintf(const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Leave QEMU via -device isa-debug-exit,iobase=0xf4: status becomes (code<<1)|1 */
void __attribute__((noreturn)) qemu_exit(uint32_t code);

#endif
