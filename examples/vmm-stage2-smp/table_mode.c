/* table_mode.c - table_enter() and table_leave() of table_mode.h. */
#include "table_mode.h"
#include "smp.h"

#ifndef SMP_SLAT_CONCURRENT
static spinlock_t table_lock;
#endif

static uint32_t inside[2];            /* CPU n is inside a call */
static uint64_t overlapping[2];       /* each CPU counts its own */

void table_enter(void)
{
	unsigned me = this_cpu() & 1;

#ifndef SMP_SLAT_CONCURRENT
	spin_lock(&table_lock);
#endif
	/* Store, then load the other's flag, both sequentially consistent:
	 * of two calls that overlap, at least one sees the other. */
	__atomic_store_n(&inside[me], 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&inside[!me], __ATOMIC_SEQ_CST))
		overlapping[me]++;
}

void table_leave(void)
{
	__atomic_store_n(&inside[this_cpu() & 1], 0, __ATOMIC_RELEASE);
#ifndef SMP_SLAT_CONCURRENT
	spin_unlock(&table_lock);
#endif
}

uint64_t table_overlapping_calls(void)
{
	return __atomic_load_n(&overlapping[0], __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&overlapping[1], __ATOMIC_ACQUIRE);
}

void table_read_enter(void)
{
#ifndef SMP_SLAT_CONCURRENT
	spin_lock(&table_lock);
#endif
}

void table_read_leave(void)
{
#ifndef SMP_SLAT_CONCURRENT
	spin_unlock(&table_lock);
#endif
}
