/* SPDX-License-Identifier: MIT */
/*
 * Runs of like mappings, from a live table or read back from the text of
 * slat_dump() (lib/dump.c writes it; this is its only reader). The reader
 * is strict: a line either is exactly what slat_dump() writes or it is
 * refused, so that a truncated or hand-edited dump cannot draw a picture
 * of a table that never existed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <slat/error.h>
#include <slat/lookup.h>
#include <slat/map_svg.h>

void slat_runs_free(struct slat_runs *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

static int runs_push(struct slat_runs *r, const struct slat_run *run)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct slat_run *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return SLAT_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *run;
	return SLAT_OK;
}

static bool same_attrs(const struct slat_attrs *a, const struct slat_attrs *b)
{
	return a->perms == b->perms && a->memtype == b->memtype &&
	       a->flags == b->flags && a->share == b->share && a->sw == b->sw;
}

struct collect {
	struct slat_runs *out;
	struct slat_run cur;
	bool open;
	int err;
};

/* The same coalescing rule as slat_dump(), so that a picture drawn from a
 * live table and one drawn from its dump are the same picture. */
static int collect_one(void *ctx, const struct slat_mapping *m)
{
	struct collect *c = ctx;

	if (c->open && m->gpa.v == c->cur.gpa.v + c->cur.size &&
	    m->hpa.v == c->cur.hpa.v + c->cur.size &&
	    m->page_lg2 == c->cur.page_lg2 && same_attrs(&m->attrs, &c->cur.attrs)) {
		c->cur.size += m->size;
		c->cur.leaves++;
		return 0;
	}
	if (c->open && (c->err = runs_push(c->out, &c->cur)))
		return 1;
	c->open = true;
	c->cur.gpa = m->gpa;
	c->cur.hpa = m->hpa;
	c->cur.size = m->size;
	c->cur.attrs = m->attrs;
	c->cur.page_lg2 = m->page_lg2;
	c->cur.leaves = 1;
	return 0;
}

int slat_runs_from_table(const struct slat_table *t, slat_gpa_t gpa,
			 uint64_t size, struct slat_runs *out)
{
	struct collect c;
	size_t before;
	int err;

	if (!out)
		return SLAT_ENULL;
	memset(&c, 0, sizeof(c));
	c.out = out;
	before = out->n;
	err = slat_for_each(t, gpa, size, collect_one, &c, NULL);
	if (!err)
		err = c.err;
	if (!err && c.open)
		err = runs_push(out, &c.cur);
	if (err)
		out->n = before;
	return err;
}

/* ---- reading slat_dump() text back ---------------------------------------- */

static bool eat(const char **s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*s, word, n))
		return false;
	*s += n;
	return true;
}

