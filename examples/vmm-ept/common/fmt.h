/* fmt.h - a tiny printf-style formatter shared by the VMM and the guest. */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>

typedef void (*fmt_putc_fn)(char c, void *ctx);

/*
 * Supports %c %s %d %i %u %x %p and %%, the length modifiers l and ll,
 * a '0' flag and a field width (e.g. "%016lx").
 */
void fmt_vprint(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated, truncated to size). */
int fmt_snprint(char *buf, unsigned long size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
