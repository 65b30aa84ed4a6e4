/* SPDX-License-Identifier: MIT */
/**
 * @file slat/hwsim.h
 * @brief Doing to a table what the hardware does, for tests and emulators.
 *
 * An instruction-set emulator that uses libslat tables, or a test of a
 * live-migration loop, needs the hardware's side of the contract: setting
 * accessed and dirty state in leaves as guest accesses happen. These calls do
 * it with the same atomic updates the hardware uses.
 */
#ifndef SLAT_HWSIM_H
#define SLAT_HWSIM_H

#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Record a guest access to @p gpa the way the hardware walker would: set the
 * leaf's accessed flag, and its dirty state when @p write. Does nothing to
 * tables without ::SLAT_FEAT_AD.
 * Concurrency (::SLAT_FEAT_CONCURRENT): a lock-free reader, like the
 * hardware walker it stands for.
 * @return ::SLAT_OK; ::SLAT_ENULL; ::SLAT_EDEAD; ::SLAT_EGPA;
 *   ::SLAT_ENOENT when nothing
 *   is mapped; ::SLAT_EPERM when the leaf does not allow the access (the
 *   hardware would fault instead); ::SLAT_ECORRUPT.
 */
int slat_hw_access(struct slat_table *t, slat_gpa_t gpa, bool write);

#ifdef __cplusplus
}
#endif
#endif
