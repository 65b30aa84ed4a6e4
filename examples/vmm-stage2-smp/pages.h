/*
 * pages.h - the VMM's record of the churned guest pages and blocks, shared
 * by both host CPUs.
 *
 * A page's record (host page, mapped, write-protected) changes only while
 * one CPU holds the page's claim.  Claims are only ever tried, never waited
 * for: CPU 0 that finds a page claimed by CPU 1 lets the guest retry the
 * access (the fault was caused by CPU 1's change in progress), and CPU 1
 * picks another page.  So neither CPU can wait for the other while holding
 * a claim, and the table calls under a claim see a record that nobody
 * else changes.
 */
#ifndef PAGES_H
#define PAGES_H

#include <stdbool.h>
#include <stdint.h>
#include <slat/slat.h>
#include "smp_protocol.h"

enum claim { CLAIM_FREE = 0, CLAIM_CPU0 = 1, CLAIM_CPU1 = 2 };

struct churn_page {
	uint32_t claim;     /* enum claim, changed with compare-exchange */
	bool mapped;        /* in the table (else demand-mapped on the next touch) */
	bool wp;            /* mapped read-only (write-protected) */
	uint64_t hpa;       /* host page holding the contents */
};

extern struct churn_page churn_pages[CHURN_PAGES];
/* Host blocks behind the SBLOCKS level-2 blocks (never move). */
extern uint64_t sblock_hpa[SBLOCKS];

static inline bool page_claim(struct churn_page *p, enum claim who)
{
	uint32_t free = CLAIM_FREE;

	return __atomic_compare_exchange_n(&p->claim, &free, who, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void page_release(struct churn_page *p)
{
	__atomic_store_n(&p->claim, CLAIM_FREE, __ATOMIC_RELEASE);
}

static inline uint64_t churn_ipa(unsigned i)
{
	return CHURN_IPA + (uint64_t)i * S2_PAGE;
}

static inline struct slat_attrs ram_attrs(bool writable)
{
	return slat_attrs_make(writable ? SLAT_PERM_RW : SLAT_PERM_R, SLAT_MT_WB);
}

#endif
