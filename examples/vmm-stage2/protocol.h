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

/* ---- Stage-2 geometry of this build ----------------------------------- */

/*
 * The Makefile passes S2_PAGE_SHIFT (GRANULE=4, 16 or 64: 12, 14 or 16)
 * and IPA_BITS.  Only stage 2 changes with the granule: the guest's own
 * stage 1 stays off.  Each lookup level resolves S2_PAGE_SHIFT - 3 bits,
 * so a level-2 block is 2 MiB, 32 MiB or 512 MiB.  A level-1 block (1 GiB)
 * exists at 48-bit output only with the 4 KiB granule.
 */
#if !defined(S2_PAGE_SHIFT) || !defined(IPA_BITS)
#error "build with the Makefile: it defines S2_PAGE_SHIFT and IPA_BITS"
#endif
#if S2_PAGE_SHIFT != 12 && S2_PAGE_SHIFT != 14 && S2_PAGE_SHIFT != 16
#error "S2_PAGE_SHIFT must be 12, 14 or 16"
#endif
#if IPA_BITS < 34 || IPA_BITS > (S2_PAGE_SHIFT == 16 ? 52 : 48)
#error "the layout below needs an IPA of 34 to 48 bits (52 with 64 KiB pages)"
#endif
#define S2_PAGE          (U64(1) << S2_PAGE_SHIFT)
#define S2_BLOCK_SHIFT   (2 * S2_PAGE_SHIFT - 3)
#define S2_BLOCK         (U64(1) << S2_BLOCK_SHIFT)
#define L1_BLOCK         (U64(1) << 30)

/* ---- Guest physical (IPA) layout --------------------------------------- */

/* The guest program: code, data and stack, IPA != host PA. */
#define GUEST_RAM_IPA    U64(0x40000000)
#define GUEST_RAM_SIZE   U64(0x00100000)     /* 1 MiB                        */
#define GUEST_TEXT_SIZE  U64(0x00010000)     /* first 64 KiB: R+X, rest R+W  */

/* Never mapped: every access traps and the VMM emulates a PL011 there.
 * Nothing else lies in its stage-2 page (it is 64 KiB aligned). */
#define EMU_UART_IPA     U64(0x09000000)
#define EMU_UART_SIZE    U64(0x00001000)

/* 16 stage-2 pages; the VMM maps IPA page i to a permuted host page. */
#define TPAGE_IPA        U64(0x0080000000)
#define TPAGES           16

/*
 * 2 level-2 blocks, the host blocks in swapped order, on either side of
 * the middle of the IPA space.  Whenever the root is made of concatenated
 * tables, that is a boundary between two of them.
 */
#define TBLOCK_IPA       ((U64(1) << (IPA_BITS - 1)) - S2_BLOCK)
#define TBLOCKS          2

/* 1 level-1 block (4 KiB granule only): the last GiB of the IPA space. */
#define TL1_IPA          ((U64(1) << IPA_BITS) - L1_BLOCK)

/* A level-2 block that the VMM splits under the running guest. */
#define TSPLIT_IPA       U64(0x0140000000)
#define TSPLIT_PAGES     (S2_BLOCK / S2_PAGE) /* 512, 2048 or 8192 */
#define TSPLIT_RO_PAGE   7                   /* the page that becomes read-only */

/* 16 pages for hardware dirty-state tracking. */
#define TDIRTY_IPA       (TSPLIT_IPA + S2_BLOCK)
#define TDIRTY_PAGES     16

/* Single pages for the fault and live-change tests. */
#define TMISC_IPA        (TSPLIT_IPA + 2 * S2_BLOCK)
#define RO_PAGE          (TMISC_IPA + 0 * S2_PAGE)  /* read-only                        */
#define NX_PAGE          (TMISC_IPA + 1 * S2_PAGE)  /* RW, not executable until fetched  */
#define REMAP_PAGE       (TMISC_IPA + 2 * S2_PAGE)  /* moved to another host page        */
#define WP_PAGE          (TMISC_IPA + 3 * S2_PAGE)  /* write-protected while in use      */
#define EXP_PAGE         (TMISC_IPA + 4 * S2_PAGE)  /* TLB experiment                    */
#define XEL1_PAGE        (TMISC_IPA + 5 * S2_PAGE)  /* FEAT_XNX: executable at EL1 only  */
#define XEL0_PAGE        (TMISC_IPA + 6 * S2_PAGE)  /* FEAT_XNX: executable at EL0 only  */
#define NA_PAGE          (TMISC_IPA + 7 * S2_PAGE)  /* made no-access, re-opened on fault */
#define HOLE_PAGE        (TMISC_IPA + 16 * S2_PAGE) /* unmapped until first touched      */
/* Where the guest reads HOLE_PAGE: 0x238 with 4 KiB pages, otherwise with
 * IPA bits between 12 and the granule set, which HPFAR_EL2 must report. */
