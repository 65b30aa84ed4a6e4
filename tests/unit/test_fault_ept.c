/* SPDX-License-Identifier: MIT */
/*
 * slat_ept_fault(): decoding EPT-violation (48) and EPT-misconfiguration (49)
 * VM exits.
 *
 * Every exit qualification is composed by hand from the bit definitions of
 * the Intel SDM vol. 3C (rev. 080 numbering): Table 28-7 "Exit Qualification
 * for EPT Violations" in §28.2.1 (Table 27-7 in the 2016 edition), and
 * Appendix C for the exit reasons. The values Bochs 2.7 (CPU model
 * tigerlake, EPT A/D on, MBEC not offered) produced in examples/vmm-ept are
 * checked against those compositions, then decoded.
 */
#include <string.h>

#include "harness.h"

/* Table 28-7. */
#define Q_READ (1ull << 0)     /* data read */
#define Q_WRITE (1ull << 1)    /* data write (also guest paging-structure A/D updates) */
#define Q_FETCH (1ull << 2)    /* instruction fetch */
#define Q_R (1ull << 3)        /* AND of EPT bit 0 (read) over the walk */
#define Q_W (1ull << 4)        /* AND of bit 1 (write) */
#define Q_X (1ull << 5)        /* AND of bit 2 (execute; supervisor execute under MBEC) */
#define Q_XU (1ull << 6)       /* MBEC: AND of bit 10 (user execute); else undefined */
#define Q_GLA (1ull << 7)      /* guest-linear-address field valid */
#define Q_FINAL (1ull << 8)    /* with bit 7: access to the final translation */
#define Q_USER (1ull << 9)     /* advanced information: user-mode linear address */
#define Q_RW_PAGE (1ull << 10) /* advanced information: guest page read/write */
#define Q_NX_PAGE (1ull << 11) /* advanced information: guest page execute-disable */
#define Q_NMI (1ull << 12)     /* NMI unblocking due to IRET */
#define Q_SS (1ull << 13)      /* shadow-stack access */

/* Appendix C, basic exit reasons. */
#define EXIT_EPT_VIOLATION 48u
#define EXIT_EPT_MISCONFIG 49u

#define RD SLAT_ACCESS_READ
#define WR SLAT_ACCESS_WRITE
#define EX SLAT_ACCESS_EXEC

/* The guest-linear-address field the tests pass along. */
#define GLA 0x7fff12345678ull

/* What a decoded violation must say; the fields an EPT exit never reports
 * (level, user mode) are checked by decode() itself. */
struct want {
	unsigned kind, access, allowed;
	bool gva_valid, guest_walk;
};

/* Decode, check every field, and check that the GPA comes back unchanged. */
static void decode(const struct slat_table *t, uint32_t reason, uint64_t qual,
		   uint64_t gpa, const struct want *w)
{
	struct slat_fault f;

	memset(&f, 0xa5, sizeof(f));
	assert_int_equal(slat_ept_fault(slat_ept_fault_ctl(t), reason, qual, gpa, GLA, &f), SLAT_OK);
	assert_true(f.gpa.v == gpa);
	assert_true(f.gpa_valid);
	assert_int_equal(f.kind, w->kind);
	assert_int_equal(f.access, w->access);
	assert_int_equal(f.allowed, w->allowed);
	assert_int_equal(f.allowed_known, w->kind != SLAT_FAULT_MISCONFIG);
	assert_int_equal(f.gva_valid, w->gva_valid);
	assert_int_equal(f.guest_walk, w->guest_walk);
	/* EPT reports no level; the linear address comes from its own VMCS
	 * field and is passed on only when bit 7 says it is valid. */
	assert_int_equal(f.level, -1);
	assert_true(f.gva == (w->gva_valid ? GLA : 0));
	/* Without a table saying the CPU reports it, the mode is never
	 * claimed (see test_user_mode). */
	if (!t || !(table_of_c(t)->caps.flags & SLAT_CAP_FAULT_MODE)) {
		assert_false(f.user_known);
		assert_false(f.user);
	}
}

