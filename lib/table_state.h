/* SPDX-License-Identifier: MIT */
/*
 * The private structures behind the opaque public storage of a table and a
 * gather (struct table_state, struct gather_state: SLAT_TABLE_SIZE and
 * SLAT_GATHER_SIZE bytes, aligned like uint64_t). Each public entry point
 * converts its arguments once, with table_of() / gather_of(); the core
 * works on these types only, and hands the embedder's hooks the public
 * pointers back (table_pub(), gather_pub()).
 *
 * The types are may_alias: they are accessed in storage whose declared
 * type is the public array of uint64_t, which is well defined only for
 * character-like access. The static assertions below keep the private
 * structures inside the public storage; growing them past it is an ABI
 * change (abi/ and scripts/abi-check.sh).
 */
#ifndef SLAT_LIB_TABLE_STATE_H
#define SLAT_LIB_TABLE_STATE_H

#include <slat/alloc.h>
#include <slat/caps.h>
#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

/*
 * Per-table description of the format, filled by the backend when the
 * table is created and read by the core on every walk.
 */
struct slat_layout {
	uint8_t levels;                     /* lookup levels; level 0 holds the smallest pages */
	uint8_t granule_lg2;                /* log2 of the base page */
	uint8_t ia_bits;                    /* guest-physical input width */
	uint8_t pa_bits;                    /* host-physical width */
	uint8_t root_lg2;                   /* log2 of the root's size in bytes (concatenated roots) */
	uint8_t leaf_levels;                /* bit l: libslat may write a leaf at level l */
	uint8_t leaf_levels_hw;             /* bit l: the hardware accepts a leaf at level l */
	uint8_t shift[SLAT_MAX_LEVELS];     /* log2 of the span of one entry, per level */
	uint8_t bits[SLAT_MAX_LEVELS];      /* log2 of the entries per table, per level */
	uint64_t present;   /* the hardware sees an entry when any of these bits is set */
	uint64_t noaccess;  /* a bit marking an entry the hardware does not see as a no-access leaf; 0: the format's no-access leaf is one the hardware sees */
	uint64_t payload_mask; /* bits of an absent entry that hold an embedder's payload (slat/payload.h); never overlaps present or noaccess */
	uint8_t payload_shift; /* lowest bit of payload_mask */
	uint64_t type_mask; /* above level 0: (e & type_mask) == table_type means a table */
	uint64_t table_type;
	/*
	 * At level 0 a leaf is valid when (e & page_valid) != 0 and
	 * (e & page_mask) == page_type; anything else there is invalid to the
	 * hardware, and so absent to the core. page_valid 0 means present |
	 * noaccess (set so by slat_table_init()). Arm: page_mask = bits 1:0,
	 * page_type = 0b11. A rule "one of R, W, X set" (RISC-V, where V with
	 * R = W = X = 0 points to a table) is page_valid = R | W | X with the
	 * valid bit as page_mask = page_type = V.
	 */
	uint64_t page_mask;
	uint64_t page_type;
	/*
	 * The output address. addr_mask and addr_field are entry bits; an
	 * entry bit b of addr_mask holds address bit b, except the entry bits
	 * in oa_hi, which hold address bits oa_hi_shift places higher: a
	 * field of the page number kept shifted. Arm 64K with 52 bits keeps
	 * address bits 51:48 in entry bits 15:12 (oa_hi 15:12, shift 36);
	 * RISC-V G-stage keeps address bits 55:12 in entry bits 53:10 (oa_hi
	 * 53:10, shift 2). entry_addr() and addr_entry() (core.h) are the
	 * only readers; slat_table_init() checks that the two fields do not
	 * overlap and round-trip. Formats without a shifted field leave oa_hi
	 * 0, and the core's hot loops are compiled for that case apart.
	 */
	uint64_t addr_mask;  /* entry bits holding output address bits within the physical width (before alignment to the level) */
	uint64_t addr_field; /* every entry bit the format uses for addresses, also beyond the physical width */
	uint64_t oa_hi;      /* entry bits holding address bits oa_hi_shift places higher; 0: none */
	uint8_t oa_hi_shift; /* see oa_hi */
	uint64_t table_tmpl; /* bits of a table entry besides the address */
	uint64_t accessed;   /* accessed flag */
	uint64_t dirty;      /* bits that hardware sets on write */
	uint64_t dirty_gate; /* bits that must be set in a leaf for `dirty` to be tracked */
	uint64_t hw_bits;    /* bits the hardware may change in a live entry */
	uint64_t bbm_mask;   /* leaf bits whose change needs break-before-make; 0: never */
	uint64_t sw_mask;    /* entry bits handed out as software bits */
	uint64_t sw_exec;    /* SLAT_FEAT_NX_HUGE: a software bit marking a leaf above the base page whose mapping asked for execute; 0: none */
	uint64_t sw_dirty;   /* a software bit keeping dirty state a leaf change would drop (dirty outside dirty_gate); 0: none needed */
	uint64_t attr_mask[SLAT_MAX_LEVELS]; /* leaf bits set from struct slat_attrs, per level */
	uint8_t sw_pos[8];   /* entry bit of software bit i */
	uint8_t sw_count;    /* number of software bits */
	uint64_t page_valid; /* see page_mask */
	/*
	 * A leaf's index into the core's table of permissions (translate.c
	 * read_setup()): ((e & leaf_index_mask) * leaf_index_mul) >> 57.
	 * The mask holds every bit the permissions depend on (at every level:
	 * leaf_decode()'s perms are a function of e & mask) and every bit of
	 * present, noaccess and page_mask; the multiplier gathers them into
	 * bits 63:57 so that leaves differing in them get different indexes
	 * (the core checks both at table creation). 0: no such index; reads
	 * then decode through the backend.
	 */
	uint64_t leaf_index_mask;
	uint64_t leaf_index_mul;
};

