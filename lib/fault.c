/* SPDX-License-Identifier: MIT */
/* The portable part of fault decoding; the decoders live in the backends. */

#include <slat/fault.h>

const char *slat_fault_kind_str(unsigned kind)
{
	switch (kind) {
	case SLAT_FAULT_TRANSLATION: return "translation";
	case SLAT_FAULT_PERMISSION: return "permission";
	case SLAT_FAULT_MISCONFIG: return "misconfiguration";
	case SLAT_FAULT_ACCESS_FLAG: return "access flag";
	case SLAT_FAULT_OTHER: return "other";
	default: return "unknown";
	}
}
