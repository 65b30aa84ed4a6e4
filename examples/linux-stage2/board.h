/*
 * board.h - how this hypervisor splits QEMU's virt board (-m 2G: RAM at
 * 0x40000000 - 0xbfffffff) between itself and the Linux guest.
 *
 * Static partitioning: the guest owns one window of RAM, mapped at its own
 * address (IPA == PA) so that a passed-through device would see the same
 * addresses as the CPU; the device tree the guest boots with (built by the
 * Makefile) lists only that window.  The rest of RAM is the hypervisor's:
 * its image and pool, the tables, and the host pages of migrated and
 * evicted guest pages.  The addresses come from the Makefile, which also
 * tells QEMU where to load the kernel, the device tree and the initramfs.
 */
#ifndef BOARD_H
#define BOARD_H

#ifndef VM_RAM_BASE
#error "VM_RAM_BASE, VM_RAM_SIZE, DTB_IPA, INITRD_IPA come from the Makefile"
#endif

#define KERNEL_IPA      VM_RAM_BASE   /* 2 MiB aligned; text_offset must be 0 */

/*
 * Passed-through MMIO of QEMU virt (hw/arm/virt.c memory map): the GICv3
 * distributor (0x08000000) and redistributor (0x080a0000), the PL011
 * (0x09000000), PL031 RTC, fw_cfg, PL061 GPIO, and the 32 virtio-mmio
 * transports (0x0a000000 - 0x0a003fff, all empty here: no DMA).  The
 * device tree drops the ITS (it would DMA its tables), the flash and PCIe.
 */
#define DEV_BASE        0x08000000UL
#define DEV_END         0x0a004000UL

#define PAGE_SHIFT      12
#define PAGE_SIZE       (1UL << PAGE_SHIFT)
#define BLOCK_SHIFT     21               /* level-2 blocks of the 4 KiB granule */
#define BLOCK_SIZE      (1UL << BLOCK_SHIFT)
#define VM_PAGES     (VM_RAM_SIZE >> PAGE_SHIFT)
#define VM_BLOCKS    (VM_RAM_SIZE >> BLOCK_SHIFT)

#endif
