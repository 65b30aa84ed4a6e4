/* SPDX-License-Identifier: MIT */
/*
 * slat-demo: one realistic guest, three hardware formats.
 *
 * Builds the second-level tables of a typical x86 guest (PC layout) with
 * Intel EPT and AMD NPT, and of a typical Arm guest ("virt" layout) with
 * Stage-2, then does what a hypervisor does to them while the guest runs:
 * write-protects kernel text, balloons out a page, starts dirty logging and
 * harvests the pages the guest wrote. It prints each table, the root
 * pointer, the invalidation each change asks for, and the validator's
 * verdict.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slat/hosted.h>
#include <slat/slat.h>

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* One region of guest-physical memory; hpa 0 means "emulated, not mapped". */
struct region {
	const char *name;
	uint64_t gpa, size, hpa;
	unsigned perms, memtype;
};

/* A PC guest with 6 GiB of RAM; host RAM for it starts at 8 GiB. */
#define X86_RAM 0x200000000ull
static const struct region pc_layout[] = {
	{ "low RAM", 0x0, 0xa0000, X86_RAM, SLAT_PERM_RWX, SLAT_MT_WB },
	{ "VGA window (emulated)", 0xa0000, 0x20000, 0, 0, 0 },
	{ "option ROMs + BIOS shadow", 0xc0000, 0x40000, X86_RAM + 0xc0000, SLAT_PERM_RX, SLAT_MT_WB },
	{ "RAM below 2 GiB", 0x100000, 2 * GiB - 0x100000, X86_RAM + 0x100000, SLAT_PERM_RWX, SLAT_MT_WB },
	{ "PCIe ECAM (emulated)", 0xb0000000, 256 * MiB, 0, 0, 0 },
	{ "framebuffer", 0xc0000000, 16 * MiB, 0x3f000000, SLAT_PERM_RW, SLAT_MT_WC },
	{ "passed-through NIC BAR", 0xfd000000, 16 * KiB, 0xf7000000, SLAT_PERM_RW, SLAT_MT_DEVICE },
	{ "IOAPIC, LAPIC (emulated)", 0xfec00000, 0x201000, 0, 0, 0 },
	{ "BIOS flash", 0xffe00000, 2 * MiB, X86_RAM + 6 * GiB, SLAT_PERM_RX, SLAT_MT_WB },
	{ "RAM above 4 GiB", 4 * GiB, 4 * GiB, X86_RAM + 2 * GiB, SLAT_PERM_RWX, SLAT_MT_WB },
};

/* An Arm "virt" guest with 4 GiB of RAM; host RAM for it starts at 2 GiB. */
#define ARM_RAM 0x80000000ull
static const struct region virt_layout[] = {
	{ "flash (firmware)", 0x0, 64 * MiB, ARM_RAM + 4 * GiB, SLAT_PERM_RX, SLAT_MT_WB },
	{ "GIC distributor/redistributors (emulated)", 0x08000000, 0x1000000, 0, 0, 0 },
	{ "PL011 UART (emulated)", 0x09000000, 4 * KiB, 0, 0, 0 },
	{ "virtio-mmio (emulated)", 0x0a000000, 16 * KiB, 0, 0, 0 },
	{ "passed-through device BAR", 0x10000000, 64 * KiB, 0x4010000000ull, SLAT_PERM_RW, SLAT_MT_DEVICE },
	{ "RAM", 0x40000000, 4 * GiB, ARM_RAM, SLAT_PERM_RWX, SLAT_MT_WB },
};

/* The hypervisor's synchronous invalidation for Arm break-before-make. */
static void bbm_invalidate(void *ctx, const struct slat_table *t, const struct slat_gather *g)
{
	struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
	size_t n;

	(void)ctx;
	if (slat_stage2_flush(t, g, ops, sizeof(ops) / sizeof(ops[0]), &n) == SLAT_OK)
		printf("    break-before-make at 0x%" PRIx64 ": %zu barrier/TLBI ops executed\n",
		       slat_gather_range(g, 0).start, n);
}

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "slat-demo: %s: %s (%s)\n", what, slat_strerror(err),
			slat_errname(err));
		exit(1);
	}
}

