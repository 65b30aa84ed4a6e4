/*
 * main.c - vmm-npt: a minimal AMD SVM hypervisor with nested paging.
 *
 * boot.S gets us to 64-bit mode; here we check the CPU, enable SVM, build
 * the guest, and run the checks in checks.c.  Every check prints
 * "PASS <name>" or "FAIL <name>: ..."; the last line is
 * "RESULT: <n> passed, <m> failed", then QEMU exits.
 */
#include "cpu.h"
#include "layout.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"
#include "vmm.h"

void host_idt_init(void);
int  load_guest(struct vcpu *v);

static struct svm_caps caps;
static struct vcpu vcpu;

void vmm_finish(void)
{
    kprintf("RESULT: %d passed, %d failed\n", checks_passed, checks_failed);
    qemu_exit(checks_failed ? 1 : 0);
}

static void report_cpu(const struct svm_caps *c, const struct slat_caps *n)
{
    struct cpuid_regs r = cpuid(0x8000000A, 0);
    kprintf("cpu: CPUID 8000000A eax=%08x ebx=%08x edx=%08x (SVM rev %u, %u ASIDs)\n",
            r.eax, r.ebx, r.edx, c->rev, c->nasid);
    kprintf("cpu: NRIPS=%d DecodeAssists=%d; CPUID 80000008 eax=%08x\n",
            c->nrips, c->decode_assists, cpuid(0x80000008, 0).eax);
    kprintf("slat: NPT caps: %s%s, A/D=%d, GMET=%d, FlushByAsid=%d, pages 4K%s%s, PA %u bits, GPA %u bits\n",
            n->flags & SLAT_CAP_LEVELS4 ? "4-level" : "",
            n->flags & SLAT_CAP_LEVELS5 ? " 5-level" : "",
            !!(n->flags & SLAT_CAP_AD), !!(n->flags & SLAT_CAP_SPLIT_EXEC),
            !!(n->flags & SLAT_CAP_INV_SINGLE),
            n->page_sizes & (1ull << 21) ? " 2M" : "", n->page_sizes & (1ull << 30) ? " 1G" : "",
            n->pa_bits, n->ia_bits);
    kprintf("slat: host PAT %016lx\n", rdmsr(MSR_PAT));
}

void vmm_main(uint32_t mb_info)
{
    serial_init();
    host_idt_init();
    mem_init();
    kprintf("vmm-npt: minimal SVM hypervisor with nested paging\n");

    /* multiboot: flags bit 0 -> mem_upper (KiB above 1 MiB) is valid */
    const uint32_t *mb = hpa_ptr(mb_info);
    uint64_t ram = (mb[0] & 1) ? ((uint64_t)mb[2] + 1024) * 1024 : 0;
    if (ram < HOST_RAM_NEEDED) {
        check("host-memory", 0, "need %lu MiB of RAM, have %lu MiB (run QEMU with -m 2112M)",
              HOST_RAM_NEEDED >> 20, ram >> 20);
        vmm_finish();
    }

    if (svm_detect(&caps)) {
        check("svm", 0, "CPU has no SVM (QEMU: -cpu qemu64,+svm,+npt)");
        vmm_finish();
    }
    /* What nested paging can do on this CPU and host, decoded by libslat. */
    int err = npt_caps(&vcpu.npt);
    if (err) {
        check("svm", 0, "SVM present but no usable nested paging (QEMU: +npt): %s",
              slat_errname(err));
        vmm_finish();
    }
    report_cpu(&caps, &vcpu.npt.caps);
    check("svm", 1, "ok");

    if ((err = svm_enable())) {
        check("svm-enable", 0, "%s", err == -1 ? "VM_CR.SVMDIS is set" : "host EFER.NXE is 0");
        vmm_finish();
    }
    vcpu.caps = &caps;
    if ((err = npt_init(&vcpu.npt))) {
        check("setup", 0, "slat_table_init: %s", slat_errname(err));
        vmm_finish();
    }
    if (load_guest(&vcpu)) {
        check("setup", 0, "cannot build the guest");
        vmm_finish();
    }

    run_checks(&vcpu);
    vmm_finish();
}
