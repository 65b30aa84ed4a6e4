/* SPDX-License-Identifier: MIT */
/*
 * libslat fuzzing engine: shared declarations.
 *
 * One engine (engine.c) drives a table of one format through a sequence of
 * operations decoded from the fuzzer's input and checks every result
 * against
 *   - a reference model of the mappings (model.c): an interval map
 *     GPA -> HPA + attributes, plus the accessed and dirty state;
 *   - a model of what the hardware may have cached (shadow.c): TLB entries
 *     and paging-structure (walk) caches, invalidated only by the
 *     operations each format's flush function asks for, decoded here from
 *     the architecture's definition rather than from libslat's;
 *   - the table's own structure, walked independently of libslat.
 * A thin per-format file (target_*.c) builds the configuration and knows
 * the format's encoding rules and invalidation instructions.
 *
 * Any finding prints a message and aborts (a crash to libFuzzer and AFL++,
 * a failed test to the replay driver).
 */
#ifndef SLAT_FUZZ_H
#define SLAT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <slat/hosted.h>
#include <slat/slat.h>

/* ---- input ------------------------------------------------------------ */

/* The input, consumed from the front. Reads past the end return zero. */
struct rd {
	const uint8_t *p;
	size_t n;
};

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
uint64_t rd_u64(struct rd *r);

/* ---- findings ----------------------------------------------------------- */

