/* SPDX-License-Identifier: MIT */
/*
 * slat_stage2_fault(): decoding ESR_EL2, HPFAR_EL2 and FAR_EL2 of an
 * Instruction or Data Abort taken to EL2 from a lower exception level.
 *
 * Every syndrome is composed by hand from the field definitions of the Arm
 * ARM (DDI 0487, L.x): ESR_EL2 "ISS encoding for an exception from an
 * Instruction Abort / a Data Abort" (EC, IL, ISV, SAS, SRT, SF, FnV, CM,
 * S1PTW, WnR, IFSC/DFSC), the fault status code list (also in PAR_EL1.FST)
 * and HPFAR_EL2 (FIPA in bits 47:4 = IPA[55:12]). The values QEMU 7.2
 * reported in examples/vmm-stage2 are checked against those compositions,
 * then decoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <slat/slat.h>

/* ---- ESR_EL2, written from the Arm ARM ---------------------------------- */
#define EC(x) ((uint64_t)(x) << 26)
#define EC_IABT_LOW 0x20 /* Instruction Abort from a lower EL */
#define EC_IABT_CUR 0x21 /* ... taken without a change of EL */
#define EC_DABT_LOW 0x24 /* Data Abort from a lower EL */
#define EC_DABT_CUR 0x25
#define EC_HVC64 0x16
#define IL (1ull << 25)   /* 32-bit instruction */
#define ISV (1ull << 24)  /* instruction syndrome valid */
#define SAS(x) ((uint64_t)(x) << 22) /* 0 byte .. 3 doubleword */
#define SRT(r) ((uint64_t)(r) << 16)
#define SF (1ull << 15)   /* 64-bit register */
#define FNV (1ull << 10)  /* FAR not valid */
#define CM (1ull << 8)    /* cache maintenance / AT instruction */
#define S1PTW (1ull << 7) /* stage 2 fault on a stage 1 walk */
#define WNR (1ull << 6)   /* write not read */

#define IABT (EC(EC_IABT_LOW) | IL)
#define DABT (EC(EC_DABT_LOW) | IL)

/* Fault status codes; l is the Arm level. */
#define FSC_ADDRSZ(l) (0x00 + (l))
#define FSC_TRANS(l) (0x04 + (l))
#define FSC_AF(l) (0x08 + (l))
#define FSC_PERM(l) (0x0c + (l))
#define FSC_SEA 0x10
#define FSC_SEA_WALK(l) (0x14 + (l)) /* also l = -1 (0x13), -2 (0x12) */
#define FSC_ECC_WALK(l) (0x1c + (l)) /* also l = -1 (0x1b) */
#define FSC_ALIGNMENT 0x21
#define FSC_GPF_WALK(l) (0x24 + (l))  /* also l = -1, -2 */
#define FSC_GPF 0x28
#define FSC_ADDRSZ_L_1 0x29 /* level -1, FEAT_LPA2 */
#define FSC_TRANS_L_2 0x2a  /* level -2, FEAT_D128 */
#define FSC_TRANS_L_1 0x2b  /* level -1, FEAT_LPA2 */
#define FSC_ADDRSZ_L_2 0x2c /* level -2, FEAT_D128 */
#define FSC_TLB_CONFLICT 0x30
#define FSC_ATOMIC_HW 0x31

/* HPFAR_EL2.FIPA, bits 47:4, holds IPA[55:12]. */
#define HPFAR(ipa) ((((uint64_t)(ipa)) >> 12) << 4)

#define R SLAT_ACCESS_READ
#define W SLAT_ACCESS_WRITE
#define X SLAT_ACCESS_EXEC
#define NO_GPA (~0ull)
#define NO_GVA (~0ull)

struct want {
	unsigned kind;
	unsigned access;
	int level;        /* libslat numbering: 0 = Arm level 3 */
	bool walk;
	uint64_t gpa;     /* NO_GPA: gpa_valid must be false (and gpa 0) */
	uint64_t gva;     /* NO_GVA: gva_valid must be false (and gva 0) */
};

