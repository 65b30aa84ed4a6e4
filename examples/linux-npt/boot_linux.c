/*
 * boot_linux.c - load a bzImage the way a boot loader does (Linux x86 boot
 * protocol, Documentation/arch/x86/boot.rst, "32-bit boot protocol"), and
 * give the guest its nested tables.
 *
 * QEMU's multiboot loader hands us two modules: the bzImage and the
 * initramfs, and the command line (QEMU -append), which becomes the
 * kernel's.  We copy the protected-mode part of the bzImage to
 * KERNEL_LOAD, the initramfs to the top of guest RAM, write the zero page
 * (setup header from the image, e820 map, command line, initrd), and start
 * the guest at the 32-bit entry: flat protected mode, paging off,
 * CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, ESI = zero page.
 *
 * Nested tables: the guest's e820 RAM and the BIOS area GPA == HPA
 * write-back, the MMIO hole below 4 GiB GPA == HPA uncacheable (LAPIC,
 * IOAPIC, HPET, PCI BARs: passed through).  The hypervisor's range is in
 * neither the e820 map nor the tables.
 */
#include "bootparam.h"
#include "cpu.h"
#include "lnpt.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"

/* multiboot v1 information structure (Multiboot Specification 0.6.96, §3.3) */
#define MBI_FLAGS      0
#define MBI_CMDLINE    16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR  24
#define MBI_MMAP_LEN   44
#define MBI_MMAP_ADDR  48
#define MBI_F_CMDLINE  (1u << 2)
#define MBI_F_MODS     (1u << 3)
#define MBI_F_MMAP     (1u << 6)

static inline uint32_t rd32(const void *p) { return *(const uint32_t *)p; }
static inline uint16_t rd16(const void *p) { return *(const uint16_t *)p; }

static struct e820_entry e820[BP_E820_MAX];
static unsigned ne820;

static void e820_add(uint64_t addr, uint64_t size, uint32_t type)
{
    if (size && ne820 < BP_E820_MAX)
        e820[ne820++] = (struct e820_entry){ addr, size, type };
}

/* The host's map (from the BIOS, through multiboot), minus the hypervisor. */
static int e820_from_multiboot(const uint8_t *mbi)
{
    if (!(rd32(mbi + MBI_FLAGS) & MBI_F_MMAP))
        return -1;
    const uint8_t *p = hpa_ptr(rd32(mbi + MBI_MMAP_ADDR));
    const uint8_t *end = p + rd32(mbi + MBI_MMAP_LEN);
    while (p < end) {
        /* entry: u32 size (not counting itself), u64 base, u64 length, u32 type */
        uint64_t base = *(const uint64_t *)(p + 4), len = *(const uint64_t *)(p + 12);
        uint32_t type = rd32(p + 20);
        uint64_t top = base + len;
        kprintf("linux-npt: host e820 %012lx-%012lx type %u\n", base, top, type);
        if (type == E820_RAM && base < HV_END && top > HV_START) {
            if (base < HV_START)
                e820_add(base, HV_START - base, type);
            if (top > HV_END)
                e820_add(HV_END, top - HV_END, type);
        } else {
            e820_add(base, len, type);
        }
        p += rd32(p) + 4;
    }
    return 0;
}

static int map_identity(struct vcpu *v, uint64_t lo, uint64_t hi, unsigned mt)
{
    lo &= ~(PAGE_4K - 1);
    hi = (hi + PAGE_4K - 1) & ~(PAGE_4K - 1);
    if (hi <= lo)
        return 0;
    struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, mt);
    int err = slat_map(&v->npt.table, slat_gpa(lo), hi - lo, slat_hpa(lo), &a, SLAT_MAP_REPLACE,
                       &v->npt.changes);
    if (err)
        kprintf("linux-npt: map %lx-%lx: %s\n", lo, hi, slat_errname(err));
    return err;
}

