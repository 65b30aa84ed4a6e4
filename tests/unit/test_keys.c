/* SPDX-License-Identifier: MIT */
/*
 * Host memory keys: AMD SME's C-bit in NPT entries, Intel MKTME/TDX KeyIDs
 * in EPT entries, and their refusal on Arm Stage-2. Expected entries are
 * written by hand from:
 *  - AMD APM vol. 2 §7.10.1 (CPUID Fn8000_001F EBX[5:0] C-bit position,
 *    EBX[11:6] physical-address reduction, SYSCFG[23]) and §5.4 (entry
 *    bits: P 0, R/W 1, U/S 2, PS 7, NX 63);
 *  - the Intel memory-encryption specification (IA32_TME_ACTIVATE 0x982:
 *    lock 0, enable 1, MK_TME_KEYID_BITS 35:32; the KeyID is the top
 *    KEYID_BITS bits below MAXPHYADDR), the TDX partitioning MSR 0x87
 *    (31:0 MKTME KeyIDs, 63:32 TDX-private KeyIDs after them), and SDM
 *    vol. 3C §29.3.2 (EPT R 0, W 1, X 2, memory type 5:3, PS 7).
 * No emulator here implements SME or MKTME, so these are the only checks.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* AMD APM vol. 2 §5.4. */
#define P (1ull << 0)
#define RW (1ull << 1)
#define US (1ull << 2)
#define NPS (1ull << 7)
#define NX (1ull << 63)
/* Intel SDM vol. 3C §29.3.2, §29.3.7. */
#define ER (1ull << 0)
#define EW (1ull << 1)
#define EX (1ull << 2)
#define EPS (1ull << 7)
#define EMT_WB (6ull << 3)

/* CPUID Fn8000_001F: EAX[0] SME, EAX[1] SEV; EBX as described above. */
#define SME_EAX 0x3u
#define SME_EBX(cbit, reduce) ((uint32_t)(cbit) | ((uint32_t)(reduce) << 6))
#define SYSCFG_MEMENC (1ull << 23)
/* IA32_TME_ACTIVATE: locked, enabled, `bits` KeyID bits. */
#define TME(bits) (0x3ull | ((uint64_t)(bits) << 32))

static void count_kind(void *ctx, const struct slat_problem *p)
{
	unsigned *seen = ctx;

	seen[p->kind]++;
}

static struct slat_mapping translate(const struct fx *f, uint64_t gpa)
{
	struct slat_mapping m;

	assert_int_equal(slat_translate(&f->t, slat_gpa(gpa), &m), SLAT_OK);
	return m;
}

static int map(struct fx *f, uint64_t gpa, uint64_t size, uint64_t hpa,
	       unsigned perms, unsigned key)
{
	struct slat_attrs a = slat_attrs_make(perms, SLAT_MT_WB);

	a.key = (uint16_t)key;
	return slat_map(&f->t, slat_gpa(gpa), size, slat_hpa(hpa), &a, 0, &f->g);
}

/* Walk by hand to the entry at `level`, taking `keys` out of table addresses. */
static uint64_t *slot_at(const struct fx *f, uint64_t gpa, unsigned level, uint64_t keys)
{
	unsigned lv = slat_table_levels(&f->t) - 1;
	uint64_t *table = table_of_c(&f->t)->alloc.phys_to_virt(table_of_c(&f->t)->alloc.ctx, slat_table_root(&f->t).v);

	for (;;) {
		uint64_t *e = &table[(gpa >> (12 + 9 * lv)) & 511];

		if (lv == level)
			return e;
		table = table_of_c(&f->t)->alloc.phys_to_virt(table_of_c(&f->t)->alloc.ctx,
						*e & 0x000ffffffffff000ull & ~keys);
		lv--;
	}
}

/* An SME host with PhysAddrSize 48 and the C-bit at 47 (the position
 * Linux's documentation and QEMU's SEV examples use for EPYC), and 5 bits
 * of reduction: 43 address bits are left. */
