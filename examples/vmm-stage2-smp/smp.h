/*
 * smp.h - the second host CPU: starting it (PSCI CPU_ON), a spinlock, the
 * counter.  The VMM runs with its MMU off (Device memory); the exclusives
 * and acquire/release accesses below work there on QEMU.  On hardware they
 * need Normal memory: see ../vmm-stage2/README.md, Simplifications.
 */
#ifndef SMP_H
#define SMP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct { uint32_t held; } spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			__asm__ __volatile__("yield");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

/* Which host CPU this is: MPIDR_EL1.Aff0 (QEMU virt numbers them 0, 1, ...). */
unsigned this_cpu(void);

/* Milliseconds of the physical counter (CNTPCT_EL0 / CNTFRQ_EL0). */
uint64_t now_ms(void);
/* Busy-wait for us microseconds. */
void delay_us(uint64_t us);

/* Start CPU 1 at EL2 in cpu1_main() (churn.c) on a stack of its own.
 * Returns the PSCI status: 0 on success. */
int64_t smp_start_cpu1(void);

/* churn.c */
void cpu1_main(void);

#endif
