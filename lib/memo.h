/* SPDX-License-Identifier: MIT */
/*
 * Results of the backend's encoders kept in the table from call to call:
 * the leaf templates of a map (map.c) and the new attribute bits of a
 * protect (protect.c). Both are pure functions of the request and of the
 * table's format and configuration, which never change while the table
 * lives, so a kept result is right for as long as it is there; a fault
 * path that repeats one request then calls no backend at all.
 *
 * Under SLAT_FEAT_CONCURRENT calls on one table run on several threads at
 * once, so the memos are guarded by a sequence count whose writer only
 * tries: a call never reads a torn result; while another call writes, it
 * misses and computes the result itself.
 */
#ifndef SLAT_LIB_MEMO_H
#define SLAT_LIB_MEMO_H

#include "core.h"

/* Begin reading: false when a writer is at work (then compute instead). */
static inline bool memo_read_begin(const struct table_state *t, uint64_t *seq)
{
	*seq = __atomic_load_n(&t->memo_seq, __ATOMIC_ACQUIRE);
	return !(*seq & 1);
}

/* Was what was read since memo_read_begin() whole? */
static inline bool memo_read_end(const struct table_state *t, uint64_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&t->memo_seq, __ATOMIC_RELAXED) == seq;
}

/* Try to become the writer; false: another one is, keep nothing. */
static inline bool memo_write_begin(struct table_state *t, uint64_t *seq)
{
	*seq = __atomic_load_n(&t->memo_seq, __ATOMIC_RELAXED);
	if ((*seq & 1) || !__atomic_compare_exchange_n(&t->memo_seq, seq, *seq + 1, false,
						       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

static inline void memo_write_end(struct table_state *t, uint64_t seq)
{
	__atomic_store_n(&t->memo_seq, seq + 2, __ATOMIC_RELEASE);
}

/* Memo fields are read and written whole, never torn, inside the count. */
static inline uint64_t memo_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void memo_put(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

#endif
