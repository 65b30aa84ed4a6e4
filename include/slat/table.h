/* SPDX-License-Identifier: MIT */
/**
 * @file slat/table.h
 * @brief Creating and destroying a second-level translation table.
 *
 * A table is one guest's guest-physical to host-physical translation in one
 * hardware format. The hypervisor owns the @ref slat_table object (embed it
 * in its VM structure; libslat allocates nothing but table pages) and
 * serialises all calls on one table. Hardware walkers and the hardware's
 * accessed/dirty updates run concurrently with those calls; libslat's writes
 * are safe against them.
 */
#ifndef SLAT_TABLE_H
#define SLAT_TABLE_H

#include <slat/alloc.h>
#include <slat/caps.h>
#include <slat/gather.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A format backend: &slat_format_ept, &slat_format_npt or &slat_format_stage2. */
struct slat_format;

/** Most lookup levels any format uses (EPT and NPT with 5 levels). */
#define SLAT_MAX_LEVELS 5

/** Optional features of a table, requested in @ref slat_config::features. */
enum slat_feature {
	/**
	 * Hardware accessed/dirty tracking: EPT A/D (EPTP bit 6), AMD NPT
	 * (always updated by hardware), Arm FEAT_HAFDBS with DBM
	 * (VTCR_EL2.HA/HD). Enables slat_dirty_harvest() and
	 * slat_accessed(). Needs ::SLAT_CAP_AD.
	 */
	SLAT_FEAT_AD = 1u << 0,
	/**
	 * Split execute permissions: Intel mode-based execute control
	 * (MBEC), AMD guest mode execute trap (GMET), Arm FEAT_XNX. The
	 * hypervisor must also turn the feature on in the VMCS / VMCB where
	 * the format needs it. Needs ::SLAT_CAP_SPLIT_EXEC.
	 */
	SLAT_FEAT_SPLIT_EXEC = 1u << 1,
	/** Arm: encode memory types for HCR_EL2.FWB == 1. Needs ::SLAT_CAP_FWB. */
	SLAT_FEAT_FWB = 1u << 2,
	/**
	 * iTLB-multihit policy (slat/multihit.h): no leaf larger than the
	 * base page is executable; where execute is asked for, such a leaf
	 * is written without it and remembers the request in a software bit,
	 * and slat_exec_fault() splits it on the guest's first fetch. For
	 * Intel CPUs without IA32_ARCH_CAPABILITIES.PSCHANGE_MC_NO. EPT only
	 * (::SLAT_ECONFIG on other formats, and with ::SLAT_FEAT_SPLIT_EXEC).
	 */
	SLAT_FEAT_NX_HUGE = 1u << 4
};

/**
 * Synchronous invalidation hook. libslat calls it in the middle of an
 * operation when the architecture requires an invalidation before the next
 * write: Arm break-before-make. The hook must turn @p g into operations with
 * the format's flush function and complete them (on every CPU that may use
 * the table) before returning. It must not call back into libslat for
 * this table except the format's flush function.
 */
typedef void (*slat_sync_fn)(void *ctx, const struct slat_table *t,
			     const struct slat_gather *g);

/** How to build a table. Zero-initialise, then set what you need. */
struct slat_config {
	const struct slat_format *format; /**< Backend (required). */
	const struct slat_caps *caps;     /**< Hardware capabilities (required). */
	struct slat_allocator alloc;      /**< Allocator hooks (required). */
	/** Guest-physical input width in bits (required). */
	uint8_t ia_bits;
	/** x86: 4 or 5 levels, 0 to derive from ia_bits. Arm: must be 0 (derived). */
	uint8_t levels;
	/** log2 of the base page (granule): 12, or Arm 14 / 16. 0 means 12. */
	uint8_t granule_lg2;
	/** Largest leaf the table may use (log2 bytes); 0 for what caps allow. */
	uint8_t max_page_lg2;
	/** ::slat_feature bits. */
	uint32_t features;
	/**
	 * Number of software bits wanted per leaf (attrs.sw bit i), 0-4 (on
	 * Arm with ::SLAT_FEAT_AD 0-3: libslat keeps one of bits 58:55 for
	 * dirty state, slat/dirty.h).
	 */
	uint8_t sw_bits;
	/**
	 * Or: the exact leaf bit positions to use as software bits (bit n
	 * set uses entry bit n), for a hypervisor with an existing layout.
	 * 0 lets libslat choose @ref sw_bits positions.
	 */
	uint64_t sw_positions;
	/** AMD NPT: the host IA32_PAT value in force during VMRUN; 0 for the reset value. */
	uint64_t host_pat;
	/** Arm: per-address TLBIs allowed before a whole-VMID flush; 0 for 64. */
	uint32_t tlbi_threshold;
	/** Synchronous invalidation (required for Arm Stage-2). */
	slat_sync_fn sync_invalidate;
	/** Passed to @ref sync_invalidate. */
	void *sync_ctx;
};

/** @cond INTERNAL */
/*
 * Per-table description of the format, filled by the backend when the
 * table is created and read by the core on every walk. Private.
 */
