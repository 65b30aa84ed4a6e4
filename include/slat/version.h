/* SPDX-License-Identifier: MIT */
/**
 * @file slat/version.h
 * @brief The version of the headers and of the library.
 *
 * The ABI is stable within a major version: symbols carry the version node
 * they were added in (LIBSLAT_0.2, LIBSLAT_0.3: lib/libslat.map), the sizes of struct slat_table and struct
 * slat_gather are fixed (::SLAT_TABLE_SIZE, ::SLAT_GATHER_SIZE) and
 * scripts/abi-check.sh compares every build with abi/libslat.abi. Compare
 * the macros (what you compiled against) with slat_version_number() (what
 * you run with) if you load the shared library.
 */
#ifndef SLAT_VERSION_H
#define SLAT_VERSION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLAT_VERSION_MAJOR 0       /**< Incompatible ABI changes. */
#define SLAT_VERSION_MINOR 3       /**< Compatible additions. */
#define SLAT_VERSION_PATCH 0       /**< Fixes. */
#define SLAT_VERSION_STRING "0.3.0" /**< The three, as text. */

/** The version as one number: (major << 16) | (minor << 8) | patch. */
#define SLAT_VERSION_NUMBER                                                   \
	(((uint32_t)SLAT_VERSION_MAJOR << 16) | ((uint32_t)SLAT_VERSION_MINOR << 8) | \
	 (uint32_t)SLAT_VERSION_PATCH)

/** The running library's version, e.g. "0.3.0" (never NULL). */
const char *slat_version(void);

/** The running library's version as ::SLAT_VERSION_NUMBER encodes it. */
uint32_t slat_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
