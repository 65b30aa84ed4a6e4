/* SPDX-License-Identifier: MIT */
/*
 * Intel page-modification logging (PML): turning a log page into the dirty
 * bitmap of a range.
 *
 * Source: Intel SDM vol. 3C §29.3.6 "Page-Modification Logging" (the
 * number of recent editions, believed; the 2016 text, §28.2.5, was read):
 * with the "enable PML" control (secondary processor-based control 17) and
 * EPT A/D flags on, every time the processor changes the dirty flag of an
 * EPT leaf from 0 to 1 it writes the guest-physical address of the access
 * into the log page at PML address + 8 * PML index and decrements the
 * index (VMCS field 0x0812, 16 bits). The hypervisor starts the index at
 * 511, so entries index + 1 ... 511 are the valid ones; after entry 0 the
 * index wraps to FFFFH and the next logging attempt is a "log-full" VM
 * exit (basic exit reason 62) instead. Values 512 ... FFFEH are never left
 * by the processor.
 *
 * The SDM says bits 11:0 of a logged address are 0. Bochs 2.7
 * (cpu/vmx.cc, vmx_page_modification_logging) writes the guest-physical
 * address of the access as it is, offset included. Only the page matters,
 * so the offset is dropped: the result is the same under both.
 */

#include <slat/ept.h>
#include <slat/error.h>
#include <slat/lookup.h>

#include "core.h"

#define PML_PAGE_LG2 12 /* the log names 4 KiB pages */

/* Set bits [i, j) of the bitmap. */
static void bits_set(uint64_t *bm, uint64_t i, uint64_t j)
{
	for (; i < j && (i & 63); i++)
		bm[i >> 6] |= 1ull << (i & 63);
	for (; i + 64 <= j; i += 64)
		bm[i >> 6] = ~0ull;
	for (; i < j; i++)
		bm[i >> 6] |= 1ull << (i & 63);
}

int slat_ept_pml_drain(const struct slat_table *t_pub, const uint64_t *log,
		       uint16_t index, slat_gpa_t gpa, uint64_t size,
		       uint64_t *bitmap, uint64_t bitmap_words,
		       uint64_t *logged, uint64_t *outside)
{
	const struct table_state *t = table_of_c(t_pub);
	const uint64_t start = gpa.v, end = gpa.v + size;
	uint64_t in = 0, out = 0;
	unsigned i;
	int err;

	if (!t || !log || !bitmap)
		return SLAT_ENULL;
	if (!t->root)
		return SLAT_EDEAD;
	if (t->fmt != &slat_format_ept)
		return SLAT_EFORMAT;
	err = range_check(t, start, size);
	if (err)
		return err;
	if (!(t->features & SLAT_FEAT_AD))
		return SLAT_ENOFEAT; /* no dirty flag changes, nothing logged */
	if (index >= SLAT_EPT_PML_ENTRIES && index != SLAT_EPT_PML_INDEX_FULL)
		return SLAT_ECORRUPT;
	if (bitmap_words < ((size >> PML_PAGE_LG2) + 63) / 64)
		return SLAT_ENOSPC;

	/* Entries from index + 1 up, or all 512 after the index wrapped. */
	for (i = index == SLAT_EPT_PML_INDEX_FULL ? 0 : index + 1u;
	     i < SLAT_EPT_PML_ENTRIES; i++) {
		const uint64_t page = log[i] & ~((1ull << PML_PAGE_LG2) - 1);
		struct slat_mapping m;
		uint64_t lo = page, hi = page + (1ull << PML_PAGE_LG2);

		/*
		 * The dirty flag of a large leaf stands for all of it: the
		 * write that set it was logged, later writes anywhere in the
		 * leaf are not. So the whole leaf is dirty, also the part of
		 * it inside the range when the logged address is not. A page
		 * no longer mapped is still reported.
		 */
		if (page >> t->lay.ia_bits == 0 &&
		    slat_translate(t_pub, slat_gpa(page), &m) == SLAT_OK &&
		    m.page_lg2 > PML_PAGE_LG2) {
			lo = page & ~((1ull << m.page_lg2) - 1);
			hi = lo + (1ull << m.page_lg2);
		}
		if (lo < start)
			lo = start;
		if (hi > end || hi == 0)
			hi = end;
		if (lo >= hi) {
			out++;
			continue;
		}
		in++;
		bits_set(bitmap, (lo - start) >> PML_PAGE_LG2, (hi - start) >> PML_PAGE_LG2);
	}
	if (logged)
		*logged = in;
	if (outside)
		*outside = out;
	return SLAT_OK;
}
