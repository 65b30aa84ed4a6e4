/* SPDX-License-Identifier: MIT */
/*
 * Intel EPT entry bits. Sources: Intel SDM vol. 3C (rev. 080 numbering),
 * §29.3.2 "EPT Translation Mechanism" (entry layouts), §29.3.3.1 "EPT
 * Misconfigurations", §29.3.5 "Accessed and Dirty Flags for EPT", §29.3.7
 * "EPT and Memory Typing", §25.6.11 "Extended-Page-Table Pointer (EPTP)".
 * docs/formats.md §1 tabulates them.
 */
#ifndef SLAT_EPT_BITS_H
#define SLAT_EPT_BITS_H

#include <stdint.h>

/* Every EPT entry (§29.3.2). */
#define EPT_R (1ull << 0)  /* read allowed */
#define EPT_W (1ull << 1)  /* write allowed */
#define EPT_X (1ull << 2)  /* execute; supervisor-mode linear addresses under MBEC */
#define EPT_XU (1ull << 10) /* user-mode linear-address execute under MBEC, else ignored */
#define EPT_A (1ull << 8)  /* accessed, with EPTP[6] (§29.3.5) */
#define EPT_D (1ull << 9)  /* dirty, leaves only, with EPTP[6] (§29.3.5) */

/* Leaves (§29.3.2, §29.3.7). */
#define EPT_MT_SHIFT 3
#define EPT_MT_MASK (7ull << EPT_MT_SHIFT) /* EPT memory type */
#define EPT_IPAT (1ull << 6)               /* ignore guest PAT */
#define EPT_PS (1ull << 7)                 /* PDPTE/PDE: maps a page */

/* EPT memory types (§29.3.7); 2, 3 and 7 are reserved (misconfiguration). */
#define EPT_MT_UC 0
#define EPT_MT_WC 1
#define EPT_MT_WT 4
#define EPT_MT_WP 5
#define EPT_MT_WB 6

/* Reserved bits of table entries (§29.3.3.1): PML5E/PML4E 7:3, PDPTE/PDE 6:3. */
#define EPT_RSVD_TOP_TABLE (0x1full << 3)
#define EPT_RSVD_MID_TABLE (0xfull << 3)

/*
 * Leaf bits 63:57 belong to features a hypervisor may enable outside
 * libslat: 57 verify guest paging, 58 paging-write, 60 supervisor shadow
 * stack, 61 sub-page write permissions, 63 suppress #VE (§29.3.2, table of
 * PTE bits). Never handed out as software bits.
 */
#define EPT_SW_PREFERRED (0x1full << 52)                    /* 56:52, ignored */
#define EPT_SW_ALLOWED (EPT_SW_PREFERRED | (1ull << 59) | (1ull << 62))

/*
 * A no-access leaf: R = W = X = 0 (and XU = 0 under MBEC) makes an entry
 * not present, and the processor then ignores bits 62:3 (§29.3.2: "If bits
 * 2:0 of an EPT paging-structure entry are all 0, the entry is not present";
 * bit 63, suppress #VE, is still consulted, §26.5.7.1, so libslat leaves it
 * clear). libslat keeps the address, memory type, IPAT and, above the
 * base level, bit 7 (so the page's size is known) where a present leaf has
 * them, and sets bit 11 (ignored in every EPT entry, §29.3.2) so that the
 * entry is told apart from an absent one even when address and memory type
 * are all zero (UC at host address 0). Bit 11 is therefore no longer a
 * software bit.
 */
#define EPT_NOACCESS (1ull << 11)

/* EPTP (§25.6.11). */
#define EPTP_MT_SHIFT 0
#define EPTP_PWL_SHIFT 3 /* page-walk length minus one */
#define EPTP_AD (1ull << 6)

/* IA32_VMX_EPT_VPID_CAP, MSR 0x48C (SDM vol. 3D appendix A.10). */
#define EPTCAP_EXEC_ONLY (1ull << 0)
#define EPTCAP_PWL4 (1ull << 6)
#define EPTCAP_PWL5 (1ull << 7)
#define EPTCAP_UC (1ull << 8)
#define EPTCAP_WB (1ull << 14)
#define EPTCAP_2M (1ull << 16)
#define EPTCAP_1G (1ull << 17)
#define EPTCAP_INVEPT (1ull << 20)
#define EPTCAP_AD (1ull << 21)
#define EPTCAP_EXIT_INFO (1ull << 22) /* advanced VM-exit information for EPT violations */
#define EPTCAP_INVEPT_SINGLE (1ull << 25)
#define EPTCAP_INVEPT_ALL (1ull << 26)

/* IA32_VMX_PROCBASED_CTLS2 allowed-1 settings: bits 63:32 of MSR 0x48B (A.3.3). */
#define CTLS2_EPT (1ull << (32 + 1))
#define CTLS2_MBEC (1ull << (32 + 22))

/*
 * Multi-key TME (Intel Architecture Memory Encryption Technologies
 * Specification, IA32_TME_ACTIVATE; read the same way by Linux,
 * arch/x86/kernel/cpu/intel.c detect_tme()): MSR 0x982 bit 0 lock, bit 1
 * enable, bits 35:32 MK_TME_KEYID_BITS, the number of physical-address
 * bits, counted down from MAXPHYADDR - 1, taken for the KeyID.
 * IA32_MKTME_KEYID_PARTITIONING (MSR 0x87, TDX CPU architecture
 * specification): bits 31:0 the number of MKTME KeyIDs (1..n), bits 63:32
 * the number of TDX-private KeyIDs after them, usable only by the TDX
 * module.
 */
#define TME_ACTIVATE_LOCKED (1ull << 0)
#define TME_ACTIVATE_ENABLED (1ull << 1)
#define TME_ACTIVATE_KEYID_SHIFT 32
#define TME_ACTIVATE_KEYID_MASK 0xfull

#endif
