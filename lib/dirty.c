/* SPDX-License-Identifier: MIT */
/*
 * Accessed and dirty state: slat_dirty_harvest() and slat_accessed().
 *
 * Both read the hardware-owned bits of every leaf in a range and, unless
 * asked to keep them, clear them with one atomic AND each, so that a bit the
 * hardware sets at the same moment is either reported now or kept for the
 * next harvest, never lost. A large leaf only partly inside the range is
 * reported but not cleared: its flag also stands for pages outside the
 * range.
 *
 * Dirty state also lives in the layout's software dirty bit, where a change
 * of the leaf left the hardware no way to hold it (core.h leaf_keep_hw()).
 * A harvest reports and clears it like the hardware's, and records the
 * page in the gather all the same: a page is then harvested the same way
 * whichever bit held its state, and the few pages that were protected
 * while dirty cost one invalidation more.
 */

#include <slat/dirty.h>

#include "range_lock.h"
#include "walk.h"

/*
 * The scan of runs of base pages (harvest_page_run()): what it looks for,
 * set once per call (harvest_walks()), and where it is.
 */
struct page_scan {
	uint64_t *bitmap;
	uint64_t any;         /* flag | swd: what the filter looks for */
	uint64_t not_gate, swd; /* ~harvest_op::gate; harvest_op::swd */
	uint64_t page_mask, page_type, present; /* entry_is_page() */
	bool keep;
	void (*page)(struct page_scan *s, uint64_t i); /* harvest_page_() for bitmap and keep */
	uint64_t *slot;       /* the run's first entry */
	uint64_t start_page;  /* its bit in the bitmap */
	uint64_t first, last; /* entries [first, last) of the run were cleared (first ~0: none) */
	uint64_t found;       /* base pages found by every run */
};

struct harvest_op {
	uint64_t start;   /* first address of the range (bit 0 of the bitmap) */
	uint64_t *bitmap; /* NULL when only counting */
	size_t words;     /* 64-bit words in the bitmap */
	uint64_t flag;    /* the bit tested and cleared */
	uint64_t gate;    /* bits that must be set for `flag` to count */
	uint64_t swd;     /* the software copy of `flag`, counted ungated; 0: none */
	bool keep;
	uint64_t found;   /* base pages found (also scan.found, once the walk is done) */
	struct gather_state *g;
	struct page_scan scan;
};

/* Set bits [i, j) of the bitmap. */
static void bitmap_set(uint64_t *bm, uint64_t i, uint64_t j)
{
	while (i < j && (i & 63)) {
		bm[i >> 6] |= 1ull << (i & 63);
		i++;
	}
	for (; i + 64 <= j; i += 64)
		bm[i >> 6] = ~0ull;
	for (; i < j; i++)
		bm[i >> 6] |= 1ull << (i & 63);
}

/*
 * First walk: only check what the second will interpret. The entries of
 * a level-1 table are checked in one loop (the second walk reads the
 * tables below them itself, harvest_run()); a table entry as libslat
 * writes it passes on one test (core.h read_state).
 */
static int harvest_check_visit(struct walk *w, enum walk_visit how)
{
	if (how == WALK_POST || w->level == 0)
		return WALK_NEXT;
	if (w->level == 1) {
		const struct table_state *t = w->t;
		const uint64_t mask = t->read.table_mask, val = t->read.table_val;
		const uint64_t end = walk_run_end(w, false);
		const uint64_t size = level_size(w->lay, 1);
		const uint64_t *slot = w->slot;
		uint64_t addr = w->addr & ~(size - 1);

		for (; addr < end; addr += size, slot++) {
			uint64_t e = entry_load(slot);

			if (!((e ^ val) & mask) || !entry_present(w->lay, e))
				continue;
			if (entry_check_walkable(t, 1, e))
				return -SLAT_ECORRUPT;
		}
		w->addr = end;
		return WALK_SKIP;
	}
	if (!entry_present(w->lay, w->entry))
		return WALK_NEXT;
	if (entry_check_walkable(w->t, w->level, w->entry))
		return -SLAT_ECORRUPT;
	if (how == WALK_PRE)
		return w->level > 1 ? WALK_DESCEND : WALK_NEXT;
	return WALK_NEXT;
}

