/* vm.h - EL2 set-up, guest loading and vCPU reset (vm.c). */
#ifndef VM_H
#define VM_H

#include "vcpu.h"

/* HCR_EL2 and the other EL2 registers of this VM, VTCR_EL2 and VTTBR_EL2
 * from s2; then no translation of this VMID may be cached from before. */
void el2_setup(void);

/* Copy the guest image (guest_blob.S) to 1 MiB of host memory and map it
 * at GUEST_RAM_IPA: code R+X, the rest R+W (protocol.h). */
void load_guest(void);

/* The guest starts like a CPU out of reset at EL1: MMU off, interrupts
 * masked, at GUEST_RAM_IPA. */
void vcpu_reset(struct vcpu *v);

#endif
