/*
 * features.c - read and print the ID register fields that matter for
 * stage 2.  libslat decodes the same raw values for its own decisions
 * (slat_stage2_caps).  Field positions: Arm ARM D19 (ID_AA64MMFR0/1/2_EL1,
 * ID_AA64ISAR0_EL1); also docs/formats.md section 3.8.
 */
#include "features.h"
#include "arch.h"
#include "uart.h"

static const unsigned pa_bits_of[16] = { 32, 36, 40, 42, 44, 48, 52 };

void features_read(struct cpu_features *f)
{
	f->midr = read_sysreg(midr_el1);
	f->mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	f->mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	f->mmfr2 = read_sysreg(ID_AA64MMFR2_EL1);
	f->isar0 = read_sysreg(id_aa64isar0_el1);
}

/* Stage-2 support of a granule from TGranX_2, given the stage-1 field. */
static const char *s2_granule(unsigned t2, unsigned t1, unsigned t1_none)
{
	switch (t2) {
	case 0:  return t1 == t1_none ? "no" : "yes (as stage 1)";
	case 1:  return "no";
	case 2:  return "yes";
	case 3:  return "yes (52-bit)";
	default: return "?";
	}
}

void features_print(const struct cpu_features *f)
{
	static const char *const hafdbs_names[] = { "none", "access flag only",
		"access flag + dirty state", "access flag + dirty state + AF in tables" };
	unsigned hafdbs = field(f->mmfr1, 0, 4), h = hafdbs > 3 ? 3 : hafdbs;
	unsigned xnx = field(f->mmfr1, 28, 4);
	unsigned tlb = field(f->isar0, 56, 4);

	printk("CPU: MIDR_EL1 %08lx\n", f->midr);
	printk("  ID_AA64MMFR0_EL1 %016lx: PARange %u bits; stage-2 granules: 4K %s, 16K %s, 64K %s\n",
	       f->mmfr0, pa_bits_of[field(f->mmfr0, 0, 4)],
	       s2_granule(field(f->mmfr0, 40, 4), field(f->mmfr0, 28, 4), 0xf),
	       s2_granule(field(f->mmfr0, 32, 4), field(f->mmfr0, 20, 4), 0x0),
	       s2_granule(field(f->mmfr0, 36, 4), field(f->mmfr0, 24, 4), 0xf));
	printk("  ID_AA64MMFR1_EL1 %016lx: VMIDBits %u, HAFDBS %u (%s), XNX %u\n",
	       f->mmfr1, field(f->mmfr1, 4, 4) == 2 ? 16 : 8, hafdbs, hafdbs_names[h], xnx);
	printk("  ID_AA64MMFR2_EL1 %016lx: TTL %u, BBM %u, FWB %u, ST %u\n",
	       f->mmfr2, field(f->mmfr2, 48, 4), field(f->mmfr2, 52, 4),
	       field(f->mmfr2, 40, 4), field(f->mmfr2, 28, 4));
	printk("  ID_AA64ISAR0_EL1 %016lx: TLB %u (%s)\n", f->isar0, tlb,
	       tlb == 0 ? "no outer-shareable or range TLBI" :
	       tlb == 1 ? "outer-shareable TLBI" : "outer-shareable and range TLBI");
	if (hafdbs < 2)
		printk("  hardware dirty state (FEAT_HAFDBS): not offered by this CPU\n");
	if (!xnx)
		printk("  split EL1/EL0 execute permission (FEAT_XNX): not offered by this CPU\n");
}
