/*
 * tables_slat.c - what this VMM gives libslat, and what it does for it:
 * capabilities read from the hardware, table pages from the VMM's page
 * allocator, and INVEPT after changes.
 */
#include "ept.h"
#include "checks.h"
#include "console.h"
#include "hostmem.h"
#include "vmx.h"
#include "../common/abi.h"

struct slat_table guest_ept;
struct slat_gather guest_ept_changes;
static bool mbec_on, nx_huge_on;

/* The guest ABI (abi.h) states permissions, accesses and fault kinds with
 * libslat's values. */
_Static_assert(PERM_R == SLAT_PERM_R && PERM_W == SLAT_PERM_W &&
	       PERM_X == SLAT_PERM_XS && PERM_XU == SLAT_PERM_XU, "abi.h PERM_*");
_Static_assert(ACC_READ == SLAT_ACCESS_READ && ACC_WRITE == SLAT_ACCESS_WRITE &&
	       ACC_FETCH == SLAT_ACCESS_EXEC, "abi.h ACC_*");
_Static_assert(EXPECT_KIND(EXPECT_NOT_MAPPED) == SLAT_FAULT_TRANSLATION &&
	       EXPECT_KIND(EXPECT_PERMISSION) == SLAT_FAULT_PERMISSION &&
	       EXPECT_KIND(EXPECT_MISCONFIG) == SLAT_FAULT_MISCONFIG, "abi.h EXPECT_*");

/* ---- allocator hooks: 4 KiB EPT tables from page_alloc() ---- */

static void *table_alloc(void *ctx, unsigned size_lg2, uint64_t *pa)
{
	(void)ctx;
	if (size_lg2 != 12) /* EPT tables are always one 4 KiB page */
		return NULL;
	*pa = page_alloc(); /* zeroed; powers off when the pool is empty */
	return hva(*pa);
}

static void table_free(void *ctx, void *va, uint64_t pa, unsigned size_lg2)
{
	(void)ctx, (void)va, (void)size_lg2;
	page_free(pa);
}

static void *table_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	return hva(pa); /* the VMM identity-maps host memory */
}

int ept_init(u64 *eptp, bool *mbec)
{
	struct slat_caps caps;
	struct slat_config cfg = { 0 };
	u32 r[4];
	int err;

	/* What the CPU offers for EPT, in its own words. */
	cpuid(0x80000008, 0, r);
	err = slat_ept_caps(rdmsr(MSR_VMX_EPT_VPID_CAP), rdmsr(MSR_VMX_PROCBASED_CTLS2),
			    r[0], &caps);
	if (err)
		return err;

	cfg.format = &slat_format_ept;
	cfg.caps = &caps;
	cfg.alloc.alloc = table_alloc;
	cfg.alloc.free = table_free;
	cfg.alloc.phys_to_virt = table_va;
	cfg.ia_bits = 48; /* 4-level walk */
	cfg.features = SLAT_FEAT_AD;
	if (caps.flags & SLAT_CAP_SPLIT_EXEC)
		cfg.features |= SLAT_FEAT_SPLIT_EXEC;
	else
		/* The iTLB-multihit policy (libslat's slat/multihit.h): no
		 * executable leaf above 4 KiB. On whenever MBEC is off, as in
		 * a hypervisor that cannot trust IA32_ARCH_CAPABILITIES (it may
		 * be migrated); the CPU's own verdict is printed. */
		cfg.features |= SLAT_FEAT_NX_HUGE;
	cpuid(7, 0, r);
	con_printf("info: iTLB multihit: IA32_ARCH_CAPABILITIES %s, %s; policy %s\n",
		   (r[3] >> 29) & 1 ? "present" : "absent",
		   slat_multihit_affected((r[3] >> 29) & 1,
					  (r[3] >> 29) & 1 ? rdmsr(0x10a) : 0)
			   ? "may be affected" : "PSCHANGE_MC_NO",
		   cfg.features & SLAT_FEAT_NX_HUGE ? "on" : "off (MBEC)");
	err = slat_table_init(&guest_ept, &cfg);
	if (err)
		return err;
	slat_gather_init(&guest_ept_changes);

	mbec_on = cfg.features & SLAT_FEAT_SPLIT_EXEC;
	nx_huge_on = cfg.features & SLAT_FEAT_NX_HUGE;
	*mbec = mbec_on;
	return slat_ept_eptp(&guest_ept, eptp);
}