#define HOLE_OFF         (S2_PAGE - 0xdc8)

/*
 * Blocks are filled sparsely, or 512 MiB leaves would take seconds and as
 * much host memory: of every 1/512th of a leaf (a "chunk") one 4 KiB page
 * holds the pattern, at a page offset that changes from chunk to chunk,
 * so that the samples still exercise address bits all over the leaf.  A
 * 2 MiB leaf has 4 KiB chunks, so it is filled completely.  The guest
 * samples only FILL_PAGE()s.
 */
#define FILL_CHUNKS      512
#define FILL_PAGE(leaf, c) \
	((c) * ((leaf) / FILL_CHUNKS) + ((c) * 7 * U64(0x1000) & ((leaf) / FILL_CHUNKS - 1)))

/* ---- Memory contents ---------------------------------------------------- */

/* Every 64-bit word the VMM pre-fills holds its own host-physical address. */
#define PATTERN_TAG      U64(0x5a00000000000000)
#define PATTERN(hpa)     (PATTERN_TAG | (hpa))
/* Every word the guest writes holds the IPA it was written to. */
#define GUEST_VALUE(ipa) (U64(0xc300000000000000) | (ipa))
/* What the guest writes after the collapse: distinct from the above. */
#define GUEST_VALUE2(ipa) (U64(0xc700000000000000) | (ipa))

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
	STEP_REGION_BEGIN,     /* a1 = region; returns 1 if it is mapped, else 0   */
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
	STEP_COLLAPSE,         /* VMM: page writable again, collapse the TSPLIT block */
	STEP_COLLAPSE_CHECK,   /* a1 = pages read back right after writing all    */
	STEP_DIRTY_BEGIN,      /* returns 1 if dirty tracking runs, else 0         */
	STEP_DIRTY_HARVEST,    /* a1 = round, a2 = mask of pages written           */
	STEP_DIRTY_PROTECT,    /* a1 = mask written: VMM write-protects, harvests  */
	STEP_XNX_BEGIN,        /* returns 1 if FEAT_XNX is in use, else 0          */
	STEP_XNX_ARM,          /* a1 = case (enum xnx_case) that must fault        */
	STEP_XNX_CHECK,        /* a1 = case, a2 = what the code returned           */
	STEP_EXP_REMAP,        /* VMM: move EXP_PAGE and skip the TLB invalidation */
	STEP_EXP_OBSERVE,      /* a1 = value before, a2 = value read without TLBI  */
	STEP_EXP_CHECK,        /* a1 = value read after the VMM invalidated        */
	STEP_NA,               /* a1 = value read; VMM: remove every permission    */
	STEP_NA_CHECK,         /* a1 = value read after the VMM re-opened the page */
	STEP_PANIC,            /* a1 = ESR_EL1, a2 = ELR_EL1, a3 = FAR_EL1         */
	STEP_DONE,
};

enum region { REGION_PAGE, REGION_BLOCK, REGION_L1 };

enum xnx_case {
	XNX_EL1_RUNS_EL1_PAGE, /* allowed */
	XNX_EL0_RUNS_EL0_PAGE, /* allowed */
	XNX_EL1_RUNS_EL0_PAGE, /* must fault */
	XNX_EL0_RUNS_EL1_PAGE, /* must fault */
};

/* What the guest's little code snippets return (see guest.c). */
#define SNIPPET_RET(page, el) (0x100 | ((page) - TMISC_IPA) / S2_PAGE << 4 | (el))

struct sample {
	unsigned long ipa;
	unsigned long value;
};
#endif

#endif
