/* SPDX-License-Identifier: MIT */
/**
 * @file slat/payload.h
 * @brief A small value of the embedder's in entries that map nothing.
 *
 * Hypervisors keep information in guest-physical entries that the
 * hardware sees as absent: a swap slot, a "paged out" or "shared" type
 * (Xen's p2m types), the owner of a page (pKVM's invalid stage-2 entries).
 * libslat stores such a value, the payload, in the bits of a base-page
 * entry that the hardware ignores while the entry is absent:
 *
 * | format  | entry bits | payload bits | why those                         |
 * |---------|------------|--------------|-----------------------------------|
 * | EPT     | 62:12      | 51           | not present: bits ignored (SDM 3C §29.3.2), but bit 63 is read as suppress-\#VE (§26.5.7.1); bit 11 is the no-access mark |
 * | NPT     | 63:12      | 52           | P = 0: bits 63:1 free (APM vol. 2 §5.4.1); bit 11 is the no-access mark |
 * | Stage-2 | 63:1       | 63           | invalid descriptor: bits 63:1 ignored (Arm ARM D8.3) |
 *
 * A payload entry is never present, never a table and never followed: a
 * guest access to it faults as on an unmapped page. slat_translate()
 * answers ::SLAT_ENOENT for it and slat_for_each() skips it (it reports
 * mappings only); read it with slat_payload_get(). It keeps its table
 * occupied: slat_unmap() of a neighbour does not free a table that still
 * holds a payload, slat_table_pages() counts that table, and
 * slat_collapse() leaves such a table alone. slat_unmap() clears payload
 * entries in its range like mappings, and frees the tables that become
 * empty. slat_map() over a payload entry fails with ::SLAT_EEXIST; with
 * ::SLAT_MAP_REPLACE the mapping is written and the payload is dropped.
 * slat_validate() accepts payload entries and reports an absent entry
 * with bits outside the payload field (::SLAT_PROB_ABSENT_BITS).
 */
#ifndef SLAT_PAYLOAD_H
#define SLAT_PAYLOAD_H

#include <slat/gather.h>
#include <slat/table.h>
#include <slat/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Store @p value in every base-page entry of [gpa, gpa + size).
 *
 * Nothing in the range may be mapped (also no no-access leaf, no large
 * leaf): ::SLAT_EEXIST otherwise. Entries that already hold a payload take
 * the new value. Tables are allocated where the range has none. All or
 * nothing: on any error, allocation failure included, the table is as it
 * was and nothing leaks.
 *
 * @p value must be at least 1 (0 is refused: clear a payload with
 * slat_unmap()) and fit in slat_table_payload_bits() bits.
 *
 * The hardware sees the entries as absent before and after, so nothing is
 * invalidated; @p g is only bound to the table as by every changing call.
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): linearizable; holds its range,
 * widened to any leaf reaching past its ends, so calls on overlapping
 * ranges wait for each other and disjoint ones run in parallel
 * (docs/concurrency.md).
 * @return ::SLAT_OK; ::SLAT_ENULL, ::SLAT_EDEAD, ::SLAT_EALIGN,
 *         ::SLAT_ESIZE, ::SLAT_EWRAP, ::SLAT_EGPA (the range),
 *         ::SLAT_EGATHER, ::SLAT_EPAYLOAD (value 0 or too wide),
 *         ::SLAT_EEXIST, ::SLAT_ECORRUPT, ::SLAT_ENOMEM.
 */
int slat_payload_set(struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		     uint64_t value, struct slat_gather *g);

/**
 * Read the payload of the base page at @p gpa (any address inside it).
 *
 * Concurrency (::SLAT_FEAT_CONCURRENT): takes no lock, as slat_translate().
 * @return ::SLAT_OK with *@p value set; ::SLAT_ENOENT when the entry holds
 *         neither a mapping nor a payload; ::SLAT_EEXIST when the address
 *         is mapped (no-access leaves included), *@p value then 0;
 *         ::SLAT_ENULL, ::SLAT_EDEAD, ::SLAT_EGPA, ::SLAT_ECORRUPT.
 */
int slat_payload_get(const struct slat_table *t, slat_gpa_t gpa,
		     uint64_t *value);

/**
 * How many bits of payload the table's format offers (51 on EPT, 52 on
 * NPT, 63 on Stage-2); 0 for a NULL or destroyed table.
 */
unsigned slat_table_payload_bits(const struct slat_table *t);

#ifdef __cplusplus
}
#endif

#endif
