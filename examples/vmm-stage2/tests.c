/*
 * tests.c - the VMM's half of the test plan.
 *
 * tests_setup() builds the guest physical layout of protocol.h.  The guest
 * (guest.c) then walks through the steps; at each step it makes a
 * hypercall and tests_step() does the VMM's part: check what the guest saw
 * against the host memory, change the Stage-2 tables under the guest, or
 * announce ("arm") a fault that the guest is about to cause.  Armed faults
 * are matched in tests_abort() and dealt with in one of four ways a
 * hypervisor commonly uses: skip the instruction, map the page and retry,
 * grant execute and retry, or inject an abort into the guest.
 *
 * The tables are changed with libslat calls on s2.table (stage2.h); what
 * the guest sees is checked against the VMM's own record of what it meant
 * to map (the memslots of mem.c) and the host memory behind it, never
 * against the tables themselves.
 *
 * Every size follows the stage-2 granule of the build (protocol.h): pages
 * of S2_PAGE, level-2 blocks of S2_BLOCK, and a 1 GiB level-1 block only
 * where the granule has one.
 */
#include "tests.h"
#include "arch.h"
#include "mem.h"
#include "mmio_uart.h"
#include "protocol.h"
#include "report.h"
#include "stage2.h"
#include "uart.h"

/* Where it matters, the layout is aligned to the stage-2 granule. */
_Static_assert(EMU_UART_IPA % S2_PAGE == 0 && GUEST_TEXT_SIZE % S2_PAGE == 0,
	       "the emulated UART and the guest's text need whole stage-2 pages");
_Static_assert(TBLOCK_IPA % S2_BLOCK == 0 && TSPLIT_IPA % S2_BLOCK == 0,
	       "block regions must be aligned to the level-2 block size");
_Static_assert(HOLE_PAGE + S2_PAGE <= TBLOCK_IPA, "the layout overlaps itself");

#if S2_PAGE_SHIFT == 12
#define PAGE_NAME  "4k"
#define BLOCK_NAME "2m"
#elif S2_PAGE_SHIFT == 14
#define PAGE_NAME  "16k"
#define BLOCK_NAME "32m"
#else
#define PAGE_NAME  "64k"
#define BLOCK_NAME "512m"
#endif

/* The regions the guest reads and writes through (protocol.h). */
static const struct test_region {
	const char *names[2];            /* the read and the write check */
	uint64_t ipa, leaf;
	unsigned leaves;
} regions[] = {
	[REGION_PAGE]  = { { "map-" PAGE_NAME "-read", "map-" PAGE_NAME "-write" },
			   TPAGE_IPA, S2_PAGE, TPAGES },
	[REGION_BLOCK] = { { "map-" BLOCK_NAME "-read", "map-" BLOCK_NAME "-write" },
			   TBLOCK_IPA, S2_BLOCK, TBLOCKS },
	[REGION_L1]    = { { "map-1g-read", "map-1g-write" }, TL1_IPA, L1_BLOCK, 1 },
};
static bool region_mapped[3];

static bool done;

/* Host memory behind the test regions. */
static uint64_t tsplit_pa;
static uint64_t remap_old_pa, exp_old_pa, exp_new_pa, hole_pa, hole_fault_ipa;
static uint64_t na_pa;
static bool split_was_block;
static unsigned long aborts_before;

/* ---- helpers: the libslat calls, and the VMM's record of them ---- */

static void map(uint64_t ipa, uint64_t pa, uint64_t size, unsigned perms)
{
	struct slat_attrs ram = stage2_ram(perms);
	/* refuses (SLAT_EEXIST) if anything in the range is mapped already */
	int err = slat_map(&s2.table, slat_gpa(ipa), size, slat_hpa(pa), &ram, 0,
			   &s2.pending);

	if (err)
		vmm_fatal("slat_map(IPA %lx -> PA %lx, %lx bytes): %s", ipa, pa,
			  size, slat_strerror(err));
	memslot_set(ipa, pa, size);
}

static void unmap(uint64_t ipa, uint64_t size)
{
	int err = slat_unmap(&s2.table, slat_gpa(ipa), size, &s2.pending);

	if (err)
		vmm_fatal("slat_unmap(IPA %lx, %lx bytes): %s", ipa, size, slat_strerror(err));
}

