/* vcpu.h - the one virtual CPU of this example. */
#ifndef VCPU_H
#define VCPU_H

#include "cpu.h"
#include "caps.h"

/* Guest general-purpose registers not kept in the VMCS (RSP is in the
 * VMCS).  The order is fixed: vmx_asm.S uses these offsets. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vcpu {
	struct guest_regs regs;
	bool launched;		/* VMLAUNCH done: use VMRESUME from now on */
	u64 eptp;
	bool mbec;		/* mode-based execute control enabled */
	u16 vpid;		/* 0: VPIDs not used */
	const struct vmx_caps *caps;
};

/* vmx_asm.S: enters the guest; returns 0 after a VM exit (guest registers
 * saved in *regs), or 1 if VMLAUNCH/VMRESUME itself failed. */
int vmx_enter(struct guest_regs *regs, int launched);

/* vmx.c */
int vmx_on(const struct vmx_caps *caps);
int vmcs_init(struct vcpu *v, u64 guest_entry);
/* Runs the guest until an exit handler asks to stop. */
void vmx_run(struct vcpu *v);

/* exits.c: handles one VM exit; returns false to stop the guest. */
bool handle_exit(struct vcpu *v);

#endif
