/* SPDX-License-Identifier: MIT */
/*
 * AMD nested page tables: raw entries, nCR3, TLB_CONTROL and capabilities.
 * Every expected value is written by hand from the AMD APM vol. 2
 * (pub. 24593): §5.4 entry layouts, §7.8 PAT, §15.25 nested paging, the
 * VMCB layout of appendix B; and APM vol. 3 appendix E.4 for CPUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <slat/hosted.h>
#include <slat/slat.h>

#include "table_state.h"

/* §5.4: long-mode entry fields (nested tables use the same format). */
#define NPT_P (1ull << 0)
#define NPT_RW (1ull << 1)
#define NPT_US (1ull << 2)
#define NPT_PWT (1ull << 3)
#define NPT_PCD (1ull << 4)
#define NPT_A (1ull << 5)
#define NPT_D (1ull << 6)
#define NPT_PS (1ull << 7)        /* PDE / PDPE: maps a page */
#define NPT_PAT4K (1ull << 7)     /* PTE: PAT index bit 2 */
#define NPT_G (1ull << 8)
#define NPT_PATL (1ull << 12)     /* 2 MiB / 1 GiB leaf: PAT index bit 2 */
#define NPT_NX (1ull << 63)
#define NPT_ADDR 0x000ffffffffff000ull /* bits 51:12 */

/* §7.8.1: reset PAT: PA0 WB, PA1 WT, PA2 UC-, PA3 UC, PA4-7 the same. */
#define PAT_RESET 0x0007040600070406ull
/* Linux's PAT: WB, WC, UC-, UC, WB, WP, UC-, WT (arch/x86/mm/pat/memtype.c). */
#define PAT_LINUX 0x0407050600070106ull

/* CPUID (APM vol. 3 appendix E.4). */
#define SVM_NP (1u << 0)     /* 8000_000Ah EDX: nested paging */
#define SVM_FBA (1u << 6)    /* 8000_000Ah EDX: FlushByAsid */
#define SVM_GMET (1u << 17)  /* 8000_000Ah EDX: guest mode execute trap */
#define EXT_1G (1u << 26)    /* 8000_0001h EDX: Page1GB */
#define CR4_LA57 (1ull << 12) /* the host runs 5-level paging */
/* 8000_0008h EAX: PhysAddrSize 7:0, LinAddrSize 15:8, GuestPhysAddrSize 23:16. */
#define ADDR_SIZES(phys, lin, guest) \
	((uint32_t)(phys) | ((uint32_t)(lin) << 8) | ((uint32_t)(guest) << 16))

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define POOL_PA 0x40000000ull
#define POOL_SIZE (16 * MiB)

/* ---- fixture ----------------------------------------------------------- */

struct nfx {
	struct slat_pool pool;
	struct slat_caps caps;
	struct slat_config cfg;
	struct slat_table t;
	struct slat_gather g;
};

static void caps_from(struct slat_caps *c, uint32_t svm_edx, uint32_t sizes,
		      uint32_t ext_edx, uint64_t host_cr4)
{
	assert_int_equal(slat_npt_caps(svm_edx, sizes, ext_edx, host_cr4, c),
			 SLAT_OK);
}

/* A CPU with every nested-paging feature but LA57, 48-bit addresses. */
static void nfx_prepare(struct nfx *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(slat_pool_init(&f->pool, POOL_SIZE, POOL_PA), 0);
	caps_from(&f->caps, SVM_NP | SVM_FBA | SVM_GMET, ADDR_SIZES(48, 48, 0),
		  EXT_1G, 0);
	f->cfg.format = &slat_format_npt;
	f->cfg.caps = &f->caps;
	f->cfg.alloc = slat_pool_allocator(&f->pool);
	f->cfg.ia_bits = 48;
	slat_gather_init(&f->g);
}

static void nfx_create(struct nfx *f)
{
	assert_int_equal(slat_table_init(&f->t, &f->cfg), SLAT_OK);
}

static void nfx_fini(struct nfx *f)
{
	assert_int_equal(slat_gather_done(&f->t, &f->g), SLAT_OK);
	slat_table_destroy(&f->t);
	assert_int_equal(f->pool.in_use, 0);
	slat_pool_fini(&f->pool);
}

static void map_ok(struct nfx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a)
{
	assert_int_equal(slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a,
				  0, &f->g),
			 SLAT_OK);
}

static int map_err(struct nfx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
		   struct slat_attrs a)
{
	return slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, 0, &f->g);
}

/* The slot at `level` on the walk to `gpa`, walking the table pages by hand. */
static uint64_t *slot_at(const struct slat_table *t, uint64_t gpa, unsigned level)
{
	unsigned lv = slat_table_levels(t) - 1;
	uint64_t *table = table_of_c(t)->root;

	for (;;) {
		uint64_t *e = &table[(gpa >> (12 + 9 * lv)) & 511];

		if (lv == level)
			return e;
		if (!(*e & NPT_P) || (*e & NPT_PS))
			return NULL;
		table = table_of_c(t)->alloc.phys_to_virt(table_of_c(t)->alloc.ctx, *e & NPT_ADDR);
		lv--;
	}
}