/* Set the permissions of every mapping in the range to exactly perms. */
static void protect(uint64_t ipa, uint64_t size, unsigned perms)
{
	struct slat_prot prot = slat_prot_perms(perms);
	int err = slat_protect(&s2.table, slat_gpa(ipa), size, &prot, &s2.pending);

	if (err)
		vmm_fatal("slat_protect(IPA %lx, %lx bytes): %s", ipa, size, slat_strerror(err));
}

/* Harvest the dirty pages of the dirty-tracking region into a bitmap. */
static int harvest(uint64_t *bitmap, uint64_t *found)
{
	*bitmap = 0;
	*found = 0;
	return slat_dirty_harvest(&s2.table, slat_gpa(TDIRTY_IPA), TDIRTY_PAGES * S2_PAGE,
				  bitmap, 1, 0, found, &s2.pending);
}

/* A fresh stage-2 page of host memory, every word holding its own address. */
static uint64_t new_page(void)
{
	uint64_t pa = (uint64_t)mem_alloc(S2_PAGE_SHIFT);

	mem_fill_pattern(pa, S2_PAGE);
	return pa;
}

/* Fill the FILL_PAGE()s of n leaves of leaf bytes at pa (protocol.h). */
static void fill_leaves(uint64_t pa, uint64_t leaf, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned c = 0; c < FILL_CHUNKS; c++)
			mem_fill_pattern(pa + i * leaf + FILL_PAGE(leaf, c), SZ_4K);
}

/* The word at an IPA, read directly from host memory. */
static uint64_t host_word(uint64_t ipa)
{
	uint64_t pa = memslot_ipa_to_pa(ipa);

	return pa == ~0UL ? ~0UL : *(volatile uint64_t *)pa;
}

/* The structure libslat built: one leaf of page_size with exactly perms. */
static bool leaf_is(uint64_t ipa, uint64_t page_size, unsigned perms)
{
	struct slat_mapping m;

	return !slat_translate(&s2.table, slat_gpa(ipa), &m) &&
	       (1UL << m.page_lg2) == page_size && m.attrs.perms == perms;
}

/* ---- expected faults ---- */

enum fix {
	FIX_SKIP,        /* resume after the faulting instruction */
	FIX_MAP_PAGE,    /* map a fresh page there, retry the instruction */
	FIX_GRANT_EXEC,  /* make the page executable, retry the fetch */
	FIX_INJECT,      /* deliver an instruction abort to the guest's EL1 */
	FIX_REOPEN,      /* give a no-access page read and write back, retry */
};

static struct {
	bool armed;
	unsigned access;     /* SLAT_ACCESS_* */
	unsigned kind;       /* SLAT_FAULT_* */
	uint64_t page;
	unsigned from_el;
	enum fix fix;
	unsigned seen;
} expected;

static void expect_fault(unsigned access, unsigned kind, uint64_t page,
			 unsigned from_el, enum fix fix)
{
	expected.armed = true;
	expected.access = access;
	expected.kind = kind;
	expected.page = page;
	expected.from_el = from_el;
	expected.fix = fix;
	expected.seen = 0;
}

/* End of a step: how many of the armed faults were taken (0 if none was armed). */
static unsigned disarm(void)
{
	unsigned seen = expected.armed ? expected.seen : 0;

	expected.armed = false;
	expected.seen = 0;
	return seen;
}

bool tests_abort(struct vcpu *v, const struct abort_info *a)
{
	if (!expected.armed || a->f.access != expected.access ||
	    a->f.kind != expected.kind || a->f.guest_walk ||
	    (a->ipa & ~(S2_PAGE - 1)) != expected.page || a->from_el != expected.from_el)
		return false;
	if (expected.seen++)
		return false;            /* the same fault again: the fix did not work */
	describe_abort(a);

	switch (expected.fix) {
	case FIX_SKIP:
		vcpu_skip_instruction(v);
		break;
	case FIX_MAP_PAGE:
		/* TLBs never hold a fault, so libslat records nothing to
		 * invalidate for a page mapped into a hole: this is a no-op */
		hole_pa = new_page();
		hole_fault_ipa = a->ipa;     /* HPFAR_EL2 and FAR_EL2[11:0] */
		map(expected.page, hole_pa, S2_PAGE, SLAT_PERM_RW);
		stage2_invalidate();
		break;
	case FIX_GRANT_EXEC:
		protect(expected.page, S2_PAGE, SLAT_PERM_RWX);
		stage2_invalidate();
		break;
	case FIX_INJECT:
		vcpu_inject_iabt(v, a->f.gva);
		break;
	case FIX_REOPEN:
		/* the leaf kept its host page: no address needed here */
		protect(expected.page, S2_PAGE, SLAT_PERM_RW);
		stage2_invalidate();
		break;
	}
	return true;
}

