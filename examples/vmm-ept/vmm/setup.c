/*
 * setup.c - builds the guest-physical address space of common/abi.h and
 * loads the guest image.
 */
#include "setup.h"
#include "memmap.h"
#include "hostmem.h"
#include "checks.h"
#include "../common/abi.h"

extern const u8 guest_image[], guest_image_end[];

/* Maps one pattern-filled host page at gpa. */
static void map_test_page(u64 gpa, unsigned perms)
{
	u64 hpa = page_alloc();
	fill_pattern(hpa, PAGE_SIZE);
	if (vm_map(gpa, hpa, PAGE_SIZE, perms))
		check_fail("mapping test page %lx failed", gpa);
}

int setup_guest_memory(bool mbec)
{
	/* Guest RAM: code, data, stacks and the guest's page tables. */
	memset(hva(HPA_GUEST_RAM), 0, GPA_RAM_SIZE);
	memcpy(hva(HPA_GUEST_RAM + GPA_GUEST_LOAD), guest_image, guest_image_end - guest_image);
	if (vm_map(GPA_RAM, HPA_GUEST_RAM, GPA_RAM_SIZE, PERM_R | PERM_W | PERM_X | PERM_XU))
		return -1;

	for (u64 i = 0; i < 4; i++)
		map_test_page(GPA_RW_PAGES + i * PAGE_SIZE, PERM_R | PERM_W);
	map_test_page(GPA_RO_PAGE, PERM_R);
	map_test_page(GPA_NX_PAGE, PERM_R | PERM_W);
	map_test_page(GPA_REMAP_PAGE, PERM_R | PERM_W);
	map_test_page(GPA_WP_PAGE, PERM_R | PERM_W);
	map_test_page(GPA_XO_PAGE, PERM_R | PERM_W);
	map_test_page(GPA_NA_PAGE, PERM_R | PERM_W);
	/* With MBEC: one page executable only from supervisor-mode linear
	 * addresses, one only from user-mode ones. */
	map_test_page(GPA_MBEC_S_PAGE, PERM_R | PERM_W | (mbec ? PERM_X : 0));
	map_test_page(GPA_MBEC_U_PAGE, PERM_R | PERM_W | (mbec ? PERM_XU : 0));
	for (u64 i = 0; i < DIRTY_AREA_PAGES; i++)
		map_test_page(GPA_DIRTY_AREA + i * PAGE_SIZE, PERM_R | PERM_W);
	/* GPA_MISCONF_PAGE, GPA_DEMAND_PAGE and GPA_UART stay unmapped. */

	/* One 2 MiB and one 1 GiB mapping.  Only a few pages of the 1 GiB block
	 * get the pattern: the guest probes just those. */
	fill_pattern(HPA_2M_BLOCK, 2ull << 20);
	if (vm_map(GPA_2M_AREA, HPA_2M_BLOCK, 2ull << 20, PERM_R | PERM_W))
		return -1;
	fill_pattern(HPA_1G_BLOCK, PAGE_SIZE);
	fill_pattern(HPA_1G_BLOCK + 0x23456000, PAGE_SIZE);
	fill_pattern(HPA_1G_BLOCK + (1ull << 30) - PAGE_SIZE, PAGE_SIZE);
	if (vm_map(GPA_1G_AREA, HPA_1G_BLOCK, 1ull << 30, PERM_R | PERM_W))
		return -1;
	/* The PML area: 4 MiB in 4 KiB leaves, then one 2 MiB leaf. */
	if (vm_map_4k(GPA_PML_AREA, HPA_PML_BLOCK, PML_AREA_4K_PAGES * PAGE_SIZE,
		      PERM_R | PERM_W) ||
	    vm_map(GPA_PML_AREA + PML_AREA_4K_PAGES * PAGE_SIZE,
		   HPA_PML_BLOCK + PML_AREA_4K_PAGES * PAGE_SIZE, 2ull << 20, PERM_R | PERM_W))
		return -1;
	return 0;
}