/*
 * The scan of base pages tests a group of HARVEST_GROUP entries (512
 * bytes) at once: the OR of all of them, against the bits looked for.
 * The group is read as HARVEST_BLOCKS blocks of HARVEST_BLOCK entries,
 * and each block's OR is kept in two lanes, one for its even entries,
 * one for its odd ones (with vector registers, that is what OR-ing two
 * entries per load gives for nothing). A lane with a hit is then looked
 * at entry by entry: 8 entries, two instructions each.
 *
 * The filter reads with plain loads: an entry that changes during the
 * read is either seen with the bit or without it, as if read a moment
 * earlier or later, and every entry the filter passes is read again,
 * atomically, before it is used. ThreadSanitizer would call those plain
 * reads a race with another thread's atomic writes, so its builds use
 * atomic loads for the filter too.
 *
 * The sizes, for the 1 % dirty pages of a live-migration round: a group
 * costs 32 loads and about 14 instructions more; 47 % of the groups have
 * a hit, then the 8 lanes are stored and tested (two instructions each)
 * and usually one lane of 8 entries is scanned. Hits are met lane by
 * lane, so not in address order.
 */
#define HARVEST_BLOCK 16u
#define HARVEST_BLOCKS 4u
#define HARVEST_GROUP (HARVEST_BLOCK * HARVEST_BLOCKS)
#define HARVEST_LANE (HARVEST_BLOCK / 2) /* entries of one parity in a block */

#if defined(__SANITIZE_THREAD__)
#define HARVEST_ATOMIC_FILTER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HARVEST_ATOMIC_FILTER 1
#endif
#endif

#if defined(HARVEST_ATOMIC_FILTER)
static SLAT_ALWAYS_INLINE __attribute__((unused)) uint64_t entry_peek(const uint64_t *p)
{
	return entry_load(p);
}
#else
/* A plain read of an entry, for the filter only (see above). */
static SLAT_ALWAYS_INLINE __attribute__((unused)) uint64_t entry_peek(const uint64_t *p)
{
	return *p;
}
#endif

#if !defined(HARVEST_ATOMIC_FILTER) && (defined(__SSE2__) || defined(__ARM_NEON))
/*
 * With vector registers (hosted builds; a hypervisor built with
 * -mgeneral-regs-only or -mno-sse takes the scalar loop below): two
 * entries per load, the even one in lane 0.
 */
typedef uint64_t entry_pair __attribute__((vector_size(16), may_alias));

/* Each block of the group, OR-ed down to one pair of entries. */
struct group_or {
	entry_pair block[HARVEST_BLOCKS];
};

/* Keep the ORs one chain, each taking its second operand from memory
 * (the compiler would otherwise make a tree of them, with a load more
 * per pair). */
#if defined(__x86_64__)
#define PAIR_CHAIN(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define PAIR_CHAIN(v) __asm__("" : "+w"(v))
#else
#define PAIR_CHAIN(v) ((void)0)
#endif

static SLAT_ALWAYS_INLINE entry_pair block_or(const entry_pair *v)
{
	entry_pair acc = v[0];
	unsigned i;

#pragma GCC unroll 8
	for (i = 1; i < HARVEST_BLOCK / 2; i++) {
		acc |= v[i];
		PAIR_CHAIN(acc);
	}
	return acc;
}

static SLAT_ALWAYS_INLINE struct group_or group_read(const uint64_t *p)
{
	const entry_pair *v = (const entry_pair *)__builtin_assume_aligned(p, 512);
	struct group_or r;
	unsigned b;

#pragma GCC unroll 4
	for (b = 0; b < HARVEST_BLOCKS; b++)
		r.block[b] = block_or(v + b * (HARVEST_BLOCK / 2));
	return r;
}

/* The two 64-bit halves of a vector swapped, as 32-bit words. */
#if defined(__clang__)
#define GROUP_SWAP(w) __builtin_shufflevector(w, w, 2, 3, 0, 1)
#else
#define GROUP_SWAP(w) __builtin_shuffle(w, (words){ 2, 3, 0, 1 })
#endif

/* The OR of the whole group, as one word. */
static SLAT_ALWAYS_INLINE uint64_t group_all(const struct group_or *r)
{
	typedef uint32_t words __attribute__((vector_size(16)));
	entry_pair v = r->block[0];
	unsigned b;

	/* One chain: one copy of a block, not two. */
#pragma GCC unroll 4
	for (b = 1; b < HARVEST_BLOCKS; b++) {
		v |= r->block[b];
		PAIR_CHAIN(v);
	}

	/* The two lanes OR-ed while still a vector (swapped as 32-bit
	 * words, which x86-64 does without a copy): one move out, not two. */
	return (v | (entry_pair)GROUP_SWAP((words)v))[0];
}

