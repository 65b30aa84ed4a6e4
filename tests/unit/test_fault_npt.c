/* SPDX-License-Identifier: MIT */
/*
 * slat_npt_fault(): decoding #NPF EXITINFO1 / EXITINFO2.
 *
 * Every error code is composed by hand from the bit definitions of the AMD
 * APM vol. 2 (pub. 24593): §15.25.6 "Nested versus Guest Page Faults, Fault
 * Ordering" for bits 32 and 33, and the page-fault error code of §8.4.2
 * for bits 4:0. The values QEMU 7.2 TCG produced in examples/vmm-npt are
 * checked against those compositions, then decoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <slat/slat.h>

/* EXITINFO1, written from the APM. */
#define EC_P (1ull << 0)      /* 1: protection (the nested entry was present) */
#define EC_RW (1ull << 1)     /* write */
#define EC_US (1ull << 2)     /* user; set for every nested access */
#define EC_RSV (1ull << 3)    /* reserved bit set in a nested entry */
#define EC_ID (1ull << 4)     /* instruction fetch */
#define EC_RMP (1ull << 31)   /* SEV-SNP RMP check */
#define EC_FINAL (1ull << 32) /* fault translating the final guest-physical address */
#define EC_WALK (1ull << 33)  /* fault translating a guest page-table address */
#define EC_ENC (1ull << 34)   /* SEV-SNP: encrypted access */
#define EC_SIZEM (1ull << 35) /* SEV-SNP: page size mismatch */

#define R SLAT_ACCESS_READ
#define W SLAT_ACCESS_WRITE
#define X SLAT_ACCESS_EXEC

/* Decode and check every field; the GPA must come back unchanged. */
static void expect(uint64_t info1, uint64_t gpa, unsigned kind, unsigned access,
		   bool guest_walk)
{
	struct slat_fault f;

	memset(&f, 0xa5, sizeof(f));
	assert_int_equal(slat_npt_fault(info1, gpa, &f), SLAT_OK);
	assert_true(f.gpa.v == gpa);
	assert_true(f.gpa_valid);
	assert_int_equal(f.kind, kind);
	assert_int_equal(f.access, access);
	assert_int_equal(f.guest_walk, guest_walk);
	/* Nothing else is reported by an #NPF. */
	assert_int_equal(f.level, -1);
	assert_false(f.allowed_known);
	assert_int_equal(f.allowed, 0);
	assert_false(f.user_known);
	assert_false(f.user);
	assert_false(f.gva_valid);
	assert_true(f.gva == 0);
}

/* ---- the values QEMU 7.2 TCG reported in examples/vmm-npt ------------- */

/* npf-write-ro: store to a read-only nested leaf at CPL 0. */
static void test_qemu_write_readonly(void **state)
{
	(void)state;
	assert_true((EC_P | EC_RW | EC_US | EC_FINAL) == 0x100000007ull);
	expect(0x100000007ull, 0x800018, SLAT_FAULT_PERMISSION, W, false);
}

/* npf-exec-nx: call into a nested NX leaf (host EFER.NXE = 1). */
static void test_qemu_fetch_nx(void **state)
{
	(void)state;
	assert_true((EC_P | EC_US | EC_ID | EC_FINAL) == 0x100000015ull);
	expect(0x100000015ull, 0x801000, SLAT_FAULT_PERMISSION, X, false);
}

/* npf-unmapped: read of a guest-physical page with no nested mapping. */
static void test_qemu_read_unmapped(void **state)
{
	(void)state;
	assert_true((EC_US | EC_FINAL) == 0x100000004ull);
	expect(0x100000004ull, 0x900238, SLAT_FAULT_TRANSLATION, R, false);
}

/* The MMIO UART: a store to a GPA that is never mapped. */
static void test_qemu_store_unmapped(void **state)
{
	(void)state;
	assert_true((EC_RW | EC_US | EC_FINAL) == 0x100000006ull);
	expect(0x100000006ull, 0xfe000000, SLAT_FAULT_TRANSLATION, W, false);
}

/* npf-nested-us: a plain read of a nested U/S = 0 leaf at guest CPL 0. */
static void test_qemu_read_supervisor_leaf(void **state)
{
	(void)state;
	assert_true((EC_P | EC_US | EC_FINAL) == 0x100000005ull);
	expect(0x100000005ull, 0x802040, SLAT_FAULT_PERMISSION, R, false);
}

/*
 * A nested leaf with bit 63 set while the host runs with EFER.NXE = 0:
 * QEMU reports RSV without P. It is still a malformed entry, not a
 * missing one.
 */
static void test_qemu_reserved_without_p(void **state)
{
	(void)state;
	assert_true((EC_RSV | EC_US | EC_FINAL) == 0x10000000cull);
	expect(0x10000000cull, 0x10040, SLAT_FAULT_MISCONFIG, R, false);
}

/* ---- other encodings from the APM ------------------------------------- */

