/*
 * smp_protocol.h - what this VMM and its guest agree on, beyond
 * ../vmm-stage2/protocol.h (guest program, console, hypercall number).
 *
 * The guest runs on host CPU 0 with its stage-1 MMU off (VA == IPA).
 * Host CPU 1 never runs the guest: it changes the guest's stage-2 table
 * while the guest runs (churn.c).
 */
#ifndef SMP_PROTOCOL_H
#define SMP_PROTOCOL_H

#include "protocol.h"

#if S2_PAGE_SHIFT != 12
#error "vmm-stage2-smp is built for the 4 KiB stage-2 granule only"
#endif

/* 64 pages, unmapped at first: CPU 0 maps each on the guest's first touch.
 * CPU 1 moves them between host pages, write-protects and unmaps them. */
#define CHURN_IPA        U64(0x0080000000)
#define CHURN_PAGES      64

/* 2 level-2 blocks (2 MiB each), mapped as blocks: CPU 1 splits them into
 * pages and makes them one block again. */
#define SBLOCK_IPA       U64(0x0100000000)
#define SBLOCKS          2
/* Words the guest checks in each 4 KiB page of a block. */
#define SBLOCK_WORDS_PER_PAGE 2

/* What the guest stores in round r (a 64-bit count below 2^16) at ipa:
 * never 0, differs per round and
 * per word, and never equal to the VMM's poison (POISON below). */
#define ROUND_VALUE(r, ipa) (U64(0xc500000000000000) | ((r) << 40) | (ipa))
/* What CPU 1 writes into a host page the guest must no longer reach. */
#define POISON(hpa)      (U64(0xbad0000000000000) | (hpa))

#ifndef __ASSEMBLER__
/* Hypercall steps (x1 of HC_STEP). */
enum smp_step {
	SMP_HELLO = 1,   /* a1 = CurrentEL                                        */
	SMP_ROUND,       /* a1 = round just finished, a2 = mismatches so far;
			  * returns 1: go on, 0: stop.  Round 1 starts CPU 1.     */
	SMP_MISMATCH,    /* a1 = IPA, a2 = expected, a3 = read (first few only)   */
	SMP_DONE,        /* a1 = mismatches, a2 = rounds, a3 = words checked      */
	SMP_PANIC,       /* a1 = ESR_EL1, a2 = ELR_EL1, a3 = FAR_EL1              */
};
#endif

#endif
