/*
 * tests.c - the guest's half of the checks.  Each check is bracketed by
 * begin_check()/end_check(); the VMM verifies every access against the host
 * memory it intended the access to reach and prints PASS/FAIL.
 */
#include "guest.h"

#define MIB2 (2ull << 20)
#define GIB1 (1ull << 30)

typedef u64 (*code_fn)(void);

/* Reads the word at gpa (the VMM checks it is the pattern of the intended
 * host address), then overwrites it (the VMM checks the host bytes). */
static void probe(u64 gpa)
{
	expect_read(gpa, read64(gpa));
	u64 v = 0x5752000000000000ull | gpa; /* "WR" + address */
	write64(gpa, v);
	expect_stored(gpa, v);
	if (read64(gpa) != v)
		fail("read-back differs from the value written");
}

static void t_ept_4k(void)
{
	begin_check("ept-4k-read-write");
	for (u64 i = 0; i < 4; i++) {
		u64 page = GPA_RW_PAGES + i * PAGE_SIZE;
		action(ACT_CHECK_LEAF, page, PAGE_SIZE);
		probe(page);
		probe(page + 0x7F8);
		probe(page + PAGE_SIZE - 8);
	}
	end_check();
}

static void t_ept_2m(void)
{
	begin_check("ept-2m-read-write");
	action(ACT_CHECK_LEAF, GPA_2M_AREA, MIB2);
	action(ACT_CHECK_LEAF, GPA_2M_AREA + 0x155000, MIB2);
	probe(GPA_2M_AREA);
	probe(GPA_2M_AREA + 0x155A28);
	probe(GPA_2M_AREA + MIB2 - 8);
	end_check();
}

static void t_ept_1g(void)
{
	begin_check("ept-1g-read-write");
	action(ACT_CHECK_LEAF, GPA_1G_AREA, GIB1);
	action(ACT_CHECK_LEAF, GPA_1G_AREA + 0x23456000, GIB1);
	probe(GPA_1G_AREA);
	probe(GPA_1G_AREA + 0x23456788);
	probe(GPA_1G_AREA + GIB1 - 8);
	end_check();
}

static void t_write_read_only(void)
{
	u64 a = GPA_RO_PAGE + 0x10, v = 0x524F000000000001ull;

	begin_check("ept-violation-write-to-read-only");
	expect_read(a, read64(a));
	/* Exits with "write, entry readable"; the VMM adds W and retries. */
	expect_exit(a, a, EXPECT_PERMISSION | EXPECT_ACCESS(ACC_WRITE) | EXPECT_ALLOWED(PERM_R) |
			  RESOLVE_GRANT | EXPECT_GRANT(PERM_W));
	write64(a, v);
	expect_stored(a, v);
	end_check();
}

static void t_fetch_non_executable(void)
{
	/* mov $0x4E58ABCD, %eax; ret */
	static const u8 code[] = { 0xB8, 0xCD, 0xAB, 0x58, 0x4E, 0xC3 };

	begin_check("ept-violation-fetch-from-non-executable");
	memcpy((void *)GPA_NX_PAGE, code, sizeof(code));
	/* Exits with "fetch, entry readable+writable"; the VMM adds X. */
	expect_exit(GPA_NX_PAGE, GPA_NX_PAGE,
		    EXPECT_PERMISSION | EXPECT_ACCESS(ACC_FETCH) | EXPECT_ALLOWED(PERM_R | PERM_W) |
			    RESOLVE_GRANT | EXPECT_GRANT(PERM_X));
	if (((code_fn)GPA_NX_PAGE)() != 0x4E58ABCD)
		fail("the code on the page returned a wrong value");
	end_check();
}

