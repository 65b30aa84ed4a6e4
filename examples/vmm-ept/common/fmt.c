/* fmt.c - a tiny printf-style formatter shared by the VMM and the guest. */
#include "fmt.h"

static void put_number(fmt_putc_fn putc, void *ctx, unsigned long long v,
		       unsigned base, int width, char pad, int negative)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	while (width-- > n)
		putc(pad, ctx);
	while (n)
		putc(digits[--n], ctx);
}

void fmt_vprint(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt, ctx);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		unsigned long long u;
		long long s;
		switch (*fmt) {
		case 'c':
			putc((char)va_arg(ap, int), ctx);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = 0;
			while (str[len])
				len++;
			while (width-- > len)
				putc(' ', ctx);
			while (*str)
				putc(*str++, ctx);
			break;
		}
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, long long) : va_arg(ap, int);
			put_number(putc, ctx, s < 0 ? -(unsigned long long)s : (unsigned long long)s,
				   10, width, pad, s < 0);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			put_number(putc, ctx, u, *fmt == 'u' ? 10 : 16, width, pad, 0);
			break;
		case 'p':
			putc('0', ctx);
			putc('x', ctx);
			put_number(putc, ctx, (unsigned long)va_arg(ap, void *), 16, width, pad, 0);
			break;
		case '%':
			putc('%', ctx);
			break;
		default: /* unknown conversion: print it as is */
			putc('%', ctx);
			if (!*fmt)
				return;
			putc(*fmt, ctx);
			break;
		}
	}
}

struct buf_ctx {
	char *buf;
	unsigned long size, len;
};

static void buf_putc(char c, void *p)
{
	struct buf_ctx *b = p;
	if (b->len + 1 < b->size)
		b->buf[b->len++] = c;
}

int fmt_snprint(char *buf, unsigned long size, const char *fmt, ...)
{
	struct buf_ctx b = { buf, size, 0 };
	va_list ap;

	va_start(ap, fmt);
	fmt_vprint(buf_putc, &b, fmt, ap);
	va_end(ap);
	if (size)
		buf[b.len] = '\0';
	return (int)b.len;
}
