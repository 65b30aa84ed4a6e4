/*
 * hypercalls.c - the VMCALL interface of abi.h: the guest drives the checks,
 * the VMM verifies what the guest saw against its own record (memmap.c) and
 * changes EPT mappings under the running guest on request, through libslat.
 */
#include "exits.h"
#include "vmx.h"
#include "ept.h"
#include "memmap.h"
#include "hostmem.h"
#include "guestmem.h"
#include "uart.h"
#include "pml.h"
#include "checks.h"
#include "console.h"
#include "../common/abi.h"

static void expect_read(u64 gpa, u64 value)
{
	u64 hpa;
	if (!vm_gpa_to_hpa(gpa, &hpa))
		check_fail("gpa %lx is not mapped", gpa);
	else if (value != PATTERN(hpa & ~7ul))
		check_fail("gpa %lx read %lx, expected %lx (host %lx)", gpa, value,
			   PATTERN(hpa & ~7ul), hpa);
}

static void expect_stored(u64 gpa, u64 value)
{
	u64 hpa;
	if (!vm_gpa_to_hpa(gpa, &hpa))
		check_fail("gpa %lx is not mapped", gpa);
	else if (*(volatile u64 *)hva(hpa) != value)
		check_fail("gpa %lx: host %lx holds %lx, guest wrote %lx", gpa, hpa,
			   *(volatile u64 *)hva(hpa), value);
}

/* Verifies that gpa is mapped by a leaf of the given size reaching the
 * intended host page with the given permissions (perms 0: don't care). */
static void expect_leaf(u64 gpa, u64 size, unsigned perms)
{
	struct slat_mapping m;
	u64 hpa;

	if (slat_translate(&guest_ept, slat_gpa(gpa), &m) || !vm_gpa_to_hpa(gpa, &hpa))
		check_fail("gpa %lx: no mapping", gpa);
	else if ((u64)1 << m.page_lg2 != size)
		check_fail("gpa %lx: leaf size %lx, expected %lx", gpa, (u64)1 << m.page_lg2, size);
	else if (m.hpa.v != hpa)
		check_fail("gpa %lx: leaf reaches %lx, expected %lx", gpa, m.hpa.v, hpa);
	else if (perms && m.attrs.perms != ept_perms(perms))
		check_fail("gpa %lx: perms %x, expected %x", gpa, m.attrs.perms, ept_perms(perms));
}

/* Sets the permissions of one 4 KiB page to exactly perms. */
static int protect_page(u64 gpa, unsigned perms)
{
	struct slat_prot p = slat_prot_perms(ept_perms(perms));
	return slat_protect(&guest_ept, slat_gpa(gpa), PAGE_SIZE, &p, &guest_ept_changes);
}

/* Reads and clears the dirty flags of the dirty-tracking area. */
static int harvest(u64 gpa, u64 size, u64 *bitmap)
{
	*bitmap = 0; /* slat_dirty_harvest only sets the bits of dirty pages */
	return slat_dirty_harvest(&guest_ept, slat_gpa(gpa), size, bitmap, 1, 0, NULL,
				  &guest_ept_changes);
}

/*
 * The EPT entry of a page mapped by a 4 KiB leaf, found by walking the
 * tables by hand: bits 51:12 of each entry address the next table (SDM
 * §29.3.2).  Only the misconfiguration check needs it, because libslat
 * never writes an invalid entry.
 */
static u64 *ept_pte(u64 gpa)
{
	u64 *table = hva(slat_table_root(&guest_ept).v);

	for (unsigned level = 3; level > 0; level--)
		table = hva(table[gpa >> (12 + 9 * level) & 511] & 0x000FFFFFFFFFF000ull);
	return &table[gpa >> 12 & 511];
}

/* Gives gpa a write-only entry: an EPT misconfiguration (SDM §29.3.3.1). */
static bool misconfigure(u64 gpa)
{
	struct slat_attrs w = slat_attrs_make(PERM_W, SLAT_MT_WB);
	u64 hpa = page_alloc();

	fill_pattern(hpa, PAGE_SIZE);
	/* libslat refuses to write one... */
	if (slat_map(&guest_ept, slat_gpa(gpa), PAGE_SIZE, slat_hpa(hpa), &w, 0,
		     &guest_ept_changes) != SLAT_EPERM) {
		check_fail("libslat did not refuse a write-only mapping");
		return false;
	}
	/* ...so map the page RW and clear R in its entry by hand. */
	if (vm_map(gpa, hpa, PAGE_SIZE, PERM_R | PERM_W)) {
		check_fail("mapping gpa %lx failed", gpa);
		return false;
	}
	*ept_pte(gpa) &= ~1ull;
	return ept_sync() == SLAT_OK;
}

static u64 remap(u64 gpa, bool flush)
{
	u64 hpa = page_alloc();
	fill_pattern(hpa, PAGE_SIZE);
	if (vm_unmap(gpa, PAGE_SIZE) || vm_map(gpa, hpa, PAGE_SIZE, PERM_R | PERM_W))
		check_fail("remapping gpa %lx failed", gpa);
	/* Without flush (the experiment) the change stays in guest_ept_changes
	 * until the next ept_sync(). */
	if (flush && ept_sync())
		check_fail("INVEPT failed");
	return hpa;
}

