/* setup.h - the guest's memory. */
#ifndef SETUP_H
#define SETUP_H

#include "cpu.h"

int setup_guest_memory(bool mbec);

#endif
