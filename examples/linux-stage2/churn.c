/*
 * churn.c - the hypervisor's side of the Linux run: it changes the
 * Stage-2 table under the kernel and checks, independently of the guest,
 * that nothing was lost.
 *
 * Every guest page p (IPA VM_RAM_BASE + p * 4 KiB) is at home (host PA
 * == IPA, as the device tree promised), or away on a host page of the
 * hypervisor's pool (migrated), or evicted (unmapped; its contents in a
 * pool page until the guest touches it again).  A page may also be
 * write-protected.  The hypervisor keeps that record in away[] and
 * flags[], and at the end compares every leaf of the table with it.
 *
 * The guest runs on one vCPU and is stopped while this code runs, so a
 * change and the copy that goes with it need no ordering against the
 * guest; what matters is that the TLB maintenance libslat gathered is
 * done before the guest runs again (stage2_invalidate(), once per tick).
 *
 * Dirty logging (FEAT_HAFDBS, hardware dirty state): every change that
 * drops a leaf's dirty state (unmap, write-protect, remap, split into a
 * new table) first harvests the whole 2 MiB block around it
 * into dirty[], so that a dirty block leaf is not cleared for pages that
 * are not recorded.  A round harvests all guest RAM into dirty[], hashes
 * every page, and counts the pages whose hash changed since the last
 * round and whose bit is clear: a lost dirty bit or a write through a
 * stale writable TLB entry.  slat_collapse() keeps the dirty state (it
 * carries the pages' into the 2 MiB leaf), so a collapse harvests only
 * the pages it remaps on the way.
 */
#include "churn.h"
#include "arch.h"
#include "board.h"
#include "mem.h"
#include "report.h"
#include "stage2.h"
#include "uart.h"

#ifndef CHURN_ROUND_MS
#define CHURN_ROUND_MS   5000    /* wall-clock time between pairs of dirty rounds */
#endif
#define EVICT_BATCH      4       /* pages unmapped per tick */
#define WP_BATCH         4       /* pages write-protected per tick */
#define MIGRATE_BATCH    8       /* pages moved per tick */
#define SPLIT_EVERY      16      /* ticks between a split and a collapse */
#define MAX_EVICTED      512
#define MAX_WP           128
#define MAX_AWAY         16384   /* pool pages holding migrated guest pages */

#define F_EVICTED        1
#define F_WP             2

static uint64_t away[VM_PAGES];      /* host PA when not at home, else 0 */
static uint8_t flags[VM_PAGES];
static uint64_t hashes[VM_PAGES];    /* at the last dirty round */
static uint64_t evict_hash[VM_PAGES];
static uint64_t dirty[VM_PAGES / 64];

static struct {
	unsigned long ticks, evicted, restored, restore_bad;
	unsigned long from_el0, from_walk;          /* of the faults resolved */
	unsigned long wp, wp_faults, wp_fallback;
	unsigned long migrated, splits, collapses, leaf_bad;
	unsigned long collapses_dirty, collapse_dirty_bad;
	unsigned long rounds, round_dirty, round_changed, missed;
	unsigned long n_evicted, n_wp, n_away;   /* now */
} st;

static bool have_ad, quiet;
static uint64_t rng, last_round;
static uint64_t last_fault_pc, last_fault_ipa;
static unsigned repeat;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t ipa_of(unsigned long p)
{
	return VM_RAM_BASE + (p << PAGE_SHIFT);
}

static uint64_t host_of(unsigned long p)
{
	return away[p] ? away[p] : ipa_of(p);
}

static uint64_t page_hash(uint64_t pa)
{
	const uint64_t *w = (const uint64_t *)pa;
	uint64_t h = 0xcbf29ce484222325UL;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++) {
		h = (h ^ w[i]) * 0x100000001b3UL;
		h ^= h >> 31;
	}
	return h;
}

static void poison(uint64_t pa)
{
	uint64_t *w = (uint64_t *)pa;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = 0x5ca1ab1e00000000UL | (pa + 8 * i);
}

