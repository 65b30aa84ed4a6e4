/* SPDX-License-Identifier: MIT */
/*
 * Writing runs of entries into a table nothing can see yet (a fresh table):
 * the loops W1 and every split spend their time in. Plain stores, two
 * entries per 16-byte vector store, written out because gcc -O2 (its
 * very-cheap cost model) does not vectorise a loop whose trip count it
 * cannot prove a multiple of the vector length. The vector types are the
 * compiler's generic ones: SSE2 on x86-64, Neon on AArch64, pairs of
 * scalar stores elsewhere; no libc, no intrinsics header.
 */
#ifndef SLAT_LIB_FILL_H
#define SLAT_LIB_FILL_H

#include "core.h"

/* Two entries; aligned(8) because a run may start at an odd index. */
typedef uint64_t fill_pair __attribute__((vector_size(16), aligned(8), may_alias));

/*
 * slot[i] = tmpl | (oa + i * step) for i in [0, n): leaves whose output
 * address field is one contiguous bit range (every format but Arm 64K
 * with 52 bits, see addr_entry_split()).
 *
 * The vector loop adds instead: (tmpl | oa) + i * step. Both agree when
 * the template has no bit from bit log2(step) up to the highest bit of the
 * last address: the sum then never carries out of the address bits, and
 * bits below step are never touched by adding a multiple of it. Every
 * template libslat builds passes (attributes sit below bit 12 and above
 * the output width), but it is checked rather than assumed; a template
 * that fails gets the plain loop.
 */
static SLAT_ALWAYS_INLINE void fill_run(uint64_t *restrict slot, uint64_t n,
					uint64_t tmpl, uint64_t oa, uint64_t step)
{
	const uint64_t last = n ? oa + (n - 1) * step : 0;
	const uint64_t moving = last ? ~0ull >> __builtin_clzll(last) : 0;
	uint64_t i = 0;

	if (!(tmpl & moving & ~(step - 1))) {
		const fill_pair d = { 8 * step, 8 * step };
		fill_pair a = { tmpl | oa, tmpl | (oa + step) };
		fill_pair b = a + 2 * step, c = a + 4 * step, e = a + 6 * step;

		for (; i + 8 <= n; i += 8) {
			*(fill_pair *)&slot[i] = a;
			*(fill_pair *)&slot[i + 2] = b;
			*(fill_pair *)&slot[i + 4] = c;
			*(fill_pair *)&slot[i + 6] = e;
			a += d;
			b += d;
			c += d;
			e += d;
		}
	}
	for (; i < n; i++)
		slot[i] = tmpl | (oa + i * step);
}

/* slot[i] = 0 for i in [0, n). */
static SLAT_ALWAYS_INLINE void fill_zero(uint64_t *restrict slot, uint64_t n)
{
	const fill_pair z = { 0, 0 };
	uint64_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		*(fill_pair *)&slot[i] = z;
		*(fill_pair *)&slot[i + 2] = z;
	}
	/* Three at most: spelt out, or gcc makes a memset call of them. */
	if (i < n)
		slot[i++] = 0;
	if (i < n)
		slot[i++] = 0;
	if (i < n)
		slot[i] = 0;
}

#endif