/*
 * The walks the reading calls use (struct read_state::walk): READ_STD_<n>
 * is the common geometry (4 KiB granule, 9 bits per level below the
 * root, address bits in place) with n levels and a linear map, where the
 * lookup's shifts, masks and table addresses are constants and adds.
 */
enum read_walk { READ_GENERIC, READ_STD_3, READ_STD_4, READ_STD_5 };

/*
 * What the reading calls (translate.c) prepare at slat_table_init(): the
 * walk they take and a table from permission bits to ::slat_perm bits.
 */
struct read_state {
	uint8_t walk;         /* enum read_walk; READ_GENERIC on a dead table */
	uint64_t table_mask;  /* !((e ^ table_val) & table_mask): a table entry */
	uint64_t table_val;   /*   the walk follows without a second look */
	uint64_t std4_limit;  /* READ_STD_4: 2^ia_bits, else 0 (no address is below it) */
	uint64_t path_limit;  /* READ_STD_*, not SLAT_FEAT_CONCURRENT: 2^ia_bits, else 0 (walk.h walk_path()) */
	uint64_t index_mask;  /* leaf[((e & index_mask) * index_mul) >> 57]; */
	uint64_t index_mul;   /*   index_mask 0: no table, decode */
	uint8_t leaf[128];    /* ::slat_perm bits, READ_NOT_PAGE unless a valid level-0 leaf */
};

/*
 * What protect computed for one level, kept from call to call (protect.c):
 * the leaf attribute bits `key` become `val` under the request `req`.
 */
struct prot_memo_level {
	uint64_t req;
	uint64_t key;
	uint64_t val;
};