/* The slot holding the leaf that translates `gpa`, found from slat_translate(). */
static uint64_t *leaf_slot(const struct slat_table *t, uint64_t gpa,
			   uint64_t *entry)
{
	struct slat_mapping m;
	uint64_t *slot;

	assert_int_equal(slat_translate(t, slat_gpa(gpa), &m), SLAT_OK);
	slot = slot_at(t, gpa, m.level);
	assert_non_null(slot);
	assert_true(*slot == m.entry);
	if (entry)
		*entry = m.entry;
	return slot;
}

static void expect_table_entry(uint64_t e)
{
	/* P | R/W | U/S and the address of a pool page, nothing else. */
	assert_true((e & ~NPT_ADDR) == (NPT_P | NPT_RW | NPT_US));
	assert_true((e & NPT_ADDR) >= POOL_PA);
	assert_true((e & NPT_ADDR) < POOL_PA + POOL_SIZE);
}

struct probs {
	unsigned n;
	struct slat_problem p[16];
};

static void collect(void *ctx, const struct slat_problem *p)
{
	struct probs *c = ctx;

	if (c->n < 16)
		c->p[c->n] = *p;
	c->n++;
}

static void validate(const struct slat_table *t, struct probs *c)
{
	uint64_t count;

	memset(c, 0, sizeof(*c));
	assert_int_equal(slat_validate(t, collect, c, &count), SLAT_OK);
	assert_int_equal(count, c->n);
}

/* ---- entries ----------------------------------------------------------- */

/* 4 KiB RW WB: PA0 of the reset PAT is WB, so PWT = PCD = PAT = 0; no
 * execute means NX; every table entry is P | R/W | U/S. */
static void test_leaf_4k_rw_wb(void **state)
{
	struct nfx f;
	struct slat_mapping m;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	assert_int_equal(slat_table_levels(&f.t), 4);
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0x5000 | NPT_P | NPT_RW | NPT_US | NPT_NX));
	expect_table_entry(*slot_at(&f.t, 0x1000, 3));
	expect_table_entry(*slot_at(&f.t, 0x1000, 2));
	expect_table_entry(*slot_at(&f.t, 0x1000, 1));
	assert_int_equal(slat_table_pages(&f.t), 4);

	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1234), &m), SLAT_OK);
	assert_true(m.hpa.v == 0x5234);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RW);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WB);
	assert_int_equal(m.page_lg2, 12);
	assert_int_equal(m.level, 0);
	nfx_fini(&f);
}

/* 2 MiB RX WT under Linux's PAT: WT is PA7, index 7 = PAT | PCD | PWT,
 * with the PAT bit at 12 in a large leaf; PS marks the PDE as a leaf. */
static void test_leaf_2m_rx_pat12(void **state)
{
	struct nfx f;
	struct slat_mapping m;
	struct probs c;

	(void)state;
	nfx_prepare(&f);
	f.cfg.host_pat = PAT_LINUX;
	nfx_create(&f);
	map_ok(&f, 0x200000, 2 * MiB, 0x800000, slat_attrs_make(SLAT_PERM_RX, SLAT_MT_WT));
	assert_true(*slot_at(&f.t, 0x200000, 1) ==
		    (0x800000 | NPT_P | NPT_US | NPT_PWT | NPT_PCD | NPT_PS | NPT_PATL));
	expect_table_entry(*slot_at(&f.t, 0x200000, 2));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x3ff000), &m), SLAT_OK);
	assert_true(m.hpa.v == 0x9ff000);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RX);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WT);
	assert_int_equal(m.page_lg2, 21);
	/* Bit 12 is the PAT bit here, not a reserved address bit. */
	validate(&f.t, &c);
	assert_int_equal(c.n, 0);
	nfx_fini(&f);
}

/* 1 GiB RWX WB with Page1GB: a PDPE with PS; without Page1GB the same
 * range takes 512 PDEs. */
static void test_leaf_1g(void **state)
{
	struct nfx f;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	assert_int_equal(slat_table_leaf_levels(&f.t), 0x7);
	map_ok(&f, 1 * GiB, 1 * GiB, 3 * GiB, slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB));
	assert_true(*slot_at(&f.t, 1 * GiB, 2) ==
		    (3 * GiB | NPT_P | NPT_RW | NPT_US | NPT_PS));
	assert_int_equal(slat_table_pages(&f.t), 2);
	nfx_fini(&f);

	nfx_prepare(&f);
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(48, 48, 0), 0, 0);
	nfx_create(&f);
	assert_int_equal(slat_table_leaf_levels(&f.t), 0x3);
	map_ok(&f, 1 * GiB, 1 * GiB, 3 * GiB, slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB));
	expect_table_entry(*slot_at(&f.t, 1 * GiB, 2));
	assert_true(*slot_at(&f.t, 1 * GiB, 1) ==
		    (3 * GiB | NPT_P | NPT_RW | NPT_US | NPT_PS));
	assert_true(*slot_at(&f.t, 2 * GiB - 2 * MiB, 1) ==
		    ((4 * GiB - 2 * MiB) | NPT_P | NPT_RW | NPT_US | NPT_PS));
	nfx_fini(&f);
}

/* Read-only, no execute: P | U/S | NX, R/W clear. */
static void test_leaf_ro_nx(void **state)
{
	struct nfx f;
	struct slat_mapping m;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	map_ok(&f, 0x7000, 0x1000, 0x123000, slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB));
	assert_true(*slot_at(&f.t, 0x7000, 0) ==
		    (0x123000 | NPT_P | NPT_US | NPT_NX));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x7000), &m), SLAT_OK);
	assert_int_equal(m.attrs.perms, SLAT_PERM_R);
	nfx_fini(&f);
}