static void expect(uint64_t esr, uint64_t hpfar, uint64_t far, struct want w)
{
	struct slat_fault f;

	memset(&f, 0xa5, sizeof(f));
	assert_int_equal(slat_stage2_fault(esr, hpfar, far, &f), SLAT_OK);
	assert_int_equal(f.kind, w.kind);
	assert_int_equal(f.access, w.access);
	assert_int_equal(f.level, w.level);
	assert_int_equal(f.guest_walk, w.walk);
	if (w.gpa == NO_GPA) {
		assert_false(f.gpa_valid);
		assert_true(f.gpa.v == 0);
	} else {
		assert_true(f.gpa_valid);
		assert_true(f.gpa.v == w.gpa);
	}
	if (w.gva == NO_GVA) {
		assert_false(f.gva_valid);
		assert_true(f.gva == 0);
	} else {
		assert_true(f.gva_valid);
		assert_true(f.gva == w.gva);
	}
	/* An ESR never says what the translation allowed, nor the guest's EL. */
	assert_false(f.allowed_known);
	assert_int_equal(f.allowed, 0);
	assert_false(f.user_known);
	assert_false(f.user);
}

static struct want want(unsigned kind, unsigned access, int level, bool walk,
			uint64_t gpa, uint64_t gva)
{
	struct want w = { kind, access, level, walk, gpa, gva };

	return w;
}

/* ---- the values QEMU 7.2 (-cpu max) reported in examples/vmm-stage2 ---- */

/* ro-page-write-faults: STR x0 to a read-only page at EL1. HPFAR_EL2 is
 * UNKNOWN for a permission fault (QEMU fills it anyway: 0x1404000). */
static void test_qemu_write_readonly(void **state)
{
	(void)state;
	assert_true((DABT | ISV | SAS(3) | SRT(0) | SF | WNR | FSC_PERM(3)) == 0x93c0804full);
	expect(0x93c0804full, 0x1404000, 0x140400100,
	       want(SLAT_FAULT_PERMISSION, W, 0, false, NO_GPA, 0x140400100));
	/* write-protect-live: the same syndrome on another page */
	expect(0x93c0804full, 0x1404030, 0x140403080,
	       want(SLAT_FAULT_PERMISSION, W, 0, false, NO_GPA, 0x140403080));
}

/* block-split-live: STR x1 to the page made read-only inside a split block. */
static void test_qemu_write_split_block(void **state)
{
	(void)state;
	assert_true((DABT | ISV | SAS(3) | SRT(1) | SF | WNR | FSC_PERM(3)) == 0x93c1804full);
	expect(0x93c1804full, 0x1400070, 0x140007010,
	       want(SLAT_FAULT_PERMISSION, W, 0, false, NO_GPA, 0x140007010));
}

/* nx-page-fetch-faults and the two FEAT_XNX refusals (from EL1 and EL0):
 * an instruction abort carries no WnR and no instruction syndrome. */
static void test_qemu_fetch_not_executable(void **state)
{
	(void)state;
	assert_true((IABT | FSC_PERM(3)) == 0x8200000full);
	expect(0x8200000full, 0x1404010, 0x140401000,
	       want(SLAT_FAULT_PERMISSION, X, 0, false, NO_GPA, 0x140401000));
	expect(0x8200000full, 0x1404060, 0x140406000,
	       want(SLAT_FAULT_PERMISSION, X, 0, false, NO_GPA, 0x140406000));
	expect(0x8200000full, 0x1404050, 0x140405010,
	       want(SLAT_FAULT_PERMISSION, X, 0, false, NO_GPA, 0x140405010));
}

/* unmapped-ipa-faults: LDR x2 from a hole inside a level-3 table. */
static void test_qemu_read_hole(void **state)
{
	(void)state;
	assert_true((DABT | ISV | SAS(3) | SRT(2) | SF | FSC_TRANS(3)) == 0x93c28007ull);
	assert_true(HPFAR(0x140410238) == 0x1404100);
	expect(0x93c28007ull, 0x1404100, 0x140410238,
	       want(SLAT_FAULT_TRANSLATION, R, 0, false, 0x140410238, 0x140410238));
}

