/* console.h - VMM console: Bochs port 0xE9 and COM1, plus power-off. */
#ifndef CONSOLE_H
#define CONSOLE_H

void con_init(void);
void con_putc(char c);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void power_off(void);

#endif
