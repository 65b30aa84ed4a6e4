/* SPDX-License-Identifier: MIT */
/*
 * slat_dump(): coalesced text listing of the mappings of a range. Written
 * without libc: the library is freestanding, so it formats its own numbers.
 */

#include <slat/dump.h>
#include <slat/lookup.h>

#include "core.h"

struct line {
	char buf[128];
	size_t len;
};

static void put(struct line *ln, const char *s)
{
	while (*s && ln->len < sizeof(ln->buf))
		ln->buf[ln->len++] = *s++;
}

static void put_hex(struct line *ln, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift;

	put(ln, "0x");
	for (shift = 60; shift >= 0; shift -= 4)
		if (ln->len < sizeof(ln->buf))
			ln->buf[ln->len++] = digits[(v >> shift) & 0xf];
}

static void put_dec(struct line *ln, uint64_t v)
{
	char tmp[21];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n-- && ln->len < sizeof(ln->buf))
		ln->buf[ln->len++] = tmp[n];
}

static void put_size(struct line *ln, unsigned lg2)
{
	static const char units[] = "KMGTP";
	unsigned u = (lg2 - 10) / 10;
	char unit[2] = { units[u], 0 };

	put_dec(ln, 1ull << (lg2 - 10 - 10 * u));
	put(ln, unit);
}

struct run {
	bool open;
	uint64_t start, end, hpa, leaves;
	struct slat_attrs attrs;
	uint8_t page_lg2;
	slat_write_fn out;
	void *ctx;
};

static void run_flush(struct run *r)
{
	static const char *const mt[SLAT_MT_COUNT] = { "WB", "WT", "WC",
						       "WP", "UC", "DEV" };
	static const char *const sh[] = { "", " ish", " osh", " nsh" };
	struct line ln;
	char perms[5];

	if (!r->open)
		return;
	ln.len = 0;
	perms[0] = (r->attrs.perms & SLAT_PERM_R) ? 'r' : '-';
	perms[1] = (r->attrs.perms & SLAT_PERM_W) ? 'w' : '-';
	perms[2] = (r->attrs.perms & SLAT_PERM_XS) ? 's' : '-';
	perms[3] = (r->attrs.perms & SLAT_PERM_XU) ? 'u' : '-';
	perms[4] = 0;
	put_hex(&ln, r->start);
	put(&ln, "-");
	put_hex(&ln, r->end - 1);
	put(&ln, " -> ");
	put_hex(&ln, r->hpa);
	put(&ln, " ");
	put(&ln, perms);
	put(&ln, " ");
	put(&ln, r->attrs.memtype < SLAT_MT_COUNT ? mt[r->attrs.memtype] : "??");
	if (r->attrs.flags & SLAT_ATTR_MT_FORCE)
		put(&ln, "!");
	put(&ln, sh[r->attrs.share & 3]);
	put(&ln, " ");
	put_size(&ln, r->page_lg2);
	put(&ln, " x");
	put_dec(&ln, r->leaves);
	if (r->attrs.sw) {
		put(&ln, " sw=");
		put_dec(&ln, r->attrs.sw);
	}
	if (r->attrs.key) {
		put(&ln, " key=");
		put_dec(&ln, r->attrs.key);
	}
	put(&ln, "\n");
	r->out(r->ctx, ln.buf, ln.len);
	r->open = false;
}

static bool same_attrs(const struct slat_attrs *a, const struct slat_attrs *b)
{
	return a->perms == b->perms && a->memtype == b->memtype &&
	       a->flags == b->flags && a->share == b->share && a->sw == b->sw &&
	       a->key == b->key;
}

static int dump_one(void *ctx, const struct slat_mapping *m)
{
	struct run *r = (struct run *)ctx;

	if (r->open && m->gpa.v == r->end &&
	    m->hpa.v == r->hpa + (r->end - r->start) &&
	    m->page_lg2 == r->page_lg2 && same_attrs(&m->attrs, &r->attrs)) {
		r->end += m->size;
		r->leaves++;
		return 0;
	}
	run_flush(r);
	r->open = true;
	r->start = m->gpa.v;
	r->end = m->gpa.v + m->size;
	r->hpa = m->hpa.v;
	r->attrs = m->attrs;
	r->page_lg2 = m->page_lg2;
	r->leaves = 1;
	return 0;
}

int slat_dump(const struct slat_table *t_pub, slat_gpa_t gpa, uint64_t size,
	      slat_write_fn out, void *ctx)
{
	struct run r;
	int err;

	if (!out)
		return SLAT_ENULL;
	__builtin_memset(&r, 0, sizeof(r));
	r.out = out;
	r.ctx = ctx;
	err = slat_for_each(t_pub, gpa, size, dump_one, &r, 0);
	if (!err)
		run_flush(&r);
	return err;
}
