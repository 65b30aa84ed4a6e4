/* vmm.h - the virtual CPU and the pieces of the VMM that share it. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdint.h>
#include "npt.h"
#include "vmcb.h"

/* What CPUID leaf 0x8000000A says about SVM, beyond nested paging (which
 * libslat decodes: struct guest_npt.caps). */
struct svm_caps {
    uint32_t rev, nasid, features;   /* 8000000A: EAX, EBX, EDX */
    int nrips, decode_assists;
};

/* guest GPRs that VMRUN does not switch (RAX, RSP are in the VMCB); vmrun.S */
struct guest_gprs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* A #NPF the current check expects, and how to resolve it. */
struct npf_plan {
    uint64_t page;          /* 4 KiB GPA page expected to fault */
    unsigned fix_perms;     /* resolve with npt_protect(page, 4 KiB, fix_perms) ... */
    uint64_t fix_map_hpa;   /* ... or, if non-zero, by mapping the page there
                               (SLAT_MAP_REPLACE: over whatever is mapped) */
    /* filled in by the exit handler */
    int      faults;
    struct slat_fault fault;  /* the first fault, decoded by slat_npt_fault() */
    uint64_t info1;           /* its raw EXITINFO1, for messages */
};

struct vcpu {
    struct vmcb      *vmcb;
    uint64_t          vmcb_pa;
    struct guest_gprs gprs;
    struct svm_caps  *caps;
    struct guest_npt  npt;          /* the guest's nested page tables (one vCPU, one guest) */

    struct npf_plan  *plan;         /* NULL: any #NPF outside the UART is fatal */
    int               skip_flush;   /* experiment only: next VMRUN uses TLB_CONTROL=0,
                                       and the gathered changes stay pending */

    uint64_t          uart_chars;   /* characters emulated on the MMIO UART */
    uint64_t          exits;
    uint64_t          flushes;      /* VMRUNs with a non-zero TLB_CONTROL */
    int               user_reports; /* HC_USER_REPORT calls, with what they said */
    uint8_t           user_cpl;
    uint64_t          user_value;
    int               halted;       /* guest executed HLT */
    int               dead;         /* unexpected exit: guest cannot continue */
};

/* svm.c */
int  svm_detect(struct svm_caps *caps);
int  svm_enable(void);
void vmcb_init(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t cr3);
void svm_run(uint64_t vmcb_pa, struct guest_gprs *gprs);   /* vmrun.S */

/* exits.c: run until the guest asks for its next command (0) or stops (-1) */
int  vcpu_run(struct vcpu *v);
int  guest_gva_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa);
void *gpa_ptr(struct vcpu *v, uint64_t gpa);   /* host pointer, via the nested tables */

/* main.c: print the RESULT line and leave QEMU */
void vmm_finish(void) __attribute__((noreturn));

/* checks.c */
void check(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void run_checks(struct vcpu *v);
extern int checks_passed, checks_failed;

#endif
