/* SPDX-License-Identifier: MIT */
/*
 * Arm stage 2: turning a gather into barriers and TLB maintenance.
 *
 * The sequence follows KVM's __kvm_tlb_flush_vmid_ipa() and
 * __kvm_tlb_flush_vmid() (arch/arm64/kvm/hyp/nvhe/tlb.c) and the Arm ARM
 * ("TLB maintenance" in chapter D8 and the TLBI descriptions; docs/formats.md §3.9):
 *
 *   DSB ISHST                 descriptor writes visible to every walker
 *   TLBI IPAS2E1IS / RIPAS2E1IS per changed range (current VMID)
 *   DSB ISH                   stage 2 invalidation complete everywhere
 *   TLBI VMALLE1IS            combined stage 1+2 entries, tagged by VA
 *   DSB ISH
 *   ISB
 *
 * The stage 2 invalidation must complete before the stage 1 one, or a
 * walk on another CPU could refill a combined entry from the old stage 2
 * entry. When the core decides on the whole table (lib/inval.h: more
 * per-address operations than the table's threshold), TLBI VMALLS12E1IS
 * drops every stage 1 and stage 2 entry of the VMID instead: DSB ISHST,
 * VMALLS12E1IS, DSB ISH, ISB. This file prices a range in operations and
 * encodes their operands; the choice is the core's.
 */

#include <slat/error.h>
#include <slat/stage2.h>

#include "format.h"
#include "inval.h"
#include "stage2_bits.h"

struct ops_out {
	struct slat_s2_op *ops;
	size_t n;
};

static void emit(struct ops_out *o, uint32_t kind, uint64_t arg)
{
	o->ops[o->n].kind = kind;
	o->ops[o->n].arg = arg;
	o->n++;
}

/* TTL[3:2] / TG code of the table's granule. */
static uint64_t tg_code(const struct slat_layout *l)
{
	return l->granule_lg2 == 12 ? TLBI_TG_4K :
	       l->granule_lg2 == 14 ? TLBI_TG_16K : TLBI_TG_64K;
}

/* The Arm level (3: base pages) of a range's leaves, or -1 (inval.h). */
static int arm_level(const struct inval_range *r)
{
	return r->level >= 0 ? 3 - r->level : -1;
}

/* TLBI IPAS2E1IS operations, one per step. */
static uint64_t ipas2_count(const struct inval_range *r)
{
	return (r->end - r->start) >> r->step_lg2;
}

static void ipas2_emit(const struct table_state *t, const struct inval_range *r,
		       struct ops_out *o)
{
	const struct slat_layout *l = &t->lay;
	const int lvl = arm_level(r);
	uint64_t a, ttl = 0;

	if (lvl >= 0 && (t->caps.flags & SLAT_CAP_TLBI_TTL))
		ttl = ((tg_code(l) << 2) | (uint64_t)lvl) << TLBI_TTL_SHIFT;
	for (a = r->start; a < r->end; a += 1ull << r->step_lg2)
		emit(o, SLAT_S2_TLBI_IPAS2E1IS, ((a >> 12) & TLBI_IPA_MASK) | ttl);
}

/*
 * TLBI RIPAS2E1IS covers (NUM + 1) << (5 * SCALE + 1) granules, so an even
 * number of granules is a sum of base-32 digits, one operation each, plus
 * whole maximum-size operations for what is above 2^21 granules. An odd
 * count is rounded up by one granule: invalidating a translation that did
 * not change is harmless.
 */
static uint64_t granules_of(const struct slat_layout *l, const struct inval_range *r)
{
	uint64_t n = (r->end - r->start) >> l->granule_lg2;

	return n + (n & 1);
}

static uint64_t ripas2_count(const struct slat_layout *l, const struct inval_range *r)
{
	uint64_t n = granules_of(l, r), ops = n >> TLBIR_MAX_LG2;
	unsigned scale;

	for (scale = 0; scale < 4; scale++)
		if ((n >> (5 * scale + 1)) & 31)
			ops++;
	return ops;
}

