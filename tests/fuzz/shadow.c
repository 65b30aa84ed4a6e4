/* SPDX-License-Identifier: MIT */
/*
 * What the hardware may have cached.
 *
 * TLB: for a set of tracked guest pages, every translation observed valid
 * since the last invalidation that covered it (observations are made before
 * and after every operation, inside break-before-make hook calls, and after
 * simulated guest accesses). Arm keeps two kinds: stage-2-only entries and
 * combined stage 1+2 entries.
 *
 * Paging-structure cache: every table page observed reachable, with the
 * span of the entry that pointed to it, until an invalidation that drops
 * walk-cache entries for an address in that span.
 *
 * The caches are only ever emptied by shadow_apply() / shadow_flush_all(),
 * which the per-format targets call with invalidations they decoded
 * themselves from the format's flush output.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void shadow_init(struct shadow *s)
{
	memset(s, 0, sizeof(*s));
	s->wc_cap = 256;
	s->wc = calloc(s->wc_cap, sizeof(*s->wc));
	if (!s->wc)
		abort();
}

void shadow_free(struct shadow *s)
{
	unsigned l;

	for (l = 0; l < SLAT_MAX_LEVELS; l++)
		free(s->idx[l]);
	free(s->wc);
	memset(s, 0, sizeof(*s));
}

struct tracked *shadow_find(struct shadow *s, uint64_t gpa)
{
	unsigned i;

	for (i = 0; i < s->ntr; i++)
		if (s->tr[i].gpa == gpa)
			return &s->tr[i];
	return NULL;
}

struct tracked *shadow_track(struct shadow *s, uint64_t gpa)
{
	struct tracked *t = shadow_find(s, gpa);

	if (t)
		return t;
	if (s->ntr < SH_TRACKED) {
		t = &s->tr[s->ntr++];
	} else {
		/* Forget the oldest tracked page (FIFO). */
		t = &s->tr[s->next];
		s->next = (s->next + 1) % SH_TRACKED;
	}
	memset(t, 0, sizeof(*t));
	t->gpa = gpa;
	return t;
}

static bool tlbe_eq(const struct tlbe *a, const struct tlbe *b)
{
	return a->kind == b->kind && a->level == b->level && a->lg2 == b->lg2 &&
	       a->perms == b->perms && a->memtype == b->memtype &&
	       a->flags == b->flags && a->share == b->share &&
	       a->dirty == b->dirty && a->accessed == b->accessed &&
	       a->leaf_base == b->leaf_base && a->hpa == b->hpa;
}

void shadow_add(struct tracked *t, const struct tlbe *e)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (tlbe_eq(&t->e[i], e))
			return;
	if (t->n == SH_ENTRIES) {
		/* Drop the oldest; the newest carry the current state. */
		memmove(&t->e[0], &t->e[1], (SH_ENTRIES - 1) * sizeof(t->e[0]));
		t->n--;
	}
	t->e[t->n++] = *e;
}

/* ---- paging-structure cache: open addressing keyed by pa -------------- */

static size_t wc_hash(uint64_t pa, size_t cap)
{
	uint64_t h = pa * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (cap - 1);
}

static void wc_put(struct shadow *s, const struct wce *w)
{
	size_t i = wc_hash(w->pa, s->wc_cap);

	while (s->wc[i].pa && s->wc[i].pa != w->pa)
		i = (i + 1) & (s->wc_cap - 1);
	if (!s->wc[i].pa)
		s->wc_n++;
	if (!s->wc[i].pa || s->wc[i].base != w->base || s->wc[i].level != w->level)
		s->idx_dirty = true;
	s->wc[i] = *w;
}

static int cmp_wci(const void *a, const void *b)
{
	const struct wci *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void idx_rebuild(struct shadow *s)
{
	size_t i;
	unsigned l;

	for (l = 0; l < SLAT_MAX_LEVELS; l++)
		s->idx_n[l] = 0;
	for (i = 0; i < s->wc_cap; i++) {
		const struct wce *c = &s->wc[i];

		if (!c->pa)
			continue;
		l = c->level;
		if (s->idx_n[l] == s->idx_cap[l]) {
			s->idx_cap[l] = s->idx_cap[l] ? s->idx_cap[l] * 2 : 64;
			s->idx[l] = realloc(s->idx[l], s->idx_cap[l] * sizeof(*s->idx[l]));
			if (!s->idx[l])
				abort();
		}
		s->idx[l][s->idx_n[l]].base = c->base;
		s->idx[l][s->idx_n[l]].pa = c->pa;
		s->idx_n[l]++;
		s->idx_span[l] = c->span;
	}
	for (l = 0; l < SLAT_MAX_LEVELS; l++)
		if (s->idx_n[l] > 1)
			qsort(s->idx[l], s->idx_n[l], sizeof(*s->idx[l]), cmp_wci);
	s->idx_dirty = false;
}

void shadow_wc_add(struct shadow *s, uint64_t pa, unsigned level,
		   uint64_t base, uint64_t span)
{
	struct wce w = { pa, base, span, level };

	if ((s->wc_n + 1) * 2 > s->wc_cap) {
		struct wce *old = s->wc;
		size_t i, cap = s->wc_cap;

		s->wc_cap *= 2;
		s->wc = calloc(s->wc_cap, sizeof(*s->wc));
		if (!s->wc)
			abort();
		s->wc_n = 0;
		for (i = 0; i < cap; i++)
			if (old[i].pa)
				wc_put(s, &old[i]);
		free(old);
	}
	wc_put(s, &w);
}

bool shadow_wc_has(const struct shadow *s, uint64_t pa, struct wce *out)
{
	size_t i = wc_hash(pa, s->wc_cap);

	while (s->wc[i].pa) {
		if (s->wc[i].pa == pa) {
			if (out)
				*out = s->wc[i];
			return true;
		}
		i = (i + 1) & (s->wc_cap - 1);
	}
	return false;
}

void shadow_wc_remove(struct shadow *s, uint64_t pa)
{
	size_t i = wc_hash(pa, s->wc_cap), j;

	while (s->wc[i].pa && s->wc[i].pa != pa)
		i = (i + 1) & (s->wc_cap - 1);
	if (!s->wc[i].pa)
		return;
	/* Backward-shift deletion. */
	s->wc[i].pa = 0;
	s->wc_n--;
	j = i;
	for (;;) {
		size_t k;

		j = (j + 1) & (s->wc_cap - 1);
		if (!s->wc[j].pa)
			break;
		k = wc_hash(s->wc[j].pa, s->wc_cap);
		/* Move j to i when its home k is not in (i, j]. */
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			s->wc[i] = s->wc[j];
			s->wc[j].pa = 0;
			i = j;
		}
	}
}