/* ---- setup ---- */

/*
 * libslat must write leaves of exactly the sizes the Arm ARM gives the
 * granule at 48-bit output: pages at level 3, blocks at level 2, and
 * 1 GiB blocks at level 1 with 4 KiB only (when the walk has a level 1).
 */
static void check_geometry(void)
{
	unsigned l1 = stage2_leaf_shift(2);
	/* Level-1 blocks: 1 GiB with 4 KiB pages; 4 TiB with 64 KiB pages
	 * on a CPU with 52-bit PAs (FEAT_LPA); none with 16 KiB pages. */
	unsigned l1_expected = slat_table_levels(&s2.table) < 3 ? 0 :
			       S2_PAGE_SHIFT == 12 ? 30 :
			       S2_PAGE_SHIFT == 16 && s2.caps.pa_bits == 52 ? 42 : 0;

	if (stage2_leaf_shift(0) != S2_PAGE_SHIFT || stage2_leaf_shift(1) != S2_BLOCK_SHIFT ||
	    l1 != l1_expected || stage2_leaf_shift(3))
		vmm_fatal("libslat's leaves (2^%u, 2^%u, 2^%u, 2^%u bytes) are not those of "
			  "the %lu KiB granule", stage2_leaf_shift(0), stage2_leaf_shift(1),
			  l1, stage2_leaf_shift(3), S2_PAGE >> 10);
}

