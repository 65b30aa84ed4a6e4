/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer (and AFL++ with -fsanitize=fuzzer) entry point of one target:
 * compile with -DFUZZ_TARGET=ept, npt or stage2.
 */
#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET (ept, npt or stage2)"
#endif
#define FZ_CAT_(a, b) a##b
#define FZ_CAT(a, b) FZ_CAT_(a, b)
#define FZ_STR_(a) #a
#define FZ_STR(a) FZ_STR_(a)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;

	if (!once) {
		once = 1;
		fuzz_stats_register(FZ_STR(FUZZ_TARGET));
	}
	return fuzz_run(&FZ_CAT(target_, FUZZ_TARGET), data, size);
}