static u64 action(struct vcpu *v, u64 act, u64 gpa, u64 arg)
{
	u64 bitmap;

	switch (act) {
	case ACT_REMAP:
	case ACT_REMAP_NO_INVEPT:
		remap(gpa, act == ACT_REMAP);
		return 0;
	case ACT_WRITE_PROTECT:
		if (protect_page(gpa, PERM_R) || ept_sync())
			check_fail("write-protecting gpa %lx failed", gpa);
		return 0;
	case ACT_SPLIT_PROTECT:
		/* One 4 KiB page inside a 2 MiB leaf loses write access:
		 * libslat must split the leaf; its neighbours keep RW. */
		expect_leaf(gpa, 2ull << 20, 0);
		if (protect_page(gpa, PERM_R) || ept_sync())
			check_fail("protecting gpa %lx failed", gpa);
		expect_leaf(gpa, PAGE_SIZE, PERM_R);
		expect_leaf(gpa - PAGE_SIZE, PAGE_SIZE, PERM_R | PERM_W);
		expect_leaf(gpa + PAGE_SIZE, PAGE_SIZE, PERM_R | PERM_W);
		return 0;
	case ACT_DIRTY_RESET:
		if (harvest(gpa, arg, &bitmap) || ept_sync())
			check_fail("clearing dirty flags failed");
		return 0;
	case ACT_DIRTY_CHECK:
		if (harvest(gpa, DIRTY_AREA_PAGES * PAGE_SIZE, &bitmap) || ept_sync())
			check_fail("harvesting dirty flags failed");
		else if (bitmap != arg)
			check_fail("dirty pages %lx, guest wrote pages %lx", bitmap, arg);
		return 0;
	case ACT_MISCONFIG:
		return misconfigure(gpa);
	case ACT_HAVE_MBEC:
		if (!v->mbec)
			con_printf("MBEC not offered by this CPU\n");
		return v->mbec;
	case ACT_EXECUTE_ONLY:
		if (!(v->caps->ept_vpid & EPT_CAP_EXEC_ONLY)) {
			con_printf("execute-only EPT entries not offered by this CPU\n");
			return 0;
		}
		if (protect_page(gpa, PERM_X) || ept_sync())
			check_fail("making gpa %lx execute-only failed", gpa);
		return 1;
	case ACT_NO_ACCESS: {
		/* R = W = X = 0: not present to the CPU, which ignores the
		 * rest; libslat keeps the address and memory type and marks
		 * the entry with bit 11 (docs/formats.md 1.2.1). */
		struct slat_mapping m;

		if (protect_page(gpa, 0) || ept_sync())
			check_fail("removing every permission of gpa %lx failed", gpa);
		expect_leaf(gpa, PAGE_SIZE, 0);
		if (slat_translate(&guest_ept, slat_gpa(gpa), &m) || m.attrs.perms ||
		    (m.entry & 7) || !(m.entry & (1ull << 11)))
			check_fail("gpa %lx: no-access entry %lx", gpa, m.entry);
		return 0;
	}
	case ACT_CHECK_LEAF:
		expect_leaf(gpa, arg, 0);
		return 0;
	case ACT_PML_START:
		return pml_start(v, gpa, arg);
	case ACT_PML_CHECK:
		pml_check(gpa, arg);
		return 0;
	default:
		check_fail("unknown action %lu", act);
		return 0;
	}
}

/* Checks that the guest runs in 64-bit mode at the given privilege level. */
static void where_am_i(u64 cpl)
{
	u64 ss_dpl = vmread(GUEST_SS_AR_BYTES) >> 5 & 3;
	u64 cs_l = vmread(GUEST_CS_AR_BYTES) >> 13 & 1;
	u64 lma = vmread(GUEST_IA32_EFER) & EFER_LMA;

	if (!lma || !cs_l)
		check_fail("not in 64-bit mode (EFER %lx, CS access rights %lx)",
			   vmread(GUEST_IA32_EFER), vmread(GUEST_CS_AR_BYTES));
	else if (ss_dpl != cpl)
		check_fail("CPL %lu, expected %lu", ss_dpl, cpl);
}

bool handle_hypercall(struct vcpu *v)
{
	struct guest_regs *r = &v->regs;
	u64 nr = r->rax, a = r->rbx, b = r->rcx, c = r->rdx;
	char text[96];

	r->rax = 0;
	switch (nr) {
	case HC_BEGIN:
		gva_read_string(a, text, sizeof(text));
		check_begin(text);
		break;
	case HC_END:
		if (expect_still_pending())
			check_fail("the expected EPT exit did not happen");
		check_end();
		break;
	case HC_FAIL:
		gva_read_string(a, text, sizeof(text));
		check_fail("guest: %s", text);
		break;
	case HC_EXPECT_READ:
		expect_read(a, b);
		break;
	case HC_EXPECT_STORED:
		expect_stored(a, b);
		break;
	case HC_EXPECT_EXIT:
		expect_ept_exit(a, b, c);
		break;
	case HC_ACTION:
		r->rax = action(v, a, b, c);
		break;
	case HC_UART_LAST_LINE:
		gva_read_string(a, text, sizeof(text));
		if (memcmp(text, uart_last_line(), strlen(text) + 1))
			check_fail("last UART line \"%s\", expected \"%s\"", uart_last_line(), text);
		break;
	case HC_WHERE_AM_I:
		where_am_i(a);
		break;
	case HC_INFO:
		gva_read_string(a, text, sizeof(text));
		con_printf("info: guest: %s\n", text);
		break;
	default:
		check_fatal("unknown hypercall %lu at rip %lx", nr, vmread(GUEST_RIP));
		return false;
	}
	return true;
}
