/*
 * guest.c - the guest: a small EL1 program that exercises the Stage-2
 * mappings the VMM built and reports what it saw through hypercalls.
 *
 * It runs with its stage-1 MMU off (VA == IPA), is linked at GUEST_RAM_IPA
 * and shares nothing with the VMM but protocol.h (and guest_io.h, its own
 * hypercall and console code).  Its console is a PL011
 * at EMU_UART_IPA that the VMM emulates.
 */
#include <stdint.h>
#include "protocol.h"
#include "guest_io.h"

uint64_t run_user(uint64_t entry);        /* guest_start.S */
void guest_main(void);
void guest_panic(void);

/* ---- code generation for the execute tests ---- */

#define INSN_MOVZ_X0(imm) (0xd2800000u | ((uint32_t)(imm) << 5))   /* movz x0, #imm */
#define INSN_RET          0xd65f03c0u                              /* ret */
#define INSN_SVC0         0xd4000001u                              /* svc #0 */

/* Write two instructions at addr and make them visible to instruction fetch. */
static void put_code(uint64_t addr, uint32_t insn0, uint32_t insn1)
{
	wr32(addr, insn0);
	wr32(addr + 4, insn1);
	__asm__ __volatile__("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb"
			     : : "r"(addr) : "memory");
}

static uint64_t call(uint64_t addr)
{
	return ((uint64_t (*)(void))addr)();
}

/* ---- tests ---- */

static struct sample samples[32];

/* A word in a block: in one of the pages the VMM filled (FILL_PAGE), of a
 * different chunk for each sample. */
static uint64_t in_block(uint64_t leaf, unsigned i)
{
	return FILL_PAGE(leaf, (i * 83 + 5) % FILL_CHUNKS) +
	       ((i & 1) ? 0xff8 : (i * 0x238) & 0xff8);
}

/* Sample addresses: spread over pages, blocks and offsets. */
static uint64_t sample_ipa(unsigned region, unsigned i)
{
	switch (region) {
	case REGION_PAGE:  /* two words in each of the 16 pages, one of them the last */
		return TPAGE_IPA + (i / 2) * S2_PAGE +
		       ((i & 1) ? S2_PAGE - 8 : (i * 0x148) & (S2_PAGE - 8));
	case REGION_BLOCK: /* 16 words in each of the two level-2 blocks */
		return TBLOCK_IPA + (i / 16) * S2_BLOCK + in_block(S2_BLOCK, i);
	default:           /* 32 words in the level-1 block */
		return TL1_IPA + in_block(L1_BLOCK, i);
	}
}

static void read_write_region(unsigned region)
{
	unsigned n = sizeof(samples) / sizeof(samples[0]), bad = 0;

	if (!hc(STEP_REGION_BEGIN, region, 0, 0, 0)) {
		con_puts("(no leaf of that size in this configuration)\n");
		return;
	}

	for (unsigned i = 0; i < n; i++) {
		samples[i].ipa = sample_ipa(region, i);
		samples[i].value = rd64(samples[i].ipa);
	}
	hc(STEP_VERIFY_READS, region, (uint64_t)samples, n, 0);

	for (unsigned i = 0; i < n; i++) {
		samples[i].value = GUEST_VALUE(samples[i].ipa);
		wr64(samples[i].ipa, samples[i].value);
	}
	for (unsigned i = 0; i < n; i++)
		bad += rd64(samples[i].ipa) != samples[i].value;
	hc(STEP_VERIFY_WRITES, region, (uint64_t)samples, n, bad);
}

static void faults(void)
{
	uint64_t before;

	con_puts("a write to a read-only page, a fetch from a non-executable page, an unmapped IPA\n");

	before = rd64(RO_PAGE + 0x100);
	hc(STEP_RO_ARM, 0, 0, 0, 0);
	wr64(RO_PAGE + 0x100, GUEST_VALUE(RO_PAGE + 0x100));   /* refused, skipped */
	hc(STEP_RO_CHECK, before, rd64(RO_PAGE + 0x100), 0, 0);

	put_code(NX_PAGE, INSN_MOVZ_X0(SNIPPET_RET(NX_PAGE, 1)), INSN_RET);
	hc(STEP_NX_ARM, 0, 0, 0, 0);
	hc(STEP_NX_CHECK, call(NX_PAGE), 0, 0, 0);             /* faults once, then runs */

	hc(STEP_HOLE_ARM, 0, 0, 0, 0);
	hc(STEP_HOLE_CHECK, rd64(HOLE_PAGE + HOLE_OFF), 0, 0, 0); /* faults once, then reads */
}

