/* guest_exit.h - what the hypervisor does when the Linux guest exits. */
#ifndef GUEST_EXIT_H
#define GUEST_EXIT_H

#include <stdbool.h>
#include "vcpu.h"

/* Handle the exit recorded in v; false: the guest is done (SYSTEM_OFF). */
bool guest_exit(struct vcpu *v);

#endif
