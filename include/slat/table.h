/* SPDX-License-Identifier: MIT */
/**
 * @file slat/table.h
 * @brief Creating and destroying a second-level translation table.
 *
 * A table is one guest's guest-physical to host-physical translation in one
 * hardware format. The hypervisor owns the @ref slat_table object (embed it
 * in its VM structure; libslat allocates nothing but table pages) and
 * serialises all calls on one table, unless the table was created with
 * ::SLAT_FEAT_CONCURRENT: then several threads may call libslat on it at
 * once (docs/concurrency.md). Hardware walkers and the hardware's
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

/** Most software bits a table may have (@ref slat_config::sw_bits, or bits set in @ref slat_config::sw_positions). */
#define SLAT_SW_BITS_MAX 4

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
	 * Host memory keys in leaves (@ref slat_attrs::key): the AMD SME
	 * C-bit in NPT, Intel MKTME KeyIDs in EPT. Needs a nonzero
	 * @ref slat_caps::key_max (slat_npt_caps_sme(),
	 * slat_ept_caps_mktme()); Arm Stage-2 has no such bits.
	 */
	SLAT_FEAT_KEYS = 1u << 3,
	/**
	 * iTLB-multihit policy (slat/multihit.h): no leaf larger than the
	 * base page is executable; where execute is asked for, such a leaf
	 * is written without it and remembers the request in a software bit,
	 * and slat_exec_fault() splits it on the guest's first fetch. For
	 * Intel CPUs without IA32_ARCH_CAPABILITIES.PSCHANGE_MC_NO. EPT only
	 * (::SLAT_ECONFIG on other formats, and with ::SLAT_FEAT_SPLIT_EXEC).
	 */
	SLAT_FEAT_NX_HUGE = 1u << 4,
	/**
	 * The table's walkers do not snoop the data cache: they read the
	 * tables from memory. Needs @ref slat_config::clean_tables
	 * (::SLAT_ECONFIG without it), which libslat then calls with every
	 * range of table memory it writes before the write can matter to a
	 * walker (docs/embedding.md, "Walkers that do not snoop the data
	 * cache"). slat_stage2_vtcr() gives VTCR_EL2 IRGN0 = ORGN0 = 0b00
	 * (Normal Non-cacheable walks); an SMMU stage 2 without coherent
	 * walks (SMMU_IDR0.COHACC = 0) is the same case, its STE's
	 * S2IR0/S2OR0 set alike by the embedder. slat_ept_eptp() gives EPTP
	 * memory type 0 (UC, SDM vol. 3C 29.3.7.1; needs ::SLAT_CAP_WALK_UC,
	 * else ::SLAT_ECAPS). Not on NPT (::SLAT_ECONFIG): libslat produces
	 * no register value that chooses how AMD's nested walker caches the
	 * tables. Not with ::SLAT_FEAT_AD (::SLAT_ECONFIG): the walker's
	 * accessed/dirty updates would go to memory under a cache line the
	 * CPU may hold stale, and libslat's atomic updates of the entry
	 * could drop them.
	 */
	SLAT_FEAT_WALK_NC = 1u << 8,
	/**
	 * The allocator's slat_allocator::alloc need not zero the blocks it
	 * hands out (slat/alloc.h): libslat writes every entry of a new table
	 * itself before any walker, hardware or software, can reach it,
	 * zeroing only the entries a call does not fill. A table filled
	 * completely (the split of a leaf, a map whose range covers the whole
	 * span of the table with leaves) is then written once instead of
	 * twice. The root is zeroed by slat_table_init(). Since 0.3.
	 */
	SLAT_FEAT_ALLOC_UNZEROED = 1u << 11,
	/**
	 * Concurrent mode: several threads may call libslat on this table at
	 * once (docs/concurrency.md). Every changing call is linearizable:
	 * it takes effect at one instant between its entry and its return.
	 * Calls on disjoint guest ranges run in parallel; calls whose ranges
	 * overlap (libslat widens a range to every leaf it would split or
	 * change partly) are serialised by a range lock in the table, the
	 * later one waiting (@ref slat_config::wait). Readers
	 * (slat_translate(), slat_payload_get()) take no lock and see every
	 * entry either before or after a concurrent change, never a freed
	 * table: unlinked table pages are freed by slat_gather_done() only
	 * after a grace period (@ref slat_config::grace). Whole-table calls
	 * (slat_validate(), slat_dump(), slat_for_each()) lock the whole
	 * range and see a quiescent table; slat_table_destroy() requires
	 * that no other call is in flight or starts. Each thread uses its
	 * own gather. Without this bit the embedder serialises all calls on
	 * the table, as before, and libslat pays nothing for the mode.
	 */
	SLAT_FEAT_CONCURRENT = 1u << 9,
	/**
	 * Table memory is mapped linearly in the hypervisor: the table at
	 * host-physical address pa is at virtual address pa +
	 * @ref slat_config::linear_offset (modulo 2^64), for every table page
	 * the allocator hands out. libslat then computes table addresses
	 * itself and never calls @ref slat_allocator::phys_to_virt, which may
	 * be NULL. slat_table_init() checks the rule on the root the
	 * allocator returns (its virtual address against its physical
	 * address plus the offset) and fails with ::SLAT_ECONFIG, changing
	 * nothing, when they disagree; later pages are taken on trust, as
	 * phys_to_virt's answers are. A direct map (Linux's __va(), a
	 * hypervisor's identity map) is such a mapping; the hosted pool is
	 * too (slat_pool_linear_offset()). With it, a call of one base page
	 * on a table of 4 KiB pages walks one path instead of a range
	 * (docs/embedding.md, "The fault path").
	 */
	SLAT_FEAT_LINEAR_MAP = 1u << 10
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

