/* SPDX-License-Identifier: MIT */
/*
 * fill_run()'s vector loop with 32-byte AVX2 stores, for hosted x86-64
 * builds on CPUs that have AVX2 (see FILL_WIDE in fill.h). The CPU is asked
 * once (GCC's __builtin_cpu_supports(), which reads CPUID through libgcc);
 * the function carries its own target, so the rest of the library stays
 * built for plain x86-64.
 */
#include "fill.h"

#if FILL_WIDE
typedef uint64_t wide_vec __attribute__((vector_size(32), aligned(8), may_alias));

/* The same sums as fill_run(): its caller has checked the template. */
__attribute__((target("avx2"))) static void fill_run_avx2(uint64_t *restrict slot,
							  uint64_t n, uint64_t tmpl,
							  uint64_t oa, uint64_t step)
{
	uint64_t i = 0;

	FILL_VECTOR_LOOP(wide_vec, 4, slot, n, tmpl, oa, step, i);
	for (; i < n; i++)
		slot[i] = tmpl | (oa + i * step);
}

bool fill_wide(uint64_t *slot, uint64_t n, uint64_t tmpl, uint64_t oa, uint64_t step)
{
	static int have; /* 0: not asked yet; 1: no AVX2; 2: AVX2 */
	int h = __atomic_load_n(&have, __ATOMIC_RELAXED);

	if (!h) {
		__builtin_cpu_init();
		h = __builtin_cpu_supports("avx2") ? 2 : 1;
		__atomic_store_n(&have, h, __ATOMIC_RELAXED);
	}
	if (h != 2)
		return false;
	fill_run_avx2(slot, n, tmpl, oa, step);
	return true;
}
#else
/* Nothing to build here: ISO C wants a declaration in every file. */
typedef int fill_wide_unused;
#endif