/* Memory types select the lowest host PAT entry of the type. */
static void test_memtypes(void **state)
{
	struct nfx f;
	struct slat_mapping m;

	(void)state;
	/* Linux's PAT: WC is PA1 (PWT), UC PA3 (PCD | PWT), WP PA5 (PAT | PWT). */
	nfx_prepare(&f);
	f.cfg.host_pat = PAT_LINUX;
	nfx_create(&f);
	map_ok(&f, 0x1000, 0x1000, 0xa000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WC));
	map_ok(&f, 0x2000, 0x1000, 0xb000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_UC));
	map_ok(&f, 0x3000, 0x1000, 0xc000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WP));
	map_ok(&f, 0x4000, 0x1000, 0xd000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_DEVICE));
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0xa000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT));
	assert_true(*slot_at(&f.t, 0x2000, 0) ==
		    (0xb000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT | NPT_PCD));
	assert_true(*slot_at(&f.t, 0x3000, 0) ==
		    (0xc000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT | NPT_PAT4K));
	assert_true(*slot_at(&f.t, 0x4000, 0) ==
		    (0xd000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT | NPT_PCD));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WC);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x3000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WP);
	nfx_fini(&f);

	/* Reset PAT: UC is PA3, never PA2 (UC-); WT is PA1; no WC, no WP. */
	nfx_prepare(&f);
	nfx_create(&f);
	map_ok(&f, 0x1000, 0x1000, 0xa000, slat_attrs_make(SLAT_PERM_R, SLAT_MT_UC));
	map_ok(&f, 0x2000, 0x1000, 0xb000, slat_attrs_make(SLAT_PERM_R, SLAT_MT_WT));
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0xa000 | NPT_P | NPT_US | NPT_NX | NPT_PWT | NPT_PCD));
	assert_true(*slot_at(&f.t, 0x2000, 0) ==
		    (0xb000 | NPT_P | NPT_US | NPT_NX | NPT_PWT));
	assert_int_equal(map_err(&f, 0x3000, 0x1000, 0xc000,
				 slat_attrs_make(SLAT_PERM_R, SLAT_MT_WC)),
			 SLAT_EMEMTYPE);
	assert_int_equal(map_err(&f, 0x3000, 0x1000, 0xc000,
				 slat_attrs_make(SLAT_PERM_R, SLAT_MT_WP)),
			 SLAT_EMEMTYPE);
	nfx_fini(&f);
}

/* Without GMET: present means readable, and one NX bit for all privileges. */
static void test_perm_errors(void **state)
{
	static const unsigned bad[] = {
		SLAT_PERM_W, SLAT_PERM_X, SLAT_PERM_W | SLAT_PERM_X,
		SLAT_PERM_XS, SLAT_PERM_XU, SLAT_PERM_R | SLAT_PERM_XS,
		SLAT_PERM_R | SLAT_PERM_XU, SLAT_PERM_RW | SLAT_PERM_XS,
	};
	struct nfx f;
	struct slat_mapping m;
	struct slat_attrs a;
	unsigned i;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(map_err(&f, 0x1000, 0x1000, 0x5000,
					 slat_attrs_make(bad[i], SLAT_MT_WB)),
				 SLAT_EPERM);
	/* The nested type always combines with the guest's: no FORCE. */
	a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	a.flags = SLAT_ATTR_MT_FORCE;
	assert_int_equal(map_err(&f, 0x1000, 0x1000, 0x5000, a), SLAT_EMEMTYPE);
	a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	a.share = SLAT_SH_INNER;
	assert_int_equal(map_err(&f, 0x1000, 0x1000, 0x5000, a), SLAT_EMEMTYPE);
	/* Nothing was written. */
	assert_int_equal(slat_table_pages(&f.t), 1);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_ENOENT);
	nfx_fini(&f);
}

/* GMET: U/S = 1 executes at CPL 3 only, U/S = 0 at every CPL; execution
 * by supervisor code alone has no encoding. */
