/*
 * churn.c - host CPU 1: changes the guest's stage-2 table while the guest
 * runs on CPU 0.
 *
 * Every change goes through libslat on the one table both CPUs use, with
 * a gather of CPU 1's own, and ends with its invalidation: TLBI IPAS2E1IS
 * (or RIPAS2E1IS) and VMALLE1IS, then DSB ISH (slat_stage2_flush()).
 * Executed here, they still reach CPU 0's TLBs: an IS form applies to
 * every PE in the Inner Shareable shareability domain of the PE that
 * executes it (Arm ARM DDI 0487, the TLBI IPAS2E1IS and TLBI VMALLE1IS
 * descriptions in C5.5), and the DSB ISH after it completes only when the
 * invalidation has completed on all of them (D8.17, TLB maintenance).
 * CPU 1 loads this VM's VTTBR_EL2 so that the TLBIs name the guest's VMID.
 *
 * A move is done as a hypervisor with several vCPUs must: write-protect
 * and invalidate first, so that no write can land in the old page after
 * the copy; then copy, then map the copy with SLAT_MAP_REPLACE (libslat
 * breaks the old entry and calls the sync_invalidate hook before the new
 * one is written), invalidate, and only then poison the old page.
 */
#include "churn.h"
#include "arch.h"
#include "mem.h"
#include "pages.h"
#include "smp.h"
#include "stage2.h"
#include "table_mode.h"

struct churn_report churn_report;
struct churn_control churn_control;

const char *const churn_op_names[OP_KINDS] = {
	[OP_MOVE] = "move", [OP_WP] = "write-protect", [OP_UNWP] = "un-protect",
	[OP_EVICT] = "unmap", [OP_SPLIT] = "split-block", [OP_REMAP_BLOCK] = "remap-block",
	[OP_HARVEST] = "harvest",
};

/* Host pages a moved guest page may go to: CPU 1's alone. */
#define SPARES 64
static uint64_t spare[SPARES];
static unsigned spare_head, spare_count;

static struct slat_gather g1;          /* CPU 1's changes not yet invalidated */
static bool block_split[SBLOCKS];
static uint64_t rnd_state;

void churn_add_spare(uint64_t hpa)
{
	spare[(spare_head + spare_count++) % SPARES] = hpa;
}

static uint64_t take_spare(void)
{
	uint64_t hpa = spare[spare_head];

	spare_head = (spare_head + 1) % SPARES;
	spare_count--;
	return hpa;
}

