/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the core's operations.
 *
 * Levels are numbered from the bottom: level 0 holds base pages, the root is
 * level lay.levels - 1. Every entry access goes through entry_load() and
 * entry_store(): one 64-bit access each, never torn, and a store is a release
 * so that a table filled before it is linked is complete when a walker can
 * see it.
 */
#ifndef SLAT_LIB_CORE_H
#define SLAT_LIB_CORE_H

#include <slat/error.h>
#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#include "format.h"

/*
 * Internal functions keep short names in the sources but reach the object
 * files with a slat__ prefix, so that a hypervisor linking the library
 * statically cannot collide with them (tests/freestanding.sh checks it).
 */
#define layout_sizes_upto slat__layout_sizes_upto
#define entry_check_walkable slat__entry_check_walkable
#define range_check slat__range_check
#define change_check slat__change_check
#define reserve_fill slat__reserve_fill
#define page_check slat__page_check
#define reserve_take slat__reserve_take
#define reserve_release slat__reserve_release
#define fresh_zero slat__fresh_zero
#define gather_overlaps slat__gather_overlaps
#define gather_settle slat__gather_settle
#define gather_add slat__gather_add
#define gather_reset slat__gather_reset
#define gather_clear slat__gather_clear
#define gather_defer_page slat__gather_defer_page
#define gather_free_pages slat__gather_free_pages
#define gather_defer_tree slat__gather_defer_tree
#define gather_defer_below_root slat__gather_defer_below_root
#define tree_check slat__tree_check
#define entry_make slat__entry_make
#define broken_sync slat__broken_sync
#define leaf_to_table slat__leaf_to_table
#define attrs_check slat__attrs_check
#define attrs_encode slat__attrs_encode
#define attrs_decode slat__attrs_decode
#define leaf_templates slat__leaf_templates
#define leaf_split_check slat__leaf_split_check
#define leaf_faithful slat__leaf_faithful
#define leaf_split_fill slat__leaf_split_fill
#define leaf_split_tmpl slat__leaf_split_tmpl
#define leaf_split_write slat__leaf_split_write
#define mapping_fill slat__mapping_fill
#define leaf_find slat__leaf_find
#define table_is_empty slat__table_is_empty
#define read_setup slat__read_setup
#define edge_split_cost slat__edge_split_cost


#define SLAT_ALWAYS_INLINE inline __attribute__((always_inline))
#define SLAT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- entries ---------------------------------------------------------- */

/*
 * An acquire: under SLAT_FEAT_CONCURRENT the table an entry points to may
 * have been filled by another thread just before it linked it with a
 * release, and every read of that table must see the filling. On x86-64
 * an acquire load is a plain load; on AArch64 it is LDAR (or LDAPR).
 */
static inline uint64_t entry_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void entry_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Make `bytes` of table memory at `p`, just written, visible to a walker
 * that does not snoop the data cache (slat_config::clean_tables). One
 * test of a field per call: callers with a run of entries call it once
 * for the run, after the loop, never per entry.
 */
static inline void table_clean(const struct table_state *t, const void *p,
			       uint64_t bytes)
{
	if (SLAT_UNLIKELY(t->clean != 0))
		t->clean(t->clean_ctx, (void *)(uintptr_t)p, (size_t)bytes);
}

/* The entries [from, to) of one table (to > from), as one range. */
static inline void table_clean_run(const struct table_state *t,
				   const uint64_t *from, const uint64_t *to)
{
	table_clean(t, from, (uint64_t)(to - from) * sizeof(*from));
}

/*
 * The last moment before libslat replaces a live leaf it has read: where a
 * guest access on another CPU setting accessed/dirty state is most likely
 * to be lost. Nothing in the library; tests/unit/test_race.c and the
 * fuzzers build it with SLAT_TEST_RACE and make that access happen here.
 */
#ifdef SLAT_TEST_RACE
void slat__race_point(uint64_t *slot);
#else
static inline void slat__race_point(uint64_t *slot)
{
	(void)slot;
}
#endif