/* ---- invalidation ------------------------------------------------------ */

/* Does a point of the series fall in [lo, hi)? */
static bool series_hits(const struct inval *v, uint64_t lo, uint64_t hi)
{
	uint64_t j;

	if (!v->count || hi <= v->start)
		return false;
	if (lo <= v->start)
		j = 0;
	else
		j = (lo - v->start + v->step - 1) / v->step;
	return j < v->count && v->start + j * v->step < hi;
}

void shadow_apply(struct shadow *s, const struct inval *v, size_t n)
{
	uint64_t h0 = ~0ull, h1 = 0;
	unsigned i, k;
	size_t w, j;

	/* The hull of every series: entries outside it stay. */
	for (j = 0; j < n; j++) {
		uint64_t hi = v[j].start + (v[j].count ? (v[j].count - 1) * v[j].step + 1 : 0);

		if (hi < v[j].start)
			hi = ~0ull;
		if (v[j].start < h0)
			h0 = v[j].start;
		if (hi > h1)
			h1 = hi;
	}
	for (i = 0; i < s->ntr && h0 < h1; i++) {
		struct tracked *t = &s->tr[i];

		if (!t->n)
			continue;
		for (k = 0; k < t->n;) {
			const struct tlbe *e = &t->e[k];
			bool drop = false;

			if (e->leaf_base >= h1 || e->leaf_base + (1ull << e->lg2) <= h0) {
				k++;
				continue;
			}

			for (j = 0; j < n && !drop; j++)
				drop = (v[j].kinds & e->kind) &&
				       (v[j].level < 0 || v[j].level == e->level) &&
				       series_hits(&v[j], e->leaf_base,
						   e->leaf_base + (1ull << e->lg2));
			if (drop) {
				memmove(&t->e[k], &t->e[k + 1],
					(t->n - k - 1) * sizeof(t->e[0]));
				t->n--;
			} else {
				k++;
			}
		}
	}
	if (!s->wc_n)
		return;
	if (s->idx_dirty)
		idx_rebuild(s);
	/* Walk-cache entries: per level, the tables whose span meets the
	 * series' hull, then the exact test. */
	for (j = 0; j < n; j++) {
		const struct inval *x = &v[j];
		uint64_t lo = x->start, hi;
		unsigned l;

		if (!x->walk || !(x->kinds & TLB_S2) || !x->count)
			continue;
		hi = x->start + (x->count - 1) * x->step + 1;
		if (hi < lo)
			hi = ~0ull;
		for (l = 0; l < SLAT_MAX_LEVELS; l++) {
			const uint64_t span = s->idx_span[l];
			const uint64_t from = lo >= span ? lo - span + 1 : 0;
			size_t a = 0, b = s->idx_n[l];

			if (!b)
				continue;
			while (a < b) {
				size_t mid = (a + b) / 2;

				if (s->idx[l][mid].base < from)
					a = mid + 1;
				else
					b = mid;
			}
			for (w = a; w < s->idx_n[l] && s->idx[l][w].base < hi; w++) {
				const struct wci *c = &s->idx[l][w];
				struct wce cur;

				if (series_hits(x, c->base, c->base + span) &&
				    shadow_wc_has(s, c->pa, &cur) && cur.base == c->base &&
				    cur.level == l)
					shadow_wc_remove(s, c->pa);
			}
		}
	}
}

void shadow_flush_all(struct shadow *s)
{
	unsigned i;

	for (i = 0; i < s->ntr; i++)
		s->tr[i].n = 0;
	memset(s->wc, 0, s->wc_cap * sizeof(*s->wc));
	s->wc_n = 0;
	s->idx_dirty = true;
}

void shadow_comb_from_s2(struct shadow *s)
{
	unsigned i, k, n2;

	for (i = 0; i < s->ntr; i++) {
		struct tracked *t = &s->tr[i];

		if (!t->n)
			continue;
		/* Keep the stage-2 entries, then a combined copy of each. */
		for (k = 0, n2 = 0; k < t->n; k++)
			if (t->e[k].kind == TLB_S2)
				t->e[n2++] = t->e[k];
		t->n = n2;
		for (k = 0; k < n2 && t->n < SH_ENTRIES; k++) {
			t->e[t->n] = t->e[k];
			t->e[t->n++].kind = TLB_COMB;
		}
	}
}