static void npt_sme(struct fx *f, unsigned features)
{
	fx_prepare(f, &slat_format_npt);
	assert_int_equal(slat_npt_caps_sme(&f->caps, SME_EAX, SME_EBX(47, 5), SYSCFG_MEMENC),
			 SLAT_OK);
	f->cfg.features = features;
}

/* MAXPHYADDR 46 with 6 KeyID bits: KeyIDs in PA bits 45:40, 40 address bits. */
static void ept_mktme(struct fx *f, unsigned features, uint64_t partitioning)
{
	fx_prepare(f, &slat_format_ept);
	assert_int_equal(slat_ept_caps_mktme(&f->caps, TME(6), partitioning), SLAT_OK);
	f->cfg.features = features;
}

/* ---- capability decoding ------------------------------------------------ */

static void test_caps_sme(void **state)
{
	struct slat_caps c, before;

	(void)state;
	caps_npt_full(&c);
	assert_int_equal(c.pa_bits, 48);
	assert_int_equal(c.key_bits, 0);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(47, 5), SYSCFG_MEMENC), SLAT_OK);
	assert_int_equal(c.pa_bits, 43);   /* 48 - 5 */
	assert_int_equal(c.key_shift, 47);
	assert_int_equal(c.key_bits, 1);
	assert_int_equal(c.key_max, 1);
	assert_int_equal(c.ia_bits, 48);   /* guest-physical width untouched (§15.34.6) */

	/* C-bit 51 on a 52-bit host with one bit of reduction: 51 bits left. */
	assert_int_equal(slat_npt_caps(1, 0x3434, 1u << 26, 0, &c), SLAT_OK);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(51, 1), SYSCFG_MEMENC), SLAT_OK);
	assert_int_equal(c.pa_bits, 51);
	assert_int_equal(c.key_shift, 51);

	/* A C-bit inside the width with no reduction still takes its bit
	 * and everything above it: 47 address bits. */
	caps_npt_full(&c);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(47, 0), SYSCFG_MEMENC), SLAT_OK);
	assert_int_equal(c.pa_bits, 47);

	/* Refusals leave the caps alone. */
	caps_npt_full(&c);
	before = c;
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(47, 5), 0), SLAT_ECAPS);
	assert_int_equal(slat_npt_caps_sme(&c, 0x2, SME_EBX(47, 5), SYSCFG_MEMENC), SLAT_ECAPS);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(52, 0), SYSCFG_MEMENC), SLAT_ECAPS);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(47, 20), SYSCFG_MEMENC), SLAT_ECAPS);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(slat_npt_caps_sme(NULL, SME_EAX, 0, SYSCFG_MEMENC), SLAT_ENULL);
	caps_ept_full(&c);
	assert_int_equal(slat_npt_caps_sme(&c, SME_EAX, SME_EBX(47, 5), SYSCFG_MEMENC), SLAT_EFORMAT);
}

static void test_caps_mktme(void **state)
{
	struct slat_caps c, before;

	(void)state;
	caps_ept_full(&c);
	assert_int_equal(c.pa_bits, 46);
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6), 0), SLAT_OK);
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(c.key_shift, 40);
	assert_int_equal(c.key_bits, 6);
	assert_int_equal(c.key_max, 63);   /* KeyIDs 1..2^6-1 */

	/* TDX: 31 MKTME KeyIDs (1..31), 32 TDX-private ones (32..63). */
	caps_ept_full(&c);
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6), (32ull << 32) | 31), SLAT_OK);
	assert_int_equal(c.key_max, 31);
	assert_int_equal(c.pa_bits, 40);
	/* Every KeyID private to TDX: the width still shrinks, no key is left. */
	caps_ept_full(&c);
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6), 63ull << 32), SLAT_OK);
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(c.key_bits, 6);
	assert_int_equal(c.key_max, 0);

	caps_ept_full(&c);
	before = c;
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6) & ~1ull, 0), SLAT_ECAPS); /* unlocked */
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6) & ~2ull, 0), SLAT_ECAPS); /* disabled */
	assert_int_equal(slat_ept_caps_mktme(&c, TME(0), 0), SLAT_ECAPS);         /* plain TME */
	assert_int_equal(slat_ept_caps_mktme(&c, TME(15), 0), SLAT_ECAPS);        /* 31 bits left */
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6), (33ull << 32) | 31), SLAT_ECAPS); /* 64 > 63 */
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(slat_ept_caps_mktme(NULL, TME(6), 0), SLAT_ENULL);
	caps_npt_full(&c);
	assert_int_equal(slat_ept_caps_mktme(&c, TME(6), 0), SLAT_EFORMAT);
}

