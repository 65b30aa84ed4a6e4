/*
 * vmx.h - Intel VMX definitions (MSRs, VMCS field encodings, control bits,
 * exit reasons) and thin wrappers around the VMX instructions.
 * Numbers are from the Intel SDM Vol. 3C, appendices A-C.
 */
#ifndef VMX_H
#define VMX_H

#include "cpu.h"

/* ---- capability MSRs ---- */
#define MSR_VMX_BASIC			0x480
#define MSR_VMX_PINBASED_CTLS		0x481
#define MSR_VMX_PROCBASED_CTLS		0x482
#define MSR_VMX_EXIT_CTLS		0x483
#define MSR_VMX_ENTRY_CTLS		0x484
#define MSR_VMX_MISC			0x485
#define MSR_VMX_CR0_FIXED0		0x486
#define MSR_VMX_CR0_FIXED1		0x487
#define MSR_VMX_CR4_FIXED0		0x488
#define MSR_VMX_CR4_FIXED1		0x489
#define MSR_VMX_PROCBASED_CTLS2		0x48B
#define MSR_VMX_EPT_VPID_CAP		0x48C
#define MSR_VMX_TRUE_PINBASED_CTLS	0x48D
#define MSR_VMX_TRUE_PROCBASED_CTLS	0x48E
#define MSR_VMX_TRUE_EXIT_CTLS		0x48F
#define MSR_VMX_TRUE_ENTRY_CTLS		0x490
#define MSR_VMX_VMFUNC			0x491

#define VMX_BASIC_TRUE_CTLS		(1ull << 55)
#define FEATURE_CONTROL_LOCK		(1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	(1ull << 2)

/* IA32_VMX_EPT_VPID_CAP bits */
#define EPT_CAP_EXEC_ONLY		(1ull << 0)
#define EPT_CAP_PWL4			(1ull << 6)
#define EPT_CAP_PWL5			(1ull << 7)
#define EPT_CAP_UC			(1ull << 8)
#define EPT_CAP_WB			(1ull << 14)
#define EPT_CAP_2M			(1ull << 16)
#define EPT_CAP_1G			(1ull << 17)
#define EPT_CAP_INVEPT			(1ull << 20)
#define EPT_CAP_AD			(1ull << 21)
#define EPT_CAP_ADV_EXIT_INFO		(1ull << 22)
#define EPT_CAP_SSS			(1ull << 23)
#define EPT_CAP_INVEPT_SINGLE		(1ull << 25)
#define EPT_CAP_INVEPT_ALL		(1ull << 26)
#define VPID_CAP_INVVPID		(1ull << 32)

/* ---- VM-execution, exit and entry controls ---- */
#define PIN_EXTINT_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)

#define PROC_HLT_EXITING		(1u << 7)
#define PROC_CR3_LOAD_EXITING		(1u << 15)
#define PROC_CR3_STORE_EXITING		(1u << 16)
#define PROC_UNCOND_IO_EXITING		(1u << 24)
#define PROC_USE_MSR_BITMAPS		(1u << 28)
#define PROC_ACTIVATE_SECONDARY		(1u << 31)

#define PROC2_ENABLE_EPT		(1u << 1)
#define PROC2_ENABLE_VPID		(1u << 5)
#define PROC2_UNRESTRICTED_GUEST	(1u << 7)
#define PROC2_ENABLE_PML		(1u << 17)
#define PROC2_EPT_VE			(1u << 18)
#define PROC2_MBEC			(1u << 22)
#define PROC2_SPP			(1u << 23)

#define EXIT_HOST_ADDR_SPACE_SIZE	(1u << 9)
#define EXIT_SAVE_IA32_PAT		(1u << 18)
#define EXIT_LOAD_IA32_PAT		(1u << 19)
#define EXIT_SAVE_IA32_EFER		(1u << 20)
#define EXIT_LOAD_IA32_EFER		(1u << 21)