/* An EPT violation; gva_valid follows bit 7 (test_no_linear_address checks
 * that case on its own). */
static void violation(const struct slat_table *t, uint64_t qual, uint64_t gpa,
		      unsigned kind, unsigned access, unsigned allowed, bool walk)
{
	struct want w = { kind, access, allowed, (qual & Q_GLA) != 0, walk };

	decode(t, EXIT_EPT_VIOLATION, qual, gpa, &w);
}

/* ---- the values Bochs 2.7 reported in examples/vmm-ept ---------------- */

/* ept-violation-write-to-read-only, live-write-protect, live-2m-split: a
 * store to a page mapped R only. */
static void test_bochs_write_read_only(void **state)
{
	(void)state;
	assert_true((Q_WRITE | Q_R | Q_GLA | Q_FINAL) == 0x18a);
	violation(NULL, 0x18a, 0x404010, SLAT_FAULT_PERMISSION, WR, SLAT_PERM_R, false);
	violation(NULL, 0x18a, 0x664018, SLAT_FAULT_PERMISSION, WR, SLAT_PERM_R, false);
}

/* ept-violation-fetch-from-non-executable: a call into a page mapped RW. */
static void test_bochs_fetch_non_executable(void **state)
{
	(void)state;
	assert_true((Q_FETCH | Q_R | Q_W | Q_GLA | Q_FINAL) == 0x19c);
	violation(NULL, 0x19c, 0x405000, SLAT_FAULT_PERMISSION, EX, SLAT_PERM_RW, false);
}

/* ept-execute-only: a data read of a page mapped X only. Without MBEC,
 * bit 5 grants execution at every privilege. */
static void test_bochs_read_execute_only(void **state)
{
	(void)state;
	assert_true((Q_READ | Q_X | Q_GLA | Q_FINAL) == 0x1a1);
	violation(NULL, 0x1a1, 0x40c001, SLAT_FAULT_PERMISSION, RD, SLAT_PERM_X, false);
}

/* ept-violation-unmapped-gpa: a read where no entry is present. */
static void test_bochs_read_unmapped(void **state)
{
	(void)state;
	assert_true((Q_READ | Q_GLA | Q_FINAL) == 0x181);
	violation(NULL, 0x181, 0x40b040, SLAT_FAULT_TRANSLATION, RD, 0, false);
}

/* The emulated UART: a store to a GPA that is never mapped. */
static void test_bochs_write_unmapped(void **state)
{
	(void)state;
	assert_true((Q_WRITE | Q_GLA | Q_FINAL) == 0x182);
	violation(NULL, 0x182, 0xe0000000, SLAT_FAULT_TRANSLATION, WR, 0, false);
}

/* A one-off run (NOTES.md) made the page holding the guest's PML4 R+X: the
 * guest's next walk exited. With EPT A/D on, accesses to guest paging
 * structures count as writes (§29.3.5); bit 8 is clear: a walk. */
static void test_bochs_guest_walk(void **state)
{
	(void)state;
	assert_true((Q_WRITE | Q_R | Q_X | Q_GLA) == 0xaa);
	violation(NULL, 0xaa, 0x102000, SLAT_FAULT_PERMISSION, WR, SLAT_PERM_R | SLAT_PERM_X,
		  true);
}

/* ept-misconfiguration: a write-only leaf. Bochs writes qualification 0;
 * the SDM leaves it undefined, so any value must decode the same. */
static void test_bochs_misconfig(void **state)
{
	struct want w = { SLAT_FAULT_MISCONFIG, 0, 0, false, false };

	(void)state;
	decode(NULL, EXIT_EPT_MISCONFIG, 0, 0x408080, &w);
	decode(NULL, EXIT_EPT_MISCONFIG, ~0ull, 0x408080, &w);
}

/* ---- bits the Bochs runs did not produce ------------------------------ */

