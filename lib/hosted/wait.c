/* SPDX-License-Identifier: MIT */
/* The hosted wait hook of SLAT_FEAT_CONCURRENT tables (slat/hosted.h). */

#include <sched.h>

#include <slat/hosted.h>

void slat_wait_yield(void *ctx)
{
	(void)ctx;
	sched_yield();
}