/* mmio-uart-emulation: LDR w1 from UARTFR and STR w3 to UARTDR, where the
 * level-1 root entry is invalid (nothing is mapped in the first GiB). */
static void test_qemu_mmio(void **state)
{
	(void)state;
	assert_true((DABT | ISV | SAS(2) | SRT(1) | FSC_TRANS(1)) == 0x93810005ull);
	assert_true((DABT | ISV | SAS(2) | SRT(3) | WNR | FSC_TRANS(1)) == 0x93830045ull);
	expect(0x93810005ull, HPFAR(0x9000018), 0x9000018,
	       want(SLAT_FAULT_TRANSLATION, R, 2, false, 0x9000018, 0x9000018));
	expect(0x93830045ull, 0x90000, 0x9000000,
	       want(SLAT_FAULT_TRANSLATION, W, 2, false, 0x9000000, 0x9000000));
}

/*
 * Stage 2 faults on the guest's stage 1 walk, from a scratch variant of
 * the VMM (NOTES.md): the guest's level-2 table at IPA 0x40012000 unmapped
 * or read-only at stage 2. ISV is 0 on a walk, FAR_EL2 holds the address
 * the instruction used, and its offset says nothing about the descriptor:
 * the IPA is the page only. QEMU 7.2 reports the guest's stage 1 level (2)
 * where the Arm ARM asks for the stage 2 level (3: a page was unmapped);
 * the decoder converts what it is given.
 */
static void test_qemu_guest_walk(void **state)
{
	(void)state;
	/* a load whose walk finds the table unmapped */
	assert_true((DABT | S1PTW | FSC_TRANS(2)) == 0x92000086ull);
	expect(0x92000086ull, 0x400120, 0x80000010,
	       want(SLAT_FAULT_TRANSLATION, R, 1, true, 0x40012000, 0x80000010));
	/* a store, same walk (a pure read of the descriptor): QEMU sets WnR,
	 * which the decoder ignores for walks */
	assert_true((DABT | S1PTW | WNR | FSC_TRANS(2)) == 0x920000c6ull);
	expect(0x920000c6ull, 0x400120, 0x80001018,
	       want(SLAT_FAULT_TRANSLATION, R, 1, true, 0x40012000, 0x80001018));
	/* a load whose walk must set AF (TCR_EL1.HA) in a read-only table:
	 * the walk's write was refused, yet QEMU reports WnR = 0 */
	assert_true((DABT | S1PTW | FSC_PERM(2)) == 0x9200008eull);
	expect(0x9200008eull, 0x400120, 0x80002020,
	       want(SLAT_FAULT_PERMISSION, R | W, 1, true, 0x40012000, 0x80002020));
	/* a fetch whose walk finds the table unmapped: not an execute access */
	assert_true((IABT | S1PTW | FSC_TRANS(2)) == 0x82000086ull);
	expect(0x82000086ull, 0x400120, 0x80003000,
	       want(SLAT_FAULT_TRANSLATION, R, 1, true, 0x40012000, 0x80003000));
}

/* ---- every fault status code, from the Arm ARM list ------------------------ */

struct fsc_row {
	unsigned fsc, kind;
	int level;        /* libslat numbering; -1 none */
	bool hpfar;       /* HPFAR_EL2 written (no S1PTW) */
};