/*
 * A copy of `r` that the compiler takes for new values: harvest_group()
 * reads the lanes from memory, and the copy keeps their stores on the
 * path of a group with a hit (the compiler would otherwise store them
 * for every group).
 */
static SLAT_ALWAYS_INLINE struct group_or group_stored(struct group_or r)
{
	unsigned b;

#pragma GCC unroll 4
	for (b = 0; b < HARVEST_BLOCKS; b++)
		PAIR_CHAIN(r.block[b]);
	return r;
}

#else
/* One entry per load (general registers only, or atomic loads). */
struct group_or {
	uint64_t lane[HARVEST_BLOCKS][2];
};

static SLAT_ALWAYS_INLINE struct group_or group_read(const uint64_t *p)
{
	struct group_or r;
	unsigned b, i;

#pragma GCC unroll 4
	for (b = 0; b < HARVEST_BLOCKS; b++) {
		r.lane[b][0] = r.lane[b][1] = 0;
#pragma GCC unroll 16
		for (i = 0; i < HARVEST_BLOCK; i++)
			r.lane[b][i & 1] |= entry_peek(&p[b * HARVEST_BLOCK + i]);
	}
	return r;
}

static SLAT_ALWAYS_INLINE uint64_t group_all(const struct group_or *r)
{
	uint64_t v = 0;
	unsigned b;

#pragma GCC unroll 4
	for (b = 0; b < HARVEST_BLOCKS; b++)
		v |= r->lane[b][0] | r->lane[b][1];
	return v;
}

static SLAT_ALWAYS_INLINE struct group_or group_stored(struct group_or r)
{
	return r;
}

#endif

_Static_assert(HARVEST_BLOCKS == 4, "group_all() ORs four blocks");

/*
 * Does the entry at `p` have a bit of `any` set? The filter on one entry
 * (a plain read, see above). On x86-64 one TEST with the entry as its
 * memory operand: the compiler would load the entry, AND and branch,
 * three instructions for what is two.
 */
#if !defined(HARVEST_ATOMIC_FILTER) && defined(__x86_64__) && \
	defined(__GCC_ASM_FLAG_OUTPUTS__)
static SLAT_ALWAYS_INLINE bool entry_has(const uint64_t *p, uint64_t any)
{
	bool nz;

	__asm__("testq %2, %1" : "=@ccnz"(nz) : "m"(*p), "r"(any));
	return nz;
}
#else
static SLAT_ALWAYS_INLINE bool entry_has(const uint64_t *p, uint64_t any)
{
	return (entry_peek(p) & any) != 0;
}
#endif

/*
 * Entry `i` of the run, which passed the filter: the whole rule, on an
 * atomic read. Compiled for each combination of a bitmap (dirty harvest)
 * or none (accessed) and keeping the bits or clearing them, chosen once
 * per call (page_scan::page): out of line, so that the scans keep their
 * registers (hits are rare), and with nothing tested per hit that the
 * call already knows.
 */
static SLAT_ALWAYS_INLINE void harvest_page_(struct page_scan *s, uint64_t i,
					     bool bitmap, bool keep)
{
	uint64_t *const p = &s->slot[i];
	const uint64_t e = entry_load(p);
	/*
	 * hw | (e & swd), hw = the flag where (e & gate) == gate, else 0:
	 * the flag and the software copy behind the gate, the copy alone
	 * without it. (e & gate) == gate is e | ~gate == ~0.
	 */
	const uint64_t v = e & ((e | s->not_gate) == ~0ull ? s->any : s->swd);
	uint64_t b;

	/* entry_is_page(), from the scan's copy of the layout's masks. */
	if (!v || !(e & s->present) || (e & s->page_mask) != s->page_type)
		return;
	if (bitmap) {
		b = s->start_page + i;
		s->bitmap[b >> 6] |= 1ull << (b & 63);
	}
	s->found++;
	if (!keep) {
		/* ~(hw | swd): v | swd is hw | swd (v's flag bit is hw's). */
		__atomic_fetch_and(p, ~(v | s->swd), __ATOMIC_RELAXED);
		/* Hits come lane by lane, not in address order. */
		if (i < s->first)
			s->first = i;
		if (i + 1 > s->last)
			s->last = i + 1;
	}
}

static __attribute__((noinline)) void harvest_page_bc(struct page_scan *s, uint64_t i)
{
	harvest_page_(s, i, true, false);
}

