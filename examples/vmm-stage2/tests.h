/* tests.h - the VMM's half of the test plan (the guest's half is guest.c). */
#ifndef TESTS_H
#define TESTS_H

#include <stdbool.h>
#include <stdint.h>
#include "exits.h"
#include "vcpu.h"

/* Allocate, fill and map the test regions of protocol.h. */
void tests_setup(void);

/* The guest reached a step (HVC); returns the value for its x0. */
uint64_t tests_step(struct vcpu *v, uint64_t step, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4);

/* A stage-2 abort that is not MMIO: true if a test expected it (and it
 * has been dealt with), false if nobody expected it. */
bool tests_abort(struct vcpu *v, const struct abort_info *a);

/* The guest said STEP_DONE (or panicked). */
bool tests_done(void);

#endif
