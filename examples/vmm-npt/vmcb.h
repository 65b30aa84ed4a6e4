/*
 * vmcb.h - AMD SVM Virtual Machine Control Block (AMD64 APM vol. 2,
 * appendix B) - only the fields this VMM touches are named; the offsets are
 * checked at compile time.
 */
#ifndef VMM_VMCB_H
#define VMM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* ---- control area (offset 0x000) ---- */
struct vmcb_control {
    uint32_t intercept_cr;          /* 0x000: [15:0] CR reads, [31:16] CR writes */
    uint32_t intercept_dr;          /* 0x004 */
    uint32_t intercept_exceptions;  /* 0x008: bit n = exception vector n */
    uint32_t intercept_misc1;       /* 0x00C: INTR ... SHUTDOWN, see SVM_INTERCEPT1_* */
    uint32_t intercept_misc2;       /* 0x010: VMRUN, VMMCALL ..., see SVM_INTERCEPT2_* */
    uint32_t intercept_misc3;       /* 0x014 */
    uint8_t  reserved_018[0x03C - 0x018];
    uint16_t pause_filter_threshold;/* 0x03C */
    uint16_t pause_filter_count;    /* 0x03E */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t guest_asid;            /* 0x058: must be non-zero */
    uint8_t  tlb_control;           /* 0x05C: SLAT_NPT_TLB_* (libslat: slat_npt_flush) */
    uint8_t  reserved_05d[3];
    uint64_t vintr;                 /* 0x060 */
    uint64_t interrupt_shadow;      /* 0x068 */
    uint64_t exitcode;              /* 0x070 */
    uint64_t exitinfo1;             /* 0x078: for #NPF: error code (libslat: slat_npt_fault) */
    uint64_t exitinfo2;             /* 0x080: for #NPF: faulting guest-physical address */
    uint64_t exitintinfo;           /* 0x088 */
    uint64_t nested_ctl;            /* 0x090: SVM_NESTED_* */
    uint64_t avic_apic_bar;         /* 0x098 */
    uint64_t ghcb_gpa;              /* 0x0A0 */
    uint64_t event_inject;          /* 0x0A8 */
    uint64_t n_cr3;                 /* 0x0B0: root of the nested page tables */
    uint64_t virt_ext;              /* 0x0B8 */
    uint32_t clean_bits;            /* 0x0C0 */
    uint32_t reserved_0c4;
    uint64_t next_rip;              /* 0x0C8: valid only with NRIPS (CPUID 8000000A EDX[3]) */
    uint8_t  insn_len;              /* 0x0D0: DecodeAssists (EDX[7]): bytes fetched on #NPF */
    uint8_t  insn_bytes[15];        /* 0x0D1 */
    uint8_t  reserved_0e0[0x400 - 0x0E0];
};

/* segment register image: attrib packs descriptor bits 40-47 and 52-55 */
struct vmcb_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

/* ---- state-save area (offset 0x400) ---- */
struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
    uint8_t  reserved_4a0[0x4CB - 0x4A0];
    uint8_t  cpl;                   /* 0x4CB */
    uint32_t reserved_4cc;
    uint64_t efer;                  /* 0x4D0 */
    uint8_t  reserved_4d8[0x548 - 0x4D8];
    uint64_t cr4;                   /* 0x548 */
    uint64_t cr3;                   /* 0x550 */
    uint64_t cr0;                   /* 0x558 */
    uint64_t dr7;                   /* 0x560 */
    uint64_t dr6;                   /* 0x568 */
    uint64_t rflags;                /* 0x570 */
    uint64_t rip;                   /* 0x578 */
    uint8_t  reserved_580[0x5D8 - 0x580];
    uint64_t rsp;                   /* 0x5D8 */
    uint8_t  reserved_5e0[0x5F8 - 0x5E0];
    uint64_t rax;                   /* 0x5F8 */
    uint64_t star;                  /* 0x600  (STAR..SYSENTER are loaded by VMLOAD, */
    uint64_t lstar;                 /* 0x608   saved by VMSAVE, not by VMRUN) */
    uint64_t cstar;                 /* 0x610 */
    uint64_t sfmask;                /* 0x618 */
    uint64_t kernel_gs_base;        /* 0x620 */
    uint64_t sysenter_cs;           /* 0x628 */
    uint64_t sysenter_esp;          /* 0x630 */
    uint64_t sysenter_eip;          /* 0x638 */
    uint64_t cr2;                   /* 0x640 */
    uint8_t  reserved_648[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668: guest PAT, used with nested paging */
    uint8_t  reserved_670[0xC00 - 0x670];
};

struct vmcb {
    struct vmcb_control ctl;
    struct vmcb_save    save;
} __attribute__((aligned(4096)));

_Static_assert(offsetof(struct vmcb_control, guest_asid) == 0x058, "vmcb");
_Static_assert(offsetof(struct vmcb_control, exitcode) == 0x070, "vmcb");
_Static_assert(offsetof(struct vmcb_control, nested_ctl) == 0x090, "vmcb");
_Static_assert(offsetof(struct vmcb_control, n_cr3) == 0x0B0, "vmcb");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0x0C8, "vmcb");
_Static_assert(offsetof(struct vmcb_control, insn_bytes) == 0x0D1, "vmcb");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "vmcb");
_Static_assert(offsetof(struct vmcb, save.tr) == 0x490, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4CB, "vmcb");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4D0, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cr4) == 0x548, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5D8, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5F8, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "vmcb");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb");
_Static_assert(sizeof(struct vmcb) == 4096, "vmcb");

/* intercept_misc1 */
#define SVM_INTERCEPT1_HLT        (1u << 24)
#define SVM_INTERCEPT1_SHUTDOWN   (1u << 31)
/* intercept_misc2 */
#define SVM_INTERCEPT2_VMRUN      (1u << 0)   /* VMRUN refuses to run without it */
#define SVM_INTERCEPT2_VMMCALL    (1u << 1)

/* nested_ctl */
#define SVM_NESTED_NP_ENABLE      (1ull << 0)
#define SVM_NESTED_GMET_ENABLE    (1ull << 3)

/* exit codes */
#define SVM_EXIT_EXCP_BASE        0x040 /* + vector */
#define SVM_EXIT_HLT              0x078
#define SVM_EXIT_SHUTDOWN         0x07F
#define SVM_EXIT_VMMCALL          0x081
#define SVM_EXIT_NPF              0x400
#define SVM_EXIT_INVALID          ((uint64_t)-1)  /* VMRUN consistency check failed */
/* QEMU 7.2 stores VMEXIT_INVALID zero-extended from 32 bits: accept both */
#define SVM_EXIT_IS_INVALID(c)    ((c) == SVM_EXIT_INVALID || (c) == 0xffffffffull)

#endif