static __attribute__((noinline)) void harvest_page_bk(struct page_scan *s, uint64_t i)
{
	harvest_page_(s, i, true, true);
}

static __attribute__((noinline)) void harvest_page_c(struct page_scan *s, uint64_t i)
{
	harvest_page_(s, i, false, false);
}

static __attribute__((noinline)) void harvest_page_k(struct page_scan *s, uint64_t i)
{
	harvest_page_(s, i, false, true);
}

static SLAT_ALWAYS_INLINE void harvest_page(struct page_scan *s, uint64_t i)
{
	s->page(s, i);
}

/*
 * A group the filter passed (entries [i, i + HARVEST_GROUP) of the run),
 * with the ORs of its lanes (`r`, in memory: each lane's test is then one
 * instruction and a branch): each lane with a hit entry by entry, a
 * branch per entry taken only on a hit. The lanes are stored only here
 * (group_stored()): the group loop itself keeps them in registers.
 */
static SLAT_ALWAYS_INLINE void harvest_group(struct page_scan *s, uint64_t i,
					     const struct group_or *r)
{
	const uint64_t *const p = s->slot + i;
	const uint64_t *const lanes = (const uint64_t *)r;
	const uint64_t any = s->any;
	unsigned lane, k;

	_Static_assert(sizeof(*r) == 2 * HARVEST_BLOCKS * sizeof(uint64_t),
		       "struct group_or: one word per lane, block by block, even lane first");
#pragma GCC unroll 8
	for (lane = 0; lane < 2 * HARVEST_BLOCKS; lane++) {
		/* Lane `lane`: entries (lane / 2) * HARVEST_BLOCK + (lane & 1) + 2k. */
		const unsigned first = (lane / 2) * HARVEST_BLOCK + (lane & 1);

		if (!entry_has(&lanes[lane], any))
			continue;
#pragma GCC unroll 8
		for (k = 0; k < HARVEST_LANE; k++)
			if (__builtin_expect(entry_has(&p[first + 2 * k], any), 0))
				harvest_page(s, i + first + 2 * k);
	}
}

/* Entries [i, end) of the run outside whole groups: one by one. */
static __attribute__((noinline)) void harvest_entries(struct page_scan *s, uint64_t i,
						      uint64_t end)
{
	for (; i < end; i++)
		if (entry_has(&s->slot[i], s->any))
			harvest_page(s, i);
}

/*
 * A run of base pages: one bit each, and in a live-migration loop most
 * of them clean. Whole groups are tested at once (group_read()); in a
 * group with a hit, each lane with one is looked at entry by entry
 * (harvest_group()), and the entries outside whole groups one at a time.
 */
static SLAT_ALWAYS_INLINE void harvest_page_run_(struct table_state *t, struct harvest_op *op,
						 uint64_t *slot, uint64_t addr, uint64_t end,
						 bool std_table)
{
	struct page_scan *const s = &op->scan;
	const unsigned page_lg2 = std_table ? 12u : t->lay.granule_lg2;
	const uint64_t any = s->any;
	const uint64_t n = std_table ? 512u : (end - addr) >> page_lg2;
	/* Entries before the first whole group (tables are page-aligned). */
	uint64_t head = std_table ? 0 :
		(uint64_t)((-(uintptr_t)slot / sizeof(uint64_t)) & (HARVEST_GROUP - 1));
	const uint64_t *g, *groups_end;

	s->slot = slot;
	s->start_page = (addr - op->start) >> page_lg2;
	s->first = ~0ull;
	s->last = 0;
	if (head > n)
		head = n;
	if (head)
		harvest_entries(s, 0, head);
	groups_end = slot + head + ((n - head) & ~(uint64_t)(HARVEST_GROUP - 1));
	for (g = slot + head; g != groups_end; g += HARVEST_GROUP) {
		const struct group_or r = group_read(g);

		if (__builtin_expect(!(group_all(&r) & any), 1))
			continue;
		{
			const struct group_or m = group_stored(r);

			harvest_group(s, (uint64_t)(g - slot), &m);
		}
	}
	if ((uint64_t)(groups_end - slot) < n)
		harvest_entries(s, (uint64_t)(groups_end - slot), n);
	if (s->last) {
		table_clean_run(t, slot + s->first, slot + s->last);
		gather_add(op->g, addr + (s->first << page_lg2),
			   addr + (s->last << page_lg2), 1ull << page_lg2, 0);
	}
}