/*
 * Replace a live leaf whose hardware-owned bits (accessed, dirty) may change
 * under us: `make` computes the new value from the latest old one, so an
 * update the hardware makes between our read and our write is never lost.
 */
static inline bool entry_cmpxchg(uint64_t *p, uint64_t *old, uint64_t new_)
{
	slat__race_point(p);
	return __atomic_compare_exchange_n(p, old, new_, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/*
 * Is the entry a table or a leaf to libslat? That is: present to the
 * hardware, or a no-access leaf. On x86 an entry without permission is not
 * present to the processor (EPT R = W = X = 0, NPT P = 0), which then
 * ignores the rest of it; libslat keeps the output address and memory type
 * there, and marks such a leaf with the format's `noaccess` bit so that it
 * is told apart from an absent entry. Everything that asks "is something
 * mapped here" (collisions, emptiness, translate, iterate, protect, split)
 * asks this; only entry_is_table() and entry_hw_present() ask the hardware's
 * question.
 */
static inline bool entry_present(const struct slat_layout *l, uint64_t e)
{
	return (e & (l->present | l->noaccess)) != 0;
}

/* Does the hardware see the entry at all? */
static inline bool entry_hw_present(const struct slat_layout *l, uint64_t e)
{
	return (e & l->present) != 0;
}

/* A no-access leaf the hardware does not see (x86 formats only). */
static inline bool entry_noaccess(const struct slat_layout *l, uint64_t e)
{
	return !(e & l->present) && (e & l->noaccess);
}

/*
 * An absent entry that carries an embedder's payload (slat/payload.h):
 * neither present nor a no-access leaf, with a non-zero payload field.
 * To the hardware it is absent; to the core it keeps its table occupied
 * (table_is_empty() reads whole entries) and is never followed.
 */
static inline bool entry_payload(const struct slat_layout *l, uint64_t e)
{
	return !entry_present(l, e) && (e & l->payload_mask) != 0;
}

/*
 * An entry above level 0 that points to a table. Only an entry present to
 * the hardware can be one: a not-present x86 entry holding an address is a
 * no-access leaf (or nothing), never a table the core would follow.
 */
static inline bool entry_is_table(const struct slat_layout *l, unsigned level,
				  uint64_t e)
{
	return level > 0 && (e & l->present) && (e & l->type_mask) == l->table_type;
}

/*
 * A present entry the hardware would use as a leaf at level 0. The format
 * may demand a type (Arm page descriptors) or one of some bits (RISC-V's
 * R, W or X: see page_valid in struct slat_layout); entries failing it are
 * invalid to the hardware and so to the core. Above level 0 anything
 * present that is not a table is a leaf, and entry_leaf_ok() tells whether
 * the level can hold one. Every page_valid bit is a present bit, or
 * page_mask demands one, so the test is the same two as ever.
 */
static inline bool entry_is_page(const struct slat_layout *l, uint64_t e)
{
	return (e & l->page_valid) != 0 && (e & l->page_mask) == l->page_type;
}

static inline uint64_t level_size(const struct slat_layout *l, unsigned level)
{
	return 1ull << l->shift[level];
}

static inline uint64_t level_mask(const struct slat_layout *l, unsigned level)
{
	return level_size(l, level) - 1;
}

/*
 * Output addresses in entries, as the layout describes them (struct
 * slat_layout, addr_mask): address bits at their own entry bits, except a
 * field `oa_hi` kept `oa_hi_shift` places lower (Arm 64K with 52 bits:
 * address 51:48 in entry 15:12; RISC-V: the page number, address 55:12,
 * in entry 53:10). Nothing else in the core knows where an address sits.
 */
static inline uint64_t entry_addr(const struct slat_layout *l, uint64_t e)
{
	return (e & l->addr_mask & ~l->oa_hi) | ((e & l->oa_hi) << l->oa_hi_shift);
}

/*
 * The entry bits for the (aligned, in-range) address `pa`, the shifted
 * field given as values: loops that store entries read it into locals
 * once, because their stores could alias the layout and force a reload
 * per entry; with hi and shift constant 0 it is `pa` itself, which is how
 * the loops compile for formats without a shifted field. `pa` is aligned
 * and inside the physical width, so the bits the field moves out of are
 * the field's own and nothing else is left at its old place.
 */
static inline uint64_t addr_entry_split(uint64_t pa, uint64_t hi, unsigned shift)
{
	return (pa & ~(hi << shift)) | ((pa >> shift) & hi);
}

static inline uint64_t addr_entry(const struct slat_layout *l, uint64_t pa)
{
	return addr_entry_split(pa, l->oa_hi, l->oa_hi_shift);
}

/* Output address of a leaf at `level`. */
static inline uint64_t entry_leaf_addr(const struct slat_layout *l,
				       unsigned level, uint64_t e)
{
	return entry_addr(l, e) & ~level_mask(l, level);
}

/* Address of the table a table entry points to. */
static inline uint64_t entry_table_addr(const struct slat_layout *l, uint64_t e)
{
	return entry_addr(l, e);
}

static inline uint64_t entry_index(const struct slat_layout *l, unsigned level,
				   uint64_t addr)
{
	return (addr >> l->shift[level]) & ((1ull << l->bits[level]) - 1);
}

/* Bytes covered by a whole table at `level`. */
static inline uint64_t table_span(const struct slat_layout *l, unsigned level)
{
	return 1ull << (l->shift[level] + l->bits[level]);
}

static inline uint64_t table_entries(const struct slat_layout *l, unsigned level)
{
	return 1ull << l->bits[level];
}

/*
 * A linearly mapped table (SLAT_FEAT_LINEAR_MAP) is reached by an add:
 * that test comes first, so an embedder with a direct map pays no call
 * per level.
 */
static inline void *table_va(const struct table_state *t, uint64_t pa)
{
	if (t->features & SLAT_FEAT_LINEAR_MAP)
		return (void *)(uintptr_t)(pa + t->linear_offset);
	return t->alloc.phys_to_virt(t->alloc.ctx, pa);
}

/*
 * A 64-bit fingerprint of a table page's address (the splitmix64
 * finaliser). The table keeps the sum of the fingerprints of the pages it
 * holds; slat_validate() sums those it reaches, so a table entry that was
 * changed to point at another page shows even when the number of
 * reachable pages stays right (two entries to one page, one orphaned).
 */
static inline uint64_t page_tag(uint64_t pa)
{
	pa ^= pa >> 30;
	pa *= 0xbf58476d1ce4e5b9ull;
	pa ^= pa >> 27;
	pa *= 0x94d049bb133111ebull;
	return pa ^ (pa >> 31);
}

/* Sizes of every leaf and table entry below and including `level`. */
uint64_t layout_sizes_upto(const struct slat_layout *l, unsigned level);

/*
 * Why an entry above level 0 cannot be walked: 0 when it is a table with a
 * reachable address or a leaf at a level the hardware accepts leaves at,
 * SLAT_ECORRUPT otherwise.
 */
static inline int entry_check_walkable(const struct table_state *t, unsigned level,
				       uint64_t e)
{
	const struct slat_layout *l = &t->lay;

	if (entry_is_table(l, level, e)) {
		if (e & l->addr_field & ~l->addr_mask)
			return SLAT_ECORRUPT;
		return SLAT_OK;
	}
	/* A leaf where the hardware accepts none is a reserved-bit fault or
	 * misconfiguration to the hardware; the core refuses to interpret it. */
	if (!(l->leaf_levels_hw & (1u << level)))
		return SLAT_ECORRUPT;
	return SLAT_OK;
}

/* ---- argument checks -------------------------------------------------- */

/*
 * Checks common to every range call (after the NULL checks); returns
 * SLAT_OK or the error: SLAT_EDEAD for a destroyed table, then the range.
 */
int range_check(const struct table_state *t, uint64_t gpa, uint64_t size);

/* range_check(), then may `g` be used with `t` (gather_check()). */
int change_check(const struct table_state *t, const struct gather_state *g,
		 uint64_t gpa, uint64_t size);

/* ---- counting tables ------------------------------------------------- */

/*
 * Tables needed to split the leaf at `level` so that [a, b), a part of it,
 * can be changed alone: one table below it, plus the splits of the (at most
 * two) entries of that table holding the ends of the range.
 */
uint64_t edge_split_cost(const struct slat_layout *l, unsigned level,
			 uint64_t a, uint64_t b);

/* ---- table pages ------------------------------------------------------ */

/*
 * Pages a call reserves before it changes anything, so that the change
 * itself cannot fail half-way. Reserved pages are chained through their
 * first two words (next, own physical address); they are reachable by no
 * walker, and their list words are zeroed again when taken.
 */
struct reserve {
	uint64_t *head;
	uint64_t count;
};

int reserve_fill(struct table_state *t, struct reserve *r, uint64_t n);
/* Is the block at `pa` of 2^lg2 bytes a usable table? SLAT_EALIGN, SLAT_EHPA. */
int page_check(const struct slat_layout *l, uint64_t pa, unsigned lg2);
/*
 * A reserved page, its two list words zeroed. Under
 * SLAT_FEAT_ALLOC_UNZEROED the rest is whatever the allocator left: the
 * caller writes every entry a walker could read (leaf_split_fill()) or
 * zeroes them (fresh_zero()) before the walker visits the page.
 */
uint64_t *reserve_take(struct reserve *r, uint64_t *pa);
void reserve_release(struct table_state *t, struct reserve *r);
/* Zero entries [from, to) of a fresh table, unless the allocator did. */
void fresh_zero(const struct table_state *t, uint64_t *table, uint64_t from,
		uint64_t to);

/* ---- gathering -------------------------------------------------------- */

/*
 * May `g` be used with `t`? A gather is bound to its table by the first
 * call that changes something (so a failed call leaves it untouched).
 */
static inline int gather_check(const struct gather_state *g,
			       const struct table_state *t)
{
	return g->table && g->table != t ? SLAT_EGATHER : SLAT_OK;
}

/* Make `g` empty and unbound, whatever it held. */
void gather_reset(struct gather_state *g);

/*
 * The same for a gather that is known to be a gather (not garbage): only
 * the fields an empty, unbound gather is read through are reset, which is
 * what slat_gather_done() needs on every fault.
 */
void gather_clear(struct gather_state *g);

/* Record that translations of [start, end) changed. */
void gather_add(struct gather_state *g, uint64_t start, uint64_t end,
		uint64_t leaf_sizes, uint64_t table_sizes);

/*
 * The common case of gather_add() for one leaf of `size` at `start` (a
 * one-page call's), inline: it falls inside a range already (random pages,
 * once the ranges have merged to the limit), where only that range's sizes
 * grow. Ranges are sorted and disjoint, so the first one that ends at or
 * after the leaf's end is the only one that can hold it. Returns false,
 * having changed nothing, for gather_add() to do the rest.
 */
static SLAT_ALWAYS_INLINE bool gather_add_inside(struct gather_state *g, uint64_t start,
						 uint64_t size)
{
	struct slat_gather_range *r = g->ranges;
	const uint32_t n = g->nranges;
	uint32_t i = 0;

	/* Halve the search in a full gather. */
	if (n == SLAT_GATHER_RANGES && r[n / 2 - 1].end < start + size)
		i = n / 2;
	for (; i < n; i++) {
		if (r[i].end >= start + size) {
			if (r[i].start > start)
				return false;
			r[i].leaf_sizes |= size;
			g->live = g;
			return true;
		}
	}
	return false;
}

/*
 * Does `g` hold a pending invalidation overlapping [start, end)?
 */
bool gather_overlaps(const struct gather_state *g, uint64_t start, uint64_t end);

/*
 * Complete the invalidation `g` holds now, through the embedder's
 * synchronous hook, and forget its ranges (the table pages it holds stay
 * until slat_gather_done()). Used where break-before-make forbids writing
 * a valid entry while the old translation may still be cached.
 */
void gather_settle(struct table_state *t, struct gather_state *g);

/*
 * Check that every entry above level 0 in the subtree `va` (at `level`) can
 * be walked, before a call unlinks it whole (gather_defer_tree() follows
 * its table entries). SLAT_ECORRUPT if not.
 */
int tree_check(const struct table_state *t, const uint64_t *va, unsigned level);

/*
 * Hand the unlinked table at `va` (level `level`, with everything below it)
 * to the gather; freed by slat_gather_done(). Subtables are found through
 * the table's own entries before they are overwritten.
 */
void gather_defer_tree(struct table_state *t, struct gather_state *g,
		       uint64_t *va, uint64_t pa, unsigned level);

/*
 * Hand the one unlinked table page `va` to the gather, without reading
 * its entries: for a page with no table below it (a level-0 table, or
 * one found empty), and for each page of gather_defer_tree()'s walk.
 */
void gather_defer_page(struct table_state *t, struct gather_state *g,
		       uint64_t *va, uint64_t pa);

/* gather_defer_tree() for every table below the root (the root stays). */
void gather_defer_below_root(struct table_state *t, struct gather_state *g);

/* Free every page on `g`'s list (see gather_defer_tree()); leaves it empty. */
void gather_free_pages(struct table_state *t, struct gather_state *g);

/* ---- replacing live entries ------------------------------------------ */

/* Does replacing present `old` by present `new_` need break-before-make? */
static inline bool entry_needs_bbm(const struct slat_layout *l, uint64_t old,
				   uint64_t new_, bool shape_change)
{
	return l->bbm_mask && (shape_change || ((old ^ new_) & l->bbm_mask));
}

/*
 * Break-before-make, in two halves so that the caller can compute the new
 * entry from the last value the hardware left in the old one:
 * entry_break() invalidates the entry and returns that value;
 * entry_make() has the embedder invalidate what the old entry (a leaf, or
 * a table when `old_table`) translated at `base`, then writes `new_`.
 */
static inline uint64_t entry_break(uint64_t *slot)
{
	slat__race_point(slot);
	return __atomic_exchange_n(slot, 0, __ATOMIC_ACQ_REL);
}

void entry_make(struct table_state *t, uint64_t *slot, uint64_t new_,
		uint64_t base, unsigned level, bool old_table);

/*
 * The "invalidate" step of break-before-make for the broken entries of
 * level `level` in [start, end) (leaves, or tables when `old_table`):
 * the embedder's synchronous hook.
 */
void broken_sync(struct table_state *t, uint64_t start, uint64_t end,
		 unsigned level, bool old_table);

/*
 * Replace the leaf `old` at `slot` (level `level`, translating from `base`)
 * by a table entry for the fresh subtree `child`, which was filled from
 * `old`. When the slot is `live` (in a linked table), accessed/dirty state
 * that the hardware set in the leaf after it was read is copied into the
 * subtree before the subtree is visible, and the old leaf is invalidated.
 */
void leaf_to_table(struct table_state *t, uint64_t *slot, uint64_t old,
		   uint64_t *child, uint64_t child_pa, unsigned level,
		   uint64_t base, bool live, struct gather_state *g);

/* ---- leaves ----------------------------------------------------------- */

/* Leaf templates per level for one set of attributes. */
struct leaf_tmpl {
	uint64_t bits[SLAT_MAX_LEVELS];
};

/* Format-independent checks of attributes from the caller. */
int attrs_check(const struct table_state *t, const struct slat_attrs *a);

/* The backend's encoding plus the software bits. */
int attrs_encode(const struct table_state *t, unsigned level,
		const struct slat_attrs *a, uint64_t *tmpl);
void attrs_decode(const struct table_state *t, unsigned level, uint64_t e,
		 struct slat_attrs *a);

/* attrs_check(), then a template for every level in `levels_mask`. */
int leaf_templates(const struct table_state *t, const struct slat_attrs *a,
		   unsigned levels_mask, struct leaf_tmpl *out);

/*
 * Fill the fresh table `child` (level `level` - 1) with leaves that
 * translate exactly as the leaf `old` at `level` did, keeping its attributes
 * and hardware accessed/dirty state.
 */
/*
 * Does the leaf `e` at `level` say exactly what its decoded attributes
 * (returned in `a`) say? A leaf written by hand with an encoding libslat
 * never writes would otherwise be silently re-encoded by a split or a
 * protect. SLAT_ECORRUPT when it does not.
 */
int leaf_faithful(const struct table_state *t, unsigned level, uint64_t e,
		  struct slat_attrs *a);

/*
 * Can the leaf `old` at `level` be split? It can when it is faithful, the
 * level below holds leaves, and its attributes exist there; checked before
 * a call changes anything.
 */
int leaf_split_check(const struct table_state *t, unsigned level, uint64_t old);

/* leaf_split_check(), giving the template of the pieces in `tmpl` too. */
int leaf_split_tmpl(const struct table_state *t, unsigned level, uint64_t old,
		    uint64_t *tmpl);

/* Fill the fresh table `child` with the pieces of the leaf `old` at `level`. */
void leaf_split_fill(const struct table_state *t, unsigned level, uint64_t old,
		     uint64_t *child);

/* The same with their template from leaf_split_tmpl(). */
void leaf_split_write(const struct table_state *t, unsigned level, uint64_t old,
		      uint64_t tmpl, uint64_t *child);

/* Is the leaf `e` dirty: hardware dirty state, or the software copy of it? */
static inline bool leaf_dirty(const struct slat_layout *l, uint64_t e)
{
	return ((e & l->dirty) && (e & l->dirty_gate) == l->dirty_gate) ||
	       (e & l->sw_dirty);
}

/*
 * A new leaf template keeps the hardware-owned state of the leaf it
 * replaces. Dirty state the new leaf cannot hold in hardware form (its
 * dirty_gate is clear: an Arm leaf that lost DBM with its write
 * permission) moves to the layout's software dirty bit, so that the same
 * calls leave the same pages dirty on every format; a software dirty bit
 * already set stays until a harvest clears it.
 */
static inline uint64_t leaf_keep_hw(const struct slat_layout *l, uint64_t tmpl,
				    uint64_t old)
{
	uint64_t v = (tmpl & ~(l->accessed | l->sw_dirty)) |
		     (old & (l->accessed | l->sw_dirty));

	if ((v & l->dirty_gate) == l->dirty_gate)
		v |= old & l->dirty;
	else if (leaf_dirty(l, old))
		v |= l->sw_dirty;
	return v;
}

/* ---- reading --------------------------------------------------------- */

struct slat_mapping;

/* Describe the leaf `e` at `level` from `gpa` up to min(end, leaf end); end 0: leaf end. */
void mapping_fill(const struct table_state *t, unsigned level, uint64_t e,
		  uint64_t gpa, uint64_t end, struct slat_mapping *m);

/*
 * The slot and level of the leaf translating `gpa` (SLAT_ENOENT,
 * SLAT_ECORRUPT). The caller has checked `gpa` against the input width:
 * the root's index is taken from what is left of it, unmasked.
 */
int leaf_find(const struct table_state *t, uint64_t gpa, uint64_t **slot,
	      unsigned *level);

/* Fill t->read from the layout and the backend (slat_table_init()). */
void read_setup(struct table_state *t);

/* Is the table empty (no present entry)? Only libslat writes zero for absent. */
bool table_is_empty(const struct table_state *t, const uint64_t *table,
		    unsigned level);

#endif