static void test_gmet(void **state)
{
	struct nfx f;
	struct slat_mapping m;
	struct probs c;

	(void)state;
	nfx_prepare(&f);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	nfx_create(&f);
	map_ok(&f, 0x1000, 0x1000, 0xa000,
	       slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XU, SLAT_MT_WB));
	map_ok(&f, 0x2000, 0x1000, 0xb000, slat_attrs_make(SLAT_PERM_RX, SLAT_MT_WB));
	map_ok(&f, 0x3000, 0x1000, 0xc000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	map_ok(&f, 0x4000, 0x1000, 0xd000, slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB));
	assert_true(*slot_at(&f.t, 0x1000, 0) == (0xa000 | NPT_P | NPT_US));
	assert_true(*slot_at(&f.t, 0x2000, 0) == (0xb000 | NPT_P));
	assert_true(*slot_at(&f.t, 0x3000, 0) ==
		    (0xc000 | NPT_P | NPT_RW | NPT_US | NPT_NX));
	assert_true(*slot_at(&f.t, 0x4000, 0) == (0xd000 | NPT_P | NPT_RW));
	expect_table_entry(*slot_at(&f.t, 0x1000, 1));
	assert_int_equal(map_err(&f, 0x5000, 0x1000, 0xe000,
				 slat_attrs_make(SLAT_PERM_R | SLAT_PERM_XS, SLAT_MT_WB)),
			 SLAT_EPERM);
	assert_int_equal(map_err(&f, 0x5000, 0x1000, 0xe000,
				 slat_attrs_make(SLAT_PERM_RW | SLAT_PERM_XS, SLAT_MT_WB)),
			 SLAT_EPERM);
	assert_int_equal(map_err(&f, 0x5000, 0x1000, 0xe000,
				 slat_attrs_make(SLAT_PERM_XU, SLAT_MT_WB)),
			 SLAT_EPERM);

	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
	assert_int_equal(m.attrs.perms, SLAT_PERM_R | SLAT_PERM_XU);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x2000), &m), SLAT_OK);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RX);
	/* U/S = 0 leaves are what GMET is for: nothing to report. */
	validate(&f.t, &c);
	assert_int_equal(c.n, 0);

	/* Protect from user-only to every-CPL execute clears U/S. */
	{
		struct slat_prot p = slat_prot_perms(SLAT_PERM_RX);

		assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &p,
					      &f.g),
				 SLAT_OK);
		assert_true(*slot_at(&f.t, 0x1000, 0) == (0xa000 | NPT_P));
		p = slat_prot_perms(SLAT_PERM_R | SLAT_PERM_XS);
		assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &p,
					      &f.g),
				 SLAT_EPERM);
	}
	nfx_fini(&f);
}

/* ---- configuration ----------------------------------------------------- */

static int init_with(struct nfx *f)
{
	int err = slat_table_init(&f->t, &f->cfg);

	if (err == SLAT_OK)
		slat_table_destroy(&f->t);
	return err;
}

static void test_config_errors(void **state)
{
	static const uint64_t bad_pat[] = {
		0x0007040600070402ull, /* PA0 = 2, reserved */
		0x0007040600070306ull, /* PA1 = 3, reserved */
		0x0807040600070406ull, /* PA7 = 8 */
		0x0007040600074006ull, /* PA1 = 0x40: bits 7:3 reserved */
	};
	struct nfx f;
	unsigned i;

	(void)state;
	nfx_prepare(&f);
	for (i = 0; i < sizeof(bad_pat) / sizeof(bad_pat[0]); i++) {
		f.cfg.host_pat = bad_pat[i];
		assert_int_equal(init_with(&f), SLAT_ECONFIG);
	}
	f.cfg.host_pat = PAT_LINUX;
	assert_int_equal(init_with(&f), SLAT_OK);
	f.cfg.host_pat = 0;

	f.cfg.levels = 3;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.levels = 6;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.levels = 4;
	f.cfg.ia_bits = 49;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.levels = 0;
	f.cfg.ia_bits = 31;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 58;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.ia_bits = 48;
	f.cfg.granule_lg2 = 16;
	assert_int_equal(init_with(&f), SLAT_ECONFIG);
	f.cfg.granule_lg2 = 12;
	assert_int_equal(init_with(&f), SLAT_OK);

	/* A host in 4-level paging: no five levels, and no input beyond 48
	 * bits; in 5-level paging, no four. */
	f.cfg.levels = 5;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(48, 57, 0), 0, CR4_LA57);
	f.cfg.levels = 4;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	f.cfg.levels = 0;
	assert_int_equal(slat_table_init(&f.t, &f.cfg), SLAT_OK); /* 48-bit guest */
	assert_int_equal(slat_table_levels(&f.t), 5);
	slat_table_destroy(&f.t);
	/* A 40-bit guest-physical space refuses a 41-bit table. */
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(48, 48, 40), 0, 0);
	f.cfg.ia_bits = 41;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	f.cfg.ia_bits = 40;
	assert_int_equal(init_with(&f), SLAT_OK);
	/* GMET and A/D requested from caps without them. */
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	f.caps.flags &= ~(uint32_t)SLAT_CAP_AD;
	f.cfg.features = SLAT_FEAT_AD;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	f.cfg.features = 0;
	/* A physical width the format cannot hold. */
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(48, 48, 0), 0, 0);
	f.caps.pa_bits = 53;
	assert_int_equal(init_with(&f), SLAT_ECAPS);
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(48, 48, 0), 0, 0);

	/* Software bits: 58:52 first, 11:9 on request, nothing else. */
	f.cfg.sw_bits = 4;
	assert_int_equal(slat_table_init(&f.t, &f.cfg), SLAT_OK);
	assert_true(slat_table_sw_positions(&f.t) == (0xfull << 52));
	slat_table_destroy(&f.t);
	f.cfg.sw_bits = 8; /* only seven preferred bits */
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_bits = 0;
	f.cfg.sw_positions = (1ull << 9) | (1ull << 10) | (1ull << 58);
	assert_int_equal(init_with(&f), SLAT_OK);
	f.cfg.sw_positions = 1ull << 11; /* marks a no-access leaf */
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 1ull << 59; /* protection key */
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 1ull << 62;
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = NPT_G;
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = NPT_PATL;
	assert_int_equal(init_with(&f), SLAT_ESWBITS);
	f.cfg.sw_positions = 0;

	/* Caps of another format. */
	f.caps.format = SLAT_FORMAT_EPT;
	assert_int_equal(init_with(&f), SLAT_EFORMAT);
	assert_int_equal(f.pool.in_use, 0);
	slat_pool_fini(&f.pool);
}