static void die(const char *what, int err)
{
	vmm_fatal("churn: %s: %s (%s)", what, slat_strerror(err), slat_errname(err));
}

static const struct slat_attrs *ram(void)
{
	static struct slat_attrs a;

	a = stage2_ram(SLAT_PERM_RWX);
	return &a;
}

/* Record the dirty state of the 2 MiB block around page p before a change
 * that would drop it. */
static void harvest_block(unsigned long p)
{
	unsigned long b = p >> (BLOCK_SHIFT - PAGE_SHIFT);
	int err;

	if (!have_ad)
		return;
#ifdef BROKEN_NO_HARVEST
	/* Scratch build: the dirty state of a changed leaf is dropped. */
	return;
#endif
	err = slat_dirty_harvest(&s2.table, slat_gpa(VM_RAM_BASE + (b << BLOCK_SHIFT)),
				 BLOCK_SIZE, &dirty[b * (BLOCK_SIZE / PAGE_SIZE / 64)],
				 BLOCK_SIZE / PAGE_SIZE / 64, 0,
				 NULL, &s2.pending);
	if (err)
		die("slat_dirty_harvest", err);
}

static unsigned leaf_lg2(uint64_t ipa)
{
	struct slat_mapping m;

	return slat_translate(&s2.table, slat_gpa(ipa), &m) ? 0 : m.page_lg2;
}

/* ---- the operations ---- */

static void evict(unsigned long p)
{
	uint64_t old = host_of(p), buf;
	int err;

	harvest_block(p);
	err = slat_unmap(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE, &s2.pending);
	if (err)
		die("slat_unmap", err);
	buf = (uint64_t)mem_alloc(PAGE_SHIFT);
	memcpy((void *)buf, (void *)old, PAGE_SIZE);
	evict_hash[p] = page_hash(buf);
	poison(old);           /* a stale translation now reads garbage */
	if (away[p]) {
		mem_free((void *)old, PAGE_SHIFT);
		st.n_away--;
	}
	away[p] = buf;
	flags[p] |= F_EVICTED;
	st.evicted++;
	st.n_evicted++;
}

/* Put an evicted page back at home; the mapping is the caller's. */
static void bring_home(unsigned long p)
{
	uint64_t buf = away[p];

	memcpy((void *)ipa_of(p), (void *)buf, PAGE_SIZE);
	if (page_hash(ipa_of(p)) != evict_hash[p])
		st.restore_bad++;
	mem_free((void *)buf, PAGE_SHIFT);
	away[p] = 0;
	flags[p] &= ~F_EVICTED;
	st.restored++;
	st.n_evicted--;
}

static void restore(unsigned long p)
{
	int err;

	bring_home(p);
	err = slat_map(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE, slat_hpa(ipa_of(p)), ram(),
		       0, &s2.pending);
	if (err)
		die("slat_map (demand paging)", err);
}

static void write_protect(unsigned long p, bool on)
{
	struct slat_prot pr = { 0 };
	int err;

	if (on) {
		harvest_block(p);   /* a read-only leaf has no dirty state */
		pr.perm_clear = SLAT_PERM_W;
	} else {
		pr.perm_set = SLAT_PERM_W;
	}
	err = slat_protect(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE, &pr, &s2.pending);
	if (err)
		die("slat_protect", err);
	if (on) {
		flags[p] |= F_WP;
		st.wp++;
		st.n_wp++;
	} else {
		flags[p] &= ~F_WP;
		st.n_wp--;
	}
}