static uint64_t rnd(void)
{
	/* xorshift64: a different sequence every run, seeded from the counter */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static bool failed(int err, enum churn_op op, uint64_t ipa)
{
	if (!err)
		return false;
	if (!churn_report.err) {
		churn_report.err = err;
		churn_report.err_op = op;
		churn_report.err_ipa = ipa;
	}
	return true;
}

/* After a change: invalidate what it left in CPU 1's gather. */
static void settle(void)
{
	stage2_invalidate_gather(&g1);
}

static int protect(uint64_t ipa, uint64_t size, bool writable)
{
	struct slat_prot p = slat_prot_perms(writable ? SLAT_PERM_RW : SLAT_PERM_R);
	int err;

	table_enter();
	err = slat_protect(&s2.table, slat_gpa(ipa), size, &p, &g1);
	settle();
	table_leave();
	return err;
}

static int map_replace(uint64_t ipa, uint64_t size, uint64_t hpa)
{
	struct slat_attrs a = ram_attrs(true);
	int err;

	table_enter();
	err = slat_map(&s2.table, slat_gpa(ipa), size, slat_hpa(hpa), &a, SLAT_MAP_REPLACE, &g1);
	settle();
	table_leave();
	return err;
}

static bool move(unsigned i)
{
	struct churn_page *p = &churn_pages[i];
	uint64_t ipa = churn_ipa(i), from = p->hpa, to;

	if (!p->mapped)
		return false;
	/* 1. no more writes to the old page, on any CPU's TLB */
	if (failed(protect(ipa, S2_PAGE, false), OP_MOVE, ipa))
		return false;
	p->wp = true;
	/* 2. the contents, 3. the new page in place of the old (BBM inside) */
	to = take_spare();
	memcpy((void *)to, (const void *)from, S2_PAGE);
	if (failed(map_replace(ipa, S2_PAGE, to), OP_MOVE, ipa)) {
		churn_add_spare(to);
		return false;
	}
	p->hpa = to;
	p->wp = false;
	/* 4. the old page is unreachable now; a stale translation would read this */
	for (uint64_t off = 0; off < S2_PAGE; off += 8)
		*(volatile uint64_t *)(from + off) = POISON(from + off);
	churn_add_spare(from);
	return true;
}

static bool write_protect(unsigned i, bool on)
{
	struct churn_page *p = &churn_pages[i];
	uint64_t ipa = churn_ipa(i);

	if (!p->mapped || p->wp == on)
		return false;
	if (failed(protect(ipa, S2_PAGE, !on), on ? OP_WP : OP_UNWP, ipa))
		return false;
	p->wp = on;
	return true;
}

static bool evict(unsigned i)
{
	struct churn_page *p = &churn_pages[i];
	uint64_t ipa = churn_ipa(i);
	int err;

	if (!p->mapped)
		return false;
	table_enter();
	err = slat_unmap(&s2.table, slat_gpa(ipa), S2_PAGE, &g1);
	settle();
	table_leave();
	if (failed(err, OP_EVICT, ipa))
		return false;
	/* the contents stay in p->hpa, where CPU 0 maps them again */
	p->mapped = false;
	p->wp = false;
	return true;
}

/* A churned page, claimed; or -1 if the one picked was CPU 0's. */
static int pick_page(void)
{
	unsigned i = (unsigned)(rnd() % CHURN_PAGES);

	if (!page_claim(&churn_pages[i], CLAIM_CPU1)) {
		churn_report.skipped++;
		return -1;
	}
	return (int)i;
}

static bool block_op(enum churn_op op)
{
	unsigned b = (unsigned)(rnd() % SBLOCKS);
	uint64_t ipa = SBLOCK_IPA + b * S2_BLOCK;
	int err;

	if ((op == OP_SPLIT) == block_split[b])
		return false;
	table_enter();
	if (op == OP_SPLIT)
		err = slat_split(&s2.table, slat_gpa(ipa), S2_BLOCK, S2_PAGE_SHIFT, &g1);
	else if (rnd() & 1)
		/* the 512 pages' leaves are still contiguous: one block leaf again */
		err = slat_collapse(&s2.table, slat_gpa(ipa), S2_BLOCK, &g1);
	else {
		/* the same by a replacing map over the table of pages */
		struct slat_attrs a = ram_attrs(true);
		err = slat_map(&s2.table, slat_gpa(ipa), S2_BLOCK, slat_hpa(sblock_hpa[b]), &a,
			       SLAT_MAP_REPLACE, &g1);
	}
	settle();
	table_leave();
	if (failed(err, op, ipa))
		return false;
	block_split[b] = op == OP_SPLIT;
	return true;
}

/*
 * No claim: the harvest changes no page's record, only the dirty state.
 * Its range covers every churned page, so it overlaps whatever CPU 0 is
 * doing there; in concurrent mode libslat serialises the two calls.
 */
static bool harvest(void)
{
	uint64_t bitmap[(CHURN_PAGES + 63) / 64], found = 0;
	int err;

	if (!stage2_has(SLAT_FEAT_AD))
		return false;
	table_enter();
	err = slat_dirty_harvest(&s2.table, slat_gpa(CHURN_IPA), CHURN_PAGES * S2_PAGE, bitmap,
				 sizeof(bitmap) / sizeof(bitmap[0]), 0, &found, &g1);
	settle();
	table_leave();
	if (failed(err, OP_HARVEST, CHURN_IPA))
		return false;
	churn_report.dirty_found += found;
	return true;
}

static bool one_change(void)
{
	unsigned r = (unsigned)(rnd() % 16);
	enum churn_op op = r < 5 ? OP_MOVE : r < 6 ? OP_HARVEST : r < 9 ? OP_WP :
			   r < 11 ? OP_UNWP : r < 13 ? OP_EVICT : r < 14 ? OP_SPLIT :
			   OP_REMAP_BLOCK;
	bool changed;
	int i;

	if (op == OP_HARVEST)
		changed = harvest();
	else if (op == OP_SPLIT || op == OP_REMAP_BLOCK)
		changed = block_op(op);
	else {
		if ((i = pick_page()) < 0)
			return false;
		changed = op == OP_MOVE ? move((unsigned)i) :
			  op == OP_EVICT ? evict((unsigned)i) :
			  write_protect((unsigned)i, op == OP_WP);
		page_release(&churn_pages[i]);
	}
	if (changed) {
		churn_report.by_kind[op]++;
		__atomic_store_n(&churn_report.ops, churn_report.ops + 1, __ATOMIC_RELEASE);
	}
	return changed;
}

void cpu1_main(void)
{
	churn_report.cpu1_el = read_sysreg(CurrentEL) >> 2;
	/* TLBIs by IPA and VMALLE1IS act on the VMID in VTTBR_EL2; VTCR_EL2.VS
	 * says how wide it is.  Stage 2 itself stays off here (HCR_EL2.VM). */
	write_sysreg(vtcr_el2, s2.vtcr_el2);
	write_sysreg(vttbr_el2, s2.vttbr_el2);
	isb();
	slat_gather_init(&g1);
	rnd_state = read_sysreg(cntpct_el0) | 1;
	__atomic_store_n(&churn_report.online, 1, __ATOMIC_RELEASE);

	while (!__atomic_load_n(&churn_control.go, __ATOMIC_ACQUIRE))
		__asm__ __volatile__("yield");
	while (!__atomic_load_n(&churn_control.stop, __ATOMIC_ACQUIRE) && !churn_report.err) {
		one_change();
		delay_us(churn_control.pause_us);
	}
	__atomic_store_n(&churn_report.done, 1, __ATOMIC_RELEASE);
}
