/* SPDX-License-Identifier: MIT */
/*
 * The reference model: sorted extents GPA -> HPA + attributes, and sets of
 * intervals for the accessed and dirty state. Plain arrays: the models stay
 * small (a few hundred extents) and simplicity beats speed here.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

/* ---- input ------------------------------------------------------------ */

uint8_t rd_u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

uint16_t rd_u16(struct rd *r)
{
	uint16_t v = rd_u8(r);

	return (uint16_t)(v | (uint16_t)rd_u8(r) << 8);
}

uint32_t rd_u32(struct rd *r)
{
	uint32_t v = rd_u16(r);

	return v | (uint32_t)rd_u16(r) << 16;
}

uint64_t rd_u64(struct rd *r)
{
	uint64_t v = rd_u32(r);

	return v | (uint64_t)rd_u32(r) << 32;
}

/* ---- extents ---------------------------------------------------------- */

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

void model_free(struct model *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void model_reserve(struct model *m, size_t n)
{
	if (n <= m->cap)
		return;
	m->cap = n < 16 ? 16 : n * 2;
	m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
}

void model_copy(struct model *dst, const struct model *src)
{
	model_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
}

static bool attrs_eq(const struct slat_attrs *a, const struct slat_attrs *b)
{
	return a->perms == b->perms && a->memtype == b->memtype &&
	       a->flags == b->flags && a->share == b->share && a->sw == b->sw &&
	       a->key == b->key;
}

bool model_equal(const struct model *a, const struct model *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end ||
		    a->v[i].hpa != b->v[i].hpa || !attrs_eq(&a->v[i].a, &b->v[i].a))
			return false;
	return true;
}

size_t model_lower(const struct model *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ext *model_find(const struct model *m, uint64_t addr)
{
	size_t i = model_lower(m, addr);

	if (i < m->n && m->v[i].start <= addr)
		return &m->v[i];
	return NULL;
}

bool model_overlaps(const struct model *m, uint64_t a, uint64_t b)
{
	size_t i = model_lower(m, a);

	return i < m->n && m->v[i].start < b;
}

/* Split the extent containing x (if any, and x is inside) at x. */
static void model_split_at(struct model *m, uint64_t x)
{
	size_t i = model_lower(m, x);
	struct ext *e;

	if (i >= m->n || m->v[i].start >= x)
		return;
	model_reserve(m, m->n + 1);
	e = &m->v[i];
	memmove(e + 1, e, (m->n - i) * sizeof(*e));
	m->n++;
	e[0].end = x;
	e[1].hpa += x - e[1].start;
	e[1].start = x;
}

void model_cut(struct model *m, uint64_t a, uint64_t b)
{
	model_split_at(m, a);
	model_split_at(m, b);
}

void model_remove(struct model *m, uint64_t a, uint64_t b)
{
	size_t i, j;

	model_cut(m, a, b);
	i = model_lower(m, a);
	for (j = i; j < m->n && m->v[j].start < b; j++)
		;
	if (j > i) {
		memmove(&m->v[i], &m->v[j], (m->n - j) * sizeof(*m->v));
		m->n -= j - i;
	}
}

void model_insert(struct model *m, uint64_t a, uint64_t b, uint64_t hpa,
		  const struct slat_attrs *at)
{
	size_t i = model_lower(m, a);

	model_reserve(m, m->n + 1);
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->n++;
	m->v[i].start = a;
	m->v[i].end = b;
	m->v[i].hpa = hpa;
	m->v[i].a = *at;
}

/* ---- interval sets ---------------------------------------------------- */

void iset_init(struct iset *s)
{
	memset(s, 0, sizeof(*s));
}

void iset_free(struct iset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void iset_reserve(struct iset *s, size_t n)
{
	if (n <= s->cap)
		return;
	s->cap = n < 16 ? 16 : n * 2;
	s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
}

void iset_copy(struct iset *dst, const struct iset *src)
{
	iset_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
}

/* First interval ending at or after x. */
static size_t iset_lower(const struct iset *s, uint64_t x)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].b < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void iset_add(struct iset *s, uint64_t a, uint64_t b)
{
	size_t i, j;

	if (a >= b)
		return;
	i = iset_lower(s, a); /* first with end >= a: touches or after */
	j = i;
	while (j < s->n && s->v[j].a <= b) {
		if (s->v[j].a < a)
			a = s->v[j].a;
		if (s->v[j].b > b)
			b = s->v[j].b;
		j++;
	}
	if (j == i) {
		iset_reserve(s, s->n + 1);
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
		s->n++;
	} else if (j > i + 1) {
		memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof(*s->v));
		s->n -= j - i - 1;
	}
	s->v[i].a = a;
	s->v[i].b = b;
}

void iset_remove(struct iset *s, uint64_t a, uint64_t b)
{
	size_t i, j;

	if (a >= b)
		return;
	i = iset_lower(s, a + 1); /* first with end > a */
	if (i < s->n && s->v[i].a < a && s->v[i].b > b) {
		/* punch a hole */
		iset_reserve(s, s->n + 1);
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
		s->n++;
		s->v[i].b = a;
		s->v[i + 1].a = b;
		return;
	}
	if (i < s->n && s->v[i].a < a) {
		s->v[i].b = a;
		i++;
	}
	j = i;
	while (j < s->n && s->v[j].b <= b)
		j++;
	if (j < s->n && s->v[j].a < b)
		s->v[j].a = b;
	if (j > i) {
		memmove(&s->v[i], &s->v[j], (s->n - j) * sizeof(*s->v));
		s->n -= j - i;
	}
}

bool iset_contains(const struct iset *s, uint64_t x)
{
	size_t i = iset_lower(s, x + 1);

	return i < s->n && s->v[i].a <= x;
}

uint64_t iset_count(const struct iset *s, uint64_t a, uint64_t b)
{
	size_t i = iset_lower(s, a + 1);
	uint64_t n = 0;

	for (; i < s->n && s->v[i].a < b; i++) {
		uint64_t lo = s->v[i].a > a ? s->v[i].a : a;
		uint64_t hi = s->v[i].b < b ? s->v[i].b : b;

		if (hi > lo)
			n += hi - lo;
	}
	return n;
}