void tests_setup(void)
{
	uint64_t pa;

	check_geometry();

	/* pages: IPA page i -> host page (7 * i) mod 16 */
	pa = (uint64_t)mem_alloc(S2_PAGE_SHIFT + 4);
	mem_fill_pattern(pa, TPAGES * S2_PAGE);
	for (unsigned i = 0; i < TPAGES; i++)
		map(TPAGE_IPA + i * S2_PAGE, pa + (7 * i % 16) * S2_PAGE, S2_PAGE, SLAT_PERM_RW);
	region_mapped[REGION_PAGE] = true;

	/* the largest host blocks first: they come from the top of RAM, aligned */
	if (stage2_leaf_shift(2) == 30) {
		/* the level-1 block, in the last GiB of the IPA space */
		pa = mem_alloc_high(L1_BLOCK, L1_BLOCK);
		fill_leaves(pa, L1_BLOCK, 1);
		map(TL1_IPA, pa, L1_BLOCK, SLAT_PERM_RW);
		region_mapped[REGION_L1] = true;
	}

	/* two level-2 blocks, host blocks in swapped order */
	pa = mem_alloc_high(2 * S2_BLOCK, S2_BLOCK);
	fill_leaves(pa, S2_BLOCK, 2);
	map(TBLOCK_IPA, pa + S2_BLOCK, S2_BLOCK, SLAT_PERM_RW);
	map(TBLOCK_IPA + S2_BLOCK, pa, S2_BLOCK, SLAT_PERM_RW);
	region_mapped[REGION_BLOCK] = true;

	/* a level-2 block to split later: the checks use the word at +0x10
	 * of each of its pages */
	tsplit_pa = mem_alloc_high(S2_BLOCK, S2_BLOCK);
	for (unsigned i = 0; i < TSPLIT_PAGES; i++)
		mem_fill_pattern(tsplit_pa + i * S2_PAGE + 0x10, 8);
	map(TSPLIT_IPA, tsplit_pa, S2_BLOCK, SLAT_PERM_RW);

	/* pages for dirty tracking */
	pa = (uint64_t)mem_alloc(S2_PAGE_SHIFT + 4);
	mem_fill_pattern(pa, TDIRTY_PAGES * S2_PAGE);
	map(TDIRTY_IPA, pa, TDIRTY_PAGES * S2_PAGE, SLAT_PERM_RW);

	/* single pages */
	map(RO_PAGE, new_page(), S2_PAGE, SLAT_PERM_R);
	map(NX_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	map(REMAP_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	map(WP_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	map(EXP_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	map(NA_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	if (stage2_has(SLAT_FEAT_SPLIT_EXEC)) {
		/* FEAT_XNX: SLAT_PERM_XS is execute at EL1, SLAT_PERM_XU at EL0 */
		map(XEL1_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW | SLAT_PERM_XS);
		map(XEL0_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW | SLAT_PERM_XU);
	} else {
		map(XEL1_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
		map(XEL0_PAGE, new_page(), S2_PAGE, SLAT_PERM_RW);
	}
	/* HOLE_PAGE and EMU_UART_IPA stay unmapped */
}

/* ---- steps ---- */

/* The guest asks whether a region is mapped before it samples it. */
static uint64_t step_region_begin(uint64_t region)
{
	if (region > REGION_L1) {
		check(false, "region", "bad region %lu", region);
		return 0;
	}
	if (region_mapped[region])
		return 1;
	for (unsigned w = 0; w < 2; w++) {
		if (S2_PAGE_SHIFT != 12)
			skip(regions[region].names[w], "not offered by this granule (%lu KiB: "
			     "no 1 GiB block)", S2_PAGE >> 10);
		else
			skip(regions[region].names[w], "not offered at a %u-bit IPA "
			     "(the walk starts at level 2)", IPA_BITS);
	}
	return 0;
}

/*
 * Every word the guest read must hold the pattern of exactly the host
 * address the VMM meant the IPA to reach; every word it wrote must be in
 * exactly that host word.  Each sample must also go through one RW leaf
 * of the region's size.
 */
static void verify_samples(bool writes, uint64_t region, uint64_t array_ipa,
			   uint64_t n, uint64_t guest_mismatches)
{
	const struct test_region *r;
	struct sample *s;

	if (region > REGION_L1 || !region_mapped[region]) {
		check(false, "verify-samples", "bad region %lu", region);
		return;
	}
	r = &regions[region];
	const char *name = r->names[writes];
	s = guest_ptr(array_ipa, n * sizeof(*s));
	if (!s || !n) {
		check(false, name, "bad sample array at IPA %lx", array_ipa);
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ipa = s[i].ipa, pa = memslot_ipa_to_pa(ipa);
		if (ipa - r->ipa >= r->leaves * r->leaf || pa == ~0UL) {
			check(false, name, "IPA %lx is outside the region", ipa);
			return;
		}
		if (!leaf_is(ipa, r->leaf, SLAT_PERM_RW)) {
			check(false, name, "IPA %lx is not mapped by one %lx-byte RW leaf",
			      ipa, r->leaf);
			return;
		}
		if (!writes && s[i].value != PATTERN(pa)) {
			check(false, name, "IPA %lx read %lx (host PA %lx), expected host PA %lx",
			      ipa, s[i].value, s[i].value & ~PATTERN_TAG, pa);
			return;
		}
		if (writes && host_word(ipa) != s[i].value) {
			check(false, name, "IPA %lx: guest wrote %lx, host PA %lx holds %lx",
			      ipa, s[i].value, pa, host_word(ipa));
			return;
		}
	}
	check(!guest_mismatches, name, "%lu words read back differently in the guest",
	      guest_mismatches);
}

static void step_split(void)
{
	uint64_t page = TSPLIT_IPA + TSPLIT_RO_PAGE * S2_PAGE;

	split_was_block = leaf_is(TSPLIT_IPA, S2_BLOCK, SLAT_PERM_RW);
	/* libslat splits the level-2 block into pages first, with
	 * break-before-make through the sync_invalidate hook, then
	 * write-protects the one page */
	protect(page, S2_PAGE, SLAT_PERM_R);
	stage2_invalidate();
	expect_fault(SLAT_ACCESS_WRITE, SLAT_FAULT_PERMISSION, page, 1, FIX_SKIP);
}

static void step_split_check(uint64_t written, uint64_t bad_page, uint64_t nbad)
{
	unsigned faults = disarm(), host_bad = 0;

	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t pa = tsplit_pa + i * S2_PAGE + 0x10;
		uint64_t want = i == TSPLIT_RO_PAGE ? PATTERN(pa)
			      : GUEST_VALUE(TSPLIT_IPA + i * S2_PAGE + 0x10);
		host_bad += *(volatile uint64_t *)pa != want;
	}
	bool leaves = leaf_is(TSPLIT_IPA + TSPLIT_RO_PAGE * S2_PAGE, S2_PAGE, SLAT_PERM_R) &&
		      leaf_is(TSPLIT_IPA, S2_PAGE, SLAT_PERM_RW) &&
		      leaf_is(TSPLIT_IPA + S2_BLOCK - S2_PAGE, S2_PAGE, SLAT_PERM_RW);
	check(split_was_block && leaves && faults == 1 && written == TSPLIT_PAGES - 1 &&
	      bad_page == TSPLIT_RO_PAGE && nbad == 1 && !host_bad,
	      "block-split-live",
	      "was a block %d, page leaves %d, faults %u, guest: %lu pages written, "
	      "%lu refused (page %lu), host words wrong %u",
	      split_was_block, leaves, faults, written, nbad, bad_page, host_bad);
}

/*
 * Huge-page recovery: the page the split made read-only is writable again,
 * so the level-3 table maps one aligned, contiguous run with the same
 * attributes everywhere, and slat_collapse() puts the level-2 block back
 * (break-before-make through the sync hook, the table freed at
 * gather_done). The guest then writes every page.
 */
static bool collapse_was_table, collapse_is_block;
static uint64_t collapse_pages_freed;

static void step_collapse(void)
{
	uint64_t pages;
	int err;

	protect(TSPLIT_IPA + TSPLIT_RO_PAGE * S2_PAGE, S2_PAGE, SLAT_PERM_RW);
	stage2_invalidate();
	collapse_was_table = leaf_is(TSPLIT_IPA, S2_PAGE, SLAT_PERM_RW) &&
			     leaf_is(TSPLIT_IPA + TSPLIT_RO_PAGE * S2_PAGE, S2_PAGE,
				     SLAT_PERM_RW);
	pages = slat_table_pages(&s2.table);
	err = slat_collapse(&s2.table, slat_gpa(TSPLIT_IPA), S2_BLOCK, &s2.pending);
	if (err)
		vmm_fatal("slat_collapse: %s", slat_strerror(err));
	collapse_pages_freed = pages - slat_table_pages(&s2.table);
	collapse_is_block = leaf_is(TSPLIT_IPA, S2_BLOCK, SLAT_PERM_RW) &&
			    leaf_is(TSPLIT_IPA + S2_BLOCK - S2_PAGE, S2_BLOCK, SLAT_PERM_RW);
	stage2_invalidate();
}

static void step_collapse_check(uint64_t readback)
{
	unsigned host_bad = 0;

	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t ipa = TSPLIT_IPA + i * S2_PAGE + 0x10;

		host_bad += *(volatile uint64_t *)(tsplit_pa + i * S2_PAGE + 0x10) !=
			    GUEST_VALUE2(ipa);
	}
	check(collapse_was_table && collapse_is_block && collapse_pages_freed == 1 &&
	      readback == TSPLIT_PAGES && !host_bad,
	      "block-collapse-live",
	      "pages before %d, one block after %d, table pages freed %lu, guest read back "
	      "%lu of %lu, host words wrong %u",
	      collapse_was_table, collapse_is_block, collapse_pages_freed, readback,
	      (uint64_t)TSPLIT_PAGES, host_bad);
}

static uint64_t step_dirty_begin(void)
{
	uint64_t bitmap, found;
	int err;

	if (!stage2_has(SLAT_FEAT_AD)) {
		skip("dirty-log-starts-clean", "FEAT_HAFDBS dirty state not offered by this CPU");
		skip("dirty-log-round-1", "FEAT_HAFDBS dirty state not offered by this CPU");
		skip("dirty-log-round-2", "FEAT_HAFDBS dirty state not offered by this CPU");
		skip("dirty-log-write-protect", "FEAT_HAFDBS dirty state not offered by this CPU");
		return 0;
	}
	/* libslat maps writable pages writable-clean (DBM = 1, S2AP[1] = 0),
	 * and the guest has not touched these yet: nothing may be dirty */
	err = harvest(&bitmap, &found);
	stage2_invalidate();
	check(!err && !bitmap && !found, "dirty-log-starts-clean",
	      "harvest before any guest write found %04lx (%lu pages, err %d)",
	      bitmap, found, err);
	aborts_before = exit_stats.aborts;
	return 1;
}

static uint64_t bits_set(uint64_t x)
{
	uint64_t n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static void step_dirty_harvest(uint64_t round, uint64_t mask)
{
	uint64_t bitmap, found;
	int err = harvest(&bitmap, &found);

	/* the harvest made the pages clean: drop cached writable translations,
	 * or the next writes would not be recorded (NOTES.md section 3) */
	stage2_invalidate();
	check(!err && bitmap == mask && found == bits_set(mask) &&
	      exit_stats.aborts == aborts_before,
	      round ? "dirty-log-round-2" : "dirty-log-round-1",
	      "guest wrote pages %04lx, harvest found %04lx (%lu pages, err %d), %lu faults taken",
	      mask, bitmap, found, err, exit_stats.aborts - aborts_before);
	aborts_before = exit_stats.aborts;
}

/*
 * The guest wrote the pages of `mask`; the VMM removes write permission
 * from the whole region first and harvests after. The hardware dirty state
 * was S2AP[1] itself, which the protect clears: the pages must be found
 * dirty all the same (libslat keeps the state in a software bit), once,
 * and clean by the next harvest.
 */
static void step_dirty_protect(uint64_t mask)
{
	struct slat_prot ro = { .perm_clear = SLAT_PERM_W };
	struct slat_prot rw = { .perm_set = SLAT_PERM_W };
	uint64_t bitmap, found, again = 0, found2 = 0;
	int err;

	err = slat_protect(&s2.table, slat_gpa(TDIRTY_IPA), TDIRTY_PAGES * S2_PAGE, &ro,
			   &s2.pending);
	stage2_invalidate();
	if (!err)
		err = harvest(&bitmap, &found);
	stage2_invalidate();
	if (!err)
		err = harvest(&again, &found2);
	stage2_invalidate();
	if (!err)
		err = slat_protect(&s2.table, slat_gpa(TDIRTY_IPA), TDIRTY_PAGES * S2_PAGE, &rw,
				   &s2.pending);
	stage2_invalidate();
	check(!err && bitmap == mask && found == bits_set(mask) && !again && !found2,
	      "dirty-log-write-protect",
	      "guest wrote pages %04lx, write-protected, harvest found %04lx (%lu pages), "
	      "then %04lx (err %d)", mask, bitmap, found, again, err);
}

static void step_xnx_check(uint64_t which, uint64_t result)
{
	static const char *const names[] = {
		[XNX_EL1_RUNS_EL1_PAGE] = "xnx-el1-exec-on-el1-page",
		[XNX_EL0_RUNS_EL0_PAGE] = "xnx-el0-exec-on-el0-page",
		[XNX_EL1_RUNS_EL0_PAGE] = "xnx-el1-fetch-from-el0-page-faults",
		[XNX_EL0_RUNS_EL1_PAGE] = "xnx-el0-fetch-from-el1-page-faults",
	};
	unsigned faults = disarm();
	uint64_t want;

	if (which > XNX_EL0_RUNS_EL1_PAGE) {
		check(false, "xnx", "bad case %lu", which);
		return;
	}
	if (which == XNX_EL1_RUNS_EL1_PAGE)
		want = SNIPPET_RET(XEL1_PAGE, 1);
	else if (which == XNX_EL0_RUNS_EL0_PAGE)
		want = SNIPPET_RET(XEL0_PAGE, 0);
	else
		want = GUEST_FAULTED;
	check(result == want && faults == (want == GUEST_FAULTED), names[which],
	      "returned %lx (expected %lx), %u stage-2 faults", result, want, faults);
}

static void step_xnx_arm(uint64_t which)
{
	if (which == XNX_EL1_RUNS_EL0_PAGE)
		expect_fault(SLAT_ACCESS_EXEC, SLAT_FAULT_PERMISSION, XEL0_PAGE, 1, FIX_INJECT);
	else
		expect_fault(SLAT_ACCESS_EXEC, SLAT_FAULT_PERMISSION, XEL1_PAGE, 0, FIX_INJECT);
}

static uint64_t step_xnx_begin(void)
{
	if (stage2_has(SLAT_FEAT_SPLIT_EXEC))
		return 1;
	skip("xnx-el1-exec-on-el1-page", "FEAT_XNX not offered by this CPU");
	skip("xnx-el0-exec-on-el0-page", "FEAT_XNX not offered by this CPU");
	skip("xnx-el1-fetch-from-el0-page-faults", "FEAT_XNX not offered by this CPU");
	skip("xnx-el0-fetch-from-el1-page-faults", "FEAT_XNX not offered by this CPU");
	return 0;
}

/*
 * The experiment of NOTES.md: move a page the guest has just used, but
 * leave out stage2_invalidate(), and see what the guest reads.  Whatever
 * it reads is only reported (since libslat completes the pending unmap
 * itself, it is the new page).
 */
static void step_exp_observe(uint64_t before, uint64_t without_tlbi)
{
	uint64_t off = 0x40;
	const char *what =
		without_tlbi == PATTERN(exp_old_pa + off) ? "the OLD page: a stale translation was used" :
		without_tlbi == PATTERN(exp_new_pa + off) ? "the NEW page: no stale translation" :
		"neither page";

	printk("NOTE tlb-experiment: IPA %lx moved from PA %lx to PA %lx without stage2_invalidate();\n"
	       "NOTE   before: %lx, after (no TLBI): %lx = %s\n",
	       EXP_PAGE, exp_old_pa, exp_new_pa, before, without_tlbi, what);
	stage2_invalidate();
}

uint64_t tests_step(struct vcpu *v, uint64_t step, uint64_t a1, uint64_t a2,
		    uint64_t a3, uint64_t a4)
{
	unsigned faults;

	switch (step) {
	case STEP_HELLO:
		check(a1 == 1 && vcpu_el(v) == 1, "guest-runs-at-el1",
		      "guest reads CurrentEL %lu, SPSR_EL2 says EL%u", a1, vcpu_el(v));
		return 0;

	case STEP_CONSOLE:
		check(a1 > 0 && a1 == vuart_chars() && vuart_fr_reads() >= a1,
		      "mmio-uart-emulation",
		      "guest sent %lu characters, VMM emulated %lu UARTDR writes, %lu UARTFR reads",
		      a1, vuart_chars(), vuart_fr_reads());
		return 0;

	case STEP_REGION_BEGIN:
		return step_region_begin(a1);
	case STEP_VERIFY_READS:
	case STEP_VERIFY_WRITES:
		verify_samples(step == STEP_VERIFY_WRITES, a1, a2, a3, a4);
		return 0;

	case STEP_RO_ARM:
		expect_fault(SLAT_ACCESS_WRITE, SLAT_FAULT_PERMISSION, RO_PAGE, 1, FIX_SKIP);
		return 0;
	case STEP_RO_CHECK: {
		uint64_t want = PATTERN(memslot_ipa_to_pa(RO_PAGE + 0x100));
		faults = disarm();
		check(faults == 1 && a1 == want && a2 == want && host_word(RO_PAGE + 0x100) == want,
		      "ro-page-write-faults",
		      "%u faults; word before %lx, after %lx, host %lx, expected %lx",
		      faults, a1, a2, host_word(RO_PAGE + 0x100), want);
		return 0;
	}

	case STEP_NX_ARM:
		expect_fault(SLAT_ACCESS_EXEC, SLAT_FAULT_PERMISSION, NX_PAGE, 1, FIX_GRANT_EXEC);
		return 0;
	case STEP_NX_CHECK:
		faults = disarm();
		check(faults == 1, "nx-page-fetch-faults", "%u faults", faults);
		check(a1 == SNIPPET_RET(NX_PAGE, 1) && leaf_is(NX_PAGE, S2_PAGE, SLAT_PERM_RWX),
		      "exec-after-grant", "code returned %lx, expected %lx", a1,
		      SNIPPET_RET(NX_PAGE, 1));
		return 0;

	case STEP_HOLE_ARM:
		expect_fault(SLAT_ACCESS_READ, SLAT_FAULT_TRANSLATION, HOLE_PAGE, 1, FIX_MAP_PAGE);
		return 0;
	case STEP_HOLE_CHECK:
		faults = disarm();
		check(faults == 1 && hole_fault_ipa == HOLE_PAGE + HOLE_OFF, "unmapped-ipa-faults",
		      "%u faults at IPA %lx, expected 1 at %lx", faults, hole_fault_ipa,
		      HOLE_PAGE + HOLE_OFF);
		check(faults == 1 && a1 == PATTERN(hole_pa + HOLE_OFF), "demand-map-retry",
		      "read %lx, expected %lx", a1, PATTERN(hole_pa + HOLE_OFF));
		return 0;

	case STEP_REMAP: {
		remap_old_pa = memslot_ipa_to_pa(REMAP_PAGE);
		uint64_t new_pa = new_page();
		/* break-before-make: the old translation must be gone from all
		 * TLBs before the new one can be installed */
		unmap(REMAP_PAGE, S2_PAGE);
		stage2_invalidate();
		map(REMAP_PAGE, new_pa, S2_PAGE, SLAT_PERM_RW);
		return 0;
	}
	case STEP_REMAP_CHECK: {
		uint64_t new_pa = memslot_ipa_to_pa(REMAP_PAGE);
		check(a1 == PATTERN(remap_old_pa + 0x40) && a2 == PATTERN(new_pa + 0x40),
		      "remap-live", "read %lx then %lx; expected PA %lx then PA %lx",
		      a1, a2, remap_old_pa + 0x40, new_pa + 0x40);
		return 0;
	}

	case STEP_WP:
		protect(WP_PAGE, S2_PAGE, SLAT_PERM_R);
		stage2_invalidate();
		expect_fault(SLAT_ACCESS_WRITE, SLAT_FAULT_PERMISSION, WP_PAGE, 1, FIX_SKIP);
		return 0;
	case STEP_WP_CHECK: {
		uint64_t want = GUEST_VALUE(WP_PAGE + 0x80);
		faults = disarm();
		check(faults == 1 && a1 == want && host_word(WP_PAGE + 0x80) == want,
		      "write-protect-live", "%u faults; guest reads %lx, host %lx, expected %lx",
		      faults, a1, host_word(WP_PAGE + 0x80), want);
		return 0;
	}

	case STEP_NA: {
		struct slat_mapping m;

		na_pa = memslot_ipa_to_pa(NA_PAGE);
		check(a1 == PATTERN(na_pa + 0x40), "noaccess-before", "read %lx, expected %lx",
		      a1, PATTERN(na_pa + 0x40));
		/* no permission at all: S2AP = 00 with XN, a valid leaf that
		 * keeps its output address (issue 9 item 1) */
		protect(NA_PAGE, S2_PAGE, 0);
		stage2_invalidate();
		check(!slat_translate(&s2.table, slat_gpa(NA_PAGE), &m) && m.attrs.perms == 0 &&
		      m.hpa.v == na_pa && (m.entry & 0xc0) == 0, "noaccess-keeps-target",
		      "perms %x, hpa %lx (expected %lx), entry %lx", m.attrs.perms, m.hpa.v,
		      na_pa, m.entry);
		expect_fault(SLAT_ACCESS_READ, SLAT_FAULT_PERMISSION, NA_PAGE, 1, FIX_REOPEN);
		return 0;
	}
	case STEP_NA_CHECK:
		faults = disarm();
		check(faults == 1 && a1 == PATTERN(na_pa + 0x40) &&
		      leaf_is(NA_PAGE, S2_PAGE, SLAT_PERM_RW), "noaccess-permission-fault-reopen",
		      "%u faults; read %lx, expected %lx", faults, a1, PATTERN(na_pa + 0x40));
		return 0;

	case STEP_SPLIT:
		step_split();
		return 0;
	case STEP_SPLIT_CHECK:
		step_split_check(a1, a2, a3);
		return 0;
	case STEP_COLLAPSE:
		step_collapse();
		return 0;
	case STEP_COLLAPSE_CHECK:
		step_collapse_check(a1);
		return 0;

	case STEP_DIRTY_BEGIN:
		return step_dirty_begin();
	case STEP_DIRTY_HARVEST:
		step_dirty_harvest(a1, a2);
		return 0;
	case STEP_DIRTY_PROTECT:
		step_dirty_protect(a1);
		return 0;

	case STEP_XNX_BEGIN:
		return step_xnx_begin();
	case STEP_XNX_ARM:
		step_xnx_arm(a1);
		return 0;
	case STEP_XNX_CHECK:
		step_xnx_check(a1, a2);
		return 0;

	case STEP_EXP_REMAP:
		exp_old_pa = memslot_ipa_to_pa(EXP_PAGE);
		exp_new_pa = new_page();
		unmap(EXP_PAGE, S2_PAGE);
		/* deliberately NO stage2_invalidate() here.  libslat itself
		 * completes the pending unmap through the sync_invalidate hook
		 * before it maps over it (break-before-make across calls), so
		 * the guest now sees the new page (NOTES.md section 3) */
		map(EXP_PAGE, exp_new_pa, S2_PAGE, SLAT_PERM_RW);
		return 0;
	case STEP_EXP_OBSERVE:
		step_exp_observe(a1, a2);
		return 0;
	case STEP_EXP_CHECK:
		check(a1 == PATTERN(exp_new_pa + 0x40), "remap-visible-after-tlbi",
		      "read %lx, expected %lx", a1, PATTERN(exp_new_pa + 0x40));
		return 0;

	case STEP_PANIC:
		check(false, "guest-panic", "unexpected exception in the guest: ESR_EL1 %lx, ELR_EL1 %lx, FAR_EL1 %lx",
		      a1, a2, a3);
		done = true;
		return 0;
	case STEP_DONE:
		if (expected.armed)
			check(false, "guest-done", "a fault was still expected");
		done = true;
		return 0;
	default:
		check(false, "hypercall", "unknown step %lu", step);
		done = true;
		return ~0UL;
	}
}

bool tests_done(void)
{
	return done;
}