static const struct fsc_row fsc_rows[] = {
	{ FSC_ADDRSZ(0), SLAT_FAULT_MISCONFIG, 3, true }, /* or VTTBR_EL2 */
	{ FSC_ADDRSZ(1), SLAT_FAULT_MISCONFIG, 2, true },
	{ FSC_ADDRSZ(2), SLAT_FAULT_MISCONFIG, 1, true },
	{ FSC_ADDRSZ(3), SLAT_FAULT_MISCONFIG, 0, true },
	{ FSC_TRANS(0), SLAT_FAULT_TRANSLATION, 3, true },
	{ FSC_TRANS(1), SLAT_FAULT_TRANSLATION, 2, true },
	{ FSC_TRANS(2), SLAT_FAULT_TRANSLATION, 1, true },
	{ FSC_TRANS(3), SLAT_FAULT_TRANSLATION, 0, true },
	{ FSC_AF(0), SLAT_FAULT_ACCESS_FLAG, 3, true },    /* FEAT_LPA2 */
	{ FSC_AF(1), SLAT_FAULT_ACCESS_FLAG, 2, true },
	{ FSC_AF(2), SLAT_FAULT_ACCESS_FLAG, 1, true },
	{ FSC_AF(3), SLAT_FAULT_ACCESS_FLAG, 0, true },
	{ FSC_PERM(0), SLAT_FAULT_PERMISSION, 3, false },  /* FEAT_LPA2 */
	{ FSC_PERM(1), SLAT_FAULT_PERMISSION, 2, false },
	{ FSC_PERM(2), SLAT_FAULT_PERMISSION, 1, false },
	{ FSC_PERM(3), SLAT_FAULT_PERMISSION, 0, false },
	{ FSC_SEA, SLAT_FAULT_OTHER, -1, false },
	{ FSC_SEA_WALK(-2), SLAT_FAULT_OTHER, -1, false },
	{ FSC_SEA_WALK(-1), SLAT_FAULT_OTHER, -1, false },
	{ FSC_SEA_WALK(0), SLAT_FAULT_OTHER, 3, false },
	{ FSC_SEA_WALK(1), SLAT_FAULT_OTHER, 2, false },
	{ FSC_SEA_WALK(2), SLAT_FAULT_OTHER, 1, false },
	{ FSC_SEA_WALK(3), SLAT_FAULT_OTHER, 0, false },
	{ 0x18, SLAT_FAULT_OTHER, -1, false },             /* parity/ECC, not on a walk */
	{ FSC_ECC_WALK(-1), SLAT_FAULT_OTHER, -1, false },
	{ FSC_ECC_WALK(0), SLAT_FAULT_OTHER, 3, false },
	{ FSC_ECC_WALK(1), SLAT_FAULT_OTHER, 2, false },
	{ FSC_ECC_WALK(2), SLAT_FAULT_OTHER, 1, false },
	{ FSC_ECC_WALK(3), SLAT_FAULT_OTHER, 0, false },
	{ FSC_ALIGNMENT, SLAT_FAULT_OTHER, -1, false },
	{ FSC_GPF_WALK(-2), SLAT_FAULT_OTHER, -1, false },
	{ FSC_GPF_WALK(-1), SLAT_FAULT_OTHER, -1, false },
	{ FSC_GPF_WALK(0), SLAT_FAULT_OTHER, 3, false },
	{ FSC_GPF_WALK(1), SLAT_FAULT_OTHER, 2, false },
	{ FSC_GPF_WALK(2), SLAT_FAULT_OTHER, 1, false },
	{ FSC_GPF_WALK(3), SLAT_FAULT_OTHER, 0, false },
	{ FSC_GPF, SLAT_FAULT_OTHER, -1, false },
	{ FSC_ADDRSZ_L_1, SLAT_FAULT_MISCONFIG, -1, true },
	{ FSC_TRANS_L_2, SLAT_FAULT_TRANSLATION, -1, true },
	{ FSC_TRANS_L_1, SLAT_FAULT_TRANSLATION, -1, true },
	{ FSC_ADDRSZ_L_2, SLAT_FAULT_MISCONFIG, -1, true },
	{ FSC_TLB_CONFLICT, SLAT_FAULT_OTHER, -1, false },
	{ FSC_ATOMIC_HW, SLAT_FAULT_OTHER, -1, false },
};

static const struct fsc_row *fsc_row(unsigned fsc)
{
	static const struct fsc_row other = { 0, SLAT_FAULT_OTHER, -1, false };
	size_t i;

	for (i = 0; i < sizeof(fsc_rows) / sizeof(fsc_rows[0]); i++)
		if (fsc_rows[i].fsc == fsc)
			return &fsc_rows[i];
	return &other; /* reserved or IMPLEMENTATION DEFINED codes */
}

