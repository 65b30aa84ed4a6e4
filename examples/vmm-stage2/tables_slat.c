/*
 * tables_slat.c - the glue between this VMM and libslat's Stage-2 backend.
 *
 * libslat builds and changes the tables and says which TLB maintenance
 * every change needs; this file supplies what a library cannot know:
 *   - where table memory comes from (allocator hooks over mem.c),
 *   - what this CPU offers (slat_stage2_caps on its ID registers),
 *   - how to run the maintenance: slat_stage2_flush() turns a gather
 *     into barriers and TLBIs, slat_stage2_exec() executes them here at
 *     EL2, with this VM's VTTBR_EL2 (and so its VMID) loaded,
 *   - when: in the sync_invalidate hook during break-before-make, and in
 *     stage2_invalidate() when the VMM is done with a batch of changes.
 * libslat picks TLBI IPAS2E1IS or the range form RIPAS2E1IS, and level
 * hints (TTL) in the operands, from the capabilities; it falls back to
 * TLBI VMALLS12E1IS when a change would need too many operations.
 */
#include "stage2.h"
#include "arch.h"
#include "mem.h"
#include "report.h"
#include "uart.h"

struct stage2 s2;
bool stage2_log_ops = true;

/* ---- table memory: the VMM's MMU is off, so VA == PA ---- */

/*
 * mem.c serves one CPU at a time.  With a second host CPU (../vmm-stage2-smp)
 * libslat may ask for table memory on both at once, so the hooks take this
 * lock; uncontended on one CPU.  The exclusives behind it work on QEMU with
 * the MMU off; on hardware they need Normal memory (README, Simplifications).
 */
static uint32_t pool_lock;

static void pool_acquire(void)
{
	while (__atomic_exchange_n(&pool_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&pool_lock, __ATOMIC_RELAXED))
			__asm__ __volatile__("yield");
}

static void pool_release(void)
{
	__atomic_store_n(&pool_lock, 0, __ATOMIC_RELEASE);
}

static void *table_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	void *p;

	(void)ctx;
	pool_acquire();
	p = mem_alloc(size_lg2);   /* zeroed, naturally aligned */
	pool_release();
	/* slat_table_init() allocates only the root: record its size */
	if (!s2.root_lg2)
		s2.root_lg2 = size_lg2;
	*pa = (uint64_t)p;
	return p;
}

static void table_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	(void)ctx, (void)pa;
#ifdef STAGE2_POISON_FREED_TABLES
	/* (../vmm-stage2-smp) A freed table reads as descriptors with every
	 * bit set: valid, with an output address beyond any PA size.  A walk
	 * that still reaches it, by libslat or by the CPU, fails visibly
	 * instead of finding the entries it had before. */
	for (uint64_t i = 0; i < (1UL << size_lg2) / 8; i++)
		((volatile uint64_t *)va)[i] = ~0UL;
#endif
	pool_acquire();
	mem_free(va, size_lg2);
	pool_release();
}

static void *table_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)pa;
}

/* ---- TLB maintenance ---- */

/* The log shows what libslat asked for: the operand of a TLBI by IPA holds
 * IPA[47:12] and, with FEAT_TTL, a level hint in bits 47:44; the range form
 * has its own layout (docs/formats.md section 3.9). */
static void print_ops(const char *why, const struct slat_s2_op *ops, size_t n)
{
	static const char *const names[] = {
		[SLAT_S2_DSB_ISHST] = "dsb ishst",
		[SLAT_S2_TLBI_IPAS2E1IS] = "tlbi ipas2e1is",
		[SLAT_S2_TLBI_RIPAS2E1IS] = "tlbi ripas2e1is",
		[SLAT_S2_DSB_ISH] = "dsb ish",
		[SLAT_S2_TLBI_VMALLE1IS] = "tlbi vmalle1is",
		[SLAT_S2_TLBI_VMALLS12E1IS] = "tlbi vmalls12e1is",
		[SLAT_S2_ISB] = "isb",
	};

	printk("  %s:", why);
	for (size_t i = 0; i < n; i++) {
		const char *name = ops[i].kind < sizeof(names) / sizeof(names[0]) &&
				   names[ops[i].kind] ? names[ops[i].kind] : "?";
		if (ops[i].kind == SLAT_S2_TLBI_IPAS2E1IS ||
		    ops[i].kind == SLAT_S2_TLBI_RIPAS2E1IS)
			printk(" %s,%lx;", name, ops[i].arg);
		else
			printk(" %s;", name);
	}
	printk("\n");
}

/* Turn a gather into instructions and execute them on this CPU.  The IS
 * forms reach every CPU that may run the guest.  The op array is on the
 * stack (about 1 KiB) so that two host CPUs may flush at once. */
static void flush(const struct slat_gather *g, const char *why)
{
	/* The longest sequence slat_stage2_flush() may return with the
	 * default threshold (64 per-address TLBIs before a whole-VMID flush). */
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	size_t n;
	int err = slat_stage2_flush(&s2.table, g, ops, sizeof(ops) / sizeof(ops[0]), &n);

	if (err)
		vmm_fatal("slat_stage2_flush: %s", slat_strerror(err));
	if (!n)
		return;
	if (stage2_log_ops)
		print_ops(why, ops, n);
#ifdef STAGE2_SCRATCH_EXEC
	/* Scratch builds only (../vmm-stage2-smp, make check BROKEN=...): a
	 * function that may drop the sequence, or run it a wrong way, and
	 * then returns true; to show that the guest notices. */
	bool STAGE2_SCRATCH_EXEC(const struct slat_s2_op *ops, size_t n);

	if (STAGE2_SCRATCH_EXEC(ops, n))
		return;
#endif
	slat_stage2_exec(ops, n);
}

