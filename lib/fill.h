/* SPDX-License-Identifier: MIT */
/*
 * Writing runs of entries into a table nothing can see yet (a fresh table):
 * the loops W1 and every split spend their time in. Plain stores, two or
 * four entries per vector store, written out because gcc -O2 (its
 * very-cheap cost model) does not vectorise a loop whose trip count it
 * cannot prove a multiple of the vector length. The vector types are the
 * compiler's generic ones: SSE2 on x86-64, Neon on AArch64, pairs of
 * scalar stores elsewhere; no libc, no intrinsics header.
 */
#ifndef SLAT_LIB_FILL_H
#define SLAT_LIB_FILL_H

#include "core.h"

/*
 * Two entries, or four where the compiler may use AVX (built for
 * x86-64-v3, say): a libc memset of the same bytes stores 32 at a time
 * there. Plain x86-64 has 16-byte stores only, and gcc lowers a 32-byte
 * vector to spills on the stack. aligned(8): a run may start anywhere.
 */
#if defined(__AVX__)
#define FILL_LANES 4
#else
#define FILL_LANES 2
#endif
typedef uint64_t fill_vec __attribute__((vector_size(8 * FILL_LANES), aligned(8), may_alias));

/*
 * A hosted x86-64 build (SSE2, not built for AVX) fills long runs with
 * 32-byte stores where the CPU has AVX2 (fill_wide.c), the width a libc
 * memset uses there: W1 fills whole tables. A freestanding build for a
 * kernel (-mgeneral-regs-only) defines no __SSE2__ and never touches a
 * vector register; nor does any build for a CPU without AVX2.
 */
/*
 * The vector loop of fill_run() for a vector type `vec` of `lanes`
 * entries, four stores an iteration: writes slot[i] onwards while whole
 * iterations fit, leaving `i` at the first entry not written. A macro, so
 * that fill_wide.c compiles the same loop for its own vector width.
 */
#define FILL_VECTOR_LOOP(vec, lanes, slot, n, tmpl, oa, step, i)		\
	do {									\
		const uint64_t per_ = 4 * (lanes);				\
		vec a_, b_, c_, e_;						\
		unsigned k_;							\
										\
		for (k_ = 0; k_ < (lanes); k_++)				\
			a_[k_] = (tmpl) | ((oa) + k_ * (step));			\
		b_ = a_ + (lanes) * (step);					\
		c_ = a_ + 2 * (lanes) * (step);					\
		e_ = a_ + 3 * (lanes) * (step);					\
		for (; (i) + per_ <= (n); (i) += per_) {			\
			*(vec *)&(slot)[i] = a_;				\
			*(vec *)&(slot)[(i) + (lanes)] = b_;			\
			*(vec *)&(slot)[(i) + 2 * (lanes)] = c_;		\
			*(vec *)&(slot)[(i) + 3 * (lanes)] = e_;		\
			a_ += per_ * (step);					\
			b_ += per_ * (step);					\
			c_ += per_ * (step);					\
			e_ += per_ * (step);					\
		}								\
	} while (0)

#define FILL_WIDE_MIN 64 /* entries: below this the plain loop is as quick */
#if defined(__x86_64__) && defined(__SSE2__) && !defined(__AVX__)
#define FILL_WIDE 1
#define fill_wide slat__fill_wide
/* fill_run()'s vector loop with AVX2; false, having written nothing, without it. */
bool fill_wide(uint64_t *slot, uint64_t n, uint64_t tmpl, uint64_t oa, uint64_t step);
#else
#define FILL_WIDE 0
static inline bool fill_wide(uint64_t *slot, uint64_t n, uint64_t tmpl, uint64_t oa,
			     uint64_t step)
{
	(void)slot, (void)n, (void)tmpl, (void)oa, (void)step;
	return false;
}
#endif

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
		if (FILL_WIDE && n >= FILL_WIDE_MIN && fill_wide(slot, n, tmpl, oa, step))
			return;
		FILL_VECTOR_LOOP(fill_vec, FILL_LANES, slot, n, tmpl, oa, step, i);
	}
	for (; i < n; i++)
		slot[i] = tmpl | (oa + i * step);
}

/* slot[i] = 0 for i in [0, n). */
static SLAT_ALWAYS_INLINE void fill_zero(uint64_t *restrict slot, uint64_t n)
{
	const fill_vec z = { 0 };
	uint64_t i;

	/* Two stores an iteration: with one, gcc turns the loop into a
	 * memset call. */
	for (i = 0; i + 2 * FILL_LANES <= n; i += 2 * FILL_LANES) {
		*(fill_vec *)&slot[i] = z;
		*(fill_vec *)&slot[i + FILL_LANES] = z;
	}
	if (i + FILL_LANES <= n) {
		*(fill_vec *)&slot[i] = z;
		i += FILL_LANES;
	}
	/* Fewer than FILL_LANES: spelt out, or gcc calls memset for them. */
	if (i < n)
		slot[i++] = 0;
	if (FILL_LANES > 2 && i < n)
		slot[i++] = 0;
	if (FILL_LANES > 2 && i < n)
		slot[i] = 0;
}

#endif