/* Each access type alone and together (a read-modify-write sets bit 1
 * and, depending on the implementation, bit 0). */
static void test_access_bits(void **state)
{
	(void)state;
	violation(NULL, Q_READ | Q_W, 0x1000, SLAT_FAULT_PERMISSION, RD, SLAT_PERM_W, false);
	violation(NULL, Q_READ | Q_WRITE | Q_R, 0x2000, SLAT_FAULT_PERMISSION, RD | WR,
		  SLAT_PERM_R, false);
	violation(NULL, Q_FETCH, 0x3000, SLAT_FAULT_TRANSLATION, EX, 0, false);
	/* No access bit (not seen on hardware): decoded as it is. */
	violation(NULL, Q_R, 0x4000, SLAT_FAULT_PERMISSION, 0, SLAT_PERM_R, false);
}

/* Without MBEC, bit 6 is undefined: it neither grants XU nor makes the
 * entry present. */
static void test_bit6_without_mbec(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, &slat_format_ept); /* features 0: MBEC off */
	violation(&f.t, Q_READ | Q_XU, 0x5000, SLAT_FAULT_TRANSLATION, RD, 0, false);
	violation(&f.t, Q_READ | Q_X | Q_XU, 0x5000, SLAT_FAULT_PERMISSION, RD, SLAT_PERM_X,
		  false);
	violation(NULL, Q_FETCH | Q_R | Q_W | Q_XU | Q_GLA | Q_FINAL, 0x5000,
		  SLAT_FAULT_PERMISSION, EX, SLAT_PERM_RW, false);
	fx_fini(&f);
}

/* With MBEC (the table's SLAT_FEAT_SPLIT_EXEC), bit 5 is supervisor execute
 * and bit 6 user execute; an entry with only bit 10 set is present. These
 * are the exits guest/tests.c expects in its MBEC checks. */
static void test_mbec(void **state)
{
	struct fx f;

	(void)state;
	fx_prepare(&f, &slat_format_ept);
	f.cfg.features = SLAT_FEAT_SPLIT_EXEC;
	assert_int_equal(fx_create(&f), SLAT_OK);
	/* mbec-supervisor-execute-only: user fetch from an R+W+XS page. */
	violation(&f.t, Q_FETCH | Q_R | Q_W | Q_X | Q_GLA | Q_FINAL, 0x409000,
		  SLAT_FAULT_PERMISSION, EX, SLAT_PERM_RW | SLAT_PERM_XS, false);
	/* mbec-user-execute-only: supervisor fetch from an R+W+XU page. */
	violation(&f.t, Q_FETCH | Q_R | Q_W | Q_XU | Q_GLA | Q_FINAL, 0x40a000,
		  SLAT_FAULT_PERMISSION, EX, SLAT_PERM_RW | SLAT_PERM_XU, false);
	/* User-execute only: bits 3-5 clear, bit 6 set: present. */
	violation(&f.t, Q_READ | Q_XU | Q_GLA | Q_FINAL, 0x40a000, SLAT_FAULT_PERMISSION, RD,
		  SLAT_PERM_XU, false);
	/* Not present: bits 3-6 clear. */
	violation(&f.t, Q_FETCH | Q_GLA | Q_FINAL, 0x40b000, SLAT_FAULT_TRANSLATION, EX, 0,
		  false);
	/* Both execute bits: SLAT_PERM_X. */
	violation(&f.t, Q_READ | Q_X | Q_XU, 0x40c000, SLAT_FAULT_PERMISSION, RD, SLAT_PERM_X,
		  false);
	fx_fini(&f);
	/* The same without any table: the VMX setup is told by the ctl bits. */
	{
		struct slat_fault d;

		assert_int_equal(slat_ept_fault(SLAT_EPT_FAULT_MBEC, EXIT_EPT_VIOLATION,
						Q_FETCH | Q_R | Q_W | Q_XU | Q_GLA | Q_FINAL,
						0x40a000, GLA, &d), SLAT_OK);
		assert_int_equal(d.allowed, SLAT_PERM_RW | SLAT_PERM_XU);
		assert_false(d.user_known);
		assert_int_equal(slat_ept_fault(SLAT_EPT_FAULT_ADVANCED, EXIT_EPT_VIOLATION,
						Q_FETCH | Q_R | Q_X | Q_GLA | Q_FINAL | (1ull << 9),
						0x40a000, GLA, &d), SLAT_OK);
		/* Without MBEC bit 5 is execute at any privilege (Table 28-7). */
		assert_int_equal(d.allowed, SLAT_PERM_R | SLAT_PERM_X);
		assert_true(d.user_known);
		assert_true(d.user);
	}
}