static int build_nested_tables(struct vcpu *v, struct linux_guest *g)
{
    /* MMIO first, then RAM and firmware tables over it: the hole is
     * everything from the end of RAM below 4 GiB up to 4 GiB. */
    uint64_t ram_top = 0;
    for (unsigned i = 0; i < ne820; i++) {
        uint64_t top = e820[i].addr + e820[i].size;
        if (e820[i].type != E820_RESERVED && top <= 0x100000000ull && top > ram_top)
            ram_top = top;
    }
    if (map_identity(v, ram_top, 0x100000000ull, SLAT_MT_UC))
        return -1;
    /* the BIOS area: low RAM, EBDA, VGA window, option and BIOS ROMs */
    if (map_identity(v, 0, LOW_RAM_END, SLAT_MT_WB))
        return -1;
    for (unsigned i = 0; i < ne820; i++) {
        uint64_t lo = e820[i].addr, hi = lo + e820[i].size;
        if (hi <= LOW_RAM_END)
            continue;
        if (lo < LOW_RAM_END)
            lo = LOW_RAM_END;
        if (map_identity(v, lo, hi, SLAT_MT_WB))
            return -1;
        /* the churn works on the largest RAM range */
        if (e820[i].type == E820_RAM && hi - lo > g->ram_hi - g->ram_lo)
            g->ram_lo = lo, g->ram_hi = hi;
    }
    return 0;
}

/* The kernel's version string: the setup header's kernel_version (0x20e)
 * points to it, 0x200 bytes before its offset in the image. */
static void kernel_version(const uint8_t *img, struct linux_guest *g)
{
    uint16_t off = rd16(img + 0x20e);
    const char *s = (const char *)img + off + 0x200;
    unsigned i = 0;
    for (; off && s[i] && s[i] != ' ' && i < sizeof(g->version) - 1; i++)
        g->version[i] = s[i];
    g->version[i] = 0;
}

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib)
{
    s->selector = sel;
    s->attrib = attrib;
    s->limit = 0xffffffff;
    s->base = 0;
}

/* The machine state boot.rst asks for at the 32-bit entry. */
static void vmcb_linux32(struct vcpu *v, uint64_t entry)
{
    struct vmcb *vmcb = v->vmcb;
    memset(vmcb, 0, sizeof(*vmcb));

    /* Intercept only what the hypervisor must see: VMRUN (VMRUN fails
     * without it: APM vol. 2 §15.5.1, its consistency checks), VMMCALL
     * (hypercalls), shutdown.  No INTR/NMI, no HLT, no IOIO, no MSR, no
     * exception intercept: the devices, interrupts and MSRs are the real
     * (QEMU's) ones.  #NPF exits are implied by nested paging. */
    vmcb->ctl.intercept_misc1 = SVM_INTERCEPT1_SHUTDOWN;
    vmcb->ctl.intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL;
    vmcb->ctl.guest_asid = 1;
    /* V_INTR_MASKING (VINTR bit 24) stays 0: the guest's RFLAGS.IF masks
     * physical interrupts, which reach it through its own IDT (APM vol. 2
     * §15.21.1, "Physical (INTR) Interrupt Masking in EFLAGS"). */
    vmcb->ctl.vintr = 0;
    vmcb->ctl.nested_ctl = SVM_NESTED_NP_ENABLE;
    slat_npt_ncr3(&v->npt.table, &vmcb->ctl.n_cr3);

    /* attrib: descriptor bits 40-47 and 52-55 packed into 12 bits (APM vol. 2,
     * appendix B, the VMCB state-save area's segment format) */
    set_seg(&vmcb->save.cs, BOOT_CS, 0x0C9B);   /* P DPL0 S code/read/accessed, D=1 G=1 */
    set_seg(&vmcb->save.ds, BOOT_DS, 0x0C93);   /* P DPL0 S data/write/accessed, D=1 G=1 */
    set_seg(&vmcb->save.es, BOOT_DS, 0x0C93);
    set_seg(&vmcb->save.ss, BOOT_DS, 0x0C93);
    set_seg(&vmcb->save.fs, BOOT_DS, 0x0C93);
    set_seg(&vmcb->save.gs, BOOT_DS, 0x0C93);
    vmcb->save.gdtr.base = BOOT_GDT_GPA;
    vmcb->save.gdtr.limit = 4 * 8 - 1;
    vmcb->save.idtr.limit = 0;
    vmcb->save.tr.attrib = 0x008B;              /* busy 32-bit TSS, never used */
    vmcb->save.tr.limit = 0x67;
    vmcb->save.ldtr.attrib = 0x0082;
    vmcb->save.cpl = 0;
    vmcb->save.efer = EFER_SVME;                /* VMRUN requires SVME in the guest EFER */
    vmcb->save.cr0 = 0x00000011;                /* PE ET: protected mode, paging off */
    vmcb->save.cr3 = 0;
    vmcb->save.cr4 = 0;
    vmcb->save.dr6 = 0xffff0ff0;
    vmcb->save.dr7 = 0x400;
    vmcb->save.rflags = 0x2;                    /* IF = 0, as boot.rst asks */
    vmcb->save.rip = entry;
    vmcb->save.rsp = 0;
    vmcb->save.g_pat = 0x0007040600070406ull;  /* power-on PAT */
    memset(&v->gprs, 0, sizeof(v->gprs));
    v->gprs.rsi = ZERO_PAGE_GPA;                /* ESI = boot_params; EBP = EDI = EBX = 0 */
}