static uint64_t ripas2_op(const struct slat_layout *l, uint64_t base,
			  unsigned scale, uint64_t num, int lvl)
{
	uint64_t v = (base >> l->granule_lg2) & TLBIR_BADDR_MASK;

	/* The range form's TTL is just the level: 1-3, 0 for any. */
	if (lvl >= 1)
		v |= (uint64_t)lvl << TLBIR_TTL_SHIFT;
	v |= (num - 1) << TLBIR_NUM_SHIFT;
	v |= (uint64_t)scale << TLBIR_SCALE_SHIFT;
	v |= tg_code(l) << TLBIR_TG_SHIFT;
	return v;
}

static void ripas2_emit(const struct table_state *t, const struct inval_range *r,
			struct ops_out *o)
{
	const struct slat_layout *l = &t->lay;
	const int lvl = arm_level(r);
	uint64_t n = granules_of(l, r), a = r->start, i;
	int scale;

	for (i = n >> TLBIR_MAX_LG2; i; i--) {
		emit(o, SLAT_S2_TLBI_RIPAS2E1IS, ripas2_op(l, a, 3, 32, lvl));
		a += 1ull << (TLBIR_MAX_LG2 + l->granule_lg2);
	}
	for (scale = 3; scale >= 0; scale--) {
		uint64_t num = (n >> (5 * scale + 1)) & 31;

		if (!num)
			continue;
		emit(o, SLAT_S2_TLBI_RIPAS2E1IS,
		     ripas2_op(l, a, (unsigned)scale, num, lvl));
		a += num << (5 * scale + 1 + l->granule_lg2);
	}
}

/* Range operations only where they take fewer operations. */
static bool use_range(const struct table_state *t, const struct inval_range *r)
{
	return (t->caps.flags & SLAT_CAP_TLBI_RANGE) &&
	       ripas2_count(&t->lay, r) < ipas2_count(r);
}

/* The price of a range per address, for the core's decision (inval.h). */
static uint64_t range_cost(const struct table_state *t, const struct inval_range *r)
{
	return use_range(t, r) ? ripas2_count(&t->lay, r) : ipas2_count(r);
}

int slat_stage2_flush(const struct slat_table *t_pub, const struct slat_gather *g_pub,
		      struct slat_s2_op *ops, size_t cap, size_t *n)
{
	const struct table_state *t = table_of_c(t_pub);
	const struct gather_state *g = gather_of_c(g_pub);
	struct inval_plan plan;
	struct ops_out o;
	uint32_t i;

	if (!t || !g || !n || (!ops && cap))
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_stage2)
		return SLAT_EFORMAT;
	if (g->table && g->table != t)
		return SLAT_EGATHER;
	*n = 0;
	inval_plan_make(t, g, range_cost, &plan);
	if (plan.kind == INVAL_NONE)
		return SLAT_OK;
	if ((plan.kind == INVAL_WHOLE ? 4 : plan.ops + 5) > cap)
		return SLAT_ENOSPC;

	o.ops = ops;
	o.n = 0;
	emit(&o, SLAT_S2_DSB_ISHST, 0);
	if (plan.kind == INVAL_WHOLE) {
		emit(&o, SLAT_S2_TLBI_VMALLS12E1IS, 0);
		emit(&o, SLAT_S2_DSB_ISH, 0);
	} else {
		for (i = 0; i < plan.n; i++) {
			if (use_range(t, &plan.range[i]))
				ripas2_emit(t, &plan.range[i], &o);
			else
				ipas2_emit(t, &plan.range[i], &o);
		}
		emit(&o, SLAT_S2_DSB_ISH, 0);
		emit(&o, SLAT_S2_TLBI_VMALLE1IS, 0);
		emit(&o, SLAT_S2_DSB_ISH, 0);
	}
	emit(&o, SLAT_S2_ISB, 0);
	*n = o.n;
	return SLAT_OK;
}
