/* SPDX-License-Identifier: MIT */
/**
 * @file slat/dump.h
 * @brief Text listing of a table's mappings.
 */
#ifndef SLAT_DUMP_H
#define SLAT_DUMP_H

#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Receives text; @p s is not NUL-terminated. */
typedef void (*slat_write_fn)(void *ctx, const char *s, size_t n);

/**
 * Write one line per run of mappings in [gpa, gpa + size) that are
 * contiguous in both address spaces and share attributes and page size:
 *
 *     0x0000000000000000-0x000000003fffffff -> 0x0000000100000000 rw-- WB 1G x1
 *
 * Permissions read r, w, s (supervisor execute), u (user execute); then the
 * memory type, a '!' when it is forced, the leaf size and the leaf count,
 * then "sw=N" when software bits are set.
 * Concurrency (::SLAT_FEAT_CONCURRENT): holds the range while it walks.
 * @return as slat_for_each().
 */
int slat_dump(const struct slat_table *t, slat_gpa_t gpa, uint64_t size,
	      slat_write_fn out, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
