/* trap.c - host IDT: any exception in the VMM itself is reported, then QEMU exits. */
#include "cpu.h"
#include "serial.h"
#include "vmm.h"

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t  ist, type;        /* type 0x8E: present, DPL 0, 64-bit interrupt gate */
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

struct exc_frame { uint64_t vector, error, rip, cs, rflags, rsp, ss; };

extern const uint64_t exc_stubs[32];
static struct idt_gate idt[32];

void host_idt_init(void)
{
    for (int i = 0; i < 32; i++) {
        uint64_t a = exc_stubs[i];
        idt[i] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8E, (uint16_t)(a >> 16),
                                    (uint32_t)(a >> 32), 0 };
    }
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr =
        { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

void __attribute__((noreturn)) host_exception(struct exc_frame *f)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    kprintf("\nHOST EXCEPTION %lu error=%lx rip=%lx cr2=%lx\n",
            f->vector, f->error, f->rip, cr2);
    check("host", 0, "exception %lu in the VMM itself", f->vector);
    vmm_finish();
}
