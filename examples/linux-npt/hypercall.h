/*
 * hypercall.h - shared by the hypervisor and the test program in the
 * guest's initramfs: VMMCALL with RAX = number, RDI/RSI = arguments.
 * The numbers are unlikely values, so that a stray VMMCALL is noticed.
 */
#ifndef LNPT_HYPERCALL_H
#define LNPT_HYPERCALL_H

#define HC_LNPT_HELLO  0x51a70001u   /* the test program starts; RDI = MiB it will cover */
#define HC_LNPT_DONE   0x51a70002u   /* RDI = errors the test program found; ends the run */

#endif
