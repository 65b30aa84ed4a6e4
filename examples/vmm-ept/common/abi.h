/*
 * abi.h - the contract between the VMM and the guest: the guest-physical
 * memory map and the VMCALL ("hypercall") interface.  Shared by both sides.
 *
 * Hypercall: RAX = number, RBX/RCX/RDX = arguments, result in RAX.
 */
#ifndef ABI_H
#define ABI_H

/* ---- guest-physical memory map ---- */
#define GPA_RAM			0x00000000ull	/* 4 MiB guest RAM, RWX */
#define GPA_RAM_SIZE		0x00400000ull
#define GPA_GUEST_LOAD		0x00100000ull	/* guest image is loaded and entered here */

/* Single 4 KiB test pages (each backed by its own host page). */
#define GPA_RW_PAGES		0x00400000ull	/* 4 pages, RW: plain 4 KiB read/write */
#define GPA_RO_PAGE		0x00404000ull	/* R: a write must exit */
#define GPA_NX_PAGE		0x00405000ull	/* RW: a fetch must exit */
#define GPA_REMAP_PAGE		0x00406000ull	/* remapped to another host page at run time */
#define GPA_WP_PAGE		0x00407000ull	/* write-protected at run time */
#define GPA_MISCONF_PAGE	0x00408000ull	/* given a misconfigured entry at run time */
#define GPA_MBEC_S_PAGE		0x00409000ull	/* RW + supervisor-execute only (MBEC) */
#define GPA_MBEC_U_PAGE		0x0040A000ull	/* RW + user-execute only (MBEC) */
#define GPA_DEMAND_PAGE		0x0040B000ull	/* unmapped until first touched */
#define GPA_XO_PAGE		0x0040C000ull	/* made execute-only at run time */
#define GPA_NA_PAGE		0x0040D000ull	/* made no-access at run time, re-opened on exit */
#define GPA_DIRTY_AREA		0x00410000ull	/* 16 pages, RW, for EPT A/D */
#define DIRTY_AREA_PAGES	16

#define GPA_2M_AREA		0x00600000ull	/* one 2 MiB EPT mapping, RW */
/* Page-modification logging: 1024 pages of 4 KiB, then one 2 MiB leaf. */
#define GPA_PML_AREA		0x00800000ull
#define PML_AREA_4K_PAGES	1024
#define PML_AREA_PAGES		(PML_AREA_4K_PAGES + 512)
#define GPA_1G_AREA		0x80000000ull	/* one 1 GiB EPT mapping, RW */
#define GPA_UART		0xE0000000ull	/* emulated UART: never mapped */
#define GPA_UART_SIZE		0x1000ull
#define UART_THR		0		/* write: transmit one character */

/* Guest linear addresses: 0..4 GiB identity (supervisor), and a user-mode
 * alias of guest-physical 0..1 GiB at USER_ALIAS + gpa. */
#define USER_ALIAS		0x0000008000000000ull

/*
 * Host memory behind the test areas is pre-filled by the VMM with
 * PATTERN(hpa) in every 8-byte word, so a guest read reveals which host
 * byte it reached.
 */
#define PATTERN(hpa)		(0xC0DE000000000000ul | (hpa))
#define PATTERN_TAG(v)		((v) >> 48)

/* ---- hypercalls ---- */
enum hypercall {
	HC_BEGIN = 1,		/* rbx = name (guest pointer): start a check */
	HC_END,			/* print PASS/FAIL for the current check */
	HC_FAIL,		/* rbx = message: the guest saw something wrong */
	HC_EXPECT_READ,		/* rbx = gpa, rcx = value read: VMM compares with PATTERN */
	HC_EXPECT_STORED,	/* rbx = gpa, rcx = value written: VMM checks host bytes */
	HC_EXPECT_EXIT,		/* rbx = gpa, rcx = linear address, rdx = EXPECT_*: arm */
	HC_ACTION,		/* rbx = ACT_*, rcx = gpa, rdx = argument: VMM changes EPT */
	HC_UART_LAST_LINE,	/* rbx = string: VMM compares with the last UART line */
	HC_WHERE_AM_I,		/* rbx = expected CPL: VMM checks the guest's CPL/mode */
	HC_INFO,		/* rbx = string: printed by the VMM as "info: guest: ..." */
};

