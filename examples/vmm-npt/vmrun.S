/*
 * vmrun.S - world switch.
 *
 *   void svm_run(uint64_t vmcb_pa, struct guest_gprs *gprs);
 *
 * VMRUN/#VMEXIT switch RAX, RSP, RIP, RFLAGS, segment and control registers
 * through the VMCB and the host save area; every other general-purpose
 * register is ours to swap.  VMLOAD/VMSAVE move the "extra" state the
 * guest owns too (FS/GS/TR/LDTR hidden state, KernelGSbase, STAR/LSTAR/
 * CSTAR/SFMASK, SYSENTER_*); the guest uses SYSCALL, so it needs them.
 * The host never uses that state, so it is not preserved for the host.
 *
 * The host runs with RFLAGS.IF = 0 throughout, so GIF (cleared by #VMEXIT,
 * set again by VMRUN) needs no CLGI/STGI here.
 *
 * struct guest_gprs layout (vmm.h): rbx rcx rdx rsi rdi rbp r8 ... r15
 */
        .text
        .globl svm_run
svm_run:
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        pushq %rsi                      /* 8(%rsp): gprs */
        pushq %rdi                      /* 0(%rsp): vmcb_pa */

        movq %rdi, %rax
        movq 0(%rsi), %rbx
        movq 8(%rsi), %rcx
        movq 16(%rsi), %rdx
        movq 32(%rsi), %rdi
        movq 40(%rsi), %rbp
        movq 48(%rsi), %r8
        movq 56(%rsi), %r9
        movq 64(%rsi), %r10
        movq 72(%rsi), %r11
        movq 80(%rsi), %r12
        movq 88(%rsi), %r13
        movq 96(%rsi), %r14
        movq 104(%rsi), %r15
        movq 24(%rsi), %rsi             /* last: it held the pointer */

        vmload %rax
        vmrun %rax                      /* ... guest runs until #VMEXIT ... */
        vmsave %rax                     /* RAX is the host's again: vmcb_pa */

        pushq %rsi                      /* guest RSI */
        movq 16(%rsp), %rsi             /* gprs */
        movq %rbx, 0(%rsi)
        movq %rcx, 8(%rsi)
        movq %rdx, 16(%rsi)
        popq 24(%rsi)
        movq %rdi, 32(%rsi)
        movq %rbp, 40(%rsi)
        movq %r8, 48(%rsi)
        movq %r9, 56(%rsi)
        movq %r10, 64(%rsi)
        movq %r11, 72(%rsi)
        movq %r12, 80(%rsi)
        movq %r13, 88(%rsi)
        movq %r14, 96(%rsi)
        movq %r15, 104(%rsi)

        addq $16, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret
