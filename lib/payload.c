/* SPDX-License-Identifier: MIT */
/*
 * Payload in absent entries (slat/payload.h): set, read, and how many bits
 * the format offers. Clearing is slat_unmap()'s (unmap.c).
 *
 * slat_payload_set() is a walk_change(): the first walk refuses anything
 * mapped and counts the tables the range lacks down to level 0; the second
 * writes the value into every base-page entry, building missing tables
 * fresh and linking each once it is complete.
 */

#include <slat/payload.h>

#include "walk.h"

struct payload_op {
	struct change c; /* first: the walker's op */
	uint64_t bits;   /* the value, shifted into the payload field */
};

/* Tables a payload on [a, b) needs below an absent entry at `level`:
 * one table per entry above level 0 that the range touches. */
static uint64_t payload_tables(const struct slat_layout *l, unsigned level,
			       uint64_t a, uint64_t b)
{
	const unsigned cl = level - 1;
	const uint64_t csz = level_size(l, cl);
	const uint64_t first = a & ~(csz - 1), last = (b - 1) & ~(csz - 1);
	uint64_t full = 0, lv;

	if (cl == 0)
		return 1;
	if (first == last)
		return 1 + payload_tables(l, cl, a, b);
	/* Tables under one whole entry at cl: 1 + its entries' tables. */
	for (lv = 1; lv <= cl; lv++)
		full = 1 + table_entries(l, (unsigned)lv - 1) * full;
	return 1 + payload_tables(l, cl, a, first + csz) +
	       payload_tables(l, cl, last, b) + ((last - first) / csz - 1) * full;
}

static int payload_count_visit(struct walk *w, enum walk_visit how)
{
	struct payload_op *op = (struct payload_op *)w->op;
	const struct slat_layout *l = w->lay;
	uint64_t e = w->entry;

	if (how == WALK_POST)
		return WALK_NEXT;
	if (how == WALK_PRE)
		return entry_check_walkable(w->t, w->level, e) ? -SLAT_ECORRUPT
							       : WALK_DESCEND;
	/* A leaf, a no-access leaf, or at level 0 an entry the hardware
	 * would take as present: all "something is here". */
	if (entry_present(l, e))
		return -SLAT_EEXIST;
	if (w->level > 0)
		op->c.need += payload_tables(l, w->level, w->addr, walk_span_end(w));
	return WALK_NEXT;
}

/* Write the payload into the run of base-page entries at the visited one. */
static int payload_run(struct walk *w, struct payload_op *op)
{
	const uint64_t n = (walk_run_end(w, true) - w->addr) >> w->lay->shift[0];
	uint64_t *slot = w->slot;
	uint64_t i;

	if (walk_in_fresh(w)) {
		for (i = 0; i < n; i++)
			slot[i] = op->bits;
	} else {
		/* Absent before and after: the hardware never sees a change,
		 * so no invalidation. A walker that does not snoop the cache
		 * would read them as absent either way; they are cleaned all
		 * the same, so that table memory always equals what libslat
		 * wrote (SLAT_FEAT_WALK_NC, and the fuzzers' check of it). */
		for (i = 0; i < n; i++)
			entry_store(&slot[i], op->bits);
		table_clean_run(w->t, slot, slot + n);
	}
	w->addr += n << w->lay->shift[0];
	return WALK_SKIP;
}

static int payload_visit(struct walk *w, enum walk_visit how)
{
	struct payload_op *op = (struct payload_op *)w->op;

	if (how == WALK_POST) {
		walk_link_fresh(w, op->c.g);
		return WALK_NEXT;
	}
	if (how == WALK_PRE)
		return WALK_DESCEND;
	if (w->level == 0)
		return payload_run(w, op);
	if (!op->c.res.count)
		__builtin_trap(); /* the first walk counted wrong */
	w->child = reserve_take(&op->c.res, &w->child_pa);
	return WALK_DESCEND;
}

int slat_payload_set(struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
		     uint64_t value, struct slat_gather *g_pub)
{
	struct table_state *t = table_of(t_pub);
	struct gather_state *g = gather_of(g_pub);
	struct payload_op op;
	int err;

	if (!t || !g)
		return SLAT_ENULL;
	err = change_check(t, g, gpa.v, size);
	if (err)
		return err;
	if (value == 0 || value > (t->lay.payload_mask >> t->lay.payload_shift))
		return SLAT_EPAYLOAD;

	__builtin_memset(&op, 0, sizeof(op));
	op.c.g = g;
	op.bits = value << t->lay.payload_shift;
	return walk_change(t, gpa.v, gpa.v + size, &op.c, payload_count_visit,
			   payload_visit);
}

static int payload_read(const struct table_state *t, slat_gpa_t gpa,
			uint64_t *value)
{
	const struct slat_layout *l = &t->lay;
	const uint64_t *table = t->root;
	unsigned level;
	uint64_t e;

	for (level = l->levels - 1u;; level--) {
		e = entry_load(&table[entry_index(l, level, gpa.v)]);
		if (!entry_present(l, e))
			break;
		if (level == 0 || !entry_is_table(l, level, e))
			return SLAT_EEXIST;
		if (entry_check_walkable(t, level, e))
			return SLAT_ECORRUPT;
		table = (const uint64_t *)table_va(t, entry_table_addr(l, e));
	}
	/* libslat writes payloads in base-page entries only. */
	if (level > 0 || !(e & l->payload_mask))
		return SLAT_ENOENT;
	*value = (e & l->payload_mask) >> l->payload_shift;
	return SLAT_OK;
}

int slat_payload_get(const struct slat_table *t_pub, slat_gpa_t gpa,
		     uint64_t *value)
{
	const struct table_state *t = table_of_c(t_pub);
	unsigned tok;
	int err;

	if (!t || !value)
		return SLAT_ENULL;
	*value = 0;
	if (!t->root)
		return SLAT_EDEAD;
	if (gpa.v >> t->lay.ia_bits)
		return SLAT_EGPA;
	tok = reader_enter(t); /* SLAT_FEAT_CONCURRENT: a lock-free reader */
	err = payload_read(t, gpa, value);
	reader_leave(t, tok);
	return err;
}

unsigned slat_table_payload_bits(const struct slat_table *t_pub)
{
	const struct table_state *t = table_of_c(t_pub);
	uint64_t m;
	unsigned n = 0;

	if (!t || !t->root)
		return 0;
	for (m = t->lay.payload_mask; m; m &= m - 1)
		n++;
	return n;
}