/* Software bits land in 58:52 and read back. */
static void test_sw_bits(void **state)
{
	struct nfx f;
	struct slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	struct slat_mapping m;

	(void)state;
	nfx_prepare(&f);
	f.cfg.sw_bits = 3;
	nfx_create(&f);
	a.sw = 0x5;
	map_ok(&f, 0x200000, 2 * MiB, 0x400000, a);
	assert_true(*slot_at(&f.t, 0x200000, 1) ==
		    (0x400000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PS |
		     (1ull << 52) | (1ull << 54)));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x200000), &m), SLAT_OK);
	assert_int_equal(m.attrs.sw, 0x5);
	a.sw = 0x8;
	assert_int_equal(map_err(&f, 0x0, 0x1000, 0x1000, a), SLAT_ESWBITS);
	nfx_fini(&f);
}

/* Five levels (host CR4.LA57): a PML5E on top, also for a narrow guest. */
static void test_five_levels(void **state)
{
	struct nfx f;
	uint64_t top;

	(void)state;
	nfx_prepare(&f);
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(52, 57, 0), EXT_1G, CR4_LA57);
	f.cfg.ia_bits = 52;
	nfx_create(&f);
	assert_int_equal(slat_table_levels(&f.t), 5);
	map_ok(&f, 1ull << 51, 0x1000, 0x9000, slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB));
	/* GPA bit 51 is index 8 of the PML5 (bits 56:48). */
	assert_true(slot_at(&f.t, 1ull << 51, 4) == &table_of_c(&f.t)->root[8]);
	expect_table_entry(table_of_c(&f.t)->root[8]);
	assert_true(*slot_at(&f.t, 1ull << 51, 0) ==
		    (0x9000 | NPT_P | NPT_US | NPT_NX));
	nfx_fini(&f);

	nfx_prepare(&f);
	caps_from(&f.caps, SVM_NP, ADDR_SIZES(52, 57, 0), EXT_1G, CR4_LA57);
	f.cfg.ia_bits = 40;
	f.cfg.levels = 5;
	nfx_create(&f);
	assert_int_equal(slat_table_levels(&f.t), 5);
	map_ok(&f, (1ull << 40) - 0x1000, 0x1000, 0x9000,
	       slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB));
	top = table_of_c(&f.t)->root[0];
	expect_table_entry(top);
	/* GPA bit 39 is index 1 of the PML4 (bits 47:39). */
	assert_true(slot_at(&f.t, (1ull << 40) - 0x1000, 3) ==
		    (uint64_t *)table_of_c(&f.t)->alloc.phys_to_virt(table_of_c(&f.t)->alloc.ctx, top & NPT_ADDR) + 1);
	assert_int_equal(map_err(&f, 1ull << 40, 0x1000, 0x9000,
				 slat_attrs_make(SLAT_PERM_R, SLAT_MT_WB)),
			 SLAT_EGPA);
	nfx_fini(&f);
}

/* ---- capabilities, nCR3, TLB_CONTROL ----------------------------------- */

static void test_caps(void **state)
{
	struct slat_caps c;

	(void)state;
	/* QEMU TCG qemu64,+svm,+npt: NP only, 40-bit physical, 48-bit linear. */
	caps_from(&c, SVM_NP, 0x3028, 0, 0);
	assert_int_equal(c.format, SLAT_FORMAT_NPT);
	assert_int_equal(c.flags, SLAT_CAP_LEVELS4 | SLAT_CAP_AD |
				  SLAT_CAP_WALK_WB | SLAT_CAP_INV_ALL);
	assert_true(c.page_sizes == ((1ull << 12) | (1ull << 21)));
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(c.ia_bits, 40);
	assert_int_equal(c.granules, 1);

	/* Everything: FlushByAsid, GMET, Page1GB, a host in 5-level paging (so
	 * only 5-level tables), a 44-bit guest space. */
	caps_from(&c, SVM_NP | SVM_FBA | SVM_GMET, ADDR_SIZES(48, 57, 44), EXT_1G,
		  CR4_LA57);
	assert_int_equal(c.flags, SLAT_CAP_LEVELS5 |
				  SLAT_CAP_AD | SLAT_CAP_WALK_WB |
				  SLAT_CAP_INV_ALL | SLAT_CAP_INV_SINGLE |
				  SLAT_CAP_SPLIT_EXEC);
	assert_true(c.page_sizes == ((1ull << 12) | (1ull << 21) | (1ull << 30)));
	assert_int_equal(c.pa_bits, 48);
	assert_int_equal(c.ia_bits, 44);

	/* FlushByAsid alone; GMET alone. */
	caps_from(&c, SVM_NP | SVM_FBA, ADDR_SIZES(48, 48, 0), 0, 0);
	assert_true(c.flags & SLAT_CAP_INV_SINGLE);
	assert_false(c.flags & SLAT_CAP_SPLIT_EXEC);
	caps_from(&c, SVM_NP | SVM_GMET, ADDR_SIZES(48, 48, 0), 0, 0);
	assert_false(c.flags & SLAT_CAP_INV_SINGLE);
	assert_true(c.flags & SLAT_CAP_SPLIT_EXEC);

	/* GuestPhysAddrSize 0 means PhysAddrSize, 48 at most without LA57. */
	caps_from(&c, SVM_NP, ADDR_SIZES(52, 48, 0), 0, 0);
	assert_int_equal(c.pa_bits, 52);
	assert_int_equal(c.ia_bits, 48);
	caps_from(&c, SVM_NP, ADDR_SIZES(52, 57, 0), 0, CR4_LA57);
	assert_int_equal(c.ia_bits, 52);

	/* No nested paging; impossible widths; no output. */
	assert_int_equal(slat_npt_caps(SVM_FBA | SVM_GMET, 0x3030, EXT_1G, 0, &c),
			 SLAT_ECAPS);
	assert_int_equal(slat_npt_caps(SVM_NP, ADDR_SIZES(31, 48, 0), 0, 0, &c),
			 SLAT_ECAPS);
	assert_int_equal(slat_npt_caps(SVM_NP, ADDR_SIZES(53, 48, 0), 0, 0, &c),
			 SLAT_ECAPS);
	assert_int_equal(slat_npt_caps(SVM_NP, 0x3030, 0, 0, NULL), SLAT_ENULL);
}

