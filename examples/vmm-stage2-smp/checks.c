/*
 * checks.c - host CPU 0's side: the guest's hypercalls and stage-2 faults
 * (the tests.h interface that ../vmm-stage2/exits.c calls), and the
 * verdict.
 *
 * CPU 0 runs the guest.  Its faults come from three places:
 *   - a churned page never touched yet, or unmapped by CPU 1: CPU 0 maps
 *     it (demand paging) from the VMM's record;
 *   - a write to a page CPU 1 write-protected: CPU 0 makes it writable;
 *   - a page or block CPU 1 is changing right now (the page is claimed,
 *     or a block's entry is broken for break-before-make): nothing to do,
 *     the guest retries the access.  So is a fault whose cause CPU 1 has
 *     already removed when CPU 0 looks.
 */
#include "arch.h"
#include "churn.h"
#include "exits.h"
#include "mem.h"
#include "mmio_uart.h"
#include "pages.h"
#include "report.h"
#include "smp.h"
#include "stage2.h"
#include "table_mode.h"
#include "tests.h"
#include "uart.h"

/* How long CPU 1 churns, at least and at most (ms), and at least how many
 * changes it makes, before the guest is told to stop. */
#define CHURN_MIN_MS   2000
#define CHURN_MAX_MS   30000
#define CHURN_MIN_OPS  200
#define MISMATCH_LOG   8

struct churn_page churn_pages[CHURN_PAGES];
uint64_t sblock_hpa[SBLOCKS];

static struct slat_gather g0;    /* CPU 0's changes not yet invalidated */
static bool done;
static uint64_t churn_start_ms;

static struct {
	uint64_t demand_maps, unprotects, retries_claimed, retries_block, spurious;
	uint64_t during_churn;        /* faults resolved by a table change while CPU 1 churned */
	uint64_t eexist;
	int err;
} f0;

/* Lookups of block pages by CPU 0 while CPU 1 splits and re-maps them. */
static struct {
	uint64_t n, absent, wrong;
	uint64_t wrong_ipa, wrong_hpa;
	int wrong_err;
} rd;
static uint64_t rd_rnd = 0x9e3779b97f4a7c15UL;

static bool churning(void)
{
	return __atomic_load_n(&churn_control.go, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&churn_report.done, __ATOMIC_ACQUIRE);
}

void tests_setup(void)
{
	struct slat_attrs rw = ram_attrs(true);
	int64_t psci;
	int err;

	slat_gather_init(&g0);
	/* Churned pages: a home page each, filled by the guest later; and as
	 * many spares for CPU 1 to move them to. */
	for (unsigned i = 0; i < CHURN_PAGES; i++) {
		churn_pages[i].hpa = (uint64_t)mem_alloc(S2_PAGE_SHIFT);
		churn_add_spare((uint64_t)mem_alloc(S2_PAGE_SHIFT));
	}
	for (unsigned b = 0; b < SBLOCKS; b++) {
		sblock_hpa[b] = mem_alloc_high(S2_BLOCK, S2_BLOCK);
		err = slat_map(&s2.table, slat_gpa(SBLOCK_IPA + b * S2_BLOCK), S2_BLOCK,
			       slat_hpa(sblock_hpa[b]), &rw, 0, &s2.pending);
		if (err)
			vmm_fatal("mapping block %u: %s", b, slat_strerror(err));
	}
	printk("churned pages: %u x 4 KiB at IPA %lx (unmapped until touched); "
	       "blocks: %u x 2 MiB at IPA %lx\n", CHURN_PAGES, CHURN_IPA, SBLOCKS, SBLOCK_IPA);
	printk("table mode: %s\n", TABLE_MODE_NAME);

	/* From here on two CPUs may print: the TLB maintenance is not logged. */
	stage2_log_ops = false;
	churn_control.pause_us = 20;
	psci = smp_start_cpu1();
	if (psci)
		vmm_fatal("PSCI CPU_ON for CPU 1 returned %ld", (long)psci);
	for (uint64_t t0 = now_ms(); !__atomic_load_n(&churn_report.online, __ATOMIC_ACQUIRE);)
		if (now_ms() - t0 > 5000)
			vmm_fatal("CPU 1 did not come up within 5 s of PSCI CPU_ON");
	printk("CPU 1 online at EL%lu (PSCI CPU_ON by SMC)\n", churn_report.cpu1_el);
}

/*
 * slat_translate() of random block pages, racing CPU 1's splits and
 * re-maps.  In concurrent mode the lookup takes no lock: it must see the
 * page either absent (CPU 1 is between break and make) or at its host
 * address, through the old or the new shape, and never read a table that
 * libslat has freed (the grace period of slat_gather_done()).  In lock
 * mode it takes the VMM's lock like any other call.
 */