/* ---- NPT: the C-bit ----------------------------------------------------- */

static void test_npt_cbit_leaves(void **state)
{
	const uint64_t C = 1ull << 47;
	struct slat_mapping m;
	struct fx f;
	uint64_t *pte, *pde, ncr3;

	(void)state;
	npt_sme(&f, SLAT_FEAT_KEYS);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0x1000, 0x1000, 0x5000, SLAT_PERM_RW, 1), SLAT_OK);
	assert_int_equal(map(&f, 0x2000, 0x1000, 0x6000, SLAT_PERM_RW, 0), SLAT_OK);
	assert_int_equal(map(&f, 2 * MiB, 2 * MiB, 0x400000, SLAT_PERM_RX, 1), SLAT_OK);
	pte = entry_at(&f.t, 0x1000, 0);
	assert_int_equal(*pte, C | 0x5000 | P | RW | US | NX);
	assert_int_equal(pte[1], 0x6000 | P | RW | US | NX);
	pde = entry_at(&f.t, 2 * MiB, 1);
	assert_int_equal(*pde, C | 0x400000 | P | US | NPS);
	/* Table entries and nCR3 stay unencrypted (table_key 0). */
	assert_int_equal(*entry_at(&f.t, 0, 1) & ~0x000ffffffffff000ull, P | RW | US);
	assert_int_equal(slat_npt_ncr3(&f.t, &ncr3), SLAT_OK);
	assert_int_equal(ncr3, slat_table_root(&f.t).v);

	/* Translate gives the address without the C-bit and the key beside it. */
	m = translate(&f, 0x1234);
	assert_int_equal(m.hpa.v, 0x5234);
	assert_int_equal(m.attrs.key, 1);
	m = translate(&f, 0x2000);
	assert_int_equal(m.attrs.key, 0);
	m = translate(&f, 2 * MiB + 0x1000);
	assert_int_equal(m.hpa.v, 0x401000);
	assert_int_equal(m.attrs.key, 1);
	expect_valid(&f.t);

	/* Split and protect keep the key in every piece. */
	assert_int_equal(slat_split(&f.t, slat_gpa(2 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	pte = entry_at(&f.t, 2 * MiB + 0x3000, 0);
	assert_int_equal(*pte, C | 0x403000 | P | US);
	{
		struct slat_prot wp = { 0 };

		wp.perm_clear = SLAT_PERM_W;
		assert_int_equal(slat_protect(&f.t, slat_gpa(0x1000), 0x1000, &wp, &f.g), SLAT_OK);
	}
	assert_int_equal(*entry_at(&f.t, 0x1000, 0), C | 0x5000 | P | US | NX);
	expect_valid(&f.t);
	fx_fini(&f);
}

static void test_npt_cbit_refused(void **state)
{
	struct snap before, after;
	struct fx f;

	(void)state;
	npt_sme(&f, SLAT_FEAT_KEYS);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0, 0x1000, 0x5000, SLAT_PERM_RW, 1), SLAT_OK);
	snap_take(&f.t, &before);
	/* Key 2 does not exist: the C-bit is one bit. */
	assert_int_equal(map(&f, 0x1000, 0x1000, 0x6000, SLAT_PERM_RW, 2), SLAT_EKEY);
	/* The width left is 43 bits: the last page below 2^43 is fine, 2^43
	 * is not, and a C-bit passed inside the address is an address bit
	 * beyond the width, never a key. */
	assert_int_equal(map(&f, 0x2000, 0x1000, (1ull << 43) - 0x1000, SLAT_PERM_RW, 0), SLAT_OK);
	snap_free(&before);
	snap_take(&f.t, &before);
	assert_int_equal(map(&f, 0x3000, 0x1000, 1ull << 43, SLAT_PERM_RW, 0), SLAT_EHPA);
	assert_int_equal(map(&f, 0x3000, 0x1000, (1ull << 47) | 0x7000, SLAT_PERM_RW, 0), SLAT_EHPA);
	snap_take(&f.t, &after);
	assert_true(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	fx_fini(&f);

	/* SME caps but a table without keys: keys refused, width reduced. */
	npt_sme(&f, 0);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0, 0x1000, 0x5000, SLAT_PERM_RW, 1), SLAT_EKEY);
	assert_int_equal(map(&f, 0, 0x1000, 1ull << 43, SLAT_PERM_RW, 0), SLAT_EHPA);
	fx_fini(&f);

	/* Keys on a CPU without SME: refused when the table is created. */
	fx_prepare(&f, &slat_format_npt);
	f.cfg.features = SLAT_FEAT_KEYS;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	slat_pool_fini(&f.pool);
	/* Tables' key beyond the C-bit, or without the feature. */
	npt_sme(&f, SLAT_FEAT_KEYS);
	f.cfg.table_key = 2;
	assert_int_equal(fx_create(&f), SLAT_EKEY);
	f.cfg.table_key = 1;
	f.cfg.features = 0;
	assert_int_equal(fx_create(&f), SLAT_EKEY);
	slat_pool_fini(&f.pool);
}

