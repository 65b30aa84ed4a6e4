/*
 * main.c - the guest kernel.  It reports through two paths: text through
 * the emulated UART (an unmapped MMIO page the VMM traps) and check results
 * through VMCALL.  It ends with HLT, which ends the run.
 */
#include "guest.h"

void guest_main(void)
{
	gprintf("guest: hello from 64-bit long mode\n");
	begin_check("mmio-uart-output");
	hc(HC_UART_LAST_LINE, (u64) "guest: hello from 64-bit long mode", 0, 0);
	end_check();

	begin_check("guest-long-mode-cpl0");
	hc(HC_WHERE_AM_I, 0, 0, 0);
	end_check();

	cpu_setup();
	run_tests();
	gprintf("guest: done, halting\n");
}
