/*
 * guest_entry.S - guest entry point and the CPL 0 <-> CPL 3 switch.
 *
 * The VMM starts the guest here in 64-bit mode at CPL 0 with RSP set.
 * user_call(fn, arg) runs fn(arg) at CPL 3 using SYSRET, and fn's result
 * comes back with SYSCALL (LSTAR = syscall_entry, set in guest.c).
 */
        .section .text.entry, "ax"
        .globl guest_start
guest_start:
        call guest_main
1:      hlt                             /* the VMM intercepts HLT: end of run */
        jmp 1b

        .text
        .globl user_call
user_call:                              /* uint64_t user_call(fn, arg) */
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, saved_ksp(%rip)
        leaq user_trampoline(%rip), %rcx  /* SYSRET: RIP <- RCX, RFLAGS <- R11 */
        movq $0x2, %r11
        movq $0xB0000, %rsp             /* GUEST_USTACK_TOP */
        sysretq

user_trampoline:                        /* CPL 3 from here */
        movq %rdi, %rax
        movq %rsi, %rdi
        call *%rax
        syscall                         /* back to CPL 0, result in RAX */

        .globl syscall_entry
syscall_entry:                          /* CPL 0 again */
        movq saved_ksp(%rip), %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret

        .data
        .align 8
saved_ksp:
        .quad 0