/* Copy the page to a new host page (or back home), point the leaf at it. */
static void migrate(unsigned long p)
{
	uint64_t old = host_of(p), to;
	int err;

	if (away[p] && (rnd() & 1))
		to = ipa_of(p);
	else if (st.n_away < MAX_AWAY)
		to = (uint64_t)mem_alloc(PAGE_SHIFT);
	else
		return;
	harvest_block(p);
	memcpy((void *)to, (void *)old, PAGE_SIZE);
	/* libslat does break-before-make for the new output address */
	err = slat_map(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE, slat_hpa(to), ram(),
		       SLAT_MAP_REPLACE, &s2.pending);
	if (err)
		die("slat_map (migration)", err);
	poison(old);
	if (away[p]) {
		mem_free((void *)old, PAGE_SHIFT);
		st.n_away--;
	}
	if (to != ipa_of(p))
		st.n_away++;
	away[p] = to == ipa_of(p) ? 0 : to;
	st.migrated++;
}

/* Split a random block that is still one 2 MiB leaf, if one is found. */
static void split(void)
{
	uint64_t ipa = 0;
	int err, i;

	for (i = 0; i < 16; i++) {
		ipa = VM_RAM_BASE + ((rnd() % VM_BLOCKS) << BLOCK_SHIFT);
		if (leaf_lg2(ipa) == BLOCK_SHIFT)
			break;
	}
	if (i == 16)
		return;
	err = slat_split(&s2.table, slat_gpa(ipa), BLOCK_SIZE, PAGE_SHIFT, &s2.pending);
	if (err)
		die("slat_split", err);
	if (leaf_lg2(ipa + (rnd() & (BLOCK_SIZE - 1))) != PAGE_SHIFT)
		st.leaf_bad++;
	st.splits++;
}

/* Record the dirty state of page p alone before a change that would drop
 * it: unlike harvest_block(), the rest of the block keeps its dirty state
 * in the table, for slat_collapse() to carry. */
static void harvest_page(unsigned long p)
{
	uint64_t bit = 0;
	int err;

	if (!have_ad)
		return;
#ifdef BROKEN_NO_HARVEST
	return;
#endif
	err = slat_dirty_harvest(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE, &bit, 1, 0, NULL,
				 &s2.pending);
	if (err)
		die("slat_dirty_harvest", err);
	dirty[p / 64] |= bit << (p % 64);
}

/* Put the block back to one 2 MiB leaf with slat_collapse().  It merges
 * only 512 present leaves that map a contiguous, aligned run with the same
 * attributes, so first every page comes home: evicted ones are mapped
 * again, migrated ones copied back and remapped, write-protected ones
 * made writable.  The block's dirty state is not harvested first: the
 * collapse (exact here, through the sync_invalidate hook) carries it into
 * the 2 MiB leaf, and the next dirty round must still find every page the
 * guest wrote. */