/* Encrypted tables: every table entry and nCR3 carry the C-bit. */
static void test_npt_encrypted_tables(void **state)
{
	const uint64_t C = 1ull << 47;
	struct slat_mapping m;
	struct fx f;
	uint64_t ncr3, *e;
	unsigned lv;

	(void)state;
	npt_sme(&f, SLAT_FEAT_KEYS);
	f.cfg.table_key = 1;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0x1000, 0x1000, 0x5000, SLAT_PERM_RW, 1), SLAT_OK);
	assert_int_equal(slat_npt_ncr3(&f.t, &ncr3), SLAT_OK);
	assert_int_equal(ncr3, slat_table_root(&f.t).v | C);
	for (lv = 3; lv > 0; lv--) {
		e = slot_at(&f, 0x1000, lv, C);
		assert_int_equal(*e & ~0x000ffffffffff000ull, P | RW | US);
		assert_true(*e & C);
		assert_true((*e & ~C & 0x000ffffffffff000ull) >= POOL_PA);
	}
	e = slot_at(&f, 0x1000, 0, C);
	assert_int_equal(*e, C | 0x5000 | P | RW | US | NX);
	m = translate(&f, 0x1000);
	assert_int_equal(m.hpa.v, 0x5000);
	expect_valid(&f.t);
	/* A table entry without the tables' key is reported, still walked. */
	e = slot_at(&f, 0x1000, 1, C);
	*e &= ~C;
	{
		unsigned seen[16] = { 0 };
		uint64_t n;

		assert_int_equal(slat_validate(&f.t, count_kind, seen, &n), SLAT_OK);
		assert_int_equal(seen[SLAT_PROB_KEY], 1);
		assert_int_equal(n, 1);
	}
	*e |= C;
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 2 * MiB, &f.g), SLAT_OK);
	fx_fini(&f);
}

/* The validator on hand-made entries: a C-bit where the table has no
 * keys, and an address bit between the reduced width and the C-bit. */