/* All 64 codes of a data read, without and with S1PTW. */
static void test_fsc_all(void **state)
{
	const uint64_t ipa = 0x123456789abcull, far = 0xffff000012345fe8ull;
	unsigned fsc;

	(void)state;
	for (fsc = 0; fsc < 64; fsc++) {
		const struct fsc_row *r = fsc_row(fsc);
		/* the offset in the page comes from FAR_EL2 */
		const uint64_t page_ipa = (ipa & ~0xfffull) | (far & 0xfff);

		expect(DABT | fsc, HPFAR(ipa), far,
		       want(r->kind, R, r->level, false, r->hpfar ? page_ipa : NO_GPA, far));
		/* On a walk HPFAR_EL2 is also written for Permission faults,
		 * and the offset is unknown; the walk reads, and a refused
		 * walk may have been a descriptor update (write). */
		expect(DABT | S1PTW | fsc, HPFAR(ipa), far,
		       want(r->kind, r->kind == SLAT_FAULT_PERMISSION ? R | W : R,
			    r->level, true,
			    r->hpfar || r->kind == SLAT_FAULT_PERMISSION ?
				    (ipa & ~0xfffull) : NO_GPA,
			    far));
	}
}

/* ---- the access ------------------------------------------------------------ */

static void test_access(void **state)
{
	(void)state;
	/* data read and write, with and without an instruction syndrome */
	expect(DABT | FSC_TRANS(3), HPFAR(0x8000), 0x8010,
	       want(SLAT_FAULT_TRANSLATION, R, 0, false, 0x8010, 0x8010));
	expect(DABT | WNR | FSC_TRANS(3), HPFAR(0x8000), 0x8010,
	       want(SLAT_FAULT_TRANSLATION, W, 0, false, 0x8010, 0x8010));
	expect(DABT | ISV | SAS(0) | SRT(30) | WNR | FSC_AF(2), HPFAR(0x200000), 0x200001,
	       want(SLAT_FAULT_ACCESS_FLAG, W, 1, false, 0x200001, 0x200001));
	/* cache maintenance (e.g. DC CIVAC): WnR is always 1, so the access
	 * could need either permission */
	expect(DABT | CM | WNR | FSC_TRANS(3), HPFAR(0x8000), 0x8040,
	       want(SLAT_FAULT_TRANSLATION, R | W, 0, false, 0x8040, 0x8040));
	expect(DABT | CM | WNR | FSC_PERM(3), HPFAR(0x8000), 0x8040,
	       want(SLAT_FAULT_PERMISSION, R | W, 0, false, NO_GPA, 0x8040));
	/* on a walk the walk's rule wins over CM */
	expect(DABT | CM | WNR | S1PTW | FSC_TRANS(3), HPFAR(0x8000), 0x9040,
	       want(SLAT_FAULT_TRANSLATION, R, 0, true, 0x8000, 0x9040));
	/* fetches: execute, unless the walk for the fetch faulted */
	expect(IABT | FSC_TRANS(3), HPFAR(0x8000), 0x8ffc,
	       want(SLAT_FAULT_TRANSLATION, X, 0, false, 0x8ffc, 0x8ffc));
	expect(IABT | S1PTW | FSC_PERM(3), HPFAR(0x8000), 0x123000,
	       want(SLAT_FAULT_PERMISSION, R | W, 0, true, 0x8000, 0x123000));
	/* WnR is RES0 for instruction aborts: a stray bit changes nothing */
	expect(IABT | WNR | FSC_PERM(3), HPFAR(0x8000), 0x8ffc,
	       want(SLAT_FAULT_PERMISSION, X, 0, false, NO_GPA, 0x8ffc));
}

/* ---- the addresses --------------------------------------------------------- */

