/*
 * lnpt.h - linux-npt: the SVM hypervisor of examples/vmm-npt, grown to boot
 * an unmodified Linux kernel and to change its nested tables under it.
 *
 * Host-physical memory (QEMU -m 512M, multiboot from QEMU -kernel):
 *
 *   [0, 1 MiB)          BIOS area: the guest's, identity-mapped
 *   [1 MiB, 48 MiB)     the hypervisor: its image (vmm.ld, from vmm-npt),
 *                       the multiboot modules (bzImage, initramfs) and its
 *                       page pool.  Left out of the guest's e820 map and
 *                       never mapped in the nested tables.
 *   [48 MiB, top)       guest RAM, mapped GPA == HPA at first; the kernel
 *                       is copied to 48 MiB, the initramfs near the top
 *   ACPI, MMIO          identity-mapped: QEMU's own devices are passed through
 */
#ifndef LNPT_H
#define LNPT_H

#include <stdint.h>
#include "vmm.h"

#define HV_START          0x00100000ul
#define HV_END            0x03000000ul
#define KERNEL_LOAD       HV_END           /* 2 MiB aligned, >= pref_address */
#define LOW_RAM_END       0x00100000ul

/* guest-physical places the loader writes in the guest's low memory */
#define BOOT_GDT_GPA      0x6000ul
#define ZERO_PAGE_GPA     0x7000ul
#define CMDLINE_GPA       0x8000ul
#define CMDLINE_MAX       0x800ul

#define PAGE_SIZE_4K      0x1000ul

/* pool.c: the hypervisor's pages, [end of modules, HV_END) */
void     pool_init(uint64_t start, uint64_t end);
uint64_t pool_alloc_page(void);               /* one zeroed 4 KiB page, 0 if none */
uint64_t pool_alloc_bytes(uint64_t bytes);    /* zeroed, page-aligned, never freed */
void     pool_free_after_flush(uint64_t hpa); /* back to the pool once the TLB was flushed */
void     pool_flush_done(void);
uint64_t pool_free_pages(void);

/* boot_linux.c */
struct linux_guest {
    uint64_t ram_lo, ram_hi;      /* the guest RAM range the churn works on */
    uint64_t kernel_size, initrd_gpa, initrd_size;
    char     version[64];         /* the kernel's version string, from its header */
};
int  linux_pool(uint32_t mb_info);
int  linux_load(struct vcpu *v, uint32_t mb_info, struct linux_guest *g);

/* run.c: run the guest until it ends the run; 0 if it said it passed */
int  linux_run(struct vcpu *v, struct linux_guest *g);

/* main.c */
extern int audit_failures;
void audit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
