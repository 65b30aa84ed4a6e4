/* caps.h - VMX/EPT capabilities read from the capability MSRs. */
#ifndef CAPS_H
#define CAPS_H

#include "cpu.h"

struct vmx_caps {
	u64 basic;
	u64 pin, proc, proc2, exit, entry;	/* allowed-0 (low) / allowed-1 (high) */
	u64 misc, ept_vpid, vmfunc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned maxphyaddr;
	char brand[49];
};

/* Returns 0 if the CPU has VMX; fills *c. */
int vmx_read_caps(struct vmx_caps *c);
void vmx_print_caps(const struct vmx_caps *c);

/* Allowed-1 settings of the secondary processor-based controls. */
static inline u32 caps_proc2_allowed(const struct vmx_caps *c) { return (u32)(c->proc2 >> 32); }

/*
 * Applies a capability MSR to a wanted control value: bits that must be 1
 * (allowed-0 settings, low dword) are set and bits that may not be 1
 * (allowed-1 settings, high dword) are cleared.
 */
static inline u32 vmx_adjust(u64 cap, u32 wanted) { return (wanted | (u32)cap) & (u32)(cap >> 32); }

#endif