/*
 * Break-before-make: libslat has just written an invalid descriptor and
 * needs every TLB to forget the old one before it writes the new one.
 * Only the flush function may be called back from here.
 */
static void sync_invalidate(void *ctx, const struct slat_table *t,
			    const struct slat_gather *g)
{
	(void)ctx, (void)t;
	flush(g, "break-before-make");
}

void stage2_invalidate_gather(struct slat_gather *g)
{
	int err;

	flush(g, "invalidate");
	/* Done on every CPU that may run the guest: libslat may now free
	 * the tables the changes unlinked, and the gather starts empty. */
	err = slat_gather_done(&s2.table, g);
	if (err)
		vmm_fatal("slat_gather_done: %s", slat_strerror(err));
}

void stage2_invalidate(void)
{
	stage2_invalidate_gather(&s2.pending);
}

/* ---- set-up ---- */

int stage2_setup(const struct cpu_features *cpu, unsigned ipa_bits,
		 unsigned granule_lg2, uint16_t vmid)
{
	return stage2_setup_with(cpu, ipa_bits, granule_lg2, vmid, 0);
}

int stage2_setup_with(const struct cpu_features *cpu, unsigned ipa_bits,
		      unsigned granule_lg2, uint16_t vmid, uint32_t features)
{
	struct slat_config cfg = { 0 };
	int err;

	err = slat_stage2_caps(cpu->mmfr0, cpu->mmfr1, cpu->mmfr2, cpu->isar0, &s2.caps);
	if (err)
		return err;

	/* Use hardware dirty state and split execute where the CPU has them. */
	s2.features = features;
	if (s2.caps.flags & SLAT_CAP_AD)
		s2.features |= SLAT_FEAT_AD;            /* FEAT_HAFDBS: HA/HD, DBM */
	if (s2.caps.flags & SLAT_CAP_SPLIT_EXEC)
		s2.features |= SLAT_FEAT_SPLIT_EXEC;    /* FEAT_XNX */

	cfg.format = &slat_format_stage2;
	cfg.caps = &s2.caps;
	cfg.alloc.alloc = table_alloc;
	cfg.alloc.free = table_free;
	cfg.alloc.phys_to_virt = table_va;
	cfg.ia_bits = (uint8_t)ipa_bits;
	s2.ipa_bits = ipa_bits;
	cfg.granule_lg2 = (uint8_t)granule_lg2; /* 4, 16 or 64 KiB */
	cfg.features = s2.features;
	cfg.sync_invalidate = sync_invalidate;  /* required on Arm */
	err = slat_table_init(&s2.table, &cfg);
	if (err)
		return err;
	slat_gather_init(&s2.pending);

	/* VTCR_EL2: T0SZ, SL0, granule, PS, walk attributes, VS, HA/HD. */
	err = slat_stage2_vtcr(&s2.table, &s2.vtcr_el2);
	if (!err)
		err = slat_stage2_vttbr(&s2.table, vmid, &s2.vttbr_el2);
	return err;
}

unsigned stage2_leaf_shift(unsigned level)
{
	if (level >= slat_table_levels(&s2.table) ||
	    !(slat_table_leaf_levels(&s2.table) & (1u << level)))
		return 0;
	return slat_table_level_shift(&s2.table, level);
}

static void print_size(uint64_t bytes)
{
	static const char units[] = "KMGT";
	unsigned u = 0;

	bytes >>= 10;
	while (bytes >= 1024 && !(bytes & 1023) && u < 3) {
		bytes >>= 10;
		u++;
	}
	printk("%lu %ciB", bytes, units[u]);
}

void stage2_print(void)
{
	unsigned levels = slat_table_levels(&s2.table);
	unsigned g = slat_table_level_shift(&s2.table, 0);
	/* bits the root resolves, and how many granule-sized tables that is */
	unsigned root_bits = s2.ipa_bits - slat_table_level_shift(&s2.table, levels - 1);
	unsigned tables = root_bits > g - 3 ? 1u << (root_bits - (g - 3)) : 1;
	uint64_t v = s2.vtcr_el2;
	static const char *const tg0[] = { "0 (4K)", "1 (64K)", "2 (16K)", "3 (?)" };

	printk("  root: start level %u, %u %s table%s of %u entries, ", 4 - levels, tables,
	       tables > 1 ? "concatenated" : "single", tables > 1 ? "s" : "",
	       1u << (root_bits < g - 3 ? root_bits : g - 3));
	print_size(1UL << s2.root_lg2);
	printk(" allocated; leaves:");
	for (unsigned lv = 0; lv < levels; lv++) {
		if (stage2_leaf_shift(lv)) {
			printk(" ");
			print_size(1UL << stage2_leaf_shift(lv));
			printk(" (level %u)", 3 - lv);
		}
	}
	printk("\n  VTCR_EL2 %016lx: T0SZ %lu, SL0 %lu, TG0 %s, PS %lu%s%s  VTTBR_EL2 %016lx\n",
	       v, v & 0x3f, (v >> 6) & 3, tg0[(v >> 14) & 3], (v >> 16) & 7,
	       v & (1UL << 19) ? ", VS" : "", v & (1UL << 21) ? ", HA/HD" : "", s2.vttbr_el2);
}
