/* SPDX-License-Identifier: MIT */
/* Names and descriptions of error codes. */

#include <slat/error.h>

static const char *const names[SLAT_ERR_COUNT] = {
	"SLAT_OK",      "SLAT_ENULL",   "SLAT_EALIGN",    "SLAT_ESIZE",
	"SLAT_EWRAP",   "SLAT_EGPA",    "SLAT_EHPA",      "SLAT_EEXIST",
	"SLAT_ENOENT",  "SLAT_EPERM",   "SLAT_EMEMTYPE",  "SLAT_ECAPS",
	"SLAT_ENOFEAT", "SLAT_EFLAGS",  "SLAT_EPAGESIZE", "SLAT_ENOMEM",
	"SLAT_ECORRUPT", "SLAT_ECONFIG", "SLAT_ESWBITS",  "SLAT_EGATHER",
	"SLAT_ENOSPC",  "SLAT_EFORMAT", "SLAT_EKEY",    "SLAT_EBUSY",
	"SLAT_EDEAD",   "SLAT_EPARSE",  "SLAT_EIO",     "SLAT_EPAYLOAD",
};

static const char *const texts[SLAT_ERR_COUNT] = {
	"success",
	"required pointer argument is NULL",
	"address or size not aligned to the base page size",
	"range size is zero",
	"range wraps around the address space",
	"guest-physical range beyond the table's input width",
	"host-physical range beyond the physical address width",
	"range already mapped (no replace flag)",
	"nothing mapped at the address",
	"permissions not expressible in this format",
	"memory type or shareability not expressible in this format",
	"hardware capability missing",
	"table created without the feature this call needs",
	"unknown or contradictory flags",
	"page size not usable by this table",
	"allocator out of memory",
	"corrupted entry found in the table",
	"invalid table configuration",
	"software bits unavailable or colliding with a feature",
	"gather belongs to another table",
	"output buffer too small",
	"table of another format",
	"host memory key not expressible in this table",
	"table pages still held by a gather",
	"table was destroyed",
	"malformed input text",
	"file read or write failed",
	"payload zero or wider than the format offers",
};

const char *slat_strerror(int err)
{
	if (err < 0 || err >= SLAT_ERR_COUNT)
		return "unknown error";
	return texts[err];
}

const char *slat_errname(int err)
{
	if (err < 0 || err >= SLAT_ERR_COUNT)
		return "SLAT_E?";
	return names[err];
}
