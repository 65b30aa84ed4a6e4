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
 * entry. When more per-address operations than the table's threshold
 * would be needed, TLBI VMALLS12E1IS drops every stage 1 and stage 2
 * entry of the VMID instead: DSB ISHST, VMALLS12E1IS, DSB ISH, ISB.
 */

#include <slat/error.h>
#include <slat/stage2.h>

#include "format.h"
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

static unsigned ctz64(uint64_t v)
{
	unsigned n = 0;

	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* TTL[3:2] / TG code of the table's granule. */
static uint64_t tg_code(const struct slat_layout *l)
{
	return l->granule_lg2 == 12 ? TLBI_TG_4K :
	       l->granule_lg2 == 14 ? TLBI_TG_16K : TLBI_TG_64K;
}

/*
 * The Arm level (0-3) of the leaves a range changed, or -1 when it is
 * not a single one: a TTL hint must name the level of every entry that
 * may be cached, because an implementation may skip entries of any other
 * level (Arm ARM, TTL field of the TLBI operands).
 */
static int range_level(const struct slat_layout *l,
		       const struct slat_gather_range *r)
{
	unsigned lv;

	if (r->table_sizes || !r->leaf_sizes ||
	    (r->leaf_sizes & (r->leaf_sizes - 1)))
		return -1;
	for (lv = 0; lv < l->levels; lv++)
		if (r->leaf_sizes == (1ull << l->shift[lv]))
			return 3 - (int)lv;
	return -1;
}

/*
 * Per-address step for a range: the smallest leaf that changed, or the
 * granule when table entries changed (every translation below them may
 * be cached, down to base pages).
 */
static unsigned range_step_lg2(const struct slat_layout *l,
			       const struct slat_gather_range *r)
{
	if (r->table_sizes || !r->leaf_sizes)
		return l->granule_lg2;
	{
		unsigned s = ctz64(r->leaf_sizes);

		return s < l->granule_lg2 ? l->granule_lg2 : s;
	}
}

/* The range widened to whole steps. */
static void range_span(const struct slat_gather_range *r, unsigned step_lg2,
		       uint64_t *start, uint64_t *end)
{
	const uint64_t m = (1ull << step_lg2) - 1;

	*start = r->start & ~m;
	*end = (r->end + m) & ~m;
}

/* TLBI IPAS2E1IS operations one per step. */
static uint64_t ipas2_count(const struct slat_layout *l,
			    const struct slat_gather_range *r)
{
	unsigned s = range_step_lg2(l, r);
	uint64_t a, b;

	range_span(r, s, &a, &b);
	return (b - a) >> s;
}

static void ipas2_emit(const struct table_state *t,
		       const struct slat_gather_range *r, struct ops_out *o)
{
	const struct slat_layout *l = &t->lay;
	const unsigned s = range_step_lg2(l, r);
	const int lvl = range_level(l, r);
	uint64_t a, b, ttl = 0;

	if (lvl >= 0 && (t->caps.flags & SLAT_CAP_TLBI_TTL))
		ttl = ((tg_code(l) << 2) | (uint64_t)lvl) << TLBI_TTL_SHIFT;
	range_span(r, s, &a, &b);
	for (; a < b; a += 1ull << s)
		emit(o, SLAT_S2_TLBI_IPAS2E1IS, ((a >> 12) & TLBI_IPA_MASK) | ttl);
}

/*
 * TLBI RIPAS2E1IS covers (NUM + 1) << (5 * SCALE + 1) granules, so an even
 * number of granules is a sum of base-32 digits, one operation each, plus
 * whole maximum-size operations for what is above 2^21 granules. An odd
 * count is rounded up by one granule: invalidating a translation that did
 * not change is harmless.
 */
static uint64_t granules_of(const struct slat_layout *l,
			    const struct slat_gather_range *r)
{
	uint64_t a, b, n;

	range_span(r, l->granule_lg2, &a, &b);
	n = (b - a) >> l->granule_lg2;
	return n + (n & 1);
}

static uint64_t ripas2_count(const struct slat_layout *l,
			     const struct slat_gather_range *r)
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

static void ripas2_emit(const struct table_state *t,
			const struct slat_gather_range *r, struct ops_out *o)
{
	const struct slat_layout *l = &t->lay;
	const int lvl = range_level(l, r);
	uint64_t n = granules_of(l, r), a, b, i;
	int scale;

	range_span(r, l->granule_lg2, &a, &b);
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
static bool use_range(const struct table_state *t,
		      const struct slat_gather_range *r)
{
	return (t->caps.flags & SLAT_CAP_TLBI_RANGE) &&
	       ripas2_count(&t->lay, r) < ipas2_count(&t->lay, r);
}

int slat_stage2_flush(const struct slat_table *t_pub, const struct slat_gather *g_pub,
		      struct slat_s2_op *ops, size_t cap, size_t *n)
{
	const struct table_state *t = table_of_c(t_pub);
	const struct gather_state *g = gather_of_c(g_pub);
	struct ops_out o;
	uint64_t per_addr = 0, need;
	bool whole;
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
	if (g->nranges == 0 && !(g->flags & SLAT_GATHER_TABLES))
		return SLAT_OK;

	for (i = 0; i < g->nranges; i++) {
		const struct slat_gather_range *r = &g->ranges[i];

		per_addr += use_range(t, r) ? ripas2_count(&t->lay, r)
					    : ipas2_count(&t->lay, r);
	}
	/* Table entries changed but no range says where: everything. */
	whole = per_addr > t->tlbi_threshold || g->nranges == 0;
	need = whole ? 4 : per_addr + 5;
	if (need > cap)
		return SLAT_ENOSPC;

	o.ops = ops;
	o.n = 0;
	emit(&o, SLAT_S2_DSB_ISHST, 0);
	if (whole) {
		emit(&o, SLAT_S2_TLBI_VMALLS12E1IS, 0);
		emit(&o, SLAT_S2_DSB_ISH, 0);
	} else {
		for (i = 0; i < g->nranges; i++) {
			const struct slat_gather_range *r = &g->ranges[i];

			if (use_range(t, r))
				ripas2_emit(t, r, &o);
			else
				ipas2_emit(t, r, &o);
		}
		emit(&o, SLAT_S2_DSB_ISH, 0);
		emit(&o, SLAT_S2_TLBI_VMALLE1IS, 0);
		emit(&o, SLAT_S2_DSB_ISH, 0);
	}
	emit(&o, SLAT_S2_ISB, 0);
	*n = o.n;
	return SLAT_OK;
}
