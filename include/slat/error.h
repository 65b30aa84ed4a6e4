/* SPDX-License-Identifier: MIT */
/**
 * @file slat/error.h
 * @brief Error codes returned by every libslat call.
 *
 * Every call that can fail returns an @ref slat_err. A call that returns
 * anything but ::SLAT_OK changed nothing: the tables are bit for bit as they
 * were and no memory was kept.
 */
#ifndef SLAT_ERROR_H
#define SLAT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a libslat call. Values are stable and part of the ABI. */
enum slat_err {
	SLAT_OK = 0,        /**< Success. */
	SLAT_ENULL = 1,     /**< A required pointer argument was NULL. */
	SLAT_EALIGN = 2,    /**< An address or size is not a multiple of the table's base page size. */
	SLAT_ESIZE = 3,     /**< The size of a range is zero. */
	SLAT_EWRAP = 4,     /**< A range wraps past the end of the 64-bit address space. */
	SLAT_EGPA = 5,      /**< A guest-physical range reaches beyond the table's input width. */
	SLAT_EHPA = 6,      /**< A host-physical range reaches beyond the physical address width. */
	SLAT_EEXIST = 7,    /**< Part of the range is already mapped and ::SLAT_MAP_REPLACE was not given. */
	SLAT_ENOENT = 8,    /**< Nothing is mapped at the address (translate, split). */
	SLAT_EPERM = 9,     /**< The format cannot express the requested permission combination. */
	SLAT_EMEMTYPE = 10, /**< The format cannot express the requested memory type or shareability. */
	SLAT_ECAPS = 11,    /**< The hardware capabilities lack something the request needs. */
	SLAT_ENOFEAT = 12,  /**< The table was created without a feature the call needs (e.g. A/D). */
	SLAT_EFLAGS = 13,   /**< Unknown or contradictory flag bits. */
	SLAT_EPAGESIZE = 14,/**< A page size that the table cannot use. */
	SLAT_ENOMEM = 15,   /**< The embedder's allocator returned no memory. */
	SLAT_ECORRUPT = 16, /**< An entry that libslat never writes was found while walking. */
	SLAT_ECONFIG = 17,  /**< The table configuration is invalid (widths, granule, levels, hooks). */
	SLAT_ESWBITS = 18,  /**< Software bits requested collide with enabled features, or too many. */
	SLAT_EGATHER = 19,  /**< The gather belongs to another table. */
	SLAT_ENOSPC = 20,   /**< A caller-provided output buffer is too small. */
	SLAT_EFORMAT = 21,  /**< A format-specific call was given a table of another format. */
	SLAT_EKEY = 22,     /**< A host memory key the table cannot express: keys not enabled, beyond the CPU's range, or a format without keys (Arm). */
	/**
	 * Table pages are still waiting in a gather: slat_gather_init() on a
	 * gather that holds pages or a pending invalidation, or
	 * slat_table_destroy() while gathers of the table hold pages.
	 * Complete the gathers with slat_gather_done() first.
	 */
	SLAT_EBUSY = 23,
	SLAT_EDEAD = 24,    /**< The table was destroyed by slat_table_destroy(). */
	SLAT_EPARSE = 25,   /**< Hosted: text that is not what the reader expects (slat/map_svg.h). */
	SLAT_EIO = 26,      /**< Hosted: reading or writing a file failed (slat/map_svg.h). */
	SLAT_EPAYLOAD = 27  /**< A payload of 0 or wider than the format's payload field (slat/payload.h). */
};

/** Number of error codes, for tables indexed by @ref slat_err. */
#define SLAT_ERR_COUNT 28

/**
 * Short English description of an error code (never NULL).
 * @param err a value returned by a libslat call
 */
const char *slat_strerror(int err);

/** Symbolic name of an error code, e.g. "SLAT_EALIGN" (never NULL). */
const char *slat_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
