/* exits.h - decoding and handling guest exits. */
#ifndef EXITS_H
#define EXITS_H

#include <stdbool.h>
#include <stdint.h>
#include <slat/fault.h>
#include "vcpu.h"

/*
 * A stage-2 abort.  slat_stage2_fault() decodes the fault from ESR_EL2,
 * HPFAR_EL2 and FAR_EL2; the VMM adds what libslat cannot know.
 */
struct abort_info {
	struct slat_fault f; /* kind, access, level, gpa (if HPFAR_EL2 holds it), gva */
	uint64_t ipa;        /* faulting IPA with the page offset: f.gpa, or from
			      * AT S1E1R when HPFAR_EL2 does not hold it; ~0 unknown */
	bool ipa_from_at;    /* ipa came from AT S1E1R */
	unsigned from_el;    /* exception level of the guest code: 0 or 1 (SPSR_EL2) */
	uint64_t esr, hpfar, far;   /* the raw registers, for the log */
	/* Data aborts with ISV = 1: enough to emulate the access. */
	bool isv;
	unsigned size;       /* bytes: 1, 2, 4 or 8 */
	unsigned srt;        /* register number; 31 means XZR */
	bool sign_extend, reg64;
};

/* An emulated device at an unmapped IPA range. */
struct mmio_device {
	const char *name;
	uint64_t base, size;
	uint64_t (*read)(uint64_t offset, unsigned size);
	void (*write)(uint64_t offset, unsigned size, uint64_t value);
};

struct exit_stats {
	unsigned long total, hvc, mmio, aborts;   /* aborts: stage-2 aborts other than MMIO */
};
extern struct exit_stats exit_stats;

void mmio_register(const struct mmio_device *dev);

/* Handle the exit recorded in v; false means: stop running the guest. */
bool handle_exit(struct vcpu *v);

/* Decode the abort recorded in v (abort.c); false if it is not an abort
 * from a lower EL. */
bool decode_abort(const struct vcpu *v, struct abort_info *a);

void describe_abort(const struct abort_info *a);

/* Resume after the instruction that exited (all AArch64 instructions are 4 bytes). */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
	v->pc += 4;
}

/* Deliver a synchronous external abort on instruction fetch at far to the guest's EL1. */
void vcpu_inject_iabt(struct vcpu *v, uint64_t far);

#endif