#define ENTRY_IA32E_MODE_GUEST		(1u << 9)
#define ENTRY_LOAD_IA32_PAT		(1u << 14)
#define ENTRY_LOAD_IA32_EFER		(1u << 15)

/* ---- VMCS field encodings ---- */
enum vmcs_field {
	VIRTUAL_PROCESSOR_ID		= 0x0000,
	GUEST_ES_SELECTOR		= 0x0800,
	GUEST_CS_SELECTOR		= 0x0802,
	GUEST_SS_SELECTOR		= 0x0804,
	GUEST_DS_SELECTOR		= 0x0806,
	GUEST_FS_SELECTOR		= 0x0808,
	GUEST_GS_SELECTOR		= 0x080A,
	GUEST_LDTR_SELECTOR		= 0x080C,
	GUEST_TR_SELECTOR		= 0x080E,
	GUEST_PML_INDEX			= 0x0812, /* SDM App. B.1.2 */
	HOST_ES_SELECTOR		= 0x0C00,
	HOST_CS_SELECTOR		= 0x0C02,
	HOST_SS_SELECTOR		= 0x0C04,
	HOST_DS_SELECTOR		= 0x0C06,
	HOST_FS_SELECTOR		= 0x0C08,
	HOST_GS_SELECTOR		= 0x0C0A,
	HOST_TR_SELECTOR		= 0x0C0C,

	MSR_BITMAP			= 0x2004,
	PML_ADDRESS			= 0x200E, /* SDM App. B.2.1 */
	EPT_POINTER			= 0x201A,
	GUEST_PHYSICAL_ADDRESS		= 0x2400,
	VMCS_LINK_POINTER		= 0x2800,
	GUEST_IA32_DEBUGCTL		= 0x2802,
	GUEST_IA32_PAT			= 0x2804,
	GUEST_IA32_EFER			= 0x2806,
	HOST_IA32_PAT			= 0x2C00,
	HOST_IA32_EFER			= 0x2C02,

	PIN_BASED_VM_EXEC_CONTROL	= 0x4000,
	CPU_BASED_VM_EXEC_CONTROL	= 0x4002,
	EXCEPTION_BITMAP		= 0x4004,
	PAGE_FAULT_ERROR_CODE_MASK	= 0x4006,
	PAGE_FAULT_ERROR_CODE_MATCH	= 0x4008,
	CR3_TARGET_COUNT		= 0x400A,
	VM_EXIT_CONTROLS		= 0x400C,
	VM_EXIT_MSR_STORE_COUNT		= 0x400E,
	VM_EXIT_MSR_LOAD_COUNT		= 0x4010,
	VM_ENTRY_CONTROLS		= 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT		= 0x4014,
	VM_ENTRY_INTR_INFO_FIELD	= 0x4016,
	SECONDARY_VM_EXEC_CONTROL	= 0x401E,
	VM_INSTRUCTION_ERROR		= 0x4400,
	VM_EXIT_REASON			= 0x4402,
	VM_EXIT_INTR_INFO		= 0x4404,
	VM_EXIT_INTR_ERROR_CODE		= 0x4406,
	VM_EXIT_INSTRUCTION_LEN		= 0x440C,
	GUEST_ES_LIMIT			= 0x4800,
	GUEST_CS_LIMIT			= 0x4802,
	GUEST_SS_LIMIT			= 0x4804,
	GUEST_DS_LIMIT			= 0x4806,
	GUEST_FS_LIMIT			= 0x4808,
	GUEST_GS_LIMIT			= 0x480A,
	GUEST_LDTR_LIMIT		= 0x480C,
	GUEST_TR_LIMIT			= 0x480E,
	GUEST_GDTR_LIMIT		= 0x4810,
	GUEST_IDTR_LIMIT		= 0x4812,
	GUEST_ES_AR_BYTES		= 0x4814,
	GUEST_CS_AR_BYTES		= 0x4816,
	GUEST_SS_AR_BYTES		= 0x4818,
	GUEST_DS_AR_BYTES		= 0x481A,
	GUEST_FS_AR_BYTES		= 0x481C,
	GUEST_GS_AR_BYTES		= 0x481E,
	GUEST_LDTR_AR_BYTES		= 0x4820,
	GUEST_TR_AR_BYTES		= 0x4822,
	GUEST_INTERRUPTIBILITY_INFO	= 0x4824,
	GUEST_ACTIVITY_STATE		= 0x4826,
	GUEST_SYSENTER_CS		= 0x482A,
	HOST_IA32_SYSENTER_CS		= 0x4C00,