/*
 * harvest_page_run_() for a run of `end` - `addr` base pages from `slot`;
 * harvest_table() for a whole level-0 table of the READ_STD_* geometry
 * (512 entries of 4 KiB from `slot`, page-aligned), where the scan's
 * bounds are constants.
 */
static SLAT_ALWAYS_INLINE void harvest_page_run(struct table_state *t, struct harvest_op *op,
						uint64_t *slot, uint64_t addr, uint64_t end)
{
	harvest_page_run_(t, op, slot, addr, end, false);
}

static SLAT_ALWAYS_INLINE void harvest_table(struct table_state *t, struct harvest_op *op,
					     uint64_t *slot, uint64_t addr)
{
	harvest_page_run_(t, op, slot, addr, addr + (512u << 12), true);
}

/*
 * The run of entries of the visited table from the visited one: leaves
 * in one loop; at level 1 the tables of base pages too, each scanned by
 * harvest_page_run() or harvest_table() (inlined here: no call per table)
 * through the walker's descent step, so that the walk makes no step of
 * its own per table of pages. A table entry above level 1 ends the run
 * (the walker descends into it). Ranges go to the gather in address
 * order, as the walker would have visited them.
 */
static int harvest_run(struct walk *w, struct harvest_op *op)
{
	const struct slat_layout *l = w->lay;
	const unsigned level = w->level;
	const uint64_t size = level_size(l, level);
	const unsigned page_lg2 = l->granule_lg2;
	const uint64_t end = walk_run_end(w, false);
	uint64_t *slot = w->slot;
	uint64_t addr = w->addr, first = 0, last = 0;

	/* READ_STD_*: a linear map and entries with the address in place. */
	const bool std = w->t->read.walk != READ_GENERIC;
	/* Level 1 of READ_STD_*, with the one-test table check (read_state). */
	const bool std1 = std && level == 1 && w->t->read.table_mask;
	const uint64_t tmask = w->t->read.table_mask, tval = w->t->read.table_val;

	while (addr < end) {
		uint64_t e = entry_load(slot);
		uint64_t base = addr & ~(size - 1);
		uint64_t stop;
		uint64_t hw;

		/*
		 * The common case first: a whole table of base pages, linked
		 * as libslat links it (the test implies entry_present() and
		 * entry_is_table(); any other entry takes the rule below).
		 */
		if (std1 && !((e ^ tval) & tmask) && addr == base && base + size <= w->end) {
			if (last) {
				table_clean_run(w->t, w->slot + ((first - w->base) >> l->shift[level]),
						w->slot + ((last - w->base) >> l->shift[level]));
				gather_add(op->g, first, last, 1ull << l->shift[level], 0);
				last = 0;
			}
			harvest_table(w->t, op, walk_step_table(w->t, e, true, l->addr_mask,
								 w->t->linear_offset),
				      addr);
			addr = base + size;
			slot++;
			continue;
		}
		stop = base + size < w->end ? base + size : w->end;
		if (entry_present(l, e) && entry_is_table(l, level, e)) {
			uint64_t *child;

			if (level > 1)
				break;
			if (last) {
				table_clean_run(w->t, w->slot + ((first - w->base) >> l->shift[level]),
						w->slot + ((last - w->base) >> l->shift[level]));
				gather_add(op->g, first, last, 1ull << l->shift[level], 0);
				last = 0;
			}
			if (std && addr == base && stop == base + size) {
				/* A whole table of the common geometry. */
				harvest_table(w->t, op, walk_step_table(w->t, e, true, l->addr_mask,
									 w->t->linear_offset),
					      addr);
				goto next;
			}
			child = walk_step_table(w->t, e, false, 0, 0);
			harvest_page_run(w->t, op, &child[entry_index(l, 0, addr)], addr, stop);
			goto next;
		}
		hw = (e & op->gate) == op->gate ? e & op->flag : 0;
		if ((hw | (e & op->swd)) && entry_present(l, e)) {
			if (op->bitmap)
				bitmap_set(op->bitmap, (addr - op->start) >> page_lg2,
					   (stop - op->start) >> page_lg2);
			op->found += (stop - addr) >> page_lg2;
			if (!op->keep && addr == base && stop == base + size) {
				__atomic_fetch_and(slot, ~(hw | op->swd), __ATOMIC_RELAXED);
				if (!last)
					first = base;
				last = base + size;
			}
		}
next:
		addr = stop;
		slot++;
	}
	if (last) {
		/* w->addr may sit inside the first entry: count from its base. */
		table_clean_run(w->t, w->slot + ((first - w->base) >> l->shift[level]),
				w->slot + ((last - w->base) >> l->shift[level]));
		gather_add(op->g, first, last, 1ull << l->shift[level], 0);
	}
	w->addr = addr;
	return WALK_SKIP;
}

