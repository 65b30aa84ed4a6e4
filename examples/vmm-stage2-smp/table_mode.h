/*
 * table_mode.h - how the two host CPUs share the one stage-2 table.  The
 * choice is made here and nowhere else (make SLAT_MODE=concurrent|lock):
 *
 *   concurrent  the table is created with SLAT_FEAT_CONCURRENT and the
 *               calls run without a VMM lock: libslat serialises calls on
 *               overlapping ranges itself and frees unlinked tables after
 *               a grace period (docs/concurrency.md).
 *   lock        every libslat call that changes the table, with its
 *               invalidation, runs under one VMM spinlock.  This is what
 *               libslat asks of an embedder without SLAT_FEAT_CONCURRENT
 *               ("one lock per table").
 *
 * Either way, the VMM's own per-page claims (pages.h) keep the two CPUs
 * from changing the same guest page's record at once; they are about the
 * VMM's bookkeeping, not about libslat.
 *
 * table_enter() and table_leave() bracket every changing call and its
 * invalidation on both CPUs.  They also count the calls during which the
 * other CPU was inside one of its own: 0 in lock mode by construction,
 * and the evidence that the calls really ran at once in concurrent mode.
 */
#ifndef TABLE_MODE_H
#define TABLE_MODE_H

#include <stdint.h>
#include <slat/slat.h>

#if defined(SMP_SLAT_CONCURRENT)
#define TABLE_MODE_NAME      "concurrent (SLAT_FEAT_CONCURRENT, no VMM lock)"
#define TABLE_MODE_FEATURES  SLAT_FEAT_CONCURRENT
#else
#define TABLE_MODE_NAME      "lock (one VMM spinlock around every change)"
#define TABLE_MODE_FEATURES  0u
#endif

void table_enter(void);
void table_leave(void);

/* Around a lookup (slat_translate()): the lock in lock mode; nothing in
 * concurrent mode, where readers take no lock (and are not counted). */
void table_read_enter(void);
void table_read_leave(void);

/* Calls that began while the other CPU was inside one (both CPUs). */
uint64_t table_overlapping_calls(void);

#endif