static void collapse(unsigned long b)
{
	unsigned long p0 = b << (BLOCK_SHIFT - PAGE_SHIFT);
	uint64_t ipa = VM_RAM_BASE + (b << BLOCK_SHIFT), off;
	uint64_t pages;
	struct slat_mapping m;
	bool was_dirty = false;
	int err;

	if (leaf_lg2(ipa) == BLOCK_SHIFT)
		return;
	for (unsigned long p = p0; p < p0 + BLOCK_SIZE / PAGE_SIZE; p++) {
		if (flags[p] & F_EVICTED) {
			restore(p);
		} else if (away[p]) {
			harvest_page(p);   /* the remap starts the leaf clean */
			memcpy((void *)ipa_of(p), (void *)away[p], PAGE_SIZE);
			err = slat_map(&s2.table, slat_gpa(ipa_of(p)), PAGE_SIZE,
				       slat_hpa(ipa_of(p)), ram(), SLAT_MAP_REPLACE, &s2.pending);
			if (err)
				die("slat_map (home before collapse)", err);
			poison(away[p]);
			mem_free((void *)away[p], PAGE_SHIFT);
			away[p] = 0;
			st.n_away--;
		}
		if (flags[p] & F_WP)
			write_protect(p, false);
	}
	/* The pages the loop remapped must be invalidated before their old
	 * host pages are reused; the collapse then counts alone. */
	stage2_invalidate();
	/* What the 2 MiB leaf must say: dirty exactly when a page was (the
	 * guest is stopped, and the hook makes the collapse read the pages
	 * after the invalidation). */
	for (unsigned long p = p0; p < p0 + BLOCK_SIZE / PAGE_SIZE; p++)
		if (slat_translate(&s2.table, slat_gpa(ipa_of(p)), &m) == 0 && m.dirty)
			was_dirty = true;
	pages = slat_table_pages(&s2.table);
	err = slat_collapse(&s2.table, slat_gpa(ipa), BLOCK_SIZE, &s2.pending);
	if (err)
		die("slat_collapse", err);
	stage2_invalidate();            /* slat_gather_done() frees the table of pages */
	off = (rnd() & (BLOCK_SIZE - 1)) & ~(uint64_t)(PAGE_SIZE - 1);
	if (slat_translate(&s2.table, slat_gpa(ipa + off), &m) || m.page_lg2 != BLOCK_SHIFT ||
	    m.hpa.v != ipa + off || slat_table_pages(&s2.table) != pages - 1) {
		if (st.leaf_bad++ < 5)
			printk("churn: collapse of %lx: leaf 2^%u at %lx, %lu table pages (%lu before)\n",
			       ipa, m.page_lg2, m.hpa.v, slat_table_pages(&s2.table), pages);
	}
	if (have_ad && !slat_translate(&s2.table, slat_gpa(ipa), &m) && m.dirty != was_dirty) {
		if (st.collapse_dirty_bad++ < 5)
			printk("churn: collapse of %lx: leaf %s, a page was%s\n", ipa,
			       m.dirty ? "dirty" : "clean", was_dirty ? "" : " not");
	}
	st.collapses_dirty += was_dirty;
	st.collapses++;
}

/* ---- dirty logging ---- */

static uint64_t now_ms(void)
{
	return read_sysreg(cntpct_el0) / (read_sysreg(cntfrq_el0) / 1000);
}

static void dirty_round(void)
{
	unsigned long changed = 0, reported = 0, missed = 0;
	uint64_t found = 0, t0 = now_ms();
	int err;

	if (!have_ad)
		return;
	stage2_invalidate();            /* whatever the tick left pending */
	err = slat_dirty_harvest(&s2.table, slat_gpa(VM_RAM_BASE), VM_RAM_SIZE, dirty,
				 sizeof(dirty) / sizeof(dirty[0]), 0, &found, &s2.pending);
	if (err)
		die("slat_dirty_harvest", err);
#ifdef BROKEN_DIRTY_TLBI
	/* Scratch build: the cleared dirty state is never invalidated, so the
	 * TLBs may keep writable entries and writes set no dirty state. */
	slat_gather_done(&s2.table, &s2.pending);
#else
	stage2_invalidate();
#endif
	for (unsigned long p = 0; p < VM_PAGES; p++) {
		uint64_t h = page_hash(host_of(p));
		bool bit = (dirty[p / 64] >> (p % 64)) & 1;

		reported += bit;
		if (h != hashes[p]) {
			changed++;
			if (!bit && missed++ < 4)
				printk("churn: dirty round %lu: page at IPA %lx changed but was not "
				       "reported dirty\n", st.rounds + 1, ipa_of(p));
		}
		hashes[p] = h;
	}
	memset(dirty, 0, sizeof(dirty));
	st.rounds++;
	st.round_dirty += reported;
	st.round_changed += changed;
	st.missed += missed;
	printk("churn: dirty round %lu (%lu ms): %lu pages reported dirty, %lu changed, %lu "
	       "changed unreported; %lu ticks, %lu evicted (%lu now), %lu migrated, %lu splits, "
	       "%lu collapses\n", st.rounds, now_ms() - t0, reported, changed, missed, st.ticks,
	       st.evicted, st.n_evicted, st.migrated, st.splits, st.collapses);
}

/* A random page with no churn state, or ~0 after a few misses. */
static unsigned long pick(void)
{
	for (int i = 0; i < 8; i++) {
		unsigned long p = rnd() % VM_PAGES;
		if (!flags[p])
			return p;
	}
	return ~0UL;
}

