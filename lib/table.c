/* SPDX-License-Identifier: MIT */
/* Creating and destroying tables; the layout helpers backends use. */

#include <slat/caps.h>
#include <slat/error.h>
#include <slat/stage2.h>
#include <slat/table.h>

#include "walk.h"

#define KNOWN_FEATURES (SLAT_FEAT_AD | SLAT_FEAT_SPLIT_EXEC | SLAT_FEAT_FWB | \
			SLAT_FEAT_KEYS | SLAT_FEAT_NX_HUGE | SLAT_FEAT_WALK_NC | \
			SLAT_FEAT_ALLOC_UNZEROED | SLAT_FEAT_CONCURRENT | \
			SLAT_FEAT_LINEAR_MAP)

void slat_layout_geometry(struct slat_layout *lay, unsigned granule_lg2,
			  unsigned ia_bits, unsigned levels)
{
	unsigned per_level = granule_lg2 - 3; /* 8-byte entries */
	unsigned l;

	lay->levels = (uint8_t)levels;
	lay->granule_lg2 = (uint8_t)granule_lg2;
	lay->ia_bits = (uint8_t)ia_bits;
	for (l = 0; l < levels; l++) {
		lay->shift[l] = (uint8_t)(granule_lg2 + l * per_level);
		lay->bits[l] = (uint8_t)per_level;
	}
	/* The root resolves what is left; with more bits than one granule
	 * holds it is a block of concatenated tables. */
	lay->bits[levels - 1] = (uint8_t)(ia_bits - lay->shift[levels - 1]);
	{
		unsigned root_lg2 = lay->bits[levels - 1] + 3u;

		lay->root_lg2 = (uint8_t)(root_lg2 > granule_lg2 ? root_lg2
								 : granule_lg2);
	}
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

int slat_layout_sw_bits(struct slat_layout *lay, const struct slat_config *cfg,
			uint64_t preferred, uint64_t allowed)
{
	uint64_t want = cfg->sw_positions;
	unsigned n = 0, bit;

	if (want) {
		if (cfg->sw_bits && cfg->sw_bits != popcount64(want))
			return SLAT_ESWBITS;
		if (want & ~allowed)
			return SLAT_ESWBITS;
	} else {
		uint64_t left = preferred & allowed;

		if (cfg->sw_bits > SLAT_SW_BITS_MAX)
			return SLAT_ESWBITS;
		while (n < cfg->sw_bits && left) {
			want |= left & -left;
			left &= left - 1;
			n++;
		}
		if (n < cfg->sw_bits)
			return SLAT_ESWBITS;
	}
	if (popcount64(want) > SLAT_SW_BITS_MAX)
		return SLAT_ESWBITS;
	lay->sw_mask = want;
	lay->sw_count = 0;
	for (bit = 0; bit < 64; bit++)
		if (want & (1ull << bit))
			lay->sw_pos[lay->sw_count++] = (uint8_t)bit;
	return SLAT_OK;
}

uint64_t layout_sizes_upto(const struct slat_layout *l, unsigned level)
{
	uint64_t sizes = 0;
	unsigned i;

	for (i = 0; i <= level; i++)
		sizes |= 1ull << l->shift[i];
	return sizes;
}

/*
 * A range is judged by its last byte, so that one ending exactly at 2^64
 * (its end is not representable, but nothing wraps) is told apart from one
 * that wraps: the first is merely beyond every input width (SLAT_EGPA).
 * A destroyed table has no range at all.
 */
int range_check(const struct table_state *t, uint64_t gpa, uint64_t size)
{
	const struct slat_layout *l = &t->lay;
	uint64_t last;

	if (!t->root)
		return SLAT_EDEAD;
	if (size == 0)
		return SLAT_ESIZE;
	if ((gpa | size) & level_mask(l, 0))
		return SLAT_EALIGN;
	last = gpa + (size - 1);
	if (last < gpa)
		return SLAT_EWRAP;
	if (last >> l->ia_bits)
		return SLAT_EGPA;
	return SLAT_OK;
}

int change_check(const struct table_state *t, const struct gather_state *g,
		 uint64_t gpa, uint64_t size)
{
	int err = range_check(t, gpa, size);

	return err ? err : gather_check(g, t);
}

/*
 * Does the layout describe output addresses the core can encode and
 * decode (core.h entry_addr())? Its address bits lie in addr_field, the
 * shifted field moves no address bit onto one kept in place, and every
 * address it decodes encodes back to the same entry bits.
 */
static bool addr_layout_ok(const struct slat_layout *l)
{
	const uint64_t kept = l->addr_mask & ~l->oa_hi;
	uint64_t moved, addrs;

	if ((l->addr_mask | l->oa_hi) & ~l->addr_field || l->oa_hi_shift >= 64 ||
	    (l->oa_hi && !l->oa_hi_shift))
		return false;
	moved = l->oa_hi << l->oa_hi_shift;
	if ((moved >> l->oa_hi_shift) != l->oa_hi || (moved & kept))
		return false;
	addrs = entry_addr(l, l->addr_mask);
	return addr_entry(l, addrs) == l->addr_mask;
}

int slat_table_init(struct slat_table *t_pub, const struct slat_config *cfg)
{
	struct table_state *t = table_of(t_pub);
	struct table_state n;
	uint64_t pa;
	void *root;
	int err;

	if (!t || !cfg || !cfg->format || !cfg->caps)
		return SLAT_ENULL;
	if (!cfg->alloc.alloc || !cfg->alloc.free ||
	    (!cfg->alloc.phys_to_virt && !(cfg->features & SLAT_FEAT_LINEAR_MAP)))
		return SLAT_ECONFIG;
	if (cfg->caps->format != cfg->format->id)
		return SLAT_EFORMAT;
	if (cfg->features & ~KNOWN_FEATURES)
		return SLAT_EFLAGS;
	if ((cfg->features & SLAT_FEAT_AD) && !(cfg->caps->flags & SLAT_CAP_AD))
		return SLAT_ECAPS;
	if ((cfg->features & SLAT_FEAT_SPLIT_EXEC) &&
	    !(cfg->caps->flags & SLAT_CAP_SPLIT_EXEC))
		return SLAT_ECAPS;
	if ((cfg->features & SLAT_FEAT_FWB) && !(cfg->caps->flags & SLAT_CAP_FWB))
		return SLAT_ECAPS;
	/* Keys need a CPU with keys; where they sit is the backend's business. */
	if ((cfg->features & SLAT_FEAT_KEYS) && !cfg->caps->key_max)
		return SLAT_ECAPS;
	if (cfg->table_key && (!(cfg->features & SLAT_FEAT_KEYS) ||
			       cfg->table_key > cfg->caps->key_max))
		return SLAT_EKEY;
	/* The iTLB-multihit erratum is Intel's (slat/multihit.h); one
	 * software bit records a plain X request, not the split XS/XU. */
	if ((cfg->features & SLAT_FEAT_NX_HUGE) &&
	    (cfg->format->id != SLAT_FORMAT_EPT ||
	     (cfg->features & SLAT_FEAT_SPLIT_EXEC)))
		return SLAT_ECONFIG;

	/*
	 * clean_tables and clean_ctx are read only under SLAT_FEAT_WALK_NC:
	 * a program built against an older slat/table.h passes a shorter
	 * struct slat_config and cannot have set that bit. EPT walks the
	 * tables as UC then (EPTP bits 2:0 = 0), which the CPU must offer.
	 */
	if ((cfg->features & SLAT_FEAT_WALK_NC) &&
	    (!cfg->clean_tables || cfg->format->id == SLAT_FORMAT_NPT))
		return SLAT_ECONFIG;
	/*
	 * Hardware accessed/dirty updates by a walker that bypasses the
	 * cache land in memory, under a line the CPU may hold stale: the
	 * compare-and-swap of a protect or a harvest would work on that line
	 * and drop the update (a page lost from dirty logging). Refused
	 * rather than half-supported.
	 */
	if ((cfg->features & SLAT_FEAT_WALK_NC) && (cfg->features & SLAT_FEAT_AD))
		return SLAT_ECONFIG;
	if ((cfg->features & SLAT_FEAT_WALK_NC) &&
	    cfg->format->id == SLAT_FORMAT_EPT &&
	    !(cfg->caps->flags & SLAT_CAP_WALK_UC))
		return SLAT_ECAPS;

	__builtin_memset(&n, 0, sizeof(n));
	n.fmt = cfg->format;
	n.alloc = cfg->alloc;
	n.sync = cfg->sync_invalidate;
	n.sync_ctx = cfg->sync_ctx;
	if (cfg->features & SLAT_FEAT_WALK_NC) {
		n.clean = cfg->clean_tables;
		n.clean_ctx = cfg->clean_ctx;
	}
	/* Read only under their bit, like clean_tables (older callers pass
	 * a shorter struct slat_config). */
	if (cfg->features & SLAT_FEAT_CONCURRENT) {
		n.concurrent = true;
		n.grace = cfg->grace;
		n.grace_ctx = cfg->grace_ctx;
		n.wait = cfg->wait;
		n.wait_ctx = cfg->wait_ctx;
	}
	/* Read only under its bit: an older caller's structure ends before it. */
	if (cfg->features & SLAT_FEAT_LINEAR_MAP)
		n.linear_offset = cfg->linear_offset;
	n.caps = *cfg->caps;
	n.features = cfg->features;
	n.host_pat = cfg->host_pat;
	n.tlbi_threshold = cfg->tlbi_threshold ? cfg->tlbi_threshold
						 : SLAT_S2_TLBI_THRESHOLD_DEFAULT;
	n.max_page_lg2 = cfg->max_page_lg2;
	err = cfg->format->configure(&n, cfg);
	if (err)
		return err;
	/* A backend's geometry must cover its input and fit the walker. */
	if (n.lay.levels == 0 || n.lay.levels > SLAT_MAX_LEVELS ||
	    n.lay.shift[n.lay.levels - 1] + n.lay.bits[n.lay.levels - 1] < n.lay.ia_bits ||
	    n.lay.bits[n.lay.levels - 1] > n.lay.granule_lg2 - 3 + 4 ||
	    !(n.lay.leaf_levels & 1) ||
	    (n.lay.leaf_levels & ~n.lay.leaf_levels_hw))
		return SLAT_ECONFIG;
	if (!n.lay.page_valid)
		n.lay.page_valid = n.lay.present | n.lay.noaccess;
	if (!addr_layout_ok(&n.lay))
		return SLAT_ECONFIG;
	/* The core owns the software bits: they are attributes at every level. */
	{
		unsigned lv;

		for (lv = 0; lv < n.lay.levels; lv++)
			n.lay.attr_mask[lv] |= n.lay.sw_mask | n.lay.sw_exec;
	}
	if (cfg->max_page_lg2 && cfg->max_page_lg2 < n.lay.granule_lg2)
		return SLAT_EPAGESIZE;
	/*
	 * Leaves are written only at levels contiguous from the base page,
	 * below the size cap: a leaf above a level that cannot hold leaves
	 * (EPT with 1 GiB but without 2 MiB pages) could only be split into
	 * whole subtrees, and no real CPU has such a hole.
	 */
	{
		unsigned lv, usable = 0;

		for (lv = 0; lv < n.lay.levels; lv++) {
			if (!(n.lay.leaf_levels & (1u << lv)) ||
			    (cfg->max_page_lg2 && n.lay.shift[lv] > cfg->max_page_lg2))
				break;
			usable |= 1u << lv;
		}
		n.lay.leaf_levels = (uint8_t)usable;
	}
	n.walk_std = walk_std_geometry(&n.lay);

	root = n.alloc.alloc(n.alloc.ctx, n.lay.root_lg2, &pa);
	if (!root)
		return SLAT_ENOMEM;
	/* Concatenated roots need their whole size's alignment: VTTBR_EL2
	 * has no bits for less. */
	err = page_check(&n.lay, pa, n.lay.root_lg2);
	/* The allocator's own answer must agree with the linear map. */
	if (!err && (n.features & SLAT_FEAT_LINEAR_MAP) &&
	    (uint64_t)(uintptr_t)root != pa + n.linear_offset)
		err = SLAT_ECONFIG;
	if (err) {
		n.alloc.free(n.alloc.ctx, root, pa, n.lay.root_lg2);
		return err;
	}
	n.root = (uint64_t *)root;
	n.root_pa = pa;
	n.pages = 1ull << (n.lay.root_lg2 - n.lay.granule_lg2);
	n.page_sum = page_tag(pa);
	fresh_zero(&n, n.root, 0, 1ull << (n.lay.root_lg2 - 3));
	/* The root was zeroed through the cache; the walker reads it as
	 * soon as the embedder loads the root pointer. */
	table_clean(&n, root, 1ull << n.lay.root_lg2);
	read_setup(&n);
	*t = n;
	return SLAT_OK;
}

/*
 * Free the tables below the root: each subtree goes on a private list the
 * way an unmap hands it to a gather, and the list is freed after. The list
 * marks every page it takes, so a page that two corrupted entries point to
 * is taken, and freed, once (see gather_defer_tree()).
 */
static void free_below_root(struct table_state *t)
{
	struct gather_state all;

	gather_reset(&all);
	gather_defer_below_root(t, &all);
	t->held -= all.free_pages;
	gather_free_pages(t, &all);
}

int slat_table_destroy(struct slat_table *t_pub)
{
	struct table_state *t = table_of(t_pub);

	if (!t)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->held)
		return SLAT_EBUSY;
	free_below_root(t);
	t->alloc.free(t->alloc.ctx, t->root, t->root_pa, t->lay.root_lg2);
	t->root = 0;
	t->read.walk = READ_GENERIC; /* whose path reports SLAT_EDEAD */
	t->read.std4_limit = 0;
	t->read.path_limit = 0;
	t->root_pa = 0;
	t->pages = 0;
	t->page_sum = 0;
	return SLAT_OK;
}

uint64_t slat_table_pages(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	/* Atomic: concurrent calls add to it (SLAT_FEAT_CONCURRENT). */
	return t ? __atomic_load_n(&t->pages, __ATOMIC_RELAXED) : 0;
}

slat_hpa_t slat_table_root(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	return slat_hpa(t ? t->root_pa : 0);
}

unsigned slat_table_leaf_levels(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	return t ? t->lay.leaf_levels : 0;
}

unsigned slat_table_level_shift(const struct slat_table *t_pub, unsigned level)
{
	const struct table_state *t = table_of_c(t_pub);

	if (!t || level >= t->lay.levels)
		return 0;
	return t->lay.shift[level];
}

unsigned slat_table_levels(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	return t ? t->lay.levels : 0;
}

uint64_t slat_table_sw_positions(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	return t ? t->lay.sw_mask : 0;
}

unsigned slat_table_format(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);

	return t && t->fmt ? t->fmt->id : 0;
}

const char *slat_format_name(const struct slat_format *format)
{
	return format ? format->name : "none";
}
