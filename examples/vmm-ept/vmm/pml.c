/*
 * pml.c - a dirty-logging round with page-modification logging (PML),
 * checked against the pages the guest says it wrote.
 *
 * The round, as include/slat/ept.h describes it: clear the dirty flags of
 * the range (slat_dirty_harvest) and INVEPT, so that the next write to each
 * page changes its flag from 0 to 1 and is logged; start the log at index
 * 511 (SDM: the processor writes entry PML index, then decrements it); on
 * every log-full exit (basic reason 62, the index having wrapped to FFFFH)
 * drain the log with slat_ept_pml_drain() and restart it; at the end drain
 * what is left. The VMCS fields: "enable PML" is secondary control bit 17,
 * the PML address field 0x200E, the PML index field 0x0812.
 */
#include "pml.h"
#include "ept.h"
#include "vmx.h"
#include "memmap.h"
#include "hostmem.h"
#include "checks.h"
#include "console.h"
#include "../common/abi.h"

#define PML_WORDS (PML_AREA_PAGES / 64)

static u64 pml_log[SLAT_EPT_PML_ENTRIES] __attribute__((aligned(4096)));

static struct {
	bool on;
	u64 gpa, size;
	u64 bitmap[PML_WORDS];
	u64 full_exits, logged, outside, first_entry;
	bool have_first;
} pml;

/* All ones in every entry: an address outside the area, so that an entry
 * left from an earlier fill can never mark a page. */
static void log_reset(void)
{
	memset(pml_log, 0xFF, sizeof(pml_log));
	vmwrite(GUEST_PML_INDEX, SLAT_EPT_PML_INDEX_START);
}

static int drain(void)
{
	u16 index = (u16)vmread(GUEST_PML_INDEX);
	u64 in = 0, out = 0;
	int err;

	if (!pml.have_first && index != SLAT_EPT_PML_INDEX_START) {
		pml.first_entry = pml_log[SLAT_EPT_PML_INDEX_START];
		pml.have_first = true;
	}
	err = slat_ept_pml_drain(&guest_ept, pml_log, index, slat_gpa(pml.gpa), pml.size,
				 pml.bitmap, PML_WORDS, &in, &out);
	pml.logged += in;
	pml.outside += out;
	log_reset();
	return err;
}

/* Reads and clears the dirty flags of the area into bm (zeroed first). */
static int harvest_area(u64 *bm)
{
	memset(bm, 0, PML_WORDS * sizeof(u64));
	return slat_dirty_harvest(&guest_ept, slat_gpa(pml.gpa), pml.size, bm, PML_WORDS, 0, NULL,
				  &guest_ept_changes);
}

bool pml_start(struct vcpu *v, u64 gpa, u64 size)
{
	u64 scratch[PML_WORDS];

	if (!(caps_proc2_allowed(v->caps) & PROC2_ENABLE_PML)) {
		con_printf("PML not offered by this CPU\n");
		return false;
	}
	if (size != PML_AREA_PAGES * PAGE_SIZE) {
		check_fail("PML area of %lx bytes, expected %lx", size,
			   (u64)(PML_AREA_PAGES * PAGE_SIZE));
		return false;
	}
	pml.gpa = gpa;
	pml.size = size;
	/* Dirty flags cleared and INVEPT: each page's next write is logged. */
	if (harvest_area(scratch) || ept_sync()) {
		check_fail("clearing the dirty flags of the PML area failed");
		return false;
	}
	memset(pml.bitmap, 0, sizeof(pml.bitmap));
	pml.full_exits = pml.logged = pml.outside = 0;
	pml.have_first = false;
	log_reset();
	vmwrite(PML_ADDRESS, hpa_of(pml_log));
	vmwrite(SECONDARY_VM_EXEC_CONTROL, vmread(SECONDARY_VM_EXEC_CONTROL) | PROC2_ENABLE_PML);
	pml.on = true;
	return true;
}

bool pml_log_full(struct vcpu *v)
{
	int err;

	(void)v;
	if (!pml.on) {
		check_fatal("PML log-full exit with PML off (rip %lx)", vmread(GUEST_RIP));
		return false;
	}
	pml.full_exits++;
	/* The access that found the log full did not happen: resume the
	 * guest at the same instruction, with room in the log. */
	err = drain();
	if (err) {
		check_fatal("slat_ept_pml_drain: %s", slat_errname(err));
		return false;
	}
	return true;
}

void pml_check(u64 expected_gva, u64 min_full_exits)
{
	u64 hpa, dirty[PML_WORDS];
	const u64 *want;
	int err;

	if (!pml.on) {
		check_fail("PML was not started");
		return;
	}
	err = drain();
	vmwrite(SECONDARY_VM_EXEC_CONTROL, vmread(SECONDARY_VM_EXEC_CONTROL) & ~PROC2_ENABLE_PML);
	pml.on = false;
	con_printf("info: PML: %lu log entries in the area, %lu outside, %lu log-full exits, "
		   "first entry %lx\n", pml.logged, pml.outside, pml.full_exits, pml.first_entry);
	if (err) {
		check_fail("slat_ept_pml_drain: %s", slat_errname(err));
		return;
	}
	/* The guest's identity map: its address is guest-physical. */
	if (!vm_gpa_to_hpa(expected_gva, &hpa)) {
		check_fail("expected bitmap at unmapped %lx", expected_gva);
		return;
	}
	want = hva(hpa);
	for (unsigned i = 0; i < PML_WORDS; i++)
		if (pml.bitmap[i] != want[i]) {
			check_fail("PML bitmap word %u (pages from %lx): %lx, guest wrote %lx", i,
				   (u64)(pml.gpa + i * 64 * PAGE_SIZE), pml.bitmap[i], want[i]);
			return;
		}
	if (pml.full_exits < min_full_exits)
		check_fail("%lu log-full exits, expected at least %lu", pml.full_exits,
			   min_full_exits);
	/* The dirty flags say the same, and clearing them ends the round. */
	if (harvest_area(dirty) || ept_sync()) {
		check_fail("harvesting the PML area failed");
		return;
	}
	for (unsigned i = 0; i < PML_WORDS; i++)
		if (dirty[i] != want[i]) {
			check_fail("dirty flags word %u: %lx, guest wrote %lx", i, dirty[i], want[i]);
			return;
		}
}
