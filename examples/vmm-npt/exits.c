/*
 * exits.c - the run loop and #VMEXIT handling.
 *
 *   VMMCALL    guest hypercalls (layout.h): HC_NEXT ends a vcpu_run() call,
 *              HC_USER_REPORT records what the CPL-3 code saw.
 *   #NPF       decoded by libslat (slat_npt_fault).  In the UART window:
 *              emulate the store and print the byte; on the page the
 *              current check planned for: record, resolve, re-execute;
 *              anywhere else: fatal.
 *   HLT        the guest is done.
 *   others     (exceptions, shutdown, VMRUN failure): fatal.
 */
#include "cpu.h"
#include "layout.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"
#include "vmm.h"

static int fatal(struct vcpu *v, const char *why)
{
    struct vmcb *vmcb = v->vmcb;
    check("vmexit", 0, "%s: exitcode=%lx info1=%lx info2=%lx rip=%lx", why,
          vmcb->ctl.exitcode, vmcb->ctl.exitinfo1, vmcb->ctl.exitinfo2, vmcb->save.rip);
    v->dead = 1;
    return -1;
}

/* Host pointer for a guest-physical address, via the nested tables. */
void *gpa_ptr(struct vcpu *v, uint64_t gpa)
{
    struct slat_mapping m;
    return slat_translate(&v->npt.table, slat_gpa(gpa), &m) ? 0 : hpa_ptr(m.hpa.v);
}

/* Walk the guest's own 4-level page tables (guest CR3 in the VMCB). */
int guest_gva_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    uint64_t table = v->vmcb->save.cr3 & 0x000FFFFFFFFFF000ull;
    for (int level = 3; level >= 0; level--) {
        unsigned shift = 12 + 9 * level;
        uint64_t *e = gpa_ptr(v, table + ((gva >> shift) & 511) * 8);
        if (!e || !(*e & 1))
            return -1;
        if (level == 0 || (level <= 2 && (*e & 0x80))) {   /* leaf: PTE or PS */
            uint64_t mask = (1ull << shift) - 1;
            *gpa = (*e & 0x000FFFFFFFFFF000ull & ~mask) | (gva & mask);
            return 0;
        }
        table = *e & 0x000FFFFFFFFFF000ull;
    }
    return -1;
}

/* Fetch instruction bytes at the guest's RIP: from the VMCB when
 * DecodeAssists filled them in, else by walking the guest's tables. */
static int fetch_insn(struct vcpu *v, uint8_t *buf, unsigned n)
{
    if (v->caps->decode_assists && v->vmcb->ctl.insn_len >= n) {
        memcpy(buf, v->vmcb->ctl.insn_bytes, n);
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t gpa;
        uint8_t *p;
        if (guest_gva_to_gpa(v, v->vmcb->save.rip + i, &gpa) || !(p = gpa_ptr(v, gpa)))
            return -1;
        buf[i] = *p;
    }
    return 0;
}

/*
 * The UART lives at an unmapped GPA, so each access is a #NPF.  The guest
 * driver only ever uses one instruction form for it,
 *     mov %al, (%rdi)        88 07
 * which keeps the "decoder" honest and tiny: value = AL, address = RDI,
 * length = 2.  Only the transmit register does anything.
 */
static int emulate_uart(struct vcpu *v, const struct slat_fault *f)
{
    uint8_t insn[2];
    uint64_t gpa = f->gpa.v;
    if (f->kind != SLAT_FAULT_TRANSLATION || f->access != SLAT_ACCESS_WRITE || f->guest_walk ||
        fetch_insn(v, insn, 2) || insn[0] != 0x88 || insn[1] != 0x07 || v->gprs.rdi != gpa)
        return fatal(v, "unsupported UART access");
    if (gpa - UART_GPA == UART_THR) {
        serial_putc((char)(v->vmcb->save.rax & 0xff));
        v->uart_chars++;
    }
    v->vmcb->save.rip += 2;
    return 0;
}