static void ept_table(struct slat_pool *pool, struct slat_caps *c,
		      struct slat_table *t)
{
	struct slat_config cfg;

	/* EPT caps: 4-level walks (bit 6), WB (bit 14); EPT allowed (ctls2 bit 33). */
	assert_int_equal(slat_ept_caps((1ull << 6) | (1ull << 14), 1ull << 33, 40, c),
			 SLAT_OK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = &slat_format_ept;
	cfg.caps = c;
	cfg.alloc = slat_pool_allocator(pool);
	cfg.ia_bits = 40;
	assert_int_equal(slat_table_init(t, &cfg), SLAT_OK);
}

static void test_ncr3(void **state)
{
	struct nfx f;
	struct slat_caps ec;
	struct slat_table et;
	uint64_t v = 0;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	assert_int_equal(slat_npt_ncr3(&f.t, &v), SLAT_OK);
	/* The root address with PWT (3) = PCD (4) = 0: a write-back walk. */
	assert_true(v == slat_table_root(&f.t).v);
	assert_true((v & 0xfff) == 0);
	assert_true(v >= POOL_PA && v < POOL_PA + POOL_SIZE);
	assert_int_equal(slat_npt_ncr3(NULL, &v), SLAT_ENULL);
	assert_int_equal(slat_npt_ncr3(&f.t, NULL), SLAT_ENULL);
	ept_table(&f.pool, &ec, &et);
	assert_int_equal(slat_npt_ncr3(&et, &v), SLAT_EFORMAT);
	slat_table_destroy(&et);
	nfx_fini(&f);
}

static void test_flush(void **state)
{
	struct nfx f, o;
	struct slat_caps ec;
	struct slat_table et;
	struct slat_gather g = SLAT_GATHER_INIT;
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);
	uint8_t tc = 0xff;

	(void)state;
	nfx_prepare(&f);
	nfx_create(&f);
	/* An empty gather asks for nothing. */
	assert_int_equal(slat_npt_flush(&f.t, &f.g, &tc), SLAT_OK);
	assert_int_equal(tc, SLAT_NPT_TLB_NONE);
	/* Filling a hole changes no cached translation. */
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	tc = 0xff;
	assert_int_equal(slat_npt_flush(&f.t, &f.g, &tc), SLAT_OK);
	assert_int_equal(tc, SLAT_NPT_TLB_NONE);
	/* Taking write away does: FlushByAsid gives TLB_CONTROL 03h. */
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &p, &f.g),
			 SLAT_OK);
	assert_int_equal(slat_npt_flush(&f.t, &f.g, &tc), SLAT_OK);
	assert_int_equal(tc, 3);
	/* A changed table entry alone also needs a flush. */
	slat_gather_init(&g);
	gather_of(&g)->flags = SLAT_GATHER_TABLES;
	assert_int_equal(slat_npt_flush(&f.t, &g, &tc), SLAT_OK);
	assert_int_equal(tc, 3);

	/* Without FlushByAsid: 01h, the whole TLB. */
	nfx_prepare(&o);
	caps_from(&o.caps, SVM_NP, ADDR_SIZES(48, 48, 0), 0, 0);
	nfx_create(&o);
	map_ok(&o, 0x1000, 0x1000, 0x5000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	assert_int_equal(slat_unmap(&o.t, slat_gpa(0x1000), 0x1000, &o.g), SLAT_OK);
	assert_int_equal(slat_npt_flush(&o.t, &o.g, &tc), SLAT_OK);
	assert_int_equal(tc, 1);
	/* A gather of another table. */
	assert_int_equal(slat_npt_flush(&o.t, &f.g, &tc), SLAT_EGATHER);
	nfx_fini(&o);

	assert_int_equal(slat_npt_flush(NULL, &f.g, &tc), SLAT_ENULL);
	assert_int_equal(slat_npt_flush(&f.t, NULL, &tc), SLAT_ENULL);
	assert_int_equal(slat_npt_flush(&f.t, &f.g, NULL), SLAT_ENULL);
	ept_table(&f.pool, &ec, &et);
	slat_gather_init(&g);
	assert_int_equal(slat_npt_flush(&et, &g, &tc), SLAT_EFORMAT);
	slat_table_destroy(&et);
	nfx_fini(&f);
}

/* ---- accessed / dirty, split ------------------------------------------- */