/* What the gather asks the hypervisor to do, in the format's own terms. */
static void show_invalidation(const struct slat_table *t, const struct slat_gather *g)
{
	unsigned i;

	for (i = 0; i < slat_gather_nranges(g); i++)
		printf("    changed: 0x%" PRIx64 "-0x%" PRIx64 "%s\n", slat_gather_range(g, i).start,
		       slat_gather_range(g, i).end - 1, slat_gather_range(g, i).table_sizes ? " (tables too)" : "");
	if (slat_gather_pages(g))
		printf("    %" PRIu64 " table page(s) held until the invalidation is done\n",
		       slat_gather_pages(g));
	switch (slat_table_format(t)) {
	case SLAT_FORMAT_EPT: {
		struct slat_ept_flush op;

		check(slat_ept_flush(t, g, &op), "ept flush");
		printf("    -> INVEPT type %" PRIu64 " (%s), descriptor {0x%" PRIx64 ", 0}\n",
		       op.type, op.type == SLAT_INVEPT_SINGLE ? "single-context" :
				op.type == SLAT_INVEPT_ALL ? "all-context" : "none",
		       op.desc[0]);
		break;
	}
	case SLAT_FORMAT_NPT: {
		uint8_t tlb;

		check(slat_npt_flush(t, g, &tlb), "npt flush");
		printf("    -> VMCB TLB_CONTROL = %u before the next VMRUN\n", tlb);
		break;
	}
	default: {
		static const char *const names[] = { "", "DSB ISHST", "TLBI IPAS2E1IS",
						     "TLBI RIPAS2E1IS", "DSB ISH", "TLBI VMALLE1IS",
						     "TLBI VMALLS12E1IS", "ISB" };
		struct slat_s2_op ops[SLAT_S2_OPS_MAX(64)];
		size_t n, k;

		check(slat_stage2_flush(t, g, ops, sizeof(ops) / sizeof(ops[0]), &n),
		      "stage2 flush");
		if (n == 0) {
			printf("    -> nothing more: break-before-make already invalidated\n");
			break;
		}
		printf("    ->");
		for (k = 0; k < n; k++) {
			printf(" %s", ops[k].kind < 8 ? names[ops[k].kind] : "?");
			if (ops[k].kind == SLAT_S2_TLBI_IPAS2E1IS ||
			    ops[k].kind == SLAT_S2_TLBI_RIPAS2E1IS)
				printf("(0x%" PRIx64 ")", ops[k].arg);
			printf(k + 1 < n ? ";" : "\n");
		}
		break;
	}
	}
}

static void done(struct slat_table *t, struct slat_gather *g)
{
	show_invalidation(t, g);
	/* A hypervisor executes the operations on every CPU, then: */
	check(slat_gather_done(t, g), "gather done");
}

