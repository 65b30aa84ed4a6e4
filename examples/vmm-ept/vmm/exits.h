/* exits.h - VM-exit handling shared between exits.c and hypercalls.c. */
#ifndef EXITS_H
#define EXITS_H

#include "vcpu.h"

/* Arms an expected EPT exit (see HC_EXPECT_EXIT in abi.h). */
void expect_ept_exit(u64 gpa, u64 gla, u64 spec);
/* True if an armed expectation has not been met yet; disarms it. */
bool expect_still_pending(void);

/* hypercalls.c: handles a VMCALL; returns false to stop the guest. */
bool handle_hypercall(struct vcpu *v);

/* Set when the guest executed HLT (its normal end). */
extern bool guest_halted;

#endif
