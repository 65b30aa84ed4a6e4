/* SPDX-License-Identifier: MIT */
/*
 * The public headers from strict C99 with -pedantic -Wcast-qual -Werror
 * (Makefile fragment tests/unit/robust.mk): every header, each on its own
 * first, so that none depends on another being included before it.
 */
#include <slat/alloc.h>
#include <slat/caps.h>
#include <slat/dirty.h>
#include <slat/dump.h>
#include <slat/ept.h>
#include <slat/error.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/hosted.h>
#include <slat/hwsim.h>
#include <slat/lookup.h>
#include <slat/map.h>
#include <slat/npt.h>
#include <slat/slat.h>
#include <slat/stage2.h>
#include <slat/table.h>
#include <slat/types.h>
#include <slat/validate.h>

#include <string.h>

int main(void)
{
	static const struct slat_gather empty = SLAT_GATHER_INIT;
	struct slat_gather g = SLAT_GATHER_INIT;

	/* A constant initialiser and an automatic one make the same empty gather. */
	if (memcmp(&g, &empty, sizeof(g)) != 0 || !slat_gather_empty(&g))
		return 1;
	return strcmp(slat_errname(SLAT_EDEAD), "SLAT_EDEAD") != 0;
}
