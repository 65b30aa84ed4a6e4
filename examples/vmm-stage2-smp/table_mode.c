/* table_mode.c - the VMM's lock around table changes, in SLAT_MODE=lock. */
#include "table_mode.h"
#include "smp.h"

#ifndef SMP_SLAT_CONCURRENT
static spinlock_t table_lock;

void table_enter(void)
{
	spin_lock(&table_lock);
}

void table_leave(void)
{
	spin_unlock(&table_lock);
}
#endif
