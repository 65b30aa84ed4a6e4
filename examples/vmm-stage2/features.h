/*
 * features.h - the CPU's ID registers that matter for stage 2.
 *
 * The VMM only reads and prints them; what the tables may use is decided by
 * libslat from the same raw values (slat_stage2_caps() in tables_slat.c).
 */
#ifndef FEATURES_H
#define FEATURES_H

#include <stdint.h>

struct cpu_features {
	uint64_t midr, mmfr0, mmfr1, mmfr2, isar0;   /* raw registers */
};

void features_read(struct cpu_features *f);
void features_print(const struct cpu_features *f);

#endif
