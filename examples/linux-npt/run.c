/*
 * run.c - the run loop: VMRUN, then the #VMEXIT.
 *
 *   #NPF       churn.c: traps, demand paging; anything else is fatal
 *   VMMCALL    the test program's hello and verdict (hypercall.h)
 *   SHUTDOWN   the guest triple-faulted: fatal
 *
 * Nothing else is intercepted (boot_linux.c, vmcb_linux32).
 */
#include "churn.h"
#include "cpu.h"
#include "hypercall.h"
#include "lnpt.h"
#include "npt.h"
#include "serial.h"

/* EXITINTINFO / EVENTINJ layout, APM vol. 2 §15.20 "Event Injection":
 * vector [7:0], type [10:8] (0 INTR, 2 NMI, 3 exception, 4 software
 * interrupt), EV [11], V [31], error code [63:32]. */
#define EVT_VALID       (1ull << 31)
#define EVT_TYPE(e)     (((e) >> 8) & 7)
#define EVT_TYPE_INTR   0
#define EVT_TYPE_EXCP   3

/*
 * An #NPF (or other exit) in the middle of delivering an event leaves the
 * event in EXITINTINFO; it must be injected again or the guest loses it
 * (§15.7.2, "Intercepts During IDT Interrupt Delivery").  Passed-through
 * interrupts make this common: the guest's IDT, stack or handler page may
 * be one the churn just unmapped.  QEMU 7.2 reports an external interrupt
 * with type 3 (exception) rather than the APM's type 0 (its type 3 is for
 * the exception vectors, 0-31), so such an event goes back as type 0, what
 * hardware would have reported; QEMU delivers either type the same way
 * (observed: the counters in main.c's last lines).
 */
uint64_t reinjected[8];      /* by EXITINTINFO type; [1] counts type 3 with a vector >= 32 */

static void reinject(struct vmcb *vmcb)
{
    uint64_t e = vmcb->ctl.exitintinfo;
    vmcb->ctl.event_inject = 0;
    if (!(e & EVT_VALID))
        return;
    if (EVT_TYPE(e) == EVT_TYPE_EXCP && (e & 0xff) >= 32) {
        e &= ~(7ull << 8);
        reinjected[1]++;
    } else {
        reinjected[EVT_TYPE(e)]++;
    }
    vmcb->ctl.event_inject = e;
}

static int fatal(struct vcpu *v, const char *why)
{
    struct vmcb *vmcb = v->vmcb;
    kprintf("linux-npt: FATAL %s: exitcode=%lx info1=%lx info2=%lx rip=%lx cr3=%lx\n", why,
            vmcb->ctl.exitcode, vmcb->ctl.exitinfo1, vmcb->ctl.exitinfo2, vmcb->save.rip,
            vmcb->save.cr3);
    return -1;
}

int linux_run(struct vcpu *v, struct linux_guest *g)
{
    (void)g;
    for (;;) {
        uint8_t tc = npt_tlb_control(&v->npt);
        if (v->exits == 0)
            tc = SLAT_NPT_TLB_ALL;          /* a fresh ASID: nothing cached may be trusted */
        churn_before_vmrun(tc);
        v->vmcb->ctl.tlb_control = tc;
        v->flushes += tc != SLAT_NPT_TLB_NONE;

        svm_run(v->vmcb_pa, &v->gprs);
        v->exits++;
        npt_tlb_done(&v->npt);
        churn_after_flush();
        if (tc != SLAT_NPT_TLB_NONE)
            pool_flush_done();               /* vacated pages are unreachable now */

        struct vmcb *vmcb = v->vmcb;
        if (SVM_EXIT_IS_INVALID(vmcb->ctl.exitcode))
            return fatal(v, "VMRUN refused the VMCB");
        reinject(vmcb);
        switch (vmcb->ctl.exitcode) {
        case SVM_EXIT_NPF:
            if (churn_npf(v))
                return fatal(v, "unresolvable #NPF");
            break;
        case SVM_EXIT_VMMCALL:
            vmcb->save.rip += 3;             /* 0f 01 d9; no NRIPS on QEMU (vmm-npt NOTES.md) */
            if (vmcb->save.rax == HC_LNPT_HELLO) {
                kprintf("linux-npt: the test program starts (%lu MiB, CPL %u)\n", v->gprs.rdi,
                        vmcb->save.cpl);
                vmcb->save.rax = 0;
            } else if (vmcb->save.rax == HC_LNPT_DONE) {
                kprintf("linux-npt: the test program reports %lu errors\n", v->gprs.rdi);
                return v->gprs.rdi ? 1 : 0;
            } else {
                vmcb->save.rax = (uint64_t)-1;   /* unknown: fail the call, not the guest */
            }
            break;
        case SVM_EXIT_SHUTDOWN:
            return fatal(v, "guest shutdown (triple fault)");
        default:
            return fatal(v, "unexpected exit");
        }
        /* enough to fail the run: stop rather than wait for a guest that
         * may hang on what it met (LEAVE_OUT=remap) */
        if (churn_failures() >= 20)
            return fatal(v, "20 churn check failures");
    }
}
