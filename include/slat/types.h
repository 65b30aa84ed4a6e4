/* SPDX-License-Identifier: MIT */
/**
 * @file slat/types.h
 * @brief Address types, permissions and memory types.
 *
 * Guest-physical and host-physical addresses have distinct types so that a
 * swapped argument is a compile error rather than a guest escape.
 */
#ifndef SLAT_TYPES_H
#define SLAT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A guest-physical address (the input of second-level translation). */
typedef struct slat_gpa {
	uint64_t v; /**< The address. */
} slat_gpa_t;

/** A host-physical address (the output of second-level translation). */
typedef struct slat_hpa {
	uint64_t v; /**< The address. */
} slat_hpa_t;

/** Make a guest-physical address. */
static inline slat_gpa_t slat_gpa(uint64_t v)
{
	slat_gpa_t a;
	a.v = v;
	return a;
}

/** Make a host-physical address. */
static inline slat_hpa_t slat_hpa(uint64_t v)
{
	slat_hpa_t a;
	a.v = v;
	return a;
}

/**
 * Portable permissions of a mapping, as a bit mask.
 *
 * Execute is split by the privilege of the guest code, as the hardware
 * extensions do it: Intel MBEC, AMD GMET and Arm FEAT_XNX. The precise
 * meaning of "supervisor" differs per format (docs/formats.md): under MBEC
 * it is the U/S bit of the guest's own linear-address translation, under
 * GMET the guest's CPL, under FEAT_XNX the exception level (EL1 versus EL0).
 * Without the extension enabled, ::SLAT_PERM_XS and ::SLAT_PERM_XU must be
 * given together or not at all.
 */
enum slat_perm {
	SLAT_PERM_R = 1u << 0,  /**< Read. */
	SLAT_PERM_W = 1u << 1,  /**< Write. */
	SLAT_PERM_XS = 1u << 2, /**< Instruction fetch by supervisor guest code. */
	SLAT_PERM_XU = 1u << 3, /**< Instruction fetch by user guest code. */
	SLAT_PERM_X = SLAT_PERM_XS | SLAT_PERM_XU,       /**< Execute at any privilege. */
	SLAT_PERM_RW = SLAT_PERM_R | SLAT_PERM_W,        /**< Read and write. */
	SLAT_PERM_RX = SLAT_PERM_R | SLAT_PERM_X,        /**< Read and execute. */
	SLAT_PERM_RWX = SLAT_PERM_RW | SLAT_PERM_X,      /**< Everything. */
	SLAT_PERM_ALL = SLAT_PERM_RWX                   /**< Every permission bit. */
};

/**
 * Portable memory types. Each backend maps them to its own encoding and
 * refuses (::SLAT_EMEMTYPE) what it cannot express; docs/formats.md has the
 * table.
 */
enum slat_memtype {
	SLAT_MT_WB = 0,     /**< Normal memory, write-back cacheable. */
	SLAT_MT_WT = 1,     /**< Normal memory, write-through. */
	SLAT_MT_WC = 2,     /**< Normal memory, uncached, write-combining (Arm Normal Non-cacheable). */
	SLAT_MT_WP = 3,     /**< x86 write-protected; not expressible on Arm. */
	SLAT_MT_UC = 4,     /**< Strongly ordered uncacheable (x86 UC, Arm Device-nGnRnE). */
	SLAT_MT_DEVICE = 5 /**< The architecture's type for device registers (x86 UC, Arm Device-nGnRE). */
};

/** Number of memory types. */
#define SLAT_MT_COUNT 6

/** Shareability of a mapping. Only Arm Stage-2 has a choice. */
enum slat_share {
	SLAT_SH_DEFAULT = 0, /**< Inner shareable for normal memory (the only value x86 formats accept). */
	SLAT_SH_INNER = 1,   /**< Inner shareable. */
	SLAT_SH_OUTER = 2,   /**< Outer shareable. */
	SLAT_SH_NONE = 3    /**< Non-shareable. */
};

/** Flags of @ref slat_attrs. */
enum slat_attr_flag {
	/**
	 * The memory type overrides the guest's own choice instead of
	 * combining with it: EPT ignore-PAT, Stage-2 with FEAT_S2FWB.
	 * AMD NPT cannot express it (::SLAT_EMEMTYPE).
	 */
	SLAT_ATTR_MT_FORCE = 1u << 0
};

/** The attributes of a mapping. Zero-initialised means "no access, WB". */
struct slat_attrs {
	uint8_t perms;   /**< ::slat_perm bits; 0 is a no-access mapping (slat_map()). */
	uint8_t memtype; /**< ::slat_memtype. */
	uint8_t flags;   /**< ::slat_attr_flag bits. */
	uint8_t share;   /**< ::slat_share. */
	uint8_t sw;      /**< Value of the table's software bits (bit i is software bit i). */
	/**
	 * Host memory key of the output address, kept in the entry apart
	 * from the address: AMD SME's C-bit (1: encrypted with the host
	 * key), an Intel MKTME KeyID. Needs ::SLAT_FEAT_KEYS and at most
	 * @ref slat_caps::key_max, else ::SLAT_EKEY; 0 otherwise.
	 */
	uint16_t key;
};

/** Attributes from permissions and memory type, other fields zero (named
 * apart from the struct so that C++ sees both). */
static inline struct slat_attrs slat_attrs_make(unsigned perms, unsigned memtype)
{
	struct slat_attrs a;
	a.perms = (uint8_t)perms;
	a.memtype = (uint8_t)memtype;
	a.flags = 0;
	a.share = SLAT_SH_DEFAULT;
	a.sw = 0;
	a.key = 0;
	return a;
}

#ifdef __cplusplus
}
#endif
#endif
