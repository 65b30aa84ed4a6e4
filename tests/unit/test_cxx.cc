// SPDX-License-Identifier: MIT
// The public headers used from C++: they must compile without warnings and
// link with C linkage. Checks one map and one translation per format.
#include <slat/hosted.h>
#include <slat/map_svg.h>
#include <slat/slat.h>

#include <cstdio>
#include <cstring>

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
		err = slat_ept_caps((1ull << 6) | (1ull << 14) | (1ull << 16) | (1ull << 20) |
					    (1ull << 25),
				    (1ull << 1) << 32, 39, &caps);
	else if (fmt == &slat_format_npt)
		err = slat_npt_caps(1, 0x28, 0, 0, &caps);
	else
		err = slat_stage2_caps(2ull | (2ull << 40), 0, 0, 0, &caps);
	if (err)
		return 2;
	std::memset(&cfg, 0, sizeof(cfg));
	cfg.format = fmt;
	cfg.caps = &caps;
	cfg.alloc = slat_pool_allocator(&pool);
	cfg.ia_bits = 36;
	cfg.sync_invalidate = [](void *, const slat_table *, const slat_gather *) {};
	if (slat_table_init(&t, &cfg) != SLAT_OK)
		return 3;
	slat_gather_init(&g);
	slat_attrs a = slat_attrs_make(SLAT_PERM_RW, SLAT_MT_WB);
	if (slat_map(&t, slat_gpa(0x200000), 0x200000, slat_hpa(0x400000), &a, 0, &g) != SLAT_OK)
		return 4;
	if (slat_translate(&t, slat_gpa(0x212345), &m) != SLAT_OK || m.hpa.v != 0x412345 ||
	    m.page_lg2 != 21 || m.attrs.perms != SLAT_PERM_RW)
		return 5;
	// slat-map's collector: the one 2 MiB leaf is one run.
	slat_runs runs = { nullptr, 0, 0 };
	if (slat_runs_from_table(&t, slat_gpa(0), 1ull << 36, &runs) != SLAT_OK || runs.n != 1 ||
	    runs.v[0].gpa.v != 0x200000 || runs.v[0].page_lg2 != 21)
		return 7;
	slat_runs_free(&runs);
	slat_gather_done(&t, &g);
	slat_table_destroy(&t);
	if (pool.in_use != 0)
		return 6;
	slat_pool_fini(&pool);
	return 0;
}

int main()
{
	const slat_format *fmts[] = { &slat_format_ept, &slat_format_npt, &slat_format_stage2 };

	for (const slat_format *f : fmts) {
		int r = check(f);

		if (r) {
			std::printf("FAIL %s: step %d\n", slat_format_name(f), r);
			return 1;
		}
		std::printf("PASS %s\n", slat_format_name(f));
	}
	return 0;
}
