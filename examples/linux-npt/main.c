/*
 * main.c - linux-npt: boot Debian's amd64 kernel under the SVM hypervisor
 * of examples/vmm-npt, every guest memory access through a libslat NPT
 * table, and change that table under the running kernel (churn.c).
 *
 * The last lines are the verdict:  "RESULT: linux-npt PASS" or
 * "RESULT: linux-npt FAIL (...)"; QEMU then exits with status 1 (pass) or
 * 3 (fail) through isa-debug-exit, as vmm-npt does.
 */
#include <stdarg.h>
#include "churn.h"
#include "cpu.h"
#include "lnpt.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"

void host_idt_init(void);

extern uint64_t reinjected[8];   /* run.c */

static struct svm_caps caps;
static struct vcpu vcpu;
static struct linux_guest guest;
static int failures;

/* vmm-npt's trap.c reports host exceptions through these two */
void check(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("%s %s: ", ok ? "PASS" : "FAIL", name);
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    failures += !ok;
}

void vmm_finish(void)
{
    kprintf("RESULT: linux-npt FAIL (the hypervisor could not go on)\n");
    qemu_exit(1);
}

static int cmdline_has(uint32_t mb_info, const char *word)
{
    const uint32_t *mb = hpa_ptr(mb_info);
    if (!(mb[0] & (1u << 2)))
        return 0;
    const char *s = hpa_ptr(mb[4]);
    for (; *s; s++) {
        unsigned k = 0;
        while (word[k] && s[k] == word[k])
            k++;
        if (!word[k] && (s[k] == ' ' || !s[k]))
            return 1;
    }
    return 0;
}

void vmm_main(uint32_t mb_info)
{
    serial_init();
    host_idt_init();
    kprintf("linux-npt: SVM hypervisor, Linux guest on libslat nested tables\n");

    if (svm_detect(&caps) || npt_caps(&vcpu.npt)) {
        kprintf("linux-npt: no SVM with nested paging (QEMU: -cpu qemu64,+svm,+npt)\n");
        vmm_finish();
    }
    vcpu.caps = &caps;
    if (linux_pool(mb_info) || svm_enable() || npt_init(&vcpu.npt) ||
        linux_load(&vcpu, mb_info, &guest))
        vmm_finish();
    kprintf("linux-npt: kernel version %s\n", guest.version);

    churn_init(&vcpu, &guest, !cmdline_has(mb_info, "slat.churn=0"));
    int verdict = linux_run(&vcpu, &guest);
    int errors = churn_finish(&vcpu);
    kprintf("linux-npt: %lu exits, %lu VMRUNs with a TLB flush, %lu pool pages free\n",
            vcpu.exits, vcpu.flushes, pool_free_pages());
    kprintf("linux-npt: events re-injected after an exit during their delivery: %lu interrupts "
            "(type 0), %lu interrupts QEMU reported as type 3, %lu exceptions, %lu NMIs, %lu soft\n",
            reinjected[0], reinjected[1], reinjected[3], reinjected[2], reinjected[4]);
    if (verdict == 0 && errors == 0 && failures == 0) {
        kprintf("RESULT: linux-npt PASS\n");
        qemu_exit(0);
    }
    kprintf("RESULT: linux-npt FAIL (guest %s; %d hypervisor check failures)\n",
            verdict == 0 ? "passed" : verdict > 0 ? "reported errors" : "stopped before its verdict",
            errors + failures);
    qemu_exit(1);
}
