/* SPDX-License-Identifier: MIT */
/* The library's version, as it was built (slat/version.h). */

#include <slat/version.h>

const char *slat_version(void)
{
	return SLAT_VERSION_STRING;
}

uint32_t slat_version_number(void)
{
	return SLAT_VERSION_NUMBER;
}
