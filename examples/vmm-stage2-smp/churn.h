/*
 * churn.h - host CPU 1's side: it never runs the guest; while CPU 0 runs
 * it, CPU 1 changes the guest's stage-2 table in a loop (churn.c).
 */
#ifndef CHURN_H
#define CHURN_H

#include <stdint.h>

enum churn_op {
	OP_MOVE,        /* write-protect, copy, map the copy (REPLACE), poison the old page */
	OP_WP,          /* write-protect a page */
	OP_UNWP,        /* make a write-protected page writable again */
	OP_EVICT,       /* unmap a page; CPU 0 maps it again on the next touch */
	OP_SPLIT,       /* split a 2 MiB block into 4 KiB pages */
	OP_REMAP_BLOCK, /* make a split block one 2 MiB leaf again */
	OP_HARVEST,     /* harvest the dirty state of all churned pages at once:
			 * a range over pages CPU 0 may be changing meanwhile */
	OP_KINDS
};

/* Written by CPU 1, read by CPU 0 (after done, or as a running count). */
struct churn_report {
	uint32_t online;              /* CPU 1 reached cpu1_main */
	uint64_t cpu1_el;             /* CurrentEL there (must be 2) */
	uint32_t done;                /* CPU 1 stopped churning; the rest is final */
	uint64_t ops;                 /* table changes made, all kinds */
	uint64_t by_kind[OP_KINDS];
	uint64_t skipped;             /* picks of a page CPU 0 held */
	uint64_t dirty_found;         /* pages the harvests found dirty */
	int err;                      /* first libslat error on CPU 1, 0 if none */
	uint32_t err_op;              /* the enum churn_op it happened in */
	uint64_t err_ipa;
};

/* Written by CPU 0. */
struct churn_control {
	uint32_t go;      /* start churning (the guest wrote its first round) */
	uint32_t stop;    /* finish the current change and stop */
	uint32_t pause_us; /* between two changes */
};

extern struct churn_report churn_report;
extern struct churn_control churn_control;

extern const char *const churn_op_names[OP_KINDS];

/* Give CPU 1 a host page to move guest pages to (before it starts). */
void churn_add_spare(uint64_t hpa);

#endif
