/*
 * layout.h - shared by the VMM and the guest: the guest-physical memory map,
 * the hypercall numbers and the command protocol.
 *
 * The guest is a small "agent": it boots, greets through the emulated UART,
 * then loops asking the VMM for commands with VMMCALL(HC_NEXT) and executing
 * them (read, write, call, run at CPL 3).  All expectations live in the
 * VMM (checks.c), which compares what the guest saw with what it set up.
 */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

/* ---- guest-physical memory map ---- */
/* guest RAM: 2 MiB, nested-mapped as one 2 MiB leaf */
#define GUEST_RAM_GPA       0x00000000ul
#define GUEST_RAM_SIZE      0x00200000ul
#define GUEST_PML4_GPA      0x00001000ul   /* guest page tables, built by the loader */
#define GUEST_PDPT_GPA      0x00002000ul
#define GUEST_PD_GPA        0x00003000ul   /* 4 pages: identity 0..4 GiB, 2 MiB pages */
#define GUEST_IMAGE_GPA     0x00010000ul   /* guest.bin is linked and loaded here */
#define GUEST_IMAGE_MAX     0x00070000ul
#define GUEST_KSTACK_TOP    0x000A0000ul
#define GUEST_USTACK_TOP    0x000B0000ul

/* test windows */
#define T4K_GPA             0x00400000ul   /* 16 pages, each its own 4 KiB mapping */
#define T4K_PAGES           16
#define T2M_GPA             0x00600000ul   /* one 2 MiB mapping */
#define TPAGE_GPA           0x00800000ul   /* single 4 KiB pages for fault checks */
#define TPAGE(n)            (TPAGE_GPA + (n) * 0x1000ul)
#define UNMAPPED_GPA        0x00900000ul   /* nothing mapped here at start */
#define DIRTY_GPA           0x00A00000ul   /* 16 x 4 KiB pages for dirty logging */
#define DIRTY_PAGES         16
#define T1G_GPA             0x40000000ul   /* one 1 GiB mapping */
#define WALK_PD_GPA         TPAGE(7)       /* npf-guest-walk: a guest page directory, */
#define WALK_GVA            0x100000000ul  /*   nested-mapped on demand, for GVA 4 GiB */

/* emulated UART: never mapped, every store traps with #NPF */
#define UART_GPA            0xFE000000ul
#define UART_SIZE           0x1000ul
#define UART_THR            0x0             /* transmit holding register */

/* ---- hypercalls: RAX = number, RDI/RSI = arguments (VMMCALL) ---- */
#define HC_NEXT             1   /* RDI = result of previous command; returns RAX=op RDI=addr RSI=val */
#define HC_USER_REPORT      2   /* from CPL 3: RDI = value read */

/* ---- commands returned by HC_NEXT ---- */
#define OP_READ             1   /* result = *(u64 *)addr */
#define OP_WRITE            2   /* *(u64 *)addr = val; result = 0 */
#define OP_CALL             3   /* result = ((u64 (*)(void))addr)() */
#define OP_USER_READ        4   /* at CPL 3: v = *(u64 *)addr; HC_USER_REPORT(v); result = v */
#define OP_USER_CALL        5   /* at CPL 3: result = ((u64 (*)(void))addr)() */
#define OP_DONE             6   /* print a goodbye and halt */

#endif
