/* checks.c - PASS/FAIL bookkeeping. */
#include <stdarg.h>
#include "cpu.h"
#include "checks.h"
#include "console.h"
#include "../common/fmt.h"

static char name[64], detail[256];
static bool in_check, failed;
static unsigned passed_count, failed_count;

void check_begin(const char *n)
{
	if (in_check)
		check_end();
	fmt_snprint(name, sizeof(name), "%s", n);
	in_check = true;
	failed = false;
}

struct buf { char *p; unsigned long n, len; };
static void buf_putc(char c, void *ctx)
{
	struct buf *b = ctx;
	if (b->len + 1 < b->n)
		b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void check_fail(const char *fmt, ...)
{
	va_list ap;
	struct buf b = { detail, sizeof(detail), 0 };

	if (in_check && failed)
		return; /* keep the first detail */
	va_start(ap, fmt);
	fmt_vprint(buf_putc, &b, fmt, ap);
	va_end(ap);
	if (in_check) {
		failed = true;
	} else {
		con_printf("FAIL vmm: %s\n", detail);
		failed_count++;
	}
}

void check_fatal(const char *fmt, ...)
{
	char msg[256];
	struct buf b = { msg, sizeof(msg), 0 };
	va_list ap;

	va_start(ap, fmt);
	fmt_vprint(buf_putc, &b, fmt, ap);
	va_end(ap);
	if (in_check && !failed) {
		failed = true;
		fmt_snprint(detail, sizeof(detail), "the guest was stopped");
	}
	check_end();
	con_printf("FAIL vmm: %s\n", msg);
	failed_count++;
}

void check_end(void)
{
	if (!in_check)
		return;
	if (failed) {
		con_printf("FAIL %s: %s\n", name, detail);
		failed_count++;
	} else {
		con_printf("PASS %s\n", name);
		passed_count++;
	}
	in_check = false;
}


void checks_summary(void)
{
	check_end();
	con_printf("RESULT: %u passed, %u failed\n", passed_count, failed_count);
}