/*
 * Dirty rounds come in pairs, at two consecutive exits with no other change
 * to the table and no other TLB maintenance in between: the first at an
 * exit that does nothing else, the second at the very next exit, after
 * which the churn goes on.  The
 * interval between them is what shows a TLB that kept a writable entry
 * after the first harvest.  QEMU drops its whole EL1&0 TLB on any TLBI
 * (libslat's sequences end with TLBI VMALLE1IS) and on any change of
 * ASID, so a left-out invalidation would be hidden by the next one, and
 * the churn runs some at every other tick.
 */
static void tick(void)
{
	unsigned long p;

	st.ticks++;
	stage2_invalidate();            /* what resolving the fault changed */
	if (quiet) {                    /* second of a pair, then churn on */
		dirty_round();
		quiet = false;
		last_round = now_ms();
	} else if (have_ad && now_ms() - last_round >= CHURN_ROUND_MS) {
		dirty_round();              /* first of a pair: nothing else */
		quiet = true;
		return;
	}
	for (int i = 0; i < MIGRATE_BATCH; i++)
		if ((p = pick()) != ~0UL)
			migrate(p);
	for (int i = 0; i < EVICT_BATCH && st.n_evicted < MAX_EVICTED; i++)
		if ((p = pick()) != ~0UL)
			evict(p);
	for (int i = 0; i < WP_BATCH && st.n_wp < MAX_WP; i++)
		if ((p = pick()) != ~0UL)
			write_protect(p, true);
	if (st.ticks % SPLIT_EVERY == 0)
		split();
	else if (st.ticks % SPLIT_EVERY == SPLIT_EVERY / 2)
		collapse(rnd() % VM_BLOCKS);
	stage2_invalidate();
}

void churn_init(void)
{
	rng = read_sysreg(cntpct_el0) | 1;
	printk("churn: random seed %lx; a dirty round every %u ms%s\n", rng, CHURN_ROUND_MS,
	       stage2_has(SLAT_FEAT_AD) ? "" : " (not on this CPU: no hardware dirty state)");
#ifdef BROKEN_DIRTY_TLBI
	printk("churn: SCRATCH BUILD: no TLB invalidation after a dirty harvest\n");
#endif
#ifdef BROKEN_NO_HARVEST
	printk("churn: SCRATCH BUILD: no harvest before a change that drops dirty state\n");
#endif
	have_ad = stage2_has(SLAT_FEAT_AD);
	for (unsigned long p = 0; p < VM_PAGES; p++)
		hashes[p] = page_hash(ipa_of(p));
	last_round = now_ms();
	/* A first population of traps large enough that the guest is sure
	 * to touch some: the churn lives on the faults they cause.  (With 8,
	 * one run saw none touched and the churn stopped after 4 ticks.) */
	for (int i = 0; i < 64; i++) {
		unsigned long p = pick();
		if (p != ~0UL)
			evict(p);
		if ((p = pick()) != ~0UL && i < 32)
			write_protect(p, true);
	}
	tick();
}