static void t_execute_only(void)
{
	/* mov $0x584F0001, %eax; ret */
	static const u8 code[] = { 0xB8, 0x01, 0x00, 0x4F, 0x58, 0xC3 };
	u64 a = GPA_XO_PAGE;

	memcpy((void *)a, code, sizeof(code));
	if (!action(ACT_EXECUTE_ONLY, a, 0))
		return; /* the VMM printed that the CPU lacks it */
	begin_check("ept-execute-only");
	if (((code_fn)a)() != 0x584F0001)
		fail("the code on the page returned a wrong value");
	/* Reading the code as data exits with "read, entry executable". */
	expect_exit(a + 1, a + 1, EXPECT_PERMISSION | EXPECT_ACCESS(ACC_READ) |
					 EXPECT_ALLOWED(PERM_X) | RESOLVE_GRANT | EXPECT_GRANT(PERM_R));
	if ((read64(a + 1) & 0xFFFFFFFF) != 0x584F0001)
		fail("reading the page returned wrong bytes");
	end_check();
}

static void t_no_access(void)
{
	u64 a = GPA_NA_PAGE + 0x58;

	begin_check("ept-no-access");
	u64 before = read64(a);
	expect_read(a, before);
	action(ACT_NO_ACCESS, GPA_NA_PAGE, 0); /* R = W = X = 0 + INVEPT */
	/* To the CPU the entry is not present: the exit is the one an
	 * unmapped page gives (bits 5:3 = 0). The VMM re-opens the page by
	 * setting permissions alone; the same host bytes come back. */
	expect_exit(a, a, EXPECT_NOT_MAPPED | EXPECT_ACCESS(ACC_READ) | RESOLVE_GRANT |
			  EXPECT_GRANT(PERM_R | PERM_W));
	if (read64(a) != before)
		fail("the re-opened page does not hold its original bytes");
	end_check();
}

static void t_unmapped(void)
{
	u64 a = GPA_DEMAND_PAGE + 0x40;

	begin_check("ept-violation-unmapped-gpa");
	/* Exits with "read, entry not present"; the VMM maps a new page. */
	expect_exit(a, a, EXPECT_NOT_MAPPED | EXPECT_ACCESS(ACC_READ) | RESOLVE_MAP);
	expect_read(a, read64(a));
	end_check();
}

static void t_misconfig(void)
{
	u64 a = GPA_MISCONF_PAGE + 0x80;

	begin_check("ept-misconfiguration");
	if (action(ACT_MISCONFIG, GPA_MISCONF_PAGE, 0)) {
		/* Exit reason 49; the VMM rewrites the entry as RW. */
		expect_exit(a, a, EXPECT_MISCONFIG | RESOLVE_FIX);
		expect_read(a, read64(a));
	} else {
		info("the table builder refused a write-only entry");
	}
	end_check();
}

static void t_remap(void)
{
	u64 a = GPA_REMAP_PAGE + 0x100;

	begin_check("live-remap-with-invept");
	u64 before = read64(a);
	expect_read(a, before);
	action(ACT_REMAP, GPA_REMAP_PAGE, 0); /* new host page + INVEPT */
	u64 after = read64(a);
	expect_read(a, after);
	if (after == before)
		fail("still reading the old host page");
	end_check();
}

static void t_write_protect(void)
{
	u64 a = GPA_WP_PAGE + 0x20;
	u64 v1 = 0x5750000000000001ull, v2 = 0x5750000000000002ull;

	begin_check("live-write-protect");
	store64_fixed(a, v1);
	expect_stored(a, v1);
	action(ACT_WRITE_PROTECT, GPA_WP_PAGE, 0); /* read-only + INVEPT */
	/* The next store exits; the VMM refuses it by skipping it. */
	expect_exit(a, a, EXPECT_PERMISSION | EXPECT_ACCESS(ACC_WRITE) | EXPECT_ALLOWED(PERM_R) |
			  RESOLVE_SKIP);
	store64_fixed(a, v2);
	if (read64(a) != v1)
		fail("the refused store changed memory");
	expect_stored(a, v1);
	end_check();
}

