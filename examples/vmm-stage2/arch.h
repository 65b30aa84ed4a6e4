/*
 * arch.h - AArch64 system registers, barriers and the EL2 register fields
 * this VMM uses.  Field positions are from the Arm ARM (DDI 0487).
 */
#ifndef ARCH_H
#define ARCH_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

/* ---- SCTLR_ELx: RES1 bits, everything else (MMU, caches) off ---- */
#define SCTLR_EL2_RES1  _UL(0x30c50830)
#define SCTLR_EL1_RES1  _UL(0x30d00800)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define read_sysreg(reg) ({                                            \
	uint64_t __val;                                                \
	__asm__ __volatile__("mrs %0, " #reg : "=r"(__val));           \
	__val; })

#define write_sysreg(reg, val)                                         \
	__asm__ __volatile__("msr " #reg ", %0" : : "r"((uint64_t)(val)))

/* ID_AA64MMFR2_EL1 by encoding, for assemblers that lack the name. */
#define ID_AA64MMFR2_EL1 S3_0_C0_C7_2

#define isb()      __asm__ __volatile__("isb" : : : "memory")
#define dsb(opt)   __asm__ __volatile__("dsb " #opt : : : "memory")

static inline unsigned field(uint64_t reg, unsigned shift, unsigned width)
{
	return (unsigned)((reg >> shift) & ((1UL << width) - 1));
}

/* ---- HCR_EL2 ---- */
#define HCR_VM    (1UL << 0)   /* stage 2 translation for EL1&0 */
#define HCR_SWIO  (1UL << 1)   /* DC ISW is treated as DC CISW */
#define HCR_FMO   (1UL << 3)   /* physical FIQ to EL2 */
#define HCR_IMO   (1UL << 4)   /* physical IRQ to EL2 */
#define HCR_AMO   (1UL << 5)   /* SError to EL2 */
#define HCR_TSC   (1UL << 19)  /* trap SMC from EL1 */
#define HCR_RW    (1UL << 31)  /* EL1 is AArch64 */

/* ---- SPSR / PSTATE ---- */
#define PSR_MODE_EL0t   0x0UL
#define PSR_MODE_EL1t   0x4UL
#define PSR_MODE_EL1h   0x5UL
#define PSR_DAIF        (0xfUL << 6)

/* ---- ESR_ELx ---- */
#define ESR_EC(esr)     field(esr, 26, 6)
#define ESR_IL          (1UL << 25)
#define EC_UNKNOWN      0x00
#define EC_SVC64        0x15
#define EC_HVC64        0x16
#define EC_SMC64        0x17
#define EC_IABT_LOW     0x20   /* instruction abort from a lower EL */
#define EC_IABT_CUR     0x21
#define EC_DABT_LOW     0x24   /* data abort from a lower EL */
#define EC_DABT_CUR     0x25

/* Data abort ISS fields the VMM reads itself: the instruction syndrome for
 * MMIO emulation.  The fault itself is decoded by slat_stage2_fault(). */
#define ISS_ISV(esr)    field(esr, 24, 1)   /* syndrome below is valid    */
#define ISS_SAS(esr)    field(esr, 22, 2)   /* access size: 1 << SAS bytes */
#define ISS_SSE(esr)    field(esr, 21, 1)   /* sign-extend loads          */
#define ISS_SRT(esr)    field(esr, 16, 5)   /* register number (31 = XZR) */
#define ISS_SF(esr)     field(esr, 15, 1)   /* 64-bit register            */

/* Fault status code the VMM injects into the guest */
#define FSC_SEA         0x10   /* synchronous external abort */

/* PAR_EL1 after AT: F (bit 0) = failed, PA in bits 47:12 */
#define PAR_F           (1UL << 0)
#define PAR_PA(par)     ((par) & 0x0000fffffffff000UL)

#endif /* !__ASSEMBLER__ */
#endif