/* The pool: from the end of the modules (QEMU puts them right after the
 * hypervisor's image) to HV_END.  Before anything else allocates. */
int linux_pool(uint32_t mb_info)
{
    const uint8_t *mbi = hpa_ptr(mb_info);
    if (!(rd32(mbi + MBI_FLAGS) & MBI_F_MODS) || rd32(mbi + MBI_MODS_COUNT) < 2) {
        kprintf("linux-npt: need two multiboot modules: bzImage, initramfs (QEMU -initrd a,b); "
                "multiboot flags %x, %u modules\n", rd32(mbi + MBI_FLAGS), rd32(mbi + MBI_MODS_COUNT));
        return -1;
    }
    const uint32_t *mods = hpa_ptr(rd32(mbi + MBI_MODS_ADDR));
    uint64_t mods_end = mods[1] > mods[5] ? mods[1] : mods[5];
    if (mods[0] < HV_START || mods[4] < HV_START || mods_end + 4 * PAGE_2M > HV_END) {
        kprintf("linux-npt: modules at %x and %x end at %lx: not inside %lx-%lx\n", mods[0],
                mods[4], mods_end, HV_START, HV_END);
        return -1;
    }
    pool_init(mods_end, HV_END);
    return 0;
}

int linux_load(struct vcpu *v, uint32_t mb_info, struct linux_guest *g)
{
    const uint8_t *mbi = hpa_ptr(mb_info);
    uint32_t flags = rd32(mbi + MBI_FLAGS);
    const uint32_t *mods = hpa_ptr(rd32(mbi + MBI_MODS_ADDR));
    uint64_t kimg = mods[0], kend = mods[1], ird = mods[4], irdend = mods[5];

    const uint8_t *img = hpa_ptr(kimg);
    if (rd32(img + BP_MAGIC) != HDRS_MAGIC || rd16(img + BP_VERSION) < 0x20c) {
        kprintf("linux-npt: module 0 is not a bzImage with boot protocol >= 2.12\n");
        return -1;
    }
    kernel_version(img, g);
    unsigned setup_sects = img[BP_SETUP_SECTS] ? img[BP_SETUP_SECTS] : 4;
    uint64_t pm_off = (setup_sects + 1) * 512ull;
    g->kernel_size = (kend - kimg) - pm_off;
    uint32_t init_size = rd32(img + BP_INIT_SIZE);

    if (e820_from_multiboot(mbi))
        return -1;
    /* the kernel decompresses in place from KERNEL_LOAD up to init_size */
    int fits = 0;
    for (unsigned i = 0; i < ne820; i++)
        if (e820[i].type == E820_RAM && e820[i].addr <= KERNEL_LOAD &&
            e820[i].addr + e820[i].size >= KERNEL_LOAD + init_size)
            fits = 1;
    if (!fits || !img[BP_RELOCATABLE]) {
        kprintf("linux-npt: no RAM for the kernel at %lx + %x (relocatable %u)\n", KERNEL_LOAD,
                init_size, img[BP_RELOCATABLE]);
        return -1;
    }

    if (build_nested_tables(v, g))
        return -1;

    /* everything the guest sees is written through the nested tables'
     * identity mapping, so GPA == HPA here */
    memcpy(hpa_ptr(KERNEL_LOAD), img + pm_off, g->kernel_size);
    g->initrd_size = irdend - ird;
    uint64_t initrd_max = rd32(img + BP_INITRD_ADDR_MAX);
    uint64_t top = g->ram_hi < initrd_max ? g->ram_hi : initrd_max + 1;
    g->initrd_gpa = (top - g->initrd_size) & ~(PAGE_2M - 1);
    if (g->initrd_gpa < KERNEL_LOAD + init_size) {
        kprintf("linux-npt: no room for the initramfs\n");
        return -1;
    }
    memcpy(hpa_ptr(g->initrd_gpa), hpa_ptr(ird), g->initrd_size);

    /* the zero page: zeroes, then the setup header as the image has it */
    uint8_t *bp = hpa_ptr(ZERO_PAGE_GPA);
    memset(bp, 0, BP_SIZE);
    unsigned hdr_end = 0x202 + img[BP_JUMP + 1];
    memcpy(bp + BP_HDR, img + BP_HDR, hdr_end - BP_HDR);
    bp[BP_TYPE_OF_LOADER] = 0xff;
    bp[BP_LOADFLAGS] |= LOADFLAGS_LOADED_HIGH;
    *(uint32_t *)(bp + BP_CODE32_START) = KERNEL_LOAD;
    *(uint32_t *)(bp + BP_RAMDISK_IMAGE) = (uint32_t)g->initrd_gpa;
    *(uint32_t *)(bp + BP_RAMDISK_SIZE) = (uint32_t)g->initrd_size;
    *(uint32_t *)(bp + BP_EXT_RAMDISK_IMAGE) = (uint32_t)(g->initrd_gpa >> 32);

    /* command line: QEMU's multiboot puts the kernel file name first */
    char *cl = hpa_ptr(CMDLINE_GPA);
    const char *src = (flags & MBI_F_CMDLINE) ? hpa_ptr(rd32(mbi + MBI_CMDLINE)) : "";
    while (*src && *src != ' ')
        src++;
    while (*src == ' ')
        src++;
    uint32_t maxlen = rd32(img + BP_CMDLINE_SIZE);
    unsigned n = 0;
    for (; src[n] && n < maxlen && n < CMDLINE_MAX - 1; n++)
        cl[n] = src[n];
    cl[n] = 0;
    *(uint32_t *)(bp + BP_CMD_LINE_PTR) = CMDLINE_GPA;

    bp[BP_E820_ENTRIES] = (uint8_t)ne820;
    memcpy(bp + BP_E820_TABLE, e820, ne820 * sizeof(e820[0]));

    /* a GDT with __BOOT_CS and __BOOT_DS, for the segment loads the
     * kernel's startup_32 does before it installs its own */
    uint64_t *gdt = hpa_ptr(BOOT_GDT_GPA);
    gdt[0] = 0;
    gdt[1] = 0;
    gdt[2] = 0x00CF9A000000FFFFull;    /* 0x10: code, base 0, limit 4 GiB, 32-bit */
    gdt[3] = 0x00CF92000000FFFFull;    /* 0x18: data, base 0, limit 4 GiB */

    v->vmcb_pa = pool_alloc_page();
    v->vmcb = hpa_ptr(v->vmcb_pa);
    vmcb_linux32(v, KERNEL_LOAD);

    kprintf("linux-npt: kernel %s, %lu bytes at %lx (init_size %x), initramfs %lu bytes at %lx\n",
            g->version, g->kernel_size, KERNEL_LOAD, init_size, g->initrd_size, g->initrd_gpa);
    kprintf("linux-npt: guest e820:");
    for (unsigned i = 0; i < ne820; i++)
        kprintf(" [%lx-%lx %u]", e820[i].addr, e820[i].addr + e820[i].size, e820[i].type);
    kprintf("\nlinux-npt: cmdline \"%s\"\n", cl);
    return 0;
}
