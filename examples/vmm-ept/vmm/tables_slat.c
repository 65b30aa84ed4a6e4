/*
 * tables_slat.c - what this VMM gives libslat, and what it does for it:
 * capabilities read from the hardware, table pages from the VMM's page
 * allocator, and INVEPT after changes.
 */
#include "ept.h"
#include "hostmem.h"
#include "vmx.h"
#include "../common/abi.h"

struct slat_table guest_ept;
struct slat_gather guest_ept_changes;
static bool mbec_on;

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
	err = slat_table_init(&guest_ept, &cfg);
	if (err)
		return err;
	slat_gather_init(&guest_ept_changes);

	mbec_on = cfg.features & SLAT_FEAT_SPLIT_EXEC;
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

unsigned ept_perms(unsigned perms)
{
	if (!mbec_on && (perms & SLAT_PERM_X))
		perms |= SLAT_PERM_X;
	return perms;
}