	CR0_GUEST_HOST_MASK		= 0x6000,
	CR4_GUEST_HOST_MASK		= 0x6002,
	CR0_READ_SHADOW			= 0x6004,
	CR4_READ_SHADOW			= 0x6006,
	EXIT_QUALIFICATION		= 0x6400,
	GUEST_LINEAR_ADDRESS		= 0x640A,
	GUEST_CR0			= 0x6800,
	GUEST_CR3			= 0x6802,
	GUEST_CR4			= 0x6804,
	GUEST_ES_BASE			= 0x6806,
	GUEST_CS_BASE			= 0x6808,
	GUEST_SS_BASE			= 0x680A,
	GUEST_DS_BASE			= 0x680C,
	GUEST_FS_BASE			= 0x680E,
	GUEST_GS_BASE			= 0x6810,
	GUEST_LDTR_BASE			= 0x6812,
	GUEST_TR_BASE			= 0x6814,
	GUEST_GDTR_BASE			= 0x6816,
	GUEST_IDTR_BASE			= 0x6818,
	GUEST_DR7			= 0x681A,
	GUEST_RSP			= 0x681C,
	GUEST_RIP			= 0x681E,
	GUEST_RFLAGS			= 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS	= 0x6822,
	GUEST_SYSENTER_ESP		= 0x6824,
	GUEST_SYSENTER_EIP		= 0x6826,
	HOST_CR0			= 0x6C00,
	HOST_CR3			= 0x6C02,
	HOST_CR4			= 0x6C04,
	HOST_FS_BASE			= 0x6C06,
	HOST_GS_BASE			= 0x6C08,
	HOST_TR_BASE			= 0x6C0A,
	HOST_GDTR_BASE			= 0x6C0C,
	HOST_IDTR_BASE			= 0x6C0E,
	HOST_IA32_SYSENTER_ESP		= 0x6C10,
	HOST_IA32_SYSENTER_EIP		= 0x6C12,
	HOST_RSP			= 0x6C14,
	HOST_RIP			= 0x6C16,
};

/* ---- basic exit reasons ---- */
#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_MSR_READ		31
#define EXIT_REASON_MSR_WRITE		32
#define EXIT_REASON_INVALID_STATE	33
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_PML_FULL		62	/* page-modification log full */
#define EXIT_REASON_ENTRY_FAILED	(1u << 31)

/* ---- instruction wrappers; each returns 0 on success ---- */
static inline int vmxon(u64 pa)
{
	u8 fail;
	__asm__ volatile("vmxon %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static inline int vmclear(u64 pa)
{
	u8 fail;
	__asm__ volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static inline int vmptrld(u64 pa)
{
	u8 fail;
	__asm__ volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static inline u64 vmread(enum vmcs_field f)
{
	u64 v;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((u64)f) : "cc");
	return v;
}

/* vmwrite failures are reported by vmx_check_writes() after VMCS setup. */
extern int vmx_write_errors;
static inline void vmwrite(enum vmcs_field f, u64 v)
{
	u8 fail;
	__asm__ volatile("vmwrite %2, %1; setbe %0"
			 : "=qm"(fail) : "r"((u64)f), "rm"(v) : "cc");
	vmx_write_errors += fail;
}

#endif