static void t_split(void)
{
	static const u64 pages[] = { 0, 99, 100, 101, 511 };
	u64 base = GPA_2M_AREA + 0x18, prot = base + 100 * PAGE_SIZE;

	begin_check("live-2m-split");
	for (unsigned i = 0; i < 5; i++)
		store64_fixed(base + pages[i] * PAGE_SIZE, 0x5350000000000000ull | pages[i]);
	/* Page 100 becomes read-only: the 2 MiB leaf must be split. */
	action(ACT_SPLIT_PROTECT, GPA_2M_AREA + 100 * PAGE_SIZE, 0);
	expect_exit(prot, prot, EXPECT_PERMISSION | EXPECT_ACCESS(ACC_WRITE) |
					EXPECT_ALLOWED(PERM_R) | RESOLVE_SKIP);
	store64_fixed(prot, 0xBAD);
	if (read64(prot) != (0x5350000000000000ull | 100))
		fail("the refused store changed memory");
	expect_read(prot + 0x800, read64(prot + 0x800));
	/* The other pages of the former 2 MiB leaf stay writable. */
	for (unsigned i = 0; i < 5; i++) {
		if (pages[i] == 100)
			continue;
		u64 a = base + pages[i] * PAGE_SIZE, v = 0x5351000000000000ull | pages[i];
		write64(a, v);
		expect_stored(a, v);
		expect_read(a + 0x800, read64(a + 0x800));
	}
	end_check();
}

/* Writes and reads some pages of the dirty-tracking area and asks the VMM
 * to compare the EPT dirty flags with the pages written. */
static void dirty_round(const u64 *writes, unsigned nw, const u64 *reads, unsigned nr)
{
	u64 written = 0;
	action(ACT_DIRTY_RESET, GPA_DIRTY_AREA, DIRTY_AREA_PAGES * PAGE_SIZE);
	for (unsigned i = 0; i < nw; i++) {
		write64(GPA_DIRTY_AREA + writes[i] * PAGE_SIZE + 0x30, writes[i]);
		written |= 1ull << writes[i];
	}
	for (unsigned i = 0; i < nr; i++)
		(void)read64(GPA_DIRTY_AREA + reads[i] * PAGE_SIZE + 0x30);
	action(ACT_DIRTY_CHECK, GPA_DIRTY_AREA, written);
}

static void t_dirty(void)
{
	static const u64 w1[] = { 1, 3, 8, 15 }, r1[] = { 0, 2, 9 };
	static const u64 w2[] = { 1, 4 }, r2[] = { 3, 8 };

	begin_check("ept-dirty-flags");
	dirty_round(w1, 4, r1, 3);
	/* Second round: page 1 was dirty and got cleared; writing it again
	 * must set the flag again (needs INVEPT after clearing). */
	dirty_round(w2, 2, r2, 2);
	end_check();
}

/*
 * Page-modification logging: the guest writes a set of pages of the PML
 * area and hands the VMM the bitmap of what it wrote; the VMM drains the
 * log (on log-full exits and at the end) through libslat and compares.
 */
static u64 pml_written[PML_AREA_PAGES / 64];

static void pml_write(u64 page)
{
	write64(GPA_PML_AREA + page * PAGE_SIZE + 0x48, 0x504D000000000000ull | page);
	pml_written[page / 64] |= 1ull << (page % 64);
}

static void t_pml(void)
{
	static const u64 again[] = { 0, 37, 74, 5, 1023 };

	if (!action(ACT_PML_START, GPA_PML_AREA, PML_AREA_PAGES * PAGE_SIZE))
		return; /* the VMM printed "PML not offered by this CPU" */
	begin_check("ept-pml-log");
	memset(pml_written, 0, sizeof(pml_written));
	/* 600 of the 1024 small pages, scattered (37 is odd: i * 37 mod 1024
	 * never repeats): more than the 512 entries of one log. */
	for (u64 i = 0; i < 600; i++)
		pml_write(i * 37 % PML_AREA_4K_PAGES);
	/* Two writes to the 2 MiB leaf: one dirty-flag change, one entry;
	 * the leaf as a whole is dirty. */
	write64(GPA_PML_AREA + PML_AREA_4K_PAGES * PAGE_SIZE + 0x1230, 1);
	write64(GPA_PML_AREA + PML_AREA_4K_PAGES * PAGE_SIZE + 0x1FF008, 2);
	for (u64 i = PML_AREA_4K_PAGES; i < PML_AREA_PAGES; i++)
		pml_written[i / 64] |= 1ull << (i % 64);
	action(ACT_PML_CHECK, (u64)pml_written, 1);
	end_check();

	/* The check cleared the dirty flags and did INVEPT: pages written in
	 * the first round are logged again; the 2 MiB leaf stays clean. */
	begin_check("ept-pml-second-round");
	action(ACT_PML_START, GPA_PML_AREA, PML_AREA_PAGES * PAGE_SIZE);
	memset(pml_written, 0, sizeof(pml_written));
	for (unsigned i = 0; i < sizeof(again) / sizeof(again[0]); i++)
		pml_write(again[i]);
	action(ACT_PML_CHECK, (u64)pml_written, 0);
	end_check();
}

