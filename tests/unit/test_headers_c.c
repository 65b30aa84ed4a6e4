/* SPDX-License-Identifier: MIT */
/*
 * The public headers from strict C99 with -pedantic -Wcast-qual -Werror
 * (Makefile fragment tests/unit/robust.mk), and the version the library
 * reports against the headers' and configure's.
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
#include <slat/version.h>

#include <string.h>

int main(void)
{
	static const struct slat_gather empty = SLAT_GATHER_INIT;
	struct slat_gather g = SLAT_GATHER_INIT;

	/* A constant initialiser and an automatic one make the same empty gather. */
	if (memcmp(&g, &empty, sizeof(g)) != 0 || !slat_gather_empty(&g))
		return 1;
	if (strcmp(slat_errname(SLAT_EDEAD), "SLAT_EDEAD") != 0)
		return 2;
	/* The library, its header and configure.ac agree on the version. */
	if (strcmp(slat_version(), SLAT_VERSION_STRING) != 0 ||
	    strcmp(slat_version(), PACKAGE_VERSION) != 0)
		return 3;
	if (slat_version_number() != SLAT_VERSION_NUMBER ||
	    SLAT_VERSION_NUMBER != ((0u << 16) | (3u << 8) | 0u))
		return 4;
	return 0;
}
