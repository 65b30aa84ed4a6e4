/* svm.c - detect and enable AMD SVM, and build the VMCB for the guest. */
#include "cpu.h"
#include "layout.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"
#include "vmm.h"

int svm_detect(struct svm_caps *c)
{
    struct cpuid_regs r = cpuid(0x80000000, 0);
    if (r.eax < 0x8000000A || !(cpuid(0x80000001, 0).ecx & (1u << 2)))
        return -1;                                     /* no SVM at all */

    r = cpuid(0x8000000A, 0);
    c->rev = r.eax & 0xff;
    c->nasid = r.ebx;
    c->features = r.edx;
    c->nrips          = (r.edx >> 3) & 1;
    c->decode_assists = (r.edx >> 7) & 1;
    return 0;
}

int svm_enable(void)
{
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
        return -1;                                     /* disabled by firmware */
    /* Nested entries use the host's paging format at VMRUN: without
     * EFER.NXE the NX bit libslat writes is a reserved bit (boot.S sets it). */
    if (!(rdmsr(MSR_EFER) & EFER_NXE))
        return -2;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    uint64_t hsave = mem_alloc(PAGE_4K);               /* host state on VMRUN */
    wrmsr(MSR_VM_HSAVE_PA, hsave);
    return 0;
}

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib)
{
    s->selector = sel;
    s->attrib = attrib;
    s->limit = 0xffffffff;
    s->base = 0;
}

/*
 * A guest that starts directly in 64-bit long mode at CPL 0, paging on with
 * the identity tables the loader put at `cr3`.  Its GDT matches the
 * selectors used here (the guest loads it itself).
 */
void vmcb_init(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t cr3)
{
    struct vmcb *vmcb = v->vmcb;
    memset(vmcb, 0, sizeof(*vmcb));

    /* ---- control area ---- */
    vmcb->ctl.intercept_exceptions = 0xffffffff;       /* any guest exception: VMM reports it */
    vmcb->ctl.intercept_misc1 = SVM_INTERCEPT1_HLT | SVM_INTERCEPT1_SHUTDOWN;
    vmcb->ctl.intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL;
    vmcb->ctl.guest_asid = 1;
    vmcb->ctl.nested_ctl = SVM_NESTED_NP_ENABLE;
    if (v->npt.gmet)                        /* the table encodes execute rights for it */
        vmcb->ctl.nested_ctl |= SVM_NESTED_GMET_ENABLE;
    slat_npt_ncr3(&v->npt.table, &vmcb->ctl.n_cr3);
    /* tlb_control is set before each VMRUN (exits.c) */
    /* clean_bits stay 0: the CPU reloads every VMCB field on each VMRUN, so
     * the VMM may edit any field between runs without bookkeeping */

    /* ---- guest state ---- */
    set_seg(&vmcb->save.cs, 0x08, 0x0A9B);  /* code: P, DPL0, S, type 0xB; L=1, G=1 */
    set_seg(&vmcb->save.ss, 0x10, 0x0C93);  /* data: P, DPL0, S, type 0x3; D/B=1, G=1 */
    set_seg(&vmcb->save.ds, 0x10, 0x0C93);
    set_seg(&vmcb->save.es, 0x10, 0x0C93);
    set_seg(&vmcb->save.fs, 0x00, 0);
    set_seg(&vmcb->save.gs, 0x00, 0);
    vmcb->save.tr.attrib = 0x008B;          /* busy 64-bit TSS (unused by the guest) */
    vmcb->save.tr.limit = 0x67;
    vmcb->save.cpl = 0;

    vmcb->save.efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME; /* SVME: required */
    vmcb->save.cr0 = 0x80010033;            /* PG WP NE ET MP PE */
    vmcb->save.cr3 = cr3;
    vmcb->save.cr4 = 0x20;                  /* PAE */
    vmcb->save.dr6 = 0xffff0ff0;
    vmcb->save.dr7 = 0x400;
    vmcb->save.rflags = 0x2;                /* IF = 0: the guest takes no interrupts */
    vmcb->save.rip = rip;
    vmcb->save.rsp = rsp;
    vmcb->save.g_pat = 0x0007040600070406ull; /* power-on default PAT */
}