static void lookup_blocks(unsigned count)
{
	for (unsigned k = 0; k < count; k++) {
		struct slat_mapping m;
		uint64_t off, ipa, want;
		int err;

		rd_rnd ^= rd_rnd << 13;
		rd_rnd ^= rd_rnd >> 7;
		rd_rnd ^= rd_rnd << 17;
		off = (rd_rnd % (SBLOCKS * S2_BLOCK)) & ~7UL;
		ipa = SBLOCK_IPA + off;
		want = sblock_hpa[off / S2_BLOCK] + off % S2_BLOCK;
		table_read_enter();
		err = slat_translate(&s2.table, slat_gpa(ipa), &m);
		table_read_leave();
		rd.n++;
		if (err == SLAT_ENOENT)
			rd.absent++;
		else if (err || m.hpa.v != want) {
			if (!rd.wrong++) {
				rd.wrong_ipa = ipa;
				rd.wrong_hpa = err ? 0 : m.hpa.v;
				rd.wrong_err = err;
			}
		}
	}
}

/* ---- faults (CPU 0) ---- */

static bool in_range(uint64_t ipa, uint64_t base, uint64_t size)
{
	return ipa >= base && ipa - base < size;
}

/* Resolve a fault on a churned page that CPU 0 has claimed. */
static void resolve_page(unsigned i, const struct abort_info *a)
{
	struct churn_page *p = &churn_pages[i];
	uint64_t ipa = churn_ipa(i);
	bool changed = false;
	int err = 0;

	table_enter();
	if (!p->mapped) {
		struct slat_attrs rw = ram_attrs(true);

		err = slat_map(&s2.table, slat_gpa(ipa), S2_PAGE, slat_hpa(p->hpa), &rw, 0, &g0);
		if (err == SLAT_EEXIST) {
			/* someone mapped it first: a spurious fault (table.h) */
			f0.eexist++;
			err = 0;
		} else if (!err) {
			f0.demand_maps++;
			changed = true;
		}
		if (!err)
			p->mapped = true;
	} else if (p->wp && a->f.kind == SLAT_FAULT_PERMISSION &&
		   (a->f.access & SLAT_ACCESS_WRITE)) {
		struct slat_prot rw = slat_prot_perms(SLAT_PERM_RW);

		err = slat_protect(&s2.table, slat_gpa(ipa), S2_PAGE, &rw, &g0);
		if (!err) {
			p->wp = false;
			f0.unprotects++;
			changed = true;
		}
	} else
		f0.spurious++;   /* CPU 1's change that caused it is complete */
	stage2_invalidate_gather(&g0);
	table_leave();
	if (err && !f0.err)
		f0.err = err;
	if (changed && churning())
		f0.during_churn++;
}

bool tests_abort(struct vcpu *v, const struct abort_info *a)
{
	(void)v;
	if (a->ipa == ~0UL)
		return false;
	if (in_range(a->ipa, CHURN_IPA, CHURN_PAGES * S2_PAGE)) {
		unsigned i = (unsigned)((a->ipa - CHURN_IPA) >> S2_PAGE_SHIFT);

		if (!page_claim(&churn_pages[i], CLAIM_CPU0)) {
			f0.retries_claimed++;   /* CPU 1 is changing it: retry */
			return true;
		}
		resolve_page(i, a);
		page_release(&churn_pages[i]);
		lookup_blocks(4);
		return true;
	}
	if (in_range(a->ipa, SBLOCK_IPA, SBLOCKS * S2_BLOCK) &&
	    a->f.kind == SLAT_FAULT_TRANSLATION) {
		/* A split or remap of the block between its break and its make:
		 * the entry is back once CPU 1's call returns. */
		f0.retries_block++;
		return true;
	}
	return false;
}

/* ---- the end: CPU 1 stopped, then the table against the record ---- */

static unsigned long table_mismatches(void)
{
	unsigned long bad = 0;
	struct slat_mapping m;

	for (unsigned i = 0; i < CHURN_PAGES; i++) {
		const struct churn_page *p = &churn_pages[i];
		int err = slat_translate(&s2.table, slat_gpa(churn_ipa(i)), &m);
		bool ok = p->mapped ? !err && m.hpa.v == p->hpa &&
				      m.attrs.perms == (p->wp ? SLAT_PERM_R : SLAT_PERM_RW)
				    : err == SLAT_ENOENT;
		if (!ok) {
			if (bad++ < 4)
				printk("  page %u: record %s hpa %lx%s; table: %s hpa %lx perms %x\n", i,
				       p->mapped ? "mapped" : "unmapped", p->hpa, p->wp ? " (wp)" : "",
				       slat_errname(err), err ? 0 : m.hpa.v, err ? 0 : m.attrs.perms);
		}
	}
	for (unsigned b = 0; b < SBLOCKS; b++) {
		for (uint64_t off = 0; off < S2_BLOCK; off += S2_PAGE) {
			int err = slat_translate(&s2.table, slat_gpa(SBLOCK_IPA + b * S2_BLOCK + off), &m);

			if (err || m.hpa.v != sblock_hpa[b] + off || m.attrs.perms != SLAT_PERM_RW) {
				if (bad++ < 4)
					printk("  block %u +%lx: %s\n", b, off, slat_errname(err));
			}
		}
	}
	return bad;
}

