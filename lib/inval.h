/* SPDX-License-Identifier: MIT */
/*
 * How a gather is invalidated: the policy every format shares, apart from
 * the operations that carry it out.
 *
 * The core decides from the gather: nothing to do, the whole table (every
 * translation tagged with it), or per address, range by range. A backend
 * only prices a range in its own operations and turns the decision into
 * them: INVEPT and TLB_CONTROL have no by-address form, so EPT and NPT
 * always get the whole table; Arm has TLBI IPAS2E1IS per step and
 * RIPAS2E1IS per range.
 */
#ifndef SLAT_LIB_INVAL_H
#define SLAT_LIB_INVAL_H

#include <slat/gather.h>

#include "table_state.h"

#define inval_plan_make slat__inval_plan_make

enum inval_kind {
	INVAL_NONE,   /* the gather asks for nothing */
	INVAL_WHOLE,  /* every translation of the table */
	INVAL_RANGES  /* the plan's ranges, per address */
};

/*
 * One range to invalidate per address: a range of the gather widened to
 * whole steps. The step is the smallest translation that may be cached
 * in it: the smallest leaf that changed, or the base page where a table
 * entry changed (every translation below one may be cached, down to base
 * pages). `level` (0: base pages) is the level of every leaf that changed
 * when that is one level and no table entry changed, else -1: a hint that
 * names a level must name every level that may be cached (Arm's TTL).
 */
struct inval_range {
	uint64_t start;
	uint64_t end;
	uint8_t step_lg2;
	int8_t level;
};

/* Operations the backend would need to invalidate `r` per address. */
typedef uint64_t (*inval_cost_fn)(const struct table_state *t,
				  const struct inval_range *r);

struct inval_plan {
	enum inval_kind kind;
	uint32_t n;   /* ranges; INVAL_RANGES only */
	uint64_t ops; /* their cost, summed */
	struct inval_range range[SLAT_GATHER_RANGES];
};

/*
 * The decision for `g` on `t`: per address only when the format has a
 * by-address form (`cost` is not NULL), every change is in a range (table
 * entries changed with no range saying where: everything), and the ranges
 * cost no more operations than the table's threshold
 * (slat_config::tlbi_threshold); else the whole table.
 */
void inval_plan_make(const struct table_state *t, const struct gather_state *g,
		     inval_cost_fn cost, struct inval_plan *p);

#endif