static int handle_npf(struct vcpu *v)
{
    struct slat_fault f;
    struct npf_plan *p = v->plan;

    /* EXITINFO1 is the error code, EXITINFO2 the guest-physical address */
    slat_npt_fault(v->vmcb->ctl.exitinfo1, v->vmcb->ctl.exitinfo2, &f);
    uint64_t gpa = f.gpa.v;

    if (gpa >= UART_GPA && gpa < UART_GPA + UART_SIZE)
        return emulate_uart(v, &f);

    if (!p || (gpa & ~(PAGE_4K - 1)) != p->page)
        return fatal(v, "unexpected #NPF");
    if (p->faults++ == 0) {
        p->fault = f;
        p->info1 = v->vmcb->ctl.exitinfo1;
    }
    if (p->faults > 3)
        return fatal(v, "#NPF keeps coming back");
    /* Resolve: (re)map the page over whatever is there, or change its rights. */
    int err;
    if (p->fix_map_hpa) {
        struct slat_attrs a = slat_attrs_make(p->fix_perms, SLAT_MT_WB);
        err = slat_map(&v->npt.table, slat_gpa(p->page), PAGE_4K, slat_hpa(p->fix_map_hpa), &a,
                       SLAT_MAP_REPLACE, &v->npt.changes);
    } else {
        err = npt_protect(&v->npt, p->page, PAGE_4K, p->fix_perms);
    }
    if (err) {
        kprintf("vmm: resolving the #NPF at %lx: %s\n", gpa, slat_errname(err));
        return fatal(v, "cannot resolve #NPF");
    }
    return 0;                                       /* the guest re-executes the access */
}

static void skip_insn(struct vcpu *v, unsigned len)
{
    /* NextRIP (NRIPS) is exact; without it we know the length ourselves. */
    if (v->caps->nrips)
        v->vmcb->save.rip = v->vmcb->ctl.next_rip;
    else
        v->vmcb->save.rip += len;
}

int vcpu_run(struct vcpu *v)
{
    if (v->dead || v->halted)
        return -1;
    for (;;) {
        /* What libslat says the TLB must drop before the guest runs again.
         * The first VMRUN of the ASID starts from an empty TLB as well. */
        uint8_t tc = npt_tlb_control(&v->npt);
        if (v->exits == 0)
            tc = SLAT_NPT_TLB_ALL;
        int withheld = 0;
        if (v->skip_flush) {
            /* Experiment: withhold the flush once.  The gather is then not
             * marked done, so the next VMRUN asks for the flush again. */
            withheld = tc != SLAT_NPT_TLB_NONE;
            tc = SLAT_NPT_TLB_NONE;
            v->skip_flush = 0;
        }
        v->vmcb->ctl.tlb_control = tc;
        v->flushes += tc != SLAT_NPT_TLB_NONE;

        svm_run(v->vmcb_pa, &v->gprs);
        v->exits++;
        if (!withheld)
            npt_tlb_done(&v->npt);         /* flushed: libslat may free unlinked tables */

        struct vmcb *vmcb = v->vmcb;
        if (SVM_EXIT_IS_INVALID(vmcb->ctl.exitcode))
            return fatal(v, "VMRUN rejected the VMCB (VMEXIT_INVALID)");
#ifdef VMM_TRACE
        kprintf("trace: exit %lx info1=%lx info2=%lx rip=%lx tlb_control=%u\n", vmcb->ctl.exitcode,
                vmcb->ctl.exitinfo1, vmcb->ctl.exitinfo2, vmcb->save.rip, tc);
#endif
        switch (vmcb->ctl.exitcode) {
        case SVM_EXIT_VMMCALL:
            skip_insn(v, 3);                           /* 0f 01 d9 */
            if (vmcb->save.rax == HC_NEXT)
                return 0;                              /* result in gprs.rdi */
            if (vmcb->save.rax == HC_USER_REPORT) {
                v->user_reports++;
                v->user_cpl = vmcb->save.cpl;
                v->user_value = v->gprs.rdi;
                break;
            }
            return fatal(v, "unknown hypercall");
        case SVM_EXIT_NPF:
            if (handle_npf(v))
                return -1;
            break;
        case SVM_EXIT_HLT:
            v->halted = 1;
            return -1;
        case SVM_EXIT_SHUTDOWN:
            return fatal(v, "guest shutdown (triple fault)");
        default:
            if (vmcb->ctl.exitcode >= SVM_EXIT_EXCP_BASE &&
                vmcb->ctl.exitcode < SVM_EXIT_EXCP_BASE + 32)
                return fatal(v, "guest exception");
            return fatal(v, "unhandled exit");
        }
    }
}
