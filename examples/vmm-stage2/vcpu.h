/*
 * vcpu.h - the guest CPU state the world switch (vectors.S) saves and
 * restores.  Offsets are shared with the assembly code.
 *
 * Only the general-purpose registers, PC and PSTATE are switched.  The
 * guest's EL1 system registers (SCTLR_EL1, VBAR_EL1, ESR_EL1, ...) and
 * SP_EL0/SP_EL1 are left in the CPU while the VMM runs: the VMM itself
 * only uses EL2 registers, so nothing clobbers them.
 */
#ifndef VCPU_H
#define VCPU_H

#define VCPU_X0          0x000   /* x0..x30, 8 bytes each */
#define VCPU_PC          0x0f8   /* ELR_EL2 */
#define VCPU_PSTATE      0x100   /* SPSR_EL2 */
#define VCPU_ESR         0x108   /* ESR_EL2 at the last exit */
#define VCPU_FAR         0x110   /* FAR_EL2 */
#define VCPU_HPFAR       0x118   /* HPFAR_EL2 */
#define VCPU_EXIT_VECTOR 0x120   /* which vector: EXIT_SYNC .. EXIT_SERROR */

#define EXIT_SYNC        0
#define EXIT_IRQ         1
#define EXIT_FIQ         2
#define EXIT_SERROR      3
#define EXIT_AARCH32     4       /* any exception from AArch32 (never expected) */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

struct vcpu {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
	uint64_t esr;
	uint64_t far;
	uint64_t hpfar;
	uint64_t exit_vector;
};

_Static_assert(offsetof(struct vcpu, pc) == VCPU_PC, "VCPU_PC");
_Static_assert(offsetof(struct vcpu, pstate) == VCPU_PSTATE, "VCPU_PSTATE");
_Static_assert(offsetof(struct vcpu, esr) == VCPU_ESR, "VCPU_ESR");
_Static_assert(offsetof(struct vcpu, far) == VCPU_FAR, "VCPU_FAR");
_Static_assert(offsetof(struct vcpu, hpfar) == VCPU_HPFAR, "VCPU_HPFAR");
_Static_assert(offsetof(struct vcpu, exit_vector) == VCPU_EXIT_VECTOR, "VCPU_EXIT_VECTOR");

/* Enter the guest; returns when it exits (vectors.S). */
void vcpu_run(struct vcpu *v);

/* The guest's exception level at the last exit (0 or 1). */
static inline unsigned vcpu_el(const struct vcpu *v)
{
	return (unsigned)(v->pstate >> 2) & 3;
}
#endif

#endif
