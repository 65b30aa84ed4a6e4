/*
 * boot.S - multiboot v1 entry (32-bit protected mode, paging off) to 64-bit C.
 *
 * QEMU's -kernel loads this ELF32 image at 1 MiB and jumps to _start with
 * EAX = 0x2BADB002 and EBX = multiboot info.  We:
 *   1. clear .bss,
 *   2. identity-map the first 4 GiB with 2 MiB pages (host page tables),
 *   3. enable PAE, EFER.LME and EFER.NXE, then paging,
 *   4. far-jump into a 64-bit code segment and call vmm_main().
 *
 * EFER.NXE matters for the hypervisor: the nested page-table format (and so
 * whether the NX bit of nested entries means anything) follows the host's
 * paging mode at VMRUN.
 */
#define MB_MAGIC  0x1BADB002
#define MB_FLAGS  0x0

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .section .bss
        .align 4096
host_pml4:      .skip 4096
host_pdpt:      .skip 4096
host_pd:        .skip 4 * 4096          /* 4 x 512 x 2 MiB = 4 GiB */
boot_stack:     .skip 16384
        .globl boot_stack_top
boot_stack_top:

        .section .rodata
        .align 16
gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code, DPL 0 */
        .quad 0x00CF92000000FFFF        /* 0x10: data, DPL 0 */
gdt_end:
gdt_ptr:
        .word gdt_end - gdt - 1
        .quad gdt                       /* lgdt in 32-bit mode reads 6 bytes */

        .section .text
        .code32
        .globl _start
_start:
        cli
        movl $boot_stack_top, %esp
        movl %ebx, %esi                 /* multiboot info, passed on to C */

        /* 1. clear .bss (the loader should, but be sure) */
        movl $__bss_start, %edi
        movl $__bss_end, %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        cld
        rep stosl                       /* EDI, ECX, EAX only: ESI survives */
        movl $boot_stack_top, %esp

        /* 2. page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..3 */
        movl $host_pdpt + 3, host_pml4          /* present | writable */
        movl $host_pd + 3, %eax
        xorl %ecx, %ecx
1:      movl %eax, host_pdpt(,%ecx,8)
        addl $4096, %eax
        incl %ecx
        cmpl $4, %ecx
        jne 1b
        /* 2048 PD entries, entry i maps i * 2 MiB (present|writable|PS) */
        xorl %ecx, %ecx
2:      movl %ecx, %eax
        shll $21, %eax
        orl $0x83, %eax
        movl %eax, host_pd(,%ecx,8)
        incl %ecx
        cmpl $2048, %ecx
        jne 2b

        /* 3. CR3, CR4.PAE, EFER.LME|NXE, CR0.PG|WP */
        movl $host_pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $0x20, %eax
        movl %eax, %cr4
        movl $0xC0000080, %ecx
        rdmsr
        orl $0x900, %eax
        wrmsr
        movl %cr0, %eax
        orl $0x80010001, %eax
        movl %eax, %cr0

        /* 4. into 64-bit mode */
        lgdt gdt_ptr
        ljmp $0x08, $long_mode

        .code64
long_mode:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movq $boot_stack_top, %rsp
        movl %esi, %edi                 /* vmm_main(multiboot_info) */
        call vmm_main
3:      cli
        hlt
        jmp 3b

/*
 * Host exception stubs: push a dummy error code where the CPU does not,
 * push the vector, and hand the frame to host_exception() (trap.c).
 */
        .macro EXC vec
exc_\vec:
        .if (\vec != 8) && (\vec != 10) && (\vec != 11) && (\vec != 12) && (\vec != 13) && (\vec != 14) && (\vec != 17) && (\vec != 21) && (\vec != 29) && (\vec != 30)
        pushq $0
        .endif
        pushq $\vec
        jmp exc_common
        .endm

        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        EXC \v
        .endr

exc_common:
        movq %rsp, %rdi
        andq $-16, %rsp
        call host_exception             /* does not return */

        .section .rodata
        .align 8
        .globl exc_stubs
exc_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exc_\v
        .endr