static void live_changes(void)
{
	uint64_t before;
	unsigned written = 0, nbad = 0, bad_page = ~0u;

	con_puts("changes under the running guest: remap, write-protect, block split\n");

	before = rd64(REMAP_PAGE + 0x40);
	hc(STEP_REMAP, 0, 0, 0, 0);
	hc(STEP_REMAP_CHECK, before, rd64(REMAP_PAGE + 0x40), 0, 0);

	wr64(WP_PAGE + 0x80, GUEST_VALUE(WP_PAGE + 0x80));
	hc(STEP_WP, 0, 0, 0, 0);
	wr64(WP_PAGE + 0x80, 0);                               /* refused, skipped */
	hc(STEP_WP_CHECK, rd64(WP_PAGE + 0x80), 0, 0, 0);

	/* read first, so that the TLB holds the page when it is closed */
	hc(STEP_NA, rd64(NA_PAGE + 0x40), 0, 0, 0);
	hc(STEP_NA_CHECK, rd64(NA_PAGE + 0x40), 0, 0, 0);     /* faults, re-opened */

	/* use every page of the block, so that the TLB holds it */
	for (unsigned i = 0; i < TSPLIT_PAGES; i++)
		(void)rd64(TSPLIT_IPA + i * S2_PAGE + 0x10);
	/* and the page to be protected last, for writing (its own value
	 * back): QEMU's TLB is direct-mapped, so the loop above evicted it,
	 * and a translation filled by a read of a writable-clean page (DBM)
	 * is not writable; without this, a missing TLBI in the split's
	 * break-before-make would go unnoticed (NOTES.md section 3) */
	{
		uint64_t a = TSPLIT_IPA + TSPLIT_RO_PAGE * S2_PAGE + 0x10;
		wr64(a, rd64(a));
	}
	hc(STEP_SPLIT, 0, 0, 0, 0);
	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t a = TSPLIT_IPA + i * S2_PAGE + 0x10;
		wr64(a, GUEST_VALUE(a));                       /* one page refuses */
	}
	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t a = TSPLIT_IPA + i * S2_PAGE + 0x10;
		if (rd64(a) == GUEST_VALUE(a)) {
			written++;
		} else {
			nbad++;
			bad_page = i;
		}
	}
	hc(STEP_SPLIT_CHECK, written, bad_page, nbad, 0);

	/* The VMM makes the page writable again and collapses the pages
	 * back into one block: every page, the one that was read-only too,
	 * must take a write and read it back. */
	hc(STEP_COLLAPSE, 0, 0, 0, 0);
	written = 0;
	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t a = TSPLIT_IPA + i * S2_PAGE + 0x10;
		wr64(a, GUEST_VALUE2(a));
	}
	for (unsigned i = 0; i < TSPLIT_PAGES; i++) {
		uint64_t a = TSPLIT_IPA + i * S2_PAGE + 0x10;
		written += rd64(a) == GUEST_VALUE2(a);
	}
	hc(STEP_COLLAPSE_CHECK, written, 0, 0, 0);
}

static void dirty_tracking(void)
{
	static const uint64_t masks[2] = { 0x8235, 0x0411 };

	con_puts("hardware dirty-state tracking\n");
	if (!hc(STEP_DIRTY_BEGIN, 0, 0, 0, 0)) {
		con_puts("(not offered by this CPU)\n");
		return;
	}
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned p = 0; p < TDIRTY_PAGES; p++) {
			uint64_t a = TDIRTY_IPA + p * S2_PAGE + 8 * p;
			if (masks[round] >> p & 1)
				wr64(a, GUEST_VALUE(a));
			else
				(void)rd64(a);                 /* reading must not dirty */
		}
		hc(STEP_DIRTY_HARVEST, round, masks[round], 0, 0);
	}
	/* Written, then write-protected by the VMM before it harvests. */
	for (unsigned p = 0; p < TDIRTY_PAGES; p++) {
		uint64_t a = TDIRTY_IPA + p * S2_PAGE + 8 * p;
		if (0x1842 >> p & 1)
			wr64(a, GUEST_VALUE(a));
	}
	hc(STEP_DIRTY_PROTECT, 0x1842, 0, 0, 0);
}

