/* SPDX-License-Identifier: MIT */
/* How many tables a change needs, computed before the change is made. */

#include "core.h"

static inline bool partial(const struct slat_layout *l, unsigned level,
			   uint64_t a, uint64_t b)
{
	return (a & level_mask(l, level)) || b - a < level_size(l, level);
}

uint64_t edge_split_cost(const struct slat_layout *l, unsigned level,
			 uint64_t a, uint64_t b)
{
	const unsigned cl = level - 1;
	const uint64_t csz = level_size(l, cl);
	const uint64_t first = a & ~(csz - 1), last = (b - 1) & ~(csz - 1);
	uint64_t n = 1;

	if (cl == 0)
		return n;
	if (first == last)
		return partial(l, cl, a, b) ? n + edge_split_cost(l, cl, a, b) : n;
	if (a != first)
		n += edge_split_cost(l, cl, a, first + csz);
	if (b != last + csz)
		n += edge_split_cost(l, cl, last, b);
	return n;
}