/* Real hardware (and Bochs) report a reserved-bit fault with P = 1. */
static void test_reserved_with_p(void **state)
{
	(void)state;
	expect(EC_RSV | EC_P | EC_US | EC_FINAL, 0x4000, SLAT_FAULT_MISCONFIG, R,
	       false);
	expect(EC_RSV | EC_P | EC_RW | EC_US | EC_FINAL, 0x4000,
	       SLAT_FAULT_MISCONFIG, W, false);
	expect(EC_RSV | EC_P | EC_ID | EC_US | EC_FINAL, 0x4000,
	       SLAT_FAULT_MISCONFIG, X, false);
}

/*
 * Bit 33: the guest's own page-table walk failed in the nested tables.
 * EXITINFO2 is then the GPA of the guest page-table entry. Table accesses
 * are reported as writes (the walk may set A/D bits), decoded as read and
 * write.
 */
static void test_guest_walk(void **state)
{
	(void)state;
	/* Guest page table not mapped. */
	expect(EC_RW | EC_US | EC_WALK, 0x3018, SLAT_FAULT_TRANSLATION, R | W, true);
	/* Guest page table mapped read-only. */
	expect(EC_P | EC_RW | EC_US | EC_WALK, 0x3018, SLAT_FAULT_PERMISSION,
	       R | W, true);
	/* A walk reported as a read is decoded as a read. */
	expect(EC_US | EC_WALK, 0x3018, SLAT_FAULT_TRANSLATION, R, true);
	/* Reserved bit in the nested entry of a guest table. */
	expect(EC_RSV | EC_P | EC_RW | EC_US | EC_WALK, 0x3018,
	       SLAT_FAULT_MISCONFIG, R | W, true);
}

/* US says nothing about the guest's privilege: set or clear, same result. */
static void test_user_bit_ignored(void **state)
{
	(void)state;
	expect(EC_P | EC_RW | EC_FINAL, 0x800018, SLAT_FAULT_PERMISSION, W, false);
	expect(EC_P | EC_RW | EC_US | EC_FINAL, 0x800018, SLAT_FAULT_PERMISSION,
	       W, false);
	/* GMET: a supervisor fetch from a nested user page, US still set. */
	expect(EC_P | EC_ID | EC_US | EC_FINAL, 0x806000, SLAT_FAULT_PERMISSION,
	       X, false);
}

/* EXITINFO2 is taken whole: page offset and high bits included. */
static void test_gpa_unchanged(void **state)
{
	(void)state;
	expect(EC_US | EC_FINAL, 0x000fffffffffffffull, SLAT_FAULT_TRANSLATION,
	       R, false);
	expect(EC_US | EC_FINAL, 0, SLAT_FAULT_TRANSLATION, R, false);
	expect(EC_US | EC_FINAL, 0x123456789abcull, SLAT_FAULT_TRANSLATION, R,
	       false);
}

/*
 * SEV-SNP: an RMP violation passed the nested tables; it is neither a
 * translation nor a nested permission fault. Other SNP bits do not change
 * the decoding.
 */
static void test_snp_bits(void **state)
{
	(void)state;
	expect(EC_RMP | EC_P | EC_RW | EC_US | EC_FINAL, 0x5000, SLAT_FAULT_OTHER,
	       W, false);
	expect(EC_RMP | EC_P | EC_US | EC_FINAL | EC_SIZEM, 0x5000,
	       SLAT_FAULT_OTHER, R, false);
	expect(EC_ENC | EC_US | EC_FINAL, 0x5000, SLAT_FAULT_TRANSLATION, R,
	       false);
	expect(EC_ENC | EC_P | EC_RW | EC_US | EC_FINAL, 0x5000,
	       SLAT_FAULT_PERMISSION, W, false);
}

/* Neither bit 32 nor bit 33 (older parts): a final access as far as known. */
static void test_no_stage_bits(void **state)
{
	(void)state;
	expect(EC_P | EC_RW | EC_US, 0x800018, SLAT_FAULT_PERMISSION, W, false);
}

static void test_kind_names(void **state)
{
	struct slat_fault f;

	(void)state;
	assert_int_equal(slat_npt_fault(0x10000000cull, 0, &f), SLAT_OK);
	assert_string_equal(slat_fault_kind_str(f.kind), "misconfiguration");
	assert_int_equal(slat_npt_fault(0x100000004ull, 0, &f), SLAT_OK);
	assert_string_equal(slat_fault_kind_str(f.kind), "translation");
	assert_int_equal(slat_npt_fault(0x100000007ull, 0, &f), SLAT_OK);
	assert_string_equal(slat_fault_kind_str(f.kind), "permission");
}

static void test_null(void **state)
{
	(void)state;
	assert_int_equal(slat_npt_fault(0x100000007ull, 0x800018, NULL),
			 SLAT_ENULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_write_readonly),
		cmocka_unit_test(test_qemu_fetch_nx),
		cmocka_unit_test(test_qemu_read_unmapped),
		cmocka_unit_test(test_qemu_store_unmapped),
		cmocka_unit_test(test_qemu_read_supervisor_leaf),
		cmocka_unit_test(test_qemu_reserved_without_p),
		cmocka_unit_test(test_reserved_with_p),
		cmocka_unit_test(test_guest_walk),
		cmocka_unit_test(test_user_bit_ignored),
		cmocka_unit_test(test_gpa_unchanged),
		cmocka_unit_test(test_snp_bits),
		cmocka_unit_test(test_no_stage_bits),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
