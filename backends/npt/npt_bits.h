/* SPDX-License-Identifier: MIT */
/*
 * AMD nested page table (NPT) bits. Nested tables use the host's long-mode
 * page-table format. Sources: AMD APM vol. 2 (pub. 24593, rev. 3.4x)
 * §5.3-5.4 "Long-Mode Page Translation" / "Page-Translation-Table Entry
 * Fields" (entry layouts), §7.8 "Page-Attribute Table Mechanism" (PAT),
 * §15.25 "Nested Paging" (§15.25.4 nCR3, §15.25.5 nested walks,
 * §15.25.8 memory types), the "Guest Mode Execute Trap" extension of
 * chapter 15 (GMET), appendix B (VMCB layout, TLB_CONTROL), and APM
 * vol. 3 appendix E.4 (CPUID). Section numbers other than §15.25.6 and
 * §15.25.8 are believed, not pinned. docs/formats.md §2 tabulates them.
 */
#ifndef SLAT_NPT_BITS_H
#define SLAT_NPT_BITS_H

#include <stdint.h>

/* Every entry (APM §5.4). */
#define NPT_P (1ull << 0)   /* present */
#define NPT_RW (1ull << 1)  /* writes allowed */
#define NPT_US (1ull << 2)  /* user page; nested accesses are user accesses (§15.25.5) */
#define NPT_PWT (1ull << 3) /* PAT index bit 0 (tables: walk memory type) */
#define NPT_PCD (1ull << 4) /* PAT index bit 1 (tables: walk memory type) */
#define NPT_A (1ull << 5)   /* accessed; hardware always updates it */
#define NPT_D (1ull << 6)   /* dirty, leaves only; hardware always updates it */
#define NPT_NX (1ull << 63) /* no execute; needs host EFER.NXE = 1, else reserved */

/* Bit 7: PS in a PDPE/PDE (maps a page), PAT index bit 2 in a 4 KiB PTE. */
#define NPT_PS (1ull << 7)
#define NPT_PAT_4K (1ull << 7)
/* PAT index bit 2 of a 2 MiB PDE or 1 GiB PDPE (APM §5.4, §7.8.2). */
#define NPT_PAT_LARGE (1ull << 12)

/*
 * Bit 8: G in a leaf (no role in nested translation; libslat writes 0).
 * In a non-leaf PML4E or PML5E it is MBZ on AMD; in a non-leaf PDPE or
 * PDE it is ignored (Linux commit 5ecad245de2a "KVM: x86: bit 8 of
 * non-leaf PDPEs is not reserved", correcting an older APM reading;
 * __reset_rsvds_bits_mask applies it at levels 4 and 5 only).
 */
#define NPT_G (1ull << 8)

/* AVL: ignored by hardware, free for software (APM §5.4). */
#define NPT_AVL_LOW (0x7ull << 9)  /* 11:9 */
#define NPT_AVL_HIGH (0x7full << 52) /* 58:52 */
/*
 * Bits 62:59 are the protection key of a leaf in ordinary paging with
 * CR4.PKE; whether host CR4.PKE reaches nested walks is not documented
 * (docs/formats.md §4), so they are never handed out.
 */

/*
 * A no-access leaf. With P = 0 an entry is not present and the processor
 * ignores bits 63:1, which are available to software (APM §5.4, "Present
 * (P) bit"; a nested walk faults with #NPF, §15.25.6). libslat keeps the
 * address, PAT index, NX, U/S and, above the base level, PS (so the page's
 * size is known) where a present leaf has them, with P = R/W = 0, and sets
 * AVL bit 11 to tell the entry apart from an absent one even when all of
 * those are zero. Bit 11 is therefore no longer a software bit.
 */
#define NPT_NOACCESS (1ull << 11)

/* Software bits: AVL 58:52 first, then AVL 10:9 (bit 11 marks no-access). */
#define NPT_SW_PREFERRED NPT_AVL_HIGH
#define NPT_SW_ALLOWED (NPT_AVL_HIGH | (NPT_AVL_LOW & ~NPT_NOACCESS))

/* PAT MSR (APM §7.8.1): eight byte-wide entries PA0..PA7, types in 2:0. */
#define NPT_PAT_UC 0x00
#define NPT_PAT_WC 0x01
#define NPT_PAT_WT 0x04
#define NPT_PAT_WP 0x05
#define NPT_PAT_WB 0x06
#define NPT_PAT_UCM 0x07 /* UC- */
/* Reset value: PA0 WB, PA1 WT, PA2 UC-, PA3 UC, repeated (APM §7.8.1). */
#define NPT_PAT_RESET 0x0007040600070406ull

/* nCR3 (VMCB 0B0h, §15.25.4): same layout as host CR3. */
#define NCR3_PWT (1ull << 3)
#define NCR3_PCD (1ull << 4)

/* CPUID Fn8000_000A EDX, SVM features (APM vol. 3 §E.4.10, believed). */
#define CPUID_SVM_NP (1u << 0)          /* nested paging */
#define CPUID_SVM_FLUSHBYASID (1u << 6) /* TLB_CONTROL 3 and 7 */
#define CPUID_SVM_GMET (1u << 17)       /* guest mode execute trap */
/* CPUID Fn8000_0001 EDX[26]: Page1GB. */
#define CPUID_EXT_PAGE1GB (1u << 26)
/* CR4.LA57 (bit 12): the host runs 5-level paging (APM vol. 2 §3.1.3). */
#define CR4_LA57 (1ull << 12)
/* CPUID Fn8000_0008 EAX (APM vol. 3 §E.4.7). */
#define CPUID_PHYS_SHIFT 0      /* PhysAddrSize, 7:0 */
#define CPUID_GUEST_PHYS_SHIFT 16 /* GuestPhysAddrSize, 23:16; 0: same as PhysAddrSize */

/*
 * Secure Memory Encryption (APM vol. 2 §7.10.1 "Determining Support for
 * Secure Memory Encryption", APM vol. 3 §E.4.17 for the CPUID leaf):
 * CPUID Fn8000_001F EAX[0] SME supported; EBX[5:0] C-bit position,
 * EBX[11:6] how many bits the physical address shrinks by while memory
 * encryption is enabled; SYSCFG (MSR C001_0010h) bit 23
 * MemEncryptionModeEn says it is. Linux reads them the same way
 * (arch/x86/kernel/cpu/amd.c, early_detect_mem_encrypt()).
 */
#define CPUID_SME (1u << 0)
#define CPUID_SME_CBIT_MASK 0x3fu
#define CPUID_SME_REDUCE_SHIFT 6
#define SYSCFG_MEM_ENCRYPT (1ull << 23)

#endif