bool churn_fault(struct vcpu *v, const struct abort_info *a)
{
	bool ours = false;
	unsigned long p = (a->ipa - VM_RAM_BASE) >> PAGE_SHIFT;

	if (a->ipa == ~0UL || p >= VM_PAGES) {
		/* A permission fault whose IPA AT S1E1R could not find: the guest
		 * changed its stage 1 since.  Lift every write protection. */
		if (a->ipa != ~0UL || a->f.kind != SLAT_FAULT_PERMISSION || !st.n_wp)
			return false;
		p = VM_PAGES;
	} else if (a->f.kind == SLAT_FAULT_TRANSLATION && (flags[p] & F_EVICTED)) {
		restore(p);
		ours = true;
	} else if (a->f.kind == SLAT_FAULT_PERMISSION && (flags[p] & F_WP)) {
		write_protect(p, false);
		st.wp_faults++;
		ours = true;
	} else if (a->f.kind != SLAT_FAULT_PERMISSION || !st.n_wp) {
		return false;
	}
	if (!ours) {
		for (unsigned long q = 0; q < VM_PAGES; q++)
			if (flags[q] & F_WP)
				write_protect(q, false);
		st.wp_fallback++;
	}
	if (a->f.guest_walk)
		st.from_walk++;             /* the kernel's own stage-1 walk (S1PTW) */
	else if (a->from_el == 0)
		st.from_el0++;
	/* The same fault again and again: the fix above does not take. */
	if (v->pc == last_fault_pc && a->ipa == last_fault_ipa) {
		if (++repeat > 64) {
			describe_abort(a);
			vmm_fatal("churn: the same fault at PC %lx, IPA %lx keeps coming back",
				  v->pc, a->ipa);
		}
	} else {
		repeat = 0;
	}
	last_fault_pc = v->pc;
	last_fault_ipa = a->ipa;
	tick();
	return true;
}

/* Every page's leaf against the record: evicted pages unmapped, the others
 * mapped to host_of(p), write-protected ones without write permission. */
static unsigned long table_mismatches(void)
{
	unsigned long bad = 0;

	for (unsigned long p = 0; p < VM_PAGES; p++) {
		struct slat_mapping m;
		int err = slat_translate(&s2.table, slat_gpa(ipa_of(p)), &m);
		bool ok;

		if (flags[p] & F_EVICTED)
			ok = err == SLAT_ENOENT;
		else
			ok = !err && m.hpa.v == host_of(p) &&
			     !(m.attrs.perms & SLAT_PERM_W) == !!(flags[p] & F_WP);
		if (!ok && bad++ < 4)
			printk("churn: IPA %lx: the table disagrees with the record (err %d)\n",
			       ipa_of(p), err);
	}
	return bad;
}

void churn_finish(enum churn_end how)
{
	unsigned long bad;

	stage2_invalidate();
	dirty_round();
	bad = table_mismatches();
	printk("churn: %lu ticks; %lu pages evicted, %lu restored on touch; %lu write-protected, "
	       "%lu write faults (%lu lifted all); %lu migrated; %lu splits, %lu collapses "
	       "(%lu of blocks with a dirty page); "
	       "%lu table granules\n", st.ticks, st.evicted, st.restored, st.wp, st.wp_faults,
	       st.wp_fallback, st.migrated, st.splits, st.collapses, st.collapses_dirty,
	       slat_table_pages(&s2.table));
	printk("churn: of the faults, %lu came from EL0, %lu from the guest's stage-1 table walks, "
	       "the rest from EL1\n", st.from_el0, st.from_walk);
	check(how == CHURN_END_OFF, "guest-powered-off",
	      "the guest ended with %s", how == CHURN_END_RESET ? "SYSTEM_RESET" : "CPU_OFF");
	if (have_ad)
		check(st.rounds >= 3 && !st.missed, "dirty-log-rounds",
		      "%lu rounds, %lu pages changed without being reported dirty",
		      st.rounds, st.missed);
	else
		skip("dirty-log-rounds", "no hardware dirty state on this CPU");
	check(st.restored > 0 && !st.restore_bad, "demand-paging",
	      "%lu pages restored, %lu with other contents than at eviction",
	      st.restored, st.restore_bad);
	check(st.wp_faults > 0, "write-protect-faults", "no write to a protected page");
	check(st.migrated > 0, "migration", "no page migrated");
	check(st.splits > 0 && st.collapses > 0 && !st.leaf_bad && !st.collapse_dirty_bad,
	      "split-collapse",
	      "%lu splits, %lu collapses, %lu with the wrong leaf or table size after, "
	      "%lu whose leaf's dirty state is not its pages'",
	      st.splits, st.collapses, st.leaf_bad, st.collapse_dirty_bad);
	check(!bad, "table-matches-record", "%lu pages", bad);
}