int ept_sync(void)
{
	struct slat_ept_flush op;
	int err = slat_ept_flush(&guest_ept, &guest_ept_changes, &op);

	if (err)
		return err;
	/* One CPU runs the guest: this INVEPT is the whole shootdown. The
	 * unlinked tables are freed only once it succeeded. */
	if (slat_ept_invept(&op))
		return -1;
	return slat_gather_done(&guest_ept, &guest_ept_changes);
}

unsigned long ept_exec_splits;

bool ept_exec_fault(u64 gpa)
{
	int err;

	if (!nx_huge_on)
		return false;
	err = slat_exec_fault(&guest_ept, slat_gpa(gpa), &guest_ept_changes);
	if (err)
		return false; /* SLAT_EPERM: execute was never asked for */
	if (ept_sync())
		return false;
	ept_exec_splits++;
	con_printf("info: execute fault at gpa %lx: the large leaf split for the fetch "
		   "(iTLB multihit policy)\n", gpa);
	return true;
}

unsigned ept_perms(unsigned perms)
{
	if (!mbec_on && (perms & SLAT_PERM_X))
		perms |= SLAT_PERM_X;
	return perms;
}

/*
 * After the guest's run, under the iTLB-multihit policy: guest RAM is
 * mapped RWX as two 2 MiB leaves (GPA_RAM, 4 MiB), written without X. The
 * guest's code (at GPA_GUEST_LOAD, in the first) can only have run after
 * its first fetch split that leaf: its page is a 4 KiB leaf with X (bit 2)
 * now. The second 2 MiB, where nothing was fetched, is still one leaf
 * without X, with libslat's execute request (bit 62, SDM vol. 3C Table
 * 29-4: ignored). slat_collapse() then puts the first leaf back, without X.
 */
void ept_multihit_check(void)
{
	struct slat_mapping code, data;
	uint64_t pages;
	int err;

	if (!nx_huge_on) {
		con_printf("iTLB-multihit policy not in use (MBEC is on)\n");
		return;
	}
	check_begin("multihit-exec-fault-split");
	if (slat_translate(&guest_ept, slat_gpa(GPA_GUEST_LOAD), &code) ||
	    slat_translate(&guest_ept, slat_gpa(GPA_RAM + (2ull << 20)), &data))
		check_fail("guest RAM not mapped");
	else if (ept_exec_splits < 1 || code.page_lg2 != 12 || !(code.entry & 4))
		check_fail("%lu execute-fault splits; code page: leaf of 2^%u, entry %lx",
			   ept_exec_splits, code.page_lg2, code.entry);
	else if (data.page_lg2 != 21 || (data.entry & 4) || !(data.entry & (1ull << 62)) ||
		 !(data.attrs.perms & SLAT_PERM_X))
		check_fail("second 2 MiB of RAM: leaf of 2^%u, entry %lx, perms %x",
			   data.page_lg2, data.entry, data.attrs.perms);
	check_end();

	check_begin("multihit-collapse-non-executable");
	pages = slat_table_pages(&guest_ept);
	err = slat_collapse(&guest_ept, slat_gpa(GPA_RAM), 2ull << 20, &guest_ept_changes);
	if (!err)
		err = ept_sync();
	if (err || slat_translate(&guest_ept, slat_gpa(GPA_GUEST_LOAD), &code))
		check_fail("collapse: %s", slat_errname(err));
	else if (code.page_lg2 != 21 || (code.entry & 4) || !(code.entry & (1ull << 62)) ||
		 slat_table_pages(&guest_ept) != pages - 1)
		check_fail("after collapse: leaf of 2^%u, entry %lx, table pages %lu -> %lu",
			   code.page_lg2, code.entry, pages, slat_table_pages(&guest_ept));
	check_end();
}