/* "0x" and exactly 16 hex digits, as slat_dump() writes every address. */
static bool parse_hex16(const char **s, uint64_t *v)
{
	int i;

	if (!eat(s, "0x"))
		return false;
	*v = 0;
	for (i = 0; i < 16; i++) {
		char ch = (*s)[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else
			return false;
		*v = *v << 4 | d;
	}
	*s += 16;
	return true;
}

/* A decimal without sign or leading zero, that fits in 64 bits. */
static bool parse_dec(const char **s, uint64_t *v)
{
	const char *p = *s;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	*v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (*v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	return true;
}

/* A leaf size as put_size() in lib/dump.c writes it: a power of two of
 * 1 to 512 followed by K, M, G, T or P. */
static bool parse_size(const char **s, uint8_t *lg2)
{
	static const char units[] = "KMGTP";
	const char *u;
	uint64_t n;
	unsigned k;

	if (!parse_dec(s, &n) || n == 0 || (n & (n - 1)) || n > 512)
		return false;
	u = **s ? strchr(units, **s) : NULL;
	if (!u)
		return false;
	(*s)++;
	for (k = 0; (1ull << k) != n; k++)
		;
	*lg2 = (uint8_t)(10 + 10 * (unsigned)(u - units) + k);
	return *lg2 >= 12 && *lg2 <= 63;
}

int slat_dump_parse(const char *line, struct slat_run *run)
{
	static const char *const mt[SLAT_MT_COUNT] = { "WB", "WT", "WC", "WP", "UC", "DEV" };
	static const char *const sh[] = { " ish", " osh", " nsh" };
	static const char perm_ch[4] = { 'r', 'w', 's', 'u' };
	const char *s = line;
	uint64_t first, last, hpa, leaves, sw;
	struct slat_run r;
	unsigned i;

	if (!line || !run)
		return SLAT_ENULL;
	memset(&r, 0, sizeof(r));
	if (!parse_hex16(&s, &first) || !eat(&s, "-") || !parse_hex16(&s, &last) ||
	    !eat(&s, " -> ") || !parse_hex16(&s, &hpa) || !eat(&s, " "))
		return SLAT_EPARSE;
	for (i = 0; i < 4; i++, s++) {
		if (*s == perm_ch[i])
			r.attrs.perms |= (uint8_t)(1u << i);
		else if (*s != '-')
			return SLAT_EPARSE;
	}
	if (!eat(&s, " "))
		return SLAT_EPARSE;
	/* "DEV" before the two-letter names is not needed: none is a prefix
	 * of another. */
	for (i = 0; i < SLAT_MT_COUNT && !eat(&s, mt[i]); i++)
		;
	if (i == SLAT_MT_COUNT)
		return SLAT_EPARSE;
	r.attrs.memtype = (uint8_t)i;
	if (eat(&s, "!"))
		r.attrs.flags |= SLAT_ATTR_MT_FORCE;
	for (i = 0; i < 3; i++)
		if (eat(&s, sh[i])) {
			r.attrs.share = (uint8_t)(i + 1);
			break;
		}
	if (!eat(&s, " ") || !parse_size(&s, &r.page_lg2) || !eat(&s, " x") ||
	    !parse_dec(&s, &leaves) || leaves == 0)
		return SLAT_EPARSE;
	if (eat(&s, " sw=")) {
		if (!parse_dec(&s, &sw) || sw == 0 || sw > 255)
			return SLAT_EPARSE;
		r.attrs.sw = (uint8_t)sw;
	}
	eat(&s, "\r");
	eat(&s, "\n");
	if (*s)
		return SLAT_EPARSE;
	/* The numbers must agree: a whole number of aligned leaves. */
	if (last < first || ((last - first + 1) >> r.page_lg2) != leaves ||
	    ((last - first + 1) & ((1ull << r.page_lg2) - 1)) ||
	    (first & ((1ull << r.page_lg2) - 1)) || (hpa & 0xfff) ||
	    hpa + (last - first) < hpa)
		return SLAT_EPARSE;
	r.gpa.v = first;
	r.size = last - first + 1;
	r.hpa.v = hpa;
	r.leaves = leaves;
	*run = r;
	return SLAT_OK;
}

int slat_runs_read(FILE *f, struct slat_runs *out, unsigned long *lineno)
{
	char buf[256];
	unsigned long no = 0;
	size_t before;
	int err = SLAT_OK;

	if (lineno)
		*lineno = 0;
	if (!f || !out)
		return SLAT_ENULL;
	before = out->n;
	while (fgets(buf, sizeof(buf), f)) {
		struct slat_run r;
		size_t len = strlen(buf);

		no++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			err = SLAT_EPARSE; /* longer than any dump line */
			break;
		}
		if (buf[0] == '#' || buf[0] == '\n' || (buf[0] == '\r' && buf[1] == '\n'))
			continue;
		err = slat_dump_parse(buf, &r);
		if (!err && out->n > before) {
			const struct slat_run *prev = &out->v[out->n - 1];

			if (r.gpa.v < prev->gpa.v + prev->size)
				err = SLAT_EPARSE;
		}
		if (!err)
			err = runs_push(out, &r);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = SLAT_EIO;
	if (err) {
		out->n = before;
		if (lineno)
			*lineno = no;
	}
	return err;
}
