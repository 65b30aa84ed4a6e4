/* SPDX-License-Identifier: MIT */
/*
 * slat_validate(): every entry against what the hardware accepts, and the
 * tree against what libslat maintains. The backend judges the bits of each
 * entry; the core judges the structure: where leaves may sit, where table
 * addresses point, empty tables, and whether the tables reachable from the
 * root are exactly the pages the table holds.
 *
 * "Exactly" without memory to remember pages in: the table keeps the number
 * of its pages and the sum of their address fingerprints (page_tag()); the
 * walk adds up the same over the pages it reaches. Two entries pointing at
 * one page leave the count right (one page reached twice, one orphaned) but
 * not the sum (unless two 64-bit fingerprints collide). Only when the sums
 * differ does a second pass, quadratic in the number of table entries,
 * name the entries that share a page. Both walks stop descending once they
 * have reached more tables than the table holds, so a corrupted table with
 * every entry pointing at one page cannot make them run for ever.
 */

#include <slat/validate.h>

#include "core.h"
#include "range_lock.h"

struct check {
	const struct table_state *t;
	slat_problem_fn fn;
	void *ctx;
	uint64_t count;
	uint64_t tables; /* granules reachable from the root, the root included */
	uint64_t sum;    /* their page_tag()s (the root's once) */
	uint64_t budget; /* tables a walk may still descend into */
};

static void report(struct check *c, unsigned kind, unsigned level,
		   uint64_t gpa, uint64_t e, uint64_t bits)
{
	struct slat_problem p;

	c->count++;
	if (!c->fn)
		return;
	p.kind = kind;
	p.level = (uint8_t)level;
	p.gpa = slat_gpa(gpa);
	p.entry = e;
	p.bits = bits;
	c->fn(c->ctx, &p);
}

/* A table entry whose address is sound enough to follow. */
static bool followable(const struct slat_layout *l, unsigned level, uint64_t e)
{
	return entry_present(l, e) && entry_is_table(l, level, e) &&
	       !(e & l->addr_field & ~l->addr_mask);
}

/*
 * The iTLB-multihit policy: the hardware may fetch through no leaf above
 * the base page, and the execute request lives only in such leaves.
 */
static void check_nx_huge(struct check *c, unsigned level, uint64_t gpa, uint64_t e)
{
	const struct table_state *t = c->t;
	struct slat_attrs a;

	if (level == 0) {
		if (e & t->lay.sw_exec)
			report(c, SLAT_PROB_EXEC_HUGE, level, gpa, e, e & t->lay.sw_exec);
		return;
	}
	t->fmt->leaf_decode(t, level, e, &a); /* the hardware's view alone */
	if (a.perms & SLAT_PERM_X)
		report(c, SLAT_PROB_EXEC_HUGE, level, gpa, e, 0);
}

static void check_table(struct check *c, const uint64_t *table, unsigned level,
			uint64_t base)
{
	const struct table_state *t = c->t;
	const struct slat_layout *l = &t->lay;
	uint64_t i, n = table_entries(l, level);

	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&table[i]);
		uint64_t gpa = base + (i << l->shift[level]);
		struct slat_problem found[SLAT_CHECK_MAX];
		bool is_table = entry_present(l, e) && entry_is_table(l, level, e);
		unsigned k, nf;

		if (!entry_present(l, e)) {
			/* Payload entries are fine (slat/payload.h); nothing
			 * else is written into an absent entry. */
			uint64_t stray = level ? e : e & ~l->payload_mask;

			if (stray)
				report(c, SLAT_PROB_ABSENT_BITS, level, gpa, e, stray);
			continue;
		}
		nf = t->fmt->check(t, level, e, !is_table, found);
		for (k = 0; k < nf; k++)
			report(c, found[k].kind, level, gpa, e, found[k].bits);
		if (!is_table) {
			if (!(l->leaf_levels_hw & (1u << level)))
				report(c, SLAT_PROB_LEAF_LEVEL, level, gpa, e, 0);
			else if (e & l->addr_field & ~l->addr_mask)
				report(c, SLAT_PROB_ADDR_RANGE, level, gpa, e,
				       e & l->addr_field & ~l->addr_mask);
			if (l->sw_exec)
				check_nx_huge(c, level, gpa, e);
			continue;
		}
		if (e & l->sw_exec)
			report(c, SLAT_PROB_EXEC_HUGE, level, gpa, e, e & l->sw_exec);
		/* The software dirty bit belongs to leaves: libslat never
		 * writes it in a table entry, where no harvest would find it. */
		if (e & l->sw_dirty)
			report(c, SLAT_PROB_TABLE_ATTR, level, gpa, e, e & l->sw_dirty);
		if (e & l->addr_field & ~l->addr_mask) {
			report(c, SLAT_PROB_ADDR_RANGE, level, gpa, e,
			       e & l->addr_field & ~l->addr_mask);
			continue; /* not followed: it points nowhere we own */
		}
		c->tables++;
		c->sum += page_tag(entry_table_addr(l, e));
		if (!c->budget)
			continue; /* more tables than held: counted, not followed */
		c->budget--;
		{
			const uint64_t *child =
				(const uint64_t *)table_va(t, entry_table_addr(l, e));

			if (table_is_empty(t, child, level - 1))
				report(c, SLAT_PROB_EMPTY_TABLE, level, gpa, e, 0);
			check_table(c, child, level - 1, gpa);
		}
	}
}