/* Bit 7 clear (PAE PDPTE load by MOV to CR): no linear address, and bit 8
 * means nothing (it is cleared then; a set one is not trusted). */
static void test_no_linear_address(void **state)
{
	struct want w = { SLAT_FAULT_TRANSLATION, RD, 0, false, false };

	(void)state;
	decode(NULL, EXIT_EPT_VIOLATION, Q_READ, 0x7000, &w);
	decode(NULL, EXIT_EPT_VIOLATION, Q_READ | Q_FINAL, 0x7000, &w);
	w.kind = SLAT_FAULT_PERMISSION;
	w.allowed = SLAT_PERM_W;
	decode(NULL, EXIT_EPT_VIOLATION, Q_READ | Q_W, 0x7000, &w);
}

/*
 * Bit 9 says user mode only when bits 7 and 8 are set and the CPU has
 * "advanced VM-exit information for EPT violations" (IA32_VMX_EPT_VPID_CAP
 * bit 22, SLAT_CAP_FAULT_MODE); otherwise it is undefined and the decoder
 * must not claim either mode.
 */
static void test_user_mode(void **state)
{
	struct fx fx;
	struct slat_fault f;

	(void)state;
	violation(NULL, Q_FETCH | Q_R | Q_W | Q_X | Q_GLA | Q_FINAL | Q_USER, 0x8000,
		  SLAT_FAULT_PERMISSION, EX, SLAT_PERM_RW | SLAT_PERM_X, false);
	violation(NULL, Q_READ | Q_GLA | Q_USER, 0x8000, SLAT_FAULT_TRANSLATION, RD, 0, true);

	/* With the capability: reported for final translations only. */
	fx_prepare(&fx, &slat_format_ept);
	fx.caps.flags |= SLAT_CAP_FAULT_MODE;
	assert_int_equal(fx_create(&fx), SLAT_OK);
	assert_int_equal(slat_ept_fault(slat_ept_fault_ctl(&fx.t), EXIT_EPT_VIOLATION,
					Q_FETCH | Q_R | Q_GLA | Q_FINAL | Q_USER, 0x8000, GLA, &f),
			 SLAT_OK);
	assert_true(f.user_known);
	assert_true(f.user);
	assert_int_equal(slat_ept_fault(slat_ept_fault_ctl(&fx.t), EXIT_EPT_VIOLATION,
					Q_WRITE | Q_R | Q_GLA | Q_FINAL, 0x8000, GLA, &f),
			 SLAT_OK);
	assert_true(f.user_known);
	assert_false(f.user);
	/* A guest paging-structure access has no mode of its own. */
	assert_int_equal(slat_ept_fault(slat_ept_fault_ctl(&fx.t), EXIT_EPT_VIOLATION, Q_READ | Q_GLA | Q_USER,
					0x8000, GLA, &f),
			 SLAT_OK);
	assert_false(f.user_known);
	fx_fini(&fx);
}

