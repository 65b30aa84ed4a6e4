/*
 * churn.h - changing the Stage-2 table under the running kernel.
 *
 * The hypervisor gets control only when the guest exits, so it makes
 * the guest exit at moments of its own choosing: it unmaps random pages
 * (demand paging: contents kept by the hypervisor, restored on the next
 * touch) and write-protects others.  Each such fault is a "tick", at
 * which the hypervisor also migrates random pages to new host pages,
 * splits 2 MiB blocks and collapses them back, and, every CHURN_ROUND_MS
 * of wall-clock time, runs a dirty-logging round that it checks against
 * a hash of every guest page.
 */
#ifndef CHURN_H
#define CHURN_H

#include <stdbool.h>
#include "exits.h"
#include "vcpu.h"

enum churn_end { CHURN_END_OFF, CHURN_END_RESET, CHURN_END_CPU_OFF };

/* Baseline hashes, clean dirty state, the first traps. After the guest RAM
 * is mapped, before the guest runs. */
void churn_init(void);

/* A stage-2 abort: true if it was one of the churn's traps (resolved, and
 * a tick taken); false if the churn has nothing to do with it. */
bool churn_fault(struct vcpu *v, const struct abort_info *a);

/* The guest is done: last dirty round, the table checked against the
 * hypervisor's own record, the verdict lines (check() in report.c). */
void churn_finish(enum churn_end how);

#endif
