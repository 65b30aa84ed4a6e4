/* memmap.c - the VMM's record of intended guest-physical mappings. */
#include "memmap.h"
#include "ept.h"
#include "../common/abi.h"

struct region {
	u64 gpa, hpa, size;
};

#define MAX_REGIONS 64
static struct region regions[MAX_REGIONS];
static int count;

static int map_flags(u64 gpa, u64 hpa, u64 size, unsigned perms, u32 flags)
{
	struct slat_attrs attrs = slat_attrs_make(ept_perms(perms), SLAT_MT_WB);

	if (count == MAX_REGIONS ||
	    slat_map(&guest_ept, slat_gpa(gpa), size, slat_hpa(hpa), &attrs, flags,
		     &guest_ept_changes))
		return -1;
	regions[count++] = (struct region){ gpa, hpa, size };
	return 0;
}

int vm_map(u64 gpa, u64 hpa, u64 size, unsigned perms)
{
	return map_flags(gpa, hpa, size, perms, 0);
}

int vm_map_4k(u64 gpa, u64 hpa, u64 size, unsigned perms)
{
	return map_flags(gpa, hpa, size, perms, SLAT_MAP_MAX_PAGE(12));
}

/* Removes whole regions inside [gpa, gpa+size). */
int vm_unmap(u64 gpa, u64 size)
{
	if (slat_unmap(&guest_ept, slat_gpa(gpa), size, &guest_ept_changes))
		return -1;
	for (int i = 0; i < count;) {
		if (regions[i].gpa >= gpa && regions[i].gpa + regions[i].size <= gpa + size)
			regions[i] = regions[--count];
		else
			i++;
	}
	return 0;
}

bool vm_gpa_to_hpa(u64 gpa, u64 *hpa)
{
	for (int i = 0; i < count; i++) {
		if (gpa - regions[i].gpa < regions[i].size) {
			*hpa = regions[i].hpa + (gpa - regions[i].gpa);
			return true;
		}
	}
	return false;
}

void fill_pattern(u64 hpa, u64 size)
{
	u64 *p = hva(hpa);
	for (u64 i = 0; i < size / 8; i++)
		p[i] = PATTERN(hpa + 8 * i);
}
