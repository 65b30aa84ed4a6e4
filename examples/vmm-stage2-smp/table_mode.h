/*
 * table_mode.h - how the two host CPUs share the one stage-2 table.  The
 * choice is made here and nowhere else (make SLAT_MODE=lock|concurrent):
 *
 *   lock        every libslat call that changes the table, with its
 *               invalidation, runs under one spinlock (table_enter/leave).
 *               This is what libslat 0.2 asks of an embedder ("one lock
 *               per table"), and what works without SLAT_FEAT_CONCURRENT.
 *   concurrent  the table is created with SLAT_FEAT_CONCURRENT and the
 *               calls run without the VMM's lock: libslat serialises calls
 *               on overlapping ranges itself (docs/concurrency.md).
 *
 * Either way, the VMM's own per-page claims (pages.h) keep the two CPUs
 * from changing the same guest page's record at once; they are about the
 * VMM's bookkeeping, not about libslat.
 */
#ifndef TABLE_MODE_H
#define TABLE_MODE_H

#include <stdint.h>
#include <slat/slat.h>

#if defined(SMP_SLAT_CONCURRENT)
#define TABLE_MODE_NAME      "concurrent (SLAT_FEAT_CONCURRENT, no VMM lock)"
#define TABLE_MODE_FEATURES  SLAT_FEAT_CONCURRENT
static inline void table_enter(void) {}
static inline void table_leave(void) {}
#else
#define TABLE_MODE_NAME      "lock (one VMM spinlock around every change)"
#define TABLE_MODE_FEATURES  0u
void table_enter(void);
void table_leave(void);
#endif

#endif