struct slat_layout {
	uint8_t levels;                     /**< Lookup levels; level 0 holds the smallest pages. */
	uint8_t granule_lg2;                /**< log2 of the base page. */
	uint8_t ia_bits;                    /**< Guest-physical input width. */
	uint8_t pa_bits;                    /**< Host-physical width. */
	uint8_t root_lg2;                   /**< log2 of the root's size in bytes (concatenated roots). */
	uint8_t leaf_levels;                /**< Bit l: libslat may write a leaf at level l. */
	uint8_t leaf_levels_hw;             /**< Bit l: the hardware accepts a leaf at level l. */
	uint8_t shift[SLAT_MAX_LEVELS];     /**< log2 of the span of one entry, per level. */
	uint8_t bits[SLAT_MAX_LEVELS];      /**< log2 of the entries per table, per level. */
	uint64_t present;   /**< An entry is present when any of these bits is set. */
	uint64_t type_mask; /**< Above level 0: (e & type_mask) == table_type means a table. */
	uint64_t table_type;
	uint64_t page_mask; /**< At level 0: (e & page_mask) == page_type for a valid leaf. */
	uint64_t page_type;
	uint64_t addr_mask;  /**< Entry bits holding output address bits within the physical width (before alignment to the level). */
	uint64_t addr_field; /**< Every entry bit the format uses for addresses, also beyond the physical width. */
	uint64_t oa_hi;      /**< Entry bits holding address bits oa_hi_shift places higher (Arm 64K with 52 bits: 15:12 hold 51:48); 0: none. */
	uint8_t oa_hi_shift; /**< See @ref oa_hi. */
	uint64_t table_tmpl; /**< Bits of a table entry besides the address. */
	uint64_t accessed;   /**< Accessed flag. */
	uint64_t dirty;      /**< Bits that hardware sets on write. */
	uint64_t dirty_gate; /**< Bits that must be set in a leaf for @ref dirty to be tracked. */
	uint64_t hw_bits;    /**< Bits the hardware may change in a live entry. */
	uint64_t bbm_mask;   /**< Leaf bits whose change needs break-before-make; 0: never. */
	uint64_t sw_mask;    /**< Entry bits handed out as software bits. */
	uint64_t sw_exec;    /**< ::SLAT_FEAT_NX_HUGE: a software bit that marks a leaf above the base page whose mapping asked for execute; 0: none. */
	uint64_t sw_dirty;   /**< A software bit that keeps dirty state a leaf change would drop (@ref dirty outside @ref dirty_gate); 0: none needed. */
	uint64_t attr_mask[SLAT_MAX_LEVELS]; /**< Leaf bits set from @ref slat_attrs, per level. */
	uint8_t sw_pos[8];   /**< Entry bit of software bit i. */
	uint8_t sw_count;    /**< Number of software bits. */
};

/** @endcond */

/**
 * A table. Embed it in your VM structure; every field is private to
 * libslat (use the functions below to read what you need).
 */
struct slat_table {
	/** @cond INTERNAL */
	const struct slat_format *fmt; /**< @internal */
	struct slat_allocator alloc;   /**< @internal */
	slat_sync_fn sync;             /**< @internal */
	void *sync_ctx;                /**< @internal */
	uint64_t *root;                /**< @internal */
	uint64_t root_pa;              /**< @internal */
	uint64_t pages;                /**< @internal */
	struct slat_caps caps;         /**< @internal */
	uint32_t features;             /**< @internal */
	uint32_t tlbi_threshold;       /**< @internal */
	uint64_t host_pat;             /**< @internal */
	uint8_t max_page_lg2;          /**< @internal */
	struct slat_layout lay;        /**< @internal */
	/** @endcond */
};

/**
 * Create an empty table: validate @p cfg against the format and the
 * capabilities, and allocate the root.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT when the caps describe
 *   another format; ::SLAT_ECONFIG for unsupported widths, granule or levels
 *   or a missing hook; ::SLAT_ECAPS when the hardware lacks a requested
 *   feature, level count, granule or width; ::SLAT_ESWBITS; ::SLAT_EFLAGS
 *   for unknown feature bits; ::SLAT_ENOMEM; ::SLAT_EALIGN or ::SLAT_EHPA
 *   when the allocator returns a root that is misaligned or beyond the
 *   output width (slat/alloc.h).
 */
int slat_table_init(struct slat_table *t, const struct slat_config *cfg);

/**
 * Free every table page at once. The caller guarantees that no hardware
 * walker can use the table any more (the guest is stopped and its
 * translations invalidated) and that every gather of this table was
 * completed with slat_gather_done().
 */
void slat_table_destroy(struct slat_table *t);

/** Number of table pages (granules) the table holds, the root included. */
uint64_t slat_table_pages(const struct slat_table *t);

/** Host-physical address of the root (the first of concatenated roots). */
slat_hpa_t slat_table_root(const struct slat_table *t);

/**
 * Bit l set: libslat writes leaves at level l (level 0 holds base pages).
 * These levels are contiguous from level 0: a leaf size the CPU offers
 * above one it lacks is not used.
 */
unsigned slat_table_leaf_levels(const struct slat_table *t);

/** log2 of the bytes one leaf maps at @p level (12 for level 0 with 4 KiB). */
unsigned slat_table_level_shift(const struct slat_table *t, unsigned level);

/** Number of lookup levels. */
unsigned slat_table_levels(const struct slat_table *t);

/** The leaf entry bits that carry the software bits (bit n: entry bit n). */
uint64_t slat_table_sw_positions(const struct slat_table *t);

/** Short name of a backend: "ept", "npt" or "stage2". */
const char *slat_format_name(const struct slat_format *format);

/** The format of a table, as a ::slat_format_id. */
unsigned slat_table_format(const struct slat_table *t);

#ifdef __cplusplus
}
#endif
#endif