static void test_accessed_dirty(void **state)
{
	struct nfx f;
	uint64_t bitmap[1] = { 0 }, found = 0, acc = 0;
	struct slat_mapping m;
	uint8_t tc;

	(void)state;
	nfx_prepare(&f);
	f.cfg.features = SLAT_FEAT_AD;
	nfx_create(&f);
	map_ok(&f, 0x0, 0x4000, 0x10000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	/* New leaves start with A = D = 0. */
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0x11000 | NPT_P | NPT_RW | NPT_US | NPT_NX));
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), false), SLAT_OK);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x2000), true), SLAT_OK);
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0x11000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_A));
	assert_true(*slot_at(&f.t, 0x2000, 0) ==
		    (0x12000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_A | NPT_D));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x2000), &m), SLAT_OK);
	assert_true(m.accessed && m.dirty);

	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x4000, bitmap, 1, 0,
					    &found, &f.g),
			 SLAT_OK);
	assert_true(bitmap[0] == 0x4);
	assert_true(found == 1);
	/* D cleared, A kept; the cleared D must reach the TLB. */
	assert_true(*slot_at(&f.t, 0x2000, 0) ==
		    (0x12000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_A));
	assert_int_equal(slat_npt_flush(&f.t, &f.g, &tc), SLAT_OK);
	assert_int_equal(tc, SLAT_NPT_TLB_ASID);
	assert_int_equal(slat_accessed(&f.t, slat_gpa(0), 0x4000, 0, &acc, &f.g),
			 SLAT_OK);
	assert_true(acc == 2);
	assert_true(*slot_at(&f.t, 0x1000, 0) ==
		    (0x11000 | NPT_P | NPT_RW | NPT_US | NPT_NX));
	nfx_fini(&f);

	/* Without SLAT_FEAT_AD the bits are not libslat's business. */
	nfx_prepare(&f);
	nfx_create(&f);
	map_ok(&f, 0x0, 0x1000, 0x10000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0), true), SLAT_OK);
	assert_true(*slot_at(&f.t, 0, 0) ==
		    (0x10000 | NPT_P | NPT_RW | NPT_US | NPT_NX));
	assert_int_equal(slat_dirty_harvest(&f.t, slat_gpa(0), 0x1000, bitmap, 1, 0,
					    &found, &f.g),
			 SLAT_ENOFEAT);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), false), SLAT_ENOENT);
	nfx_fini(&f);
}

/* Splitting a 2 MiB WP leaf (Linux PAT index 5 = PAT | PWT) moves the PAT
 * bit from 12 to 7 and keeps A/D in every 4 KiB leaf. */
static void test_split_2m(void **state)
{
	struct nfx f;
	struct slat_mapping m;
	struct probs c;
	unsigned i;

	(void)state;
	nfx_prepare(&f);
	f.cfg.host_pat = PAT_LINUX;
	f.cfg.features = SLAT_FEAT_AD;
	nfx_create(&f);
	map_ok(&f, 0x600000, 2 * MiB, 0x1200000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WP));
	assert_true(*slot_at(&f.t, 0x600000, 1) ==
		    (0x1200000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT |
		     NPT_PS | NPT_PATL));
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x634000), true), SLAT_OK);
	assert_true(*slot_at(&f.t, 0x600000, 1) ==
		    (0x1200000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT |
		     NPT_PS | NPT_PATL | NPT_A | NPT_D));
	assert_int_equal(slat_table_pages(&f.t), 3);

	assert_int_equal(slat_split(&f.t, slat_gpa(0x600000), 2 * MiB, 12, &f.g),
			 SLAT_OK);
	assert_int_equal(slat_table_pages(&f.t), 4);
	expect_table_entry(*slot_at(&f.t, 0x600000, 1));
	for (i = 0; i < 512; i++)
		assert_true(*slot_at(&f.t, 0x600000 + i * 0x1000ull, 0) ==
			    ((0x1200000 + i * 0x1000ull) | NPT_P | NPT_RW | NPT_US |
			     NPT_NX | NPT_PWT | NPT_PAT4K | NPT_A | NPT_D));
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x7ff000), &m), SLAT_OK);
	assert_int_equal(m.attrs.memtype, SLAT_MT_WP);
	assert_int_equal(m.attrs.perms, SLAT_PERM_RW);
	assert_int_equal(m.page_lg2, 12);
	assert_true(m.hpa.v == 0x13ff000);
	validate(&f.t, &c);
	assert_int_equal(c.n, 0);
	nfx_fini(&f);
}

/* Protecting half of a 2 MiB WT leaf keeps the PAT index at 4 KiB. */
static void test_protect_keeps_pat(void **state)
{
	struct nfx f;
	struct slat_prot p = slat_prot_perms(SLAT_PERM_R);

	(void)state;
	nfx_prepare(&f);
	f.cfg.host_pat = PAT_LINUX;
	nfx_create(&f);
	map_ok(&f, 0x200000, 2 * MiB, 0x800000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WT));
	assert_int_equal(slat_protect(&f.t, slat_gpa(0x200000), MiB, &p, &f.g),
			 SLAT_OK);
	assert_true(*slot_at(&f.t, 0x200000, 0) ==
		    (0x800000 | NPT_P | NPT_US | NPT_NX | NPT_PWT | NPT_PCD |
		     NPT_PAT4K));
	assert_true(*slot_at(&f.t, 0x300000, 0) ==
		    (0x900000 | NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PWT |
		     NPT_PCD | NPT_PAT4K));
	nfx_fini(&f);
}