static void test_ipa_widths(void **state)
{
	(void)state;
	/* 48-bit IPA: FIPA in bits 39:4 */
	expect(DABT | FSC_TRANS(3), 0xfffffffff0ull, 0x123,
	       want(SLAT_FAULT_TRANSLATION, R, 0, false, 0xfffffffff123ull, 0x123));
	/* 52-bit IPA (FEAT_LPA): bits 43:4 */
	expect(DABT | FSC_TRANS_L_1, HPFAR(0xf123456789000ull), 0xabc,
	       want(SLAT_FAULT_TRANSLATION, R, -1, false, 0xf123456789abcull, 0xabc));
	/* 56-bit IPA (FEAT_D128): bits 47:4 */
	expect(DABT | FSC_TRANS_L_2, HPFAR(0xff123456789000ull), 0xabc,
	       want(SLAT_FAULT_TRANSLATION, R, -1, false, 0xff123456789abcull, 0xabc));
	/* RES0 bits 3:0, 62:48 and NS (bit 63) are not part of the address */
	expect(DABT | FSC_TRANS(3), HPFAR(0x40000000) | 0xfull | (0x7fffull << 48) | (1ull << 63),
	       0x40000008,
	       want(SLAT_FAULT_TRANSLATION, R, 0, false, 0x40000008, 0x40000008));
	/* only FAR_EL2[11:0] completes the IPA */
	expect(DABT | FSC_AF(3), HPFAR(0x7000), 0xffff80000000ffffull,
	       want(SLAT_FAULT_ACCESS_FLAG, R, 0, false, 0x7fff, 0xffff80000000ffffull));
	/* an address size fault on a walk: HPFAR_EL2 is written (Arm ARM) */
	expect(DABT | S1PTW | FSC_ADDRSZ(1), HPFAR(0x7000), 0x10,
	       want(SLAT_FAULT_MISCONFIG, R, 2, true, 0x7000, 0x10));
}

/* FAR_EL2 is valid unless FnV says otherwise (synchronous External abort). */
static void test_far_not_valid(void **state)
{
	(void)state;
	expect(DABT | FNV | FSC_SEA, HPFAR(0x7000), 0xdeadbeef,
	       want(SLAT_FAULT_OTHER, R, -1, false, NO_GPA, NO_GVA));
	expect(DABT | FSC_SEA, HPFAR(0x7000), 0xdeadbeef,
	       want(SLAT_FAULT_OTHER, R, -1, false, NO_GPA, 0xdeadbeef));
	expect(IABT | FNV | FSC_SEA, 0, 0x1000,
	       want(SLAT_FAULT_OTHER, X, -1, false, NO_GPA, NO_GVA));
}

/* ESR_EL2[63:32] (ISS2) carries nothing the decoder uses. */
static void test_iss2_ignored(void **state)
{
	(void)state;
	expect((0x1full << 32) | DABT | WNR | FSC_TRANS(3), HPFAR(0x5000), 0x5008,
	       want(SLAT_FAULT_TRANSLATION, W, 0, false, 0x5008, 0x5008));
}

/* ---- errors ------------------------------------------------------------------ */

static void test_not_a_lower_el_abort(void **state)
{
	static const uint64_t esrs[] = {
		EC(EC_IABT_CUR) | IL | FSC_PERM(3), /* taken from EL2 itself */
		EC(EC_DABT_CUR) | IL | FSC_TRANS(3),
		EC(EC_HVC64) | IL,
		0, /* EC 0: unknown reason */
		EC(0x3f) | IL | FSC_TRANS(3),
	};
	struct slat_fault f, before;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(esrs) / sizeof(esrs[0]); i++) {
		memset(&f, 0x5a, sizeof(f));
		before = f;
		assert_int_equal(slat_stage2_fault(esrs[i], HPFAR(0x1000), 0x1000, &f),
				 SLAT_EFLAGS);
		/* nothing written on failure */
		assert_memory_equal(&f, &before, sizeof(f));
	}
	assert_int_equal(slat_stage2_fault(DABT | FSC_TRANS(3), 0, 0, NULL), SLAT_ENULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_write_readonly),
		cmocka_unit_test(test_qemu_write_split_block),
		cmocka_unit_test(test_qemu_fetch_not_executable),
		cmocka_unit_test(test_qemu_read_hole),
		cmocka_unit_test(test_qemu_mmio),
		cmocka_unit_test(test_qemu_guest_walk),
		cmocka_unit_test(test_fsc_all),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_ipa_widths),
		cmocka_unit_test(test_far_not_valid),
		cmocka_unit_test(test_iss2_ignored),
		cmocka_unit_test(test_not_a_lower_el_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
