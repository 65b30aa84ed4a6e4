/* SPDX-License-Identifier: MIT */
/*
 * slat_validate(): every entry against what the hardware accepts, and the
 * tree against what libslat maintains. The backend judges the bits of each
 * entry; the core judges the structure: where leaves may sit, where table
 * addresses point, empty tables, and whether the tables reachable from the
 * root are exactly the pages the table holds.
 */

#include <slat/validate.h>

#include "core.h"

struct check {
	const struct slat_table *t;
	slat_problem_fn fn;
	void *ctx;
	uint64_t count;
	uint64_t tables; /* granules reachable from the root, the root included */
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

/*
 * The iTLB-multihit policy: the hardware may fetch through no leaf above
 * the base page, and the execute request lives only in such leaves.
 */
static void check_nx_huge(struct check *c, unsigned level, uint64_t gpa, uint64_t e)
{
	const struct slat_table *t = c->t;
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
	const struct slat_table *t = c->t;
	const struct slat_layout *l = &t->lay;
	uint64_t i, n = table_entries(l, level);

	for (i = 0; i < n; i++) {
		uint64_t e = entry_load(&table[i]);
		uint64_t gpa = base + (i << l->shift[level]);
		struct slat_problem found[SLAT_CHECK_MAX];
		bool is_table = entry_present(l, e) && entry_is_table(l, level, e);
		unsigned k, nf;

		if (!entry_present(l, e))
			continue;
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
		{
			const uint64_t *child =
				(const uint64_t *)table_va(t, entry_table_addr(l, e));

			c->tables++;
			if (table_is_empty(t, child, level - 1))
				report(c, SLAT_PROB_EMPTY_TABLE, level, gpa, e, 0);
			check_table(c, child, level - 1, gpa);
		}
	}
}

int slat_validate(const struct slat_table *t, slat_problem_fn fn, void *ctx,
		  uint64_t *count)
{
	struct check c;

	if (!t || !count || !t->root)
		return SLAT_ENULL;
	c.t = t;
	c.fn = fn;
	c.ctx = ctx;
	c.count = 0;
	c.tables = 1ull << (t->lay.root_lg2 - t->lay.granule_lg2);
	check_table(&c, t->root, t->lay.levels - 1u, 0);
	if (c.tables != t->pages)
		report(&c, SLAT_PROB_TABLE_COUNT, t->lay.levels - 1u, 0, 0,
		       c.tables);
	*count = c.count;
	return SLAT_OK;
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
	case SLAT_PROB_EXEC_HUGE: return "executable leaf above the base page under the multihit policy";
	default: return "unknown problem";
	}
}