static void demo(const char *title, const struct slat_format *fmt, const struct slat_caps *caps,
		 const struct region *layout, size_t nregions, uint64_t kernel_text,
		 uint64_t balloon)
{
	struct slat_pool pool;
	struct slat_config cfg;
	struct slat_table t;
	struct slat_gather g = SLAT_GATHER_INIT;
	struct slat_prot p;
	uint64_t root, problems, bm[8], found, i;
	size_t r;

	printf("\n=== %s ===\n", title);
	if (slat_pool_init(&pool, 64 * MiB, 0x1000000000ull))
		exit(1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = fmt;
	cfg.caps = caps;
	cfg.alloc = slat_pool_allocator(&pool);
	cfg.ia_bits = fmt == &slat_format_stage2 ? 40 : 48;
	cfg.features = SLAT_FEAT_AD;
	cfg.sync_invalidate = bbm_invalidate;
	/* The host PAT Linux programs: WB, WC, UC-, UC, WB, WP, UC-, WT. */
	cfg.host_pat = fmt == &slat_format_npt ? 0x0407050600070106ull : 0;
	check(slat_table_init(&t, &cfg), "table init");
	slat_gather_init(&g);

	for (r = 0; r < nregions; r++) {
		struct slat_attrs a = slat_attrs_make(layout[r].perms, layout[r].memtype);

		if (!layout[r].hpa)
			continue;
		check(slat_map(&t, slat_gpa(layout[r].gpa), layout[r].size,
			       slat_hpa(layout[r].hpa), &a, 0, &g), layout[r].name);
	}
	switch (slat_table_format(&t)) {
	case SLAT_FORMAT_EPT:
		check(slat_ept_eptp(&t, &root), "eptp");
		printf("EPTP = 0x%" PRIx64 "\n", root);
		break;
	case SLAT_FORMAT_NPT:
		check(slat_npt_ncr3(&t, &root), "ncr3");
		printf("nCR3 = 0x%" PRIx64 "\n", root);
		break;
	default: {
		uint64_t vtcr;

		check(slat_stage2_vttbr(&t, 1, &root), "vttbr");
		check(slat_stage2_vtcr(&t, &vtcr), "vtcr");
		printf("VTTBR_EL2 = 0x%" PRIx64 " (VMID 1), VTCR_EL2 = 0x%" PRIx64 "\n", root, vtcr);
		break;
	}
	}
	printf("%u levels, %" PRIu64 " table pages; mappings:\n", slat_table_levels(&t),
	       slat_table_pages(&t));
	check(slat_dump_file(&t, slat_gpa(0), 1ull << cfg.ia_bits, stdout), "dump");

	printf("\n  write-protect 8 MiB of kernel text (W^X):\n");
	p = slat_prot_perms(SLAT_PERM_RX);
	check(slat_protect(&t, slat_gpa(kernel_text), 8 * MiB, &p, &g), "protect");
	done(&t, &g);

	printf("  balloon out one 4 KiB page at 0x%" PRIx64 ":\n", balloon);
	check(slat_unmap(&t, slat_gpa(balloon), 4 * KiB, &g), "unmap");
	done(&t, &g);

	printf("  dirty logging over the first 256 KiB of the balloon's 2 MiB:\n");
	check(slat_split(&t, slat_gpa(balloon & ~(2 * MiB - 1)), 2 * MiB, 12, &g), "split");
	check(slat_dirty_harvest(&t, slat_gpa(balloon & ~(2 * MiB - 1)), 2 * MiB, (uint64_t[8]){0}, 8,
				 0, &found, &g), "initial harvest");
	for (i = 3; i < 64; i += 20) /* the guest writes a few pages */
		check(slat_hw_access(&t, slat_gpa((balloon & ~(2 * MiB - 1)) + i * 4 * KiB), true),
		      "guest write");
	memset(bm, 0, sizeof(bm));
	check(slat_dirty_harvest(&t, slat_gpa(balloon & ~(2 * MiB - 1)), 256 * KiB, bm, sizeof(bm) / sizeof(bm[0]), 0,
				 &found, &g), "harvest");
	printf("    %" PRIu64 " dirty pages, bitmap word 0 = 0x%016" PRIx64 "\n", found, bm[0]);
	done(&t, &g);

	printf("\n  after the changes:\n");
	check(slat_dump_file(&t, slat_gpa(kernel_text - 2 * MiB), 12 * MiB, stdout), "dump");
	check(slat_dump_file(&t, slat_gpa(balloon - 8 * KiB), 16 * KiB, stdout), "dump");
	check(slat_validate(&t, NULL, NULL, &problems), "validate");
	printf("  validator: %" PRIu64 " problems; %" PRIu64 " table pages (%" PRIu64
	       " KiB)\n", problems, slat_table_pages(&t), slat_table_pages(&t) * 4);
	slat_table_destroy(&t);
	if (pool.in_use)
		printf("  LEAK: %" PRIu64 " bytes\n", pool.in_use);
	slat_pool_fini(&pool);
	if (problems)
		exit(1);
}

int main(void)
{
	struct slat_caps ept, npt, s2;

	/* Raw capability registers, as a hypervisor reads them from its CPU. */
	check(slat_ept_caps(0xf0106734141ull, ((1ull << 1) | (1ull << 22)) << 32, 0x302e, &ept),
	      "ept caps"); /* Skylake-SP EPT/VPID caps, MBEC, MAXPHYADDR 46 */
	/* CPUID 8000000A EDX: NP, FlushByAsid; 80000008 EAX: 48-bit physical;
	 * 80000001 EDX: Page1GB. */
	check(slat_npt_caps((1u << 0) | (1u << 6), 0x3030, 1u << 26, 0, &npt), "npt caps");
	/* ID_AA64MMFR0/1/2_EL1 and ISAR0 as QEMU 7.2 -cpu max reports them. */
	check(slat_stage2_caps(0x0000032310201126ull, 0x0000011010211122ull,
			       0x1021011010011011ull, 0x1221111110212120ull, &s2),
	      "stage2 caps");

	printf("libslat demo: one guest layout, three second-level formats\n");
	demo("Intel EPT: PC guest, 6 GiB", &slat_format_ept, &ept, pc_layout,
	     sizeof(pc_layout) / sizeof(pc_layout[0]), 0x1000000, 0x7ff00000);
	demo("AMD NPT: PC guest, 6 GiB", &slat_format_npt, &npt, pc_layout,
	     sizeof(pc_layout) / sizeof(pc_layout[0]), 0x1000000, 0x7ff00000);
	demo("Arm Stage-2: virt guest, 4 GiB, 40-bit IPA", &slat_format_stage2, &s2, virt_layout,
	     sizeof(virt_layout) / sizeof(virt_layout[0]), 0x40200000, 0x7ff00000);
	return 0;
}
