/*
 * pml.h - page-modification logging (Intel SDM vol. 3C §29.3.6, believed):
 * the processor logs the guest-physical address of every write that sets
 * an EPT dirty flag; libslat's slat_ept_pml_drain() turns the log into a
 * dirty bitmap of the PML test area (abi.h).
 */
#ifndef PML_H
#define PML_H

#include "vcpu.h"

/* ACT_PML_START: false (and a line saying so) if the CPU lacks PML. */
bool pml_start(struct vcpu *v, u64 gpa, u64 size);
/* ACT_PML_CHECK: drain, stop, compare with the bitmap the guest wrote. */
void pml_check(u64 expected_gva, u64 min_full_exits);
/* Exit reason 62: drain the log, restart it; false to stop the guest. */
bool pml_log_full(struct vcpu *v);

#endif
