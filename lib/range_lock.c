/* SPDX-License-Identifier: MIT */
/*
 * The range lock, the reader epoch and the grace period of
 * SLAT_FEAT_CONCURRENT tables (the protocol: range_lock.h).
 */

#include "range_lock.h"

/* The CPU's hint that it is spinning: lets a sibling hyperthread run
 * (x86 PAUSE) or the hypervisor/scheduler see the spin (Arm YIELD). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

void conc_wait(const struct table_state *t)
{
	if (t->wait)
		t->wait(t->wait_ctx);
	else
		cpu_relax();
}

/*
 * The spinlock over the list of held ranges. It is held for a scan of
 * the list only (a few entries: one per call in flight), never across a
 * wait hook, so it spins with the CPU hint alone.
 */
static void spin_lock(uint32_t *word)
{
	while (__atomic_exchange_n(word, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(word, __ATOMIC_RELAXED))
			cpu_relax();
}

static void spin_unlock(uint32_t *word)
{
	__atomic_store_n(word, 0u, __ATOMIC_RELEASE);
}

static bool overlaps_held(const struct table_state *t, uint64_t start, uint64_t end)
{
	const struct range_node *p;

	for (p = t->holds; p; p = p->next)
		if (p->start < end && start < p->end)
			return true;
	return false;
}

void range_lock(struct table_state *t, struct range_node *n, uint64_t start,
		uint64_t end)
{
	n->start = start;
	n->end = end;
	for (;;) {
		spin_lock(&t->holds_lock);
		if (!overlaps_held(t, start, end)) {
			n->next = t->holds;
			t->holds = n;
			spin_unlock(&t->holds_lock);
			return;
		}
		spin_unlock(&t->holds_lock);
		/* Wait outside the spinlock, so the holder can leave. */
		conc_wait(t);
	}
}

void range_unlock(struct table_state *t, struct range_node *n)
{
	struct range_node **pp;

	spin_lock(&t->holds_lock);
	for (pp = &t->holds; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	spin_unlock(&t->holds_lock);
}

/*
 * The span of the leaf translating `addr` when it is larger than the base
 * page, else [addr, addr). The caller holds `addr`, so the leaf and every
 * table above it on the path are stable: another call would have to hold
 * the whole leaf to change it, and a shared table is unlinked only by a
 * call holding its whole span.
 */
static void leaf_span(const struct table_state *t, uint64_t addr,
		      uint64_t *lo, uint64_t *hi)
{
	const struct slat_layout *l = &t->lay;
	uint64_t *slot;
	unsigned level;

	*lo = *hi = addr;
	if (leaf_find(t, addr, &slot, &level) || level == 0)
		return;
	*lo = addr & ~level_mask(l, level);
	*hi = *lo + level_size(l, level);
}

void range_hold(struct table_state *t, struct range_node *n, uint64_t start,
		uint64_t end)
{
	for (;;) {
		uint64_t a0, a1, b0, b1;

		range_lock(t, n, start, end);
		leaf_span(t, start, &a0, &a1);
		leaf_span(t, end - 1, &b0, &b1);
		if (a0 >= start && b1 <= end)
			return;
		/* A leaf reaches past an end: hold all of it. The range only
		 * grows, so this settles within a few rounds. */
		range_unlock(t, n);
		if (a0 < start)
			start = a0;
		if (b1 > end)
			end = b1;
	}
}

unsigned reader_enter_slow(struct table_state *t)
{
	for (;;) {
		uint64_t e = __atomic_load_n(&t->epoch, __ATOMIC_SEQ_CST);
		unsigned i = (unsigned)(e & 1);

		__atomic_fetch_add(&t->readers[i], 1, __ATOMIC_SEQ_CST);
		/* Counted before the flip: the grace period waits for us.
		 * After it: we might be missed, so count in the new one. */
		if (__atomic_load_n(&t->epoch, __ATOMIC_SEQ_CST) == e)
			return i;
		__atomic_fetch_sub(&t->readers[i], 1, __ATOMIC_RELEASE);
	}
}

/*
 * Where a software walker may be when a page is unlinked: inside a
 * reader (counted in readers[]) that loaded the entry before it was
 * cleared. A reader that counts itself after the flip below loads the
 * epoch after it (both seq_cst), so it also sees the cleared entry and
 * cannot reach the page. So once the count of the old epoch drains, no
 * software walker holds the unlinked pages. (Changing calls never hold
 * them: a table is unlinked only by a call holding its whole span.)
 */
void conc_grace(struct table_state *t)
{
	uint64_t e;

	if (t->grace) {
		t->grace(t->grace_ctx, table_pub(t));
		return;
	}
	spin_lock(&t->grace_lock);
	e = __atomic_load_n(&t->epoch, __ATOMIC_RELAXED);
	__atomic_store_n(&t->epoch, e + 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&t->readers[e & 1], __ATOMIC_SEQ_CST))
		conc_wait(t);
	spin_unlock(&t->grace_lock);
}

void pages_add_atomic(struct table_state *t, int64_t n, uint64_t tag)
{
	__atomic_fetch_add(&t->pages, (uint64_t)n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&t->page_sum, tag, __ATOMIC_RELAXED);
}

void held_add_atomic(struct table_state *t, int64_t n)
{
	__atomic_fetch_add(&t->held, (uint64_t)n, __ATOMIC_RELAXED);
}
