/*
 * guest_smp.c - the guest: on host CPU 0, it stores a value in every
 * checked word, and in the next round reads each one back before storing
 * the next value, while host CPU 1 moves, write-protects, unmaps, splits
 * and re-maps the memory under it.  Whatever the VMM does, each word must
 * read back as the guest wrote it.
 *
 * Runs at EL1 with its stage-1 MMU off (VA == IPA), linked at
 * GUEST_RAM_IPA; it shares only the protocol headers and guest_io.h with
 * the VMM.  ../vmm-stage2/guest_start.S is its entry and vectors.
 */
#include <stdint.h>
#include "smp_protocol.h"
#include "guest_io.h"

void guest_main(void);
void guest_panic(void);

static uint64_t mismatches, checked;

/* One word: check round r-1's value (from round 1 on), store round r's. */
static void word(uint64_t ipa, uint64_t r)
{
	if (r) {
		uint64_t want = ROUND_VALUE(r - 1, ipa), got = rd64(ipa);

		checked++;
		if (got != want && mismatches++ < 8)
			hc(SMP_MISMATCH, ipa, want, got, 0);
	}
	wr64(ipa, ROUND_VALUE(r, ipa));
}

static void round(uint64_t r)
{
	for (uint64_t ipa = CHURN_IPA; ipa < CHURN_IPA + CHURN_PAGES * S2_PAGE; ipa += 8)
		word(ipa, r);
	/* two words of every 4 KiB page of the blocks: the first and the last */
	for (uint64_t ipa = SBLOCK_IPA; ipa < SBLOCK_IPA + SBLOCKS * S2_BLOCK; ipa += S2_PAGE) {
		word(ipa, r);
		word(ipa + S2_PAGE - 8, r);
	}
}

static void put_dec(uint64_t v)
{
	char buf[21];
	unsigned n = 0;

	do
		buf[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		con_putc(buf[--n]);
}

void guest_main(void)
{
	uint64_t el, r = 0;

	__asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
	con_puts("guest: checking 64 pages and two 2 MiB blocks while CPU 1 churns\n");
	hc(SMP_HELLO, el >> 2, 0, 0, 0);
	do
		round(r++);
	while (hc(SMP_ROUND, r, mismatches, 0, 0));

	con_puts(mismatches ? "GUEST VERDICT: FAIL (" : "GUEST VERDICT: PASS (");
	put_dec(mismatches);
	con_puts(" mismatches in ");
	put_dec(checked);
	con_puts(" words checked over ");
	put_dec(r);
	con_puts(" rounds)\n");
	hc(SMP_DONE, mismatches, r, checked, 0);
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
	hc(SMP_PANIC, esr, elr, far, 0);
	for (;;)
		;
}
