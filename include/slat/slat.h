/* SPDX-License-Identifier: MIT */
/**
 * @file slat/slat.h
 * @brief Everything of the freestanding library in one include.
 *
 * libslat builds and maintains second-level address translation tables
 * (guest-physical to host-physical) for hypervisors: Intel EPT, AMD NPT and
 * Arm Stage-2, behind one portable API.
 */
#ifndef SLAT_SLAT_H
#define SLAT_SLAT_H

#include <slat/alloc.h>
#include <slat/caps.h>
#include <slat/collapse.h>
#include <slat/dirty.h>
#include <slat/dump.h>
#include <slat/error.h>
#include <slat/ept.h>
#include <slat/fault.h>
#include <slat/gather.h>
#include <slat/hwsim.h>
#include <slat/lookup.h>
#include <slat/map.h>
#include <slat/multihit.h>
#include <slat/npt.h>
#include <slat/payload.h>
#include <slat/stage2.h>
#include <slat/table.h>
#include <slat/types.h>
#include <slat/validate.h>
#include <slat/version.h>

#endif