/**
 * Cache-maintenance hook for walkers that do not snoop the data cache
 * (@ref slat_config::clean_tables): write back to memory, past every
 * cache the walker does not look into, the @p len bytes at virtual
 * address @p va of table memory, and wait until that is done. Arm: DC
 * CVAC (clean to the Point of Coherency) on each line of the range, then
 * DSB (ISH, or SY for a non-coherent SMMU). x86: CLFLUSHOPT or CLFLUSH on
 * each line, then SFENCE (CLFLUSHOPT is ordered only by a fence; CLFLUSH
 * alone is ordered with stores). The range lies in one table (a table
 * page, or the whole of a concatenated Arm root at slat_table_init()) and
 * is a multiple of 8 bytes at an 8-byte boundary; it need not be aligned
 * to cache lines (round it out). The hook must not call into libslat.
 */
typedef void (*slat_clean_fn)(void *ctx, void *va, size_t len);

/**
 * Grace-period hook for ::SLAT_FEAT_CONCURRENT (@ref slat_config::grace):
 * return only when every software walk of table @p t that began before the
 * call has ended: the embedder's synchronize_rcu() or epoch wait. libslat
 * calls it from slat_gather_done(), once, before it gives unlinked table
 * pages back to the allocator, and only when the gather holds some. With
 * this hook the embedder makes every lock-free reader of the table
 * (slat_translate(), slat_payload_get(), slat_hw_access()) a read-side
 * critical section of its scheme. The hook must not call into libslat
 * for this table.
 */
typedef void (*slat_grace_fn)(void *ctx, const struct slat_table *t);

/**
 * Wait hook for ::SLAT_FEAT_CONCURRENT (@ref slat_config::wait): called in
 * a loop while a call waits for another call on an overlapping range to
 * finish, or for readers to leave during a grace period. A hosted program
 * may pass slat_wait_yield() (sched_yield()); a hypervisor may relax the
 * CPU or reschedule. NULL: libslat spins with the CPU's pause hint (x86
 * PAUSE, Arm YIELD). The hook must not call into libslat for this table.
 */
typedef void (*slat_wait_fn)(void *ctx);