/* Bits 10 and up do not change the decoding. */
static void test_upper_bits_ignored(void **state)
{
	const uint64_t noise = Q_RW_PAGE | Q_NX_PAGE | Q_NMI | Q_SS | (0xfffull << 14) |
			       (0xffffffffull << 32);

	(void)state;
	violation(NULL, 0x18a | noise, 0x404010, SLAT_FAULT_PERMISSION, WR, SLAT_PERM_R,
		  false);
	violation(NULL, 0x181 | noise, 0x40b040, SLAT_FAULT_TRANSLATION, RD, 0, false);
}

/* The GPA keeps its page offset and any width. */
static void test_gpa_kept(void **state)
{
	(void)state;
	violation(NULL, 0x181, 0x0000fffffffff123ull, SLAT_FAULT_TRANSLATION, RD, 0, false);
	violation(NULL, 0x181, 0, SLAT_FAULT_TRANSLATION, RD, 0, false);
}

/* The exit-reason field may be passed whole: bits 31:16 carry flags (e.g.
 * bit 27, exit from enclave mode). Bit 31 means a failed VM entry, which is
 * never an EPT exit. */
static void test_exit_reason_field(void **state)
{
	struct want w = { SLAT_FAULT_PERMISSION, WR, SLAT_PERM_R, true, false };
	struct want m = { SLAT_FAULT_MISCONFIG, 0, 0, false, false };
	struct slat_fault f;

	(void)state;
	decode(NULL, EXIT_EPT_VIOLATION | (1u << 27), 0x18a, 0x404000, &w);
	decode(NULL, EXIT_EPT_MISCONFIG | (1u << 27), 0, 0x408000, &m);
	assert_int_equal(slat_ept_fault(0, EXIT_EPT_VIOLATION | (1u << 31), 0x18a, 0, GLA, &f),
			 SLAT_EFLAGS);
	assert_int_equal(slat_ept_fault(0, EXIT_EPT_MISCONFIG | (1u << 31), 0, 0, GLA, &f),
			 SLAT_EFLAGS);
}

/* Errors leave *f untouched. */
static void test_errors(void **state)
{
	static const uint32_t others[] = { 0, 1, 10, 18, 47, 50, 0x30 << 8, 0xffff };
	struct slat_fault f, before;
	struct fx npt;
	size_t i;

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	before = f;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(slat_ept_fault(0, others[i], 0x18a, 0x1000, GLA, &f), SLAT_EFLAGS);
	assert_int_equal(slat_ept_fault(0, EXIT_EPT_VIOLATION, 0x18a, 0x1000, GLA, NULL),
			 SLAT_ENULL);
	/* Control bits the decoder does not know. */
	assert_int_equal(slat_ept_fault(1u << 2, EXIT_EPT_VIOLATION, 0x18a, 0x1000, GLA, &f),
			 SLAT_EFLAGS);
	assert_int_equal(slat_ept_fault(0x80000000u, EXIT_EPT_VIOLATION, 0x18a, 0x1000, GLA,
					&f), SLAT_EFLAGS);
	/* A table of another format says nothing about an EPT exit. */
	fx_init(&npt, &slat_format_npt);
	assert_int_equal(slat_ept_fault_ctl(&npt.t), 0);
	fx_fini(&npt);
	assert_int_equal(slat_ept_fault_ctl(NULL), 0);
	assert_memory_equal(&f, &before, sizeof(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bochs_write_read_only),
		cmocka_unit_test(test_bochs_fetch_non_executable),
		cmocka_unit_test(test_bochs_read_execute_only),
		cmocka_unit_test(test_bochs_read_unmapped),
		cmocka_unit_test(test_bochs_write_unmapped),
		cmocka_unit_test(test_bochs_guest_walk),
		cmocka_unit_test(test_bochs_misconfig),
		cmocka_unit_test(test_access_bits),
		cmocka_unit_test(test_bit6_without_mbec),
		cmocka_unit_test(test_mbec),
		cmocka_unit_test(test_no_linear_address),
		cmocka_unit_test(test_user_mode),
		cmocka_unit_test(test_upper_bits_ignored),
		cmocka_unit_test(test_gpa_kept),
		cmocka_unit_test(test_exit_reason_field),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
