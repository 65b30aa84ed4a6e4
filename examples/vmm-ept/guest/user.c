/*
 * user.c - guest code that runs at CPL 3.  It executes at USER_ALIAS + its
 * link address, so this file is compiled position-independent (-fpie): all
 * its code and data references are RIP-relative.
 */
#include "guest.h"

static __attribute__((noreturn)) void return_to_kernel(u64 result)
{
	__asm__ volatile("int $0x80" ::"D"(result));
	__builtin_unreachable();
}

/* Asks the VMM to confirm we run in 64-bit mode at CPL 3. */
void user_where_am_i(u64 unused)
{
	(void)unused;
	hc(HC_WHERE_AM_I, 3, 0, 0);
	return_to_kernel(0x600D);
}

/* Calls fn (a user-mode linear address) and returns its result. */
void user_call(u64 fn)
{
	return_to_kernel(((u64(*)(void))fn)());
}