/**
 * How to build a table. Zero-initialise, then set what you need. Later
 * versions add fields at the end only, each read only when a feature bit
 * of its own version asks for it (@ref clean_tables under
 * ::SLAT_FEAT_WALK_NC): a program built against an older header passes a
 * shorter structure, and libslat never reads past it. Source rebuilt
 * against a newer header keeps its meaning if it zero-initialised the
 * structure (new fields 0), not if it set fields one by one on
 * uninitialised storage.
 */
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
	 * Number of software bits wanted per leaf (attrs.sw bit i), 0 to
	 * ::SLAT_SW_BITS_MAX; more is ::SLAT_ESWBITS. On Arm with
	 * ::SLAT_FEAT_AD one fewer: libslat keeps one of bits 58:55 for dirty
	 * state (slat/dirty.h).
	 */
	uint8_t sw_bits;
	/**
	 * Or: the exact leaf bit positions to use as software bits (bit n
	 * set uses entry bit n), for a hypervisor with an existing layout;
	 * at most ::SLAT_SW_BITS_MAX of them.
	 * 0 lets libslat choose @ref sw_bits positions.
	 */
	uint64_t sw_positions;
	/** AMD NPT: the host IA32_PAT value in force during VMRUN; 0 for the reset value. */
	uint64_t host_pat;
	/** Per-address invalidations (Arm: TLBIs by IPA) allowed before the whole table is invalidated instead (a whole-VMID flush); 0 for 64 (SLAT_S2_TLBI_THRESHOLD_DEFAULT). */
	uint32_t tlbi_threshold;
	/** Synchronous invalidation (required for Arm Stage-2). */
	slat_sync_fn sync_invalidate;
	/** Passed to @ref sync_invalidate. */
	void *sync_ctx;
	/**
	 * The key under which the embedder reads and writes table pages
	 * (its phys_to_virt() mapping): libslat puts it in every table entry
	 * and in the root pointer, so that the walker reads the tables as
	 * they were written. 0 (unencrypted, KeyID 0) unless the embedder
	 * maps its table memory encrypted, e.g. a host with SME active that
	 * allocates tables from its encrypted direct map: then 1. Needs
	 * ::SLAT_FEAT_KEYS when nonzero.
	 */
	uint16_t table_key;
	/**
	 * Cache maintenance of table memory (::slat_clean_fn), for walkers
	 * that do not snoop the data cache. Read only when
	 * @ref features has ::SLAT_FEAT_WALK_NC, and required then; without
	 * that bit libslat calls nothing extra (and never reads this field
	 * or @ref clean_ctx, so a program built against a header without
	 * them keeps working). With it, libslat calls it
	 * (1) on a whole fresh table page (zeroing and entries) before the
	 * entry that links it is written, then on that entry; (2) on every
	 * live entry it writes (leaf updates, both halves of
	 * break-before-make, accessed/dirty clears of a harvest, collapse),
	 * a run of entries of one table in one call, before it calls
	 * @ref sync_invalidate and before the call returns (so before the
	 * embedder performs the gather's invalidation); (3) on the root once
	 * at slat_table_init(). Pages being freed are not cleaned.
	 */
	slat_clean_fn clean_tables;
	/** Passed to @ref clean_tables. */
	void *clean_ctx;
	/**
	 * Grace period before unlinked table pages are freed
	 * (::slat_grace_fn). Read only when @ref features has
	 * ::SLAT_FEAT_CONCURRENT. NULL: libslat's own reader epoch (every
	 * lock-free reader registers in the table for the length of its
	 * walk, and slat_gather_done() waits for the readers that may have
	 * seen the unlinked pages).
	 */
	slat_grace_fn grace;
	/** Passed to @ref grace. */
	void *grace_ctx;
	/**
	 * How to wait for another call (::slat_wait_fn). Read only when
	 * @ref features has ::SLAT_FEAT_CONCURRENT; NULL: a CPU pause hint.
	 */
	slat_wait_fn wait;
	/** Passed to @ref wait. */
	void *wait_ctx;
	/**
	 * Virtual minus physical address of every table page (modulo 2^64).
	 * Read only when @ref features has ::SLAT_FEAT_LINEAR_MAP (so a
	 * program built against a header without it keeps working).
	 */
	uint64_t linear_offset;
};

/** Bytes of @ref slat_table, fixed for the life of the ABI (LIBSLAT_0.2). */
#define SLAT_TABLE_SIZE 1024

/**
 * A table: opaque storage of ::SLAT_TABLE_SIZE bytes, aligned like
 * uint64_t (8 bytes on the 64-bit targets libslat supports). Embed it by
 * value in your VM structure; its contents are private to libslat, read
 * what you need with the functions below. The size leaves room for state
 * later versions add without changing the ABI; the library checks at build
 * time that its private structure fits.
 */
struct slat_table {
	uint64_t opaque_[SLAT_TABLE_SIZE / 8]; /**< Private to libslat: use the functions. */
};

/**
 * Create an empty table: validate @p cfg against the format and the
 * capabilities, and allocate the root.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EFORMAT when the caps describe
 *   another format; ::SLAT_ECONFIG for unsupported widths, granule or levels
 *   or a missing hook; ::SLAT_ECAPS when the hardware lacks a requested
 *   feature, level count, granule or width (also ::SLAT_FEAT_KEYS on a CPU
 *   without keys); ::SLAT_EKEY for a @ref slat_config::table_key the table
 *   cannot use; ::SLAT_ESWBITS; ::SLAT_EFLAGS
 *   for unknown feature bits; ::SLAT_ENOMEM; ::SLAT_EALIGN or ::SLAT_EHPA
 *   when the allocator returns a root that is misaligned or beyond the
 *   output width (slat/alloc.h).
 */
int slat_table_init(struct slat_table *t, const struct slat_config *cfg);

/**
 * Free every table page at once. The caller guarantees that no hardware
 * walker can use the table any more (the guest is stopped and its
 * translations invalidated).
 *
 * Every gather of the table must have been completed with
 * slat_gather_done() first: the pages a gather holds are known only to that
 * gather, so while any gather holds some the table refuses with
 * ::SLAT_EBUSY and changes nothing. After a successful destroy every call
 * that takes the table returns ::SLAT_EDEAD (the accessors return 0) until
 * slat_table_init() creates it again.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EBUSY; ::SLAT_EDEAD when the table
 *   was already destroyed.
 */
int slat_table_destroy(struct slat_table *t);

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