/* Table entries in the subtree `table` (bounded as above) pointing at `pa`. */
static uint64_t refs_to(struct check *c, const uint64_t *table, unsigned level,
			uint64_t pa)
{
	const struct table_state *t = c->t;
	const struct slat_layout *l = &t->lay;
	uint64_t i, n = table_entries(l, level), refs = 0;

	if (level == 0)
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&table[i]);
		uint64_t cpa;

		if (!followable(l, level, e))
			continue;
		cpa = entry_table_addr(l, e);
		if (cpa == pa)
			refs++;
		if (!c->budget)
			continue;
		c->budget--;
		refs += refs_to(c, (const uint64_t *)table_va(t, cpa), level - 1, pa);
	}
	return refs;
}

/* The second pass: report each table entry that shares its page with another or points into the root. */
static void find_aliases(struct check *c, const uint64_t *table, unsigned level,
			 uint64_t base, uint64_t *outer_budget)
{
	const struct table_state *t = c->t;
	const struct slat_layout *l = &t->lay;
	const uint64_t root_bytes = 1ull << l->root_lg2;
	uint64_t i, n = table_entries(l, level);

	if (level == 0)
		return;
	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&table[i]);
		uint64_t gpa = base + (i << l->shift[level]);
		uint64_t pa;

		if (!followable(l, level, e))
			continue;
		pa = entry_table_addr(l, e);
		c->budget = t->pages;
		if (pa - t->root_pa < root_bytes ||
		    refs_to(c, t->root, l->levels - 1u, pa) > 1)
			report(c, SLAT_PROB_TABLE_ALIAS, level, gpa, e, pa);
		if (!*outer_budget)
			continue;
		(*outer_budget)--;
		find_aliases(c, (const uint64_t *)table_va(t, pa), level - 1, gpa,
			     outer_budget);
	}
}

static int validate_quiet(const struct table_state *t, slat_problem_fn fn,
			  void *ctx, uint64_t *count)
{
	struct check c;

	c.t = t;
	c.fn = fn;
	c.ctx = ctx;
	c.count = 0;
	c.tables = 1ull << (t->lay.root_lg2 - t->lay.granule_lg2);
	c.sum = page_tag(t->root_pa);
	c.budget = t->pages;
	check_table(&c, t->root, t->lay.levels - 1u, 0);
	if (c.tables != t->pages)
		report(&c, SLAT_PROB_TABLE_COUNT, t->lay.levels - 1u, 0, 0,
		       c.tables);
	if (c.sum != t->page_sum) {
		uint64_t before = c.count, outer = t->pages;

		find_aliases(&c, t->root, t->lay.levels - 1u, 0, &outer);
		/* No two entries share a page, yet the pages differ: a table
		 * address was changed to a page the table does not hold. */
		if (c.count == before)
			report(&c, SLAT_PROB_TABLE_SET, t->lay.levels - 1u, 0, 0, 0);
	}
	*count = c.count;
	return SLAT_OK;
}

int slat_validate(const struct slat_table *t_pub, slat_problem_fn fn, void *ctx,
		  uint64_t *count)
{
	const struct table_state *t = table_of_c(t_pub);
	struct table_state *tw = (struct table_state *)(uintptr_t)t;
	struct range_node hold;
	int err;

	if (!t || !count)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (!SLAT_UNLIKELY(t->concurrent))
		return validate_quiet(t, fn, ctx, count);
	/* SLAT_FEAT_CONCURRENT: the table's counts are exact only when no
	 * call is in flight, so hold the whole input range. Calls still in
	 * their conc_reclaim() hold nothing until they lock a span again. */
	range_lock(tw, &hold, 0, 1ull << t->lay.ia_bits);
	err = validate_quiet(t, fn, ctx, count);
	range_unlock(tw, &hold);
	return err;
}

const char *slat_problem_str(unsigned kind)
{
	switch (kind) {
	case SLAT_PROB_RESERVED: return "reserved bit set";
	case SLAT_PROB_WRITE_ONLY: return "write without read";
	case SLAT_PROB_EXEC_ONLY: return "execute-only without the capability";
	case SLAT_PROB_MEMTYPE: return "invalid memory type";
	case SLAT_PROB_ADDR_RANGE: return "address beyond the physical width";
	case SLAT_PROB_LEAF_LEVEL: return "leaf at a level that cannot hold one";
	case SLAT_PROB_EMPTY_TABLE: return "empty table still linked";
	case SLAT_PROB_TABLE_COUNT: return "reachable tables differ from pages held";
	case SLAT_PROB_FEATURE: return "bit of a feature the table did not enable";
	case SLAT_PROB_TABLE_ATTR: return "table entry with unexpected attributes";
	case SLAT_PROB_KEY: return "host memory key the table does not allow";
	case SLAT_PROB_TABLE_ALIAS: return "table page shared by two entries, or the root";
	case SLAT_PROB_TABLE_SET: return "table address changed to a page the table does not hold";
	case SLAT_PROB_EXEC_HUGE: return "executable leaf above the base page under the multihit policy";
	case SLAT_PROB_ABSENT_BITS: return "absent entry with bits outside the payload field";
	default: return "unknown problem";
	}
}
