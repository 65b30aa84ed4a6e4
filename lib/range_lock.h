/* SPDX-License-Identifier: MIT */
/*
 * SLAT_FEAT_CONCURRENT: what lets several threads change one table.
 *
 * The protocol, in one place (docs/concurrency.md says it for embedders):
 *
 * - A changing call holds a range lock on the guest range it changes, for
 *   its whole length (both walks, and on Arm the invalidation of what it
 *   broke). The held ranges are a list of nodes on the callers' stacks,
 *   guarded by a one-word spinlock in the table. A call that would split
 *   or change a leaf reaching outside its range first widens its hold to
 *   that whole leaf (range_hold()), so a call owns every leaf it writes,
 *   and every table whose span lies inside its hold.
 *
 * - Tables whose span reaches outside a call's hold are shared. The only
 *   writes a call makes to a shared table are to entries inside its hold,
 *   plus one kind of structural change: linking a fresh table into an
 *   absent entry, by compare-exchange (fresh_link_shared()). The loser of
 *   such a race moves its entries into the winner's table and frees its
 *   own pages, which nothing ever saw. A shared table is never unlinked
 *   by a call that does not hold its whole span (unmap leaves that to
 *   conc_reclaim(), which takes the span first). So a table a call walks
 *   stays linked while the call holds its range.
 *
 * - Lock-free readers (translate, payload_get) may hold a pointer to any
 *   table. An unlinked table goes to the caller's gather and is freed by
 *   slat_gather_done() after a grace period: the embedder's hook, or the
 *   reader epoch here (reader_enter() / reader_leave(), conc_grace()).
 *
 * Everything here costs one test of t->concurrent per call when the mode
 * is off.
 */
#ifndef SLAT_LIB_RANGE_LOCK_H
#define SLAT_LIB_RANGE_LOCK_H

#include "core.h"

#define range_lock slat__range_lock
#define range_unlock slat__range_unlock
#define range_hold slat__range_hold
#define conc_grace slat__conc_grace
#define conc_wait slat__conc_wait
#define reader_enter_slow slat__reader_enter_slow
#define conc_call_end slat__conc_call_end
#define pages_add_atomic slat__pages_add_atomic
#define held_add_atomic slat__held_add_atomic
#define conc_defer_empty slat__conc_defer_empty
#define fresh_link_shared slat__fresh_link_shared

/* A held range [start, end), on the holder's stack while it is held. */
struct range_node {
	uint64_t start, end;
	struct range_node *next;
};

/* Take [start, end) exclusively: wait while any held range overlaps it. */
void range_lock(struct table_state *t, struct range_node *n, uint64_t start,
		uint64_t end);
void range_unlock(struct table_state *t, struct range_node *n);

/*
 * range_lock() [start, end), widened until it covers the whole of the leaf
 * holding each end of the range (a leaf the call would split or change
 * partly). On return n->start/n->end is the range held.
 */
void range_hold(struct table_state *t, struct range_node *n, uint64_t start,
		uint64_t end);

/*
 * What a changing call of a concurrent table keeps beside its walk: the
 * range it holds, and the (at most two: one per end of its range) tables
 * unmap emptied but could not unlink because their span reaches outside
 * that range (conc_reclaim()).
 */
struct conc_call {
	struct range_node hold;
	uint64_t reclaim_base[2];
	uint8_t reclaim_level[2]; /* level of the entry pointing to the table */
	uint8_t nreclaim;
};

/* Does the call hold all of [start, end)? */
static inline bool conc_holds(const struct conc_call *cc, uint64_t start,
			      uint64_t end)
{
	return start >= cc->hold.start && end <= cc->hold.end;
}

/*
 * Unmap cleared entries of `table` (level `level` - 1), which hangs from
 * the entry at `level` translating [base, end) in a table other calls may
 * be using: if it looks empty, remember it for conc_reclaim(), which
 * checks again under a lock of its whole span. Only the lowest such table
 * per end of the range is kept; its parents are checked from there.
 */
void conc_defer_empty(struct table_state *t, struct conc_call *cc,
		      const uint64_t *table, uint64_t base, uint64_t end,
		      unsigned level);

/*
 * The end of a changing call: on Arm, complete the invalidation of what
 * it broke; release its range; then unlink the tables it left empty
 * (conc_reclaim()).
 */
void conc_call_end(struct table_state *t, struct conc_call *cc,
		   struct gather_state *g);

/*
 * Link the fresh table `child` (level `level`, complete) into the entry
 * `slot` of a live table that other calls may share: compare-exchange
 * over the absent entry. When another call linked a table there first,
 * move this call's entries into it and free `child`, which nothing saw.
 * Returns false, doing nothing, when the entry is a leaf (this call's,
 * being split: the caller replaces it as in the single-thread mode).
 */
bool fresh_link_shared(struct table_state *t, uint64_t *slot, uint64_t *child,
		       uint64_t child_pa, unsigned level);

/* One round of waiting: the embedder's hook or a CPU pause hint. */
void conc_wait(const struct table_state *t);

/* The grace period before unlinked pages are freed (slat_gather_done()). */
void conc_grace(struct table_state *t);

/*
 * Lock-free readers. Without the embedder's grace hook, a reader counts
 * itself in readers[epoch & 1] for the length of its walk; conc_grace()
 * flips the epoch and waits for the old count to drain. The returned
 * token says which counter to leave (~0: none).
 */
unsigned reader_enter_slow(struct table_state *t);

static inline unsigned reader_enter(const struct table_state *tc)
{
	struct table_state *t = (struct table_state *)(uintptr_t)tc;

	if (!SLAT_UNLIKELY(t->concurrent) || t->grace)
		return ~0u;
	return reader_enter_slow(t);
}

static inline void reader_leave(const struct table_state *tc, unsigned token)
{
	struct table_state *t = (struct table_state *)(uintptr_t)tc;

	if (token != ~0u)
		__atomic_fetch_sub(&t->readers[token], 1, __ATOMIC_RELEASE);
}

/*
 * Page accounting: plain in the single-thread mode, atomic otherwise. The
 * atomic half is out of line, so that the walks it is inlined into keep
 * their registers for their own loops.
 */
void pages_add_atomic(struct table_state *t, int64_t n, uint64_t tag);
void held_add_atomic(struct table_state *t, int64_t n);

static inline void pages_add(struct table_state *t, int64_t n, uint64_t tag)
{
	if (SLAT_UNLIKELY(t->concurrent)) {
		pages_add_atomic(t, n, tag);
	} else {
		t->pages += (uint64_t)n;
		t->page_sum += tag;
	}
}

static inline void held_add(struct table_state *t, int64_t n)
{
	if (SLAT_UNLIKELY(t->concurrent))
		held_add_atomic(t, n);
	else
		t->held += (uint64_t)n;
}

#endif