/* A table. NULL root: never created, or destroyed (SLAT_EDEAD). */
struct __attribute__((may_alias)) table_state {
	const struct slat_format *fmt;
	struct slat_allocator alloc;
	slat_sync_fn sync;
	void *sync_ctx;
	uint64_t *root;
	uint64_t root_pa;
	uint64_t pages;    /* table pages linked, the root included */
	uint64_t held;     /* table pages waiting in gathers of this table */
	uint64_t page_sum; /* sum of page_tag() of the linked pages (validate.c) */
	struct slat_caps caps;
	uint32_t features;
	uint32_t tlbi_threshold;
	uint64_t host_pat;
	uint8_t max_page_lg2;
	struct slat_layout lay;
	slat_clean_fn clean; /* NULL: the walker snoops the caches (core.h table_clean()) */
	void *clean_ctx;
	/* memo.h: results of the encoders kept from call to call */
	uint64_t memo_seq;  /* odd while a writer changes the memos */
	uint64_t memo_have; /* bit l: memo[l] holds a result (protect.c) */
	struct prot_memo_level memo[SLAT_MAX_LEVELS];
	uint64_t tmpl_req;  /* map.c: the attributes tmpl_bits are for, */
	uint64_t tmpl_have; /* bit l: tmpl_bits[l] holds their leaf template */
	uint64_t tmpl_bits[SLAT_MAX_LEVELS];
	bool walk_std; /* the layout has the walker's constant geometry (walk.h) */
	/* SLAT_FEAT_CONCURRENT (range_lock.h); all zero without it. */
	bool concurrent;
	slat_grace_fn grace;      /* NULL: the reader epoch below */
	void *grace_ctx;
	slat_wait_fn wait;        /* NULL: a CPU pause hint */
	void *wait_ctx;
	/* What concurrent calls write, a cache line away from what every walk
	 * reads (the table may sit at any 8-byte boundary, hence 64 bytes of
	 * padding on each side rather than an alignment). */
	uint8_t conc_pad_lo_[64];
	uint32_t holds_lock;      /* spinlock over `holds` */
	uint32_t grace_lock;      /* one grace period at a time */
	struct range_node *holds; /* ranges held by calls in flight, unordered */
	uint64_t epoch;           /* reader epoch: readers count in readers[epoch & 1] */
	uint64_t readers[2];
	uint8_t conc_pad_hi_[64];
	uint64_t linear_offset; /* SLAT_FEAT_LINEAR_MAP: va = pa + linear_offset */
	struct read_state read;
};

struct range_node;

/* A gather. Zero-filled: empty and unbound. */
struct __attribute__((may_alias)) gather_state {
	const struct table_state *table; /* bound by the first change */
	uint32_t flags;                  /* enum slat_gather_flag */
	uint32_t nranges;
	struct slat_gather_range ranges[SLAT_GATHER_RANGES]; /* sorted, disjoint */
	void *free_list;                 /* unlinked table pages (pages.c) */
	uint64_t free_pages;
	const void *live;                /* the gather's own address while it holds something */
};

_Static_assert(sizeof(struct table_state) <= SLAT_TABLE_SIZE,
	       "struct table_state outgrew struct slat_table");
_Static_assert(_Alignof(struct table_state) <= _Alignof(struct slat_table),
	       "struct table_state needs more alignment than struct slat_table");
_Static_assert(sizeof(struct gather_state) <= SLAT_GATHER_SIZE,
	       "struct gather_state outgrew struct slat_gather");
_Static_assert(_Alignof(struct gather_state) <= _Alignof(struct slat_gather),
	       "struct gather_state needs more alignment than struct slat_gather");

static inline struct table_state *table_of(struct slat_table *t)
{
	return (struct table_state *)(void *)t;
}

static inline const struct table_state *table_of_c(const struct slat_table *t)
{
	return (const struct table_state *)(const void *)t;
}

static inline struct slat_table *table_pub(struct table_state *t)
{
	return (struct slat_table *)(void *)t;
}

static inline const struct slat_table *table_pub_c(const struct table_state *t)
{
	return (const struct slat_table *)(const void *)t;
}

static inline struct gather_state *gather_of(struct slat_gather *g)
{
	return (struct gather_state *)(void *)g;
}

static inline const struct gather_state *gather_of_c(const struct slat_gather *g)
{
	return (const struct gather_state *)(const void *)g;
}

static inline struct slat_gather *gather_pub(struct gather_state *g)
{
	return (struct slat_gather *)(void *)g;
}

static inline const struct slat_gather *gather_pub_c(const struct gather_state *g)
{
	return (const struct slat_gather *)(const void *)g;
}

#endif