static void test_npt_cbit_validate(void **state)
{
	unsigned seen[16] = { 0 };
	struct slat_mapping m;
	struct fx f;
	uint64_t n, *pte;
	char buf[256];
	FILE *mem;

	(void)state;
	npt_sme(&f, 0);
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0, 0x2000, 0x5000, SLAT_PERM_RW, 0), SLAT_OK);
	pte = entry_at(&f.t, 0, 0);
	pte[0] |= 1ull << 47;  /* C-bit, keys off */
	pte[1] |= 1ull << 45;  /* reserved: above 43 bits, below the C-bit */
	assert_int_equal(slat_validate(&f.t, count_kind, seen, &n), SLAT_OK);
	assert_int_equal(seen[SLAT_PROB_KEY], 1);
	assert_int_equal(seen[SLAT_PROB_ADDR_RANGE], 1);
	assert_int_equal(n, 2);
	/* Translate shows it as it is: the key apart from the address. */
	m = translate(&f, 0);
	assert_int_equal(m.hpa.v, 0x5000);
	assert_int_equal(m.attrs.key, 1);
	/* The dump prints the key. */
	mem = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(mem);
	assert_int_equal(slat_dump_file(&f.t, slat_gpa(0), 0x1000, mem), SLAT_OK);
	fclose(mem);
	assert_non_null(strstr(buf, " key=1\n"));
	/* Such a leaf is not libslat's: protect refuses to rewrite it. */
	{
		struct slat_prot wp = { 0 };

		wp.perm_clear = SLAT_PERM_W;
		assert_int_equal(slat_protect(&f.t, slat_gpa(0), 0x1000, &wp, &f.g),
				 SLAT_ECORRUPT);
	}
	pte[0] = pte[1] = 0;
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 0x2000, &f.g), SLAT_OK);
	fx_fini(&f);
}

/* ---- EPT: KeyIDs -------------------------------------------------------- */

static void test_ept_keyid_leaves(void **state)
{
	struct slat_mapping m;
	struct fx f;
	uint64_t eptp;

	(void)state;
	ept_mktme(&f, SLAT_FEAT_KEYS, 0);
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* KeyID 5 = 0b000101: PA bits 40 and 42. */
	assert_int_equal(map(&f, 0x1000, 0x1000, 0x5000, SLAT_PERM_RW, 5), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 0x1000, 0),
			 (1ull << 42) | (1ull << 40) | 0x5000 | ER | EW | EMT_WB);
	/* KeyID 63 fills bits 45:40. */
	assert_int_equal(map(&f, 2 * MiB, 2 * MiB, 0x200000, SLAT_PERM_RWX, 63), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 2 * MiB, 1),
			 0x00003f0000000000ull | 0x200000 | ER | EW | EX | EMT_WB | EPS);
	m = translate(&f, 0x1abc);
	assert_int_equal(m.hpa.v, 0x5abc);
	assert_int_equal(m.attrs.key, 5);
	m = translate(&f, 3 * MiB);
	assert_int_equal(m.hpa.v, 0x300000);
	assert_int_equal(m.attrs.key, 63);
	/* The EPTP: root, WB walks (6), 4 levels (3 << 3), KeyID 0. */
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, slat_table_root(&f.t).v | 6 | (3 << 3));
	expect_valid(&f.t);
	/* The 2 MiB leaf split: 512 pages under KeyID 63. */
	assert_int_equal(slat_split(&f.t, slat_gpa(2 * MiB), 2 * MiB, 12, &f.g), SLAT_OK);
	assert_int_equal(*entry_at(&f.t, 2 * MiB + 511 * 0x1000, 0),
			 0x00003f0000000000ull | 0x3ff000 | ER | EW | EX | EMT_WB);
	/* 64 needs a seventh bit; 2^40 is beyond the 40 address bits. */
	assert_int_equal(map(&f, 0x8000, 0x1000, 0x8000, SLAT_PERM_RW, 64), SLAT_EKEY);
	assert_int_equal(map(&f, 0x8000, 0x1000, 1ull << 40, SLAT_PERM_RW, 0), SLAT_EHPA);
	expect_valid(&f.t);
	fx_fini(&f);
}

