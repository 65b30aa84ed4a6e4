/*
 * loader.c - give the guest its RAM, its image and its first page tables.
 *
 * Guest RAM is one 2 MiB block of host memory mapped at GPA 0.  The guest
 * image goes to GUEST_IMAGE_GPA; the guest's own page tables (identity,
 * 2 MiB pages, 0..4 GiB, user-accessible) go to GUEST_PML4_GPA.., like a
 * boot loader would leave them.
 */
#include "cpu.h"
#include "layout.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"
#include "vmm.h"

extern const uint8_t guest_blob[], guest_blob_end[];

int load_guest(struct vcpu *v)
{
    uint64_t ram = mem_alloc(GUEST_RAM_SIZE);
    uint64_t size = (uint64_t)(guest_blob_end - guest_blob);
    if (!ram || size > GUEST_IMAGE_MAX)
        return -1;
    memcpy(hpa_ptr(ram + GUEST_IMAGE_GPA), guest_blob, size);

    /* guest page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..3 (P|RW|US) */
    uint64_t *pml4 = hpa_ptr(ram + GUEST_PML4_GPA);
    uint64_t *pdpt = hpa_ptr(ram + GUEST_PDPT_GPA);
    uint64_t *pd = hpa_ptr(ram + GUEST_PD_GPA);
    pml4[0] = GUEST_PDPT_GPA | 7;
    for (int i = 0; i < 4; i++)
        pdpt[i] = (GUEST_PD_GPA + i * PAGE_4K) | 7;
    for (int i = 0; i < 4 * 512; i++)
        pd[i] = (uint64_t)i * PAGE_2M | 0x87;          /* P|RW|US|PS */

    /* one 2 MiB leaf: both addresses are 2 MiB aligned */
    int err = npt_map(&v->npt, GUEST_RAM_GPA, ram, GUEST_RAM_SIZE, SLAT_PERM_RWX);
    if (err) {
        kprintf("loader: npt_map: %s\n", slat_errname(err));
        return -1;
    }

    v->vmcb_pa = mem_alloc(PAGE_4K);
    v->vmcb = hpa_ptr(v->vmcb_pa);
    vmcb_init(v, GUEST_IMAGE_GPA, GUEST_KSTACK_TOP, GUEST_PML4_GPA);
    kprintf("loader: guest RAM %lx..%lx at host %lx, image %lu bytes\n",
            GUEST_RAM_GPA, GUEST_RAM_GPA + GUEST_RAM_SIZE, ram, size);
    return 0;
}