static int harvest_visit(struct walk *w, enum walk_visit how)
{
	struct harvest_op *op = (struct harvest_op *)w->op;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE && w->level > 1)
		return WALK_DESCEND;
	if (w->level == 0) {
		/* Only a walk that starts at level 0 (a one-level table). */
		harvest_page_run(w->t, op, w->slot, w->addr, walk_run_end(w, false));
		w->addr = walk_run_end(w, false);
		return WALK_SKIP;
	}
	return harvest_run(w, op);
}

static int harvest_walks(struct table_state *t, uint64_t gpa, uint64_t size,
			 struct harvest_op *op)
{
	struct walk w;
	int err;

	walk_init(&w, t, gpa, gpa + size, op);
	err = walk_range(&w, harvest_check_visit);
	if (err)
		return err;
	op->g->table = t;
	op->scan.bitmap = op->bitmap;
	op->scan.any = op->flag | op->swd;
	op->scan.not_gate = ~op->gate;
	op->scan.swd = op->swd;
	op->scan.page_mask = t->lay.page_mask;
	op->scan.page_type = t->lay.page_type;
	op->scan.present = t->lay.present | t->lay.noaccess;
	op->scan.keep = op->keep;
	if (op->bitmap)
		op->scan.page = op->keep ? harvest_page_bk : harvest_page_bc;
	else
		op->scan.page = op->keep ? harvest_page_k : harvest_page_c;
	op->scan.found = 0;
	walk_init(&w, t, gpa, gpa + size, op);
	err = walk_range(&w, harvest_visit);
	op->found += op->scan.found;
	return err;
}

/* SLAT_FEAT_CONCURRENT: the walks under the range lock (range_lock.h). */
static int harvest_held(struct table_state *t, uint64_t gpa, uint64_t size,
			struct harvest_op *op)
{
	struct range_node hold;
	int err;

	range_hold(t, &hold, gpa, gpa + size);
	err = harvest_walks(t, gpa, size, op);
	range_unlock(t, &hold);
	return err;
}

static int harvest(struct table_state *t, uint64_t gpa, uint64_t size,
		   uint32_t flags, struct harvest_op *op)
{
	int err;

	if (!t || !op->g)
		return SLAT_ENULL;
	err = range_check(t, gpa, size);
	if (err)
		return err;
	if (flags & ~(uint32_t)SLAT_HARVEST_KEEP)
		return SLAT_EFLAGS;
	if (!(t->features & SLAT_FEAT_AD))
		return SLAT_ENOFEAT;
	/* One bit per base page; the walk must never write past the caller's words. */
	if (op->bitmap &&
	    op->words < (((size >> t->lay.granule_lg2) + 63) >> 6))
		return SLAT_ENOSPC;
	err = gather_check(op->g, t);
	if (err)
		return err;
	op->start = gpa;
	op->keep = flags & SLAT_HARVEST_KEEP;
	if (SLAT_UNLIKELY(t->concurrent))
		return harvest_held(t, gpa, size, op);
	return harvest_walks(t, gpa, size, op);
}

int slat_dirty_harvest(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		       uint64_t *bitmap, size_t bitmap_words, uint32_t flags,
		       uint64_t *found, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct harvest_op op;
	int err;

	if (!bitmap)
		return SLAT_ENULL;
	__builtin_memset(&op, 0, sizeof(op));
	op.bitmap = bitmap;
	op.words = bitmap_words;
	op.g = g;
	if (t) {
		op.flag = t->lay.dirty;
		op.gate = t->lay.dirty_gate;
		op.swd = t->lay.sw_dirty;
	}
	err = harvest(t, gpa.v, size, flags, &op);
	if (!err && found)
		*found = op.found;
	return err;
}

int slat_accessed(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		  uint32_t flags, uint64_t *accessed, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct harvest_op op;
	int err;

	if (!accessed)
		return SLAT_ENULL;
	__builtin_memset(&op, 0, sizeof(op));
	op.g = g;
	if (t)
		op.flag = t->lay.accessed;
	err = harvest(t, gpa.v, size, flags, &op);
	if (!err)
		*accessed = op.found;
	return err;
}