static void stop_cpu1(void)
{
	__atomic_store_n(&churn_control.stop, 1, __ATOMIC_RELEASE);
	for (uint64_t t0 = now_ms(); !__atomic_load_n(&churn_report.done, __ATOMIC_ACQUIRE);)
		if (now_ms() - t0 > 5000)
			vmm_fatal("CPU 1 did not stop within 5 s");
}

static void verdict(uint64_t mismatches, uint64_t rounds, uint64_t words)
{
	const struct churn_report *r = &churn_report;
	uint64_t problems = 0;

	stop_cpu1();
	printk("churn: %lu ms, %lu guest rounds, %lu words checked\n",
	       now_ms() - churn_start_ms, rounds, words);
	printk("CPU 1: %lu table changes:", r->ops);
	for (unsigned k = 0; k < OP_KINDS; k++)
		printk(" %s %lu%s", churn_op_names[k], r->by_kind[k], k + 1 < OP_KINDS ? "," : "");
	printk("; %lu picks of a page CPU 0 held; harvests found %lu dirty pages\n",
	       r->skipped, r->dirty_found);
	printk("CPU 0: %lu faults resolved by a table change (%lu demand maps, %lu un-protects), "
	       "%lu of them while CPU 1 churned; guest resumed unchanged: %lu on a page CPU 1 "
	       "held, %lu on a block being changed, %lu spurious, %lu SLAT_EEXIST\n",
	       f0.demand_maps + f0.unprotects, f0.demand_maps, f0.unprotects, f0.during_churn,
	       f0.retries_claimed, f0.retries_block, f0.spurious, f0.eexist);

	printk("table changes (libslat call and invalidation) that began while the other "
	       "CPU was inside one: %lu\n",
	       table_overlapping_calls());
#ifdef SMP_SLAT_CONCURRENT
	check(table_overlapping_calls() > 0, "calls-ran-at-once",
	      "no call of one CPU overlapped a call of the other");
#endif
	check(mismatches == 0, "contents-kept-across-churn",
	      "the guest read %lu words that were not what it wrote last", mismatches);
	check(r->ops > 0, "cpu1-changed-tables", "CPU 1 made no table change");
	if (r->ops)
		printk("NOTE cpu1-churn-ops: %lu\n", r->ops);
	check(f0.during_churn > 0, "cpu0-faults-during-churn",
	      "CPU 0 resolved no fault with a table change while CPU 1 churned");
	check(!r->err && !f0.err, "libslat-calls",
	      "CPU 1: %s in %s at IPA %lx; CPU 0: %s", slat_errname(r->err),
	      churn_op_names[r->err_op < OP_KINDS ? r->err_op : 0], r->err_ipa,
	      slat_errname(f0.err));
	printk("CPU 0: %lu lookups of block pages during the churn, %lu of them absent "
	       "(between break and make)\n", rd.n, rd.absent);
	check(rd.n > 0 && rd.wrong == 0, "lookups-during-churn",
	      "%lu of %lu lookups wrong; first: IPA %lx gave %s, hpa %lx", rd.wrong, rd.n,
	      rd.wrong_ipa, slat_errname(rd.wrong_err), rd.wrong_hpa);
	check(table_mismatches() == 0, "table-matches-record",
	      "the table and the VMM's record of the pages disagree (above)");
	check(slat_validate(&s2.table, NULL, NULL, &problems) == SLAT_OK && problems == 0,
	      "table-validates", "slat_validate() found %lu problems", problems);
}

uint64_t tests_step(struct vcpu *v, uint64_t step, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4)
{
	(void)v, (void)a4;
	switch (step) {
	case SMP_HELLO:
		check(a1 == 1, "guest-runs-at-el1", "CurrentEL %lu", a1);
		return 0;
	case SMP_ROUND: {
		uint64_t ms;

		if (a1 == 1) {
			churn_start_ms = now_ms();
			__atomic_store_n(&churn_control.go, 1, __ATOMIC_RELEASE);
			return 1;
		}
		lookup_blocks(32);
		ms = now_ms() - churn_start_ms;
		if (a2 || churn_report.err || f0.err || ms >= CHURN_MAX_MS)
			return 0;
		/* Go on until what the checks count has had its chance, even on
		 * a host that gives QEMU's two CPU threads one core between them. */
		return ms < CHURN_MIN_MS ||
		       __atomic_load_n(&churn_report.ops, __ATOMIC_ACQUIRE) < CHURN_MIN_OPS ||
		       !f0.during_churn ||
		       (TABLE_MODE_FEATURES && !table_overlapping_calls());
	}
	case SMP_MISMATCH:
		printk("  mismatch: IPA %lx expected %lx read %lx%s\n", a1, a2, a3,
		       (a3 >> 52) == (POISON(0) >> 52) ? " (poison: a page CPU 1 moved away)" : "");
		return 0;
	case SMP_DONE:
		verdict(a1, a2, a3);
		done = true;
		return 0;
	case SMP_PANIC:
		check(false, "guest-panic", "ESR_EL1 %lx ELR_EL1 %lx FAR_EL1 %lx", a1, a2, a3);
		done = true;
		return 0;
	default:
		check(false, "unexpected-exit", "unknown step %lu", step);
		done = true;
		return 0;
	}
}

bool tests_done(void)
{
	return done;
}
