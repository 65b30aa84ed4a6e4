/* report.c - PASS/FAIL/SKIP lines, the RESULT line, power-off. */
#include <stdarg.h>
#include <stdint.h>
#include "report.h"
#include "uart.h"

static unsigned passed, failed, skipped;

bool check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printk("PASS %s\n", name);
		return true;
	}
	failed++;
	printk("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	return false;
}

void pass(const char *name)
{
	passed++;
	printk("PASS %s\n", name);
}

void skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	skipped++;
	printk("SKIP %s: ", name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
}

/*
 * PSCI SYSTEM_OFF.  QEMU's virt board implements PSCI itself when it runs
 * no firmware; with virtualization=on (EL2 emulated) its conduit is SMC,
 * which the VMM at EL2 may issue directly.  (A guest's SMC is trapped by
 * HCR_EL2.TSC instead.)
 */
static void psci_system_off(void)
{
	register uint64_t x0 __asm__("x0") = 0x84000008;   /* SYSTEM_OFF */

	__asm__ __volatile__("smc #0" : "+r"(x0) : : "memory");
}

void finish(void)
{
	if (skipped)
		printk("(%u checks skipped: not offered by this CPU or granule)\n", skipped);
	printk("RESULT: %u passed, %u failed\n", passed, failed);
	psci_system_off();
	printk("PSCI SYSTEM_OFF returned; halting\n");
	for (;;)
		__asm__ __volatile__("wfi");
}

void vmm_fatal(const char *fmt, ...)
{
	va_list ap;

	failed++;
	printk("FAIL vmm: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	finish();
}
