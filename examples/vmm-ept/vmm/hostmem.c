/* hostmem.c - 4 KiB host pages: a bump allocator with a free list. */
#include "hostmem.h"
#include "console.h"

static u64 next_page = HPA_POOL;
static u64 free_list; /* each free page holds the address of the next one */

u64 page_alloc(void)
{
	u64 pa = free_list;

	if (pa) {
		free_list = *(u64 *)hva(pa);
	} else {
		if (next_page >= HPA_POOL_END) {
			con_printf("FAIL host-memory: page pool exhausted\n");
			power_off();
		}
		pa = next_page;
		next_page += PAGE_SIZE;
	}
	memset(hva(pa), 0, PAGE_SIZE);
	return pa;
}

void page_free(u64 pa)
{
	*(u64 *)hva(pa) = free_list;
	free_list = pa;
}