/* ---- validation ------------------------------------------------------- */

static void test_validate(void **state)
{
	struct nfx f;
	struct probs c;
	struct slat_mapping m;
	uint64_t *slot, e, *pml4e, *pdpe, *pde;

	(void)state;
	nfx_prepare(&f);
	caps_from(&f.caps, SVM_NP | SVM_FBA, ADDR_SIZES(48, 48, 0), 0, 0);
	nfx_create(&f);
	map_ok(&f, 0x200000, 2 * MiB, 0x400000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	map_ok(&f, 0x1000, 0x1000, 0x5000, slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB));
	validate(&f.t, &c);
	assert_int_equal(c.n, 0);

	/* 2 MiB leaf with address bit 13 set: bits 20:13 are reserved. */
	slot = leaf_slot(&f.t, 0x200000, &e);
	*slot = e | (1ull << 13);
	validate(&f.t, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.p[0].kind, SLAT_PROB_RESERVED);
	assert_true(c.p[0].bits == (1ull << 13));
	assert_int_equal(c.p[0].level, 1);
	assert_true(c.p[0].gpa.v == 0x200000);
	*slot = e;

	/* A leaf with U/S = 0: every access faults without GMET, so it
	 * reads back as no access, the hardware refuses it, and libslat
	 * will not split it. */
	slot = leaf_slot(&f.t, 0x1000, &e);
	*slot = e & ~NPT_US;
	validate(&f.t, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.p[0].kind, SLAT_PROB_FEATURE);
	assert_true(c.p[0].bits == NPT_US);
	assert_int_equal(slat_translate(&f.t, slat_gpa(0x1000), &m), SLAT_OK);
	assert_int_equal(m.attrs.perms, 0);
	assert_int_equal(slat_hw_access(&f.t, slat_gpa(0x1000), false), SLAT_EPERM);
	*slot = e;
	slot = leaf_slot(&f.t, 0x200000, &e);
	*slot = e & ~NPT_US;
	assert_int_equal(slat_split(&f.t, slat_gpa(0x200000), 2 * MiB, 12, &f.g),
			 SLAT_ECORRUPT);
	*slot = e;

	/* PML4E bit 8 is MBZ on AMD; non-leaf PDPE/PDE bit 8 is ignored. */
	pml4e = slot_at(&f.t, 0x1000, 3);
	pdpe = slot_at(&f.t, 0x1000, 2);
	pde = slot_at(&f.t, 0x1000, 1);
	*pml4e |= NPT_G;
	*pdpe |= NPT_G;
	*pde |= NPT_G;
	validate(&f.t, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.p[0].kind, SLAT_PROB_RESERVED);
	assert_int_equal(c.p[0].level, 3);
	assert_true(c.p[0].bits == NPT_G);
	*pml4e &= ~NPT_G;
	*pdpe &= ~NPT_G;
	*pde &= ~NPT_G;

	/* A table entry that restricts: R/W and U/S clear, NX set. */
	*pde &= ~(NPT_RW | NPT_US);
	*pdpe |= NPT_NX | NPT_PCD;
	validate(&f.t, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.p[0].kind, SLAT_PROB_TABLE_ATTR);
	assert_int_equal(c.p[0].level, 2);
	assert_true(c.p[0].bits == (NPT_NX | NPT_PCD));
	assert_int_equal(c.p[1].kind, SLAT_PROB_TABLE_ATTR);
	assert_int_equal(c.p[1].level, 1);
	assert_true(c.p[1].bits == (NPT_RW | NPT_US));
	*pde |= NPT_RW | NPT_US;
	*pdpe &= ~(NPT_NX | NPT_PCD);

	/* A 1 GiB leaf without Page1GB: PS is MBZ in the PDPE. */
	slot = slot_at(&f.t, 1 * GiB, 2);
	assert_true(*slot == 0);
	*slot = 2 * GiB | NPT_P | NPT_RW | NPT_US | NPT_PS;
	validate(&f.t, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.p[0].kind, SLAT_PROB_RESERVED);
	assert_true(c.p[0].bits == NPT_PS);
	assert_int_equal(c.p[1].kind, SLAT_PROB_LEAF_LEVEL);
	assert_true(c.p[1].gpa.v == 1 * GiB);
	*slot = 0;

	/* Address bits beyond the physical width: the core's finding. */
	slot = leaf_slot(&f.t, 0x1000, &e);
	*slot = e | (1ull << 50);
	validate(&f.t, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.p[0].kind, SLAT_PROB_ADDR_RANGE);
	*slot = e;

	/* Accessed bits in tables are the hardware's: not a problem. */
	*pml4e |= NPT_A;
	*pde |= NPT_A;
	validate(&f.t, &c);
	assert_int_equal(c.n, 0);
	nfx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_4k_rw_wb),
		cmocka_unit_test(test_leaf_2m_rx_pat12),
		cmocka_unit_test(test_leaf_1g),
		cmocka_unit_test(test_leaf_ro_nx),
		cmocka_unit_test(test_memtypes),
		cmocka_unit_test(test_perm_errors),
		cmocka_unit_test(test_gmet),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_sw_bits),
		cmocka_unit_test(test_five_levels),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_ncr3),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_accessed_dirty),
		cmocka_unit_test(test_split_2m),
		cmocka_unit_test(test_protect_keeps_pat),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
