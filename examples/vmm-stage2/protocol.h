/*
 * protocol.h - what the VMM and the guest agree on.
 *
 * Included by both programs (and by the guest's linker script, which is run
 * through the C preprocessor), so it holds only constants and types.
 *
 * The guest runs with its stage-1 MMU off, so its virtual addresses are
 * its intermediate physical addresses (IPAs).
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#ifdef __ASSEMBLER__
#define U64(x) x
#else
#define U64(x) x##UL
#endif

/* ---- Guest physical (IPA) layout --------------------------------------- */

/* The guest program: code, data and stack, 4 KiB pages, IPA != host PA. */
#define GUEST_RAM_IPA    U64(0x40000000)
#define GUEST_RAM_SIZE   U64(0x00100000)     /* 1 MiB                        */
#define GUEST_TEXT_SIZE  U64(0x00010000)     /* first 64 KiB: R+X, rest R+W  */

/* Never mapped: every access traps and the VMM emulates a PL011 there. */
#define EMU_UART_IPA     U64(0x09000000)
#define EMU_UART_SIZE    U64(0x00001000)

/* 16 x 4 KiB pages; the VMM maps IPA page i to a permuted host page. */
#define T4K_IPA          U64(0x0080000000)
#define T4K_PAGES        16

/* 2 x 2 MiB level-2 blocks; the two host blocks are mapped in swapped order. */
#define T2M_IPA          U64(0x00c0000000)
#define T2M_BLOCKS       2

/*
 * 1 x 1 GiB level-1 block at 512 GiB: entry 512 of the level-1 root, i.e.
 * the first entry of the second of the two concatenated root tables.
 * The VMM pre-fills only the first 4 KiB page of every 2 MiB chunk of it;
 * the guest samples only those pages.
 */
#define T1G_IPA          U64(0x8000000000)

/* A 2 MiB block that the VMM splits under the running guest. */
#define TSPLIT_IPA       U64(0x0140000000)
#define TSPLIT_RO_PAGE   7                   /* the page that becomes read-only */

/* 16 x 4 KiB pages for hardware dirty-state tracking. */
#define TDIRTY_IPA       U64(0x0140200000)
#define TDIRTY_PAGES     16

/* Single pages for the fault and live-change tests. */
#define TMISC_IPA        U64(0x0140400000)
#define RO_PAGE          (TMISC_IPA + 0x0000)  /* read-only                        */
#define NX_PAGE          (TMISC_IPA + 0x1000)  /* RW, not executable until fetched  */
#define REMAP_PAGE       (TMISC_IPA + 0x2000)  /* moved to another host page        */
#define WP_PAGE          (TMISC_IPA + 0x3000)  /* write-protected while in use      */
#define EXP_PAGE         (TMISC_IPA + 0x4000)  /* TLB experiment                    */
#define XEL1_PAGE        (TMISC_IPA + 0x5000)  /* FEAT_XNX: executable at EL1 only  */
#define XEL0_PAGE        (TMISC_IPA + 0x6000)  /* FEAT_XNX: executable at EL0 only  */
#define HOLE_PAGE        (TMISC_IPA + 0x10000) /* unmapped until first touched      */

/* ---- Memory contents ---------------------------------------------------- */

/* Every 64-bit word the VMM pre-fills holds its own host-physical address. */
#define PATTERN_TAG      U64(0x5a00000000000000)
#define PATTERN(hpa)     (PATTERN_TAG | (hpa))
/* Every word the guest writes holds the IPA it was written to. */
#define GUEST_VALUE(ipa) (U64(0xc300000000000000) | (ipa))

/* What the guest's exception handlers return for an aborted call. */
#define GUEST_FAULTED    U64(0xfa17)

/* ---- Hypercall ---------------------------------------------------------- */

/*
 * HVC #0 with x0 = HC_STEP (an SMCCC fast call, SMC64 convention, owned by
 * the "vendor specific hypervisor service" range), x1 = step, x2..x5 =
 * arguments.  The VMM returns a value in x0 and preserves all other
 * registers.
 */
#define HC_STEP          U64(0xc6000001)

#ifndef __ASSEMBLER__
enum step {
	STEP_HELLO = 1,        /* a1 = CurrentEL as the guest reads it             */
	STEP_CONSOLE,          /* a1 = characters the guest sent to its UART       */
	STEP_VERIFY_READS,     /* a1 = region, a2 = IPA of struct sample[], a3 = n */
	STEP_VERIFY_WRITES,    /* same; a4 = guest read-back mismatches            */
	STEP_RO_ARM,           /* a write to RO_PAGE follows                       */
	STEP_RO_CHECK,         /* a1 = value before, a2 = value after              */
	STEP_NX_ARM,           /* a call into NX_PAGE follows                      */
	STEP_NX_CHECK,         /* a1 = what the call returned                      */
	STEP_HOLE_ARM,         /* a read of HOLE_PAGE follows                      */
	STEP_HOLE_CHECK,       /* a1 = value read                                  */
	STEP_REMAP,            /* VMM: move REMAP_PAGE to another host page        */
	STEP_REMAP_CHECK,      /* a1 = value before, a2 = value after              */
	STEP_WP,               /* VMM: write-protect WP_PAGE                       */
	STEP_WP_CHECK,         /* a1 = value read back after the refused write     */
	STEP_SPLIT,            /* VMM: make one page of the TSPLIT block read-only */
	STEP_SPLIT_CHECK,      /* a1 = pages written, a2 = bad page, a3 = #bad     */
	STEP_DIRTY_BEGIN,      /* returns 1 if dirty tracking runs, else 0         */
	STEP_DIRTY_HARVEST,    /* a1 = round, a2 = mask of pages written           */
	STEP_XNX_BEGIN,        /* returns 1 if FEAT_XNX is in use, else 0          */
	STEP_XNX_ARM,          /* a1 = case (enum xnx_case) that must fault        */
	STEP_XNX_CHECK,        /* a1 = case, a2 = what the code returned           */
	STEP_EXP_REMAP,        /* VMM: move EXP_PAGE and skip the TLB invalidation */
	STEP_EXP_OBSERVE,      /* a1 = value before, a2 = value read without TLBI  */
	STEP_EXP_CHECK,        /* a1 = value read after the VMM invalidated        */
	STEP_PANIC,            /* a1 = ESR_EL1, a2 = ELR_EL1, a3 = FAR_EL1         */
	STEP_DONE,
};

enum region { REGION_4K, REGION_2M, REGION_1G };

enum xnx_case {
	XNX_EL1_RUNS_EL1_PAGE, /* allowed */
	XNX_EL0_RUNS_EL0_PAGE, /* allowed */
	XNX_EL1_RUNS_EL0_PAGE, /* must fault */
	XNX_EL0_RUNS_EL1_PAGE, /* must fault */
};

/* What the guest's little code snippets return (see guest.c). */
#define SNIPPET_RET(page, el) (0x100 | ((page) & 0xf000) >> 8 | (el))

struct sample {
	unsigned long ipa;
	unsigned long value;
};
#endif

#endif
