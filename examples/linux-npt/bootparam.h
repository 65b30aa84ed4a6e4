/*
 * bootparam.h - the parts of the Linux x86 boot protocol this loader fills.
 *
 * Offsets into struct boot_params ("zero page"), from the kernel's
 * Documentation/arch/x86/zero-page.rst and boot.rst (protocol 2.15, which
 * Debian 12's 6.1 kernel reports).  The setup header starts at 0x1f1 in
 * both the bzImage file and the zero page; it ends at 0x202 + the byte at
 * 0x201 (the jump offset), which boot.rst gives as the way to size it.
 */
#ifndef LNPT_BOOTPARAM_H
#define LNPT_BOOTPARAM_H

#include <stdint.h>

#define BP_SIZE              0x1000
#define BP_EXT_RAMDISK_IMAGE 0x0c0   /* u32: ramdisk_image bits 63:32 */
#define BP_EXT_RAMDISK_SIZE  0x0c4   /* u32 */
#define BP_EXT_CMD_LINE_PTR  0x0c8   /* u32 */
#define BP_E820_ENTRIES      0x1e8   /* u8 */
#define BP_HDR               0x1f1   /* setup header, copied from the image */
#define BP_SETUP_SECTS       0x1f1   /* u8: 512-byte sectors of setup code after the boot sector */
#define BP_JUMP              0x200   /* u16: jmp; its second byte sizes the header */
#define BP_MAGIC             0x202   /* u32: "HdrS" */
#define BP_VERSION           0x206   /* u16: protocol version */
#define BP_TYPE_OF_LOADER    0x210   /* u8: 0xff = undefined loader */
#define BP_LOADFLAGS         0x211   /* u8: bit 0 LOADED_HIGH */
#define BP_CODE32_START      0x214   /* u32: 32-bit entry (where the kernel expects to be) */
#define BP_RAMDISK_IMAGE     0x218   /* u32 */
#define BP_RAMDISK_SIZE      0x21c   /* u32 */
#define BP_CMD_LINE_PTR      0x228   /* u32 */
#define BP_INITRD_ADDR_MAX   0x22c   /* u32: highest byte the initrd may occupy */
#define BP_KERNEL_ALIGNMENT  0x230   /* u32 */
#define BP_RELOCATABLE       0x234   /* u8 */
#define BP_CMDLINE_SIZE      0x238   /* u32: longest command line, NUL excluded */
#define BP_INIT_SIZE         0x260   /* u32: memory the kernel needs from its load address */
#define BP_E820_TABLE        0x2d0   /* 128 entries of struct e820 */
#define BP_E820_MAX          128

#define HDRS_MAGIC           0x53726448u   /* "HdrS" */
#define LOADFLAGS_LOADED_HIGH 0x01

/* one e820 entry in the zero page: 20 bytes, packed */
struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

#define E820_RAM       1
#define E820_RESERVED  2
#define E820_ACPI      3
#define E820_NVS       4
#define E820_UNUSABLE  5

/* The boot GDT the 32-bit entry expects (boot.rst, "32-bit boot protocol"):
 * __BOOT_CS = 0x10 flat 4 GiB code, __BOOT_DS = 0x18 flat 4 GiB data. */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

#endif