/* Report a finding (a check of the model failed) and abort. */
void fz_fail(const char *tag, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#define FZ_CHECK(cond, tag, ...)                                              \
	do {                                                                  \
		if (__builtin_expect(!(cond), 0))                             \
			fz_fail(tag, __VA_ARGS__);                            \
	} while (0)

/*
 * Library bugs found by the fuzzers and not fixed yet (see
 * tests/fuzz/regressions/<target>/open/). The generators steer around the
 * inputs that reach them, so that fuzzing goes on finding other bugs, unless
 * SLAT_FUZZ_ALL=1 is set in the environment.
 */
bool fz_avoid_known(const char *id);

/* Error-code sets: bit e stands for slat_err e. */
#define ERR(e) (1u << (e))

/* ---- the reference model (model.c) ------------------------------------ */

/* One extent of the mapping model: [start, end) -> hpa, attrs. */
struct ext {
	uint64_t start, end, hpa;
	struct slat_attrs a; /* as slat_translate() must report them */
};

struct model {
	struct ext *v;
	size_t n, cap;
};

void model_init(struct model *m);
void model_free(struct model *m);
void model_copy(struct model *dst, const struct model *src);
bool model_equal(const struct model *a, const struct model *b);
/* Index of the first extent ending after `addr` (n when none). */
size_t model_lower(const struct model *m, uint64_t addr);
/* The extent containing `addr`, or NULL. */
const struct ext *model_find(const struct model *m, uint64_t addr);
bool model_overlaps(const struct model *m, uint64_t a, uint64_t b);
/* Cut extents at a and b so that every extent is inside or outside [a, b). */
void model_cut(struct model *m, uint64_t a, uint64_t b);
void model_remove(struct model *m, uint64_t a, uint64_t b);
/* Insert [a, b) -> hpa; the range must be empty. */
void model_insert(struct model *m, uint64_t a, uint64_t b, uint64_t hpa,
		  const struct slat_attrs *at);

/* A set of disjoint intervals (accessed and dirty state). */
struct ival {
	uint64_t a, b;
};
struct iset {
	struct ival *v;
	size_t n, cap;
};

void iset_init(struct iset *s);
void iset_free(struct iset *s);
void iset_copy(struct iset *dst, const struct iset *src);
void iset_add(struct iset *s, uint64_t a, uint64_t b);
void iset_remove(struct iset *s, uint64_t a, uint64_t b);
bool iset_contains(const struct iset *s, uint64_t x);
/* Bytes of the set inside [a, b). */
uint64_t iset_count(const struct iset *s, uint64_t a, uint64_t b);

/* ---- a translation as the hardware may cache it ------------------------ */

enum tlb_kind {
	TLB_S2 = 1,   /* second-level only entry (x86: the only kind) */
	TLB_COMB = 2, /* Arm combined stage 1+2 entry, tagged by VA */
};

struct tlbe {
	uint8_t kind;
	uint8_t level;   /* libslat level of the leaf (0 = base pages) */
	uint8_t lg2;     /* leaf size */
	uint8_t perms, memtype, flags, share;
	bool dirty, accessed;
	uint64_t leaf_base; /* first GPA of the leaf */
	uint64_t hpa;       /* HPA of the tracked page */
};

/* ---- the hardware-cache model (shadow.c) -------------------------------- */

/* One invalidation, as a series of points start + i * step, i < count:
 * an entry is dropped when one point falls in its span. */
struct inval {
	uint64_t start, step, count;
	int level;        /* leaf entries only at this libslat level; -1 any */
	bool walk;        /* also paging-structure (walk) cache entries */
	uint8_t kinds;    /* TLB_S2 / TLB_COMB */
};

#define SH_ENTRIES 8
#define SH_TRACKED 96

struct tracked {
	uint64_t gpa;
	unsigned n;
	struct tlbe e[SH_ENTRIES];
	/* per operation (Arm break-before-make check) */
	bool t0_valid;
	struct slat_mapping t0;
	bool bbm_done;
};

struct wce {
	uint64_t pa;    /* 0: free slot */
	uint64_t base, span;
	unsigned level; /* level of the table page */
};

/* Per-level index of the walk cache by base address (rebuilt lazily). */
struct wci {
	uint64_t base, pa;
};

struct shadow {
	struct tracked tr[SH_TRACKED];
	unsigned ntr, next; /* next: FIFO eviction cursor */
	struct wce *wc;     /* open addressing on pa */
	size_t wc_cap, wc_n;
	struct wci *idx[SLAT_MAX_LEVELS];
	size_t idx_n[SLAT_MAX_LEVELS], idx_cap[SLAT_MAX_LEVELS];
	uint64_t idx_span[SLAT_MAX_LEVELS];
	bool idx_dirty;
};

void shadow_init(struct shadow *s);
void shadow_free(struct shadow *s);
struct tracked *shadow_track(struct shadow *s, uint64_t gpa);
struct tracked *shadow_find(struct shadow *s, uint64_t gpa);
void shadow_add(struct tracked *t, const struct tlbe *e);
/* Paging-structure cache: table page `pa` reachable at `level`. */
void shadow_wc_add(struct shadow *s, uint64_t pa, unsigned level,
		   uint64_t base, uint64_t span);
bool shadow_wc_has(const struct shadow *s, uint64_t pa, struct wce *out);
void shadow_wc_remove(struct shadow *s, uint64_t pa);
/* Apply completed invalidations. */
void shadow_apply(struct shadow *s, const struct inval *v, size_t n);
void shadow_flush_all(struct shadow *s);
/* Arm TLBI VMALLE1IS: combined entries now are what stage 2 entries may
 * refill them from. */
void shadow_comb_from_s2(struct shadow *s);

/* ---- per-format target ------------------------------------------------ */

struct engine;

struct target {
	const char *name;
	const struct slat_format *fmt;
	/* Decode caps and config from the input; false: no usable config. */
	bool (*setup)(struct engine *e, struct rd *r);
	/* Errors a leaf with these attributes must fail with (0: none), and
	 * what slat_translate() reports for it when it is accepted. */
	uint32_t (*attrs_errors)(const struct engine *e, const struct slat_attrs *a);
	void (*attrs_norm)(const struct engine *e, struct slat_attrs *a);
	/* Interpret the invalidation `g` asks for and apply it to the
	 * shadow; `sync` for a break-before-make hook call. */
	void (*flush)(struct engine *e, const struct slat_gather *g, bool sync);
	/* Format-specific read-only calls, for coverage and consistency. */
	void (*misc)(struct engine *e, struct rd *r);
	/* Is the entry e at `level` a pointer to a table / present? And
	 * the address it holds. */
	bool (*is_table)(const struct engine *e, unsigned level, uint64_t ent);
	uint64_t (*table_addr)(const struct engine *e, uint64_t ent);
};

extern const struct target target_ept, target_npt, target_stage2;

/* ---- the engine -------------------------------------------------------- */

struct engine {
	const struct target *tg;
	/* configuration */
	struct slat_caps caps;
	struct slat_config cfg;
	unsigned granule_lg2;
	unsigned leaf_shifts;   /* bit i: leaves of 2^(12+i)... see leaf_ok() */
	uint64_t leaf_sizes;    /* bit n: leaves of 2^n bytes expected */
	unsigned levels;
	unsigned level_shift[SLAT_MAX_LEVELS];
	uint64_t root_bytes;
	unsigned sw_count;
	bool ad, split_exec, fwb, nx; /* nx: SLAT_FEAT_NX_HUGE */
	bool walk_nc;           /* SLAT_FEAT_WALK_NC: nc_mem is what the walker reads */
	bool unzeroed;          /* SLAT_FEAT_ALLOC_UNZEROED: fz_alloc hands out garbage */
	unsigned garbage;       /* blocks handed out so, to alternate the pattern */
	unsigned char *nc_mem;  /* "memory" behind the pool; the pool is the cache */
	uint64_t host_pat;      /* NPT */
	uint16_t key_max;       /* largest host memory key (0: the table has none) */
	uint64_t ia_top;        /* 1 << ia_bits */
	uint64_t pa_top;        /* 1 << pa_bits of the table */
	uint64_t window;        /* size of the low and high address windows */
	uint64_t pool_bytes;

	/* the table */
	struct slat_pool pool;
	struct slat_allocator palloc; /* the pool's own hooks */
	struct slat_table t;
	bool have_table;
	struct slat_gather g;
	unsigned alloc_fails;   /* failed allocations in the current call */
	bool free_check;        /* check frees against the walk cache */

	/* a second table, for gathers bound to another table */
	struct slat_pool pool2;
	struct slat_table t2;
	struct slat_gather g2;
	bool have_t2;

	/* models */
	struct model m;
	struct model pl;        /* payload in absent entries: value = ext.hpa - ext.start */
	struct iset dirty, acc;
	struct shadow sh;

	/* snapshot of the table after the last operation */
	uint64_t *snap_pa;
	unsigned char *snap_bytes;
	size_t snap_n, snap_cap, snap_bytes_used, snap_bytes_cap;
	uint64_t snap_pages;

	/* state of the current operation */
	unsigned op_index;
	const char *op_name;
	uint64_t op_a, op_b;
	unsigned defer;          /* operations left before the next flush */
	bool in_op;
	unsigned syncs;
	uint64_t rng;
};

/* Engine services the targets use. */
uint64_t eng_rand(struct engine *e);
/* For targets: an address and a size as the operations draw them, and the
 * errors any range call must give for them (ERR() bits). */
uint64_t eng_gen_addr(struct engine *e, struct rd *r);
uint64_t eng_gen_size(struct engine *e, struct rd *r, uint64_t addr);
uint32_t eng_range_errors(const struct engine *e, uint64_t a, uint64_t size);
void eng_observe_all(struct engine *e);
void eng_note(struct engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * second.c: a second mutator on a range of its own, in another thread
 * (SLAT_FUZZ_CONCURRENT=1); it runs while the engine is inside a changing
 * call (second_release() .. second_park()).
 */
bool second_want(struct engine *e);
void second_start(struct engine *e, const uint8_t *data, size_t size);
void second_release(void);
void second_park(void);
void second_stop(void);
bool second_active(void);
bool second_is_me(void);
void second_account(int64_t bytes);
int64_t second_net_bytes(void);
bool second_root_entry(uint64_t base, uint64_t span);

/* Run one input on one target. */
int fuzz_run(const struct target *tg, const uint8_t *data, size_t size);

/* Free the engine's static buffers (for leak checkers at exit). */
void fuzz_release_buffers(void);

/* Statistics, printed at exit when SLAT_FUZZ_STATS=1. */
struct fuzz_stats {
	uint64_t inputs, configs, ops, mutating, failed_calls, findings;
	uint64_t by_kind[16];
	uint64_t by_err[32];
	uint64_t collapses, collapsed; /* slat_collapse() calls, new leaves */
	uint64_t exec_faults, exec_splits; /* slat_exec_fault() calls, splits */
	uint64_t walk_nc, nc_cleans, nc_checks; /* WALK_NC tables, hook calls, coherence checks */
	uint64_t nc_absent_diffs; /* entries differing but invalid in both */
	uint64_t concurrent, concurrent_ops; /* tables with a second mutator, its calls */
};
extern struct fuzz_stats fuzz_stats;
void fuzz_stats_register(const char *target);

#endif
