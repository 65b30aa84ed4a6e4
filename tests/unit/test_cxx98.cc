// SPDX-License-Identifier: MIT
// The public headers from C++98 with -pedantic -Wcast-qual -Werror (the
// oldest C++ libslat supports): every header, and one map, translation and
// unmap per format through them, with C linkage.
#include <slat/alloc.h>
#include <slat/caps.h>
#include <slat/dirty.h>
#include <slat/dump.h>
#include <slat/ept.h>
#include <slat/error.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/hosted.h>
#include <slat/hwsim.h>
#include <slat/lookup.h>
#include <slat/map.h>
#include <slat/npt.h>
#include <slat/slat.h>
#include <slat/stage2.h>
#include <slat/table.h>
#include <slat/types.h>
#include <slat/validate.h>
#include <slat/version.h>

#include <cstdio>
#include <cstring>

static void no_sync(void *, const slat_table *, const slat_gather *)
{
}

static int check(const slat_format *fmt)
{
	slat_pool pool;
	slat_caps caps;
	slat_config cfg;
	slat_table t;
	slat_gather g = SLAT_GATHER_INIT;
	slat_mapping m;
	int err;

	if (slat_pool_init(&pool, 16u << 20, 0x40000000) != 0)
		return 1;
	if (fmt == &slat_format_ept)
		err = slat_ept_caps((uint64_t)0x2104041, (uint64_t)2 << 32, 39, &caps);
	else if (fmt == &slat_format_npt)
		err = slat_npt_caps(1, 0x28, 0, 0, &caps);
	else
		err = slat_stage2_caps((uint64_t)2 | ((uint64_t)2 << 40), 0, 0, 0, &caps);
	if (err)
		return 2;
	std::memset(&cfg, 0, sizeof(cfg));
	cfg.format = fmt;
	cfg.caps = &caps;
	cfg.alloc = slat_pool_allocator(&pool);
	cfg.ia_bits = 36;
	cfg.sync_invalidate = no_sync;
	if (slat_table_init(&t, &cfg) != SLAT_OK)
		return 3;
	slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	if (slat_map(&t, slat_gpa(0x1000), 0x1000, slat_hpa(0x5000), &a, 0, &g) != SLAT_OK)
		return 4;
	if (slat_translate(&t, slat_gpa(0x1234), &m) != SLAT_OK || m.hpa.v != 0x5234)
		return 5;
	if (slat_unmap(&t, slat_gpa(0x1000), 0x1000, &g) != SLAT_OK)
		return 6;
	if (slat_gather_done(&t, &g) != SLAT_OK || slat_table_destroy(&t) != SLAT_OK)
		return 7;
	if (pool.in_use != 0)
		return 8;
	slat_pool_fini(&pool);
	return 0;
}

int main()
{
	const slat_format *fmts[] = { &slat_format_ept, &slat_format_npt, &slat_format_stage2 };

	for (unsigned i = 0; i < 3; i++) {
		int r = check(fmts[i]);

		if (r) {
			std::printf("FAIL %s: step %d\n", slat_format_name(fmts[i]), r);
			return 1;
		}
		std::printf("PASS %s\n", slat_format_name(fmts[i]));
	}
	return 0;
}
