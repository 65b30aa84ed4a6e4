/* SPDX-License-Identifier: MIT */
/*
 * Writing runs of entries into a table nothing can see yet (a fresh table):
 * the loops W1 and every split spend their time in. Plain stores, two
 * entries per 16-byte vector store, because gcc -O2 (its very-cheap cost
 * model) does not vectorise a loop whose trip count it cannot prove a
 * multiple of the vector length. The vector types are the compiler's
 * generic ones: SSE2 on x86-64, Neon on AArch64, pairs of scalar stores
 * elsewhere; no libc, no intrinsics header.
 */
#ifndef SLAT_LIB_FILL_H
#define SLAT_LIB_FILL_H

#include "core.h"

/* Two entries; aligned(8) because a run may start at an odd index. */
typedef uint64_t fill_pair __attribute__((vector_size(16), aligned(8), may_alias));

/*
 * slot[i] = tmpl | (oa + i * step) for i in [0, n): leaves whose output
 * address field is one contiguous bit range (every format but Arm 64K
 * with 52 bits, see addr_entry_split()). The address is summed first and
 * the template ORed in last, as in the scalar form, so nothing is assumed
 * about which bits the template uses.
 */
static SLAT_ALWAYS_INLINE void fill_run(uint64_t *restrict slot, uint64_t n,
					uint64_t tmpl, uint64_t oa, uint64_t step)
{
	const fill_pair t = { tmpl, tmpl };
	const fill_pair d = { 4 * step, 4 * step };
	fill_pair a = { oa, oa + step };
	fill_pair b = { oa + 2 * step, oa + 3 * step };
	uint64_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		*(fill_pair *)&slot[i] = a | t;
		*(fill_pair *)&slot[i + 2] = b | t;
		a += d;
		b += d;
	}
	for (oa += i * step; i < n; i++, oa += step)
		slot[i] = tmpl | oa;
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