static void t_user_mode(void)
{
	begin_check("user-mode-cpl3");
	if (run_user(user_addr((u64)user_where_am_i), 0, user_stack_top()) != 0x600D)
		fail("user code did not come back");
	end_check();
}

static void t_mbec(void)
{
	/* mov $imm32, %eax; ret */
	static const u8 code_s[] = { 0xB8, 0x01, 0x00, 0x53, 0x58, 0xC3 };
	static const u8 code_u[] = { 0xB8, 0x02, 0x00, 0x55, 0x58, 0xC3 };
	u64 s = GPA_MBEC_S_PAGE, u = GPA_MBEC_U_PAGE;

	if (!action(ACT_HAVE_MBEC, 0, 0))
		return; /* the VMM printed "MBEC not offered by this CPU" */
	memcpy((void *)s, code_s, sizeof(code_s));
	memcpy((void *)u, code_u, sizeof(code_u));

	begin_check("mbec-supervisor-execute-only");
	if (((code_fn)s)() != 0x58530001)
		fail("supervisor call returned a wrong value");
	expect_exit(s, user_addr(s), EXPECT_PERMISSION | EXPECT_ACCESS(ACC_FETCH) |
					     EXPECT_ALLOWED(PERM_R | PERM_W | PERM_X) |
					     RESOLVE_GRANT | EXPECT_GRANT(PERM_XU));
	if (run_user(user_addr((u64)user_call), user_addr(s), user_stack_top()) != 0x58530001)
		fail("user call returned a wrong value");
	end_check();

	begin_check("mbec-user-execute-only");
	if (run_user(user_addr((u64)user_call), user_addr(u), user_stack_top()) != 0x58550002)
		fail("user call returned a wrong value");
	expect_exit(u, u, EXPECT_PERMISSION | EXPECT_ACCESS(ACC_FETCH) |
				  EXPECT_ALLOWED(PERM_R | PERM_W | PERM_XU) |
				  RESOLVE_GRANT | EXPECT_GRANT(PERM_X));
	if (((code_fn)u)() != 0x58550002)
		fail("supervisor call returned a wrong value");
	end_check();
}

#ifdef EXPERIMENT_NO_INVEPT
/* NOTES.md experiment: remap a page the guest just used, skip INVEPT, and
 * see whether the guest still reaches the old host page.  Not a check. */
static void experiment_remap_without_invept(void)
{
	u64 a = GPA_REMAP_PAGE + 0x200;
	u64 before = read64(a);
	action(ACT_REMAP_NO_INVEPT, GPA_REMAP_PAGE, 0);
	u64 after = read64(a);
	gprintf("guest: experiment: remap without INVEPT: old %lx, now %lx: %s\n", before, after,
		after == before ? "STALE translation used" : "new translation used");
	action(ACT_REMAP, GPA_REMAP_PAGE, 0); /* leave a consistent state */
}
#endif

void run_tests(void)
{
	t_ept_4k();
	t_ept_2m();
	t_ept_1g();
	t_write_read_only();
	t_fetch_non_executable();
	t_execute_only();
	t_unmapped();
	t_misconfig();
	t_remap();
	t_write_protect();
	t_no_access();
	t_split();
	t_dirty();
	t_pml();
	t_user_mode();
	t_mbec();
#ifdef EXPERIMENT_NO_INVEPT
	experiment_remap_without_invept();
#endif
}
