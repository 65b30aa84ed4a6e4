/*
 * churn.h - changing the nested tables under the running kernel, and the
 * hypervisor's own checks of what it changed.
 *
 * Moments: the churn runs on #NPF exits the hypervisor provokes itself: it
 * keeps a set of random guest pages write-protected ("traps") and a set of
 * pages unmapped (demand paging), chosen at random, so the guest cannot
 * tell when the next change comes.  Each trap that fires, and every second
 * demand fault, runs one churn step: migrate pages, unmap a set of pages
 * (contents kept by the hypervisor), split a 2 MiB leaf or collapse one
 * back with slat_collapse(), re-arm traps; every 8th step is a dirty-logging round.
 *
 * Checks (each failure is counted and printed, and fails the run):
 *  - dirty rounds: each page of a 32 MiB window is hashed at every round;
 *    a page whose hash changed since the previous round must have been
 *    reported dirty (libslat's harvest, plus the dirty state the
 *    hypervisor carried over from leaves it replaced or removed);
 *  - every VMRUN after a change that needs an invalidation must carry a
 *    TLB flush (QEMU flushes on every VMRUN anyway, so the guest itself
 *    cannot show a missing one: see README.md);
 *  - after every change, slat_translate() must give what was asked for;
 *    after slat_collapse(), one 2 MiB leaf at the region's home and one
 *    table page less, freed by slat_gather_done() after the flush.
 */
#ifndef LNPT_CHURN_H
#define LNPT_CHURN_H

#include <stdint.h>
#include "lnpt.h"

void churn_init(struct vcpu *v, struct linux_guest *g, int enabled);
/* an #NPF exit: 0 when resolved, -1 when the guest cannot go on */
int  churn_npf(struct vcpu *v);
/* before VMRUN with this TLB_CONTROL: the invalidation audit */
void churn_before_vmrun(uint8_t tlb_control);
/* after the VMRUN's flush and slat_gather_done(): a collapsed table's
 * page must have left the gather */
void churn_after_flush(void);
/* failures found so far */
uint64_t churn_failures(void);
/* the last dirty round and the counters; returns the number of failures */
int  churn_finish(struct vcpu *v);

#endif