/* With TDX, KeyIDs past the MKTME ones are the TDX module's. */
static void test_ept_tdx_partition(void **state)
{
	unsigned seen[16] = { 0 };
	struct fx f;
	uint64_t n, eptp, *pte;

	(void)state;
	ept_mktme(&f, SLAT_FEAT_KEYS, (32ull << 32) | 31);
	f.cfg.table_key = 3;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0, 0x1000, 0x5000, SLAT_PERM_RW, 31), SLAT_OK);
	assert_int_equal(map(&f, 0x1000, 0x1000, 0x6000, SLAT_PERM_RW, 32), SLAT_EKEY);
	/* KeyID 3 (bits 41:40) in the EPTP and in every table entry. */
	assert_int_equal(slat_ept_eptp(&f.t, &eptp), SLAT_OK);
	assert_int_equal(eptp, slat_table_root(&f.t).v | (3ull << 40) | 6 | (3 << 3));
	assert_int_equal(*slot_at(&f, 0, 3, 0x3full << 40) & ~0x000000fffffff000ull,
			 (3ull << 40) | ER | EW | EX);
	assert_int_equal(*slot_at(&f, 0, 1, 0x3full << 40) & ~0x000000fffffff000ull,
			 (3ull << 40) | ER | EW | EX);
	/* A hand-written TDX-private KeyID in a leaf is reported. */
	pte = slot_at(&f, 0, 0, 0x3full << 40);
	assert_int_equal(*pte, (31ull << 40) | 0x5000 | ER | EW | EMT_WB);
	*pte = (40ull << 40) | 0x5000 | ER | EW | EMT_WB;
	assert_int_equal(slat_validate(&f.t, count_kind, seen, &n), SLAT_OK);
	assert_int_equal(seen[SLAT_PROB_KEY], 1);
	assert_int_equal(n, 1);
	assert_int_equal(slat_unmap(&f.t, slat_gpa(0), 0x1000, &f.g), SLAT_OK);
	fx_fini(&f);

	/* No MKTME KeyID left: keys refused, the address width reduced. */
	fx_prepare(&f, &slat_format_ept);
	assert_int_equal(slat_ept_caps_mktme(&f.caps, TME(6), 63ull << 32), SLAT_OK);
	f.cfg.features = SLAT_FEAT_KEYS;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.features = 0;
	assert_int_equal(fx_create(&f), SLAT_OK);
	assert_int_equal(map(&f, 0, 0x1000, 1ull << 40, SLAT_PERM_RW, 0), SLAT_EHPA);
	fx_fini(&f);

	/* A table key past the MKTME KeyIDs is refused at creation. */
	ept_mktme(&f, SLAT_FEAT_KEYS, (32ull << 32) | 31);
	f.cfg.table_key = 32;
	assert_int_equal(fx_create(&f), SLAT_EKEY);
	slat_pool_fini(&f.pool);
}

/* ---- Stage-2 and every format without keys ------------------------------ */

static void test_no_keys(void **state)
{
	const struct slat_format *fmt = *state;
	struct slat_mapping m;
	struct fx f;

	fx_init(&f, fmt);
	assert_int_equal(map(&f, 0, 0x1000, 0x5000, SLAT_PERM_RW, 1), SLAT_EKEY);
	assert_int_equal(map(&f, 0, 0x1000, 0x5000, SLAT_PERM_RW, 0), SLAT_OK);
	m = translate(&f, 0);
	assert_int_equal(m.attrs.key, 0);
	fx_fini(&f);

	fx_prepare(&f, fmt);
	f.cfg.features = SLAT_FEAT_KEYS;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	f.cfg.features = 0;
	f.cfg.table_key = 1;
	assert_int_equal(fx_create(&f), SLAT_EKEY);
	slat_pool_fini(&f.pool);
}

/* Arm has no key field: caps claiming one are refused. */
static void test_stage2_keys_refused(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_stage2);
	f.caps.key_shift = 40;
	f.caps.key_bits = 4;
	f.caps.key_max = 15;
	f.cfg.features = SLAT_FEAT_KEYS;
	assert_int_equal(fx_create(&f), SLAT_ECAPS);
	slat_pool_fini(&f.pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_sme),
		cmocka_unit_test(test_caps_mktme),
		cmocka_unit_test(test_npt_cbit_leaves),
		cmocka_unit_test(test_npt_cbit_refused),
		cmocka_unit_test(test_npt_encrypted_tables),
		cmocka_unit_test(test_npt_cbit_validate),
		cmocka_unit_test(test_ept_keyid_leaves),
		cmocka_unit_test(test_ept_tdx_partition),
		ON_ALL(test_no_keys),
		cmocka_unit_test(test_stage2_keys_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
