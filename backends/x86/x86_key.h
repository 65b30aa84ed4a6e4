/* SPDX-License-Identifier: MIT */
/*
 * Host memory keys in x86 entries: a field of the physical-address bits
 * that the memory controller takes as a key instead of an address.
 *
 *  - AMD SME: the C-bit, at CPUID Fn8000_001F EBX[5:0], marks the page (or,
 *    in an entry pointing to a table, that table) as encrypted with the host
 *    key; with memory encryption on, the address width shrinks by
 *    EBX[11:6] bits and the bits between the new width and the C-bit are
 *    reserved (AMD APM vol. 2 §7.10 "Secure Memory Encryption", §7.10.1;
 *    nested tables are host tables, §15.34 "Secure Encrypted
 *    Virtualization").
 *  - Intel MKTME / TDX: the top MK_TME_KEYID_BITS bits below MAXPHYADDR
 *    hold the KeyID, in EPT entries as in any physical address (Intel
 *    Architecture Memory Encryption Technologies Specification, "KeyID"
 *    and IA32_TME_ACTIVATE).
 *
 * Either way the key is one contiguous field at caps->key_shift, caps->
 * key_bits wide, above caps->pa_bits: the decoders (slat_npt_caps_sme(),
 * slat_ept_caps_mktme()) have already reduced pa_bits, so the core's
 * address masks and width checks never see the key, and translate reports
 * the honest address with the key beside it.
 */
#ifndef SLAT_X86_KEY_H
#define SLAT_X86_KEY_H

#include <slat/error.h>
#include <slat/validate.h>

#include "format.h"

static inline uint64_t x86_key_mask(const struct slat_caps *c)
{
	return c->key_bits ? slat_bits(c->key_shift + c->key_bits - 1u, c->key_shift) : 0;
}

static inline uint64_t x86_key_encode(const struct table_state *t, unsigned key)
{
	return t->caps.key_bits ? (uint64_t)key << t->caps.key_shift : 0;
}

/* On every translate and for_each step: one test for a CPU without keys. */
static inline uint16_t x86_key_decode(const struct table_state *t, uint64_t e)
{
	if (!t->caps.key_bits)
		return 0;
	return (uint16_t)((e & x86_key_mask(&t->caps)) >> t->caps.key_shift);
}

/*
 * After x86_layout(): check the caps' key field (hand-made caps may be
 * anything), take it out of the address field, make it an attribute of
 * every leaf level, and put the tables' key into table entries. The key
 * must lie above the address bits and inside the 52 bits an entry has
 * for addresses (bits 62:52 are attributes or ignored).
 */
static inline int x86_key_configure(struct table_state *t, const struct slat_config *cfg)
{
	const struct slat_caps *c = &t->caps;
	struct slat_layout *l = &t->lay;
	const uint64_t mask = x86_key_mask(c);
	unsigned lv;

	if (!c->key_bits)
		return c->key_max ? SLAT_ECAPS : SLAT_OK;
	if (c->key_shift < c->pa_bits || c->key_shift + c->key_bits > 52 ||
	    c->key_bits > 15 || c->key_max >> c->key_bits)
		return SLAT_ECAPS;
	l->addr_field &= ~mask;
	for (lv = 0; lv < l->levels; lv++)
		l->attr_mask[lv] |= mask;
	l->table_tmpl |= x86_key_encode(t, cfg->table_key);
	return SLAT_OK;
}

/* The key bits of the tables' own pages, for the root pointer. */
static inline uint64_t x86_key_root(const struct table_state *t)
{
	return t->lay.table_tmpl & x86_key_mask(&t->caps);
}

/*
 * Validator: a leaf's key must be one the table may write; a table entry
 * must carry the tables' key, or the walker would read that table with
 * another key than the one it was written with (garbage, not an error the
 * hardware reports). Returns the number of problems written to `out`.
 */
static inline unsigned x86_key_check(const struct table_state *t, uint64_t e,
				     bool leaf, struct slat_problem *out)
{
	const uint64_t mask = x86_key_mask(&t->caps);
	const unsigned key = x86_key_decode(t, e);
	bool bad;

	if (leaf)
		bad = key && (!(t->features & SLAT_FEAT_KEYS) || key > t->caps.key_max);
	else
		bad = (e & mask) != x86_key_root(t);
	if (!bad)
		return 0;
	out->kind = SLAT_PROB_KEY;
	out->bits = e & mask;
	return 1;
}

#endif