/*
 * HC_EXPECT_EXIT argument: what the VMM must find when it decodes the next
 * EPT exit (with libslat's slat_ept_fault()), and how to resolve it.  The
 * kinds, accesses and permissions use libslat's values (struct slat_fault).
 */
#define EXPECT_ACCESS(a)	((unsigned long)(a))		/* bits 3:0: ACC_* */
#define EXPECT_ALLOWED(p)	((unsigned long)(p) << 4)	/* bits 7:4: PERM_* the entry allowed */
#define EXPECT_NOT_MAPPED	(1ul << 8)	/* violation, no entry (SLAT_FAULT_TRANSLATION) */
#define EXPECT_PERMISSION	(2ul << 8)	/* violation, entry lacks a permission (SLAT_FAULT_PERMISSION) */
#define EXPECT_MISCONFIG	(3ul << 8)	/* exit reason 49 (SLAT_FAULT_MISCONFIG) */
#define EXPECT_KIND(spec)	(((spec) >> 8) & 0xF)
#define RESOLVE_GRANT		(1ul << 12)	/* add EXPECT_GRANT perms, retry */
#define RESOLVE_SKIP		(2ul << 12)	/* emulate nothing, skip the store */
#define RESOLVE_MAP		(3ul << 12)	/* map a fresh pattern page, retry */
#define RESOLVE_FIX		(4ul << 12)	/* rewrite the entry as RW, retry */
#define EXPECT_GRANT(p)		((unsigned long)(p) << 16)

/* The access that faulted (libslat's SLAT_ACCESS_*). */
#define ACC_READ	1
#define ACC_WRITE	2
#define ACC_FETCH	4

/* Permissions (libslat's SLAT_PERM_* bits). */
#define PERM_R	1
#define PERM_W	2
#define PERM_X	4	/* supervisor execute with MBEC, execute without */
#define PERM_XU	8	/* user execute (MBEC only) */

/* HC_ACTION codes. */
enum action {
	ACT_REMAP = 1,		/* back rcx by a new host page, INVEPT; returns 0 */
	ACT_REMAP_NO_INVEPT,	/* experiment: same without INVEPT */
	ACT_WRITE_PROTECT,	/* make the 4 KiB page at rcx read-only, INVEPT */
	ACT_SPLIT_PROTECT,	/* same, for a page inside a 2 MiB mapping */
	ACT_DIRTY_RESET,	/* clear EPT dirty flags of rcx..rcx+rdx, INVEPT */
	ACT_DIRTY_CHECK,	/* rdx = expected dirty bitmap of the 16-page area at rcx */
	ACT_MISCONFIG,		/* give rcx a write-only entry, INVEPT; returns 1 if installed */
	ACT_HAVE_MBEC,		/* returns 1 if MBEC is enabled */
	ACT_CHECK_LEAF,		/* rdx = expected page size of the mapping at rcx */
	ACT_EXECUTE_ONLY,	/* make rcx execute-only, INVEPT; returns 0 if unsupported */
	ACT_PML_START,		/* clear the dirty flags of rcx..rcx+rdx, INVEPT, start PML;
				 * returns 0 if the CPU lacks PML */
	ACT_PML_CHECK,		/* drain the log, stop PML; rcx = guest address of the
				 * expected bitmap of the PML area, rdx = least number of
				 * log-full exits */
	ACT_NO_ACCESS,		/* remove every permission of rcx (the entry keeps its
				 * host page), INVEPT */
};

#endif