static void split_execute(void)
{
	con_puts("split EL1/EL0 execute permissions (FEAT_XNX)\n");
	if (!hc(STEP_XNX_BEGIN, 0, 0, 0, 0)) {
		con_puts("(not offered by this CPU)\n");
		return;
	}
	/* at +0: an EL1 function; at +0x10: EL0 code that ends with SVC */
	put_code(XEL1_PAGE, INSN_MOVZ_X0(SNIPPET_RET(XEL1_PAGE, 1)), INSN_RET);
	put_code(XEL1_PAGE + 0x10, INSN_MOVZ_X0(SNIPPET_RET(XEL1_PAGE, 0)), INSN_SVC0);
	put_code(XEL0_PAGE, INSN_MOVZ_X0(SNIPPET_RET(XEL0_PAGE, 1)), INSN_RET);
	put_code(XEL0_PAGE + 0x10, INSN_MOVZ_X0(SNIPPET_RET(XEL0_PAGE, 0)), INSN_SVC0);

	hc(STEP_XNX_CHECK, XNX_EL1_RUNS_EL1_PAGE, call(XEL1_PAGE), 0, 0);
	hc(STEP_XNX_CHECK, XNX_EL0_RUNS_EL0_PAGE, run_user(XEL0_PAGE + 0x10), 0, 0);
	hc(STEP_XNX_ARM, XNX_EL1_RUNS_EL0_PAGE, 0, 0, 0);
	hc(STEP_XNX_CHECK, XNX_EL1_RUNS_EL0_PAGE, call(XEL0_PAGE), 0, 0);
	hc(STEP_XNX_ARM, XNX_EL0_RUNS_EL1_PAGE, 0, 0, 0);
	hc(STEP_XNX_CHECK, XNX_EL0_RUNS_EL1_PAGE, run_user(XEL1_PAGE + 0x10), 0, 0);
}

static void tlb_experiment(void)
{
	uint64_t before, stale;

	con_puts("TLB experiment: a page moved without TLB invalidation\n");
	before = rd64(EXP_PAGE + 0x40);           /* the translation is now cached */
	hc(STEP_EXP_REMAP, 0, 0, 0, 0);
	stale = rd64(EXP_PAGE + 0x40);
	hc(STEP_EXP_OBSERVE, before, stale, 0, 0);
	hc(STEP_EXP_CHECK, rd64(EXP_PAGE + 0x40), 0, 0, 0);
}

void guest_main(void)
{
	uint64_t el;

	__asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
	con_puts("hello from the guest at EL1; this line went through an emulated UART\n");
	hc(STEP_HELLO, el >> 2, 0, 0, 0);
	hc(STEP_CONSOLE, uart_chars, 0, 0, 0);

	con_puts("reads and writes through stage-2 pages, level-2 blocks, a level-1 block\n");
	read_write_region(REGION_PAGE);
	read_write_region(REGION_BLOCK);
	read_write_region(REGION_L1);

	faults();
	live_changes();
	dirty_tracking();
	split_execute();
	tlb_experiment();

	con_puts("guest done\n");
	hc(STEP_DONE, 0, 0, 0, 0);
	for (;;)
		;
}

/* Any exception the guest does not expect (guest_start.S). */
void guest_panic(void)
{
	uint64_t esr, elr, far;

	__asm__ __volatile__("mrs %0, esr_el1" : "=r"(esr));
	__asm__ __volatile__("mrs %0, elr_el1" : "=r"(elr));
	__asm__ __volatile__("mrs %0, far_el1" : "=r"(far));
	hc(STEP_PANIC, esr, elr, far, 0);
	for (;;)
		;
}
